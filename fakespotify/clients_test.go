package fakespotify_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/zmb3/spotify/v2"
	spotifyauth "github.com/zmb3/spotify/v2/auth"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// Real client libraries against the fake: if their parsing of our bodies
// breaks, our bodies are not Spotify's.
var _ = Describe("real Spotify client libraries", func() {
	var h *harness
	BeforeEach(func() { h = newHarness() })

	It("zmb3/spotify reads the profile, playlists and a track", func() {
		app := h.autoApp("web")
		auth := spotifyauth.New(
			spotifyauth.WithClientID(app.ClientID), spotifyauth.WithClientSecret(app.ClientSecret),
			spotifyauth.WithRedirectURL(webRedir),
			spotifyauth.WithScopes(spotifyauth.ScopeUserReadPrivate, spotifyauth.ScopeUserReadEmail, spotifyauth.ScopePlaylistReadPrivate),
		)
		authURL, _ := url.Parse(auth.AuthURL("st"))
		fakeAuth := h.srv.URL + "/authorize?" + authURL.RawQuery
		loc, _ := url.Parse(h.get(fakeAuth[len(h.srv.URL):]).header.Get("Location"))

		conf := &oauth2.Config{ClientID: app.ClientID, ClientSecret: app.ClientSecret, RedirectURL: webRedir,
			Endpoint: oauth2.Endpoint{AuthURL: h.srv.URL + "/authorize", TokenURL: h.srv.URL + "/api/token"}}
		tok, err := conf.Exchange(context.Background(), loc.Query().Get("code"))
		Expect(err).NotTo(HaveOccurred())

		client := spotify.New(conf.Client(context.Background(), tok), spotify.WithBaseURL(h.srv.URL+"/v1/"))
		user, err := client.CurrentUser(context.Background())
		Expect(err).NotTo(HaveOccurred())
		Expect(user.ID).To(Equal("alice"))
		Expect(user.Email).To(Equal("alice@example.com"))
		Expect(user.Product).To(Equal("premium"))

		pls, err := client.CurrentUsersPlaylists(context.Background())
		Expect(err).NotTo(HaveOccurred())
		Expect(int(pls.Total)).To(Equal(2), "private yes, collaborative needs playlist-read-collaborative")

		track, err := client.GetTrack(context.Background(), "0VjIjW4GlUZAMYd2vXMi3b")
		Expect(err).NotTo(HaveOccurred())
		Expect(track.Name).To(Equal("Blinding Lights"))

		_, err = client.CurrentUsersTopTracks(context.Background())
		var se spotify.Error
		Expect(errors.As(err, &se)).To(BeTrue(), "%v", err)
		Expect(se.Status).To(Equal(http.StatusForbidden))
		Expect(se.Message).To(Equal("Insufficient client scope"))
	})

	It("golang.org/x/oauth2/clientcredentials gets an app token", func() {
		app := h.autoApp("web")
		cc := &clientcredentials.Config{ClientID: app.ClientID, ClientSecret: app.ClientSecret, TokenURL: h.srv.URL + "/api/token"}
		tok, err := cc.Token(context.Background())
		Expect(err).NotTo(HaveOccurred())
		Expect(tok.TokenType).To(Equal("Bearer"))
		Expect(tok.Extra("scope")).To(BeNil())
	})

	It("golang.org/x/oauth2's auth-style probe burns the code and reports only the second error", func() {
		app := h.autoApp("web")
		code := h.code(authQuery(app, webRedir))
		conf := &oauth2.Config{ClientID: app.ClientID, ClientSecret: app.ClientSecret, RedirectURL: webRedir + "/",
			Endpoint: oauth2.Endpoint{AuthURL: h.srv.URL + "/authorize", TokenURL: h.srv.URL + "/api/token"}} // AuthStyleAutoDetect
		_, err := conf.Exchange(context.Background(), code)
		var re *oauth2.RetrieveError
		Expect(errors.As(err, &re)).To(BeTrue())
		Expect(re.ErrorDescription).To(Equal("Invalid authorization code"))
		reqs := h.srv.Requests(app.ClientID)
		var tokenCalls int
		for _, r := range reqs {
			if r.Endpoint == "token" {
				tokenCalls++
			}
		}
		Expect(tokenCalls).To(Equal(2), "one with Basic, one with credentials in the body")
		last := reqs[len(reqs)-1]
		Expect(last.Form.Get("client_id")).To(Equal(app.ClientID))
		Expect(last.Form.Get("code")).To(Equal(reqs[len(reqs)-2].Form.Get("code")), "same code fingerprint twice")
	})
})
