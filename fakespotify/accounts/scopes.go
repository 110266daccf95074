package accounts

import "strings"

// Scope is one authorization scope Spotify documents, with the words the
// consent page shows for it.
type Scope struct {
	Name  string
	Group string
	Words string
}

// Scopes are the scopes /authorize accepts, from
// https://developer.spotify.com/documentation/web-api/concepts/scopes
// (reference §6). Anything else is answered "Illegal scope".
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

// ParseScope splits a scope parameter the way Spotify does: on spaces
// (a "+" in the query has already become a space). A comma-separated list
// stays one (illegal) scope, which is exactly the mistake to surface.
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
