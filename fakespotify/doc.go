// Package fakespotify is a fake Spotify accounts service and Web API subset,
// faithful to the wire behaviour of accounts.spotify.com and
// api.spotify.com. It imports nothing else of spotcheck, so that users can
// embed it in their own Go tests.
package fakespotify
