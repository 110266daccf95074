package explain

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/checks/explain/har"
	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Body limits while reading a HAR: Spotify's error bodies are tiny, its
// pages small; successful Web API bodies and everything else are not read.
const (
	harKeepBody  = 256 << 10
	harSmallBody = 16 << 10
)

// Limits on what explain --har keeps of one file. A body is cut at its
// limit above, so no single field can take much; but each request to
// Spotify costs a few hundred bytes however small the file makes it, and
// the kept bodies add up, so these bound memory (to about 100 MB) where the
// file's size cannot. A capture of one login attempt has a few dozen
// requests; a 50 MB capture of nothing but failing flows 36,000 and 12 MiB.
var (
	maxHARRequests       = 100_000
	maxHARKept     int64 = 64 << 20
)

// limitError is a HAR that passes a limit: the file, the entry and field
// that passed it, and what to do.
func limitError(name string, e *har.Entry, field, what string) error {
	return &InputError{Name: name, Err: fmt.Errorf("log.entries[%d]%s: %s; explain a shorter capture (one login attempt is enough)", e.Index, field, what)}
}

// biggestField names the largest part of a record, as the HAR spells it.
func (r *harRecord) biggestField() string {
	field, n := ".request.url", len(r.url)
	for _, f := range []struct {
		name string
		n    int
	}{{".request.headers", len(r.reqH)}, {".request.postData.text", len(r.reqBody)}, {".response.headers", len(r.respH)}, {".response.content.text", len(r.respBody)}} {
		if f.n > n {
			field, n = f.name, f.n
		}
	}
	return field
}

func (r *harRecord) size() int64 {
	return int64(len(r.url) + len(r.reqH) + len(r.reqBody) + len(r.respH) + len(r.respBody))
}

// harBodyLimit decides, per body, how much to keep.
func harBodyLimit(where Where, status int, response bool) int {
	if !response {
		if where == WhereToken {
			return harSmallBody
		}
		return 0
	}
	switch {
	case where == WhereToken, where == WhereAuthorizePage:
		return harKeepBody
	case where == WhereWebAPI && status >= 400, status == 0 && where == WhereWebAPI:
		return harSmallBody
	case where == WhereRedirect && status >= 400:
		return harSmallBody
	}
	return 0
}

// keptRequestHeaders and keptResponseHeaders are the only headers kept:
// all the analyzer and the catalog read. The rest of a browser's 20-odd
// headers per request would make memory grow with the file.
var keptRequestHeaders = []string{"Authorization"}
var keptResponseHeaders = []string{"Content-Type", "Retry-After", "WWW-Authenticate", "Location"}

// harRecord is what explain --har keeps of one entry: the fields of a
// wire.Exchange it reads, without the maps. A wire.Exchange with its two
// header maps costs about a kilobyte, and a 50 MB capture of failing flows
// has 36,000 of them; the analyzer's steps and the catalog read these
// records, and a whole exchange is made only for the few a report quotes.
type harRecord struct {
	sec      int64 // the start time: time.Time's 24 bytes in 12
	nsec     int32
	status   int32
	method   string
	url      string
	reqH     string // the kept request headers: name NUL value NUL …
	reqBody  string
	respH    string // the kept response headers, the same way
	respBody string
	kind     analyze.Kind
}

func (r *harRecord) started() time.Time { return time.Unix(r.sec, int64(r.nsec)).UTC() }

// appendHeader adds one header to an encoded list.
func appendHeader(b []byte, name, value string) []byte {
	b = append(b, http.CanonicalHeaderKey(name)...)
	b = append(b, 0)
	b = append(b, value...)
	return append(b, 0)
}

// headerGet is the first value of the named header in an encoded list, as
// http.Header.Get would find it.
func headerGet(enc, name string) string {
	for enc != "" {
		k, rest, _ := strings.Cut(enc, "\x00")
		v, rest2, _ := strings.Cut(rest, "\x00")
		if strings.EqualFold(k, name) {
			return v
		}
		enc = rest2
	}
	return ""
}

