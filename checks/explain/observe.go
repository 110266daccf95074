package explain

import (
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// This file reads free text (a pasted error, a stack trace, a log) into
// observations: the errors in it, parsed as far as the text allows, in the
// formats the popular client libraries print. The phrase scan (phrase.go)
// then finds the catalog's texts wherever they are.

// knownOAuthCodes are the OAuth 2.0 error codes (RFC 6749 §4.1.2.1, §5.2,
// RFC 6750 §3.1). Only these count as an `error` value in free text, so
// that "error: connection refused" is not read as an OAuth error.
var knownOAuthCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range wire.OAuthErrorCodes {
		m[c] = true
	}
	return m
}()

// window is how far (in bytes) context such as a status code or a path may
// be from the error text it belongs to.
const window = 400

type posInt struct {
	pos, val int
}

type posStr struct {
	pos int
	val string
}

// scan holds everything found in one text.
type scan struct {
	c     *Catalog
	text  string
	lower string // lowerASCII(text), for the literal prefilters
	set   *redact.Set

	big      bool     // a long log: see newScan
	statuses []posInt // HTTP error statuses mentioned, by position
	codes    []posStr // OAuth error codes mentioned

	obs     []*observation
	claimed [][2]int // spans owned by parsed observations
	cands   []candidate
	state   string   // the state the app sent, for callbacks
	notes   []string // what the reader should know about the input
}

