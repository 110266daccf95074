package fakespotify

import (
	"bufio"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/httpserve"
)

// The control API's types live in package control, with its client; the
// names here keep code written against this package compiling.
type (
	// AppInfo is an app as the control API shows it.
	AppInfo = control.AppInfo
	// AppOverrides changes a cloned app (see CloneApp).
	AppOverrides = control.AppOverrides
	// Fault is a canned answer for matching requests (see Inject).
	Fault = control.Fault
	// Request is one logged request (see Requests).
	Request = control.Request
)

// ControlPrefix is where the control endpoints live.
const ControlPrefix = control.Prefix

// WithoutControl turns the /_spotcheck/ control endpoints off, for a fake
// that untrusted clients can reach.
func WithoutControl() Option { return func(f *Fake) { f.control = false } }

// WithControlToken makes the control API require "Authorization: Bearer
// <token>" on every request, compared in constant time, and answer on any
// Host: what a fake reached by a non-loopback name (in a container, on a
// LAN address) needs. Without a token the control API answers only
// requests addressed to a loopback name, and Listen turns it off on a
// non-loopback address. The token is a secret: it is redacted wherever
// the fake shows requests. New refuses a token shorter than
// MinControlToken, or with spaces or control characters, which no header
// could carry.
func WithControlToken(token string) Option { return func(f *Fake) { f.controlToken = token } }

// ControlAccess says whether, and to whom, the control API answers.
type ControlAccess int

const (
	// ControlOff: no control endpoints (WithoutControl, or Listen on a
	// non-loopback address without a token); they answer 404.
	ControlOff ControlAccess = iota
	// ControlLoopback: requests whose Host is a loopback name
	// (localhost, 127.0.0.0/8, ::1, any port).
	ControlLoopback
	// ControlToken: requests with the bearer token, on any Host.
	ControlToken
)

// ControlAccess reports who the control API answers.
func (f *Fake) ControlAccess() ControlAccess {
	switch {
	case !f.control || f.controlOff.Load():
		return ControlOff
	case f.controlToken != "":
		return ControlToken
	}
	return ControlLoopback
}

// MinControlToken is the shortest control token New accepts: a shorter
// one could be guessed by whoever reaches the port.
const MinControlToken = 16

