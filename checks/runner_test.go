package checks_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
	"github.com/spotcheck/spotcheck/scenarios"
)

const (
	webID       = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b"
	webSecret   = "9d8c7b6a5f4e3d2c1b0a99887766554f"
	webRedirect = "http://127.0.0.1:8888/callback"
)

func builtin() []*scenarios.Scenario {
	list, err := scenarios.Builtin()
	Expect(err).NotTo(HaveOccurred())
	return list
}

func parse(yaml string) []*scenarios.Scenario {
	list, err := scenarios.Parse([]byte(yaml), "test.yaml")
	Expect(err).NotTo(HaveOccurred())
	return list
}

// launch starts Chromium for the specs that drive consent pages.
func launch() *browser.Browser {
	b, err := browser.Launch(context.Background())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(b.Close)
	return b
}

func embedded() *checks.Target {
	t, err := checks.ResolveTarget(context.Background(), "fake", checks.TargetOptions{Env: noEnv})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(t.Close)
	return t
}

func run(list []*scenarios.Scenario, t *checks.Target, o checks.RunOptions) checks.RunResult {
	res, err := checks.Run(context.Background(), list, t, o)
	Expect(err).NotTo(HaveOccurred())
	return res
}

func byName(res checks.RunResult) map[string]checks.ScenarioResult {
	m := map[string]checks.ScenarioResult{}
	for _, s := range res.Scenarios {
		m[s.Name] = s
	}
	return m
}

// notPassed describes the scenarios that did not pass, for a failure
// message that says what went wrong without opening a report.
func notPassed(res checks.RunResult) string {
	var b strings.Builder
	for _, s := range res.Scenarios {
		if s.Status != checks.StatusPass {
			fmt.Fprintf(&b, "%s %s: %s\n", s.Status, s.Name, s.Message)
		}
	}
	return b.String()
}

var (
	fingerprint = regexp.MustCompile(`\[redacted \d+ch #[0-9a-f]{8}\]`)
	randomHex   = regexp.MustCompile(`[0-9a-f]{32}`)
	// A fresh_user scenario's user is a clone with a random tag.
	freshUser = regexp.MustCompile(`\b(alice|bob)-[0-9a-f]{6}\b`)
	// Which of 50 parallel exchanges of one code wins is up to the race
	// the scenario provokes; the losers' checks are the same whatever
	// their number.
	responseNumber = regexp.MustCompile(`^response\[\d+\]\.`)
)

// outcome is a run reduced to what must not depend on scheduling: every
// scenario's and step's status and every expectation, with the values that
// are random per run (generated states and client ids, fingerprints of
// fresh codes and tokens) masked.
func outcome(res checks.RunResult) []string {
	var out []string
	mask := func(s string) string {
		return freshUser.ReplaceAllString(randomHex.ReplaceAllString(fingerprint.ReplaceAllString(s, "[fp]"), "[hex]"), "$1-[tag]")
	}
	for _, s := range res.Scenarios {
		out = append(out, fmt.Sprintf("%s %s", s.Name, s.Status))
		for _, st := range s.Steps {
			out = append(out, fmt.Sprintf("  %s %s %s", st.Name, st.Action, st.Status))
			for _, e := range st.Expectations {
				name := responseNumber.ReplaceAllString(e.Name, "response[n].")
				out = append(out, fmt.Sprintf("    %s %v expected=%s actual=%s", name, e.Passed, mask(e.Expected), mask(e.Actual)))
			}
		}
	}
	return out
}

