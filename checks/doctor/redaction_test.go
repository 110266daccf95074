package doctor_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/rs/zerolog"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// renderAll renders a result in every report format.
func renderAll(res *checks.FindingsResult) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range reports.Formats {
		var b bytes.Buffer
		Expect(reports.Write(&b, f, reports.Document{Findings: res}, reports.Options{})).To(Succeed())
		out["report."+string(f)] = b.Bytes()
	}
	return out
}

var _ = Describe("the doctor never shows a secret or a token", func() {
	DescribeTable("in any report format, the debug log or an error",
		func(from string, o fakespotify.AppOverrides, prep func(*scenario) []string) {
			s := newScenario(srv, from, o)
			secrets := prep(s)
			var log bytes.Buffer
			s.opts.Log = zerolog.New(&log).Level(zerolog.DebugLevel)
			res, err := s.run()
			outputs := map[string][]byte{"debug.log": log.Bytes()}
			if err != nil {
				outputs["error"] = []byte(err.Error())
			} else {
				for k, v := range renderAll(res) {
					outputs[k] = v
				}
				Expect(res.Findings).NotTo(BeEmpty(), "the scenario shows problems, so evidence is rendered")
				Expect(log.String()).To(ContainSubstring(`"message":"doctor exchange"`), "the log has something to leak from")
			}
			secrets = append(secrets, s.app.ClientSecret, reportstest.BasicPair(s.app.ClientID, s.app.ClientSecret))
			if s.access != "" {
				secrets = append(secrets, s.access, s.refresh)
			}
			Expect(reportstest.AssertNoSecrets(outputs, secrets...)).To(Succeed())
		},
		Entry("a wrong secret, with whitespace and quotes around the real one tried", "web", fakespotify.AppOverrides{}, func(s *scenario) []string {
			s.env[checks.EnvClientSecret] = "\"" + s.app.ClientSecret + "\"\n"
			return []string{s.env[checks.EnvClientSecret]}
		}),
		Entry("id and secret swapped: the value in the id slot is the secret", "web", fakespotify.AppOverrides{}, func(s *scenario) []string {
			s.env[checks.EnvClientID], s.env[checks.EnvClientSecret] = s.app.ClientSecret, s.app.ClientID
			return nil
		}),
		Entry("a Basic header with a line break stored as the secret", "web", fakespotify.AppOverrides{}, func(s *scenario) []string {
			b := base64.StdEncoding.EncodeToString([]byte(s.app.ClientID + ":" + s.app.ClientSecret))
			s.env[checks.EnvClientSecret] = "Basic " + b[:76] + "\n" + b[76:]
			return []string{b, b[:76], b[76:]}
		}),
		Entry("a token cache refreshed, on an app that refuses the user", "dev", fakespotify.AppOverrides{Allowlist: []string{"bob"}}, func(s *scenario) []string {
			s.cache(doctor.FormatSpotcheck, "user-read-email", map[string]any{"expires_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)})
			return nil
		}),
		Entry("a rotated refresh token written back", "web", fakespotify.AppOverrides{Policies: config.Policies{Refresh: wire.RefreshAlwaysRotate}}, func(s *scenario) []string {
			s.cache(doctor.FormatSpotipy, "user-read-email", nil)
			return nil
		}),
		Entry("a revoked refresh token", "web", fakespotify.AppOverrides{}, func(s *scenario) []string {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
			srv.Revoke("alice", s.app.ClientID)
			return nil
		}),
		Entry("a PKCE pair with padding", "web", fakespotify.AppOverrides{}, func(s *scenario) []string {
			pkce(s)
			s.opts.CodeVerifier, s.opts.CodeChallenge = verifier, challengeOf(verifier)+"="
			return []string{verifier}
		}),
		Entry("secrets committed to the repository and its history", "web", fakespotify.AppOverrides{}, func(s *scenario) []string {
			repo(s, map[string]string{"src/a.js": "const s='" + s.app.ClientSecret + "'", "conf.yaml": "api_secret: " + otherHex + "\n"})
			s.opts.ScanHistory = 5
			return []string{otherHex}
		}),
		Entry("a malformed token cache (an input error)", "web", fakespotify.AppOverrides{}, func(s *scenario) []string {
			s.opts.TokenCache = write(s.dir, ".cache", `{"access_token": "BQsecretsecretsecret", "expires_at": "x"}`)
			s.opts.Log = zerolog.Nop()
			return []string{"BQsecretsecretsecret"}
		}),
	)

	It("keeps the rotated refresh token out of every output too", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{Policies: config.Policies{Refresh: wire.RefreshAlwaysRotate}})
		path := s.cache(doctor.FormatSpotipy, "user-read-email", nil)
		var log bytes.Buffer
		s.opts.Log = zerolog.New(&log).Level(zerolog.DebugLevel)
		res := s.mustRun()
		tc, err := doctor.ReadTokenCache(path)
		Expect(err).NotTo(HaveOccurred())
		outputs := renderAll(res)
		outputs["debug.log"] = log.Bytes()
		Expect(reportstest.AssertNoSecrets(outputs, tc.RefreshToken, s.refresh, s.access)).To(Succeed())
		Expect(string(outputs["report.text"])).To(ContainSubstring(redact.Fingerprint(tc.RefreshToken)))
	})
})

