package explain

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Kind is the kind of input Explain reads.
type Kind string

const (
	KindAuto     Kind = "auto"     // detect
	KindText     Kind = "text"     // a pasted error, a stack trace, a log
	KindJSON     Kind = "json"     // a response body
	KindPage     Kind = "page"     // the text (or HTML) of a Spotify page
	KindCallback Kind = "callback" // the URL the browser came back to
	KindHAR      Kind = "har"      // a HAR 1.2 file
)

// Kinds lists the kinds --as accepts.
var Kinds = []Kind{KindAuto, KindText, KindJSON, KindPage, KindCallback, KindHAR}

// ParseKind reads a --as value.
func ParseKind(s string) (Kind, error) {
	if s == "" {
		return KindAuto, nil
	}
	k := Kind(strings.ToLower(s))
	if slices.Contains(Kinds, k) {
		return k, nil
	}
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return "", fmt.Errorf("unknown input kind %q: want one of %s", s, strings.Join(names, ", "))
}

// Options tune Explain.
type Options struct {
	// As forces the input kind; "" or KindAuto detects it.
	As Kind
	// State is the state value the app sent to /authorize, to compare with
	// a callback's.
	State string
	// Name names the input in errors and output (a file name, "stdin").
	Name string
}

// MaxTextInput is the largest non-HAR input Explain reads.
const MaxTextInput = 16 << 20

// Result is what Explain found.
type Result struct {
	Input Input
	// Matches are the entries that explain the input, best first, all at
	// confidence Recognised or above.
	Matches []Match
	// Closest are near misses, offered when nothing (or little) matched.
	Closest []Closest
	// Notes say what was read ("HAR: 212 entries, …") or why nothing matched.
	Notes []string
	// Library is the client library the report comes from, when its marks
	// are in the text ("spotipy", "golang.org/x/oauth2", …).
	Library string
	// Collect says what to gather next when nothing was recognised.
	Collect []string
}

// Input describes what was read.
type Input struct {
	Name  string
	Kind  Kind
	Bytes int64
}

// Closest is an entry near the input without being a match.
type Closest struct {
	Entry      *Entry
	Confidence float64 // 0 when only related by topic
}

// Recognised reports whether anything matched with at least medium
// confidence.
func (r *Result) Recognised() bool { return len(r.Matches) > 0 }

// Top returns the best match, or nil.
func (r *Result) Top() *Match {
	if len(r.Matches) == 0 {
		return nil
	}
	return &r.Matches[0]
}

// InputError is bad input: a file that is not what it claims to be. It
// names the input and, where known, the line and column.
type InputError struct {
	Name      string
	Line, Col int
	Err       error
}

func (e *InputError) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("%s:%d:%d: %v", e.Name, e.Line, e.Col, e.Err)
	case e.Name != "":
		return fmt.Sprintf("%s: %v", e.Name, e.Err)
	}
	return e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// Explain explains an input held in memory.
func (c *Catalog) Explain(input []byte, opts Options) (*Result, error) {
	return c.ExplainReader(bytes.NewReader(input), opts)
}

var harStartRe = regexp.MustCompile(`^\s*\{\s*"log"\s*:`)

// ExplainReader explains an input read from r. A HAR file is read as a
// stream (large bodies skipped), so its size is not limited; other inputs
// may be up to MaxTextInput bytes.
func (c *Catalog) ExplainReader(r io.Reader, opts Options) (*Result, error) {
	if opts.Name == "" {
		opts.Name = "input"
	}
	kind := opts.As
	if kind == "" {
		kind = KindAuto
	}
	if _, err := ParseKind(string(kind)); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if kind == KindAuto {
		peek, err := br.Peek(4096)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, &InputError{Name: opts.Name, Err: err}
		}
		if harStartRe.Match(peek) {
			kind = KindHAR
		}
	}
	if kind == KindHAR {
		return c.explainHAR(br, opts)
	}
	data, err := io.ReadAll(io.LimitReader(br, MaxTextInput+1))
	if err != nil {
		return nil, &InputError{Name: opts.Name, Err: err}
	}
	if len(data) > MaxTextInput {
		return nil, &InputError{Name: opts.Name, Err: fmt.Errorf("larger than %d MiB; only HAR files may be that big (use --har)", MaxTextInput>>20)}
	}
	return c.explainText(string(data), kind, opts)
}

