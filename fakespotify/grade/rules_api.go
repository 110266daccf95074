package grade

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/webapi"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

func checkAccessInQuery(s *session) result {
	var ev []string
	var rs []*req
	calls := 0
	for _, r := range s.reqs {
		if r.Endpoint != wire.EndpointAPI {
			continue
		}
		calls++
		if !r.q.Has("access_token") {
			continue
		}
		ev = append(ev, fmt.Sprintf("%s with %s in the query string; %s", s.at(r), param("access_token", r.q.Get("access_token")), answer(r)))
		rs = append(rs, r)
	}
	if calls == 0 {
		return result{skip: "no Web API calls in the window"}
	}
	if len(ev) == 0 {
		return result{}
	}
	return result{findings: []Finding{s.finding(SeverityError,
		"Access token sent in the URL of Web API calls",
		"Send the access token in the Authorization header: \"Authorization: Bearer <token>\" (RFC 6750 §2.1; "+
			"golang.org/x/oauth2's Config.Client does this). A token in a URL is written to logs and proxies and "+
			"leaks through Referer headers, and Spotify does not read it there (401 \"No token provided\").",
		ev, rs)}}
}

// bucket is what a 429 blocks: the Web API limit is per app, so a 429 on
// one endpoint holds every Web API call; the token endpoint is its own.
func bucket(r *req) string {
	switch r.Endpoint {
	case wire.EndpointAPI:
		return "Web API"
	case wire.EndpointToken:
		return "token endpoint"
	}
	return ""
}

// checkRetryAfter words analyze's rate-limited findings that cite
// requests sent too early (analyze holds a 429 against its whole bucket,
// bucket; the fake's ticks tell which requests were sent after it was
// answered, Options.SentAfter).
func checkRetryAfter(s *session) result {
	limited := 0
	for _, r := range s.reqs {
		if r.Status == http.StatusTooManyRequests && bucket(r) != "" {
			limited++
		}
	}
	if limited == 0 {
		return result{skip: "no 429 answers in the window"}
	}
	var ev []string
	var rs []*req
	// analyze cites the 429, then every request sent before its
	// Retry-After had passed.
	for _, fd := range s.found(analyze.RateLimited) {
		if len(fd.reqs) < 2 {
			continue
		}
		r429, first := fd.reqs[0], fd.reqs[1]
		wait, _ := wire.ParseRetryAfter(r429.ResponseHeader.Get("Retry-After"), r429.Time)
		inj := ""
		if r429.Injected {
			inj = ", injected"
		}
		line := fmt.Sprintf("%s %s after the 429 at seq %d (%s, Retry-After: %s%s) asked the %s to wait %s; %s",
			s.at(first), since(first.Time.Sub(r429.Time)), r429.Seq, s.clock(r429.Time),
			strings.TrimSpace(r429.ResponseHeader.Get("Retry-After")), inj, bucket(r429), since(wait), answer(first))
		if more := len(fd.reqs) - 2; more > 0 {
			line += fmt.Sprintf("; %s more before the wait was over", plural(more, "request", "requests"))
		}
		ev, rs = append(ev, line), append(rs, r429, first)
	}
	if len(ev) == 0 {
		return result{}
	}
	return result{findings: []Finding{s.finding(SeverityError,
		"Request sent again before Retry-After elapsed after a 429",
		"After a 429, wait the Retry-After seconds before the next request of that kind — all of the app's Web API "+
			"calls, not only the one refused (Spotify counts calls per app in a rolling 30-second window), and the "+
			"value can be hours. Retrying early keeps the app limited. If Retry-After is missing, back off "+
			"exponentially.",
		ev, rs)}}
}

// endpointScopes are the scopes each Web API endpoint of the fake needs
// or reveals data with.
type endpointScopes struct {
	method, pattern string
	name            string
	scopes          []string
}

var scopeTable, judgedScopes = func() ([]endpointScopes, map[string][]string) {
	var table []endpointScopes
	judged := map[string][]string{}
	for _, e := range webapi.Endpoints {
		sc := append(slices.Concat(e.Needs...), e.Reveals...)
		name := e.Method + " " + e.Pattern
		table = append(table, endpointScopes{method: e.Method, pattern: e.Pattern, name: name, scopes: sc})
		for _, x := range sc {
			judged[x] = append(judged[x], name)
		}
	}
	return table, judged
}()

// matchEndpoint finds the row a Web API request was for, as the fake
// routes it (one trailing slash ignored).
func matchEndpoint(method, path string) *endpointScopes {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range scopeTable {
		if e := &scopeTable[i]; e.method == method && wire.MatchPattern(e.pattern, segs) {
			return e
		}
	}
	return nil
}

func checkScopeUnused(s *session) result {
	granted := map[string]*req{}
	var grantedOrder []string
	for _, r := range s.reqs {
		if r.tok == nil || r.grant() == "client_credentials" {
			continue
		}
		for _, sc := range r.tok.Scope {
			if granted[sc] == nil {
				granted[sc] = r
				grantedOrder = append(grantedOrder, sc)
			}
		}
	}
	if len(granted) == 0 {
		return result{skip: "no user scopes granted in the window"}
	}
	needed := map[string]bool{}
	calls := 0
	for _, r := range s.reqs {
		if r.Endpoint != wire.EndpointAPI {
			continue
		}
		calls++
		if e := matchEndpoint(r.Method, r.Path); e != nil {
			for _, sc := range e.scopes {
				needed[sc] = true
			}
		}
	}
	if calls == 0 {
		return result{skip: "no Web API calls in the window, so no telling which scopes were needed"}
	}
	var ev, unjudged []string
	var rs []*req
	for _, sc := range grantedOrder {
		users, judged := judgedScopes[sc]
		switch {
		case !judged:
			unjudged = append(unjudged, sc)
		case !needed[sc]:
			ev = append(ev, fmt.Sprintf("%s: granted at seq %d; no call in the window to %s",
				sc, granted[sc].Seq, strings.Join(users, " or ")))
			rs = append(rs, granted[sc])
		}
	}
	note := ""
	if len(unjudged) > 0 {
		sort.Strings(unjudged)
		note = "not judged (the fake serves no endpoint that needs them): " + strings.Join(unjudged, ", ")
	}
	if len(ev) == 0 {
		return result{note: note}
	}
	return result{note: note, findings: []Finding{s.finding(SeverityInfo,
		"Scopes granted but not needed by any Web API call in the window",
		"Request only the scopes the app uses: drop the ones listed from the scope parameter of /authorize. Users "+
			"see every scope on the consent page, and a scope needed later can be asked for then (a new authorization "+
			"with show_dialog=true). If a test simply does not exercise the feature, skip this rule.",
		ev, rs)}}
}
