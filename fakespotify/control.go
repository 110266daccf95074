package fakespotify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// ControlPrefix is where the control endpoints live. Spotify has nothing
// there, so they cannot shadow a real path.
const ControlPrefix = "/_spotcheck/"

// AppInfo is an app as the control API shows it.
type AppInfo struct {
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	ClientID     string          `json:"client_id"`
	ClientSecret string          `json:"client_secret,omitempty"` // only in the answer to the request that created the app
	RedirectURIs []string        `json:"redirect_uris"`
	Mode         string          `json:"mode"`
	Allowlist    []string        `json:"allowlist,omitempty"`
	OwnerPremium bool            `json:"owner_premium"`
	Created      string          `json:"created,omitempty"`
	Consent      string          `json:"consent,omitempty"`
	AutoUser     string          `json:"auto_user,omitempty"`
	Policies     config.Policies `json:"policies"`
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

type cloneRequest struct {
	From string `json:"from"`
	AppOverrides
}

type clockRequest struct {
	Advance  string `json:"advance"`
	ClientID string `json:"client_id,omitempty"`
}

type policyRequest struct {
	ClientID string          `json:"client_id,omitempty"`
	Policies config.Policies `json:"policies"`
}

type revokeRequest struct {
	User     string `json:"user"`
	ClientID string `json:"client_id,omitempty"`
}

func (f *Fake) serveControl(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, ControlPrefix)
	q := r.URL.Query()
	switch {
	case path == "health" && r.Method == http.MethodGet:
		writeControl(w, http.StatusOK, map[string]any{"ok": true, "now": f.Now()})
	case path == "requests" && r.Method == http.MethodGet:
		id := clientScope(q)
		writeControl(w, http.StatusOK, map[string]any{"requests": f.Requests(id)})
	case path == "requests" && r.Method == http.MethodDelete:
		id := clientScope(q)
		f.ResetRequests(id)
		w.WriteHeader(http.StatusNoContent)
	case path == "inject" && r.Method == http.MethodPost:
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
	case path == "inject" && r.Method == http.MethodDelete:
		id := clientScope(q)
		f.ClearFaults(id)
		w.WriteHeader(http.StatusNoContent)
	case path == "revoke" && r.Method == http.MethodPost:
		var rr revokeRequest
		if !decode(w, r, &rr) {
			return
		}
		if rr.User == "" {
			controlError(w, http.StatusBadRequest, "user is required")
			return
		}
		writeControl(w, http.StatusOK, map[string]int{"revoked": f.Revoke(rr.User, rr.ClientID)})
	case path == "clock" && r.Method == http.MethodGet:
		writeControl(w, http.StatusOK, map[string]any{"now": f.NowFor(q.Get("client_id"))})
	case path == "clock" && r.Method == http.MethodPost:
		var cr clockRequest
		if !decode(w, r, &cr) {
			return
		}
		d, err := time.ParseDuration(cr.Advance)
		if err != nil || d < 0 {
			controlError(w, http.StatusBadRequest, fmt.Sprintf("advance: %q is not a positive duration like 10m", cr.Advance))
			return
		}
		if cr.ClientID == "" {
			f.AdvanceClock(d)
		} else if err := f.AdvanceClockFor(cr.ClientID, d); err != nil {
			controlError(w, http.StatusNotFound, err.Error())
			return
		}
		writeControl(w, http.StatusOK, map[string]any{"now": f.NowFor(cr.ClientID)})
	case path == "policy" && r.Method == http.MethodGet:
		writeControl(w, http.StatusOK, map[string]any{"policies": f.Policies(q.Get("client_id"))})
	case path == "policy" && r.Method == http.MethodPost:
		var pr policyRequest
		if !decode(w, r, &pr) {
			return
		}
		if err := f.SetPolicy(pr.ClientID, pr.Policies); err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeControl(w, http.StatusOK, map[string]any{"policies": f.Policies(pr.ClientID)})
	case path == "apps" && r.Method == http.MethodGet:
		apps := f.Apps()
		out := make([]AppInfo, len(apps))
		for i, a := range apps {
			out[i] = f.appInfo(a, false)
		}
		writeControl(w, http.StatusOK, map[string]any{"apps": out})
	case path == "apps" && r.Method == http.MethodPost:
		var cr cloneRequest
		if !decode(w, r, &cr) {
			return
		}
		if cr.From == "" {
			controlError(w, http.StatusBadRequest, "from (the app to copy) is required")
			return
		}
		a, err := f.CloneApp(cr.From, cr.AppOverrides)
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeControl(w, http.StatusCreated, f.appInfo(a, true))
	case strings.HasPrefix(path, "apps/") && r.Method == http.MethodDelete:
		if !f.DeleteApp(strings.TrimPrefix(path, "apps/")) {
			controlError(w, http.StatusNotFound, "no such app")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		if f.serveControlExtra(w, r, path) {
			return
		}
		controlError(w, http.StatusNotFound, "no control endpoint "+r.Method+" "+r.URL.Path)
	}
}

// clientScope is the client_id parameter of a listing or clearing
// request; without one it means every app ("*").
func clientScope(q url.Values) string {
	if !q.Has("client_id") {
		return "*"
	}
	return q.Get("client_id")
}

// serveControlExtra is where later control endpoints hook in.
var controlExtras []func(f *Fake, w http.ResponseWriter, r *http.Request, path string) bool

func (f *Fake) serveControlExtra(w http.ResponseWriter, r *http.Request, path string) bool {
	for _, x := range controlExtras {
		if x(f, w, r, path) {
			return true
		}
	}
	return false
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
	writeControl(w, status, map[string]string{"error": msg})
}
