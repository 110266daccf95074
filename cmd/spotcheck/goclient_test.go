package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"

	spotifyapi "github.com/zmb3/spotify/v2"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/spotify"
)

// TestMain doubles as a Go app that uses golang.org/x/oauth2 with the real
// spotify.Endpoint and zmb3/spotify's default client, unmodified: `spotcheck
// fake -- <this test binary>` runs it with SPOTCHECK_TEST_GO_CLIENT set. A
// fresh process is the point: Go reads HTTPS_PROXY and SSL_CERT_FILE once.
func TestMain(m *testing.M) {
	if os.Getenv("SPOTCHECK_TEST_GO_CLIENT") != "" {
		if err := goClient(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "flows failed:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func goClient(ctx context.Context) error {
	id, secret := os.Getenv("SPOTIFY_CLIENT_ID"), os.Getenv("SPOTIFY_CLIENT_SECRET")
	cc := &clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: spotify.Endpoint.TokenURL}
	api := spotifyapi.New(cc.Client(ctx)) // https://api.spotify.com/v1/, the library's default
	track, err := api.GetTrack(ctx, "0VjIjW4GlUZAMYd2vXMi3b")
	if err != nil {
		return fmt.Errorf("client credentials: %w", err)
	}
	fmt.Println("client credentials: track", track.Name)

	conf := &oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: spotify.Endpoint,
		RedirectURL: os.Getenv("SPOTIFY_REDIRECT_URI"), Scopes: []string{"user-read-private", "user-read-email"}}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(conf.AuthCodeURL("state-go"))
	if err != nil {
		return fmt.Errorf("authorize: %w", err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || cb.Query().Get("state") != "state-go" {
		return fmt.Errorf("authorize answered %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	tok, err := conf.Exchange(ctx, cb.Query().Get("code"))
	if err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	me, err := spotifyapi.New(conf.Client(ctx, tok)).CurrentUser(ctx)
	if err != nil {
		return fmt.Errorf("me: %w", err)
	}
	fmt.Println("authorization code: me", me.ID)
	return nil
}