var (
	// Each status pattern has a literal a few bytes from the number (the
	// reason phrase, "HTTP/", an arrow), so that a long log is searched
	// only where both occur; the request-line pattern, whose URL can be
	// long, is searched next to errors only in long logs.
	statusPatterns = []*fastRe{
		mustFast(`(?i)\bhttp status:\s*([1-5]\d\d)\b`, 256),
		mustFast(`(?i)\bstatus(?:[ _]?code)?["']?\s*[:=]\s*["']?([1-5]\d\d)\b`, 256),
		mustFast(`(?i)\bHTTP/\d(?:\.\d)?\s+([1-5]\d\d)\b`, 256),
		mustFast(`(?i)\bstatus code ([1-5]\d\d)\b`, 256),
		mustFast(`\bHTTP ([1-5]\d\d)\b`, 256),
		mustFast(`\b([1-5]\d\d) Bad Request\b`, 256),
		mustFast(`\b([1-5]\d\d) Unauthorized\b`, 256),
		mustFast(`\b([1-5]\d\d) Forbidden\b`, 256),
		mustFast(`\b([1-5]\d\d) Not Found\b`, 256),
		mustFast(`\b([1-5]\d\d) Too Many Requests\b`, 256),
		mustFast(`\b([1-5]\d\d) Unsupported Media Type\b`, 256),
		mustFast(`\b([1-5]\d\d) (?:Internal Server Error|Bad Gateway|Service Unavailable)\b`, 256),
		withLiteral(mustFast(`->\s*:?\s*([1-5]\d\d)\b`, 256), "->"),
		withLiteral(mustFast(`=>\s*:?\s*([1-5]\d\d)\b`, 256), "=>"),
		withLiteral(mustFast(`→\s*:?\s*([1-5]\d\d)\b`, 256), "→"),
		withLiteral(mustFast(`#>\s*([1-5]\d\d)\b`, 256), "#>"),
		mustFast(`(?i)\breturned\s*:?\s*([1-5]\d\d)\b`, 256),
		mustFast(`(?i)\bresponded with\s*:?\s*([1-5]\d\d)\b`, 256),
		mustFast(`(?i)\bresponse code\s*:?\s*([1-5]\d\d)\b`, 256),
		mustFast(`(?i)\bgot\s*:?\s*([1-5]\d\d)\b`, 256),
		mustFast(`\b(?:GET|POST|PUT|DELETE|PATCH)\s+\S+\s+(?:-\s+)?([1-5]\d\d)\b`, 2048),
		mustFast(`(?i)\bcannot fetch token: ([1-5]\d\d)\b`, 256),
		mustFast(`(?i)\berror\s*\(?([45]\d\d)\)?:`, 256),
		// Python requests' raise_for_status: "403 Client Error: Forbidden for url: …".
		mustFast(`\b([45]\d\d) (?:Client|Server) Error\b`, 256),
		// How people write a status in a sentence: "a 403", "returns 404",
		// "the code 429", "HTTP 401 error".
		// A status in quotes counts too ("hit with a \"403\"").
		mustFast(`(?i)\b(?:an?|the|code|error|returns?|returning|getting|gets|get|giving|gives|throws?|throwing|with)\s+["'\x60]?([45]\d\d)\b`, 256),
		mustFast(`(?i)\b([45]\d\d)\s+(?:with|error|errors|response|status|on|from|when)\b`, 256),
	}
	pathPatterns = []*fastRe{
		mustFast(`(?i)https?://api\.spotify\.com(/v1/[^\s"'<>\\)\],]*)`, 2048),
		mustFast(`\b(?:GET|POST|PUT|DELETE|PATCH)\s+(/v1/[^\s"'<>\\]*)`, 2048),
		mustFast(`(?:^|[\s"'(=])(/v1/[A-Za-z0-9/_\-.%]+(?:\?[^\s"'<>]*)?)`, 2048),
		// A Web API path written without /v1 in a sentence ("the
		// /users/{user_id}/playlists endpoint"); nearestPath adds /v1.
		mustFast(`(?:^|[\s"'(=\x60])(/(?:users|playlists|artists|albums|tracks|audio-features|audio-analysis|recommendations|browse|me)(?:/[A-Za-z0-9_\-.%{}]+)*)`, 2048),
	}
	whereHints = []struct {
		re    *fastRe
		where Where
	}{
		{mustFast(`(?i)/api/token\b`, 64), WhereToken},
		{mustFast(`(?i)\bapi\.spotify\.com\b`, 64), WhereWebAPI},
		{mustFast(`(?i)\bWWW-Authenticate\b`, 64), WhereWebAPI},
		{mustFast(`(?i)accounts\.spotify\.com(?:/`+wire.LocalePattern+`)?/authorize\b`, 64), WhereAuthorizePage},
	}

	// golang.org/x/oauth2 RetrieveError, the newer and the older form.
	goOAuth2Re    = mustFast(`oauth2: "([a-z_]+)"(?: "((?:[^"\\]|\\.)*)")?(?: "((?:[^"\\]|\\.)*)")?`, 2048)
	goOAuth2OldRe = mustFast(`oauth2: cannot fetch token: ([1-5]\d\d)[^\n]*\n?\s*Response: ([^\n]*)`, 2048)
	// spotipy SpotifyException.__str__: "http status: 403, code: -1 - URL:\n MSG, reason: None"
	spotipyExcRe = mustFast(`(?s)http status: ([1-5]\d\d), code: ?-?\d+ - (.{0,1000}?), reason: ([^\n]*)`, 2048)
	// spotipy SpotifyOauthError: "error: X, error_description: Y"
	spotipyOAuthRe = mustFast(`\berror: ([^,\n]{1,200}), error_description: ([^\n]*)`, 2048)
	// spotify-web-api-node WebapiError messages.
	webapiNodeAuthRe    = mustFast(`An authentication error occurred while communicating with Spotify's Web API\.\s*Details: ([^\n]*)`, 2048)
	webapiNodeRegularRe = mustFast(`An error occurred while communicating with Spotify's Web API\.\s*Details: ([^\n]*)`, 2048)
	// zmb3/spotify decodeError.
	zmb3DecodeRe = mustFast(`(?s)couldn't decode error: \((\d+)\) \[(.{0,1000}?)\]`, 2048)
	zmb3EmptyRe  = mustFast(`spotify: (?:unexpected )?HTTP ([1-5]\d\d): [^\n(]*\((?:body empty|empty error)\)`, 2048)
	// axios and similar dumps: data: '…' next to status: 403.
	axiosDataRe = mustFast(`(?s)\bdata:\s*(?:'((?:[^'\\\n]|\\.){1,1000})'|"((?:[^"\\\n]|\\.){1,1000})")`, 2048)
	// The generic key/value OAuth extractor's pieces.
	errorKeyRe   = mustFast(`(?i)(?:^|[^a-z_])["']?error["']?\s*[:=]\s*(["']?)([a-z]+(?:_[a-z]+)*)(["']?)`, 2048)
	spotipyURLRe = regexp.MustCompile(`^\S+?:\s`)
	descKeyRe    = regexp.MustCompile(`(?i)["']?error_description["']?\s*[:=]\s*`)
	urlRe        = mustFast(`\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s"'<>\x60]+`, 2048)
)