// headerMap makes an encoded list an http.Header again (nil when empty).
func headerMap(enc string) http.Header {
	if enc == "" {
		return nil
	}
	h := http.Header{}
	for enc != "" {
		k, rest, _ := strings.Cut(enc, "\x00")
		v, rest2, _ := strings.Cut(rest, "\x00")
		h[k] = append(h[k], v)
		enc = rest2
	}
	return h
}

// refill empties h and puts the encoded list in it, reusing its value
// slices.
func refill(h http.Header, enc string) http.Header {
	for k, v := range h {
		h[k] = v[:0]
	}
	for enc != "" {
		k, rest, _ := strings.Cut(enc, "\x00")
		v, rest2, _ := strings.Cut(rest, "\x00")
		h[k] = append(h[k], v)
		enc = rest2
	}
	return h // a key left with no value reads as absent
}

// exchange makes the record whole.
func (r *harRecord) exchange() wire.Exchange {
	return wire.Exchange{Started: r.started(), Method: r.method, URL: r.url, RequestHeaders: headerMap(r.reqH), RequestBody: r.reqBody,
		Status: int(r.status), ResponseHeaders: headerMap(r.respH), ResponseBody: r.respBody}
}

// harReader turns HAR entries into records. It parses each entry's URL
// once, though the body limits and the record all need it.
type harReader struct {
	pool    pool
	scratch []byte
	headers []har.Header
	lastURL string
	lastU   *url.URL
	parsed  bool
	recent  recentLocations
}

// recentLocations are the last few Location headers read. The app's load
// of the callback a moment later has the same URL, and takes its string
// from here instead of keeping a second copy.
type recentLocations struct {
	urls [8]string
	next int
}

func (rl *recentLocations) add(u string) {
	rl.urls[rl.next] = u
	rl.next = (rl.next + 1) % len(rl.urls)
}

func (rl *recentLocations) find(u string) string {
	for _, l := range rl.urls {
		if l == u {
			return l
		}
	}
	return u
}

// setIfEmpty is http.Header's "if h.Get(name) == "" { h.Set(name, v) }"
// on a list.
func setIfEmpty(hs []har.Header, name, v string) []har.Header {
	if v == "" {
		return hs
	}
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			if h.Value != "" {
				return hs
			}
			break
		}
	}
	hs = slices.DeleteFunc(hs, func(h har.Header) bool { return strings.EqualFold(h.Name, name) })
	return append(hs, har.Header{Name: name, Value: v})
}

func (hr *harReader) parse(raw string) *url.URL {
	if !hr.parsed || raw != hr.lastURL {
		hr.parsed, hr.lastURL = true, raw
		hr.lastU, _ = url.Parse(raw)
	}
	return hr.lastU
}

func (hr *harReader) limit(e *har.Entry, response bool) int {
	u := hr.parse(e.Request.URL)
	if u == nil {
		return 0
	}
	return harBodyLimit(exchangeWhere(u), e.Response.Status, response)
}

