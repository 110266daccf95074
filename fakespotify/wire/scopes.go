package wire

import (
	"slices"
	"strings"
	"time"
)

// Scope is one authorization scope Spotify documents, with its group on
// Spotify's scopes page and the words a consent page shows for it.
type Scope struct {
	Name  string
	Group string
	Words string
}

// Scopes are the scopes /authorize accepts (§6), in the order of
// Spotify's scopes page. Anything else is answered "Illegal scope" (§1.3).
var Scopes = []Scope{
	{"ugc-image-upload", "Images", "Upload images to personalize your profile or playlist cover"},
	{"user-read-playback-state", "Spotify Connect", "Read your currently playing content and Spotify Connect devices information"},
	{"user-modify-playback-state", "Spotify Connect", "Control playback on your Spotify clients and Spotify Connect devices"},
	{"user-read-currently-playing", "Spotify Connect", "Read your currently playing content"},
	{"app-remote-control", "Playback", "Communicate with the Spotify app on your device"},
	{"streaming", "Playback", "Play content and control playback on your other devices"},
	{"playlist-read-private", "Playlists", "Access your private playlists"},
	{"playlist-read-collaborative", "Playlists", "Access your collaborative playlists"},
	{"playlist-modify-private", "Playlists", "Manage your private playlists"},
	{"playlist-modify-public", "Playlists", "Manage your public playlists"},
	{"user-follow-modify", "Follow", "Manage who you are following"},
	{"user-follow-read", "Follow", "Access your followers and who you are following"},
	{"user-read-playback-position", "Listening History", "Read your position in content you have played"},
	{"user-top-read", "Listening History", "Read your top artists and content"},
	{"user-read-recently-played", "Listening History", "Access your recently played items"},
	{"user-library-modify", "Library", "Manage your saved content"},
	{"user-library-read", "Library", "Access your saved content"},
	{"user-read-email", "Users", "Get your real email address"},
	{"user-read-private", "Users", "Access your subscription details"},
	// Open Access: approved partners only, valid names nonetheless.
	{"user-soa-link", "Open Access", "Link a partner user account to a Spotify user account"},
	{"user-soa-unlink", "Open Access", "Unlink a partner user account from a Spotify account"},
	{"soa-manage-entitlements", "Open Access", "Modify entitlements for linked users"},
	{"soa-manage-partner", "Open Access", "Update partner information"},
	{"soa-create-partner", "Open Access", "Create new partners, platform partners only"},
}

var scopeByName = func() map[string]Scope {
	m := make(map[string]Scope, len(Scopes))
	for _, s := range Scopes {
		m[s.Name] = s
	}
	return m
}()

// LookupScope returns a documented scope by name.
func LookupScope(name string) (Scope, bool) {
	s, ok := scopeByName[name]
	return s, ok
}

