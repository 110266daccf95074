package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

const (
	gradeWebID     = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b"
	gradeWebSecret = "9d8c7b6a5f4e3d2c1b0a99887766554f"
	gradeRedirect  = "http://127.0.0.1:8888/callback"
	gradeVerifier  = "verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
)

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signIn drives the built-in web app's client against a fake with auto
// consent: confidential with a state (behaves), or without state — with
// PKCE S256 (a warning) or without (an error).
func signIn(base string, state string, pkce bool) {
	q := url.Values{"client_id": {gradeWebID}, "response_type": {"code"}, "redirect_uri": {gradeRedirect}, "scope": {"user-read-email"}}
	if state != "" {
		q.Set("state", state)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {gradeRedirect}}
	if pkce {
		sum := sha256.Sum256([]byte(gradeVerifier))
		q.Set("code_challenge_method", "S256")
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		form.Set("client_id", gradeWebID)
		form.Set("code_verifier", gradeVerifier)
	}
	resp, err := noFollow.Get(base + "/authorize?" + q.Encode())
	Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	Expect(err).NotTo(HaveOccurred())
	form.Set("code", loc.Query().Get("code"))
	req, _ := http.NewRequest(http.MethodPost, base+"/api/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !pkce {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(gradeWebID+":"+gradeWebSecret)))
	}
	tr, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	tr.Body.Close()
	Expect(tr.StatusCode).To(Equal(http.StatusOK))
}

// jsonKeys maps a struct type's JSON field names to their Go kinds.
func jsonKeys(t reflect.Type) map[string]reflect.Kind {
	out := map[string]reflect.Kind{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = f.Type.Kind()
	}
	return out
}

var _ = Describe("the grade's JSON", func() {
	It("has the fields of checks.Finding, Exchange, CheckOutcome and FindingsResult, plus documented extras", func() {
		for _, pair := range []struct {
			ours, theirs reflect.Type
			extra        []string // ours only
			missing      []string // theirs only: the CLI fills them in, or grading has none
		}{
			{reflect.TypeOf(grade.Finding{}), reflect.TypeOf(checks.Finding{}), []string{"client_id", "app"}, nil},
			{reflect.TypeOf(grade.Exchange{}), reflect.TypeOf(wire.Exchange{}), nil, nil},
			{reflect.TypeOf(grade.Outcome{}), reflect.TypeOf(checks.CheckOutcome{}), nil, []string{"details"}},
			{reflect.TypeOf(grade.Report{}), reflect.TypeOf(checks.FindingsResult{}), []string{"client_ids", "apps", "window"}, []string{"version", "target"}},
		} {
			ours, theirs := jsonKeys(pair.ours), jsonKeys(pair.theirs)
			for _, k := range pair.extra {
				Expect(ours).To(HaveKey(k))
				delete(ours, k)
			}
			for _, k := range pair.missing {
				Expect(theirs).To(HaveKey(k))
				delete(theirs, k)
			}
			Expect(ours).To(Equal(theirs), pair.ours.String()+" vs "+pair.theirs.String())
		}
	})

	It("decodes into checks.FindingsResult, finding for finding", func() {
		srv, err := fakespotify.Start(fakespotify.DefaultConfig())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		app, err := srv.CloneApp("web", fakespotify.AppOverrides{Consent: config.ConsentAuto, AutoUser: "alice", ClientID: strings.Repeat("ab", 16)})
		Expect(err).NotTo(HaveOccurred())
		_ = app
		q := url.Values{"client_id": {app.ClientID}, "response_type": {"code"}, "redirect_uri": {gradeRedirect}}
		resp, err := noFollow.Get(srv.URL + "/authorize?" + q.Encode())
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		g := srv.Grade(app.ClientID)
		Expect(g.Findings).NotTo(BeEmpty())

		body, err := json.Marshal(g)
		Expect(err).NotTo(HaveOccurred())
		var res checks.FindingsResult
		dec := json.NewDecoder(bytes.NewReader(body))
		Expect(dec.Decode(&res)).To(Succeed())
		Expect(res.Kind).To(Equal("grade"))
		Expect(res.Subject).To(Equal(g.Subject))
		Expect(res.Duration).To(Equal(g.Duration))
		Expect(res.Checks).To(HaveLen(len(g.Checks)))
		for i, c := range g.Checks {
			Expect(res.Checks[i]).To(Equal(checks.CheckOutcome{ID: c.ID, Alias: c.Alias, Group: c.Group, Title: c.Title, Status: checks.Status(c.Status), Message: c.Message, Duration: c.Duration}))
		}
		Expect(res.Findings).To(HaveLen(len(g.Findings)))
		for i, f := range g.Findings {
			got := res.Findings[i]
			Expect(got.ID).To(Equal(f.ID))
			Expect(got.Alias).To(Equal(f.Alias))
			Expect(got.Severity).To(Equal(checks.Severity(f.Severity)))
			Expect(got.Group).To(Equal(f.Group))
			Expect(got.Check).To(Equal(f.Check))
			Expect(got.Title).To(Equal(f.Title))
			Expect(got.Evidence).To(Equal(f.Evidence))
			Expect(got.Fix).To(Equal(f.Fix))
			Expect(got.Exchanges).To(HaveLen(len(f.Exchanges)))
			for j, x := range f.Exchanges {
				Expect(got.Exchanges[j].Seq).To(Equal(x.Seq))
				Expect(got.Exchanges[j].URL).To(Equal(x.URL))
				Expect(got.Exchanges[j].Status).To(Equal(x.Status))
				Expect(got.Exchanges[j].Actor).To(Equal(wire.ActorBrowser))
				Expect(got.Exchanges[j].Peer).To(Equal(wire.PeerAccounts))
			}
		}
		Expect(res.Worst()).To(Equal(checks.SeverityError))

		By("converting in Go to what the JSON decodes into, with nothing through JSON")
		want, err := json.Marshal(res)
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Marshal(checks.GradeResult(g))).To(MatchJSON(want))
	})
})