// record converts a HAR entry, or returns false for an entry that has
// nothing to do with Spotify's OAuth flow or Web API.
func (hr *harReader) record(e *har.Entry) (harRecord, bool) {
	u := hr.parse(e.Request.URL)
	if u == nil {
		return harRecord{}, false
	}
	kind := analyze.KindOf(u)
	loc := e.Response.Header("Location")
	if loc == "" {
		loc = e.Response.RedirectURL
	}
	if kind == analyze.KindNone && !(loc != "" && (strings.Contains(loc, "code=") || strings.Contains(loc, "error="))) {
		return harRecord{}, false
	}
	p := &hr.pool
	r := harRecord{sec: e.Started.Unix(), nsec: int32(e.Started.Nanosecond()), method: p.str(e.Request.Method), url: p.str(e.Request.URL),
		status: int32(e.Response.Status), kind: kind}
	if kind == analyze.KindCallback {
		r.url = hr.recent.find(r.url)
	}
	b := hr.scratch[:0]
	for _, h := range e.Request.Headers {
		if containsFold(keptRequestHeaders, h.Name) {
			b = appendHeader(b, h.Name, h.Value)
		}
	}
	r.reqH = p.bytes(b)
	// Location and Content-Type fall back to the HAR's redirectURL and
	// mimeType as http.Header.Set would put them in: when the first value
	// is empty, in place of every value.
	hs := hr.headers[:0]
	for _, h := range e.Response.Headers {
		if containsFold(keptResponseHeaders, h.Name) {
			hs = append(hs, h)
		}
	}
	hs = setIfEmpty(hs, "Location", loc)
	hs = setIfEmpty(hs, "Content-Type", e.Response.Content.MimeType)
	hr.headers = hs
	b = b[:0]
	for _, h := range hs {
		b = appendHeader(b, h.Name, h.Value)
	}
	r.respH = p.bytes(b)
	hr.scratch = b
	if v := headerGet(r.respH, "Location"); v != "" {
		hr.recent.add(v)
	}
	if pd := e.Request.PostData; pd != nil {
		r.reqBody = pd.Text
		if r.reqBody == "" && len(pd.Params) > 0 {
			v := url.Values{}
			for _, p := range pd.Params {
				v.Add(p.Name, p.Value)
			}
			r.reqBody = v.Encode()
		}
	}
	body := e.Response.Content.Text
	if strings.EqualFold(e.Response.Content.Encoding, "base64") && body != "" {
		if b, err := base64.StdEncoding.DecodeString(body); err == nil {
			body = string(b)
		}
	}
	r.respBody = p.str(body)
	return r, true
}

// pool shares one string among equal methods, URLs, header lists and
// small bodies of a HAR (a failing client gets the same error body
// thousands of times, and sends one Authorization: Basic with every token
// request). What the pool hands out is read, never written; it holds at
// most 4096 strings.
type pool struct {
	strs map[string]string
}

const poolMax = 4096

// str returns the pooled copy of s, for strings short enough to repeat.
func (p *pool) str(s string) string {
	if len(s) > 1024 {
		return s
	}
	if shared, ok := p.strs[s]; ok {
		return shared
	}
	if p.strs == nil {
		p.strs = map[string]string{}
	}
	if len(p.strs) < poolMax {
		p.strs[s] = s
	}
	return s
}

// bytes is str for a scratch buffer: a string is made only when the pool
// has none.
func (p *pool) bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if shared, ok := p.strs[string(b)]; ok {
		return shared
	}
	return p.str(string(b))
}

// keptHeaders are all of them.
var keptHeaders = append(append([]string{}, keptRequestHeaders...), keptResponseHeaders...)

// keptHeader is every header a record keeps, request or response.
func keptHeader(name string) bool { return containsFold(keptHeaders, name) }

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// harRecords are a HAR's records in file order, in chunks (a slice grown
// by append holds up to twice what it has, and copies it each time), and
// the order of their start times.
type harRecords struct {
	chunks [][]harRecord
	n      int
	order  []int32 // the records by start time (stably): order[i] is the i-th
}

const harChunk = 1024

func (rs *harRecords) add(r harRecord) {
	if rs.n%harChunk == 0 {
		rs.chunks = append(rs.chunks, make([]harRecord, 0, harChunk))
	}
	c := &rs.chunks[len(rs.chunks)-1]
	*c = append(*c, r)
	rs.n++
}

func (rs *harRecords) byIndex(k int) *harRecord { return &rs.chunks[k/harChunk][k%harChunk] }

// sort orders the records by start time, as analyze.Read orders exchanges.
func (rs *harRecords) sort() {
	rs.order = make([]int32, rs.n)
	for i := range rs.order {
		rs.order[i] = int32(i)
	}
	slices.SortStableFunc(rs.order, func(a, b int32) int {
		ra, rb := rs.byIndex(int(a)), rs.byIndex(int(b))
		if c := cmp.Compare(ra.sec, rb.sec); c != 0 {
			return c
		}
		return cmp.Compare(ra.nsec, rb.nsec)
	})
}

