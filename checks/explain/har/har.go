// Package har reads HAR 1.2 files (HTTP Archive, as browsers, proxies and
// spotcheck itself export them) as a stream: entries are handed to a
// callback one at a time and bodies are cut at a limit the caller chooses,
// so a 50 MB capture of a music app costs little memory. It keeps only the
// fields that explain OAuth and Web API errors: method, URL, headers,
// request body, status, response headers, body and redirect URL.
//
// Errors name the line and column where the file stops being a HAR.
package har

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Header is one HTTP header as the HAR lists it.
type Header struct {
	Name  string
	Value string
}

// Param is one posted form parameter.
type Param struct {
	Name  string
	Value string
}

// Entry is one request and its response.
type Entry struct {
	// Index is the entry's position in log.entries, from 0.
	Index    int
	Started  time.Time
	Request  Request
	Response Response
}

// Request is an entry's request.
type Request struct {
	Method      string
	URL         string
	HTTPVersion string
	Headers     []Header
	PostData    *PostData
}

// PostData is a request body.
type PostData struct {
	MimeType  string
	Text      string
	Params    []Param
	Truncated bool // Text was cut at the body limit
	Size      int  // length of the full text in the file, in bytes (escaped)
}

// Response is an entry's response.
type Response struct {
	Status      int
	StatusText  string
	Headers     []Header
	Content     Content
	RedirectURL string
}

// Content is a response body.
type Content struct {
	Size      int64
	MimeType  string
	Text      string
	Encoding  string // "base64" when Text is base64
	Truncated bool
}

// Header returns the first value of the named header (case-insensitive).
func (r *Request) Header(name string) string { return headerValue(r.Headers, name) }

// Header returns the first value of the named header (case-insensitive).
func (r *Response) Header(name string) string { return headerValue(r.Headers, name) }

