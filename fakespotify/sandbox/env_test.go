package sandbox_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/sandbox"
)

var _ = Describe("Env", func() {
	s := sandbox.Settings{
		ProxyURL: "http://127.0.0.1:8787", AccountsURL: "http://127.0.0.1:8787", APIURL: "http://127.0.0.1:8787/v1",
		CACert: "/ca/cert.pem", Bundle: "/ca/bundle.pem", ClientID: "id", ClientSecret: "secret", RedirectURI: "http://127.0.0.1:8888/callback",
	}

	It("sets every variable the issue lists, proxies in both cases, replacing the user's", func() {
		env := sandbox.Env([]string{"HOME=/h", "https_proxy=http://corp:3128", "SPOTIFY_CLIENT_ID=real", "SPOTCHECK_SANDBOX=0:0"}, s)
		Expect(env).To(ConsistOf(
			"HOME=/h",
			"HTTPS_PROXY=http://127.0.0.1:8787", "https_proxy=http://127.0.0.1:8787",
			"HTTP_PROXY=http://127.0.0.1:8787", "http_proxy=http://127.0.0.1:8787",
			"NO_PROXY=localhost,127.0.0.1,::1", "no_proxy=localhost,127.0.0.1,::1",
			"SSL_CERT_FILE=/ca/bundle.pem", "REQUESTS_CA_BUNDLE=/ca/bundle.pem", "CURL_CA_BUNDLE=/ca/bundle.pem",
			"NODE_EXTRA_CA_CERTS=/ca/cert.pem",
			"SPOTIFY_ACCOUNTS_URL=http://127.0.0.1:8787", "SPOTIFY_API_URL=http://127.0.0.1:8787/v1",
			"SPOTIFY_CLIENT_ID=id", "SPOTIFY_CLIENT_SECRET=secret", "SPOTIFY_REDIRECT_URI=http://127.0.0.1:8888/callback",
			"SPOTIPY_CLIENT_ID=id", "SPOTIPY_CLIENT_SECRET=secret", "SPOTIPY_REDIRECT_URI=http://127.0.0.1:8888/callback",
		))
	})

	DescribeTable("keeps the user's NO_PROXY entries, except those that would let Spotify bypass the fake",
		func(user, want string) {
			env := sandbox.Env([]string{"NO_PROXY=" + user}, s)
			Expect(env).To(ContainElement("NO_PROXY=" + want))
			Expect(env).To(ContainElement("no_proxy=" + want))
		},
		Entry("a corporate host", "intranet.example.com,.corp", "localhost,127.0.0.1,::1,intranet.example.com,.corp"),
		Entry("everything", "*", "localhost,127.0.0.1,::1"),
		Entry("spotify.com", "spotify.com,x", "localhost,127.0.0.1,::1,x"),
		Entry(".spotify.com", ".spotify.com", "localhost,127.0.0.1,::1"),
		Entry("*.spotify.com", "*.spotify.com", "localhost,127.0.0.1,::1"),
		Entry("the API host", "API.spotify.com", "localhost,127.0.0.1,::1"),
		Entry("another Spotify host", "open.spotify.com", "localhost,127.0.0.1,::1,open.spotify.com"),
		Entry("loopback twice", "localhost, 127.0.0.1", "localhost,127.0.0.1,::1"),
	)
})