var _ = Describe("spotcheck grade", func() {
	var base string
	BeforeEach(func() {
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--consent", "auto", "--log-level", "warn")
		base = fakeURL(s)
	})

	It("renders the findings and exits 1 for an error", func() {
		signIn(base, "", false)
		stdout, stderr, code := runBinary("grade", "--target", base)
		Expect(code).To(Equal(exitFailed), stderr)
		Expect(stdout).To(ContainSubstring("state-missing — Authorization request without state and without PKCE"))
		Expect(stdout).To(MatchRegexp(`evidence: seq \d+ at \d\d:\d\d:\d\d GET /authorize without state; no PKCE either`))
		Expect(stdout).To(ContainSubstring("fix: Send a state parameter"))
		Expect(stdout).To(ContainSubstring("grade of app web (client id " + gradeWebID + ")"))
		Expect(stdout).NotTo(ContainSubstring(gradeWebSecret))
		Expect(stderr).To(BeEmpty())
	})

	DescribeTable("exits by --fail-on",
		func(failOn string, pkce bool, want int) {
			signIn(base, "", pkce) // without state: an error, or a warning with PKCE
			args := []string{"grade", "--target", base}
			if failOn != "" {
				args = append(args, "--fail-on", failOn)
			}
			_, stderr, code := runBinary(args...)
			Expect(code).To(Equal(want), stderr)
		},
		Entry("a warning passes by default", "", true, exitOK),
		Entry("a warning fails --fail-on warning", "warning", true, exitFailed),
		Entry("a warning fails --fail-on info", "info", true, exitFailed),
		Entry("an error passes --fail-on none", "none", false, exitOK),
		Entry("an error fails --fail-on error", "error", false, exitFailed),
	)

	It("writes JSON and JUnit reports that list every rule", func() {
		signIn(base, "st", false)
		dir := GinkgoT().TempDir()
		junit := filepath.Join(dir, "out", "grade.xml")
		stdout, stderr, code := runBinary("grade", "--target", base, "--format", "json", "--report", "junit="+junit)
		Expect(code).To(Equal(exitOK), stderr)
		var doc map[string]any
		Expect(json.Unmarshal([]byte(stdout), &doc)).To(Succeed(), stdout)
		Expect(doc).To(HaveKeyWithValue("kind", "grade"))
		Expect(doc["findings"]).To(BeEmpty())
		xml, err := os.ReadFile(junit)
		Expect(err).NotTo(HaveOccurred())
		for _, id := range grade.RuleIDs() {
			Expect(string(xml)).To(ContainSubstring(id))
		}
	})

	It("grades one app by name and starts a new window with --reset", func() {
		signIn(base, "", false)
		_, _, code := runBinary("grade", "--target", base, "--client-id", "web", "--reset")
		Expect(code).To(Equal(exitFailed))
		stdout, stderr, code := runBinary("grade", "--target", base, "--client-id", "web")
		Expect(code).To(Equal(exitFailed), "an empty window is a finding")
		Expect(stdout).To(ContainSubstring("no-requests — No request reached the fake: the app may still be calling real Spotify"))
		Expect(stdout).To(ContainSubstring("no requests from this app in the window"))
		stdout, stderr, code = runBinary("grade", "--target", base, "--client-id", "web", "--allow-empty")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stdout).To(ContainSubstring("No findings."))
	})

	It("reads the target from SPOTIFY_ACCOUNTS_URL", func() {
		signIn(base, "", false)
		cmd := exec.Command(binary, "grade", "--skip", "state-missing", "-v")
		cmd.Env = append(os.Environ(), "SPOTIFY_ACCOUNTS_URL="+base)
		out, err := cmd.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).To(ContainSubstring("turned off (skip)"))
	})

	DescribeTable("rejects bad usage with exit 2",
		func(args []string, msg string) {
			_, stderr, code := runBinary(append([]string{"grade"}, args...)...)
			Expect(code).To(Equal(exitUsage))
			Expect(stderr).To(ContainSubstring(msg))
		},
		Entry("no target", []string{}, "--target is required"),
		Entry("not a URL", []string{"--target", "127.0.0.1:8787"}, `--target "127.0.0.1:8787": want the fake's base URL`),
		Entry("bad --fail-on", []string{"--target", "http://127.0.0.1:1", "--fail-on", "fatal"}, `--fail-on "fatal": want error, warning, info or none`),
		Entry("bad --report", []string{"--target", "http://127.0.0.1:1", "--report", "xml=out.xml"}, `unknown report format "xml"`),
		Entry("bad --format", []string{"--target", "http://127.0.0.1:1", "--format", "yaml"}, `invalid argument "yaml" for "--format" flag: unknown report format "yaml"`),
		Entry("unknown rule", []string{"--target", "http://127.0.0.1:1", "--skip", "nope"}, `--skip: no rule "nope"`),
		Entry("bad --early-refresh", []string{"--target", "http://127.0.0.1:1", "--early-refresh", "3"}, "--early-refresh"),
	)

	It("says when the app is unknown, exit 2", func() {
		_, stderr, code := runBinary("grade", "--target", base, "--client-id", "nope")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(Equal("spotcheck: no app with client id or name \"nope\"\n"))
	})

	It("exits 3 when nothing listens at the target", func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		addr := ln.Addr().String()
		ln.Close()
		_, stderr, code := runBinary("grade", "--target", "http://"+addr)
		Expect(code).To(Equal(exitUnreachable))
		Expect(stderr).To(ContainSubstring("cannot reach the fake at http://" + addr))
	})

	It("exits 3 for a fake without control endpoints", func() {
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--no-control")
		_, stderr, code := runBinary("grade", "--target", fakeURL(s))
		Expect(code).To(Equal(exitUnreachable))
		Expect(stderr).To(ContainSubstring("is it a spotcheck fake with its control endpoints on (not --no-control)?"))
	})
})

