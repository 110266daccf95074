package explain_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spotcheck/spotcheck/checks/explain"
)

// FuzzExplain: the detector never panics, whatever the text and kind, and
// whatever it says stays renderable and inside its confidence bounds.
func FuzzExplain(f *testing.F) {
	seeds := []string{
		`{"error":"invalid_grant","error_description":"Invalid authorization code"}`,
		"oauth2: cannot fetch token: 400 Bad Request\nResponse: {\"error\":\"invalid_client\"}",
		`oauth2: "invalid_grant" "\u00"`,
		"spotipy.exceptions.SpotifyException: http status: 403, code:-1 - https://api.spotify.com/v1/me/:\n User not registered in the Developer Dashboard, reason: None",
		`spotify: couldn't decode error: (99) [`,
		"WebapiAuthenticationError: An authentication error occurred while communicating with Spotify's Web API.\nDetails: ",
		`http://127.0.0.1:8888/callback?error=access_denied&state=%zz#error=`,
		`https://accounts.spotify.com/authorize?client_id=&scope=a,b&code_challenge=%3D&redirect_uri=http://[::1`,
		`b'{\n  "error" : {\n    "status" : 403,\n    "message" : "Insufficient client scope"\n  }\n}'`,
		`data: { error: 'invalid_grant', error_description: '`,
		`{"log":{"entries":[{"request":{"url":"http://x/api/token"},"response":{"status":400}}]}}`,
		`<html><title>Error</title><body>INVALID_CLIENT: Invalid redirect URI`,
		"error=invalid_client&error_description=%",
		strings.Repeat("{", 300) + strings.Repeat(`"error":`, 50),
		"\xff\xfe" + `{"error":"invalid_grant"}`,
	}
	for _, s := range seeds {
		for _, k := range []explain.Kind{explain.KindAuto, explain.KindText, explain.KindPage} {
			f.Add(s, string(k), "state")
		}
	}
	f.Fuzz(func(t *testing.T, input, kind, state string) {
		k, err := explain.ParseKind(kind)
		if err != nil {
			k = explain.KindAuto
		}
		res, err := explain.Default().Explain([]byte(input), explain.Options{As: k, State: state, Name: "fuzz"})
		if err != nil {
			return
		}
		for _, m := range res.Matches {
			if m.Confidence < explain.Recognised || m.Confidence > 1 {
				t.Fatalf("%s: confidence %v out of bounds", m.Entry.ID, m.Confidence)
			}
		}
		var b bytes.Buffer
		if err := explain.WriteText(&b, res); err != nil {
			t.Fatal(err)
		}
		if err := explain.WriteJSON(&b, res); err != nil {
			t.Fatal(err)
		}
		c := explain.Default()
		_ = c.MatchPage(input)
		_ = c.MatchCallback(input, state)
		_ = c.MatchResponse(explain.WhereWebAPI, 403, "text/plain", []byte(input))
	})
}

// FuzzExplainHAR: the HAR path (reader, classification, cross-request
// reasoning) never panics on a mutated capture. The seeds are the recorded
// fixtures (10–20 KB); fuzz with -fuzzminimizetime=1s, or the fuzzer spends
// minutes minimising each new input.
func FuzzExplainHAR(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.har")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"log":{"entries":[{"request":{"method":"POST","url":"http://x/api/token","headers":[{"name":"Authorization","value":"Basic !!"}],"postData":{"text":"grant_type=authorization_code&code=a&code=b"}},"response":{"status":400,"headers":[{"name":"Location","value":"::"}],"content":{"text":"{\"error\":5}","encoding":"base64"}}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := explain.Default().Explain(data, explain.Options{As: explain.KindHAR, Name: "fuzz.har"})
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := explain.WriteJSON(&b, res); err != nil {
			t.Fatal(err)
		}
	})
}