// ParseScope splits a scope parameter the way Spotify does: on spaces (a
// "+" in the query has already become a space), dropping repeats. A
// comma-separated list stays one (illegal) scope, which is exactly the
// mistake to surface.
func ParseScope(param string) []string {
	fields := strings.Fields(param)
	seen := make(map[string]bool, len(fields))
	out := fields[:0]
	for _, f := range fields {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// EndpointScope says which scopes a token must carry to call one Web API
// endpoint. Without them Spotify answers 403 "Insufficient client scope"
// (§5.3). The rows follow the scopes named in Spotify's Web API reference
// for each endpoint.
type EndpointScope struct {
	Method string
	// Pattern is the path, with {name} for a segment that varies, e.g.
	// /v1/playlists/{playlist_id}/tracks.
	Pattern string
	// Needs are groups that are all required; any one scope of a group
	// satisfies it.
	Needs [][]string
}

func oneOf(scopes ...string) []string { return scopes }

var (
	playlistModify  = oneOf("playlist-modify-public", "playlist-modify-private")
	currentlyPlays  = oneOf("user-read-currently-playing", "user-read-playback-state")
	playbackState   = oneOf("user-read-playback-state")
	playbackControl = oneOf("user-modify-playback-state")
	libraryRead     = oneOf("user-library-read")
	libraryModify   = oneOf("user-library-modify")
	followRead      = oneOf("user-follow-read")
	followModify    = oneOf("user-follow-modify")
)

// EndpointScopes is every endpoint known to need a scope; endpoints that
// need none (GET /v1/me, /v1/search, /v1/tracks/{id}) are not listed.
var EndpointScopes = []EndpointScope{
	{"GET", "/v1/me/top/artists", [][]string{oneOf("user-top-read")}},
	{"GET", "/v1/me/top/tracks", [][]string{oneOf("user-top-read")}},
	{"GET", "/v1/me/player/recently-played", [][]string{oneOf("user-read-recently-played")}},
	{"GET", "/v1/me/player/currently-playing", [][]string{currentlyPlays}},
	{"GET", "/v1/me/player/queue", [][]string{currentlyPlays}},
	{"GET", "/v1/me/player", [][]string{playbackState}},
	{"GET", "/v1/me/player/devices", [][]string{playbackState}},
	{"PUT", "/v1/me/player", [][]string{playbackControl}},
	{"PUT", "/v1/me/player/play", [][]string{playbackControl}},
	{"PUT", "/v1/me/player/pause", [][]string{playbackControl}},
	{"PUT", "/v1/me/player/seek", [][]string{playbackControl}},
	{"PUT", "/v1/me/player/repeat", [][]string{playbackControl}},
	{"PUT", "/v1/me/player/volume", [][]string{playbackControl}},
	{"PUT", "/v1/me/player/shuffle", [][]string{playbackControl}},
	{"POST", "/v1/me/player/next", [][]string{playbackControl}},
	{"POST", "/v1/me/player/previous", [][]string{playbackControl}},
	{"POST", "/v1/me/player/queue", [][]string{playbackControl}},
	{"GET", "/v1/me/tracks", [][]string{libraryRead}},
	{"GET", "/v1/me/tracks/contains", [][]string{libraryRead}},
	{"GET", "/v1/me/albums", [][]string{libraryRead}},
	{"GET", "/v1/me/albums/contains", [][]string{libraryRead}},
	{"GET", "/v1/me/shows", [][]string{libraryRead}},
	{"GET", "/v1/me/shows/contains", [][]string{libraryRead}},
	{"GET", "/v1/me/audiobooks", [][]string{libraryRead}},
	{"GET", "/v1/me/audiobooks/contains", [][]string{libraryRead}},
	{"GET", "/v1/me/episodes", [][]string{libraryRead, oneOf("user-read-playback-position")}},
	{"GET", "/v1/me/episodes/contains", [][]string{libraryRead, oneOf("user-read-playback-position")}},
	{"GET", "/v1/me/library/contains", [][]string{libraryRead}},
	{"PUT", "/v1/me/tracks", [][]string{libraryModify}},
	{"PUT", "/v1/me/albums", [][]string{libraryModify}},
	{"PUT", "/v1/me/shows", [][]string{libraryModify}},
	{"PUT", "/v1/me/episodes", [][]string{libraryModify}},
	{"PUT", "/v1/me/audiobooks", [][]string{libraryModify}},
	{"PUT", "/v1/me/library", [][]string{libraryModify}},
	{"DELETE", "/v1/me/tracks", [][]string{libraryModify}},
	{"DELETE", "/v1/me/albums", [][]string{libraryModify}},
	{"DELETE", "/v1/me/shows", [][]string{libraryModify}},
	{"DELETE", "/v1/me/episodes", [][]string{libraryModify}},
	{"DELETE", "/v1/me/audiobooks", [][]string{libraryModify}},
	{"DELETE", "/v1/me/library", [][]string{libraryModify}},
	{"GET", "/v1/me/following", [][]string{followRead}},
	{"GET", "/v1/me/following/contains", [][]string{followRead}},
	{"PUT", "/v1/me/following", [][]string{followModify}},
	{"DELETE", "/v1/me/following", [][]string{followModify}},
	{"PUT", "/v1/playlists/{playlist_id}/followers", [][]string{playlistModify}},
	{"DELETE", "/v1/playlists/{playlist_id}/followers", [][]string{playlistModify}},
	{"POST", "/v1/users/{user_id}/playlists", [][]string{playlistModify}},
	{"POST", "/v1/me/playlists", [][]string{playlistModify}},
	{"PUT", "/v1/playlists/{playlist_id}", [][]string{playlistModify}},
	{"POST", "/v1/playlists/{playlist_id}/tracks", [][]string{playlistModify}},
	{"POST", "/v1/playlists/{playlist_id}/items", [][]string{playlistModify}},
	{"PUT", "/v1/playlists/{playlist_id}/tracks", [][]string{playlistModify}},
	{"PUT", "/v1/playlists/{playlist_id}/items", [][]string{playlistModify}},
	{"DELETE", "/v1/playlists/{playlist_id}/tracks", [][]string{playlistModify}},
	{"DELETE", "/v1/playlists/{playlist_id}/items", [][]string{playlistModify}},
	{"PUT", "/v1/playlists/{playlist_id}/images", [][]string{oneOf("ugc-image-upload"), playlistModify}},
}

// ScopesFor returns the scopes a Web API call needs. path is a request
// path (a query and one trailing slash are ignored) or a Pattern. ok is
// false for an endpoint the table does not list: unknown, or needing no
// scope.
func ScopesFor(method, path string) (needs [][]string, ok bool) {
	method = strings.ToUpper(method)
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, e := range EndpointScopes {
		if e.Method == method && MatchPattern(e.Pattern, segs) {
			return e.Needs, true
		}
	}
	return nil, false
}

// MatchPattern reports whether path segments (a path split on "/"
// without its leading slash) fit a Pattern: literal segments equal, a
// {name} segment anything but empty.
func MatchPattern(pattern string, segs []string) bool {
	pattern = strings.Trim(pattern, "/")
	for i, p := range strings.Split(pattern, "/") {
		switch {
		case i >= len(segs):
			return false
		case strings.HasPrefix(p, "{"):
			if segs[i] == "" {
				return false
			}
		case segs[i] != p:
			return false
		}
	}
	return strings.Count(pattern, "/")+1 == len(segs)
}

// MissingScopes returns the groups of needs that granted does not satisfy.
func MissingScopes(needs [][]string, granted []string) [][]string {
	var out [][]string
	for _, group := range needs {
		if !slices.ContainsFunc(group, func(s string) bool { return slices.Contains(granted, s) }) {
			out = append(out, group)
		}
	}
	return out
}

// DescribeNeeds renders scope groups for a reader: "a", "b or c",
// "a and (b or c)".
func DescribeNeeds(needs [][]string) string {
	if len(needs) == 1 {
		return strings.Join(needs[0], " or ")
	}
	parts := make([]string, len(needs))
	for i, g := range needs {
		parts[i] = strings.Join(g, " or ")
		if len(g) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " and ")
}

// RetiredScope is a scope Spotify removed, which apps created before its
// removal may still ask for (§6).
type RetiredScope struct {
	Scope
	Removed time.Time
}

// RetiredScopes are the removed scopes that older apps keep. Everything
// else outside Scopes is "Illegal scope" for every app.
var RetiredScopes = []RetiredScope{
	// web-api#1322 (Spotify staff, 2019-08-15): "recent changes around the
	// user-read-birthdate scope"; music-assistant/server PR#1524 (2024):
	// old apps still get it, new client ids get Illegal scope. [inferred]
	// cut-off: the first of that month.
	{Scope{"user-read-birthdate", "Users", "Read your date of birth"}, time.Date(2019, 8, 1, 0, 0, 0, 0, time.UTC)},
}

// LookupScopeFor returns a scope an app created on created may ask for:
// a documented one, or a retired one the app is old enough to keep. An
// app without a creation date counts as new.
func LookupScopeFor(name string, created time.Time) (Scope, bool) {
	if s, ok := scopeByName[name]; ok {
		return s, true
	}
	for _, r := range RetiredScopes {
		if r.Name == name && !created.IsZero() && created.Before(r.Removed) {
			return r.Scope, true
		}
	}
	return Scope{}, false
}