// normalizeText turns the escapes that logs and reprs add (literal \n, \")
// back into the characters, so that the error inside reads as sent.
func normalizeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if strings.Contains(s, `\n`) || strings.Contains(s, `\"`) || strings.Contains(s, `\/`) || strings.Contains(s, `\'`) || strings.Contains(s, `\t`) {
		s = strings.NewReplacer(`\r\n`, "\n", `\n`, "\n", `\r`, "", `\t`, " ", `\"`, `"`, `\/`, `/`, `\'`, `'`, `\\`, `\`).Replace(s)
	}
	if strings.Contains(s, "&quot;") || strings.Contains(s, "&#") || strings.Contains(s, "&amp;") || strings.Contains(s, "&lt;") {
		s = html.UnescapeString(s)
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

func newScan(c *Catalog, text string, set *redact.Set) *scan {
	s := &scan{c: c, text: text, lower: lowerASCII(text), set: set}
	// Only error statuses: a "status=200" next to an error says nothing
	// about it. Every mention has a 4xx/5xx number in it, so only the text
	// around those numbers is searched. In a long log the patterns without
	// a literal to look for are left to nearestStatus, next to an error.
	s.big = len(text) > bigText
	at := errorStatusAt(text)
	for _, re := range statusPatterns {
		if s.big && re.compiled().lit == "" {
			continue
		}
		pos := at
		if re.compiled().lit != "" {
			// The number sits a few bytes from the pattern's literal
			// ("status code 429", "HTTP/2 403"): other numbers cannot match.
			pos = nil
			for _, p := range at {
				if strings.Contains(s.lower[max(0, p-statusGap):min(len(text), p+3+statusGap)], re.compiled().lit) {
					pos = append(pos, p)
				}
			}
		}
		s.statuses = appendStatuses(s.statuses, text, re.around(text, pos, 3, -1))
	}
	for code := range knownOAuthCodes {
		for from := 0; len(s.codes) < 2000; {
			i := strings.Index(text[from:], code)
			if i < 0 {
				break
			}
			at := from + i
			from = at + len(code)
			before, after := byte(' '), byte(' ')
			if at > 0 {
				before = text[at-1]
			}
			if from < len(text) {
				after = text[from]
			}
			if !isWordByte(before) && !isWordByte(after) {
				s.codes = append(s.codes, posStr{at, code})
			}
		}
	}
	sort.Slice(s.statuses, func(i, j int) bool { return s.statuses[i].pos < s.statuses[j].pos })
	return s
}

// near returns the matches of the expressions in the window around
// [start,end): paths and where-hints are only ever wanted next to an error,
// so they are looked up there rather than over a whole log.
func (s *scan) near(res []*fastRe, start, end int) [][]int {
	lo, hi := max(0, start-window), min(len(s.text), end+window)
	for lo > 0 && !utf8.RuneStart(s.text[lo]) {
		lo--
	}
	for hi < len(s.text) && !utf8.RuneStart(s.text[hi]) {
		hi++
	}
	var out [][]int
	for _, re := range res {
		for _, m := range re.compiled().re.FindAllStringSubmatchIndex(s.text[lo:hi], 20) {
			for k := range m {
				if m[k] >= 0 {
					m[k] += lo
				}
			}
			out = append(out, m)
		}
	}
	return out
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// bigText is where a text counts as a long log (see newScan); statusGap is
// how far a status pattern's literal may be from the number.
const (
	bigText   = 256 << 10
	statusGap = 32
	// shortReport is the size below which a text is read as one report
	// told in a few paragraphs rather than a log.
	shortReport = 1200
)

func appendStatuses(out []posInt, text string, ms [][]int) []posInt {
	for _, m := range ms {
		if v, _ := strconv.Atoi(text[m[2]:m[3]]); v >= 400 && !slices.ContainsFunc(out, func(p posInt) bool { return p.pos == m[2] }) {
			out = append(out, posInt{m[2], v})
		}
	}
	return out
}

// onlyStatus is the one error status a short report mentions, however far
// from the words being weighed: a person states the status once ("Status:
// HTTP/1.0 403 Forbidden") and asks about it paragraphs later ("is that
// because I don't have premium?"). 0 in a log, or when the report mentions
// several statuses.
func (s *scan) onlyStatus() int {
	if len(s.text) >= shortReport || len(s.statuses) == 0 {
		return 0
	}
	st := s.statuses[0].val
	for _, p := range s.statuses[1:] {
		if p.val != st {
			return 0
		}
	}
	return st
}

// nearestStatus is the error status mentioned closest to [start,end),
// within the window, or 0.
func (s *scan) nearestStatus(start, end int) int {
	cands := s.statuses
	if s.big {
		var local []*fastRe
		for _, re := range statusPatterns {
			if re.compiled().lit == "" {
				local = append(local, re)
			}
		}
		cands = appendStatuses(slices.Clone(cands), s.text, s.near(local, start, end))
	}
	best, bestD := 0, window+1
	for _, p := range cands {
		if d := s.distance(p.pos, start, end); d < bestD {
			best, bestD = p.val, d
		}
	}
	return best
}

func (s *scan) nearestPath(start, end int) string {
	best, bestD := "", window+1
	for _, m := range s.near(pathPatterns, start, end) {
		if d := s.distance(m[2], start, end); d < bestD {
			best, bestD = strings.TrimRight(s.text[m[2]:m[3]], ".,:;"), d
		}
	}
	if best != "" && !strings.HasPrefix(best, "/v1/") {
		best = "/v1" + best
	}
	return best
}

func (s *scan) nearestWhere(start, end int) Where {
	best, bestD := Where(""), window+1
	for _, h := range whereHints {
		for _, m := range s.near([]*fastRe{h.re}, start, end) {
			if d := s.distance(m[0], start, end); d < bestD {
				best, bestD = h.where, d
			}
		}
	}
	return best
}

// codesNear returns the OAuth codes within a short distance before (or
// just after) [start,end).
func (s *scan) codesNear(start, end int) []string {
	var out []string
	for _, c := range s.codes {
		if c.pos >= start-300 && c.pos <= end+100 {
			out = append(out, c.val)
		}
	}
	return out
}

// distance is how far context at p is from [start,end), in bytes, with a
// penalty for each line (and sentence) in between: the status or path of the same log
// line belongs to an error more than a closer one on the next line.
func (s *scan) distance(p, start, end int) int {
	d := distance(p, start, end)
	if d == 0 || d > window {
		return d
	}
	lo, hi := p, start
	if p >= end {
		lo, hi = end, p
	}
	// A sentence ending in between separates a little less than a line:
	// "The /a endpoint returns 403. The /b one works." In a short report
	// (a person's few paragraphs) a line break separates less than in a log.
	perLine := 150
	if len(s.text) < shortReport {
		perLine = 60
	}
	return d + perLine*strings.Count(s.text[lo:hi], "\n") + 60*strings.Count(s.text[lo:hi], ". ")
}

func distance(p, start, end int) int {
	switch {
	case p < start:
		return start - p
	case p >= end:
		return p - end
	}
	return 0
}

func (s *scan) isClaimed(start, end int) bool {
	for _, c := range s.claimed {
		if start >= c[0] && end <= c[1] {
			return true
		}
	}
	return false
}

func (s *scan) add(o *observation) {
	if o.strength == 0 {
		o.strength = 1
	}
	if o.evidence == "" && o.span[1] > o.span[0] {
		o.evidence = s.text[o.span[0]:o.span[1]]
		if !strings.Contains(o.evidence, "\n") {
			o.evidence = s.line(o.span[0], o.span[1]) // the whole line reads better
		}
	}
	s.obs = append(s.obs, o)
	s.claimed = append(s.claimed, o.span)
}

// line returns the text of the line around [start,end), clipped around the
// match when the line is long.
func (s *scan) line(start, end int) string {
	ls := strings.LastIndexByte(s.text[:start], '\n') + 1
	le := strings.IndexByte(s.text[end:], '\n')
	if le < 0 {
		le = len(s.text)
	} else {
		le += end
	}
	if le-ls > 300 {
		ls = max(ls, start-120)
		le = min(le, end+120)
		for ls > 0 && !utf8.RuneStart(s.text[ls]) {
			ls--
		}
		for le < len(s.text) && !utf8.RuneStart(s.text[le]) {
			le++
		}
	}
	return s.text[ls:le]
}

// extract runs every extractor over the text.
func (s *scan) extract() {
	s.extractBareCode()
	s.extractURLs()
	s.extractJSON()
	s.extractGoOAuth2()
	s.extractSpotipy()
	s.extractWebapiNode()
	s.extractZmb3()
	s.extractAxios()
	s.extractKeyValues()
	s.extractStatuses()
}

// extractBareCode reads an input that is nothing but an OAuth error code
// ("invalid_client"): the description may have been left out, so rules
// that need its absence count it only partly.
func (s *scan) extractBareCode() {
	t := strings.Trim(strings.TrimSpace(s.text), `"'`)
	if knownOAuthCodes[t] {
		s.add(&observation{hasOAuth: true, oauthErr: t, span: [2]int{0, len(s.text)}, source: "bare error code"})
	}
}

// extractJSON parses every JSON object embedded in the text.
func (s *scan) extractJSON() {
	t := s.text
	tries := 0
	for i := 0; i < len(t) && tries < 200; i++ {
		if t[i] != '{' {
			continue
		}
		tries++
		end := jsonObjectEnd(t, i)
		if end < 0 {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(t[i:end]), &v); err != nil {
			continue
		}
		strength := 0.97
		if strings.TrimSpace(t[:i]) == "" && strings.TrimSpace(t[end:]) == "" {
			strength = 1
		}
		status := s.nearestStatus(i, end)
		path := s.nearestPath(i, end)
		before := len(s.obs)
		s.walkJSON(v, status, path, [2]int{i, end}, strength, 0)
		if len(s.obs) > before {
			i = end - 1
		}
	}
}

// jsonObjectEnd returns the index just past the object starting at t[i],
// or -1; it respects strings so braces inside them do not count.
func jsonObjectEnd(t string, i int) int {
	depth := 0
	inStr := false
	for k := i; k < len(t) && k < i+1<<20; k++ {
		c := t[k]
		if inStr {
			switch c {
			case '\\':
				k++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return k + 1
			}
		}
	}
	return -1
}

// walkJSON turns a parsed JSON value into observations: an OAuth error
// object, a Web API error object, an {"status", "data"} wrapper (axios,
// fetch dumps) or an empty object next to a status.
func (s *scan) walkJSON(v any, status int, path string, span [2]int, strength float64, depth int) {
	if depth > 8 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if st, ok := jsonStatus(x); ok {
			status = st
		}
		for _, k := range []string{"url", "path", "uri"} {
			if u, ok := x[k].(string); ok {
				if p := apiPath(u); p != "" {
					path = p
				}
			}
		}
		if code, ok := x["error"].(string); ok {
			o := &observation{hasOAuth: true, oauthErr: code, status: status, path: path, span: span, strength: strength, source: "JSON body"}
			switch d := x["error_description"].(type) {
			case string:
				o.oauthDesc = d
				o.descAbsent = d == ""
			case nil:
				o.descAbsent = true
			}
			if !knownOAuthCodes[code] {
				// Not an OAuth code: some clients put the message there.
				o.hasOAuth = false
				o.hasBody, o.body = true, code
			}
			s.add(o)
			return
		}
		if e, ok := x["error"].(map[string]any); ok {
			o := &observation{hasAPI: true, status: status, path: path, span: span, strength: strength, source: "Web API error object", where: WhereWebAPI}
			if st, ok := jsonStatus(e); ok {
				o.status = st
			}
			o.apiMsg, _ = e["message"].(string)
			o.apiReason, _ = e["reason"].(string)
			s.add(o)
			return
		}
		if len(x) == 0 && status != 0 {
			s.add(&observation{status: status, path: path, emptyBody: true, span: span, strength: strength * 0.95, source: "empty JSON body"})
			return
		}
		for _, k := range []string{"data", "body", "response", "responseBody", "text", "message", "detail", "details"} {
			val, ok := x[k]
			if !ok {
				continue
			}
			if str, ok := val.(string); ok {
				str = strings.TrimSpace(str)
				if strings.HasPrefix(str, "{") {
					var inner any
					if json.Unmarshal([]byte(str), &inner) == nil {
						s.walkJSON(inner, status, path, span, strength, depth+1)
						continue
					}
				}
				if str != "" && (k == "data" || k == "body" || k == "responseBody" || k == "text") {
					s.add(&observation{hasBody: true, body: str, status: status, path: path, span: span, strength: strength * 0.97, source: "response dump"})
				}
				continue
			}
			s.walkJSON(val, status, path, span, strength, depth+1)
		}
	case []any:
		for _, e := range x {
			s.walkJSON(e, status, path, span, strength, depth+1)
		}
	}
}

