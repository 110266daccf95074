package explain

import (
	"strings"
)

// The client library a report comes from decides which causes it can have
// and how its fix is worded: a spotipy traceback never gets
// golang.org/x/oauth2 advice. A library is known by the marks its errors
// and its users' code leave in a paste.

// Libraries are the client libraries the catalog words fixes for; a cause's
// library and an entry's fix_for keys must be one of them.
var Libraries = []string{"spotipy", "golang.org/x/oauth2", "zmb3/spotify", "spotify-web-api-node", "spotify-web-api-php"}

// libraryMarks are texts only the library's errors or its users' code
// contain, lowercased.
var libraryMarks = []struct {
	lib   string
	marks []string
}{
	{"spotipy", []string{"spotipy", "spotifyexception", "spotifyoautherror", "spotifystateerror", "spotifyoauth(", "spotifypkce(", "spotifyclientcredentials("}},
	{"zmb3/spotify", []string{"zmb3/spotify", "spotify: couldn't decode error", "spotify: auth failed", "spotify: redirect state parameter", "spotifyauth."}},
	{"golang.org/x/oauth2", []string{"golang.org/x/oauth2", "oauth2: \"", "oauth2: cannot fetch token"}},
	{"spotify-web-api-node", []string{"spotify-web-api-node", "webapierror", "webapiregularerror", "webapiauthenticationerror", "webapiplayererror", "new spotifywebapi("}},
	{"spotify-web-api-php", []string{"spotify-web-api-php", "spotifywebapi\\", "spotifywebapiexception", "spotifywebapiauthexception"}},
}

// detectLibrary returns the library whose marks come first in the text
// (lower is its lowercase form), or "".
func detectLibrary(lower string) string {
	best, at := "", len(lower)+1
	for _, l := range libraryMarks {
		for _, m := range l.marks {
			if i := strings.Index(lower, m); i >= 0 && i < at {
				best, at = l.lib, i
			}
		}
	}
	return best
}

// forLibrary reports whether a cause or advice tied to lib applies to a
// report from the detected library: untied advice always does, tied advice
// when the library is unknown or the same (x/oauth2 advice also reaches
// zmb3/spotify, which is built on it).
func forLibrary(lib, detected string) bool {
	return lib == "" || detected == "" || lib == detected || lib == "golang.org/x/oauth2" && detected == "zmb3/spotify"
}
