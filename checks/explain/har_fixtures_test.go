package explain_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain"
)

// harSecrets lists every secret a HAR carries, in the forms a careless
// renderer could leak: client secrets (and Basic credentials), codes,
// access and refresh tokens, PKCE verifiers.
func harSecrets(data []byte) []string {
	var f struct {
		Log struct {
			Entries []struct {
				Request struct {
					URL      string `json:"url"`
					Headers  []struct{ Name, Value string }
					PostData *struct{ Text string }
				}
				Response struct {
					Headers []struct{ Name, Value string }
					Content struct{ Text string }
				}
			}
		}
	}
	Expect(json.Unmarshal(data, &f)).To(Succeed())
	var out []string
	addForm := func(q url.Values) {
		for _, k := range []string{"code", "client_secret", "code_verifier", "refresh_token", "access_token"} {
			if v := q.Get(k); len(v) >= 8 {
				out = append(out, v)
			}
		}
	}
	for _, e := range f.Log.Entries {
		if u, err := url.Parse(e.Request.URL); err == nil {
			addForm(u.Query())
		}
		for _, h := range append(e.Request.Headers, e.Response.Headers...) {
			switch strings.ToLower(h.Name) {
			case "authorization":
				_, cred, _ := strings.Cut(h.Value, " ")
				out = append(out, cred)
				if b, err := base64.StdEncoding.DecodeString(cred); err == nil {
					if _, sec, ok := strings.Cut(string(b), ":"); ok {
						out = append(out, strings.TrimSpace(sec))
					}
				}
			case "location":
				if u, err := url.Parse(h.Value); err == nil {
					addForm(u.Query())
				}
			}
		}
		if e.Request.PostData != nil {
			q, _ := url.ParseQuery(e.Request.PostData.Text)
			addForm(q)
		}
		var m map[string]any
		if json.Unmarshal([]byte(e.Response.Content.Text), &m) == nil {
			for _, k := range []string{"access_token", "refresh_token"} {
				if s, ok := m[k].(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// expectNoSecrets renders a result every way and checks that no secret
// appears, in clear or base64.
func expectNoSecrets(res *explain.Result, secrets []string) {
	GinkgoHelper()
	var text, js bytes.Buffer
	Expect(explain.WriteText(&text, res)).To(Succeed())
	Expect(explain.WriteJSON(&js, res)).To(Succeed())
	for _, out := range []string{text.String(), js.String()} {
		for _, s := range secrets {
			Expect(out).NotTo(ContainSubstring(s))
			Expect(out).NotTo(ContainSubstring(base64.StdEncoding.EncodeToString([]byte(s))))
		}
	}
}

type harWant struct {
	top     string
	cause   string
	finding string
	alsoIDs []string
}

var harWants = map[string]harWant{
	"token-redirect-uri-mismatch.har": {top: "token-redirect-uri-mismatch", cause: "two-places", finding: "first difference at character"},
	"oauth2-auth-style-retry.har":     {top: "token-redirect-uri-mismatch", finding: "auth-style retry", alsoIDs: []string{"code-invalid"}},
	"code-reused-reload.har":          {top: "code-invalid", cause: "reused", finding: "loaded 2 times"},
	"code-expired.har":                {top: "code-expired", cause: "slow", finding: "12m1s later"},
	"client-id-mismatch.har":          {top: "client-id-mismatch", finding: "client_id at /authorize"},
	"basic-secret-newline.har":        {top: "client-secret-invalid", cause: "whitespace", finding: `ends with a newline`},
	"pkce-padded-challenge.har":       {top: "pkce-verifier-mismatch", cause: "padding", finding: "padding"},
	"pkce-hex-challenge.har":          {top: "pkce-verifier-mismatch", cause: "hex", finding: "hex(SHA-256(verifier))"},
	"scope-insufficient.har":          {top: "scope-insufficient", cause: "not-requested", finding: "needs user-read-recently-played"},
	"access-token-expired.har":        {top: "access-token-expired", cause: "expired", finding: "1h5m"},
	"rate-limited.har":                {top: "rate-limited", cause: "ignores-retry-after", finding: "before Retry-After had passed"},
	"state-two-logins.har":            {top: "state-mismatch", cause: "two-attempts", finding: "two logins ran at once"},
	"app-token-user-endpoint.har":     {top: "app-token-user-endpoint", cause: "client-credentials", finding: "grant_type=client_credentials"},
	"user-not-allowlisted.har":        {top: "user-not-allowlisted"},
	"refresh-token-rotated.har":       {top: "refresh-token-revoked", cause: "rotated", finding: "single use"},
	"implicit-grant.har":              {top: "implicit-grant-removed", cause: "implicit"},
}

func checkHAR(res *explain.Result, w harWant) {
	GinkgoHelper()
	Expect(res.Recognised()).To(BeTrue(), "notes: %v closest: %v", res.Notes, res.Closest)
	top := res.Matches[0]
	Expect(top.Entry.ID).To(Equal(w.top), "matches: %v", ids(res))
	if w.cause != "" {
		Expect(top.Cause).To(Equal(w.cause))
	}
	if w.finding != "" {
		Expect(strings.Join(top.Findings, "\n")).To(ContainSubstring(w.finding))
	}
	for _, id := range w.alsoIDs {
		Expect(ids(res)).To(ContainElement(id))
	}
}

var _ = Describe("HAR fixtures recorded from the fake", func() {
	It("has a fixture for every recorded scenario and an expectation for every fixture", func() {
		files, err := filepath.Glob("testdata/*.har")
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, f := range files {
			names = append(names, filepath.Base(f))
		}
		var want, recorded []string
		for k := range harWants {
			want = append(want, k)
		}
		for _, sc := range harScenarios {
			recorded = append(recorded, sc.file)
		}
		Expect(names).To(ConsistOf(want))
		Expect(recorded).To(ConsistOf(want))
	})

	for _, sc := range harScenarios {
		sc := sc
		w := harWants[sc.file]
		It("explains "+sc.file+" as "+w.top+" without echoing a secret", func() {
			data, err := os.ReadFile(filepath.Join("testdata", sc.file))
			Expect(err).NotTo(HaveOccurred())
			res, err := explain.Default().Explain(data, explain.Options{Name: sc.file})
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Input.Kind).To(Equal(explain.KindHAR))
			checkHAR(res, w)
			expectNoSecrets(res, harSecrets(data))
		})

		It("explains a fresh recording of "+sc.file+" the same way (the fake still answers so)", func() {
			data, err := record(sc)
			Expect(err).NotTo(HaveOccurred())
			res, err := explain.Default().Explain(data, explain.Options{Name: sc.file, As: explain.KindHAR})
			Expect(err).NotTo(HaveOccurred())
			checkHAR(res, w)
			expectNoSecrets(res, harSecrets(data))
		})
	}

	It("tells the oauth2 retry apart: the printed error alone says code-invalid, the HAR says why", func() {
		data, err := os.ReadFile("testdata/oauth2-auth-style-retry.har")
		Expect(err).NotTo(HaveOccurred())
		var f struct{ Log struct{ Comment string } }
		Expect(json.Unmarshal(data, &f)).To(Succeed())
		_, printed, ok := strings.Cut(f.Log.Comment, "The program printed: ")
		Expect(ok).To(BeTrue())
		Expect(explainText(printed).Matches[0].Entry.ID).To(Equal("code-invalid"))
		res, err := explain.Default().Explain(data, explain.Options{Name: "retry.har"})
		Expect(err).NotTo(HaveOccurred())
		var retry explain.Match
		for _, m := range res.Matches {
			if m.Entry.ID == "code-invalid" {
				retry = m
			}
		}
		Expect(retry.Cause).To(Equal("auth-style-retry"))
		Expect(strings.Join(retry.Findings, " ")).To(ContainSubstring("Authorization: Basic header"))
	})
})
