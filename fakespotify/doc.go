// Package fakespotify is a fake Spotify accounts service and Web API subset,
// faithful to the wire behaviour of accounts.spotify.com and
// api.spotify.com, with the controls a test needs: per-app clones, a
// movable clock, selectable historical policies, one-shot faults, a
// redacted request log, and a grade of how well the client under test
// behaved (see Grade). It imports nothing else of spotcheck, so that users
// can embed it in their own Go tests; New returns an http.Handler and Start
// serves it on a free loopback port.
package fakespotify