func checkControlToken(tok string) error {
	switch {
	case tok == "":
		return nil
	case strings.IndexFunc(tok, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
		return errors.New("control token: it has a space or a control character, which no Authorization header can carry")
	case len(tok) < MinControlToken:
		return fmt.Errorf("control token: %d characters is too short to keep anyone out; use at least %d (openssl rand -hex 16 makes one)", len(tok), MinControlToken)
	}
	return nil
}

// serveControl guards the control API, then routes the request.
func (f *Fake) serveControl(w http.ResponseWriter, r *http.Request) {
	switch f.ControlAccess() {
	case ControlOff:
		http.NotFound(w, r)
		return
	case ControlToken:
		if !f.bearerMatches(r.Header.Get("Authorization")) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="spotcheck control"`)
			controlError(w, http.StatusUnauthorized, "this fake's control API needs Authorization: Bearer <its control token>")
			return
		}
	case ControlLoopback:
		// A page in the developer's browser can reach loopback, and DNS
		// rebinding can make it read the answers under its own name.
		if !httpserve.IsLoopbackHost(r.Host) {
			controlError(w, http.StatusMisdirectedRequest, "the control API answers only requests to a loopback name (Host "+
				r.Host+" refused); give the fake a control token to reach it by another name")
			return
		}
	}
	if !safeMethod(r.Method) {
		// A page can send a text/plain or form POST across origins
		// without asking; application/json needs a CORS preflight, which
		// the fake never grants.
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			controlError(w, http.StatusUnsupportedMediaType, "control requests that change something need Content-Type: application/json")
			return
		}
	}
	f.controlMux.ServeHTTP(w, r)
}

// safeMethod: reading the control API changes nothing, and a page cannot
// read the answer across origins, so GET and HEAD need no content type
// (curl and health checks work as they are).
func safeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

func (f *Fake) bearerMatches(h string) bool {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(f.controlToken)) == 1
}

// newControlMux routes the control endpoints (README: "Control endpoints").
func (f *Fake) newControlMux() *http.ServeMux {
	m := http.NewServeMux()
	p := control.Prefix
	m.HandleFunc("GET "+p+"health", f.controlHealth)
	m.HandleFunc("GET "+p+"requests", f.controlRequests)
	m.HandleFunc("DELETE "+p+"requests", f.controlResetRequests)
	m.HandleFunc("POST "+p+"inject", f.controlInject)
	m.HandleFunc("DELETE "+p+"inject", f.controlClearFaults)
	m.HandleFunc("POST "+p+"revoke", f.controlRevoke)
	m.HandleFunc("GET "+p+"clock", f.controlClock)
	m.HandleFunc("POST "+p+"clock", f.controlAdvanceClock)
	m.HandleFunc("GET "+p+"policy", f.controlPolicy)
	m.HandleFunc("POST "+p+"policy", f.controlSetPolicy)
	m.HandleFunc("GET "+p+"apps", f.controlApps)
	m.HandleFunc("POST "+p+"apps", f.controlCloneApp)
	m.HandleFunc("DELETE "+p+"apps/{client_id...}", f.controlDeleteApp)
	m.HandleFunc("POST "+p+"apps/{client_id}/secret", f.controlRotateSecret)
	m.HandleFunc("POST "+p+"users", f.controlCloneUser)
	m.HandleFunc("DELETE "+p+"users/{id}", f.controlDeleteUser)
	m.HandleFunc("GET "+p+"grade", f.controlGrade)
	m.HandleFunc("POST "+p+"grade", f.controlGrade)
	m.HandleFunc(p+"grade", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", "GET, POST")
		controlError(w, http.StatusMethodNotAllowed, "use GET to read the grade, POST to read it and start a new window")
	})
	m.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
		controlError(w, http.StatusNotFound, "no control endpoint "+r.Method+" "+r.URL.Path)
	})
	return m
}

func (f *Fake) controlHealth(w http.ResponseWriter, _ *http.Request) {
	writeControl(w, http.StatusOK, control.Health{OK: true, Now: f.Now()})
}

// controlRequests streams the listing one entry at a time, so that a
// full log is never held twice (as entries and as JSON); the entries are
// only pointed to, and redacted as they are written.
func (f *Fake) controlRequests(w http.ResponseWriter, r *http.Request) {
	raw := f.log.entries(clientScope(r.URL.Query()))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	_, _ = bw.WriteString("{\n  \"requests\": [")
	for i, e := range raw {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		_, _ = bw.WriteString("\n    ")
		b, err := json.MarshalIndent(f.redacted(e), "    ", "  ")
		if err != nil {
			return
		}
		if _, err := bw.Write(b); err != nil {
			return // the client went away
		}
		raw[i] = nil // written: the log alone keeps it now
	}
	_, _ = bw.WriteString("\n  ]\n}\n")
	_ = bw.Flush()
}

func (f *Fake) controlResetRequests(w http.ResponseWriter, r *http.Request) {
	f.ResetRequests(clientScope(r.URL.Query()))
	w.WriteHeader(http.StatusNoContent)
}

func (f *Fake) controlInject(w http.ResponseWriter, r *http.Request) {
	var ft Fault
	if !decode(w, r, &ft) {
		return
	}
	if ft.Path == "" {
		controlError(w, http.StatusBadRequest, "path is required")
		return
	}
	if ft.Status != 0 && (ft.Status < 100 || ft.Status > 599) {
		controlError(w, http.StatusBadRequest, fmt.Sprintf("status %d is not an HTTP status", ft.Status))
		return
	}
	f.Inject(ft)
	w.WriteHeader(http.StatusNoContent)
}

func (f *Fake) controlClearFaults(w http.ResponseWriter, r *http.Request) {
	f.ClearFaults(clientScope(r.URL.Query()))
	w.WriteHeader(http.StatusNoContent)
}

func (f *Fake) controlRevoke(w http.ResponseWriter, r *http.Request) {
	var rr control.RevokeRequest
	if !decode(w, r, &rr) {
		return
	}
	if rr.User == "" {
		controlError(w, http.StatusBadRequest, "user is required")
		return
	}
	writeControl(w, http.StatusOK, control.Revoked{Revoked: f.Revoke(rr.User, rr.ClientID)})
}

func (f *Fake) controlClock(w http.ResponseWriter, r *http.Request) {
	writeControl(w, http.StatusOK, control.Clock{Now: f.NowFor(r.URL.Query().Get("client_id"))})
}

func (f *Fake) controlAdvanceClock(w http.ResponseWriter, r *http.Request) {
	var cr control.ClockRequest
	if !decode(w, r, &cr) {
		return
	}
	d, err := time.ParseDuration(cr.Advance)
	if err != nil || d < 0 {
		controlError(w, http.StatusBadRequest, fmt.Sprintf("advance: %q is not a positive duration like 10m", cr.Advance))
		return
	}
	if cr.ClientID == "" {
		err = f.TryAdvanceClock(d)
	} else {
		err = f.AdvanceClockFor(cr.ClientID, d)
	}
	switch {
	case errors.Is(err, ErrClockRange):
		controlError(w, http.StatusBadRequest, fmt.Sprintf("advance: %q: %v", cr.Advance, err))
		return
	case err != nil:
		controlError(w, http.StatusNotFound, err.Error())
		return
	}
	writeControl(w, http.StatusOK, control.Clock{Now: f.NowFor(cr.ClientID)})
}

func (f *Fake) controlPolicy(w http.ResponseWriter, r *http.Request) {
	writeControl(w, http.StatusOK, control.PolicyAnswer{Policies: f.Policies(r.URL.Query().Get("client_id"))})
}

func (f *Fake) controlSetPolicy(w http.ResponseWriter, r *http.Request) {
	var pr control.PolicyRequest
	if !decode(w, r, &pr) {
		return
	}
	if err := f.SetPolicy(pr.ClientID, pr.Policies); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeControl(w, http.StatusOK, control.PolicyAnswer{Policies: f.Policies(pr.ClientID)})
}

func (f *Fake) controlApps(w http.ResponseWriter, _ *http.Request) {
	apps := f.Apps()
	out := make([]AppInfo, len(apps))
	for i, a := range apps {
		out[i] = f.appInfo(a, false)
	}
	writeControl(w, http.StatusOK, control.Apps{Apps: out})
}

func (f *Fake) controlCloneApp(w http.ResponseWriter, r *http.Request) {
	var cr control.CloneRequest
	if !decode(w, r, &cr) {
		return
	}
	if cr.From == "" {
		controlError(w, http.StatusBadRequest, "from (the app to copy) is required")
		return
	}
	a, err := f.CloneApp(cr.From, cr.AppOverrides)
	if errors.Is(err, ErrTooManyClones) {
		controlError(w, http.StatusConflict, err.Error())
		return
	}
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeControl(w, http.StatusCreated, f.appInfo(a, true))
}

func (f *Fake) controlDeleteApp(w http.ResponseWriter, r *http.Request) {
	if !f.DeleteApp(r.PathValue("client_id")) {
		controlError(w, http.StatusNotFound, "no such app")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (f *Fake) controlRotateSecret(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("client_id")
	secret, err := f.RotateSecret(id)
	if err != nil {
		controlError(w, http.StatusNotFound, err.Error())
		return
	}
	writeControl(w, http.StatusOK, control.Secret{ClientID: id, ClientSecret: secret})
}

func (f *Fake) controlCloneUser(w http.ResponseWriter, r *http.Request) {
	var cr control.CloneUserRequest
	if !decode(w, r, &cr) {
		return
	}
	if cr.From == "" {
		controlError(w, http.StatusBadRequest, "from (the user to copy) is required")
		return
	}
	u, err := f.CloneUser(cr.From)
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeControl(w, http.StatusCreated, control.UserInfo{ID: u.ID, DisplayName: u.DisplayName, Email: u.Email,
		Product: u.Product, Password: u.Password})
}

func (f *Fake) controlDeleteUser(w http.ResponseWriter, r *http.Request) {
	if err := f.DeleteUser(r.PathValue("id")); err != nil {
		controlError(w, http.StatusNotFound, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// controlGrade answers /_spotcheck/grade:
//
//	GET  /_spotcheck/grade[?client_id=ID|NAME]  the grade of the window so far
//	POST /_spotcheck/grade[?client_id=ID|NAME]  the same, and a new window starts
//
// without client_id, every app that sent requests. Query parameters
// late_exchange (a duration), early_refresh (a fraction), refreshes_per_minute,
// max_evidence and skip (rule ids, comma-separated) override the options.
func (f *Fake) controlGrade(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o, err := control.ParseGradeQuery(q, f.log.grading)
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	g, err := f.grade(q.Get("client_id"), o, r.Method == http.MethodPost)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errNoApp) {
			status = http.StatusNotFound
		}
		controlError(w, status, err.Error())
		return
	}
	writeControl(w, http.StatusOK, g)
}

func (f *Fake) appInfo(a config.App, withSecret bool) AppInfo {
	info := AppInfo{
		Name: a.Name, Description: a.Description, ClientID: a.ClientID, RedirectURIs: a.RedirectURIs,
		Mode: a.Mode, Allowlist: a.Allowlist, OwnerPremium: a.OwnerPremium, Consent: a.Consent,
		AutoUser: a.AutoUser, Policies: f.Policies(a.ClientID),
	}
	if !a.Created.IsZero() {
		info.Created = a.Created.Format("2006-01-02")
	}
	if withSecret {
		info.ClientSecret = a.ClientSecret
	}
	return info
}

// clientScope is the client_id parameter of a listing or clearing
// request; without one it means every app ("*").
func clientScope(q url.Values) string {
	if !q.Has("client_id") {
		return "*"
	}
	return q.Get("client_id")
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		controlError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func writeControl(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeControl(w, status, control.ErrorBody{Error: msg})
}