func jsonStatus(m map[string]any) (int, bool) {
	for _, k := range []string{"status", "statusCode", "status_code", "code"} {
		if f, ok := m[k].(float64); ok && f >= 100 && f <= 599 && f == float64(int(f)) {
			return int(f), true
		}
	}
	return 0, false
}

// apiPath returns the /v1/… path and query of a Web API URL, or "".
func apiPath(u string) string {
	if strings.HasPrefix(u, "/v1/") {
		return u
	}
	p, err := url.Parse(u)
	if err != nil || !strings.HasPrefix(p.Path, "/v1/") {
		return ""
	}
	if p.RawQuery != "" {
		return p.Path + "?" + p.RawQuery
	}
	return p.Path
}

func (s *scan) extractGoOAuth2() {
	for _, m := range goOAuth2Re.findAll(s.text, s.lower, 20) {
		code := s.text[m[2]:m[3]]
		if !knownOAuthCodes[code] {
			continue
		}
		o := &observation{hasOAuth: true, oauthErr: code, where: WhereToken, span: [2]int{m[0], m[1]}, source: "golang.org/x/oauth2 RetrieveError"}
		if m[4] >= 0 {
			o.oauthDesc = unquoteGo(s.text[m[4]:m[5]])
		} else {
			o.descAbsent = true
		}
		s.add(o)
	}
	for _, m := range goOAuth2OldRe.findAll(s.text, s.lower, 20) {
		status, _ := strconv.Atoi(s.text[m[2]:m[3]])
		body := strings.TrimSpace(s.text[m[4]:m[5]])
		span := [2]int{m[0], m[1]}
		if strings.HasPrefix(body, "{") {
			// The JSON extractor has read the body; give it the status.
			for _, o := range s.obs {
				if o.span[0] >= m[4] && o.span[0] < m[5] {
					if o.status == 0 {
						o.status = status
					}
					o.where = WhereToken
					o.source = "golang.org/x/oauth2 RetrieveError"
				}
			}
			continue
		}
		o := &observation{status: status, where: WhereToken, span: span, source: "golang.org/x/oauth2 RetrieveError"}
		if body == "" {
			o.emptyBody = true
		} else {
			o.hasBody, o.body = true, body
		}
		s.add(o)
	}
}

