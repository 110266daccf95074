package explain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// exchangeWhere says which endpoint an exchange went to.
func exchangeWhere(u *url.URL) Where { return whereOfKind(analyze.KindOf(u)) }

func whereOfKind(k analyze.Kind) Where {
	switch k {
	case analyze.KindToken:
		return WhereToken
	case analyze.KindAuthorize:
		return WhereAuthorizePage
	case analyze.KindAPI:
		return WhereWebAPI
	case analyze.KindCallback:
		return WhereRedirect
	}
	return ""
}

func pathQuery(u *url.URL) string {
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// MatchExchange explains one exchange's response. where may be "" to infer
// it from the URL. It returns matches at confidence Recognised or above,
// best first.
func (c *Catalog) MatchExchange(x wire.Exchange, where Where) []Match {
	set := &redact.Set{}
	collectExchangeSecrets(set, &x)
	ms, _ := rank(c.exchangeCandidates(&x, where, set))
	return ms
}

// exchangeCandidates matches one exchange's response against the rules.
func (c *Catalog) exchangeCandidates(x *wire.Exchange, where Where, set *redact.Set) []candidate {
	var u *url.URL
	if x.URL != "" {
		u, _ = url.Parse(x.URL)
	}
	if where == "" {
		where = exchangeWhere(u)
	}
	path := ""
	if u != nil {
		path = pathQuery(u)
	}
	ct := x.ResponseHeaders.Get("Content-Type")
	body := strings.TrimSpace(x.ResponseBody)
	ev := exchangeEvidence(x, set)
	var cands []candidate
	matchObs := func(o *observation) {
		o.where, o.status, o.path, o.evidence, o.span = where, x.Status, path, ev, [2]int{-1, -1}
		if o.strength == 0 {
			o.strength = 1
		}
		for _, cd := range c.matchObservation(o) {
			cd.evidence = ev
			cands = append(cands, cd)
		}
	}
	if wa := x.ResponseHeaders.Get("WWW-Authenticate"); wa != "" {
		if code, desc, ok := parseWWWAuthenticate(wa); ok {
			matchObs(&observation{hasOAuth: true, oauthErr: code, oauthDesc: desc, descAbsent: desc == "", source: "WWW-Authenticate header"})
		}
	}
	switch {
	case x.Status == 0:
	case body == "" || body == "{}":
		if x.Status >= 400 {
			matchObs(&observation{emptyBody: true, source: "empty body"})
		}
	case strings.HasPrefix(body, "{") && json.Valid([]byte(body)):
		if e, described, ok := wire.ParseOAuthError([]byte(body)); ok {
			o := &observation{hasOAuth: knownOAuthCodes[e.Code], oauthErr: e.Code, source: "JSON body"}
			if described {
				o.oauthDesc = e.Description
			} else {
				o.descAbsent = true
			}
			if !o.hasOAuth {
				o.hasBody, o.body = true, e.Code
			}
			matchObs(o)
		} else if e, ok := wire.ParseAPIError([]byte(body)); ok {
			matchObs(&observation{hasAPI: true, apiMsg: e.Message, apiReason: e.Reason, source: "Web API error object"})
		} else if x.Status >= 400 {
			matchObs(&observation{source: "JSON body"})
		}
	case where == WhereAuthorizePage || strings.Contains(ct, "html") || looksHTML(body):
		text := htmlText(body)
		if text == "" {
			break
		}
		res := &Result{}
		for _, cd := range c.scanText(text, whereOr(where, WhereAuthorizePage), "", set, res) {
			cd.evidence = ev
			cd.source = "page text"
			cands = append(cands, cd)
		}
	default:
		matchObs(&observation{hasBody: true, body: body, source: "plain-text body"})
		if x.Status >= 400 && len(cands) == 0 && len(body) > 40 {
			res := &Result{}
			for _, cd := range c.scanText(body, where, "", set, res) {
				cd.evidence = ev
				cands = append(cands, cd)
			}
		}
	}
	return cands
}

func whereOr(w, def Where) Where {
	if w == "" {
		return def
	}
	return w
}

// parseWWWAuthenticate reads error and error_description from a Bearer
// challenge (RFC 6750 §3).
func parseWWWAuthenticate(v string) (code, desc string, ok bool) {
	get := func(key string) string {
		i := strings.Index(v, key+"=")
		if i < 0 {
			return ""
		}
		rest := v[i+len(key)+1:]
		if strings.HasPrefix(rest, `"`) {
			if j := strings.IndexByte(rest[1:], '"'); j >= 0 {
				return rest[1 : j+1]
			}
			return rest[1:]
		}
		if j := strings.IndexAny(rest, ", "); j >= 0 {
			return rest[:j]
		}
		return rest
	}
	code = get("error")
	if code == "" || !knownOAuthCodes[code] {
		return "", "", false
	}
	return code, get("error_description"), true
}

// exchangeEvidence is the one-line summary of an exchange: method, path,
// status and the start of the response body, redacted.
func exchangeEvidence(x *wire.Exchange, set *redact.Set) string {
	var b strings.Builder
	if x.Method != "" || x.URL != "" {
		u := x.URL
		if pu, err := url.Parse(x.URL); err == nil && pu.Host != "" {
			u = pu.Scheme + "://" + pu.Host + pathQuery(pu)
		}
		fmt.Fprintf(&b, "%s %s → ", x.Method, set.URL(u))
	}
	if x.Status != 0 {
		b.WriteString(strconv.Itoa(x.Status))
	} else {
		b.WriteString("(no response)")
	}
	if body := strings.TrimSpace(x.ResponseBody); body != "" {
		ct := x.ResponseHeaders.Get("Content-Type")
		if strings.Contains(ct, "html") || looksHTML(body) {
			body = htmlText(body)
		}
		if json.Valid([]byte(body)) {
			var c bytes.Buffer
			if json.Compact(&c, []byte(body)) == nil {
				body = c.String()
			}
		}
		b.WriteString(" ")
		b.WriteString(clip(set.Body(ct, body), 200))
	}
	if ra := x.ResponseHeaders.Get("Retry-After"); ra != "" {
		b.WriteString(" (Retry-After: " + ra + ")")
	}
	return evidence(set, b.String())
}

// collectExchangeSecrets registers every secret an exchange carries.
func collectExchangeSecrets(set *redact.Set, x *wire.Exchange) {
	collectHeaderSecrets(set, x.RequestHeaders)
	collectHeaderSecrets(set, x.ResponseHeaders)
	collectSecrets(set, x.URL)
	collectSecrets(set, x.RequestBody)
	collectSecrets(set, x.ResponseBody)
	if loc := x.ResponseHeaders.Get("Location"); loc != "" {
		collectSecrets(set, loc)
	}
	if form, err := url.ParseQuery(x.RequestBody); err == nil {
		for k, vs := range form {
			if redact.SensitiveFields[k] {
				for _, v := range vs {
					if !isPlaceholder(v) {
						set.Add(v)
					}
				}
			}
		}
	}
	var m map[string]any
	if json.Unmarshal([]byte(x.ResponseBody), &m) == nil {
		for k, v := range m {
			if s, ok := v.(string); ok && redact.SensitiveFields[k] {
				set.Add(s)
			}
		}
	}
}

// ---- across the exchanges: the analyzer's findings in the catalog's words

// ExplainExchanges reasons across a sequence of exchanges (a HAR, a run's
// transcript): each failing response is matched on its own, and the
// requests are compared with each other by package analyze (redirect_uri
// at /authorize versus /api/token, a code sent twice, code age, client
// ids, Basic credentials, PKCE, scopes, token age, Retry-After).
func (c *Catalog) ExplainExchanges(xs []wire.Exchange, opts Options) *Result {
	res := &Result{Input: Input{Name: opts.Name, Kind: KindHAR}}
	f := analyze.Read(xs)
	c.explainExchanges(exchangeSlice(f.Exchanges), f, opts, res)
	return res
}

// exchangeList is what explainExchanges reads, in time order: a run's
// transcript as wire.Exchange values, or a HAR's slimmer records.
type exchangeList interface {
	Len() int
	// Exchange is exchange i whole (for a HAR record, made on demand).
	Exchange(i int) wire.Exchange
	// status is exchange i's status and whether it went to /authorize.
	status(i int) (status int, authorize bool)
	// appendResponseKey appends exchange i's responseKey to dst.
	appendResponseKey(dst []byte, i int) []byte
}

// exchangeSlice is a transcript as an exchangeList.
type exchangeSlice []wire.Exchange

func (xs exchangeSlice) Len() int                     { return len(xs) }
func (xs exchangeSlice) Exchange(i int) wire.Exchange { return xs[i] }
func (xs exchangeSlice) status(i int) (int, bool)     { return xs[i].Status, isAuthorizeURL(xs[i].URL) }
func (xs exchangeSlice) appendResponseKey(dst []byte, i int) []byte {
	return append(dst, responseKey(&xs[i])...)
}

// maxExamples is how many exchanges a match quotes as evidence: a file of
// ten thousand failing requests gets each finding once, with a count and
// the first few examples, not ten thousand times.
const maxExamples = 3

// citer collects the candidates of a file, each tied to the exchange it
// was found in, and keeps the evidence of the first maxExamples exchanges
// per catalog entry. Each quoted exchange is redacted with the secrets it
// carries itself (codes and tokens appear elsewhere only as fingerprints),
// so that redaction costs what the quotes cost, not what the file holds.
type citer struct {
	c     *Catalog
	xs    exchangeList
	cands []candidate
	shown map[string][]int
	seen  map[string]*exchangeSet
	kept  map[ranked]bool
}

// exchangeSet is a set of exchange indexes, a bit each: one per catalog
// entry, over every exchange of a large file.
type exchangeSet struct {
	bits []uint64
	n    int
}

// add adds i and reports whether it was new.
func (s *exchangeSet) add(i int) bool {
	w := i / 64
	if w >= len(s.bits) {
		s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
	}
	if s.bits[w]&(1<<(i%64)) != 0 {
		return false
	}
	s.bits[w] |= 1 << (i % 64)
	s.n++
	return true
}

// ranked is what ranking reads of a candidate besides its evidence.
type ranked struct {
	id, cause, source string
	score             float64
	rule              *Rule
}

func newCiter(c *Catalog, xs exchangeList) *citer {
	return &citer{c: c, xs: xs, shown: map[string][]int{}, seen: map[string]*exchangeSet{}, kept: map[ranked]bool{}}
}

// set is the secrets exchange i carries. It is made afresh each time, not
// kept: a set per exchange would grow with the file.
func (ci *citer) set(i int) *redact.Set {
	s := &redact.Set{}
	x := ci.xs.Exchange(i)
	collectExchangeSecrets(s, &x)
	return s
}

func (ci *citer) ev(i int) string {
	x := ci.xs.Exchange(i)
	return exchangeEvidence(&x, ci.set(i))
}

// quotes reports whether a candidate of entry id found in exchange i is
// one of the examples shown, and counts the exchange.
func (ci *citer) quotes(id string, i int) bool {
	if ci.seen[id] == nil {
		ci.seen[id] = &exchangeSet{}
	}
	if ci.seen[id].add(i) && len(ci.shown[id]) < maxExamples {
		ci.shown[id] = append(ci.shown[id], i)
	}
	return slices.Contains(ci.shown[id], i)
}

// add keeps candidates found in exchange i; evidence and findings are
// made (by words) only for quoted examples. Of the others, only one per
// entry, cause, wording, source and score is kept: ranking learns nothing
// from the thousandth copy.
func (ci *citer) add(i int, cds []candidate, words func(*candidate)) {
	for _, cd := range cds {
		if ci.quotes(cd.entry.ID, i) {
			if words != nil {
				words(&cd)
			}
			set := ci.set(i)
			cd.evidence = evidence(set, cd.evidence)
			fs := make([]string, len(cd.findings))
			for k, f := range cd.findings {
				fs[k] = evidence(set, f)
			}
			cd.findings = fs
		} else {
			key := ranked{cd.entry.ID, cd.cause, cd.source, cd.score, cd.rule}
			if ci.kept[key] {
				continue
			}
			ci.kept[key] = true
			cd.evidence, cd.findings = "", nil
		}
		ci.cands = append(ci.cands, cd)
	}
}

// count is how many exchanges showed each entry.
func (ci *citer) count(id string) int {
	if s := ci.seen[id]; s != nil {
		return s.n
	}
	return 0
}

// responseKey is what decides how the catalog reads a failing response;
// responses alike in it are matched once.
func responseKey(x *wire.Exchange) string {
	u, _ := url.Parse(x.URL)
	return string(appendResponseKey(nil, exchangeWhere(u), x.Status, x.ResponseHeaders.Get("Content-Type"),
		x.ResponseHeaders.Get("WWW-Authenticate"), x.ResponseHeaders.Get("Retry-After"), x.ResponseBody))
}

func appendResponseKey(dst []byte, where Where, status int, ct, wwwAuth, retryAfter, body string) []byte {
	dst = append(dst, where...)
	dst = append(dst, 0)
	dst = strconv.AppendInt(dst, int64(status), 10)
	for _, s := range [...]string{ct, wwwAuth, retryAfter, body} {
		dst = append(dst, 0)
		dst = append(dst, s...)
	}
	return dst
}

// explainExchanges explains xs, read into the flow f.
func (c *Catalog) explainExchanges(xs exchangeList, f *analyze.Flow, opts Options, res *Result) {
	ci := newCiter(c, xs)
	// The catalog reads each distinct failing response once; the
	// exchanges that repeat it share its candidates.
	byResponse := map[string][]candidate{}
	var key []byte
	responseCands := func(i int) []candidate {
		key = xs.appendResponseKey(key[:0], i)
		cs, ok := byResponse[string(key)]
		if !ok {
			x := xs.Exchange(i)
			cs = c.exchangeCandidates(&x, "", ci.set(i))
			byResponse[string(key)] = cs
		}
		return cs
	}
	failed := 0
	for i := 0; i < xs.Len(); i++ {
		status, authorize := xs.status(i)
		if status < 400 && !(status == 200 && authorize) {
			continue
		}
		if status >= 400 {
			failed++
		}
		ci.add(i, responseCands(i), func(cd *candidate) { cd.evidence = ci.ev(i) })
	}
	for _, a := range f.Auths {
		// An authorize request that led to a code worked, whatever the
		// lint would say about it (a legacy app may still use localhost).
		if f.Succeeded(a) {
			continue
		}
		u, err := url.Parse(a.RawURL)
		if err == nil {
			cds := c.lintAuthorize(u, ci.set(a.X), true)
			for k := range cds {
				cds[k].score *= 0.95
			}
			ci.add(a.X, cds, nil)
		}
	}
	for _, cb := range f.Callbacks {
		if !cb.HasError {
			continue
		}
		u, err := url.Parse(cb.Raw)
		if err != nil {
			continue
		}
		o, _ := callbackObservation(u)
		o.evidence = "callback at " + clock(cb.At) + ": " + ci.set(cb.X).URL(cb.Raw)
		o.span = [2]int{-1, -1}
		ci.add(cb.X, c.matchObservation(o), nil)
	}
	analyze.Walk(f, analyze.Options{State: opts.State, Fingerprint: redact.Fingerprint}, func(fd analyze.Finding) {
		e, ok := c.byID[string(fd.ID)]
		if !ok {
			return
		}
		i := fd.Exchanges[0]
		retry := fd.ID == analyze.CodeInvalid && fd.Cause == "auth-style-retry"
		cd := candidate{entry: e, score: fd.Confidence, cause: fd.Cause, findings: fd.Facts, source: "HAR (across requests)", span: [2]int{-1, -1}}
		ci.add(i, []candidate{cd}, func(cd *candidate) {
			cd.evidence = ci.ev(i)
			if retry {
				cd.findings = append(slices.Clip(cd.findings), "The first answer is the real error: "+ci.ev(fd.Exchanges[1]))
			}
		})
		if retry {
			// The first failure is the one to explain: lift it above the rest.
			first := fd.Exchanges[1]
			var lifted []candidate
			for _, cd := range responseCands(first) {
				cd.score = max(cd.score, 0.98)
				cd.findings = append(slices.Clip(cd.findings), "This is the first of two attempts with the same code (golang.org/x/oauth2's auth-style retry); the program printed only the second error.")
				cd.source = "HAR (across requests)"
				lifted = append(lifted, cd)
			}
			ci.add(first, lifted, func(cd *candidate) { cd.evidence = ci.ev(first) })
		}
	})
	c.pkce(f, ci)
	res.Notes = append(res.Notes, fmt.Sprintf("Read %s: %d to /authorize, %s, %d to /api/token, %d to the Web API; %d failed.",
		plural(xs.Len(), "request"), len(f.Auths), plural(len(f.Callbacks), "callback"), len(f.Tokens), len(f.Calls), failed))
	c.finish(res, ci.cands, "")
	for k := range res.Matches {
		res.Matches[k].Count = ci.count(res.Matches[k].Entry.ID)
	}
	if !res.Recognised() && failed == 0 {
		res.Notes = append(res.Notes, "No request in the file failed with an error the catalog knows.")
	}
}

func isAuthorizeURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && wire.IsAuthorizePath(u.Path)
}

