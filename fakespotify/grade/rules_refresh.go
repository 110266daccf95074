package grade

import (
	"fmt"
	"net/http"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

const noRefresh = "no refresh requests in the window"

func (s *session) refreshes() []*req {
	var out []*req
	for _, r := range s.reqs {
		if r.grant() == "refresh_token" {
			out = append(out, r)
		}
	}
	return out
}

func checkStaleRefresh(s *session) result {
	if len(s.refreshes()) == 0 {
		return result{skip: noRefresh}
	}
	var ev []string
	var rs []*req
	// analyze cites the refresh, then the one that had rotated its token;
	// without that one, the store knew of the rotation.
	for _, fd := range s.found(analyze.RefreshTokenRevoked) {
		r := fd.reqs[0]
		rt := r.form.Get("refresh_token")
		if len(fd.reqs) < 2 {
			// Rotated by a request still in flight, or before the window.
			ev = append(ev, fmt.Sprintf("%s %s, which had already been rotated into a newer token (by a refresh before the window or running at the same time); %s",
				s.at(r), param("refresh_token", rt), answer(r)))
			rs = append(rs, r)
			continue
		}
		by, next := fd.reqs[1], "a newer token"
		if by.tok != nil {
			next = fp(by.tok.RefreshToken)
		}
		ev = append(ev, fmt.Sprintf("%s %s, which seq %d (%s) had already rotated into %s; %s",
			s.at(r), param("refresh_token", rt), by.Seq, s.clock(by.Time), next, answer(r)))
		rs = append(rs, by, r)
	}
	if len(ev) == 0 {
		return result{}
	}
	return result{findings: []Finding{s.finding(SeverityError,
		"Refresh token used again after a refresh rotated it",
		"When a refresh answer carries a refresh_token, store it in place of the old one before using the new "+
			"access token, and let one refresh run at a time (golang.org/x/oauth2's TokenSource does both in "+
			"memory; persist what Token() returns). Under rotation (PKCE clients until mid-2026, the fake's "+
			string(wire.RefreshPKCERotate)+" and "+string(wire.RefreshAlwaysRotate)+" policies) the old token is revoked the moment the new one is issued, "+
			"and reusing it gets invalid_grant \"Refresh token revoked\"; the user must log in again.",
		ev, rs)}}
}

// lineage is one grant's chain of refresh tokens and the access token
// issued last in it.
type lineage struct {
	last    *req        // the token answer that issued the current access token
	times   []time.Time // refresh requests within the last minute
	firstIn *req        // the first refresh of the current minute
	inBurst bool
}

func checkRefreshStorm(s *session) result {
	if len(s.refreshes()) == 0 {
		return result{skip: noRefresh}
	}
	chains := map[string]*lineage{} // refresh token -> its grant's chain
	got401 := map[string]bool{}     // access tokens the Web API refused
	var earlyEv, rateEv []string
	var earlyR, rateR []*req
	n := s.opts.RefreshesPerMinute
	for _, r := range s.reqs {
		switch {
		case r.Endpoint == wire.EndpointAPI:
			if tok := r.bearer(); tok != "" && r.Status == http.StatusUnauthorized {
				got401[tok] = true
			}
		case r.grant() == "authorization_code":
			if r.tok != nil && r.tok.RefreshToken != "" {
				chains[r.tok.RefreshToken] = &lineage{last: r}
			}
		case r.grant() == "refresh_token":
			rt := r.form.Get("refresh_token")
			l := chains[rt]
			if l == nil {
				l = &lineage{}
				chains[rt] = l
			}
			if last := l.last; last != nil && last.tok.ExpiresIn > 0 && !got401[last.tok.AccessToken] {
				life := last.tok.ExpiresIn
				used := r.Time.Sub(last.Time)
				if float64(used) < float64(life)*s.opts.EarlyRefresh {
					earlyEv = append(earlyEv, fmt.Sprintf("%s %s: the access token from seq %d still had %s of its %s left; %s",
						s.at(r), param("refresh_token", rt), last.Seq, since(life-used), since(life), answer(r)))
					earlyR = append(earlyR, last, r)
				}
			}
			cut := r.Time.Add(-time.Minute)
			kept := l.times[:0]
			for _, t := range l.times {
				if t.After(cut) {
					kept = append(kept, t)
				}
			}
			if len(kept) == 0 {
				l.firstIn = r
			}
			l.times = append(kept, r.Time)
			switch {
			case len(l.times) > n && !l.inBurst:
				l.inBurst = true
				first := "seq " + fmt.Sprint(l.firstIn.Seq)
				rateEv = append(rateEv, fmt.Sprintf("%s %s: the %s refresh of this grant within 60s (the first of them at %s, %s); %s",
					s.at(r), param("refresh_token", rt), ordinal(len(l.times)), first, s.clock(l.firstIn.Time), answer(r)))
				rateR = append(rateR, l.firstIn, r)
			case len(l.times) <= n:
				l.inBurst = false
			}
			if r.tok != nil {
				l.last = r
				if next := r.tok.RefreshToken; next != "" && next != rt {
					chains[next] = l
				}
			}
		}
	}
	var out []Finding
	if len(earlyEv) > 0 {
		out = append(out, s.finding(SeverityWarning,
			fmt.Sprintf("Access token refreshed while more than %.0f%% of its life was left", s.opts.EarlyRefresh*100),
			"Refresh only shortly before the access token expires (expires_in is 3600 s; golang.org/x/oauth2's "+
				"TokenSource refreshes 10 s before Expiry) or after a 401. Keep the whole token — access token and "+
				"expiry, not just the refresh token: a TokenSource built from a refresh token alone refreshes on "+
				"every use. Needless refreshes count against the app's rate limit.",
			earlyEv, earlyR))
	}
	if len(rateEv) > 0 {
		out = append(out, s.finding(SeverityWarning,
			fmt.Sprintf("More than %d refreshes of one grant within a minute", n),
			"Share one token source per user across requests and goroutines (oauth2.ReuseTokenSource), cache the "+
				"access token until it is near expiry, and never retry a failing refresh in a loop: invalid_grant "+
				"does not heal by itself — send the user through authorization again.",
			rateEv, rateR))
	}
	return result{findings: out}
}

func checkExpiredAccess(s *session) result {
	calls := 0
	for _, r := range s.reqs {
		if r.Endpoint == wire.EndpointAPI && r.bearer() != "" {
			calls++
		}
	}
	if calls == 0 {
		return result{skip: "no Web API calls in the window"}
	}
	type expired struct {
		issuer *req
		expiry time.Time
		uses   []*req
	}
	var order []string
	byTok := map[string]*expired{}
	// analyze cites the call, then the answer that issued its token when
	// that is in the window.
	for _, fd := range s.found(analyze.AccessTokenExpired) {
		r := fd.reqs[0]
		tok := r.bearer()
		x := byTok[tok]
		if x == nil {
			x = &expired{expiry: fd.Expiry}
			if len(fd.reqs) > 1 {
				x.issuer = fd.reqs[1]
			}
			byTok[tok] = x
			order = append(order, tok)
		}
		x.uses = append(x.uses, r)
	}
	var neverEv, repeatEv []string
	var neverR, repeatR []*req
	for _, tok := range order {
		x := byTok[tok]
		first := x.uses[0]
		var renewed *req
		for _, r := range s.reqs {
			if r.Seq > first.Seq && r.grant() != "" {
				renewed = r
				break
			}
		}
		if renewed != nil && len(x.uses) == 1 {
			continue // refreshed after one 401: a reactive refresh, which is fine
		}
		issued := "issued before the window"
		if x.issuer != nil {
			issued = fmt.Sprintf("issued at seq %d", x.issuer.Seq)
		}
		head := fmt.Sprintf("%s with access token %s (%s, expired at %s, %s before); %s",
			s.at(first), fp(tok), issued, s.clock(x.expiry), since(first.Time.Sub(x.expiry)), answer(first))
		if n := len(x.uses) - 1; n > 0 {
			last := x.uses[len(x.uses)-1]
			head += fmt.Sprintf("; used %s more after it expired, the last at seq %d", plural(n, "time", "times"), last.Seq)
		}
		cited := []*req{x.issuer, first, x.uses[len(x.uses)-1]}
		if renewed == nil {
			neverEv, neverR = append(neverEv, head+"; no token request followed"), append(neverR, cited...)
		} else {
			repeatEv, repeatR = append(repeatEv, head+fmt.Sprintf("; the next token request was seq %d", renewed.Seq)), append(repeatR, cited...)
		}
	}
	fix := "Check the token's expiry before each call and refresh shortly before it (golang.org/x/oauth2: make " +
		"calls through Config.Client or a TokenSource, which refresh for you, and keep Expiry when you store " +
		"tokens). On a 401, refresh once and retry the call once instead of repeating it with the same token."
	var out []Finding
	if len(neverEv) > 0 {
		out = append(out, s.finding(SeverityError, "Expired access token used, and never refreshed", fix, neverEv, neverR))
	}
	if len(repeatEv) > 0 {
		out = append(out, s.finding(SeverityWarning, "Expired access token used again and again before refreshing", fix, repeatEv, repeatR))
	}
	return result{findings: out}
}