func headerValue(hs []Header, name string) string {
	for _, h := range hs {
		if len(h.Name) == len(name) && equalFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

func equalFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Info describes the file as a whole.
type Info struct {
	Version string
	Creator string
	Entries int
}

// DefaultBodyLimit is how much of a body is kept when Options.BodyLimit is nil.
const DefaultBodyLimit = 256 << 10

// Field length limits: a HAR is outside input, and no field we need is
// anywhere near these.
const (
	maxURL        = 64 << 10
	maxHeader     = 16 << 10
	maxHeaders    = 300
	maxParams     = 300
	maxShort      = 256
	maxDepth      = 512
	maxKey        = 256
	maxNumberText = 64
)

// Options tune Decode.
type Options struct {
	// BodyLimit returns how many bytes of a body to keep. It is called when
	// the body is reached, with the entry as read so far (the request, and
	// usually the response status and headers); response tells a response
	// body from a request body. Nil keeps DefaultBodyLimit bytes.
	BodyLimit func(e *Entry, response bool) int
	// KeepHeader says whether to keep a header, by name; the values of the
	// others are skipped unread (a browser sends 20-odd per request). Nil
	// keeps every header.
	KeepHeader func(name string) bool
}

// SyntaxError is a file that is not a HAR, with where it went wrong.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// ErrNotHAR is wrapped by errors about valid JSON that is not a HAR.
var ErrNotHAR = errors.New("not a HAR file")

// Decode reads a HAR file from r and calls fn with each entry in file order.
// fn may keep the entry. An error from fn stops decoding and is returned.
func Decode(r io.Reader, opts Options, fn func(*Entry) error) (Info, error) {
	d := &decoder{r: bufio.NewReaderSize(r, 64<<10), line: 1, opts: opts, fn: fn}
	err := d.top()
	return d.info, err
}

type decoder struct {
	r         *bufio.Reader
	line, col int
	depth     int
	opts      Options
	fn        func(*Entry) error
	info      Info
	sawLog    bool
	sawEntrs  bool
	scratch   []byte
	userErr   error
	interning bool              // strSized shares short strings through words
	words     map[string]string // see word
}

func (d *decoder) errf(format string, args ...any) error {
	return &SyntaxError{Line: d.line, Col: d.col + 1, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) top() error {
	b, err := d.peek()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: the file is empty", ErrNotHAR)
		}
		return err
	}
	if b != '{' {
		return fmt.Errorf("%w: %w", ErrNotHAR, d.errf("expected a JSON object, found %s", describe(b)))
	}
	err = d.object(func(key string) error {
		if key == "log" {
			d.sawLog = true
			return d.log()
		}
		return d.skip()
	})
	if err != nil {
		if d.userErr != nil {
			return d.userErr
		}
		return err
	}
	if !d.sawLog {
		return fmt.Errorf("%w: no \"log\" object", ErrNotHAR)
	}
	if !d.sawEntrs {
		return fmt.Errorf("%w: no \"log.entries\" array", ErrNotHAR)
	}
	return nil
}

func (d *decoder) log() error {
	if b, err := d.peek(); err != nil {
		return err
	} else if b != '{' {
		return fmt.Errorf("%w: %w", ErrNotHAR, d.errf("\"log\" must be an object, found %s", describe(b)))
	}
	return d.object(func(key string) error {
		switch key {
		case "version":
			v, err := d.str(maxShort)
			d.info.Version = v
			return err
		case "creator":
			return d.objectOrSkip(func(k string) error {
				if k == "name" {
					v, err := d.str(maxShort)
					d.info.Creator = v
					return err
				}
				return d.skip()
			})
		case "entries":
			d.sawEntrs = true
			b, err := d.peek()
			if err != nil {
				return err
			}
			if b != '[' {
				return fmt.Errorf("%w: %w", ErrNotHAR, d.errf("\"log.entries\" must be an array, found %s", describe(b)))
			}
			return d.array(func() error {
				e := &Entry{Index: d.info.Entries}
				d.info.Entries++
				if err := d.entry(e); err != nil {
					return err
				}
				if err := d.fn(e); err != nil {
					d.userErr = err
					return err
				}
				return nil
			})
		}
		return d.skip()
	})
}

func (d *decoder) entry(e *Entry) error {
	return d.objectOrSkip(func(key string) error {
		switch key {
		case "startedDateTime":
			v, err := d.str(maxShort)
			if err == nil && v != "" {
				if t, perr := time.Parse(time.RFC3339Nano, v); perr == nil {
					e.Started = t
				}
			}
			return err
		case "request":
			return d.request(e)
		case "response":
			return d.response(e)
		}
		return d.skip()
	})
}

func (d *decoder) request(e *Entry) error {
	rq := &e.Request
	return d.objectOrSkip(func(key string) error {
		var err error
		switch key {
		case "method":
			rq.Method, err = d.word()
		case "url":
			rq.URL, err = d.str(maxURL)
		case "httpVersion":
			rq.HTTPVersion, err = d.word()
		case "headers":
			rq.Headers, err = d.headers()
		case "postData":
			pd := &PostData{}
			rq.PostData = pd
			err = d.objectOrSkip(func(k string) error {
				switch k {
				case "mimeType":
					var err error
					pd.MimeType, err = d.word()
					return err
				case "text":
					limit := d.limit(e, false)
					text, size, truncated, err := d.strSized(limit)
					pd.Text, pd.Size, pd.Truncated = text, size, truncated
					return err
				case "params":
					return d.arrayOrSkip(func() error {
						var p Param
						if err := d.objectOrSkip(func(k string) error {
							switch k {
							case "name":
								var err error
								p.Name, err = d.word()
								return err
							case "value":
								var err error
								p.Value, err = d.str(maxHeader)
								return err
							}
							return d.skip()
						}); err != nil {
							return err
						}
						if len(pd.Params) < maxParams {
							pd.Params = append(pd.Params, p)
						}
						return nil
					})
				}
				return d.skip()
			})
		default:
			err = d.skip()
		}
		return err
	})
}

func (d *decoder) response(e *Entry) error {
	rs := &e.Response
	return d.objectOrSkip(func(key string) error {
		var err error
		switch key {
		case "status":
			var f float64
			f, err = d.num()
			if f >= 0 && f < 1000 {
				rs.Status = int(f)
			}
		case "statusText":
			rs.StatusText, err = d.word()
		case "headers":
			rs.Headers, err = d.headers()
		case "redirectURL":
			rs.RedirectURL, err = d.str(maxURL)
		case "content":
			err = d.objectOrSkip(func(k string) error {
				switch k {
				case "size":
					f, err := d.num()
					rs.Content.Size = int64(f)
					return err
				case "mimeType":
					var err error
					rs.Content.MimeType, err = d.word()
					return err
				case "encoding":
					var err error
					rs.Content.Encoding, err = d.word()
					return err
				case "text":
					limit := d.limit(e, true)
					text, _, truncated, err := d.strSized(limit)
					rs.Content.Text, rs.Content.Truncated = text, truncated
					return err
				}
				return d.skip()
			})
		default:
			err = d.skip()
		}
		return err
	})
}

func (d *decoder) limit(e *Entry, response bool) int {
	if d.opts.BodyLimit == nil {
		return DefaultBodyLimit
	}
	return max(d.opts.BodyLimit(e, response), 0)
}

func (d *decoder) headers() ([]Header, error) {
	var hs []Header
	err := d.arrayOrSkip(func() error {
		var h Header
		named := false
		keep := func() bool { return d.opts.KeepHeader == nil || d.opts.KeepHeader(h.Name) }
		if err := d.objectOrSkip(func(k string) error {
			switch k {
			case "name":
				var err error
				h.Name, err = d.word()
				named = true
				return err
			case "value":
				if named && !keep() {
					return d.skip()
				}
				var err error
				h.Value, err = d.str(maxHeader)
				return err
			}
			return d.skip()
		}); err != nil {
			return err
		}
		if keep() && len(hs) < maxHeaders {
			hs = append(hs, h)
		}
		return nil
	})
	return hs, err
}

// ---- the JSON pull reader

func (d *decoder) advance(b byte) {
	if b == '\n' {
		d.line++
		d.col = 0
	} else {
		d.col++
	}
}

// peek returns the next byte that is not JSON whitespace, without
// consuming it.
func (d *decoder) peek() (byte, error) {
	for {
		b, err := d.r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			d.advance(b)
			continue
		}
		_ = d.r.UnreadByte()
		return b, nil
	}
}

