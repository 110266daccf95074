package grade_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// log builds entries the way the fake logs them, with seq and ticks in
// order unless a test sets them.
type log struct{ entries []grade.Entry }

func (l *log) add(e grade.Entry) *grade.Entry {
	n := uint64(len(l.entries) + 1)
	if e.Seq == 0 {
		e.Seq = n
	}
	if e.StartTick == 0 && e.EndTick == 0 {
		e.StartTick, e.EndTick = 2*n-1, 2*n
	}
	if e.Time.IsZero() {
		e.Time = t0
	}
	if e.Header == nil {
		e.Header = http.Header{}
	}
	if e.ResponseHeader == nil {
		e.ResponseHeader = http.Header{}
	}
	if e.Method == "" {
		e.Method = http.MethodGet
	}
	l.entries = append(l.entries, e)
	return &l.entries[len(l.entries)-1]
}

func (l *log) api(path string, status int, at time.Time, header http.Header) {
	h := http.Header{"Authorization": {"Bearer BQtoken-value-0001"}}
	l.add(grade.Entry{Endpoint: wire.EndpointAPI, Path: path, Status: status, Time: at, ResponseHeader: header, Header: h})
}

func (l *log) exchange(code string, at time.Time) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://127.0.0.1:8888/callback"}}
	l.add(grade.Entry{Endpoint: wire.EndpointToken, Method: http.MethodPost, Path: "/api/token", Time: at,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {"Basic YWJjOmRlZg=="}},
		Body:   []byte(form.Encode()), Status: http.StatusBadRequest,
		ResponseBody: []byte(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`)})
}

func run(l *log, opts ...grade.Options) grade.Report {
	in := grade.Input{ClientID: "c1", App: "web", Entries: l.entries, Now: t0}
	if len(opts) > 0 {
		in.Options = opts[0]
	}
	return grade.Run(in)
}

func outcome(r grade.Report, id string) grade.Outcome {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return grade.Outcome{}
}

var _ = Describe("the rules", func() {
	It("have stable kebab-case ids, a group, a title, a severity and a fix each", func() {
		kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
		seen := map[string]bool{}
		for _, r := range grade.Rules() {
			Expect(r.ID).To(MatchRegexp(kebab.String()))
			Expect(seen[r.ID]).To(BeFalse(), r.ID)
			seen[r.ID] = true
			Expect(r.Group).NotTo(BeEmpty(), r.ID)
			Expect(r.Title).NotTo(BeEmpty(), r.ID)
			Expect(r.Fix).NotTo(BeEmpty(), r.ID)
			Expect([]grade.Severity{grade.SeverityError, grade.SeverityWarning, grade.SeverityInfo}).To(ContainElement(r.Severity))
		}
		Expect(grade.RuleIDs()).To(ContainElements("state-missing", "public-client-without-pkce", "pkce-method-not-s256", "code-invalid",
			"code-exchanged-late", "token-redirect-uri-mismatch", "refresh-token-revoked", "refresh-storm",
			"access-token-expired", "retry-after-ignored", "token-endpoint-from-browser", "client-secret-in-query",
			"access-token-in-query", "redirect-uri-localhost", "scope-requested-unused"))
	})

	It("are all in the README's rules table, with their severity", func() {
		readme, err := os.ReadFile("../../README.md")
		Expect(err).NotTo(HaveOccurred())
		for _, r := range grade.Rules() {
			Expect(string(readme)).To(MatchRegexp("\\| `"+regexp.QuoteMeta(r.ID)+"` \\| "+string(r.Severity)), r.ID)
		}
	})
})

var _ = Describe("Run", func() {
	It("skips every rule but no-requests when there is nothing to judge, and ignores what is not OAuth", func() {
		l := &log{}
		l.add(grade.Entry{Endpoint: "other", Path: "/favicon.ico", Status: 404})
		r := run(l)
		Expect(r.IDs()).To(Equal([]string{"no-requests"}))
		Expect(r.Findings[0].Severity).To(Equal(grade.SeverityError))
		Expect(r.Findings[0].Evidence).To(Equal([]string{"no requests from this app in the window"}))
		Expect(r.Checks).To(HaveLen(len(grade.Rules())))
		for _, c := range r.Checks {
			if c.ID == "no-requests" {
				Expect(c.Status).To(Equal(grade.StatusFail))
				continue
			}
			Expect(c.Status).To(Equal(grade.StatusSkip))
		}
		Expect(r.Window.Requests).To(Equal(0))
	})

	It("passes no-requests when the window holds a request, and allows an empty window when told to", func() {
		l := &log{}
		l.exchange("AQone-code", t0)
		r := run(l)
		Expect(r.IDs()).NotTo(ContainElement("no-requests"))
		for _, c := range r.Checks {
			if c.ID == "no-requests" {
				Expect(c.Status).To(Equal(grade.StatusPass))
				Expect(c.Message).To(Equal("1 request(s) in the window"))
			}
		}
		empty := grade.Run(grade.Input{ClientID: "id", App: "web", Now: t0, Options: grade.Options{Skip: []string{"no-requests"}}})
		Expect(empty.Findings).To(BeEmpty())
	})

	It("fails an empty grade of no app with the reason, unless no-requests is skipped", func() {
		r := grade.Empty(t0, "no app sent requests in the window", grade.Options{})
		Expect(r.IDs()).To(Equal([]string{"no-requests"}))
		Expect(r.Findings[0].Evidence).To(Equal([]string{"no app sent requests in the window"}))
		Expect(r.Findings[0].Title).To(ContainSubstring("may still be calling real Spotify"))
		Expect(r.Failed(grade.SeverityError)).To(BeTrue())
		Expect(grade.Empty(t0, "none", grade.Options{Skip: []string{"no-requests"}}).Findings).To(BeEmpty())
	})

	It("caps evidence and says how many more there were", func() {
		l := &log{}
		for i := 0; i < 15; i++ {
			l.exchange("AQsame-code-value", t0)
		}
		r := run(l)
		Expect(r.IDs()).To(Equal([]string{"code-invalid"}))
		ev := r.Findings[0].Evidence
		Expect(ev).To(HaveLen(grade.DefaultMaxEvidence))
		Expect(ev[len(ev)-1]).To(Equal("… and 5 more like these"))
		Expect(ev[0]).To(ContainSubstring("(second use; first at seq 1,"))
		Expect(ev[2]).To(ContainSubstring("(fourth use;"))
		Expect(run(l, grade.Options{MaxEvidence: 20}).Findings[0].Evidence).To(HaveLen(14))
	})

	DescribeTable("a renamed rule keeps its earlier id as an alias for one release",
		func(id, alias string) {
			l := &log{}
			l.exchange("AQsame-code-value", t0)
			l.exchange("AQsame-code-value", t0.Add(time.Second))
			Expect(grade.Options{Skip: []string{alias}}.Validate()).To(Succeed())
			var rule grade.Rule
			for _, r := range grade.Rules() {
				if r.ID == id {
					rule = r
				}
			}
			Expect(rule.Alias).To(Equal(alias))
			if id != "code-invalid" {
				return
			}
			r := run(l)
			Expect(r.Findings[0].ID).To(Equal(id))
			b, err := json.Marshal(r.Findings[0])
			Expect(err).NotTo(HaveOccurred())
			Expect(string(b)).To(ContainSubstring(`"id":"code-invalid","alias":"code-reused"`))
			skipped := run(l, grade.Options{Skip: []string{alias}})
			Expect(skipped.Findings).To(BeEmpty())
			for _, c := range skipped.Checks {
				if c.ID == id {
					Expect(c.Status).To(Equal(grade.StatusSkip))
					Expect(c.Alias).To(Equal(alias))
				}
			}
		},
		Entry(nil, "code-invalid", "code-reused"),
		Entry(nil, "token-redirect-uri-mismatch", "redirect-uri-mismatch-at-token"),
		Entry(nil, "refresh-token-revoked", "stale-refresh-token-after-rotation"),
		Entry(nil, "access-token-expired", "expired-access-token-used"),
		Entry(nil, "pkce-method-not-s256", "pkce-plain"),
		Entry(nil, "implicit-grant-removed", "implicit-grant-used"),
		Entry(nil, "redirect-uri-localhost", "localhost-redirect-uri"),
	)

	It("shows the date in evidence when the window spans days", func() {
		l := &log{}
		l.exchange("AQcode-one-value", t0)
		l.exchange("AQcode-one-value", t0.Add(25*time.Hour))
		Expect(run(l).Findings[0].Evidence[0]).To(HavePrefix("seq 2 at 2026-12-02 13:00:00 POST /api/token"))
	})

	Describe("retry-after-ignored", func() {
		retry := http.Header{"Retry-After": {"10"}}
		It("does not count requests that were in flight when the 429 was answered", func() {
			l := &log{}
			l.add(grade.Entry{Endpoint: wire.EndpointAPI, Path: "/v1/me", Status: 429, StartTick: 1, EndTick: 3, ResponseHeader: retry})
			l.add(grade.Entry{Endpoint: wire.EndpointAPI, Path: "/v1/me", Status: 200, StartTick: 2, EndTick: 4, Time: t0.Add(time.Second)})
			Expect(run(l).Findings).To(BeEmpty())
			l.add(grade.Entry{Endpoint: wire.EndpointAPI, Path: "/v1/me", Status: 200, StartTick: 5, EndTick: 6, Time: t0.Add(2 * time.Second)})
			r := run(l)
			Expect(r.IDs()).To(Equal([]string{"retry-after-ignored"}))
			Expect(r.Findings[0].Evidence[0]).To(HavePrefix("seq 3 at 12:00:02 GET /v1/me 2s after the 429 at seq 1"))
		})

		It("keeps the token endpoint and the Web API apart, and counts the rest of a burst", func() {
			l := &log{}
			l.api("/v1/me", 429, t0, retry)
			l.add(grade.Entry{Endpoint: wire.EndpointToken, Method: http.MethodPost, Path: "/api/token", Status: 200, Time: t0.Add(time.Second)})
			Expect(run(l).Findings).To(BeEmpty())
			for i := 0; i < 3; i++ {
				l.api("/v1/search", 200, t0.Add(time.Duration(i+2)*time.Second), nil)
			}
			l.api("/v1/me", 200, t0.Add(10*time.Second), nil)
			r := run(l)
			Expect(r.Findings).To(HaveLen(1))
			Expect(r.Findings[0].Evidence).To(HaveLen(1))
			Expect(r.Findings[0].Evidence[0]).To(HaveSuffix("; 2 requests more before the wait was over"))
		})

		It("skips when no 429 was answered", func() {
			l := &log{}
			l.api("/v1/me", 200, t0, nil)
			Expect(outcome(run(l), "retry-after-ignored").Status).To(Equal(grade.StatusSkip))
		})
	})

	DescribeTable("reads Retry-After",
		func(v string, want time.Duration, ok bool) {
			d, got := grade.RetryAfter(v, t0)
			Expect(got).To(Equal(ok))
			Expect(d).To(Equal(want))
		},
		Entry("seconds", "7", 7*time.Second, true),
		Entry("spaces", " 13749 ", 13749*time.Second, true),
		Entry("zero", "0", time.Duration(0), false),
		Entry("negative", "-5", time.Duration(0), false),
		Entry("HTTP-date", t0.Add(90*time.Second).Format(http.TimeFormat), 90*time.Second, true),
		Entry("HTTP-date in the past", t0.Add(-time.Minute).Format(http.TimeFormat), time.Duration(0), false),
		Entry("garbage", "soon", time.Duration(0), false),
		Entry("empty", "", time.Duration(0), false),
		Entry("absurd", "99999999999999", time.Duration(1<<31)*time.Second, true),
	)
})

var _ = Describe("reports", func() {
	r1 := grade.Report{Kind: "grade", Apps: []string{"a"}, ClientIDs: []string{"1"},
		Checks:   []grade.Outcome{{ID: "x", Status: grade.StatusSkip, Message: "nothing"}, {ID: "y", Status: grade.StatusPass}},
		Findings: []grade.Finding{}}
	r2 := grade.Report{Kind: "grade", Apps: []string{"b"}, ClientIDs: []string{"2"},
		Checks:   []grade.Outcome{{ID: "x", Status: grade.StatusPass}, {ID: "y", Status: grade.StatusFail}},
		Findings: []grade.Finding{{ID: "y", Severity: grade.SeverityWarning, Title: "T", Evidence: []string{"e1"}, Fix: "F", App: "b"}}}

	It("merge: a rule fails if it failed anywhere, is skipped only if skipped everywhere, and evidence names the app", func() {
		m := grade.Merge([]grade.Report{r1, r2}, t0)
		Expect(m.Checks).To(HaveLen(2))
		Expect(m.Checks[0].Status).To(Equal(grade.StatusPass))
		Expect(m.Checks[0].Message).To(Equal("a: nothing"))
		Expect(m.Checks[1].Status).To(Equal(grade.StatusFail))
		Expect(m.Findings[0].Evidence).To(Equal([]string{"app b", "e1"}))
		Expect(m.Subject).To(Equal("2 apps: a, b"))
		Expect(m.ClientIDs).To(Equal([]string{"1", "2"}))
	})

	It("tell severities apart", func() {
		Expect(r2.Failed(grade.SeverityError)).To(BeFalse())
		Expect(r2.Failed(grade.SeverityWarning)).To(BeTrue())
		Expect(r2.Worst()).To(Equal(grade.SeverityWarning))
		Expect(r1.Worst()).To(BeEmpty())
		s, err := grade.ParseSeverity(" Warning ")
		Expect(err).NotTo(HaveOccurred())
		Expect(s).To(Equal(grade.SeverityWarning))
		_, err = grade.ParseSeverity("fatal")
		Expect(err).To(MatchError(`severity "fatal": want error, warning or info`))
	})

	It("render as text with id, title, evidence and fix", func() {
		Expect(grade.Text(r2.Findings)).To(Equal("[warning] y: T (app b)\n    evidence: e1\n    fix: F\n"))
	})

	It("validate skip lists", func() {
		Expect(grade.Options{Skip: []string{"refresh-storm"}}.Validate()).To(Succeed())
		Expect(grade.Options{Skip: []string{"refresh-strom"}}.Validate()).To(MatchError(ContainSubstring(`skip: no rule "refresh-strom" (rules: no-requests, state-missing, `)))
		d := grade.Options{}.WithDefaults()
		Expect(d.LateExchange).To(Equal(60 * time.Second))
		Expect(d.EarlyRefresh).To(Equal(0.5))
		Expect(d.RefreshesPerMinute).To(Equal(5))
	})

	It("encode to JSON with checks.FindingsResult's field names", func() {
		b, err := json.Marshal(grade.Empty(t0, "why", grade.Options{Skip: []string{"no-requests"}}))
		Expect(err).NotTo(HaveOccurred())
		for _, k := range []string{`"kind":"grade"`, `"started":`, `"duration_ns":`, `"checks":[`, `"findings":[]`, `"status":"skip"`, `"message":"why"`} {
			Expect(string(b)).To(ContainSubstring(k))
		}
		Expect(strings.Count(string(b), `"id":`)).To(Equal(len(grade.Rules())))
	})
})