func unquoteGo(q string) string {
	if u, err := strconv.Unquote(`"` + q + `"`); err == nil {
		return u
	}
	return q
}

func (s *scan) extractSpotipy() {
	for _, m := range spotipyExcRe.findAll(s.text, s.lower, 20) {
		status, _ := strconv.Atoi(s.text[m[2]:m[3]])
		rest := s.text[m[4]:m[5]]
		reason := strings.TrimSpace(s.text[m[6]:m[7]])
		o := &observation{status: status, where: WhereWebAPI, hasAPI: true, span: [2]int{m[0], m[1]}, source: "spotipy SpotifyException"}
		// msg is "URL:\n MESSAGE"; the URL's own colons are followed by "/".
		if k := strings.Index(rest, ":\n"); k >= 0 {
			o.path = apiPath(strings.TrimSpace(rest[:k]))
			rest = rest[k+2:]
		} else if k := spotipyURLRe.FindStringIndex(rest); k != nil {
			o.path = apiPath(strings.TrimSpace(rest[:k[1]-2]))
			rest = rest[k[1]:]
		}
		msg := strings.TrimSpace(rest)
		if msg == "None" {
			msg = ""
			o.emptyBody = true
		}
		o.apiMsg = msg
		o.hasBody, o.body = msg != "", msg
		if reason != "None" && reason != "" {
			o.apiReason = reason
		}
		s.add(o)
	}
	for _, m := range spotipyOAuthRe.findAll(s.text, s.lower, 20) {
		if s.isClaimed(m[0], m[1]) {
			continue
		}
		code := strings.TrimSpace(s.text[m[2]:m[3]])
		desc := strings.TrimSpace(s.text[m[4]:m[5]])
		o := &observation{span: [2]int{m[0], m[1]}, source: "spotipy SpotifyOauthError"}
		if knownOAuthCodes[code] {
			o.hasOAuth, o.oauthErr = true, code
			if desc == "None" || desc == "" {
				o.descAbsent = true
			} else {
				o.oauthDesc = desc
			}
		} else {
			// spotipy puts a non-JSON body's text in error.
			o.hasBody, o.body = true, code
		}
		s.add(o)
	}
}