func (d *decoder) next() (byte, error) {
	b, err := d.r.ReadByte()
	if err != nil {
		return 0, err
	}
	d.advance(b)
	return b, nil
}

func (d *decoder) eof(err error, what string) error {
	if errors.Is(err, io.EOF) {
		return d.errf("unexpected end of file in %s", what)
	}
	return err
}

func describe(b byte) string {
	if b >= 0x20 && b < 0x7f {
		return strconv.QuoteRune(rune(b))
	}
	return fmt.Sprintf("byte 0x%02x", b)
}

// object reads an object, calling fn for each key; fn must read the value.
func (d *decoder) object(fn func(key string) error) error {
	if b, err := d.next(); err != nil {
		return d.eof(err, "an object")
	} else if b != '{' {
		return d.errf("expected '{', found %s", describe(b))
	}
	d.depth++
	if d.depth > maxDepth {
		return d.errf("nested deeper than %d levels", maxDepth)
	}
	defer func() { d.depth-- }()
	b, err := d.peek()
	if err != nil {
		return d.eof(err, "an object")
	}
	if b == '}' {
		_, _ = d.next()
		return nil
	}
	for {
		b, err := d.peek()
		if err != nil {
			return d.eof(err, "an object")
		}
		if b != '"' {
			return d.errf("expected a quoted key, found %s", describe(b))
		}
		key, err := d.wordSized(maxKey)
		if err != nil {
			return err
		}
		if b, err = d.peek(); err != nil {
			return d.eof(err, "an object")
		}
		if b != ':' {
			return d.errf("expected ':' after key %q, found %s", key, describe(b))
		}
		_, _ = d.next()
		if _, err := d.peek(); err != nil {
			return d.eof(err, "an object")
		}
		if err := fn(key); err != nil {
			return err
		}
		b, err = d.peek()
		if err != nil {
			return d.eof(err, "an object")
		}
		switch b {
		case ',':
			_, _ = d.next()
			continue
		case '}':
			_, _ = d.next()
			return nil
		}
		return d.errf("expected ',' or '}' after the value of %q, found %s", key, describe(b))
	}
}

