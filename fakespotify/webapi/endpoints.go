package webapi

import "github.com/spotcheck/spotcheck/fakespotify/wire"

// Endpoint is one row of the Web API subset the fake serves.
type Endpoint struct {
	Method  string
	Pattern string // path with {name} segments, e.g. /v1/tracks/{id}
	// Needs are the scopes the token must carry, as wire.EndpointScopes
	// lists them for this method and pattern: every group, any one scope
	// of a group. A token without them gets 403 "Insufficient client
	// scope".
	Needs [][]string
	// Reveals lists scopes that are not required but widen the answer
	// (fields of /v1/me, private playlists); without them the data is
	// silently left out, never refused.
	Reveals []string
	// User endpoints need a token granted by a user; an app-only
	// (client-credentials) token gets 401 "Unauthorized".
	User bool
	// Restricted endpoints are those Spotify closed on 2024-11-27 for
	// development-mode apps and apps created on or after that day.
	Restricted bool
	// RestrictedStatus is what a restricted endpoint answers those apps:
	// 403 (the zero value) or 404, each with no message (§8.1).
	RestrictedStatus int
	// DevRemoved endpoints were removed for development-mode apps in
	// February 2026 (§8.1): they answer 403 "Forbidden".
	DevRemoved bool
	Summary    string

	serve func(*API, *call)
}

