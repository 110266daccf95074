package grade

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// The mistakes the grader shares with explain and the runner (code reuse
// and x/oauth2's auth-style retry, a redirect_uri changed at /api/token, a
// code exchanged late or after it expired, a rotated refresh token used
// again, an expired access token used) are judged by package analyze over
// the window's exchanges. The grader adds what only the fake knows (its
// store, its injected faults, its code lifetime) as analyze.Options, and
// writes its own words from the findings: titles, fixes, and evidence lines
// that name requests by seq.

// read reads the window's requests as exchanges (clear values, before
// redaction) into an analyze.Flow, and takes each successful token answer
// from it, so the body is decoded once.
func (s *session) read() {
	// analyze takes exchanges in time order, and a Builder's flow cites
	// them by the order they were added in: reqOf maps that back.
	order := make([]*req, 0, len(s.reqs))
	for _, r := range s.reqs {
		if r.Endpoint != wire.EndpointLogin {
			order = append(order, r)
		}
	}
	slices.SortStableFunc(order, func(a, b *req) int { return a.Time.Compare(b.Time) })
	var b analyze.Builder
	var x wire.Exchange
	for _, r := range order {
		r.exchange(&x)
		b.Add(&x)
	}
	s.flow, s.reqOf = b.Flow(), order
	// A code is issued by the redirect that answers the authorization
	// request (or the consent decision): analyze reads it as a callback
	// seen only in a Location header.
	for _, cb := range s.flow.Callbacks {
		if r := s.reqOf[cb.X]; cb.FromHeader && cb.Code != "" && (r.Endpoint == wire.EndpointAuthorize || r.Endpoint == wire.EndpointConsent) {
			s.codes[cb.Code] = r
		}
	}
	for _, t := range s.flow.Tokens {
		r := s.reqOf[t.X]
		if r.Endpoint == wire.EndpointToken && r.Status == http.StatusOK && !r.Injected && t.AccessToken != "" {
			r.tok = &tokenResponse{
				AccessToken: t.AccessToken, RefreshToken: t.NewRefresh,
				ExpiresIn: time.Duration(t.ExpiresIn) * time.Second,
				Scope:     strings.Fields(t.GrantedScope), HasScope: t.HasScope,
			}
		}
	}
}

// found are analyze's findings of one id, each with the requests it cites
// (Finding.Exchanges, in that order). analyze judges the whole window once,
// when the first rule asks.
func (s *session) found(id analyze.ID) []finding {
	if s.findings == nil {
		s.findings = map[analyze.ID][]analyze.Finding{}
		o := analyze.Options{
			Fingerprint:  fp,
			Issuer:       issuer{s},
			Injected:     func(i int) bool { return s.reqOf[i].Injected },
			Accepted:     true,
			LateExchange: s.opts.LateExchange,
			CodeLifetime: s.in.CodeLifetime,
			SentAfter:    func(i, j int) bool { return sentAfter(s.reqOf[i], s.reqOf[j]) },
		}
		analyze.Walk(s.flow, o, func(fd analyze.Finding) { s.findings[fd.ID] = append(s.findings[fd.ID], fd) })
	}
	var out []finding
	for _, fd := range s.findings[id] {
		rs := make([]*req, len(fd.Exchanges))
		for i, x := range fd.Exchanges {
			rs[i] = s.reqOf[x]
		}
		out = append(out, finding{Finding: fd, reqs: rs})
	}
	return out
}

// finding is one of analyze's findings with the requests it cites.
type finding struct {
	analyze.Finding
	reqs []*req
}

// exchange fills x with the request as analyze reads it (the login page
// says nothing analyze judges, and is not read). The consent decision
// answers the authorization request it carries, so it is read as that
// request (it is what issues the code when the user is asked).
func (r *req) exchange(x *wire.Exchange) {
	*x = wire.Exchange{Started: r.Time, Method: r.Method, URL: r.Path, RequestHeaders: r.Header,
		Status: r.Status, ResponseHeaders: r.ResponseHeader}
	switch r.Endpoint {
	case wire.EndpointConsent:
		x.URL = "/authorize?" + r.form.Get("request")
	case wire.EndpointToken:
		x.RequestBody, x.ResponseBody = r.body, string(r.ResponseBody)
		if x.RequestBody == "" {
			x.RequestBody = string(r.Body) // not a form: analyze reads it all the same
		}
	default:
		if r.RawQuery != "" {
			x.URL += "?" + r.RawQuery
		}
		if r.Status >= 400 {
			x.ResponseBody = string(r.ResponseBody) // analyze reads only error answers of the Web API
		}
	}
}

// issuer answers analyze from the fake's store (Input.Oracle) and the
// window: a code no request in the window issued was issued before it.
type issuer struct{ s *session }

func (i issuer) CodeIssuedBefore(code string) bool { return i.s.codes[code] == nil }

func (i issuer) AccessExpiry(token string) (time.Time, bool) {
	if i.s.in.Oracle == nil {
		return time.Time{}, false
	}
	return i.s.in.Oracle.AccessExpiry(token)
}

func (i issuer) RefreshRotated(token string) bool {
	return i.s.in.Oracle != nil && i.s.in.Oracle.RefreshRotated(token)
}

// sentAfter reports whether r was sent after first had been answered: by
// the fake's request counter, or by sequence where a log has no ticks.
func sentAfter(first, r *req) bool {
	return r.StartTick > first.EndTick || r.StartTick == 0 && first.EndTick == 0 && r.Seq > first.Seq
}