// array reads an array, calling fn for each element; fn must read it.
func (d *decoder) array(fn func() error) error {
	if b, err := d.next(); err != nil {
		return d.eof(err, "an array")
	} else if b != '[' {
		return d.errf("expected '[', found %s", describe(b))
	}
	d.depth++
	if d.depth > maxDepth {
		return d.errf("nested deeper than %d levels", maxDepth)
	}
	defer func() { d.depth-- }()
	b, err := d.peek()
	if err != nil {
		return d.eof(err, "an array")
	}
	if b == ']' {
		_, _ = d.next()
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		b, err := d.peek()
		if err != nil {
			return d.eof(err, "an array")
		}
		switch b {
		case ',':
			_, _ = d.next()
			if _, err := d.peek(); err != nil {
				return d.eof(err, "an array")
			}
			continue
		case ']':
			_, _ = d.next()
			return nil
		}
		return d.errf("expected ',' or ']' in an array, found %s", describe(b))
	}
}

// objectOrSkip reads an object, or skips a value of another type: HAR
// writers disagree on optional fields, and a null where an object belongs
// should not end the analysis.
func (d *decoder) objectOrSkip(fn func(key string) error) error {
	b, err := d.peek()
	if err != nil {
		return d.eof(err, "a value")
	}
	if b != '{' {
		return d.skip()
	}
	return d.object(fn)
}

func (d *decoder) arrayOrSkip(fn func() error) error {
	b, err := d.peek()
	if err != nil {
		return d.eof(err, "a value")
	}
	if b != '[' {
		return d.skip()
	}
	return d.array(fn)
}

// str reads a string value (keeping at most limit bytes), or skips a value
// of another type and returns "".
func (d *decoder) str(limit int) (string, error) {
	b, err := d.peek()
	if err != nil {
		return "", d.eof(err, "a value")
	}
	if b != '"' {
		return "", d.skip()
	}
	s, _, _, err := d.strSized(limit)
	return s, err
}

// word is str for short strings that repeat from entry to entry (keys,
// header names, methods, MIME types): equal ones share one copy, so
// reading them allocates only the first time.
func (d *decoder) word() (string, error) {
	b, err := d.peek()
	if err != nil {
		return "", d.eof(err, "a value")
	}
	if b != '"' {
		return "", d.skip()
	}
	return d.wordSized(maxShort)
}

// maxWord and maxWords bound the strings word shares.
const (
	maxWord  = 40
	maxWords = 4096
)

func (d *decoder) wordSized(limit int) (string, error) {
	d.interning = true
	s, _, _, err := d.strSized(limit)
	d.interning = false
	return s, err
}

// intern returns the shared copy of raw, a valid UTF-8 string without
// escapes.
func (d *decoder) intern(raw []byte) string {
	if s, ok := d.words[string(raw)]; ok {
		return s
	}
	s := string(raw)
	if d.words == nil {
		d.words = map[string]string{}
	}
	if len(d.words) < maxWords {
		d.words[s] = s
	}
	return s
}

// num reads a number (or a numeric string); other types are skipped as 0.
func (d *decoder) num() (float64, error) {
	b, err := d.peek()
	if err != nil {
		return 0, d.eof(err, "a value")
	}
	switch {
	case b == '"':
		s, _, _, err := d.strSized(maxNumberText)
		f, _ := strconv.ParseFloat(s, 64)
		return f, err
	case b == '-' || b >= '0' && b <= '9':
		tok, err := d.bare()
		if err != nil {
			return 0, err
		}
		f, perr := strconv.ParseFloat(tok, 64)
		if perr != nil {
			return 0, d.errf("bad number %q", tok)
		}
		return f, nil
	}
	return 0, d.skip()
}

// bare reads a number or literal token.
func (d *decoder) bare() (string, error) {
	var buf [maxNumberText]byte
	n := 0
	for {
		b, err := d.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && n > 0 {
				return string(buf[:n]), nil
			}
			return "", d.eof(err, "a value")
		}
		if b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '+' || b == '.' || b == 'E' {
			if n == len(buf) {
				return "", d.errf("value too long")
			}
			buf[n] = b
			n++
			d.advance(b)
			continue
		}
		_ = d.r.UnreadByte()
		if n == 0 {
			return "", d.errf("unexpected %s", describe(b))
		}
		return string(buf[:n]), nil
	}
}

