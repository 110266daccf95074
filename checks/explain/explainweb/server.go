// Package explainweb serves `spotcheck explain --serve`: one local page
// where support staff paste an error or drop a HAR file and read the
// catalog's explanation, and the JSON API behind it (the same document as
// `spotcheck explain --format json`). The page has no external assets and
// works offline.
//
// The page receives what users send in: tokens, codes, client secrets in
// HARs. It is meant for loopback; requests for any other Host are refused
// (a DNS-rebinding page elsewhere cannot read answers), cross-origin POSTs
// are refused, nothing is stored and every answer is redacted.
package explainweb

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/httpserve"
)

//go:embed page.html
var pageHTML string

var pageTmpl = template.Must(template.New("page").Parse(pageHTML))

// DefaultMaxUpload is the largest request body accepted (a HAR upload).
const DefaultMaxUpload = 512 << 20

// maxJSONBody caps a pasted-text request before it is decoded: the
// catalog reads at most MaxTextInput bytes of text, and JSON's escaping
// of quotes, backslashes and line breaks rarely doubles a paste.
const maxJSONBody = 2 * explain.MaxTextInput

// Limits are the connection limits of the explain page (see httpserve):
// its defaults, with headers up to 64 KiB (a browser sends a few hundred
// bytes) and 64 connections (a few support staff, a browser each). A HAR
// upload must arrive within httpserve's 2-minute body deadline: 512 MiB
// needs 4.3 MB/s, far below loopback's.
var Limits = httpserve.Limits{MaxHeaderBytes: 64 << 10, MaxConns: 64}

// Options configure the handler.
type Options struct {
	// MaxUpload caps request bodies; 0 means DefaultMaxUpload.
	MaxUpload int64
	// Hosts are extra Host header values to accept besides loopback names
	// (for example the address given to --addr).
	Hosts []string
	// Version is shown in the page footer.
	Version string
}

// Handler serves the page and the API.
type Handler struct {
	cat  *explain.Catalog
	opts Options
	mux  *http.ServeMux
}

// New returns the handler for a catalog.
func New(c *explain.Catalog, opts Options) *Handler {
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	h := &Handler{cat: c, opts: opts, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /{$}", h.page)
	h.mux.HandleFunc("POST /api/explain", h.explain)
	h.mux.HandleFunc("GET /api/entries", h.entries)
	h.mux.HandleFunc("GET /api/schema", h.schema)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.hostAllowed(r.Host) {
		http.Error(w, "spotcheck explain answers only on loopback (Host "+r.Host+" refused)", http.StatusMisdirectedRequest)
		return
	}
	if r.Method == http.MethodPost {
		if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
			http.Error(w, "cross-origin request refused", http.StatusForbidden)
			return
		}
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) hostAllowed(host string) bool {
	if httpserve.IsLoopbackHost(host) {
		return true
	}
	name := httpserve.HostName(host)
	for _, a := range h.opts.Hosts {
		if strings.EqualFold(a, host) || strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, host)
}

func nonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

type pageData struct {
	Nonce   string
	Version string
	Kinds   []explain.Kind
	Entries int
}

func (h *Handler) page(w http.ResponseWriter, _ *http.Request) {
	n := nonce()
	w.Header().Set("Content-Security-Policy", fmt.Sprintf(
		"default-src 'none'; script-src 'nonce-%s'; style-src 'nonce-%s'; img-src data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'", n, n))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, pageData{Nonce: n, Version: h.opts.Version, Kinds: explain.Kinds, Entries: len(h.cat.Entries())}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(b.Bytes())
}

// apiError is the body of every non-200 API answer.
type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// explainRequest is the JSON form of POST /api/explain.
type explainRequest struct {
	Text  string `json:"text"`
	As    string `json:"as"`
	State string `json:"state"`
	Name  string `json:"name"`
}

// explain answers POST /api/explain: a JSON body {"text", "as", "state"},
// or multipart/form-data with a "file" part (a HAR or any text file) and
// optional "as" and "state" fields. The answer is the explain document.
func (h *Handler) explain(w http.ResponseWriter, r *http.Request) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	limit := h.opts.MaxUpload
	if mt == "application/json" {
		limit = min(limit, maxJSONBody)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var (
		res *explain.Result
		err error
	)
	switch mt {
	case "application/json":
		var req explainRequest
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&req); err != nil {
			h.fail(w, err, "the request body is not JSON: "+err.Error())
			return
		}
		kind, kerr := explain.ParseKind(req.As)
		if kerr != nil {
			writeJSON(w, http.StatusBadRequest, apiError{kerr.Error()})
			return
		}
		name := req.Name
		if name == "" {
			name = "pasted text"
		}
		res, err = h.cat.Explain([]byte(req.Text), explain.Options{As: kind, State: req.State, Name: name})
	case "multipart/form-data":
		res, err = h.explainUpload(multipart.NewReader(r.Body, params["boundary"]))
	default:
		writeJSON(w, http.StatusUnsupportedMediaType, apiError{"send application/json {\"text\": …} or multipart/form-data with a file"})
		return
	}
	if err != nil {
		h.fail(w, err, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res.Document())
}

// explainUpload streams the uploaded file into the catalog (a HAR is never
// held in memory whole). The form fields must come before the file.
func (h *Handler) explainUpload(mr *multipart.Reader) (*explain.Result, error) {
	opts := explain.Options{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, &explain.InputError{Err: errors.New("no file in the upload")}
		}
		if err != nil {
			return nil, err
		}
		switch part.FormName() {
		case "as", "state":
			v, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				return nil, err
			}
			if part.FormName() == "state" {
				opts.State = string(v)
				continue
			}
			k, err := explain.ParseKind(string(v))
			if err != nil {
				return nil, &explain.InputError{Err: err}
			}
			opts.As = k
		case "file":
			opts.Name = part.FileName()
			if opts.Name == "" {
				opts.Name = "upload"
			}
			return h.cat.ExplainReader(part, opts)
		}
	}
}

func (h *Handler) fail(w http.ResponseWriter, err error, msg string) {
	var tooBig *http.MaxBytesError
	var ie *explain.InputError
	switch {
	case errors.As(err, &tooBig) && tooBig.Limit < h.opts.MaxUpload:
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{fmt.Sprintf("the request body is larger than %s: paste at most %s of text, or upload a HAR file (up to %s)",
			mib(tooBig.Limit), mib(explain.MaxTextInput), mib(h.opts.MaxUpload))})
	case errors.As(err, &tooBig):
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{fmt.Sprintf("the upload is larger than %s", mib(h.opts.MaxUpload))})
	case errors.As(err, &ie), errors.Is(err, explain.ErrEmpty):
		writeJSON(w, http.StatusBadRequest, apiError{msg})
	default:
		writeJSON(w, http.StatusBadRequest, apiError{msg})
	}
}

// mib shows a byte count in whole MiB, or in bytes below one.
func mib(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

type entryInfo struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Where []string `json:"where"`
}

func (h *Handler) entries(w http.ResponseWriter, _ *http.Request) {
	var out []entryInfo
	for _, e := range h.cat.Entries() {
		ei := entryInfo{ID: e.ID, Title: e.Title}
		for _, wh := range e.Where {
			ei.Where = append(ei.Where, string(wh))
		}
		out = append(out, ei)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) schema(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	_, _ = w.Write(explain.Schema())
}
