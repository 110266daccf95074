package doctor

import (
	"regexp"
	"strings"
	"sync"

	"github.com/spotcheck/spotcheck/checks"
)

// spotifyVar matches the variable names the fixes are written with.
var spotifyVar = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bSPOTIFY_(CLIENT_ID|CLIENT_SECRET|REDIRECT_URI)\b`) })

// nameSources rewrites a fix to name the variables the user actually
// set: a spotipy app that keeps SPOTIPY_CLIENT_ID in .env is told to fix
// "SPOTIPY_CLIENT_ID in .env", not SPOTIFY_CLIENT_ID. A value that is not
// set at all is named as the app names the values it does set.
func nameSources(fix string, c *checks.Credentials) string {
	values := map[string]checks.Value{"CLIENT_ID": c.ClientID, "CLIENT_SECRET": c.ClientSecret}
	if len(c.RedirectURIs) > 0 {
		values["REDIRECT_URI"] = c.RedirectURIs[0]
	}
	// How the app names what it does set: the first value from a
	// variable decides the prefix and the .env file.
	prefix, file := "SPOTIFY_", ""
	for _, v := range []checks.Value{c.ClientID, c.ClientSecret, values["REDIRECT_URI"]} {
		if name := v.Source.Var(); name != "" {
			prefix = name[:len("SPOTIFY_")]
			if v.Source.Kind == checks.SourceDotenv {
				file = v.Source.File
			}
			break
		}
	}
	return spotifyVar().ReplaceAllStringFunc(fix, func(m string) string {
		suffix := strings.TrimPrefix(m, "SPOTIFY_")
		v, set := values[suffix]
		name, where := prefix+suffix, file
		if set && v.IsSet() {
			name, where = v.Source.Var(), ""
			if name == "" { // a flag or a file: the fix's own wording fits
				return m
			}
			if v.Source.Kind == checks.SourceDotenv {
				where = v.Source.File
			}
		}
		if where != "" {
			return name + " in " + where
		}
		return name
	})
}

// subject is what the doctor examined, with where the client id came
// from: "client id 6f0e… (SPOTIPY_CLIENT_ID from .env line 2)".
func subject(id string, v checks.Value) string {
	if id == "" {
		return ""
	}
	return "client id " + id + " (" + v.Source.String() + ")"
}

// unsetWhere says where a value was looked for when .env files were read
// too: " in the environment or .env".
func unsetWhere(c *checks.Credentials) string {
	if len(c.EnvFiles) == 0 {
		return ""
	}
	return " in the environment or " + strings.Join(c.EnvFiles, ", ")
}