// explainText handles every kind except HAR.
func (c *Catalog) explainText(raw string, kind Kind, opts Options) (*Result, error) {
	res := &Result{Input: Input{Name: opts.Name, Kind: kind, Bytes: int64(len(raw))}}
	trimmed := strings.TrimSpace(raw)
	if trimmed == "" {
		return nil, &InputError{Name: opts.Name, Err: ErrEmpty}
	}
	set := &redact.Set{}
	collectSecrets(set, raw)

	if kind == KindAuto {
		kind = detectKind(trimmed)
		res.Input.Kind = kind
	}
	var cands []candidate
	switch kind {
	case KindCallback:
		u, err := url.Parse(trimmed)
		if err != nil || u.Scheme == "" || strings.ContainsAny(trimmed, " \n") {
			return nil, &InputError{Name: opts.Name, Err: errors.New("not a URL; a callback is the full address the browser came back to, e.g. http://127.0.0.1:8888/callback?error=access_denied&state=…")}
		}
		ms := c.matchCallbackURL(u, trimmed, opts.State, set)
		if len(ms) == 0 && !wire.IsAuthorizePath(u.Path) {
			res.Notes = append(res.Notes, callbackNote(u))
		}
		if n := placeholderNote(u); n != "" && wire.IsAuthorizePath(u.Path) {
			res.Notes = append(res.Notes, n)
		}
		cands = ms
	case KindJSON:
		if !json.Valid([]byte(trimmed)) {
			var v any
			err := json.Unmarshal([]byte(trimmed), &v)
			line, col := 0, 0
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line, col = lineCol(trimmed, int(se.Offset))
			}
			return nil, &InputError{Name: opts.Name, Line: line, Col: col, Err: fmt.Errorf("not valid JSON: %v", err)}
		}
		cands = c.scanText(trimmed, "", opts.State, set, res)
	case KindPage:
		text := trimmed
		if looksHTML(text) {
			text = htmlText(text)
		}
		cands = c.scanText(text, WhereAuthorizePage, "", set, res)
	default:
		cands = c.scanText(trimmed, "", opts.State, set, res)
	}
	c.finish(res, cands, trimmed)
	return res, nil
}

// detectKind tells a callback URL, a JSON body, an HTML page and free text
// apart.
func detectKind(s string) Kind {
	if !strings.ContainsAny(s, " \n\t") {
		if u, err := url.Parse(s); err == nil && u.Scheme != "" && (u.RawQuery != "" || u.Fragment != "") {
			return KindCallback
		}
	}
	if (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) && json.Valid([]byte(s)) {
		return KindJSON
	}
	if looksHTML(s) {
		return KindPage
	}
	return KindText
}

// looksHTML reports whether s is an HTML page: it starts with markup. A
// report that quotes a page in the middle of its own words is text.
func looksHTML(s string) bool {
	l := strings.ToLower(s[:min(len(s), 512)])
	return strings.HasPrefix(l, "<") && (strings.HasPrefix(l, "<!doctype html") || strings.HasPrefix(l, "<html") || strings.Contains(l, "<body") || strings.Contains(l, "<title>"))
}

func lineCol(s string, off int) (int, int) {
	off = min(max(off, 0), len(s))
	line := 1 + strings.Count(s[:off], "\n")
	col := off - strings.LastIndexByte(s[:off], '\n')
	return line, col
}