var _ = Describe("spotcheck fake --grade-on-exit", func() {
	It("prints the grade on SIGTERM and exits 1 on an error finding, writing the reports asked for", func() {
		report := filepath.Join(GinkgoT().TempDir(), "grade.json")
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--consent", "auto", "--grade-on-exit", "--report", "json="+report)
		signIn(fakeURL(s), "", false)
		s.Signal(syscall.SIGTERM)
		Eventually(s).WithTimeout(10 * time.Second).Should(gexec.Exit(exitFailed))
		Expect(s.Out).To(gbytes.Say(`state-missing — Authorization request without state`))
		Expect(string(s.Out.Contents())).To(ContainSubstring("fix: Send a state parameter"))
		b, err := os.ReadFile(report)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b)).To(ContainSubstring(`"worst_severity": "error"`))
	})

	It("fails a fake that no app used, unless --allow-empty", func() {
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--grade-on-exit")
		fakeURL(s) // serving, signals handled
		s.Signal(syscall.SIGTERM)
		Eventually(s).WithTimeout(10 * time.Second).Should(gexec.Exit(exitFailed))
		Expect(string(s.Out.Contents())).To(ContainSubstring("no-requests"))
		Expect(string(s.Out.Contents())).To(ContainSubstring("no app sent requests in the window"))

		s = startBinary("fake", "--addr", "127.0.0.1:0", "--grade-on-exit", "--allow-empty")
		fakeURL(s)
		s.Signal(syscall.SIGTERM)
		Eventually(s).WithTimeout(10 * time.Second).Should(gexec.Exit(exitOK))
		Expect(string(s.Out.Contents())).To(ContainSubstring("No findings."))
	})

	It("exits 0 on SIGINT when nothing reaches --fail-on", func() {
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--consent", "auto", "--grade-on-exit")
		signIn(fakeURL(s), "", true) // a warning only
		s.Signal(syscall.SIGINT)
		Eventually(s).WithTimeout(10 * time.Second).Should(gexec.Exit(exitOK))
		Expect(string(s.Out.Contents())).To(ContainSubstring("WARNING (1)"))
	})

	It("fails on warnings with --fail-on warning, and skips rules with --grade-skip", func() {
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--consent", "auto", "--grade-on-exit", "--fail-on", "warning")
		signIn(fakeURL(s), "", true)
		s.Signal(syscall.SIGTERM)
		Eventually(s).WithTimeout(10 * time.Second).Should(gexec.Exit(exitFailed))

		s = startBinary("fake", "--addr", "127.0.0.1:0", "--consent", "auto", "--grade-on-exit", "--fail-on", "warning", "--grade-skip", "state-missing")
		signIn(fakeURL(s), "", true)
		s.Signal(syscall.SIGTERM)
		Eventually(s).WithTimeout(10 * time.Second).Should(gexec.Exit(exitOK))
		Expect(string(s.Out.Contents())).To(ContainSubstring("No findings."))
	})

	DescribeTable("rejects grade flags that cannot apply, exit 2",
		func(args []string, msg string) {
			_, stderr, code := runBinary(append([]string{"fake", "--addr", "127.0.0.1:0"}, args...)...)
			Expect(code).To(Equal(exitUsage))
			Expect(stderr).To(ContainSubstring(msg))
		},
		Entry("--fail-on alone", []string{"--fail-on", "warning"}, "--fail-on only apply with --grade-on-exit"),
		Entry("--report alone", []string{"--report", "json=x.json"}, "--report only apply with --grade-on-exit"),
		Entry("--allow-empty alone", []string{"--allow-empty"}, "--allow-empty only apply with --grade-on-exit"),
		Entry("bad --fail-on", []string{"--grade-on-exit", "--fail-on", "loud"}, `--fail-on "loud"`),
		Entry("unknown rule", []string{"--grade-on-exit", "--skip", "nope"}, `--skip: no rule "nope"`),
	)
})
