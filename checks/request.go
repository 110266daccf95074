package checks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Request is one request to send. The zero Method is GET.
//
// With Raw set, the client does not use net/http: it writes the request
// itself over a TCP (or TLS) connection, with header values exactly as
// given, even ones net/http refuses (a line break inside a Basic header).
// See Bytes for what it writes. Wire goes further: those exact bytes are
// written and Method, Header and Body are ignored; URL still says where to
// connect, and the transcript is read back from the bytes.
type Request struct {
	Step    string // transcript label, set by the caller
	Method  string
	URL     string
	Header  http.Header
	Body    []byte
	Raw     bool
	Wire    []byte
	Timeout time.Duration // replaces the client's timeout for this request
}

// Bytes returns what a Raw request writes: the request line with the
// URL's path and query as written, a Host header (unless Header has one),
// Header in sorted name order with names and values untouched, a
// Content-Length (unless Header has one, and only when there is a body or
// the method usually carries one), Connection: close (unless given), a
// blank line and Body. For a Wire request it returns Wire.
func (r Request) Bytes() []byte {
	if r.Wire != nil {
		return r.Wire
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	host, target := splitTarget(r.URL)
	var b bytes.Buffer
	b.WriteString(method + " " + target + " HTTP/1.1\r\n")
	has := func(name string) bool {
		for k := range r.Header {
			if strings.EqualFold(k, name) {
				return true
			}
		}
		return false
	}
	if !has("Host") {
		b.WriteString("Host: " + host + "\r\n")
	}
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range r.Header[k] {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	if !has("Content-Length") && (len(r.Body) > 0 || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch) {
		b.WriteString("Content-Length: " + strconv.Itoa(len(r.Body)) + "\r\n")
	}
	if !has("Connection") {
		b.WriteString("Connection: close\r\n")
	}
	b.WriteString("\r\n")
	b.Write(r.Body)
	return b.Bytes()
}

// splitTarget splits an absolute URL into its authority and its
// request-target, keeping the path and query exactly as written (url.URL
// would re-escape them) and dropping the fragment, which is never sent.
func splitTarget(raw string) (host, target string) {
	rest := raw
	if _, after, ok := strings.Cut(raw, "://"); ok {
		rest = after
	}
	rest, _, _ = strings.Cut(rest, "#")
	i := strings.IndexAny(rest, "/?")
	if i < 0 {
		if at := strings.LastIndexByte(rest, '@'); at >= 0 {
			rest = rest[at+1:]
		}
		return rest, "/"
	}
	host, target = rest[:i], rest[i:]
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:] // userinfo is not part of Host
	}
	if strings.HasPrefix(target, "?") {
		target = "/" + target
	}
	return host, target
}

// Response is what came back. Header and Body are NOT redacted (the
// caller needs the real tokens): never log or print them; show wire.Exchange,
// the redacted copy in the transcript, instead.
type Response struct {
	Seq       int
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool // the body exceeded MaxResponseBytes and was cut there
	Duration  time.Duration
	Exchange  wire.Exchange
}

// String describes the response without its contents, so that printing
// one by mistake shows nothing secret.
func (r *Response) String() string {
	if r == nil {
		return "<no response>"
	}
	return fmt.Sprintf("HTTP %d (exchange %d, %d bytes)", r.Status, r.Seq, len(r.Body))
}

// Location is the redirect target, as sent.
func (r *Response) Location() string { return r.Header.Get("Location") }

// JSON decodes the body into v.
func (r *Response) JSON(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("exchange %d: HTTP %d body is not the JSON expected: %w", r.Seq, r.Status, err)
	}
	return nil
}

// Token parses the body as a token endpoint success response.
func (r *Response) Token() (wire.TokenResponse, error) { return wire.ParseTokenResponse(r.Body) }
