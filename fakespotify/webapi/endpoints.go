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
	Summary    string

	serve func(*API, *call)
}

// Endpoints is the Web API subset, in the order the README lists it.
// New takes a copy, so changing this slice later does not change a
// running API.
var Endpoints = withNeeds([]Endpoint{
	{Method: "GET", Pattern: "/v1/me", User: true, Reveals: []string{scopeEmail, scopePrivate},
		Summary: "current user; email needs user-read-email, country/product/explicit_content need user-read-private", serve: (*API).me},
	{Method: "GET", Pattern: "/v1/me/playlists", User: true, Reveals: []string{"playlist-read-private", "playlist-read-collaborative"},
		Summary: "the user's playlists; private and collaborative ones only with their scope", serve: (*API).myPlaylists},
	{Method: "GET", Pattern: "/v1/me/top/artists", User: true,
		Summary: "top artists (time_range, limit, offset)", serve: (*API).topArtists},
	{Method: "GET", Pattern: "/v1/me/top/tracks", User: true,
		Summary: "top tracks (time_range, limit, offset)", serve: (*API).topTracks},
	{Method: "GET", Pattern: "/v1/me/player/recently-played", User: true,
		Summary: "recently played tracks (limit, after, before)", serve: (*API).recentlyPlayed},
	{Method: "GET", Pattern: "/v1/me/tracks", User: true,
		Summary: "saved tracks (limit, offset)", serve: (*API).savedTracks},
	{Method: "PUT", Pattern: "/v1/me/tracks", User: true,
		Summary: "save tracks (ids query or JSON body {\"ids\":[...]})", serve: (*API).saveTracks},
	{Method: "DELETE", Pattern: "/v1/me/tracks", User: true,
		Summary: "remove saved tracks (ids query or JSON body)", serve: (*API).removeTracks},
	{Method: "GET", Pattern: "/v1/me/following", User: true,
		Summary: "followed artists (type=artist, after, limit)", serve: (*API).following},
	{Method: "POST", Pattern: "/v1/users/{user_id}/playlists", User: true,
		Summary: "create a playlist; public needs playlist-modify-public, private playlist-modify-private", serve: (*API).createPlaylist},
	{Method: "GET", Pattern: "/v1/search", Summary: "search the catalog (q, type, limit, offset); app-only tokens work", serve: (*API).search},
	{Method: "GET", Pattern: "/v1/tracks/{id}", Summary: "one track; app-only tokens work", serve: (*API).track},
	{Method: "GET", Pattern: "/v1/recommendations", Restricted: true,
		Summary: "recommendations from seed_artists/seed_tracks/seed_genres", serve: (*API).recommendations},
	{Method: "GET", Pattern: "/v1/artists/{id}/related-artists", Restricted: true,
		Summary: "artists sharing a genre", serve: (*API).relatedArtists},
	{Method: "GET", Pattern: "/v1/artists/{id}/top-tracks", Restricted: true,
		Summary: "an artist's most popular tracks", serve: (*API).artistTopTracks},
	{Method: "GET", Pattern: "/v1/audio-features/{id}", Restricted: true,
		Summary: "audio features of a track (derived from its id)", serve: (*API).audioFeatures},
})

// withNeeds fills each row's Needs from the one endpoint→scope table.
func withNeeds(es []Endpoint) []Endpoint {
	for i := range es {
		es[i].Needs, _ = wire.ScopesFor(es[i].Method, es[i].Pattern)
	}
	return es
}

const (
	scopeEmail   = "user-read-email"
	scopePrivate = "user-read-private"
)
