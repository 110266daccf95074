package explain

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/spotcheck/spotcheck/checks/explain/har"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Body limits while reading a HAR: Spotify's error bodies are tiny, its
// pages small; successful Web API bodies and everything else are not read.
const (
	harKeepBody  = 256 << 10
	harSmallBody = 16 << 10
)

// harBodyLimit decides, per body, how much to keep.
func harBodyLimit(e *har.Entry, response bool) int {
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return 0
	}
	where := exchangeWhere(u)
	if !response {
		if where == WhereToken {
			return harSmallBody
		}
		return 0
	}
	st := e.Response.Status
	switch {
	case where == WhereToken, where == WhereAuthorizePage:
		return harKeepBody
	case where == WhereWebAPI && st >= 400, st == 0 && where == WhereWebAPI:
		return harSmallBody
	case where == WhereRedirect && st >= 400:
		return harSmallBody
	}
	return 0
}

// keptRequestHeaders and keptResponseHeaders are the only headers kept:
// all the analyzer and the catalog read. The rest of a browser's 20-odd
// headers per request would make memory grow with the file.
var keptRequestHeaders = []string{"Authorization"}
var keptResponseHeaders = []string{"Content-Type", "Retry-After", "WWW-Authenticate", "Location"}

// harExchange converts a HAR entry, or returns false for an entry that has
// nothing to do with Spotify's OAuth flow or Web API.
func harExchange(e *har.Entry, pool *pool) (wire.Exchange, bool) {
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return wire.Exchange{}, false
	}
	where := exchangeWhere(u)
	loc := e.Response.Header("Location")
	if loc == "" {
		loc = e.Response.RedirectURL
	}
	if where == "" && !(loc != "" && (strings.Contains(loc, "code=") || strings.Contains(loc, "error="))) {
		return wire.Exchange{}, false
	}
	x := wire.Exchange{Started: e.Started, Method: pool.str(e.Request.Method), URL: pool.str(e.Request.URL), Status: e.Response.Status}
	req := http.Header{}
	for _, h := range e.Request.Headers {
		if containsFold(keptRequestHeaders, h.Name) {
			req.Add(h.Name, h.Value)
		}
	}
	x.RequestHeaders = pool.intern(req)
	resp := http.Header{}
	for _, h := range e.Response.Headers {
		if containsFold(keptResponseHeaders, h.Name) {
			resp.Add(h.Name, h.Value)
		}
	}
	if loc != "" && resp.Get("Location") == "" {
		resp.Set("Location", loc)
	}
	if ct := e.Response.Content.MimeType; ct != "" && resp.Get("Content-Type") == "" {
		resp.Set("Content-Type", ct)
	}
	x.ResponseHeaders = pool.intern(resp)
	if pd := e.Request.PostData; pd != nil {
		x.RequestBody = pd.Text
		if x.RequestBody == "" && len(pd.Params) > 0 {
			v := url.Values{}
			for _, p := range pd.Params {
				v.Add(p.Name, p.Value)
			}
			x.RequestBody = v.Encode()
		}
	}
	body := e.Response.Content.Text
	if strings.EqualFold(e.Response.Content.Encoding, "base64") && body != "" {
		if b, err := base64.StdEncoding.DecodeString(body); err == nil {
			body = string(b)
		}
	}
	x.ResponseBody = pool.str(body)
	return x, true
}

// pool shares what many exchanges of a HAR repeat: one map among the
// requests or responses whose kept headers are the same (most responses
// say only Content-Type: application/json; the requests of one client send
// one Authorization), and one string among equal methods, URLs and small
// bodies (a failing client gets the same error body thousands of times).
// A map per exchange would be most of the memory a large HAR takes. What
// the pool hands out is read, never written; it holds at most 4096 of
// each.
type pool struct {
	headers map[string]http.Header
	strs    map[string]string
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

func (p *pool) intern(h http.Header) http.Header {
	if len(h) == 0 {
		return nil
	}
	// The kept headers are few and small: a key of them is cheap.
	var b strings.Builder
	for _, k := range keptHeaders {
		for _, v := range h.Values(k) {
			b.WriteString(k)
			b.WriteByte(0)
			b.WriteString(v)
			b.WriteByte(0)
		}
	}
	key := b.String()
	if shared, ok := p.headers[key]; ok {
		return shared
	}
	if p.headers == nil {
		p.headers = map[string]http.Header{}
	}
	if len(p.headers) < poolMax {
		p.headers[key] = h
	}
	return h
}

// keptHeaders are all of them.
var keptHeaders = append(append([]string{}, keptRequestHeaders...), keptResponseHeaders...)

// keptHeader is every header harExchange keeps, request or response.
func keptHeader(name string) bool { return containsFold(keptHeaders, name) }

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// ReadHAR reads the exchanges of a HAR file that matter to the catalog.
func ReadHAR(r io.Reader, name string) ([]wire.Exchange, har.Info, error) {
	var xs []wire.Exchange
	shared := &pool{}
	info, err := har.Decode(r, har.Options{BodyLimit: harBodyLimit, KeepHeader: keptHeader}, func(e *har.Entry) error {
		if x, ok := harExchange(e, shared); ok {
			xs = append(xs, x)
		}
		return nil
	})
	if err != nil {
		ie := &InputError{Name: name, Err: err}
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
	return xs, info, nil
}

func (c *Catalog) explainHAR(r io.Reader, opts Options) (*Result, error) {
	cr := &countingReader{r: r}
	xs, info, err := ReadHAR(cr, opts.Name)
	if err != nil {
		return nil, err
	}
	res := &Result{Input: Input{Name: opts.Name, Kind: KindHAR, Bytes: cr.n}}
	c.explainExchanges(xs, opts, res)
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