// scanText runs the extractors and the phrase scan over a text.
func (c *Catalog) scanText(text string, known Where, state string, set *redact.Set, res *Result) []candidate {
	norm := normalizeText(text)
	s := newScan(c, norm, set)
	s.state = state
	s.extract()
	var structured []candidate
	for _, o := range s.obs {
		if known != "" && o.where == "" {
			o.where = known
		}
		for _, cd := range c.matchObservation(o) {
			structured = append(structured, cd)
		}
	}
	s.phrases(known)
	res.Notes = append(res.Notes, s.notes...)
	s.cands = append(s.cands, structured...)
	cands := c.applyHints(s, s.settle(structured))
	// A message recognised with high confidence makes rules that only look
	// at the shape of the same response (a 403 on some path) weaker
	// guesses; an error elsewhere in a log keeps its own.
	for i := range cands {
		cd := cands[i]
		if cd.rule == nil || cd.rule.hasContent() || cd.span[0] < 0 {
			continue
		}
		for _, o := range cands {
			if o.rule != nil && o.rule.hasContent() && o.score >= High && o.span[0] >= 0 &&
				o.span[0] < cd.span[1]+window && cd.span[0] < o.span[1]+window {
				cands[i].score *= 0.6
				break
			}
		}
	}
	for i := range cands {
		if cands[i].entry.ID == "redirect-uri-insecure" && cands[i].cause == "" {
			cands[i].cause = insecureCause(text)
		}
	}
	for i := range cands {
		cands[i].evidence = evidence(set, cands[i].evidence)
		for k, f := range cands[i].findings {
			cands[i].findings[k] = evidence(set, f)
		}
	}
	return cands
}

// finish ranks candidates into the result and, when little matched, finds
// the closest entries.
func (c *Catalog) finish(res *Result, cands []candidate, text string) {
	matches, low := rank(cands)
	res.Library = detectLibrary(lowerASCII(text))
	for i := range matches {
		matches[i].Library = res.Library
	}
	res.Matches = matches
	for _, m := range low {
		res.Closest = append(res.Closest, Closest{Entry: m.Entry, Confidence: m.Confidence})
	}
	if len(res.Matches) == 0 {
		for _, e := range c.related(text, res.Closest) {
			res.Closest = append(res.Closest, Closest{Entry: e})
		}
		if len(res.Closest) > 5 {
			res.Closest = res.Closest[:5]
		}
		res.Collect = collect(res.Input.Kind, res.Library)
	}
}

// collect is what to gather next when nothing was recognised: what a
// support engineer would ask for before guessing.
func collect(kind Kind, lib string) []string {
	out := []string{"The exact error text, copied rather than retyped or described, with the lines around it (the whole traceback or log lines, the HTTP status and the response body)."}
	if kind != KindCallback {
		out = append(out, "The address the browser shows after Spotify: the callback URL with everything after ? or # (or the address of Spotify's error page); the client id and redirect URI in it are not secrets.")
	}
	if kind != KindHAR {
		out = append(out, "A HAR of one login attempt: browser developer tools, Network tab, tick Preserve log, log in again, then Save all as HAR (it holds tokens: send it to support only).")
	}
	if lib != "" {
		out = append(out, "The version of "+lib+" the app uses, and which call fails.")
	} else {
		out = append(out, "The client library and its version (spotipy 2.25, spotify-web-api-node 5.0, zmb3/spotify v2, …), or the HTTP code that calls Spotify, and which call fails.")
	}
	return out
}

var wordRe = regexp.MustCompile(`[a-z][a-z_\-]{3,}`)

// related finds entries that share OAuth codes, statuses or words with the
// text, for the "closest entries" list when nothing matched.
func (c *Catalog) related(text string, already []Closest) []*Entry {
	lower := lowerASCII(text)
	statuses := map[int]bool{}
	for _, re := range statusPatterns {
		for _, m := range re.findAll(text, lower, 50) {
			if v, err := strconv.Atoi(text[m[2]:m[3]]); err == nil {
				statuses[v] = true
			}
		}
	}
	words := map[string]bool{}
	for _, w := range wordRe.FindAllString(lower, 2000) {
		words[w] = true
	}
	type scored struct {
		e *Entry
		s int
	}
	var out []scored
	for _, e := range c.entries {
		if slices.ContainsFunc(already, func(cl Closest) bool { return cl.Entry == e }) {
			continue
		}
		score := 0
		code, status := false, false
		for _, r := range e.Rules {
			code = code || r.Error != "" && words[r.Error]
			for _, st := range r.Status {
				status = status || statuses[st]
			}
		}
		if code {
			score += 3
		}
		if status {
			score += 2
		}
		for _, w := range wordRe.FindAllString(strings.ToLower(e.Title+" "+e.ID), -1) {
			if words[w] && !stopWords[w] {
				score++
			}
		}
		// Related means a shared OAuth code, or a shared status and a word
		// of the title: a word or a status alone relates to half the catalog.
		if score >= 3 {
			out = append(out, scored{e, score})
		}
	}
	slices.SortStableFunc(out, func(a, b scored) int { return b.s - a.s })
	var es []*Entry
	for i := 0; i < len(out) && i < 5; i++ {
		es = append(es, out[i].e)
	}
	return es
}

