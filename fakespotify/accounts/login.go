package accounts

import (
	"crypto/subtle"
	"net/http"
	"net/url"
)

// login serves the login page (GET) and checks the form (POST). On
// success it sets the session cookie and sends the browser on to the
// ?continue= URL, as accounts.spotify.com does (§1.5).
func (s *Service) login(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		render(w, http.StatusOK, "login", loginPage{Continue: r.URL.Query().Get("continue")})
	case http.MethodPost:
		cont := r.PostFormValue("continue")
		name := r.PostFormValue("username")
		u, ok := s.env.UserByLogin(name)
		if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(r.PostFormValue("password"))) != 1 {
			render(w, http.StatusOK, "login", loginPage{Continue: cont, Username: name, Error: "Incorrect username or password."})
			return
		}
		id := newSessionID()
		s.store.NewSession(id, u.ID, s.env.Base())
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, safeContinue(r, cont), http.StatusFound)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// safeContinue keeps the login page from being an open redirect: only a
// path on this host, or an absolute URL naming this host, is followed.
func safeContinue(r *http.Request, cont string) string {
	u, err := url.Parse(cont)
	if err != nil || cont == "" {
		return "/"
	}
	if u.Host == "" && u.Scheme == "" && len(u.Path) > 0 && u.Path[0] == '/' && (len(u.Path) < 2 || u.Path[1] != '/') {
		return u.RequestURI()
	}
	if (u.Scheme == "http" || u.Scheme == "https") && u.Host == r.Host {
		return u.RequestURI()
	}
	return "/"
}
