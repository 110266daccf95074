package doctor

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// authAnswer is how /authorize answered one probe.
type authAnswer struct {
	// ok: the request was accepted — Spotify moved on to the login or
	// consent page, or straight back to the app with a code.
	ok  bool
	how string
	// entry is the catalog id of the error page Spotify rendered instead
	// (redirect-uri-mismatch, redirect-uri-insecure, client-id-invalid,
	// scope-illegal, param-missing, …), page its text.
	entry ID
	page  string
	// callbackError is the error= a redirect back to the app carried.
	callbackError string
	last          *checks.Response
	exchanges     []wire.Exchange
}

func (a *authAnswer) quote() string { return quote(a.last.Exchange) }

// maxAuthorizeHops bounds the redirects followed on the accounts host
// (/authorize → /en/authorize …) before the answer is judged.
const maxAuthorizeHops = 3

var loginPathRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:/` + wire.LocalePattern + `)?/login(?:/|$)`) })

// authorize probes GET /authorize with params, without following a
// redirect out of the accounts service: a 302 to the login page means the
// client, redirect URI and scopes were accepted. It never logs in.
func (c *checkRun) authorize(step string, params url.Values) (*authAnswer, bool) {
	r := c.r
	target := r.client.AccountsURL("/authorize") + "?" + params.Encode()
	redirectURI := params.Get("redirect_uri")
	ans := &authAnswer{}
	for hop := 0; ; hop++ {
		resp, ok := c.do(checks.Request{Step: step, Method: http.MethodGet, URL: target})
		if !ok {
			return nil, false
		}
		ans.last = resp
		ans.exchanges = append(ans.exchanges, resp.Exchange)
		if resp.Status >= 300 && resp.Status < 400 {
			loc := resp.Location()
			base, err := url.Parse(target)
			if err != nil || loc == "" {
				return ans, true
			}
			next, err := base.Parse(loc)
			if err != nil {
				return ans, true
			}
			switch {
			case redirectURI != "" && sameEndpoint(next, redirectURI):
				q := next.Query()
				if next.Fragment != "" {
					if f, err := url.ParseQuery(next.Fragment); err == nil && f.Get("error") != "" {
						q = f
					}
				}
				if e := q.Get("error"); e != "" {
					ans.callbackError = e
					ans.how = "redirects back to the app with error=" + e
					return ans, true
				}
				ans.ok, ans.how = true, "redirects back to the app with a code (consent was given before)"
				return ans, true
			case r.client.PeerOf(next.String()) == wire.PeerAccounts && loginPathRe().MatchString(next.Path):
				ans.ok, ans.how = true, "redirects to the login page"
				return ans, true
			case r.client.PeerOf(next.String()) == wire.PeerAccounts && wire.IsAuthorizePath(next.Path) && hop < maxAuthorizeHops:
				target = next.String()
				continue
			}
			ans.how = "redirects to " + clip(next.Scheme+"://"+next.Host+next.Path, 120)
			return ans, true
		}
		body := string(resp.Body)
		text := pageText(body)
		if ms := r.cat.MatchPage(body); len(ms) > 0 && ms[0].Level() != explain.LevelLow {
			ans.entry, ans.page = ID(ms[0].Entry.ID), text
			return ans, true
		}
		if resp.Status == http.StatusOK && (strings.Contains(body, "login-username") || strings.Contains(body, "auth-accept")) {
			ans.ok, ans.how = true, "shows the login or consent page"
			return ans, true
		}
		ans.page = text
		return ans, true
	}
}

// sameEndpoint reports whether u is the redirect URI (with any query or
// fragment the server appended).
func sameEndpoint(u *url.URL, redirectURI string) bool {
	want, err := url.Parse(redirectURI)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, want.Scheme) && strings.EqualFold(u.Host, want.Host) && u.Path == want.Path && u.Opaque == want.Opaque
}

// authorizeParams are the parameters of a probe: what a code-flow app
// sends, with a fixed state the doctor never uses.
func (r *runner) authorizeParams(redirectURI, scope string) url.Values {
	v := url.Values{
		"client_id":     {r.cred.id.clean},
		"response_type": {"code"},
		"redirect_uri":  {redirectURI},
		"state":         {"spotcheck-doctor"},
	}
	if scope != "" {
		v.Set("scope", scope)
	}
	return v
}

var (
	errorMessageRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?is)<[^>]+id=["']?error-message["']?[^>]*>(.*?)</`) })
	scriptStyleRe  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)<(script|style|noscript)\b.*?</(?:script|style|noscript)>`)
	})
	tagRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)<[^>]*>`) })
)

// pageText is the visible text of an HTML page, or of its error message
// when it has one.
func pageText(body string) string {
	if m := errorMessageRe().FindStringSubmatch(body); m != nil {
		return strings.TrimSpace(html.UnescapeString(tagRe().ReplaceAllString(m[1], " ")))
	}
	if !strings.Contains(body, "<") {
		return strings.TrimSpace(body)
	}
	s := scriptStyleRe().ReplaceAllString(body, " ")
	s = tagRe().ReplaceAllString(s, " ")
	return oneLine(html.UnescapeString(s))
}