var _ = Describe("Run", func() {
	Describe("the built-in suite against the embedded fake, with the browser", Ordered, func() {
		var (
			t   *checks.Target
			b   *browser.Browser
			res checks.RunResult
		)
		BeforeAll(func() {
			t, b = embedded(), launch()
			res = run(builtin(), t, checks.RunOptions{Browser: b, Parallel: 8, Version: "test"})
		})

		It("passes every scenario, in the input order", func() {
			list := builtin()
			Expect(res.Scenarios).To(HaveLen(len(list)))
			for i, s := range list {
				Expect(res.Scenarios[i].Name).To(Equal(s.Name))
				Expect(res.Scenarios[i].File).To(Equal(s.Pos.File))
			}
			p, f, sk, e := res.Counts()
			Expect(f+sk+e).To(BeZero(), notPassed(res))
			Expect(p).To(Equal(len(list)))
			Expect(res.Target.Name).To(Equal("fake"))
			Expect(res.Version).To(Equal("test"))
		})

		It("splits the redacted transcript by step, with every expectation and a duration", func() {
			me := byName(res)["exchange-basic-auth"]
			Expect(me.Steps).To(HaveLen(3))
			for _, st := range me.Steps {
				Expect(st.Status).To(Equal(checks.StatusPass))
				Expect(st.Duration).To(BeNumerically(">", 0))
				Expect(st.Exchanges).To(HaveLen(1))
				Expect(st.Exchanges[0].Step).To(Equal(st.Name))
				Expect(st.Expectations).NotTo(BeEmpty())
			}
			auth, token := me.Steps[0], me.Steps[1]
			Expect(auth.Exchanges[0].Peer).To(Equal(wire.PeerAccounts))
			Expect(auth.Exchanges[0].Status).To(Equal(302))
			Expect(auth.Exchanges[0].ResponseHeaders.Get("Location")).To(MatchRegexp(`code=%5Bredacted|code=\[redacted`))
			Expect(token.Exchanges[0].RequestHeaders.Get("Authorization")).To(HavePrefix("Basic [redacted "))
			Expect(token.Exchanges[0].ResponseBody).To(ContainSubstring(`"access_token":"[redacted `))
			Expect(token.Expectations).To(ContainElement(checks.Expectation{Name: "status", Expected: "200", Actual: "200", Passed: true}))
			Expect(me.Steps[2].Exchanges[0].Peer).To(Equal(wire.PeerAPI))
		})

		It("records the browser's navigations and screenshots of consent steps, redacted", func() {
			sc := byName(res)["consent-login-approve-exchange"]
			approve := sc.Steps[1]
			Expect(approve.Action).To(Equal("consent"))
			Expect(approve.Screenshots).To(HaveLen(2))
			Expect(approve.Screenshots[0].Name).To(Equal("login"))
			Expect(approve.Screenshots[1].Name).To(Equal("consent"))
			for _, sh := range approve.Screenshots {
				Expect(sh.PNG[:4]).To(Equal([]byte("\x89PNG")))
				Expect(sh.URL).To(HavePrefix(t.AccountsURL))
			}
			var browserSteps, caught int
			for _, x := range approve.Exchanges {
				Expect(x.Step).To(Equal("approve"))
				if x.Actor == wire.ActorBrowser {
					browserSteps++
				}
				if x.Peer == wire.PeerRedirect {
					caught++
					Expect(x.URL).To(HavePrefix(webRedirectPrefix))
					Expect(x.URL).To(MatchRegexp(`code=(%5B|\[)redacted`))
				}
				if x.Method == "POST" && strings.HasSuffix(x.URL, "/login") {
					Expect(x.RequestBody).NotTo(ContainSubstring("alice-password"))
				}
			}
			Expect(browserSteps).To(Equal(len(approve.Exchanges)))
			Expect(caught).To(Equal(1))
		})

		It("deletes the clones it made", func() {
			apps, err := t.Control.Apps(context.Background())
			Expect(err).NotTo(HaveOccurred())
			Expect(apps).To(HaveLen(len(t.Config.Apps)), "only the configured apps are left")
		})

		It("gives the same results serially as in parallel", func() {
			serial := run(builtin(), t, checks.RunOptions{Browser: b, Parallel: 1})
			a, b := outcome(serial), outcome(res)
			Expect(a).To(HaveLen(len(b)))
			for i := range a {
				Expect(a[i]).To(Equal(b[i]), "line %d", i)
			}
		})
	})

	Describe("a scenario that must fail", func() {
		var t *checks.Target
		BeforeEach(func() { t = embedded() })

		It("fails with expected vs actual, the explanation attached and the rest skipped", func() {
			res := run(parse(`
name: wrong-on-purpose
steps:
  - name: auth
    authorize: {}
  - name: first
    exchange: {}
  - name: again
    exchange: {code: "${steps.auth.code}"}
    expect: {status: 200, refresh_token: true}
  - api: {path: /v1/me}
`), t, checks.RunOptions{})
			s := res.Scenarios[0]
			Expect(s.Status).To(Equal(checks.StatusFail))
			Expect(s.Message).To(Equal("step again: status: expected 200, got 400"))
			again := s.Steps[2]
			Expect(again.Status).To(Equal(checks.StatusFail))
			Expect(again.Expectations).To(Equal([]checks.Expectation{
				{Name: "status", Expected: "200", Actual: "400"},
				{Name: "refresh_token", Expected: "present", Actual: "(absent)"},
			}))
			Expect(again.Explanation).NotTo(BeNil())
			Expect(again.Explanation.ID).To(Equal("code-invalid"))
			Expect(again.Explanation.Fix).NotTo(BeEmpty())
			Expect(again.Explanation.Causes).NotTo(BeEmpty())
			Expect(again.Explanation.Evidence).To(ContainSubstring("Invalid authorization code"))
			// The analyzer, across the scenario's requests: the first
			// exchange of the same code worked.
			Expect(again.Explanation.Evidence).To(ContainSubstring("was exchanged successfully at"))
			Expect(again.Explanation.Evidence).To(ContainSubstring("a code is single use"))
			Expect(s.Steps[3].Status).To(Equal(checks.StatusSkip))
			Expect(s.Steps[3].Message).To(Equal("step again failed"))
			Expect(s.Steps[3].Exchanges).To(BeEmpty())
		})

		It("lists what to check in the dashboard apart from what to ask the user", func() {
			res := run(parse(`
name: wrong-secret
steps:
  - authorize: {}
  - name: exchange
    exchange: {client_secret: "0123456789abcdef0123456789abcdef"}
    expect: {status: 200}
`), t, checks.RunOptions{})
			st := res.Scenarios[0].Steps[1]
			Expect(st.Status).To(Equal(checks.StatusFail))
			Expect(st.Explanation).NotTo(BeNil())
			Expect(st.Explanation.ID).To(Equal("client-secret-invalid"))
			e, ok := explain.Default().Entry("client-secret-invalid")
			Expect(ok).To(BeTrue())
			Expect(e.Check).NotTo(BeEmpty())
			Expect(st.Explanation.Check).To(Equal(e.Check))
			Expect(st.Explanation.Ask).To(Equal(e.Ask))
			Expect(st.Explanation.Library).To(BeEmpty(), "spotcheck's own client is none of the libraries")
		})

		It("words the fix for golang.org/x/oauth2 when the steps retry a code as its auth-style detection does", func() {
			res := run(parse(`
name: auth-style-retry
steps:
  - name: auth
    authorize: {}
  - name: basic
    exchange: {auth: basic, redirect_uri: "${steps.auth.redirect_uri}/"}
    expect: {status: 400}
  - name: body
    exchange: {auth: body, code: "${steps.auth.code}"}
    expect: {status: 200}
`), t, checks.RunOptions{})
			st := res.Scenarios[0].Steps[2]
			Expect(st.Status).To(Equal(checks.StatusFail))
			Expect(st.Explanation).NotTo(BeNil())
			Expect(st.Explanation.ID).To(Equal("code-invalid"))
			Expect(st.Explanation.Cause).To(Equal("auth-style-retry"))
			Expect(st.Explanation.Library).To(Equal("golang.org/x/oauth2"))
			Expect(st.Explanation.Fix).To(ContainSubstring("oauth2.AuthStyleInHeader"))
			Expect(st.Explanation.Causes[0]).To(HavePrefix("golang.org/x/oauth2 with auto-detected auth style retried"))
		})

		It("explains a redirect_uri that changed between the authorize and the exchange step, across the steps", func() {
			res := run(parse(`
name: redirect-changed
steps:
  - name: auth
    authorize: {}
  - name: exchange
    exchange: {redirect_uri: "${steps.auth.redirect_uri}/"}
    expect: {status: 200}
`), t, checks.RunOptions{})
			st := res.Scenarios[0].Steps[1]
			Expect(st.Status).To(Equal(checks.StatusFail))
			Expect(st.Explanation).NotTo(BeNil())
			Expect(st.Explanation.ID).To(Equal("token-redirect-uri-mismatch"))
			Expect(st.Explanation.Evidence).To(ContainSubstring("redirect_uri at /authorize"))
			Expect(st.Explanation.Evidence).To(ContainSubstring("first difference at character"))
		})

		It("attaches no explanation to a failure without an error response", func() {
			res := run(parse(`
name: expects-an-error-gets-a-token
steps:
  - authorize: {}
  - exchange: {}
    expect: {status: 400, error: invalid_grant}
`), t, checks.RunOptions{})
			st := res.Scenarios[0].Steps[1]
			Expect(st.Status).To(Equal(checks.StatusFail))
			Expect(st.Explanation).To(BeNil())
			Expect(st.Expectations[1]).To(Equal(checks.Expectation{Name: "error", Expected: `"invalid_grant"`, Actual: "(absent)"}))
		})

		It("explains a page the authorize endpoint showed instead of redirecting", func() {
			res := run(parse(`
name: redirect-uri-typo
steps:
  - authorize: {redirect_uri: "http://127.0.0.1:8888/callback/"}
    expect: {status: 302}
`), t, checks.RunOptions{})
			st := res.Scenarios[0].Steps[0]
			Expect(st.Status).To(Equal(checks.StatusFail))
			Expect(st.Explanation).NotTo(BeNil())
			Expect(st.Explanation.ID).To(Equal("redirect-uri-mismatch"))
		})

		It("redacts tokens in the expected and actual values", func() {
			res := run(parse(`
name: body-mismatch
steps:
  - authorize: {}
  - name: token
    exchange: {}
    expect: {body: "nothing like it"}
`), t, checks.RunOptions{})
			e := res.Scenarios[0].Steps[1].Expectations[0]
			Expect(e.Passed).To(BeFalse())
			Expect(e.Actual).To(ContainSubstring(`\"access_token\":\"[redacted `))
			Expect(e.Actual).To(ContainSubstring(`\"refresh_token\":\"[redacted `))
		})
	})

	Describe("a consent step that does not reach the app", Ordered, func() {
		var (
			t *checks.Target
			b *browser.Browser
		)
		BeforeAll(func() { t, b = embedded(), launch() })

		It("fails on an error page, with its text, its screenshot and the explanation", func() {
			res := run(parse(`
name: consent-error-page
requires: [browser]
steps:
  - authorize: {redirect_uri: "http://127.0.0.1:8888/callback/"}
  - consent: {}
    expect: {redirect: {code: true}}
`), t, checks.RunOptions{Browser: b})
			st := res.Scenarios[0].Steps[1]
			Expect(st.Status).To(Equal(checks.StatusFail))
			Expect(st.Message).To(Equal(`the browser stopped on a page instead of reaching the redirect_uri: "INVALID_CLIENT: Invalid redirect URI"`))
			Expect(st.Screenshots).To(HaveLen(1))
			Expect(st.Screenshots[0].Name).To(Equal("error-page"))
			Expect(st.Screenshots[0].PageText).To(Equal("INVALID_CLIENT: Invalid redirect URI"))
			Expect(st.Explanation).NotTo(BeNil())
			Expect(st.Explanation.ID).To(Equal("redirect-uri-mismatch"))
		})

		It("fails when the pages do not come in time, naming what it waited for, with a screenshot", func() {
			res := run(parse(`
name: consent-times-out
requires: [browser]
steps:
  - authorize: {path: /v1/me}
  - consent: {}
`), t, checks.RunOptions{Browser: b, ConsentTimeout: 1500 * time.Millisecond})
			st := res.Scenarios[0].Steps[1]
			Expect(st.Status).To(Equal(checks.StatusFail))
			Expect(st.Message).To(MatchRegexp(`^timed out waiting for #login-username or .* on http://127\.0\.0\.1:\d+/v1/me\?…$`))
			Expect(st.Screenshots).NotTo(BeEmpty())
			Expect(st.Screenshots[len(st.Screenshots)-1].Name).To(Equal("timeout"))
		})

		It("fails a deny when the consent was remembered and no page asked", func() {
			res := run(parse(`
name: deny-remembered
requires: [browser]
steps:
  - authorize: {scope: user-read-email}
  - consent: {}
  - authorize: {scope: user-read-email}
  - consent: {decision: deny}
`), t, checks.RunOptions{Browser: b})
			st := res.Scenarios[0].Steps[3]
			Expect(st.Status).To(Equal(checks.StatusFail))
			Expect(st.Expectations).To(ContainElement(checks.Expectation{Name: "decision deny",
				Expected: "the consent page, to press Cancel on", Actual: "no consent page (the consent was remembered)"}))
		})
	})

	Describe("a step that refers to something the run did not produce", func() {
		It("errors, naming the reference and why it is missing", func() {
			res := run(parse(`
name: no-code-to-exchange
steps:
  - name: auth
    authorize: {client_id: "00000000000000000000000000000000"}
    expect: {status: 400}
  - name: token
    exchange: {}
  - api: {path: /v1/me}
`), embedded(), checks.RunOptions{})
			s := res.Scenarios[0]
			Expect(s.Status).To(Equal(checks.StatusError))
			st := s.Steps[1]
			Expect(st.Status).To(Equal(checks.StatusError))
			Expect(st.Message).To(Equal("${steps.auth.code}: step auth did not produce code: it was answered with 400, not a redirect"))
			Expect(st.Exchanges).To(BeEmpty(), "nothing was sent")
			Expect(s.Steps[2].Status).To(Equal(checks.StatusSkip))
			Expect(s.Steps[2].Message).To(Equal("step token errored"))
		})

		It("errors on a JSON path the response does not have", func() {
			res := run(parse(`
name: missing-json
steps:
  - authorize: {}
  - name: token
    exchange: {}
  - api: {path: "/v1/users/${steps.token.json.no_such_member}"}
`), embedded(), checks.RunOptions{})
			st := res.Scenarios[0].Steps[2]
			Expect(st.Status).To(Equal(checks.StatusError))
			Expect(st.Message).To(Equal("${steps.token.json.no_such_member}: the response of step token has nothing at no_such_member"))
		})
	})

	Describe("skipping", func() {
		It("skips, with the reason, what needs a browser the run does not have", func() {
			res := run(builtin(), embedded(), checks.RunOptions{Tags: []string{"consent"}})
			Expect(res.Scenarios).NotTo(BeEmpty())
			for _, s := range res.Scenarios {
				Expect(s.Status).To(Equal(checks.StatusSkip))
				Expect(s.Message).To(Equal("requires the browser (Chromium), and this run has none"))
			}
		})

		It("skips what needs the control API on a fake that has none, and runs the rest on the configured apps", func() {
			cfg := fakespotify.DefaultConfig()
			cfg.Consent = config.ConsentAuto
			srv, err := fakespotify.Start(cfg, fakespotify.WithoutControl())
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(srv.Close)
			t, err := checks.ResolveTarget(context.Background(), srv.URL, checks.TargetOptions{Env: noEnv})
			Expect(err).NotTo(HaveOccurred())
			Expect(t.Control).To(BeNil())
			res := run(builtin(), t, checks.RunOptions{})
			var ran, skipped int
			for _, s := range res.Scenarios {
				sc := findScenario(s.Name)
				switch {
				case sc.NeedsControl():
					Expect(s.Status).To(Equal(checks.StatusSkip), s.Name)
					Expect(s.Message).To(Equal("needs the fake's control API (/_spotcheck/), which this fake has turned off (--no-control)"))
					skipped++
				case sc.NeedsBrowser():
					Expect(s.Status).To(Equal(checks.StatusSkip), s.Name)
				default:
					ran++
				}
			}
			Expect(ran).To(BeNumerically(">", 50))
			Expect(skipped).To(BeNumerically(">", 10))
		})

		It("keeps only the scenarios with one of the tags, and says which tags no scenario has", func() {
			list := builtin()
			sel := checks.SelectTags(list, []string{"pkce", "rate-limit"})
			Expect(sel).NotTo(BeEmpty())
			for _, s := range sel {
				Expect(s.Tags).To(ContainElement(BeElementOf("pkce", "rate-limit")))
			}
			Expect(checks.SelectTags(list, nil)).To(HaveLen(len(list)))
			Expect(checks.UnknownTags(list, []string{"pkce", "pcke"})).To(Equal([]string{"pcke"}))
		})

		It("leaves out the scenarios with a tag written !tag, alone or after an included one", func() {
			list := builtin()
			noBrowser := checks.SelectTags(list, []string{"!browser"})
			Expect(noBrowser).NotTo(BeEmpty())
			browsers := 0
			for _, s := range list {
				if s.NeedsBrowser() {
					browsers++
				}
			}
			Expect(browsers).To(BeNumerically(">", 0))
			Expect(noBrowser).To(HaveLen(len(list) - browsers))
			for _, s := range noBrowser {
				Expect(s.NeedsBrowser()).To(BeFalse(), s.Name)
			}
			consent := checks.SelectTags(list, []string{"consent", "!browser"})
			for _, s := range consent {
				Expect(s.Tags).To(ContainElement("consent"))
				Expect(s.Tags).NotTo(ContainElement("browser"))
			}
			Expect(len(consent)).To(BeNumerically("<", len(checks.SelectTags(list, []string{"consent"}))))
			Expect(checks.UnknownTags(list, []string{"!browser", "!bowser"})).To(Equal([]string{"bowser"}))
		})

		DescribeTable("SkipReason",
			func(yaml, target string, o checks.RunOptions, want string) {
				t := &checks.Target{Kind: checks.TargetKind(target), Control: &control.Client{}}
				Expect(checks.SkipReason(parse(yaml)[0], t, o)).To(Equal(want))
			},
			Entry("fake-only on spotify", "name: a\nsteps: [{authorize: {}}]", "spotify", checks.RunOptions{},
				"runs on fake only; this run targets spotify"),
			Entry("a browser scenario on spotify without a test account",
				"name: a\ntargets: [fake, spotify]\nrequires: [browser]\nsteps: [{authorize: {}}, {consent: {}}]", "spotify",
				checks.RunOptions{Credentials: &checks.Credentials{}},
				"logs in on Spotify's consent pages as the test account: set SPOTCHECK_TEST_USERNAME and SPOTCHECK_TEST_PASSWORD"),
			Entry("runs", "name: a\ntargets: [fake, spotify]\nsteps: [{authorize: {}}]", "spotify", checks.RunOptions{}, ""),
		)
	})

	It("runs against a fake at a URL through its control API", func() {
		srv, err := fakespotify.Start(fakespotify.DefaultConfig())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		t, err := checks.ResolveTarget(context.Background(), srv.URL, checks.TargetOptions{Env: noEnv})
		Expect(err).NotTo(HaveOccurred())
		res := run(builtin(), t, checks.RunOptions{})
		Expect(res.Target.Name).To(Equal(srv.URL))
		for _, s := range res.Scenarios {
			if findScenario(s.Name).NeedsBrowser() {
				Expect(s.Status).To(Equal(checks.StatusSkip))
				continue
			}
			Expect(s.Status).To(Equal(checks.StatusPass), notPassed(res))
		}
		Expect(srv.Apps()).To(HaveLen(5), "the clones are gone")
	})

	It("stops when the target becomes unreachable, skipping what it did not start", func() {
		srv, err := fakespotify.Start(fakespotify.DefaultConfig())
		Expect(err).NotTo(HaveOccurred())
		t, err := checks.ResolveTarget(context.Background(), srv.URL, checks.TargetOptions{Env: noEnv})
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Close()).To(Succeed())
		list := builtin()
		res, err := checks.Run(context.Background(), list, t, checks.RunOptions{Parallel: 1})
		Expect(errors.Is(err, checks.ErrUnreachable)).To(BeTrue(), "%v", err)
		Expect(res.Scenarios).To(HaveLen(len(list)))
		first := res.Scenarios[0]
		Expect(first.Status).To(Equal(checks.StatusError))
		Expect(first.Message).To(ContainSubstring("refused"))
		last := res.Scenarios[len(list)-1]
		Expect(last.Status).To(Equal(checks.StatusSkip))
		Expect(last.Message).To(HavePrefix("not run: the target became unreachable ("))
	})

	It("reports progress: a start and a finish per scenario, never two calls at once", func() {
		var started, done []int
		var statuses []checks.Status
		inCall, overlapped := false, false
		enter := func() func() {
			overlapped = overlapped || inCall
			inCall = true
			return func() { inCall = false }
		}
		o := checks.RunOptions{Parallel: 4, Tags: []string{"refresh"},
			OnStart: func(i int, _ *scenarios.Scenario) {
				defer enter()()
				started = append(started, i)
			},
			OnDone: func(i int, r checks.ScenarioResult) {
				defer enter()()
				done = append(done, i)
				statuses = append(statuses, r.Status)
			},
		}
		res := run(builtin(), embedded(), o)
		Expect(overlapped).To(BeFalse())
		Expect(done).To(HaveLen(len(res.Scenarios)))
		Expect(done).To(ConsistOf(started), "the browser scenario is skipped before it starts")
		Expect(statuses).To(ContainElement(checks.StatusPass))
	})
})

const webRedirectPrefix = webRedirect + "?"

func findScenario(name string) *scenarios.Scenario {
	for _, s := range builtin() {
		if s.Name == name {
			return s
		}
	}
	Fail("no built-in scenario " + name)
	return nil
}
