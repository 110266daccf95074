package checks

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/spotcheck/spotcheck/scenarios"
)

// FuzzExports feeds what a target answered (any body, any header) through
// the exports later steps read: a hostile or broken server must never
// crash the runner, and a string member must come back exactly.
func FuzzExports(f *testing.F) {
	f.Add([]byte(`{"access_token":"BQ","token_type":"Bearer","expires_in":3600,"refresh_token":"AQ","scope":"a b"}`), "access_token", "Retry-After", "30")
	f.Add([]byte(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`), "error_description", "WWW-Authenticate", `Bearer realm="spotify"`)
	f.Add([]byte(`{"error":{"status":403,"message":"Insufficient client scope"}}`), "error.status", "", "")
	f.Add([]byte(`{"items":[{"name":"a"},{"id":1},{"name":null}]}`), "items[*].name", "Content-Type", "application/json")
	f.Add([]byte(`Check settings on developer.spotify.com/dashboard, the user may not be registered.`), "x", "", "")
	f.Add([]byte(`[1,2,{"a":[]}]`), "[2].a", "", "")
	f.Add([]byte(`{"access_token":12,"refresh_token":{"x":1}}`), "a..b", "", "")
	f.Add([]byte{}, "[", "", "")
	f.Fuzz(func(t *testing.T, body []byte, path, header, value string) {
		h := http.Header{}
		if header != "" {
			h.Add(header, value)
		}
		e := newExports(scenarios.KindRefresh)
		e.setResponse(&Response{Status: 200, Header: h, Body: body})
		names := []string{"access_token", "refresh_token", "scope", "expires_in", "token_type"}
		e.setTokenFields(body, names...)
		var obj map[string]any
		isObj := json.Unmarshal(body, &obj) == nil
		for _, n := range append(names, "status", "body", "used_refresh_token") {
			got, err := e.lookup("s", scenarios.Ref{Kind: scenarios.RefSteps, Step: "s", Name: n})
			if s, ok := obj[n].(string); isObj && ok && (err != nil || got != s) {
				t.Fatalf("%s: got %q, %v; want %q", n, got, err, s)
			}
		}
		if got, err := e.lookup("s", scenarios.Ref{Kind: scenarios.RefSteps, Step: "s", Name: "body"}); err != nil || got != string(body) {
			t.Fatalf("body: %q, %v", got, err)
		}
		_, _ = e.lookup("s", scenarios.Ref{Kind: scenarios.RefSteps, Step: "s", Name: "json", Arg: path})
		_, _ = e.lookup("s", scenarios.Ref{Kind: scenarios.RefSteps, Step: "s", Name: "header", Arg: header})
	})
}
