package fakespotify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
)

// A CI job grades the app under test: it starts one fake for the whole
// run, runs the app's tests against it, grades each test's window of
// requests, and fails when a finding of severity error turns up — here
// because one test reloads the OAuth callback page, which makes the app
// exchange the same code twice. The tests themselves may well pass:
// Spotify would still punish the app for it.
func Example_gradeCIJob() {
	srv, err := fakespotify.Start(fakespotify.DefaultConfig())
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	// One app for the run; parallel suites clone one app per test instead.
	app, err := srv.CloneApp("web", fakespotify.AppOverrides{Consent: config.ConsentAuto, AutoUser: "alice"})
	if err != nil {
		panic(err)
	}

	tests := []struct {
		name string
		run  func(srv *fakespotify.Server, app config.App)
	}{
		{"login", func(srv *fakespotify.Server, app config.App) { appLogin(srv, app, 1) }},
		{"login, then reload the callback page", func(srv *fakespotify.Server, app config.App) { appLogin(srv, app, 2) }},
	}
	failed := 0
	for _, t := range tests {
		t.run(srv, app)
		g := srv.GradeAndReset(app.ClientID) // this test's requests only; the next test starts a new window
		if !g.Failed(grade.SeverityError) {
			fmt.Printf("ok   %s\n", t.name)
			continue
		}
		failed++
		fmt.Printf("FAIL %s\n", t.name)
		for _, f := range g.AtLeast(grade.SeverityError) {
			fmt.Printf("     [%s] %s: %s\n", f.Severity, f.ID, f.Title)
		}
	}
	if failed > 0 {
		fmt.Println("exit 1")
	}
	// Output:
	// ok   login
	// FAIL login, then reload the callback page
	//      [error] code-invalid: Authorization code sent to /api/token more than once
	// exit 1
}

// appLogin stands for the app under test: a server-side app using
// golang.org/x/oauth2 as it should (a random state, credentials in the
// Basic header). Its callback handler runs once per page load.
func appLogin(srv *fakespotify.Server, app config.App, pageLoads int) {
	conf := &oauth2.Config{
		ClientID: app.ClientID, ClientSecret: app.ClientSecret,
		RedirectURL: "http://127.0.0.1:8888/callback", Scopes: []string{"user-read-email"},
		Endpoint: oauth2.Endpoint{AuthURL: srv.URL + "/authorize", TokenURL: srv.URL + "/api/token", AuthStyle: oauth2.AuthStyleInHeader},
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	resp, err := browser.Get(conf.AuthCodeURL(oauth2.GenerateVerifier()))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	callback, _ := url.Parse(resp.Header.Get("Location"))
	for i := 0; i < pageLoads; i++ {
		tok, err := conf.Exchange(context.Background(), callback.Query().Get("code"))
		if err != nil {
			continue // the reload shows an error page; the first load already signed the user in
		}
		me, err := conf.Client(context.Background(), tok).Get(srv.URL + "/v1/me")
		if err == nil {
			me.Body.Close()
		}
	}
}