// FuzzCredentials: whatever lands in SPOTIFY_CLIENT_ID and
// SPOTIFY_CLIENT_SECRET, an offline run never panics, never shows the
// secret, and gives only findings the doctor documents.
func FuzzCredentials(f *testing.F) {
	f.Add(scanID, scanSecret)
	f.Add(scanSecret, scanID)
	f.Add("undefined", "\""+scanSecret+"\"\n")
	f.Add(" "+scanID, "Basic "+base64.StdEncoding.EncodeToString([]byte(scanID+":"+scanSecret)))
	f.Add(scanID, "Basic "+base64.StdEncoding.EncodeToString([]byte(scanID + ":" + scanSecret))[:40]+"\n"+base64.StdEncoding.EncodeToString([]byte(scanID + ":" + scanSecret))[40:])
	f.Add("${SPOTIFY_CLIENT_ID}", "Basic")
	f.Add("", "\t\r\n")
	known := map[string]bool{}
	for _, d := range doctor.Definitions() {
		known[string(d.ID)] = true
	}
	f.Fuzz(func(t *testing.T, id, secret string) {
		creds, err := checks.ResolveCredentials(checks.CredentialFlags{}, func(k string) (string, bool) {
			switch k {
			case checks.EnvClientID:
				return id, true
			case checks.EnvClientSecret:
				return secret, true
			}
			return "", false
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := doctor.Run(context.Background(), doctor.Options{Credentials: creds})
		if err != nil {
			t.Fatal(err)
		}
		body, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range res.Findings {
			if !known[fd.ID] {
				t.Fatalf("undocumented finding %q", fd.ID)
			}
		}
		// Short values cannot be told from ordinary words, so only a
		// secret of a credible length is searched for.
		if s := strings.TrimSpace(secret); len(s) >= 16 && strings.TrimSpace(id) != s {
			if bytes.Contains(body, []byte(s)) {
				t.Fatalf("the secret shows in the result: %s", fmt.Sprint(res.Findings))
			}
		}
	})
}

// FuzzInputs: whatever is given as --uses and --authorize-url, an offline
// run gives an *InputError naming the flag or a result, never a panic.
func FuzzInputs(f *testing.F) {
	f.Add("GET /v1/me/top/artists", "https://accounts.spotify.com/authorize?client_id=x&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcb&scope=a%2Cb&code_challenge=abc%3D&code_challenge_method=S256")
	f.Add("me/player, PUT /v1/me/tracks", "https://accounts.spotify.com/authorize?response_type=token")
	f.Add("https://api.spotify.com/v1/users/x/playlists?x=1", "http://127.0.0.1/en/authorize?redirect_uri=myapp%3A%2F%2Fcb%23frag")
	f.Add("DELETE", "::")
	f.Add("/", "https://accounts.spotify.com/login")
	f.Fuzz(func(t *testing.T, uses, authorize string) {
		creds, err := checks.ResolveCredentials(checks.CredentialFlags{ClientID: scanID, RedirectURIs: []string{callback}}, noEnv)
		if err != nil {
			t.Fatal(err)
		}
		_, err = doctor.Run(context.Background(), doctor.Options{Credentials: creds, Flow: doctor.FlowPKCE, Uses: []string{uses}, AuthorizeURL: authorize})
		var ie *doctor.InputError
		if err != nil && (!errors.As(err, &ie) || (ie.File != "--uses" && ie.File != "--authorize-url")) {
			t.Fatalf("error %T: %v", err, err)
		}
	})
}