// objectObject is what spotify-web-api-node prints when the body was not a
// Spotify JSON error (plain text, empty): the message is lost.
const objectObject = "WebapiError: [object Object]"

func (s *scan) extractWebapiNode() {
	if strings.Contains(s.text, objectObject) {
		s.notes = append(s.notes, "spotify-web-api-node printed \"[object Object]\": Spotify's answer was not a JSON error (a plain-text 403 such as the allowlist or Premium-owner message, or an empty body), so the library lost its text. The statusCode and headers printed after it (retry-after means 429), a HAR, or the library's 6.x error, which keeps plain-text bodies, say which.")
	}
	for _, m := range webapiNodeAuthRe.findAll(s.text, s.lower, 20) {
		details := strings.TrimSuffix(strings.TrimSpace(s.text[m[2]:m[3]]), ".")
		code, desc, _ := strings.Cut(details, " ")
		o := &observation{span: [2]int{m[0], m[1]}, source: "spotify-web-api-node WebapiAuthenticationError"}
		if knownOAuthCodes[code] {
			o.hasOAuth, o.oauthErr = true, code
			o.oauthDesc = strings.TrimSpace(desc)
			o.descAbsent = o.oauthDesc == ""
		} else {
			o.hasBody, o.body = true, details
		}
		o.status = s.nearestStatus(m[0], m[1])
		s.add(o)
	}
	for _, m := range webapiNodeRegularRe.findAll(s.text, s.lower, 20) {
		details := strings.TrimSuffix(strings.TrimSpace(s.text[m[2]:m[3]]), ".")
		o := &observation{hasAPI: true, where: WhereWebAPI, span: [2]int{m[0], m[1]}, source: "spotify-web-api-node WebapiRegularError"}
		// WebapiPlayerError appends the reason: "MESSAGE REASON."
		if k := strings.LastIndexByte(details, ' '); k > 0 && isUpperSnake(details[k+1:]) {
			o.apiReason = details[k+1:]
			details = details[:k]
			o.source = "spotify-web-api-node WebapiPlayerError"
		}
		o.apiMsg = details
		o.status = s.nearestStatus(m[0], m[1])
		o.path = s.nearestPath(m[0], m[1])
		s.add(o)
	}
}

