package webapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// The headers api.spotify.com sends with its answers (wire reference §5.1;
// the allow-headers list is the one captured from live responses).
const (
	allowHeaders = "Accept, App-Platform, Authorization, Content-Type, Origin, Retry-After, Spotify-App-Version, X-Cloud-Trace-Context, client-token, content-access-token"
	allowMethods = "GET, POST, OPTIONS, PUT, DELETE, PATCH"
	contentJSON  = "application/json; charset=utf-8"
	contentText  = "text/plain; charset=utf-8"
)

// Header values as net/http keeps them, shared between answers: net/http
// only reads them, and a fresh []string per header per answer is an
// allocation each.
var (
	hdrCacheControl = []string{"private, max-age=0"}
	hdrAnyOrigin    = []string{"*"}
	hdrAllowHeaders = []string{allowHeaders}
	hdrAllowMethods = []string{allowMethods}
	hdrContentType  = map[string][]string{contentJSON: {contentJSON}, contentText: {contentText}}
)

func commonHeaders(h http.Header) {
	h["Cache-Control"] = hdrCacheControl
	h["Access-Control-Allow-Origin"] = hdrAnyOrigin
	h["Access-Control-Allow-Headers"] = hdrAllowHeaders
	h["Access-Control-Allow-Methods"] = hdrAllowMethods
}

// failure is a refusal decided before or inside a handler: a JSON error
// object, or (Text) the plain-text body of the development-mode 403s.
type failure struct {
	Status  int
	Message string
	// WWWAuthenticate is set on the 400 and 401s of token checking.
	WWWAuthenticate string
	// RetryAfter is the 429's Retry-After, in seconds.
	RetryAfter string
	// Reason is the player's reason field (§5.1), e.g. PREMIUM_REQUIRED.
	Reason string
	Text   bool
}

func (f *failure) write(w http.ResponseWriter) {
	if f.WWWAuthenticate != "" {
		w.Header().Set("WWW-Authenticate", f.WWWAuthenticate)
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Text {
		writeBody(w, f.Status, contentText, []byte(f.Message))
		return
	}
	body := wire.APIError{Status: f.Status, Message: f.Message, Reason: f.Reason}.Body()
	writeBody(w, f.Status, contentJSON, Pretty(body))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	e := encoders.Get().(*encoder)
	defer e.release()
	if err := e.enc.Encode(v); err != nil {
		// Only our own types are encoded here; failing is a bug in this
		// package, and a 500 names it rather than hiding it.
		writeBody(w, http.StatusInternalServerError, contentText, []byte("webapi: cannot encode response: "+err.Error()))
		return
	}
	e.pretty = AppendPretty(e.pretty[:0], bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
	writeBody(w, status, contentJSON, e.pretty)
}

// encoder is writeJSON's working state, pooled: a JSON encoder on its
// buffer and the buffer the answer is re-indented into.
type encoder struct {
	buf    bytes.Buffer
	enc    *json.Encoder
	pretty []byte
}

var encoders = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.buf)
	// Spotify's serializer leaves <, > and & alone; Go would escape them.
	e.enc.SetEscapeHTML(false)
	return e
}}

// release returns e to the pool, unless an answer (a long page) made its
// buffers large.
func (e *encoder) release() {
	if e.buf.Cap() > 64<<10 || cap(e.pretty) > 96<<10 {
		return
	}
	e.buf.Reset()
	encoders.Put(e)
}

func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	commonHeaders(h)
	if ct, ok := hdrContentType[contentType]; ok {
		h["Content-Type"] = ct
	} else if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h["Content-Length"] = wire.ContentLength(len(body))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Pretty re-indents compact JSON the way api.spotify.com prints it, which
// is the default pretty printer of Jackson: one object member per line,
// two spaces per level, a space either side of the colon, arrays inline as
// "[ a, b ]" (so an array of objects reads "[ {" ... "}, {" ... "} ]"), and
// empty containers as "{ }" and "[ ]". No trailing newline. Captured
// example (wire reference §5.1):
//
//	{
//	  "error" : {
//	    "status" : 403,
//	    "message" : "Insufficient client scope"
//	  }
//	}
//
// The input must be compact (as encoding/json writes it); strings are
// copied byte for byte, so colons, commas and brackets inside them are
// safe. Whitespace outside strings is dropped, so any valid JSON works.
func Pretty(compact []byte) []byte {
	return AppendPretty(make([]byte, 0, len(compact)+len(compact)/2), compact)
}

// AppendPretty appends Pretty(compact) to out.
func AppendPretty(out, compact []byte) []byte {
	depth := 0 // object nesting: arrays are inline and do not indent
	var room [32]byte
	stack := room[:0]
	newline := func() {
		out = append(out, '\n')
		for range depth {
			out = append(out, ' ', ' ')
		}
	}
	next := func(i int) byte { // the next byte that is not whitespace
		for ; i < len(compact); i++ {
			if c := compact[i]; c != ' ' && c != '\n' && c != '\r' && c != '\t' {
				return c
			}
		}
		return 0
	}
	for i := 0; i < len(compact); i++ {
		c := compact[i]
		switch c {
		case '"':
			j := i + 1
			for j < len(compact) && compact[j] != '"' {
				if compact[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(compact) {
				j = len(compact) - 1
			}
			out = append(out, compact[i:j+1]...)
			i = j
		case '{':
			if next(i+1) == '}' {
				out = append(out, '{', ' ', '}')
				for i++; compact[i] != '}'; i++ {
				}
				continue
			}
			out = append(out, '{')
			stack = append(stack, '{')
			depth++
			newline()
		case '[':
			if next(i+1) == ']' {
				out = append(out, '[', ' ', ']')
				for i++; compact[i] != ']'; i++ {
				}
				continue
			}
			out = append(out, '[', ' ')
			stack = append(stack, '[')
		case '}':
			if depth > 0 {
				depth--
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			newline()
			out = append(out, '}')
		case ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			out = append(out, ' ', ']')
		case ',':
			out = append(out, ',')
			if len(stack) > 0 && stack[len(stack)-1] == '[' {
				out = append(out, ' ')
			} else {
				newline()
			}
		case ':':
			out = append(out, ' ', ':', ' ')
		case ' ', '\n', '\r', '\t':
		default:
			out = append(out, c)
		}
	}
	return out
}