// The exchangeList a HAR's records are, in time order.
func (rs *harRecords) Len() int                     { return rs.n }
func (rs *harRecords) at(i int) *harRecord          { return rs.byIndex(int(rs.order[i])) }
func (rs *harRecords) Exchange(i int) wire.Exchange { return rs.at(i).exchange() }
func (rs *harRecords) status(i int) (int, bool) {
	r := rs.at(i)
	return int(r.status), r.kind == analyze.KindAuthorize
}
func (rs *harRecords) appendResponseKey(dst []byte, i int) []byte {
	r := rs.at(i)
	return appendResponseKey(dst, whereOfKind(r.kind), int(r.status), headerGet(r.respH, "Content-Type"), headerGet(r.respH, "WWW-Authenticate"),
		headerGet(r.respH, "Retry-After"), r.respBody)
}

// flow reads the records into the steps of their OAuth flows.
func (rs *harRecords) flow() *analyze.Flow {
	// The builder keeps no header map: two, refilled for each record,
	// spare a capture of 36,000 requests 20 MB of garbage.
	var b analyze.Builder
	reqH, respH := http.Header{}, http.Header{}
	for i := 0; i < rs.Len(); i++ {
		r := rs.at(i)
		x := wire.Exchange{Started: r.started(), Method: r.method, URL: r.url, RequestHeaders: refill(reqH, r.reqH), RequestBody: r.reqBody,
			Status: int(r.status), ResponseHeaders: refill(respH, r.respH), ResponseBody: r.respBody}
		b.Add(&x)
	}
	return b.Flow()
}

// readHAR reads the records of a HAR file that matter to the catalog.
func readHAR(r io.Reader, name string) (*harRecords, har.Info, error) {
	rs := &harRecords{}
	hr := &harReader{}
	var kept int64
	info, err := har.Decode(r, har.Options{BodyLimit: hr.limit, KeepHeader: keptHeader}, func(e *har.Entry) error {
		rec, ok := hr.record(e)
		if !ok {
			return nil
		}
		if rs.n == maxHARRequests {
			return limitError(name, e, "", fmt.Sprintf("more than %d requests to Spotify or to the app's callback", maxHARRequests))
		}
		if kept += rec.size(); kept > maxHARKept {
			return limitError(name, e, rec.biggestField(), fmt.Sprintf("the URLs, headers and bodies kept of Spotify's requests pass %d MiB", maxHARKept>>20))
		}
		rs.add(rec)
		return nil
	})
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, info, ie
		}
		ie = &InputError{Name: name, Err: err}
		var se *har.SyntaxError
		if errors.As(err, &se) {
			ie.Line, ie.Col = se.Line, se.Col
			ie.Err = errors.New("not valid JSON: " + se.Msg)
			if errors.Is(err, har.ErrNotHAR) {
				ie.Err = errors.New("not a HAR file: " + se.Msg)
			}
		}
		return nil, info, ie
	}
	rs.sort()
	return rs, info, nil
}

// ReadHAR reads the exchanges of a HAR file that matter to the catalog,
// in time order.
func ReadHAR(r io.Reader, name string) ([]wire.Exchange, har.Info, error) {
	rs, info, err := readHAR(r, name)
	if err != nil {
		return nil, info, err
	}
	xs := make([]wire.Exchange, rs.Len())
	for i := range xs {
		xs[i] = rs.Exchange(i)
	}
	return xs, info, nil
}

func (c *Catalog) explainHAR(r io.Reader, opts Options) (*Result, error) {
	cr := &countingReader{r: r}
	rs, info, err := readHAR(cr, opts.Name)
	if err != nil {
		return nil, err
	}
	res := &Result{Input: Input{Name: opts.Name, Kind: KindHAR, Bytes: cr.n}}
	c.explainExchanges(rs, rs.flow(), opts, res)
	if len(res.Notes) > 0 {
		res.Notes[0] = "HAR " + strings.TrimSpace(info.Version+" from "+orUnknown(info.Creator)) + ": " + strconv.Itoa(info.Entries) + " entries. " + res.Notes[0]
	}
	return res, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown tool"
	}
	return s
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
