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

// keptWebAPIHeaders are the only headers kept for Web API calls: the rest
// of a browser's 20-odd headers per request would make memory grow with
// the file.
var keptRequestHeaders = []string{"Authorization"}
var keptResponseHeaders = []string{"Content-Type", "Retry-After", "WWW-Authenticate", "Location"}

// harExchange converts a HAR entry, or returns false for an entry that has
// nothing to do with Spotify's OAuth flow or Web API.
func harExchange(e *har.Entry) (wire.Exchange, bool) {
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
	x := wire.Exchange{Started: e.Started, Method: e.Request.Method, URL: e.Request.URL, Status: e.Response.Status,
		RequestHeaders: http.Header{}, ResponseHeaders: http.Header{}}
	all := where != WhereWebAPI
	for _, h := range e.Request.Headers {
		if all || containsFold(keptRequestHeaders, h.Name) {
			if !strings.HasPrefix(h.Name, ":") {
				x.RequestHeaders.Add(h.Name, h.Value)
			}
		}
	}
	for _, h := range e.Response.Headers {
		if all || containsFold(keptResponseHeaders, h.Name) {
			x.ResponseHeaders.Add(h.Name, h.Value)
		}
	}
	if loc != "" && x.ResponseHeaders.Get("Location") == "" {
		x.ResponseHeaders.Set("Location", loc)
	}
	if ct := e.Response.Content.MimeType; ct != "" && x.ResponseHeaders.Get("Content-Type") == "" {
		x.ResponseHeaders.Set("Content-Type", ct)
	}
	if pd := e.Request.PostData; pd != nil {
		x.RequestBody = pd.Text
		if x.RequestBody == "" && len(pd.Params) > 0 {
			v := url.Values{}
			for _, p := range pd.Params {
				v.Add(p.Name, p.Value)
			}
			x.RequestBody = v.Encode()
		}
		if pd.MimeType != "" && x.RequestHeaders.Get("Content-Type") == "" {
			x.RequestHeaders.Set("Content-Type", pd.MimeType)
		}
	}
	body := e.Response.Content.Text
	if strings.EqualFold(e.Response.Content.Encoding, "base64") && body != "" {
		if b, err := base64.StdEncoding.DecodeString(body); err == nil {
			body = string(b)
		}
	}
	x.ResponseBody = body
	return x, true
}

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
	info, err := har.Decode(r, har.Options{BodyLimit: harBodyLimit}, func(e *har.Entry) error {
		if x, ok := harExchange(e); ok {
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
