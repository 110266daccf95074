package fakespotify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// A golang.org/x/oauth2 client runs the whole authorization-code flow with
// PKCE against the fake, calls the Web API and refreshes its token. Auto
// consent stands in for the user pressing "Agree"; with consent "page" a
// browser (or the rod driver in checks/browser) does that instead.
func Example() {
	srv, err := fakespotify.Start(fakespotify.DefaultConfig())
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	// Every test can have its own app, so nothing is shared between tests.
	app, err := srv.CloneApp("web", fakespotify.AppOverrides{Consent: config.ConsentAuto, AutoUser: "alice"})
	if err != nil {
		panic(err)
	}
	conf := &oauth2.Config{
		ClientID:    app.ClientID,
		RedirectURL: "http://127.0.0.1:8888/callback",
		Scopes:      []string{"user-read-email", "user-read-private"},
		Endpoint: oauth2.Endpoint{
			AuthURL:   srv.URL + "/authorize",
			TokenURL:  srv.URL + "/api/token",
			AuthStyle: oauth2.AuthStyleInParams, // a public client: client_id in the body, no secret
		},
	}
	ctx := context.Background()
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("state-42", oauth2.S256ChallengeOption(verifier))

	// The browser would follow the redirect to the app; catch it instead.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	callback, _ := url.Parse(resp.Header.Get("Location"))
	fmt.Println("state:", callback.Query().Get("state"))

	tok, err := conf.Exchange(ctx, callback.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		panic(err)
	}
	fmt.Println("token type:", tok.TokenType, "scope:", tok.Extra("scope"))

	me, err := conf.Client(ctx, tok).Get(srv.URL + "/v1/me")
	if err != nil {
		panic(err)
	}
	var user struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	}
	_ = json.NewDecoder(me.Body).Decode(&user)
	me.Body.Close()
	fmt.Println("me:", user.ID, user.Email)

	// Refresh: under the default "2026" policy no new refresh token comes
	// back, and the original keeps working.
	refreshed, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		panic(err)
	}
	fmt.Println("new access token:", refreshed.AccessToken != tok.AccessToken, "same refresh token:", refreshed.RefreshToken == tok.RefreshToken)

	// Code reuse is answered as Spotify does.
	_, err = conf.Exchange(ctx, callback.Query().Get("code"), oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	if errorsAs(err, &re) {
		fmt.Println("reused code:", re.ErrorCode, "/", re.ErrorDescription)
	}
	// Output:
	// state: state-42
	// token type: Bearer scope: user-read-email user-read-private
	// me: alice alice@example.com
	// new access token: true same refresh token: true
	// reused code: invalid_grant / Invalid authorization code
}
