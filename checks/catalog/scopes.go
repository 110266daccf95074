package catalog

import (
	"regexp"
	"slices"
	"strings"
)

// The scope tables: the scopes Spotify accepts at /authorize
// (spotify-reference.md §6) and the scopes each Web API endpoint needs
// (Spotify's endpoint reference). This is the one place in the package that
// knows them.

// validScopes are the scopes on Spotify's scopes page. Anything else gives
// "Illegal scope" at /authorize.
var validScopes = map[string]bool{
	"ugc-image-upload":            true,
	"user-read-playback-state":    true,
	"user-modify-playback-state":  true,
	"user-read-currently-playing": true,
	"app-remote-control":          true,
	"streaming":                   true,
	"playlist-read-private":       true,
	"playlist-read-collaborative": true,
	"playlist-modify-private":     true,
	"playlist-modify-public":      true,
	"user-follow-modify":          true,
	"user-follow-read":            true,
	"user-read-playback-position": true,
	"user-top-read":               true,
	"user-read-recently-played":   true,
	"user-library-modify":         true,
	"user-library-read":           true,
	"user-read-email":             true,
	"user-read-private":           true,
	// Open Access, approved partners only; valid names nonetheless.
	"user-soa-link":           true,
	"user-soa-unlink":         true,
	"soa-manage-entitlements": true,
	"soa-manage-partner":      true,
	"soa-create-partner":      true,
}

// IsValidScope reports whether Spotify accepts the scope name at /authorize.
func IsValidScope(s string) bool { return validScopes[s] }

// illegalScopeCause says why a rejected scope is rejected: a cause id of
// the scope-illegal entry.
func illegalScopeCause(s string) string {
	switch {
	case s == "user-read-birthdate":
		return "removed"
	case s == "openid" || s == "profile" || s == "email" || s == "offline_access":
		return "openid"
	case s == "playlist-modify" || s == "user-personalized" || s == "user-read-play-history" ||
		strings.HasPrefix(s, "user-manage-") || s == "user-create-partner":
		return "internal"
	}
	return "typo"
}

// endpointScope is one row of the endpoint table. Needs lists groups that
// are all required; within a group any one scope is enough.
type endpointScope struct {
	method string
	path   *regexp.Regexp
	needs  [][]string
}

func ep(method, path string, needs ...[]string) endpointScope {
	return endpointScope{method: method, path: regexp.MustCompile(`^` + path + `(?:\?.*)?$`), needs: needs}
}

func oneOf(scopes ...string) []string { return scopes }

var playlistModify = oneOf("playlist-modify-public", "playlist-modify-private")

var endpointScopes = []endpointScope{
	ep("GET", `/v1/me/top/(?:artists|tracks)`, oneOf("user-top-read")),
	ep("GET", `/v1/me/player/recently-played`, oneOf("user-read-recently-played")),
	ep("GET", `/v1/me/player/currently-playing`, oneOf("user-read-currently-playing", "user-read-playback-state")),
	ep("GET", `/v1/me/player/queue`, oneOf("user-read-currently-playing", "user-read-playback-state")),
	ep("GET", `/v1/me/player(?:/devices)?`, oneOf("user-read-playback-state")),
	ep("PUT", `/v1/me/player(?:/(?:play|pause|seek|repeat|volume|shuffle))?`, oneOf("user-modify-playback-state")),
	ep("POST", `/v1/me/player/(?:next|previous|queue)`, oneOf("user-modify-playback-state")),
	ep("GET", `/v1/me/(?:tracks|albums|shows|audiobooks)(?:/contains)?`, oneOf("user-library-read")),
	ep("GET", `/v1/me/episodes(?:/contains)?`, oneOf("user-library-read"), oneOf("user-read-playback-position")),
	ep("GET", `/v1/me/library/contains`, oneOf("user-library-read")),
	ep("PUT", `/v1/me/(?:tracks|albums|shows|episodes|audiobooks|library)`, oneOf("user-library-modify")),
	ep("DELETE", `/v1/me/(?:tracks|albums|shows|episodes|audiobooks|library)`, oneOf("user-library-modify")),
	ep("GET", `/v1/me/following(?:/contains)?`, oneOf("user-follow-read")),
	ep("PUT", `/v1/me/following`, oneOf("user-follow-modify")),
	ep("DELETE", `/v1/me/following`, oneOf("user-follow-modify")),
	ep("PUT", `/v1/playlists/[^/]+/followers`, playlistModify),
	ep("DELETE", `/v1/playlists/[^/]+/followers`, playlistModify),
	ep("POST", `/v1/(?:users/[^/]+|me)/playlists`, playlistModify),
	ep("PUT", `/v1/playlists/[^/]+`, playlistModify),
	ep("POST", `/v1/playlists/[^/]+/(?:tracks|items)`, playlistModify),
	ep("PUT", `/v1/playlists/[^/]+/(?:tracks|items)`, playlistModify),
	ep("DELETE", `/v1/playlists/[^/]+/(?:tracks|items)`, playlistModify),
	ep("PUT", `/v1/playlists/[^/]+/images`, oneOf("ugc-image-upload"), playlistModify),
}

// ScopesFor returns the scopes a Web API call needs: every group is
// required, and any one scope of a group satisfies it. ok is false for an
// endpoint the table does not know, or one that needs no scope.
func ScopesFor(method, path string) (needs [][]string, ok bool) {
	method = strings.ToUpper(method)
	for _, e := range endpointScopes {
		if e.method == method && e.path.MatchString(path) {
			return e.needs, true
		}
	}
	return nil, false
}

// missingScopes returns the groups of needs that granted does not satisfy.
func missingScopes(needs [][]string, granted []string) [][]string {
	var out [][]string
	for _, group := range needs {
		if !slices.ContainsFunc(group, func(s string) bool { return slices.Contains(granted, s) }) {
			out = append(out, group)
		}
	}
	return out
}

// describeNeeds renders scope groups: "a and (b or c)".
func describeNeeds(needs [][]string) string {
	var parts []string
	for _, g := range needs {
		if len(g) == 1 {
			parts = append(parts, g[0])
		} else {
			parts = append(parts, "("+strings.Join(g, " or ")+")")
		}
	}
	return strings.Join(parts, " and ")
}

// splitScopes splits a scope parameter as Spotify does: on spaces.
func splitScopes(s string) []string { return strings.Fields(s) }

func scopeList(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, " ")
}
