package checks_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// issued collects, on the fake's side of the wire, every secret of a run:
// what the fake hands out (codes in redirects, access and refresh tokens,
// the clones' client secrets, hence their Basic credentials) and what it is
// sent (code verifiers, the login form's password). The fake's own request log is
// redacted, so it cannot be the source of truth; the bytes on the wire are.
type issued struct {
	mu sync.Mutex
	by map[string]map[string]bool // kind -> values
}

func (s *issued) add(kind string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.by == nil {
		s.by = map[string]map[string]bool{}
	}
	if s.by[kind] == nil {
		s.by[kind] = map[string]bool{}
	}
	for _, v := range values {
		if v != "" {
			s.by[kind][v] = true
		}
	}
}

func (s *issued) count(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.by[kind])
}

func (s *issued) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, vs := range s.by {
		for v := range vs {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// wrap puts the collector in front of the fake's handler.
func (s *issued) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.request(r, body)
		tw := &tee{ResponseWriter: w}
		h.ServeHTTP(tw, r)
		s.response(w.Header(), tw.buf.Bytes())
	})
}

func (s *issued) request(r *http.Request, body []byte) {
	form, _ := url.ParseQuery(string(body))
	for k, vs := range r.URL.Query() {
		form[k] = append(form[k], vs...)
	}
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil {
		for k, v := range obj {
			if str, ok := v.(string); ok {
				form.Add(k, str)
			}
		}
	}
	s.add("verifier", form["code_verifier"]...)
	s.add("password", form["password"]...)
}

func (s *issued) response(h http.Header, body []byte) {
	if loc := h.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil {
			q := u.Query()
			frag, _ := url.ParseQuery(u.Fragment)
			s.add("code", q["code"]...)
			s.add("access_token", frag["access_token"]...)
		}
	}
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil {
		return
	}
	str := func(k string) string { v, _ := obj[k].(string); return v }
	s.add("access_token", str("access_token"))
	s.add("refresh_token", str("refresh_token"))
	if secret := str("client_secret"); secret != "" {
		s.add("client_secret", secret)
		s.add("basic", reportstest.BasicPair(str("client_id"), secret))
	}
}

type tee struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (t *tee) Write(b []byte) (int, error) {
	t.buf.Write(b)
	return t.ResponseWriter.Write(b)
}

var _ = Describe("redaction (issue 4: redaction is proven)", func() {
	It("keeps every secret of a built-in run, browser included, out of every report format", func() {
		cfg := fakespotify.DefaultConfig()
		fake, err := fakespotify.New(cfg)
		Expect(err).NotTo(HaveOccurred())
		secrets := &issued{}
		srv := httptest.NewServer(secrets.wrap(fake))
		DeferCleanup(srv.Close)
		t := &checks.Target{Kind: checks.TargetFake, Name: "fake", AccountsURL: srv.URL, APIURL: srv.URL + "/v1",
			Control: &control.Client{BaseURL: srv.URL}, Config: cfg}

		// Failing steps too: their actual values quote token responses and
		// their explanations quote the error.
		list := append(builtin(), parse(`
name: leak-probe-body
steps:
  - authorize: {}
  - exchange: {}
    expect: {status: 400, body_contains: "never"}
---
name: leak-probe-reuse
steps:
  - name: auth
    authorize: {pkce: s256}
  - exchange: {}
  - exchange: {code: "${steps.auth.code}"}
    expect: {status: 200}
---
name: leak-probe-refresh
steps:
  - authorize: {}
  - name: token
    exchange: {}
  - api: {path: "/v1/me", token: "${steps.token.refresh_token}"}
    expect: {status: 200}
`)...)
		res := run(list, t, checks.RunOptions{Browser: launch(), Version: "test"})
		p, f, _, _ := res.Counts()
		Expect(f).To(Equal(3), notPassed(res))
		Expect(p).To(Equal(len(list) - 3))

		for _, app := range cfg.Apps {
			secrets.add("client_secret", app.ClientSecret)
			secrets.add("basic", reportstest.BasicPair(app.ClientID, app.ClientSecret))
		}
		for _, u := range cfg.Users {
			secrets.add("password", u.Password)
		}
		// The collector must have seen the run, or the proof proves nothing.
		Expect(secrets.count("code")).To(BeNumerically(">", 60))
		Expect(secrets.count("access_token")).To(BeNumerically(">", 60))
		Expect(secrets.count("refresh_token")).To(BeNumerically(">", 40))
		Expect(secrets.count("verifier")).To(BeNumerically(">", 8))
		Expect(secrets.count("client_secret")).To(BeNumerically(">=", 5))
		Expect(secrets.by["password"]).To(HaveKey("alice-password"), "the browser's login form was seen")

		dir := GinkgoT().TempDir()
		var specs []reports.Spec
		for _, f := range reports.Formats {
			specs = append(specs, reports.Spec{Format: f, Path: filepath.Join(dir, "report."+string(f))})
		}
		doc := reports.Document{Run: &res}
		Expect(reports.WriteAll(specs, doc, reports.Options{Version: "test"})).To(BeEmpty())
		outputs := map[string][]byte{}
		for _, s := range specs {
			data, err := os.ReadFile(s.Path)
			Expect(err).NotTo(HaveOccurred())
			Expect(data).NotTo(BeEmpty())
			outputs[filepath.Base(s.Path)] = data
		}
		raw, err := json.Marshal(res)
		Expect(err).NotTo(HaveOccurred())
		outputs["RunResult as JSON"] = raw
		Expect(reportstest.AssertNoSecrets(outputs, secrets.all()...)).To(Succeed())

		// And the reports do show the run: fingerprints where the secrets were.
		Expect(string(outputs["report.json"])).To(ContainSubstring("[redacted "))
		Expect(string(outputs["report.html"])).To(ContainSubstring("consent-login-approve-exchange"))
	})
})