func isUpperSnake(w string) bool {
	if len(w) < 4 || !strings.Contains(w, "_") {
		return false
	}
	for _, r := range w {
		if !(r >= 'A' && r <= 'Z' || r == '_') {
			return false
		}
	}
	return true
}

func (s *scan) extractZmb3() {
	for _, m := range zmb3DecodeRe.findAll(s.text, s.lower, 20) {
		n, _ := strconv.Atoi(s.text[m[2]:m[3]])
		body := s.text[m[4]:m[5]]
		o := &observation{hasBody: true, body: body, where: WhereWebAPI, span: [2]int{m[0], m[1]}, source: "zmb3/spotify (plain-text body)", strength: 0.97}
		if n == len(body) {
			o.strength = 1 // the byte count proves the whole body is here
		}
		o.status = s.nearestStatus(m[0], m[1])
		o.path = s.nearestPath(m[0], m[1])
		s.add(o)
	}
	for _, m := range zmb3EmptyRe.findAll(s.text, s.lower, 20) {
		status, _ := strconv.Atoi(s.text[m[2]:m[3]])
		s.add(&observation{status: status, emptyBody: true, where: WhereWebAPI, path: s.nearestPath(m[0], m[1]), span: [2]int{m[0], m[1]}, source: "zmb3/spotify (empty body)"})
	}
}

func (s *scan) extractAxios() {
	for _, m := range axiosDataRe.findAll(s.text, s.lower, 20) {
		if s.isClaimed(m[0], m[1]) {
			continue
		}
		var body string
		if m[2] >= 0 {
			body = s.text[m[2]:m[3]]
		} else {
			body = s.text[m[4]:m[5]]
		}
		o := &observation{hasBody: true, body: body, span: [2]int{m[0], m[1]}, source: "HTTP client dump (data)", strength: 0.97}
		o.status = s.nearestStatus(m[0], m[1])
		o.path = s.nearestPath(m[0], m[1])
		s.add(o)
	}
}

// extractKeyValues finds OAuth errors written as key/value pairs in any
// notation: JS object literals, Python dict reprs, form bodies, headers.
func (s *scan) extractKeyValues() {
	t := s.text
	ms := errorKeyRe.findAll(t, s.lower, 50)
	for i, m := range ms {
		code := strings.ToLower(t[m[4]:m[5]])
		if !knownOAuthCodes[code] || s.isClaimed(m[4], m[5]) {
			continue
		}
		limit := min(len(t), m[1]+window)
		if i+1 < len(ms) && ms[i+1][0] < limit {
			limit = ms[i+1][0]
		}
		o := &observation{hasOAuth: true, oauthErr: code, strength: 0.95, source: "error text"}
		end := m[1]
		if d := descKeyRe.FindStringIndex(t[m[1]:limit]); d != nil {
			val, vend := readValue(t, m[1]+d[1])
			end = vend
			switch strings.ToLower(strings.TrimSpace(val)) {
			case "", "none", "null", "undefined":
				o.descAbsent = true
			default:
				o.oauthDesc = val
			}
		} else {
			// Closed right after the code: an object or form without a description.
			rest := strings.TrimLeft(t[m[1]:], " \t")
			o.descAbsent = rest == "" || strings.ContainsAny(rest[:1], "})&\n")
		}
		line := t[strings.LastIndexByte(t[:m[0]+1], '\n')+1 : m[0]+1]
		if strings.Contains(strings.ToLower(line), "www-authenticate") {
			o.where = WhereWebAPI
			o.source = "WWW-Authenticate header"
		}
		o.span = [2]int{m[0], end}
		o.status = s.nearestStatus(m[0], end)
		s.add(o)
	}
}