// skip reads past one value of any type.
func (d *decoder) skip() error {
	b, err := d.peek()
	if err != nil {
		return d.eof(err, "a value")
	}
	switch b {
	case '"':
		_, _, _, err := d.strSized(0)
		return err
	case '{':
		return d.object(func(string) error { return d.skip() })
	case '[':
		return d.array(d.skip)
	}
	tok, err := d.bare()
	if err != nil {
		return err
	}
	switch tok {
	case "true", "false", "null":
		return nil
	}
	if _, perr := strconv.ParseFloat(tok, 64); perr != nil {
		return d.errf("unexpected %q", tok)
	}
	return nil
}

// strSized reads a string, keeping at most limit bytes of its decoded
// value. size is the length of the raw (escaped) text in the file.
func (d *decoder) strSized(limit int) (s string, size int, truncated bool, err error) {
	if b, err := d.next(); err != nil {
		return "", 0, false, d.eof(err, "a string")
	} else if b != '"' {
		return "", 0, false, d.errf("expected a string, found %s", describe(b))
	}
	raw := d.scratch[:0]
	carried := 0 // backslashes at the end of the previous chunk
	for {
		chunk, rerr := d.r.ReadSlice('"')
		d.track(chunk)
		switch {
		case rerr == nil:
			n := 0
			for i := len(chunk) - 2; i >= 0 && chunk[i] == '\\'; i-- {
				n++
			}
			if n == len(chunk)-1 {
				n += carried
			}
			if n%2 == 1 { // an escaped quote: the string goes on
				size += len(chunk)
				raw = keep(raw, chunk, limit)
				carried = 0
				continue
			}
			body := chunk[:len(chunk)-1]
			size += len(body)
			raw = keep(raw, body, limit)
			d.scratch = raw[:0]
			if d.interning && len(raw) <= min(limit, maxWord) && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
				return d.intern(raw), size, false, nil
			}
			out, cut := unescape(raw, limit)
			return out, size, cut || size > len(raw), nil
		case errors.Is(rerr, bufio.ErrBufferFull):
			size += len(chunk)
			raw = keep(raw, chunk, limit)
			n := 0
			for i := len(chunk) - 1; i >= 0 && chunk[i] == '\\'; i-- {
				n++
			}
			if n == len(chunk) {
				carried += n
			} else {
				carried = n
			}
		default:
			return "", size, false, d.eof(rerr, "a string")
		}
	}
}

func (d *decoder) track(chunk []byte) {
	if k := bytes.LastIndexByte(chunk, '\n'); k >= 0 {
		d.line += bytes.Count(chunk, []byte{'\n'})
		d.col = len(chunk) - k - 1
	} else {
		d.col += len(chunk)
	}
}

// keep appends as much of chunk as can decode to limit bytes: escapes are
// up to six bytes for one character, and a little more lets an escape cut
// at the end still decode.
func keep(raw, chunk []byte, limit int) []byte {
	room := limit*6 + 8 - len(raw)
	if limit <= 0 || room <= 0 {
		return raw
	}
	if len(chunk) > room {
		chunk = chunk[:room]
	}
	return append(raw, chunk...)
}

// unescape decodes JSON string escapes, leniently (a cut-off escape at the
// end is dropped), and returns at most limit bytes.
func unescape(raw []byte, limit int) (string, bool) {
	if limit <= 0 {
		return "", len(raw) > 0
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		cut := len(raw) > limit
		if cut {
			raw = raw[:limit]
		}
		if utf8.Valid(raw) {
			return string(raw), cut
		}
		return string(bytes.ToValidUTF8(raw, []byte("\uFFFD"))), cut
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw) && len(out) < limit; i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(raw) {
			break
		}
		i++
		switch raw[i] {
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'u':
			r, n := hex4(raw[i+1:])
			if n == 0 {
				continue
			}
			i += n
			if utf16.IsSurrogate(r) {
				if i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					r2, n2 := hex4(raw[i+3:])
					if n2 > 0 {
						r = utf16.DecodeRune(r, r2)
						i += 2 + n2
					}
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			out = append(out, raw[i])
		}
	}
	cut := len(out) > limit
	if cut {
		out = out[:limit]
	}
	if utf8.Valid(out) {
		return string(out), cut
	}
	return string(bytes.ToValidUTF8(out, []byte("\uFFFD"))), cut
}

func hex4(b []byte) (rune, int) {
	if len(b) < 4 {
		return 0, 0
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 32)
	if err != nil {
		return 0, 0
	}
	return rune(v), 4
}