// Endpoints is the Web API subset, in the order the README lists it.
// New takes a copy, so changing this slice later does not change a
// running API.
var Endpoints = withNeeds([]Endpoint{
	{Method: "GET", Pattern: "/v1/me", User: true, Reveals: []string{scopeEmail, scopePrivate},
		Summary: "current user; email needs user-read-email, country/product/explicit_content need user-read-private", serve: (*API).me},
	{Method: "GET", Pattern: "/v1/me/playlists", User: true, Reveals: []string{scopeReadPrivate, scopeReadCollab},
		Summary: "the user's playlists; private and collaborative ones only with their scope", serve: (*API).myPlaylists},
	{Method: "POST", Pattern: "/v1/me/playlists", User: true,
		Summary: "create a playlist for the current user (the February 2026 replacement of POST /v1/users/{user_id}/playlists)", serve: (*API).createMyPlaylist},
	{Method: "GET", Pattern: "/v1/me/top/artists", User: true,
		Summary: "top artists (time_range, limit, offset)", serve: (*API).topArtists},
	{Method: "GET", Pattern: "/v1/me/top/tracks", User: true,
		Summary: "top tracks (time_range, limit, offset)", serve: (*API).topTracks},
	{Method: "GET", Pattern: "/v1/me/player/recently-played", User: true,
		Summary: "recently played tracks (limit, after, before)", serve: (*API).recentlyPlayed},
	{Method: "GET", Pattern: "/v1/me/player", User: true,
		Summary: "playback state; 204 when no device is active", serve: (*API).playbackState},
	{Method: "PUT", Pattern: "/v1/me/player", User: true,
		Summary: "transfer playback to {\"device_ids\":[id], \"play\":bool}; Premium only", serve: (*API).transferPlayback},
	{Method: "GET", Pattern: "/v1/me/player/devices", User: true,
		Summary: "the user's devices", serve: (*API).devices},
	{Method: "GET", Pattern: "/v1/me/player/currently-playing", User: true,
		Summary: "the item playing; 204 when nothing is", serve: (*API).currentlyPlaying},
	{Method: "PUT", Pattern: "/v1/me/player/play", User: true,
		Summary: "start or resume (device_id; context_uri, uris, offset, position_ms); Premium only", serve: (*API).play},
	{Method: "PUT", Pattern: "/v1/me/player/pause", User: true,
		Summary: "pause (device_id); Premium only", serve: (*API).pause},
	{Method: "GET", Pattern: "/v1/me/tracks", User: true,
		Summary: "saved tracks (limit, offset)", serve: (*API).savedTracks},
	{Method: "PUT", Pattern: "/v1/me/tracks", User: true,
		Summary: "save tracks (ids query or JSON body {\"ids\":[...]})", serve: (*API).saveTracks},
	{Method: "DELETE", Pattern: "/v1/me/tracks", User: true,
		Summary: "remove saved tracks (ids query or JSON body)", serve: (*API).removeTracks},
	{Method: "PUT", Pattern: "/v1/me/library", User: true,
		Summary: "save to the library by URI: tracks, albums, artists and playlists (follow) (uris query or JSON body {\"uris\":[...]})", serve: (*API).saveToLibrary},
	{Method: "DELETE", Pattern: "/v1/me/library", User: true,
		Summary: "remove from the library by URI (uris query or JSON body)", serve: (*API).removeFromLibrary},
	{Method: "GET", Pattern: "/v1/me/following", User: true,
		Summary: "followed artists (type=artist, after, limit)", serve: (*API).following},
	{Method: "GET", Pattern: "/v1/users/{user_id}", DevRemoved: true,
		Summary: "a user's public profile", serve: (*API).userProfile},
	{Method: "GET", Pattern: "/v1/users/{user_id}/playlists", DevRemoved: true, Reveals: []string{scopeReadPrivate, scopeReadCollab},
		Summary: "a user's public playlists (the current user's own like /v1/me/playlists)", serve: (*API).userPlaylists},
	{Method: "POST", Pattern: "/v1/users/{user_id}/playlists", User: true, DevRemoved: true,
		Summary: "create a playlist; public needs playlist-modify-public, private playlist-modify-private", serve: (*API).createPlaylist},
	{Method: "GET", Pattern: "/v1/playlists/{playlist_id}", Reveals: []string{scopeReadPrivate, scopeReadCollab},
		Summary: "a playlist with its first items", serve: (*API).getPlaylist},
	{Method: "GET", Pattern: "/v1/playlists/{playlist_id}/items", Reveals: []string{scopeReadPrivate, scopeReadCollab},
		Summary: "a playlist's items, each with item and the deprecated track alias (limit, offset)", serve: (*API).playlistItems},
	{Method: "POST", Pattern: "/v1/playlists/{playlist_id}/items", User: true,
		Summary: "add items (uris, position)", serve: (*API).addPlaylistItems},
	{Method: "PUT", Pattern: "/v1/playlists/{playlist_id}/items", User: true,
		Summary: "replace (uris) or reorder (range_start, insert_before, range_length) items", serve: (*API).updatePlaylistItems},
	{Method: "DELETE", Pattern: "/v1/playlists/{playlist_id}/items", User: true,
		Summary: "remove items ({\"items\":[{\"uri\":…}]} or the older {\"tracks\":[…]})", serve: (*API).removePlaylistItems},
	{Method: "GET", Pattern: "/v1/playlists/{playlist_id}/tracks", DevRemoved: true, Reveals: []string{scopeReadPrivate, scopeReadCollab},
		Summary: "the pre-2026 path of a playlist's items (items carry track only)", serve: (*API).playlistItems},
	{Method: "POST", Pattern: "/v1/playlists/{playlist_id}/tracks", User: true, DevRemoved: true,
		Summary: "the pre-2026 path of adding items", serve: (*API).addPlaylistItems},
	{Method: "PUT", Pattern: "/v1/playlists/{playlist_id}/tracks", User: true, DevRemoved: true,
		Summary: "the pre-2026 path of replacing or reordering items", serve: (*API).updatePlaylistItems},
	{Method: "DELETE", Pattern: "/v1/playlists/{playlist_id}/tracks", User: true, DevRemoved: true,
		Summary: "the pre-2026 path of removing items", serve: (*API).removePlaylistItems},
	{Method: "GET", Pattern: "/v1/search", Summary: "search the catalog (q, type, limit, offset); app-only tokens work", serve: (*API).search},
	{Method: "GET", Pattern: "/v1/tracks", DevRemoved: true,
		Summary: "several tracks (ids, at most 50); null for an unknown id", serve: (*API).severalTracks},
	{Method: "GET", Pattern: "/v1/tracks/{id}", Summary: "one track; app-only tokens work", serve: (*API).track},
	{Method: "GET", Pattern: "/v1/artists/{id}", Summary: "one artist", serve: (*API).getArtist},
	{Method: "GET", Pattern: "/v1/albums/{id}", Summary: "one album with its first tracks", serve: (*API).getAlbum},
	{Method: "GET", Pattern: "/v1/albums/{id}/tracks", Summary: "an album's tracks (limit, offset)", serve: (*API).albumTracks},
	{Method: "GET", Pattern: "/v1/recommendations", Restricted: true, RestrictedStatus: 404,
		Summary: "recommendations from seed_artists/seed_tracks/seed_genres", serve: (*API).recommendations},
	{Method: "GET", Pattern: "/v1/artists/{id}/related-artists", Restricted: true,
		Summary: "artists sharing a genre", serve: (*API).relatedArtists},
	{Method: "GET", Pattern: "/v1/artists/{id}/top-tracks", DevRemoved: true,
		Summary: "an artist's most popular tracks", serve: (*API).artistTopTracks},
	{Method: "GET", Pattern: "/v1/audio-features", Restricted: true,
		Summary: "audio features of several tracks (ids, at most 100)", serve: (*API).severalAudioFeatures},
	{Method: "GET", Pattern: "/v1/audio-features/{id}", Restricted: true,
		Summary: "audio features of a track (derived from its id)", serve: (*API).audioFeatures},
	{Method: "GET", Pattern: "/v1/audio-analysis/{id}", Restricted: true,
		Summary: "audio analysis of a track (derived from its id)", serve: (*API).audioAnalysis},
	{Method: "GET", Pattern: "/v1/browse/featured-playlists", Restricted: true,
		Summary: "featured (editorial) playlists: none in the fake's catalog", serve: (*API).featuredPlaylists},
	{Method: "GET", Pattern: "/v1/browse/categories/{category_id}/playlists", Restricted: true,
		Summary: "a category's (editorial) playlists: none in the fake's catalog", serve: (*API).categoryPlaylists},
})

// withNeeds fills each row's Needs from the one endpoint→scope table.
func withNeeds(es []Endpoint) []Endpoint {
	for i := range es {
		es[i].Needs, _ = wire.ScopesFor(es[i].Method, es[i].Pattern)
	}
	return es
}

const (
	scopeEmail        = "user-read-email"
	scopePrivate      = "user-read-private"
	scopeReadPrivate  = "playlist-read-private"
	scopeReadCollab   = "playlist-read-collaborative"
	scopeModifyPublic = "playlist-modify-public"
	scopeModifyPriv   = "playlist-modify-private"
)