// readValue reads a quoted or bare value starting at t[i] and returns it
// with the index after it.
func readValue(t string, i int) (string, int) {
	if i >= len(t) {
		return "", i
	}
	switch q := t[i]; q {
	case '"', '\'':
		var b strings.Builder
		for k := i + 1; k < len(t); k++ {
			switch t[k] {
			case '\\':
				if k+1 < len(t) {
					b.WriteByte(t[k+1])
					k++
				}
			case q:
				return b.String(), k + 1
			default:
				b.WriteByte(t[k])
			}
		}
		return b.String(), len(t)
	}
	end := i
	for end < len(t) && !strings.ContainsRune(",&}\n", rune(t[end])) {
		end++
	}
	v := strings.TrimSpace(t[i:end])
	if u, err := url.QueryUnescape(v); err == nil && strings.ContainsAny(v, "+%") && !strings.Contains(v, " ") {
		v = u
	}
	return v, end
}

// emptyBodyRe is how a person says a response had no body.
var emptyBodyRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b(?:empty (?:response )?body|body (?:was |is )?empty|empty response|no (?:response )?body|without (?:a |any )?(?:body|message))\b`)
})

// extractStatuses turns status mentions not inside a parsed error into
// shape-only observations (a 429 from an HTTP client, a 403 on a path).
func (s *scan) extractStatuses() {
	seen := map[int]bool{}
	for _, p := range s.statuses {
		if p.val < 400 || s.isClaimed(p.pos, p.pos+3) {
			continue
		}
		path := s.nearestPath(p.pos, p.pos+3)
		key := p.val*1000 + len(path)
		if seen[key] {
			continue
		}
		seen[key] = true
		o := &observation{status: p.val, path: path, strength: 0.9, source: "status in text", span: [2]int{p.pos, p.pos + 3}}
		o.evidence = s.line(p.pos, p.pos+3)
		// "403 with an empty body on /v1/me": the line says there was none.
		o.emptyBody = emptyBodyRe().MatchString(o.evidence)
		s.obs = append(s.obs, o) // not claimed: phrases around it stay free
	}
}

// extractURLs reads callback URLs (error or code in query or fragment) and
// authorize URLs.
func (s *scan) extractURLs() {
	for _, m := range urlRe.findAll(s.text, s.lower, 50) {
		m[1] = placeholderEnd(s.text, m[1])
		raw := strings.TrimRight(s.text[m[0]:m[1]], ".,;)]}")
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		whole := strings.TrimSpace(s.text) == raw
		if wire.IsAuthorizePath(u.Path) && (u.Query().Has("client_id") || u.Query().Has("response_type")) {
			s.cands = append(s.cands, s.c.lintAuthorize(u, s.set, whole)...)
			if n := placeholderNote(u); n != "" && !slices.Contains(s.notes, n) {
				s.notes = append(s.notes, n)
			}
			s.claimed = append(s.claimed, [2]int{m[0], m[0] + len(raw)})
			continue
		}
		if strings.EqualFold(u.Hostname(), "api.spotify.com") {
			continue
		}
		o, ok := callbackObservation(u)
		if !ok {
			continue
		}
		o.span = [2]int{m[0], m[0] + len(raw)}
		o.evidence = s.set.URL(raw)
		if !whole {
			o.strength = 0.95
		}
		s.add(o)
		s.cands = append(s.cands, s.c.stateCheck(u, o, s.state, s.set)...)
	}
}

// placeholderEnd extends a URL that stops at a placeholder in angle
// brackets (…?client_id=<your client id>&response_type=code) over it and
// the rest of the URL, so that the parameters after it are read too.
func placeholderEnd(t string, end int) int {
	for end < len(t) && t[end] == '<' {
		k := strings.IndexByte(t[end:min(len(t), end+80)], '>')
		if k < 0 || strings.ContainsAny(t[end:end+k], "\n\"'") {
			break
		}
		end += k + 1
		for end < len(t) && !strings.ContainsRune(" \t\r\n\"'<>`", rune(t[end])) {
			end++
		}
	}
	return end
}

// callbackObservation reads a redirect back to the app: the parameters of
// the query and, for the implicit grant, the fragment.
func callbackObservation(u *url.URL) (*observation, bool) {
	params, fromFragment, ok := analyze.CallbackParams(u)
	if !ok {
		return nil, false
	}
	o := &observation{isCallback: true, params: params, fromFragment: fromFragment, where: WhereRedirect, source: "callback URL"}
	if e := params.Get("error"); e != "" {
		o.hasOAuth, o.oauthErr = true, e
		o.oauthDesc = params.Get("error_description")
		o.descAbsent = !params.Has("error_description")
	}
	return o, true
}

// isWordRune reports whether a rune continues a word (for phrase edges).
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
