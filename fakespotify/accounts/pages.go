package accounts

import (
	"html/template"
	"net/http"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// The pages keep Spotify's element ids and test ids (wire reference §1.5) so a
// single browser driver works on the fake and on accounts.spotify.com; the
// text and layout are the fake's own.
var pages = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Error - Spotify</title>
<style>body{font-family:sans-serif;margin:2rem}</style></head>
<body><p id="error-message">{{.}}</p></body></html>
`))

func init() {
	template.Must(pages.New("login").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Login - Spotify</title>
<style>
body{font-family:sans-serif;background:#121212;color:#fff;display:flex;justify-content:center;padding-top:4rem}
form{background:#181818;padding:2rem 3rem;border-radius:8px;min-width:20rem}
label{display:block;margin-top:1rem}input{width:100%;padding:.6rem;margin-top:.3rem;box-sizing:border-box}
button{margin-top:1.5rem;width:100%;padding:.8rem;border-radius:2rem;border:0;background:#1ed760;font-weight:bold}
.error{background:#e91429;padding:.6rem;border-radius:4px}
</style></head>
<body><form method="post" action="/login">
<h1>Log in to Spotify</h1>
{{if .Error}}<p class="error" id="login-error" data-testid="login-error">{{.Error}}</p>{{end}}
<input type="hidden" name="continue" value="{{.Continue}}">
<label for="login-username">Email or username</label>
<input id="login-username" name="username" autocomplete="username" value="{{.Username}}">
<label for="login-password">Password</label>
<input id="login-password" name="password" type="password" autocomplete="current-password">
<button id="login-button" data-testid="login-button" type="submit">Log In</button>
</form></body></html>
`))
	template.Must(pages.New("consent").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize - Spotify</title>
<style>
body{font-family:sans-serif;background:#121212;color:#fff;display:flex;justify-content:center;padding-top:3rem}
main{background:#181818;padding:2rem 3rem;border-radius:8px;max-width:34rem}
li{margin:.4rem 0}.who{color:#b3b3b3}
button{margin:1.5rem .5rem 0 0;padding:.8rem 2rem;border-radius:2rem;border:0;font-weight:bold}
#auth-accept{background:#1ed760}#auth-cancel{background:transparent;color:#fff;border:1px solid #878787}
</style></head>
<body><main>
<p class="who">Logged in as <span id="logged-in-user">{{.User}}</span></p>
<h1 id="app-name">{{.AppName}}</h1>
<p id="app-description">{{.AppDescription}}</p>
{{if .Scopes}}<h2>{{.AppName}} would like to:</h2>
<ul id="scopes">{{range .Scopes}}<li data-scope="{{.Name}}">{{.Words}}</li>{{end}}</ul>
{{else}}<p id="scopes-none">{{.AppName}} would like to access your public Spotify information.</p>{{end}}
<form method="post" action="/authorize/decision">
<input type="hidden" name="request" value="{{.Request}}">
<button id="auth-accept" data-testid="auth-accept" name="decision" value="accept" type="submit">Agree</button>
<button id="auth-cancel" data-testid="auth-cancel" name="decision" value="cancel" type="submit">Cancel</button>
</form></main></body></html>
`))
}

type loginPage struct {
	Continue, Username, Error string
}

type consentPage struct {
	User, AppName, AppDescription, Request string
	Scopes                                 []wire.Scope
}

func render(w http.ResponseWriter, status int, name string, data any) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store")
	w.WriteHeader(status)
	_ = pages.ExecuteTemplate(w, name, data)
}

// errorPage answers the way Spotify does when it cannot trust the client
// or the redirect URI: a page whose text is the message, no redirect. The
// 400 status is [inferred]: only "Illegal scope" has a reported status.
func errorPage(w http.ResponseWriter, msg string) {
	render(w, http.StatusBadRequest, "error", msg)
}
