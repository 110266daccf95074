package fakespotifytest_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"os/exec"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/fakespotifytest"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
)

const redirect = "http://127.0.0.1:8888/callback"

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signIn runs a confidential authorization-code flow for app, with or
// without state, and returns the access token.
func signIn(srv *fakespotify.Server, app config.App, state string, scope string) string {
	q := url.Values{"client_id": {app.ClientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {scope}}
	if state != "" {
		q.Set("state", state)
	}
	resp, err := noFollow.Get(srv.URL + "/authorize?" + q.Encode())
	Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	Expect(err).NotTo(HaveOccurred())
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(app.ClientID+":"+app.ClientSecret)))
	tr, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer tr.Body.Close()
	Expect(tr.StatusCode).To(Equal(http.StatusOK))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	Expect(jsonDecode(tr, &tok)).To(Succeed())
	return tok.AccessToken
}

func callMe(srv *fakespotify.Server, token string) {
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
}

var _ = Describe("HaveNoClientFindings", func() {
	var srv *fakespotify.Server
	var good, bad config.App
	BeforeEach(func() {
		var err error
		srv, err = fakespotify.Start(fakespotify.DefaultConfig())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		clone := func() config.App {
			a, err := srv.CloneApp("web", fakespotify.AppOverrides{Consent: config.ConsentAuto, AutoUser: "alice"})
			Expect(err).NotTo(HaveOccurred())
			return a
		}
		good, bad = clone(), clone()
	})

	It("passes for a client that behaves, on a Server, a Fake or a Grade", func() {
		callMe(srv, signIn(srv, good, "st-1", "user-read-email"))
		Expect(srv).To(fakespotifytest.HaveNoClientFindings())
		Expect(srv.Fake).To(fakespotifytest.HaveNoClientFindings(fakespotifytest.AtLeast(grade.SeverityInfo)))
		Expect(srv.Grade("")).To(fakespotifytest.HaveNoClientFindings())
		g := srv.Grade(good.ClientID)
		Expect(&g).To(fakespotifytest.HaveNoClientFindings())
	})

	It("fails with each finding's id, title, evidence and fix", func() {
		signIn(srv, bad, "", "user-read-email")
		m := fakespotifytest.HaveNoClientFindings()
		ok, err := m.Match(srv)
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeFalse())
		msg := m.FailureMessage(srv)
		Expect(msg).To(HavePrefix("Expected the client of app " + bad.Name + " (client id " + bad.ClientID + ") (2 requests graded) to have no findings at or above error, but grading found 1:\n\n"))
		Expect(msg).To(ContainSubstring("  [error] state-missing: Authorization request without state and without PKCE"))
		Expect(msg).To(MatchRegexp(`\n      evidence: seq \d+ at \d\d:\d\d:\d\d GET /authorize without state; no PKCE either\n`))
		Expect(msg).To(ContainSubstring("      fix: Send a state parameter on every /authorize request"))
		Expect(m.NegatedFailureMessage(srv)).To(ContainSubstring("to have findings at or above error, but grading found none"))
		Expect(srv).NotTo(fakespotifytest.HaveNoClientFindings())
	})

	It("counts findings below the severity separately, and AtLeast lowers it", func() {
		callMe(srv, signIn(srv, good, "st", "user-read-email user-top-read"))
		m := fakespotifytest.HaveNoClientFindings()
		Expect(m.Match(srv)).To(BeTrue())
		strict := fakespotifytest.HaveNoClientFindings(fakespotifytest.AtLeast(grade.SeverityInfo))
		Expect(strict.Match(srv)).To(BeFalse())
		Expect(strict.FailureMessage(srv)).To(ContainSubstring("[info] scope-requested-unused"))

		signIn(srv, good, "", "user-read-email")
		Expect(m.Match(srv)).To(BeFalse())
		Expect(m.FailureMessage(srv)).To(ContainSubstring("(and 1 below error, not counted)"))
	})

	It("grades one app with ForClient, by id or name, and refuses an unknown one", func() {
		signIn(srv, bad, "", "user-read-email")
		callMe(srv, signIn(srv, good, "st", "user-read-email"))
		Expect(srv).NotTo(fakespotifytest.HaveNoClientFindings())
		Expect(srv).To(fakespotifytest.HaveNoClientFindings(fakespotifytest.ForClient(good.ClientID)))
		Expect(srv).NotTo(fakespotifytest.HaveNoClientFindings(fakespotifytest.ForClient(bad.Name)))
		Expect(srv.Grade("")).To(fakespotifytest.HaveNoClientFindings(fakespotifytest.ForClient(good.ClientID)), "a merged Grade is filtered")
		_, err := fakespotifytest.HaveNoClientFindings(fakespotifytest.ForClient("typo")).Match(srv)
		Expect(err).To(MatchError(ContainSubstring(`ForClient("typo"): the fake has no app with that client id or name`)))
	})

	It("ignores the rules it is told to", func() {
		signIn(srv, bad, "", "user-read-email")
		Expect(srv).To(fakespotifytest.HaveNoClientFindings(fakespotifytest.Ignoring("state-missing")))
		Expect(srv.Grade("")).To(fakespotifytest.HaveNoClientFindings(fakespotifytest.Ignoring("state-missing")))
		_, err := fakespotifytest.HaveNoClientFindings(fakespotifytest.Ignoring("no-such-rule")).Match(srv)
		Expect(err).To(MatchError(ContainSubstring(`no rule "no-such-rule"`)))
	})

	It("takes grading options", func() {
		signIn(srv, bad, "", "user-read-email")
		Expect(srv).To(fakespotifytest.HaveNoClientFindings(fakespotifytest.WithGradeOptions(fakespotify.GradeOptions{Skip: []string{"state-missing"}})))
	})

	It("says what it expects when given something else", func() {
		_, err := fakespotifytest.HaveNoClientFindings().Match("a fake")
		Expect(err).To(MatchError("HaveNoClientFindings expects a *fakespotify.Server, *fakespotify.Fake or fakespotify.Grade, got string"))
		var nilFake *fakespotify.Fake
		_, err = fakespotifytest.HaveNoClientFindings().Match(nilFake)
		Expect(err).To(HaveOccurred())
		_, err = fakespotifytest.HaveNoClientFindings(fakespotifytest.AtLeast("fatal")).Match(srv)
		Expect(err).To(MatchError(ContainSubstring(`AtLeast: severity "fatal"`)))
	})
})

var _ = Describe("the fakespotify packages", func() {
	It("do not pull in Gomega: only this one imports it", func() {
		out, err := exec.Command("go", "list", "-deps", "github.com/spotcheck/spotcheck/fakespotify/...").CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		var withGomega []string
		for _, pkg := range strings.Fields(string(out)) {
			if !strings.HasPrefix(pkg, "github.com/spotcheck/spotcheck/fakespotify") || pkg == "github.com/spotcheck/spotcheck/fakespotify/fakespotifytest" {
				continue
			}
			deps, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
			Expect(err).NotTo(HaveOccurred(), string(deps))
			if strings.Contains(string(deps), "github.com/onsi/gomega") {
				withGomega = append(withGomega, pkg)
			}
		}
		Expect(withGomega).To(BeEmpty())
	})
})
