package explain_test

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
)

// A client secret and id as Spotify issues them: both 32 hex digits.
const (
	pastedSecret = "9d8c7b6a5f4e3d2c1b0a99887766554f"
	pastedID     = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b"
)

// explainOutputs runs explain on text and returns its text and JSON
// output together.
func explainOutputs(text string) string {
	GinkgoHelper()
	res, err := explain.Default().Explain([]byte(text), explain.Options{Name: "pasted"})
	Expect(err).NotTo(HaveOccurred())
	var b bytes.Buffer
	Expect(explain.WriteText(&b, res)).To(Succeed())
	Expect(explain.WriteJSON(&b, res)).To(Succeed())
	return b.String()
}

// forms are the ways a value can show in an output.
func forms(v string) []string {
	return []string{v, url.QueryEscape(v), base64.StdEncoding.EncodeToString([]byte(v)),
		base64.URLEncoding.EncodeToString([]byte(v)), base64.RawStdEncoding.EncodeToString([]byte(v))}
}

var _ = Describe("secrets pasted into explain", func() {
	// Each variant is the way a client library, a config format or a
	// person writes the secret, pasted on the line of the error, so that
	// the evidence quotes it. ID and SECRET are replaced by the values.
	DescribeTable("are shown only as fingerprints",
		func(variant string) {
			line := "invalid_client: Invalid client secret; the app had " + strings.NewReplacer("ID", pastedID, "SECRET", pastedSecret).Replace(variant)
			out := explainOutputs(line)
			Expect(out).To(ContainSubstring(redact.Fingerprint(pastedSecret)), "the evidence quotes the variant")
			for _, f := range forms(pastedSecret) {
				Expect(out).NotTo(ContainSubstring(f))
			}
		},
		// JSON and JavaScript
		Entry("JSON snake_case", `{"client_id": "ID", "client_secret": "SECRET"}`),
		Entry("JSON camelCase", `{"clientId": "ID", "clientSecret": "SECRET"}`),
		Entry("a JS object", `{ clientId: 'ID', clientSecret: 'SECRET' }`),
		Entry("spotify-web-api-node", `new SpotifyWebApi({ clientId: 'ID', clientSecret: 'SECRET', redirectUri: 'http://127.0.0.1:8888/callback' })`),
		Entry("spotify-web-api-node's setter", `spotifyApi.setClientSecret('SECRET')`),
		Entry("@spotify/web-api-ts-sdk (positional)", `SpotifyApi.withClientCredentials("ID", "SECRET")`),
		// Go
		Entry("golang.org/x/oauth2", `&oauth2.Config{ClientID: "ID", ClientSecret: "SECRET", Endpoint: spotify.Endpoint}`),
		Entry("zmb3/spotify", `spotifyauth.New(spotifyauth.WithClientID("ID"), spotifyauth.WithClientSecret("SECRET"))`),
		Entry("os.Setenv", `os.Setenv("SPOTIFY_CLIENT_SECRET", "SECRET")`),
		// Python
		Entry("spotipy keyword arguments", `SpotifyOAuth(client_id="ID", client_secret="SECRET", redirect_uri="http://127.0.0.1:8888/callback")`),
		Entry("a Python dict", `{'client_id': 'ID', 'client_secret': 'SECRET'}`),
		Entry("spotipy's environment", `SPOTIPY_CLIENT_SECRET=SECRET`),
		// Environment, shells, config files
		Entry("a .env line", `SPOTIFY_CLIENT_SECRET=SECRET`),
		Entry("a quoted .env line", `SPOTIFY_CLIENT_SECRET="SECRET"`),
		Entry("export", `export CLIENT_SECRET='SECRET'`),
		Entry("YAML", `client_secret: SECRET`),
		Entry("YAML camelCase, quoted", `clientSecret: "SECRET"`),
		Entry("Spring properties", `spotify.client.secret=SECRET`),
		Entry("TOML", `client_secret = "SECRET"`),
		Entry("a CLI flag", `--client-secret=SECRET`),
		Entry("a CLI flag and a space", `--client-secret SECRET`),
		Entry("curl -u", `curl -u ID:SECRET https://accounts.spotify.com/api/token`),
		Entry("a form body", `grant_type=client_credentials&client_id=ID&client_secret=SECRET`),
		// Java, Kotlin, C#, Ruby, PHP
		Entry("spotify-web-api-java's builder", `SpotifyApi.builder().setClientId("ID").setClientSecret("SECRET").build()`),
		Entry("a Kotlin builder", `.clientSecret("SECRET")`),
		Entry("SpotifyAPI-NET (positional)", `new ClientCredentialsRequest("ID", "SECRET")`),
		Entry("a Ruby hash rocket", `{ :client_id => 'ID', :client_secret => 'SECRET' }`),
		Entry("Ruby keyword style", `RSpotify.authenticate(client_id: 'ID', client_secret: 'SECRET')`),
		Entry("a PHP array", `['client_id' => 'ID', 'client_secret' => 'SECRET']`),
		Entry("spotify-web-api-php's Session (positional)", `new SpotifyWebAPI\Session('ID', 'SECRET', 'http://127.0.0.1:8888/callback')`),
		// Words
		Entry("secret: …", `secret: SECRET`),
		Entry("Client Secret: … (the dashboard's label)", `Client Secret: SECRET`),
		Entry("client secret …", `client secret SECRET`),
		Entry("client secret is …", `client secret is SECRET`),
		Entry("a bare 32-hex value", `SECRET`),
	)

	It("shows Basic credentials as a fingerprint, and the secret inside them nowhere", func() {
		basic := base64.StdEncoding.EncodeToString([]byte(pastedID + ":" + pastedSecret))
		out := explainOutputs("invalid_client: Invalid client secret; the app sent Authorization: Basic " + basic)
		Expect(out).To(ContainSubstring(redact.Fingerprint(basic)))
		for _, f := range append(forms(pastedSecret), basic) {
			Expect(out).NotTo(ContainSubstring(f))
		}
	})

	DescribeTable("leave a client id labelled as one readable, and other words alone",
		func(text, want string) {
			// The evidence, not the catalog's own text (which quotes
			// Spotify's messages), must show it.
			res, err := explain.Default().Explain([]byte(text), explain.Options{Name: "pasted"})
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Matches).NotTo(BeEmpty())
			Expect(res.Matches[0].Evidence).To(ContainElement(ContainSubstring(want)))
		},
		Entry("client_id=", "invalid_client: Invalid client secret; the app sent client_id="+pastedID, "client_id="+pastedID),
		Entry("clientId:", "invalid_client: Invalid client secret; { clientId: '"+pastedID+"' }", "clientId: '"+pastedID+"'"),
		Entry("SPOTIFY_CLIENT_ID=", "invalid_client: Invalid client secret; SPOTIFY_CLIENT_ID="+pastedID, "SPOTIFY_CLIENT_ID="+pastedID),
		Entry("setClientId(", "invalid_client: Invalid client secret; .setClientId(\""+pastedID+"\")", ".setClientId(\""+pastedID+"\")"),
		Entry("client id is …", "invalid_client: Invalid client secret; the client id is "+pastedID, "client id is "+pastedID),
		Entry("a placeholder secret", "invalid_client: Invalid client secret; client_secret=YOUR_CLIENT_SECRET", "client_secret=YOUR_CLIENT_SECRET"),
		Entry("prose after 'client secret'", "invalid_client: Invalid client secret; the client secret (regenerated yesterday) fails", "(regenerated yesterday)"),
		// Issue 16: Spotify's own 400 text is not a token.
		Entry("Only valid bearer authentication supported", `{"error":{"status":400,"message":"Only valid bearer authentication supported"}}`, "Only valid bearer authentication supported"),
	)
})
