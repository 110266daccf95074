package explain

import (
	"strings"
)

// The scope facts themselves (the valid scopes, the scopes each endpoint
// needs) are wire's; this file says why a rejected scope is rejected.

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

func scopeList(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, " ")
}