func clock(t time.Time) string { return analyze.Clock(t) }

// pkce compares each failed code exchange's code_verifier with the
// code_challenge of its authorize request.
func (c *Catalog) pkce(f *analyze.Flow, ci *citer) {
	e, ok := c.byID["pkce-verifier-missing"]
	em, okm := c.byID["pkce-verifier-mismatch"]
	if !ok || !okm {
		return
	}
	add := func(i int, e *Entry, cause string, score float64, why string) {
		ci.add(i, []candidate{{entry: e, score: score, cause: cause, findings: []string{why}, source: "HAR (across requests)", span: [2]int{-1, -1}}},
			func(cd *candidate) { cd.evidence = ci.ev(i) })
	}
	for _, t := range f.Tokens {
		if !t.Failed() || t.Grant != "authorization_code" {
			continue
		}
		a := f.AuthForToken(t)
		if a == nil || a.Challenge == "" {
			continue
		}
		switch {
		case t.Verifier == "":
			score := 0.85
			if t.Description == "code_verifier required" {
				score = 0.98
			}
			add(t.X, e, "dropped", score, "The authorize request carried a code_challenge; the token request has no code_verifier.")
		case redact.IsFingerprint(t.Verifier) || redact.IsFingerprint(a.Challenge):
		default:
			cause, why, bad := analyze.DiagnosePKCE(a.Challenge, a.Method, t.Verifier)
			if !bad {
				continue
			}
			if cause == "regenerated" {
				for _, other := range f.AuthsWithChallenge(wire.S256(t.Verifier)) {
					if other != a {
						why += fmt.Sprintf(" It does hash to the challenge of the authorize request at %s.", clock(other.At))
					}
				}
			}
			score := 0.9
			if strings.HasPrefix(t.Description, "code_verifier") {
				score = 0.98
			}
			add(t.X, em, cause, score, why)
		}
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