var stopWords = map[string]bool{"this": true, "that": true, "with": true, "from": true, "spotify": true, "does": true, "the": true, "than": true, "since": true, "call": true, "needs": true, "user": true}

func callbackNote(u *url.URL) string {
	q := u.Query()
	if fp, err := url.ParseQuery(u.Fragment); err == nil && u.Fragment != "" {
		for k, v := range fp {
			q[k] = v
		}
	}
	switch {
	case q.Has("code"):
		return "The callback carries a code: the authorize step succeeded. If the app failed afterwards, explain the token request's error instead (or pass --state to compare the state)."
	case q.Has("error"):
		return fmt.Sprintf("The callback carries error=%s, which the catalog does not know.", q.Get("error"))
	}
	return "The URL carries neither code nor error."
}

// matchCallbackURL explains a callback URL (or an authorize URL pasted as one).
func (c *Catalog) matchCallbackURL(u *url.URL, raw, sentState string, set *redact.Set) []candidate {
	if wire.IsAuthorizePath(u.Path) {
		return c.lintAuthorize(u, set, true)
	}
	o, ok := callbackObservation(u)
	if !ok {
		return nil
	}
	o.evidence = "callback: " + clip(set.URL(raw), 300)
	o.span = [2]int{-1, -1}
	cands := c.matchObservation(o)
	return append(cands, c.stateCheck(u, o, sentState, set)...)
}

// MatchCallback explains the URL the browser came back to. sentState, when
// not empty, is the state the app sent and is compared with the callback's.
func (c *Catalog) MatchCallback(rawURL, sentState string) []Match {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil
	}
	set := &redact.Set{}
	collectSecrets(set, rawURL)
	ms, _ := rank(c.matchCallbackURL(u, rawURL, sentState, set))
	return ms
}

// MatchPage explains the text (or HTML) of a page Spotify's authorize
// endpoint rendered instead of redirecting.
func (c *Catalog) MatchPage(text string) []Match {
	if looksHTML(text) {
		text = htmlText(text)
	}
	if strings.TrimSpace(text) == "" {
		return nil
	}
	set := &redact.Set{}
	collectSecrets(set, text)
	res := &Result{}
	ms, _ := rank(c.scanText(text, WhereAuthorizePage, "", set, res))
	return ms
}

// MatchResponse explains one HTTP response a step received from Spotify (or
// the fake): where says which endpoint answered. It returns the matches at
// confidence Recognised or above, best first; none when the response is not
// an error the catalog knows.
func (c *Catalog) MatchResponse(where Where, status int, contentType string, body []byte) []Match {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return c.MatchExchange(wire.Exchange{Status: status, ResponseHeaders: h, ResponseBody: string(body)}, where)
}

var (
	scriptRe = regexp.MustCompile(`(?is)<(script|style|noscript)\b.*?</(?:script|style|noscript)>`)
	tagRe    = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRe  = regexp.MustCompile(`[ \t\r\f\v]+`)
	blankRe  = regexp.MustCompile(`\n\s*\n+`)
)

// htmlText extracts the visible text of an HTML page.
func htmlText(s string) string {
	s = scriptRe.ReplaceAllString(s, " ")
	s = tagRe.ReplaceAllStringFunc(s, func(t string) string {
		l := strings.ToLower(t)
		if strings.HasPrefix(l, "<br") || strings.HasPrefix(l, "<p") || strings.HasPrefix(l, "</p") || strings.HasPrefix(l, "<div") || strings.HasPrefix(l, "</div") || strings.HasPrefix(l, "<h") || strings.HasPrefix(l, "</h") || strings.HasPrefix(l, "<title") || strings.HasPrefix(l, "</title") || strings.HasPrefix(l, "<li") {
			return "\n"
		}
		return " "
	})
	s = html.UnescapeString(s)
	s = spaceRe.ReplaceAllString(s, " ")
	s = blankRe.ReplaceAllString(s, "\n")
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
