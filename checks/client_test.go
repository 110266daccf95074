package checks_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

const (
	testClientID = "0123456789abcdef0123456789abcdef"
	testSecret   = "fedcba9876543210fedcba9876543210"
	testCode     = "AQBD4CLvpV-authorization-code_0001"
	testVerifier = "verifier-0123456789-0123456789-0123456789-xyz"
	testAccess   = "BQDjriAcf5p-access-token-0001"
	testRefresh  = "AQAfv6LAi0-refresh-token-0001"
	testRefresh2 = "AQAfv6LAi0-refresh-token-0002"
)

// seen is what a test server received.
type seen struct {
	Method, URI string
	Header      http.Header
	Body        string
}

// fakeAccounts is a small stand-in for Spotify on one loopback port, like
// the fake: /authorize, /api/token, /v1/me and a control path. It echoes
// what it received in places a careless client would leak it.
type fakeAccounts struct {
	*httptest.Server
	secret, redirectURI string
	mu                  sync.Mutex
	requests            []seen
}

func newFakeAccounts(secret, redirectURI string) *fakeAccounts {
	f := &fakeAccounts{secret: secret, redirectURI: redirectURI}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	DeferCleanup(f.Close)
	return f
}

func (f *fakeAccounts) seen() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.requests...)
}

func (f *fakeAccounts) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, seen{r.Method, r.RequestURI, r.Header.Clone(), string(body)})
	f.mu.Unlock()
	writeJSON := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	switch r.URL.Path {
	case "/authorize":
		http.Redirect(w, r, f.redirectURI+"?code="+url.QueryEscape(testCode)+"&state=st4te", http.StatusFound)
	case "/api/token":
		form, _ := url.ParseQuery(string(body))
		switch form.Get("grant_type") {
		case "authorization_code":
			writeJSON(200, map[string]any{"access_token": testAccess, "token_type": "Bearer", "scope": "user-read-email",
				"expires_in": 3600, "refresh_token": testRefresh})
		case "refresh_token":
			writeJSON(200, map[string]any{"access_token": testAccess + "-2", "token_type": "Bearer", "expires_in": 3600, "refresh_token": testRefresh2})
		default:
			// Echo the request, as a careless server might: the transcript must not.
			writeJSON(400, map[string]any{"error": "unsupported_grant_type",
				"error_description": "got " + string(body) + " with " + r.Header.Get("Authorization") + " query " + r.URL.RawQuery})
		}
	case "/v1/me":
		w.Header().Set("WWW-Authenticate", `Bearer realm="spotify", error="invalid_token"`)
		w.Header().Set("Set-Cookie", "sp_t="+testAccess+"; Path=/; HttpOnly")
		writeJSON(401, map[string]any{"error": map[string]any{"status": 401, "message": "token " + r.Header.Get("Authorization")}})
	case "/_spotcheck/health":
		writeJSON(200, map[string]any{"ok": true, "client_secret": f.secret})
	default:
		http.NotFound(w, r)
	}
}

func newClient(cfg checks.ClientConfig) *checks.Client {
	c, err := checks.NewClient(cfg)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(c.Close)
	return c
}

// forbidden lists every form in which the given secrets could leak.
func forbidden(id, secret string, others ...string) []string {
	pair := []byte(id + ":" + secret)
	out := []string{
		secret, url.QueryEscape(secret), url.PathEscape(secret),
		base64.StdEncoding.EncodeToString(pair), base64.URLEncoding.EncodeToString(pair),
		base64.RawStdEncoding.EncodeToString(pair), base64.RawURLEncoding.EncodeToString(pair),
	}
	if q, _ := json.Marshal(secret); len(q) > 2 {
		out = append(out, string(q[1:len(q)-1]))
	}
	for _, o := range others {
		out = append(out, o, url.QueryEscape(o))
	}
	return out
}

// expectNoLeak greps the JSON-marshalled transcript, and its %+v form,
// for every forbidden value.
func expectNoLeak(transcript []wire.Exchange, values []string) {
	GinkgoHelper()
	js, err := json.Marshal(transcript)
	Expect(err).NotTo(HaveOccurred())
	text := string(js) + fmt.Sprintf("%+v", transcript)
	for _, v := range values {
		Expect(text).NotTo(ContainSubstring(v), "leaked %q", v)
	}
}

var _ = Describe("Client", func() {
	ctx := context.Background()

	Describe("recording a whole flow", func() {
		DescribeTable("redacts every recorded field, with secrets learned up front and on the way",
			func(secret string) {
				callback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.WriteString(w, "callback got "+r.URL.RawQuery)
				}))
				DeferCleanup(callback.Close)
				redirectURI := callback.URL + "/callback"
				f := newFakeAccounts(secret, redirectURI)
				c := newClient(checks.ClientConfig{AccountsURL: f.URL, APIURL: f.URL, RedirectURIs: []string{redirectURI}})
				c.AddClientCredentials(testClientID, secret)

				authURL := f.URL + "/authorize?client_id=" + testClientID + "&response_type=code&redirect_uri=" + url.QueryEscape(redirectURI)
				resp, err := c.Get(ctx, "authorize", authURL)
				Expect(err).NotTo(HaveOccurred())
				By("not following the redirect")
				Expect(resp.Status).To(Equal(http.StatusFound))
				Expect(resp.Location()).To(Equal(redirectURI + "?code=" + testCode + "&state=st4te"))
				Expect(f.seen()).To(HaveLen(1))

				By("following it by hand, as the runner does with a callback")
				_, err = c.Get(ctx, "callback", resp.Location())
				Expect(err).NotTo(HaveOccurred())

				resp, err = c.Token(ctx, checks.TokenRequest{Step: "exchange", Auth: checks.AuthBasic, ClientID: testClientID, ClientSecret: secret,
					Params: checks.AuthorizationCodeParams(testCode, redirectURI, testVerifier)})
				Expect(err).NotTo(HaveOccurred())
				tok, err := resp.Token()
				Expect(err).NotTo(HaveOccurred())
				Expect(tok.AccessToken).To(Equal(testAccess), "the caller gets the real token")

				_, err = c.Do(ctx, c.APIRequest("me", http.MethodGet, "/v1/me", tok.AccessToken, nil))
				Expect(err).NotTo(HaveOccurred())
				_, err = c.Token(ctx, checks.TokenRequest{Step: "refresh", Auth: checks.AuthBody, ClientID: testClientID, ClientSecret: secret,
					Params: checks.RefreshParams(tok.RefreshToken)})
				Expect(err).NotTo(HaveOccurred())
				// The server echoes these bodies, headers and queries back in its error.
				_, err = c.Token(ctx, checks.TokenRequest{Step: "query", Auth: checks.AuthBody, ClientID: testClientID, ClientSecret: secret,
					Params: checks.ClientCredentialsParams(""), InQuery: true})
				Expect(err).NotTo(HaveOccurred())
				_, err = c.Token(ctx, checks.TokenRequest{Step: "json-as-form", Auth: checks.AuthBody, ClientID: testClientID, ClientSecret: secret,
					Params: url.Values{"grant_type": {"client_credentials"}}, JSON: true, ContentType: "application/x-www-form-urlencoded"})
				Expect(err).NotTo(HaveOccurred())
				_, err = c.Token(ctx, checks.TokenRequest{Step: "basic", Auth: checks.AuthBasic, ClientID: testClientID, ClientSecret: secret,
					Params: url.Values{"grant_type": {"password"}}})
				Expect(err).NotTo(HaveOccurred())
				_, err = c.Get(ctx, "control", f.URL+"/_spotcheck/health")
				Expect(err).NotTo(HaveOccurred())

				tr := c.Transcript()
				Expect(tr).To(HaveLen(9))
				expectNoLeak(tr, forbidden(testClientID, secret, testCode, testVerifier, testAccess, testAccess+"-2", testRefresh, testRefresh2))

				By("labelling steps and peers")
				var steps []string
				var peers []wire.Peer
				for i, ex := range tr {
					Expect(ex.Seq).To(Equal(i + 1))
					Expect(ex.Actor).To(Equal(wire.ActorClient))
					steps, peers = append(steps, ex.Step), append(peers, ex.Peer)
				}
				Expect(steps).To(Equal([]string{"authorize", "callback", "exchange", "me", "refresh", "query", "json-as-form", "basic", "control"}))
				Expect(peers).To(Equal([]wire.Peer{"accounts", "redirect", "accounts", "api", "accounts", "accounts", "accounts", "accounts", "other"}))

				By("keeping what a reader needs: schemes, field names, fingerprints")
				fp := redact.Fingerprint
				Expect(tr[0].ResponseHeaders.Get("Location")).To(Equal(redirectURI + "?code=" + fp(testCode) + "&state=st4te"))
				Expect(tr[1].URL).To(Equal(redirectURI + "?code=" + fp(testCode) + "&state=st4te"))
				Expect(tr[2].RequestHeaders.Get("Authorization")).To(HavePrefix("Basic [redacted "))
				Expect(tr[2].RequestBody).To(ContainSubstring("code=" + fp(testCode)))
				Expect(tr[2].RequestBody).To(ContainSubstring("code_verifier=" + fp(testVerifier)))
				Expect(tr[2].ResponseBody).To(ContainSubstring(`"access_token":"` + fp(testAccess) + `"`))
				Expect(tr[2].Status).To(Equal(200))
				Expect(tr[3].RequestHeaders.Get("Authorization")).To(Equal("Bearer " + fp(testAccess)))
				Expect(tr[3].ResponseBody).To(ContainSubstring("token Bearer " + fp(testAccess)))
				Expect(tr[3].ResponseHeaders.Get("Www-Authenticate")).To(Equal(`Bearer realm="spotify", error="invalid_token"`))
				Expect(tr[5].URL).To(ContainSubstring("client_secret=" + fp(secret)))
				Expect(tr[6].RequestBody).To(ContainSubstring(`"client_secret":"` + fp(secret) + `"`))
				Expect(tr[0].Method).To(Equal("GET"))
				Expect(tr[2].Duration).To(BeNumerically(">", 0))
			},
			Entry("a 32-hex secret", testSecret),
			Entry("a secret that needs escaping everywhere", `p@ss w/rd+=&?#"quoted"\secret`),
			Entry("a secret with a trailing newline, as read from a file", testSecret+"\n"),
		)

		It("learns secrets from a fake's control API and from browser exchanges it records", func() {
			f := newFakeAccounts("cloned-app-secret-0123456789abcdef", "http://127.0.0.1:1/cb")
			c := newClient(checks.ClientConfig{AccountsURL: f.URL, APIURL: f.URL, RedirectURIs: []string{"http://127.0.0.1:1/cb"}})
			_, err := c.Get(ctx, "clone", f.URL+"/_spotcheck/health")
			Expect(err).NotTo(HaveOccurred())
			ex := c.Record(wire.Exchange{Step: "consent", Method: "GET", URL: "http://127.0.0.1:1/cb?code=AQbrowser-caught-code-123&state=s",
				ResponseBody: "page mentions AQbrowser-caught-code-123 and cloned-app-secret-0123456789abcdef"})
			Expect(ex.Actor).To(Equal(wire.ActorBrowser))
			Expect(ex.Peer).To(Equal(wire.PeerRedirect))
			Expect(ex.Seq).To(Equal(2))
			expectNoLeak(c.Transcript(), []string{"AQbrowser-caught-code-123", "cloned-app-secret-0123456789abcdef"})
			Expect(c.Redactor().String("later: AQbrowser-caught-code-123")).To(Equal("later: " + redact.Fingerprint("AQbrowser-caught-code-123")))
		})

		It("redacts Set-Cookie values and cuts huge bodies, saying so", func() {
			big := strings.Repeat("x", 100<<10) + testSecret
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, testSecret+big)
			}))
			DeferCleanup(srv.Close)
			c := newClient(checks.ClientConfig{AccountsURL: srv.URL})
			c.Learn(testSecret)
			resp, err := c.Get(ctx, "big", srv.URL)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.Body).To(HaveLen(len(testSecret) + len(big)))
			Expect(resp.Truncated).To(BeFalse())
			body := resp.Exchange.ResponseBody
			Expect(len(body)).To(BeNumerically("<", checks.TranscriptBodyLimit+200))
			Expect(body).To(HavePrefix(redact.Fingerprint(testSecret) + "xxx"))
			Expect(body).To(HaveSuffix(fmt.Sprintf("[spotcheck: body truncated: first %d bytes of %d shown]", checks.TranscriptBodyLimit, len(testSecret)+len(big))))
		})

		It("stops reading at MaxResponseBytes and marks the response truncated", func() {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, strings.Repeat("y", 5000))
			}))
			DeferCleanup(srv.Close)
			c := newClient(checks.ClientConfig{MaxResponseBytes: 1000})
			resp, err := c.Get(ctx, "", srv.URL)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.Body).To(HaveLen(1000))
			Expect(resp.Truncated).To(BeTrue())
			Expect(resp.Exchange.ResponseBody).To(HaveSuffix("[spotcheck: body truncated: the client read only the first 1000 bytes]"))
		})

		It("shows binary bodies as a size", func() {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "image/png")
				_, _ = w.Write([]byte{0x89, 'P', 'N', 'G', 0, 1, 2})
			}))
			DeferCleanup(srv.Close)
			resp, err := newClient(checks.ClientConfig{}).Get(ctx, "", srv.URL)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.Exchange.ResponseBody).To(Equal("[7 bytes of image/png, not shown]"))
		})

		It("prints a response without its contents", func() {
			f := newFakeAccounts(testSecret, "http://127.0.0.1:1/cb")
			c := newClient(checks.ClientConfig{AccountsURL: f.URL})
			resp, err := c.Token(ctx, checks.TokenRequest{ClientID: testClientID, ClientSecret: testSecret, Params: checks.AuthorizationCodeParams(testCode, "http://127.0.0.1:1/cb", "")})
			Expect(err).NotTo(HaveOccurred())
			tok, err := resp.Token()
			Expect(err).NotTo(HaveOccurred())
			for _, s := range []string{fmt.Sprint(resp), fmt.Sprintf("%v %+v %#v", tok, tok, &tok)} {
				Expect(s).NotTo(ContainSubstring(testAccess))
				Expect(s).NotTo(ContainSubstring(testRefresh))
			}
			Expect(fmt.Sprint(tok)).To(ContainSubstring(fmt.Sprintf("access_token:(%d chars)", len(testAccess))), "lengths, never the tokens")
		})
	})

	Describe("token request builders", func() {
		DescribeTable("send what the caller intends",
			func(t checks.TokenRequest, wantURI, wantAuth, wantCT, wantBody string) {
				f := newFakeAccounts(testSecret, "http://127.0.0.1:1/cb")
				c := newClient(checks.ClientConfig{AccountsURL: f.URL})
				t.ClientID = testClientID
				if t.ClientSecret == "" && t.Auth != checks.AuthPublic && t.Auth != checks.AuthNone {
					t.ClientSecret = testSecret
				}
				_, err := c.Token(ctx, t)
				Expect(err).NotTo(HaveOccurred())
				got := f.seen()
				Expect(got).To(HaveLen(1))
				Expect(got[0].Method).To(Equal("POST"))
				Expect(got[0].URI).To(Equal(wantURI))
				Expect(got[0].Header.Get("Authorization")).To(Equal(wantAuth))
				Expect(got[0].Header.Get("Content-Type")).To(Equal(wantCT))
				Expect(got[0].Body).To(Equal(wantBody))
			},
			Entry("Basic header", checks.TokenRequest{Auth: checks.AuthBasic, Params: checks.AuthorizationCodeParams("AQc", "http://127.0.0.1:8888/cb", "")},
				"/api/token", "Basic "+base64.StdEncoding.EncodeToString([]byte(testClientID+":"+testSecret)), "application/x-www-form-urlencoded",
				"code=AQc&grant_type=authorization_code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcb"),
			Entry("credentials in the body", checks.TokenRequest{Auth: checks.AuthBody, Params: checks.RefreshParams("AQr")},
				"/api/token", "", "application/x-www-form-urlencoded",
				"client_id="+testClientID+"&client_secret="+testSecret+"&grant_type=refresh_token&refresh_token=AQr"),
			Entry("PKCE: client_id and no secret", checks.TokenRequest{Auth: checks.AuthPublic, Params: checks.AuthorizationCodeParams("AQc", "http://h/cb", "ver")},
				"/api/token", "", "application/x-www-form-urlencoded",
				"client_id="+testClientID+"&code=AQc&code_verifier=ver&grant_type=authorization_code&redirect_uri=http%3A%2F%2Fh%2Fcb"),
			Entry("no client authentication", checks.TokenRequest{Auth: checks.AuthNone, Params: checks.ClientCredentialsParams("")},
				"/api/token", "", "application/x-www-form-urlencoded", "grant_type=client_credentials"),
			Entry("parameters in the query instead of the body", checks.TokenRequest{Auth: checks.AuthBody, Params: checks.ClientCredentialsParams("user-read-email"), InQuery: true},
				"/api/token?client_id="+testClientID+"&client_secret="+testSecret+"&grant_type=client_credentials&scope=user-read-email", "", "", ""),
			Entry("a JSON body", checks.TokenRequest{Auth: checks.AuthNone, Params: checks.ClientCredentialsParams(""), JSON: true},
				"/api/token", "", "application/json", `{"grant_type":"client_credentials"}`),
			Entry("a JSON body sent as a form (web-api#1503)", checks.TokenRequest{Auth: checks.AuthNone, Params: checks.ClientCredentialsParams(""), JSON: true, ContentType: "application/x-www-form-urlencoded"},
				"/api/token", "", "application/x-www-form-urlencoded", `{"grant_type":"client_credentials"}`),
			Entry("no content type at all", checks.TokenRequest{Auth: checks.AuthNone, Params: checks.ClientCredentialsParams(""), ContentType: "-"},
				"/api/token", "", "", "grant_type=client_credentials"),
			Entry("a trailing slash in the path", checks.TokenRequest{Auth: checks.AuthNone, Params: checks.ClientCredentialsParams(""), Path: "/api/token/"},
				"/api/token/", "", "application/x-www-form-urlencoded", "grant_type=client_credentials"),
		)

		It("registers the credentials it builds with", func() {
			c := newClient(checks.ClientConfig{AccountsURL: "https://accounts.spotify.com"})
			req := c.TokenRequest(checks.TokenRequest{ClientID: testClientID, ClientSecret: "a-brand-new-secret-value"})
			Expect(req.URL).To(Equal("https://accounts.spotify.com/api/token"))
			Expect(c.Redactor().String(req.Header.Get("Authorization"))).To(HavePrefix("Basic [redacted "))
			Expect(c.Redactor().String("a-brand-new-secret-value")).To(Equal(redact.Fingerprint("a-brand-new-secret-value")))
		})
	})

	Describe("raw mode", func() {
		var pair = base64.StdEncoding.EncodeToString([]byte(testClientID + ":" + testSecret))

		It("sends a Basic header with a line break in the base64 byte for byte", func() {
			srv := newRawServer("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n" + `{"error":"invalid_client"}`)
			c := newClient(checks.ClientConfig{AccountsURL: srv.url})
			broken := "Basic " + pair[:40] + "\n" + pair[40:]
			body := "grant_type=client_credentials"
			req := checks.Request{Step: "wrapped-base64", Raw: true, Method: "POST", URL: srv.url + "/api/token",
				Header: http.Header{"Authorization": {broken}, "Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte(body)}
			want := "POST /api/token HTTP/1.1\r\n" +
				"Host: " + srv.host + "\r\n" +
				"Authorization: " + broken + "\r\n" +
				"Content-Type: application/x-www-form-urlencoded\r\n" +
				"Content-Length: 29\r\n" +
				"Connection: close\r\n\r\n" + body
			Expect(string(req.Bytes())).To(Equal(want))

			resp, err := c.Do(ctx, req)
			Expect(err).NotTo(HaveOccurred())
			Expect(srv.received()).To(Equal(want), "the server got exactly these bytes, the bare \\n included")
			Expect(resp.Status).To(Equal(400))
			oe, _, ok := wire.ParseOAuthError(resp.Body)
			Expect(ok).To(BeTrue())
			Expect(oe.Code).To(Equal("invalid_client"))
			Expect(oe.Description).To(BeEmpty())

			ex := resp.Exchange
			Expect(ex.Method).To(Equal("POST"))
			Expect(ex.URL).To(Equal(srv.url + "/api/token"))
			Expect(ex.RequestHeaders.Get("Authorization")).To(Equal("Basic " + redact.Fingerprint(pair[:40]+"\n"+pair[40:])))
			Expect(ex.RequestHeaders.Get("Connection")).To(Equal("close"))
			Expect(ex.RequestBody).To(Equal(body))
			expectNoLeak(c.Transcript(), forbidden(testClientID, testSecret, pair[:40], pair[40:]))
		})

		DescribeTable("Bytes keeps the target as written and adds only Host, Content-Length and Connection",
			func(r checks.Request, want string) { Expect(string(r.Bytes())).To(Equal(want)) },
			Entry("no path", checks.Request{URL: "http://127.0.0.1:1"}, "GET / HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: close\r\n\r\n"),
			Entry("query only, fragment dropped", checks.Request{URL: "http://h?code=a%2fb#frag"}, "GET /?code=a%2fb HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"),
			Entry("escapes kept, userinfo not in Host", checks.Request{URL: "http://u:p@h:8/a%2Fb/../c?x=%zz"}, "GET /a%2Fb/../c?x=%zz HTTP/1.1\r\nHost: h:8\r\nConnection: close\r\n\r\n"),
			Entry("empty POST says Content-Length: 0", checks.Request{Method: "POST", URL: "http://h/t"}, "POST /t HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
			Entry("caller's Host, Content-Length and Connection win, even lying",
				checks.Request{Method: "POST", URL: "http://h/t", Header: http.Header{"host": {"evil"}, "Content-Length": {"99"}, "Connection": {"keep-alive"}}, Body: []byte("a=b")},
				"POST /t HTTP/1.1\r\nConnection: keep-alive\r\nContent-Length: 99\r\nhost: evil\r\n\r\na=b"),
			Entry("Wire is returned as is", checks.Request{Wire: []byte("anything")}, "anything"),
		)

		It("is refused by net/http, with an error that says to use raw mode and is not 'unreachable'", func() {
			srv := newRawServer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
			c := newClient(checks.ClientConfig{})
			_, err := c.Do(ctx, checks.Request{Method: "POST", URL: srv.url + "/api/token", Header: http.Header{"Authorization": {"Basic " + pair[:40] + "\n" + pair[40:]}}})
			var te *checks.TransportError
			Expect(errors.As(err, &te)).To(BeTrue())
			Expect(te.Kind).To(Equal(checks.TransportInvalid))
			Expect(errors.Is(err, checks.ErrUnreachable)).To(BeFalse())
			Expect(err.Error()).To(ContainSubstring("Request.Raw"))
			Expect(c.Transcript()).To(HaveLen(1))
			Expect(c.Transcript()[0].Error).To(Equal(err.Error()))
		})

		It("writes Wire bytes exactly: a secret with a raw trailing newline, lowercase names, no Connection header", func() {
			srv := newRawServer("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 26\r\nConnection: close\r\n\r\n" + `{"error":"invalid_client"}`)
			c := newClient(checks.ClientConfig{AccountsURL: srv.url})
			c.AddClientCredentials(testClientID, testSecret+"\n")
			body := "grant_type=client_credentials&client_id=" + testClientID + "&client_secret=" + testSecret + "\n"
			wire := "POST /api/token HTTP/1.1\r\nhost: " + srv.host + "\r\ncontent-type: application/x-www-form-urlencoded\r\n" +
				fmt.Sprintf("content-length: %d\r\n\r\n", len(body)) + body
			resp, err := c.Do(ctx, checks.Request{Step: "wire", URL: srv.url, Wire: []byte(wire)})
			Expect(err).NotTo(HaveOccurred())
			Expect(srv.received()).To(Equal(wire))
			Expect(resp.Exchange.RequestHeaders).To(HaveKey("content-type"), "names as written")
			Expect(resp.Exchange.RequestBody).To(HaveSuffix("client_secret=" + redact.Fingerprint(testSecret+"\n")))
			Expect(resp.Exchange.URL).To(Equal(srv.url + "/api/token"))
			expectNoLeak(c.Transcript(), forbidden(testClientID, testSecret))
		})

		It("sends a JSON body labelled as a form without touching it", func() {
			srv := newRawServer("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
			c := newClient(checks.ClientConfig{AccountsURL: srv.url})
			req := c.TokenRequest(checks.TokenRequest{Auth: checks.AuthBody, ClientID: testClientID, ClientSecret: testSecret,
				Params: checks.ClientCredentialsParams(""), JSON: true, ContentType: "application/x-www-form-urlencoded"})
			req.Raw = true
			_, err := c.Do(ctx, req)
			Expect(err).NotTo(HaveOccurred())
			got := srv.received()
			Expect(got).To(HaveSuffix("\r\n\r\n" + `{"client_id":"` + testClientID + `","client_secret":"` + testSecret + `","grant_type":"client_credentials"}`))
			Expect(got).To(ContainSubstring("\r\nContent-Type: application/x-www-form-urlencoded\r\n"))
			expectNoLeak(c.Transcript(), forbidden(testClientID, testSecret))
		})

		It("speaks TLS for https and reads the response with http.ReadResponse", func() {
			srv := newRawTLSServer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n" + `{"access_token":"BQ-tls-1"}`)
			c := newClient(checks.ClientConfig{AccountsURL: srv.url, TLSConfig: &tls.Config{RootCAs: srv.pool}})
			resp, err := c.Do(ctx, checks.Request{Raw: true, URL: srv.url + "/x?y=1"})
			Expect(err).NotTo(HaveOccurred())
			Expect(srv.received()).To(Equal("GET /x?y=1 HTTP/1.1\r\nHost: " + srv.host + "\r\nConnection: close\r\n\r\n"))
			Expect(resp.Status).To(Equal(200))
			Expect(string(resp.Body)).To(Equal(`{"access_token":"BQ-tls-1"}`))
			Expect(resp.Exchange.ResponseBody).To(Equal(`{"access_token":"` + redact.Fingerprint("BQ-tls-1") + `"}`))
		})

		It("tunnels through a proxy with CONNECT", func() {
			srv := newRawServer("HTTP/1.1 204 No Content\r\n\r\n")
			proxy := newConnectProxy()
			c := newClient(checks.ClientConfig{Proxy: func(*http.Request) (*url.URL, error) { return url.Parse(proxy.URL) }})
			resp, err := c.Do(ctx, checks.Request{Raw: true, URL: srv.url + "/"})
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.Status).To(Equal(204))
			Expect(proxy.targets()).To(Equal([]string{srv.host}))
			Expect(srv.received()).To(Equal("GET / HTTP/1.1\r\nHost: " + srv.host + "\r\nConnection: close\r\n\r\n"))
		})
	})

	Describe("transport errors", func() {
		It("classifies a closed port as unreachable, in both modes, and records it redacted", func() {
			addr := closedPort()
			c := newClient(checks.ClientConfig{AccountsURL: "http://" + addr})
			for _, raw := range []bool{false, true} {
				resp, err := c.Do(ctx, checks.Request{Step: "dead", Raw: raw, URL: "http://" + addr + "/cb?code=" + testCode})
				Expect(resp).To(BeNil())
				Expect(errors.Is(err, checks.ErrUnreachable)).To(BeTrue())
				var te *checks.TransportError
				Expect(errors.As(err, &te)).To(BeTrue())
				Expect(te.Kind).To(Equal(checks.TransportRefused))
				Expect(te.Peer).To(Equal(wire.PeerAccounts))
				Expect(errors.Is(err, syscall.ECONNREFUSED)).To(BeTrue(), "the cause stays reachable with errors.Is")
				Expect(err.Error()).To(ContainSubstring("refused"))
				Expect(err.Error()).NotTo(ContainSubstring(testCode))
			}
			tr := c.Transcript()
			Expect(tr).To(HaveLen(2))
			for _, ex := range tr {
				Expect(ex.Error).To(ContainSubstring("connection refused"))
				Expect(ex.Status).To(BeZero())
			}
			expectNoLeak(tr, []string{testCode})
		})

		It("times out a server that never answers", func() {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
			DeferCleanup(srv.Close)
			DeferCleanup(func() { close(release) })
			c := newClient(checks.ClientConfig{Timeout: 100 * time.Millisecond})
			for _, raw := range []bool{false, true} {
				_, err := c.Do(ctx, checks.Request{URL: srv.URL, Raw: raw})
				var te *checks.TransportError
				Expect(errors.As(err, &te)).To(BeTrue())
				Expect(te.Kind).To(Equal(checks.TransportTimeout), "raw=%v: %v", raw, err)
				Expect(errors.Is(err, checks.ErrUnreachable)).To(BeTrue())
			}
		})

		It("tells a canceled context from an unreachable target", func() {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			DeferCleanup(srv.Close)
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_, err := newClient(checks.ClientConfig{}).Do(cctx, checks.Request{URL: srv.URL})
			var te *checks.TransportError
			Expect(errors.As(err, &te)).To(BeTrue())
			Expect(te.Kind).To(Equal(checks.TransportCanceled))
			Expect(errors.Is(err, checks.ErrUnreachable)).To(BeFalse())
		})

		It("classifies TLS failures", func() {
			tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes are the point
			tlsSrv.StartTLS()
			DeferCleanup(tlsSrv.Close)
			plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			DeferCleanup(plain.Close)
			c := newClient(checks.ClientConfig{})
			for _, req := range []checks.Request{
				{URL: tlsSrv.URL}, {URL: tlsSrv.URL, Raw: true}, // certificate signed by an unknown authority
				{URL: strings.Replace(plain.URL, "http:", "https:", 1)}, {URL: strings.Replace(plain.URL, "http:", "https:", 1), Raw: true},
			} {
				_, err := c.Do(ctx, req)
				var te *checks.TransportError
				Expect(errors.As(err, &te)).To(BeTrue())
				Expect(te.Kind).To(Equal(checks.TransportTLS), "%s raw=%v: %v", req.URL, req.Raw, err)
				Expect(errors.Is(err, checks.ErrUnreachable)).To(BeTrue())
			}
		})

		It("classifies a dead proxy as a proxy failure", func() {
			dead := "http://" + closedPort()
			c := newClient(checks.ClientConfig{Proxy: func(*http.Request) (*url.URL, error) { return url.Parse(dead) }})
			for _, raw := range []bool{false, true} {
				_, err := c.Do(ctx, checks.Request{URL: "http://example.test/", Raw: raw})
				var te *checks.TransportError
				Expect(errors.As(err, &te)).To(BeTrue())
				Expect(te.Kind).To(Equal(checks.TransportProxy), "raw=%v: %v", raw, err)
				Expect(errors.Is(err, checks.ErrUnreachable)).To(BeTrue())
			}
		})

		It("reports a peer that hangs up without answering as closed, not unreachable", func() {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(ln.Close)
			go func() {
				for {
					conn, err := ln.Accept()
					if err != nil {
						return
					}
					_, _ = bufio.NewReader(conn).ReadString('\n')
					_ = conn.Close()
				}
			}()
			_, err = newClient(checks.ClientConfig{}).Do(ctx, checks.Request{Raw: true, URL: "http://" + ln.Addr().String() + "/"})
			var te *checks.TransportError
			Expect(errors.As(err, &te)).To(BeTrue())
			Expect(te.Kind).To(Equal(checks.TransportClosed), "%v", err)
			Expect(errors.Is(err, checks.ErrUnreachable)).To(BeFalse())
		})

		DescribeTable("classifies causes from the transport",
			func(cause error, want checks.TransportErrorKind) {
				c := newClient(checks.ClientConfig{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, cause })})
				_, err := c.Get(ctx, "", "https://accounts.spotify.com/api/token")
				var te *checks.TransportError
				Expect(errors.As(err, &te)).To(BeTrue())
				Expect(te.Kind).To(Equal(want))
				Expect(errors.Is(err, checks.ErrUnreachable)).To(Equal(want.Unreachable()))
			},
			Entry("DNS", &net.DNSError{Err: "no such host", Name: "accounts.spotify.com", IsNotFound: true}, checks.TransportDNS),
			Entry("no route", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.EHOSTUNREACH}, checks.TransportNetwork),
			Entry("other dial failure", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("socket: too many open files")}, checks.TransportNetwork),
			Entry("proxyconnect", &net.OpError{Op: "proxyconnect", Net: "tcp", Err: syscall.ECONNREFUSED}, checks.TransportProxy),
			Entry("certificate", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, checks.TransportTLS),
			Entry("hostname", x509.HostnameError{Host: "accounts.spotify.com", Certificate: &x509.Certificate{}}, checks.TransportTLS),
			Entry("reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, checks.TransportClosed),
			Entry("EOF", io.EOF, checks.TransportClosed),
			Entry("malformed response", errors.New(`net/http: HTTP/1.x transport connection broken: malformed HTTP response "SSH-2.0"`), checks.TransportProtocol),
			Entry("unknown", errors.New("something else"), checks.TransportOther),
		)
	})

	Describe("transcript", func() {
		It("splits per step with LastSeq, Since and Take, and hands out copies", func() {
			f := newFakeAccounts(testSecret, "http://127.0.0.1:1/cb")
			c := newClient(checks.ClientConfig{AccountsURL: f.URL})
			_, _ = c.Get(ctx, "one", f.URL+"/x")
			mark := c.LastSeq()
			Expect(mark).To(Equal(1))
			_, _ = c.Get(ctx, "two", f.URL+"/x")
			_, _ = c.Get(ctx, "two", f.URL+"/y")
			step := c.Since(mark)
			Expect(step).To(HaveLen(2))
			Expect(step[0].Seq).To(Equal(2))
			step[0].RequestHeaders.Set("User-Agent", "changed")
			step[0].URL = "changed"
			Expect(c.Since(mark)[0].RequestHeaders.Get("User-Agent")).To(Equal(checks.DefaultUserAgent))
			Expect(c.Since(mark)[0].URL).To(Equal(f.URL + "/x"))
			Expect(c.Since(3)).To(BeEmpty())
			Expect(c.Take()).To(HaveLen(3))
			Expect(c.Transcript()).To(BeEmpty())
			_, _ = c.Get(ctx, "three", f.URL+"/x")
			Expect(c.Transcript()[0].Seq).To(Equal(4), "numbering goes on after Take")
		})

		It("is safe to read while requests run concurrently", func() {
			f := newFakeAccounts(testSecret, "http://127.0.0.1:1/cb")
			c := newClient(checks.ClientConfig{AccountsURL: f.URL, APIURL: f.URL})
			const n = 40
			var wg sync.WaitGroup
			done := make(chan struct{})
			go func() {
				defer close(done)
				for len(c.Transcript()) < n {
					for _, ex := range c.Since(c.LastSeq() - 5) {
						_ = ex.RequestHeaders.Get("Authorization")
					}
				}
			}()
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer GinkgoRecover()
					token := fmt.Sprintf("BQ-concurrent-token-%04d", i)
					secret := fmt.Sprintf("concurrent-secret-%04d", i)
					var err error
					if i%2 == 0 {
						_, err = c.Do(ctx, c.APIRequest(fmt.Sprint(i), "GET", "/v1/me", token, nil))
					} else {
						_, err = c.Token(ctx, checks.TokenRequest{Step: fmt.Sprint(i), Auth: checks.AuthBody, ClientID: testClientID, ClientSecret: secret, Params: checks.ClientCredentialsParams("")})
					}
					Expect(err).NotTo(HaveOccurred())
				}()
			}
			wg.Wait()
			Eventually(done).Should(BeClosed())
			tr := c.Transcript()
			Expect(tr).To(HaveLen(n))
			var leaks []string
			for i := range n {
				Expect(tr[i].Seq).To(Equal(i + 1))
				leaks = append(leaks, fmt.Sprintf("BQ-concurrent-token-%04d", i), fmt.Sprintf("concurrent-secret-%04d", i))
			}
			expectNoLeak(tr, leaks)
		})
	})

	DescribeTable("PeerOf",
		func(cfg checks.ClientConfig, u string, want wire.Peer) {
			Expect(newClient(cfg).PeerOf(u)).To(Equal(want))
		},
		Entry("Spotify accounts", spotify, "https://accounts.spotify.com/api/token", wire.PeerAccounts),
		Entry("Spotify API", spotify, "https://api.spotify.com/v1/me", wire.PeerAPI),
		Entry("host case and default port", spotify, "https://API.spotify.com:443/v1/me", wire.PeerAPI),
		Entry("another port is another peer", spotify, "https://api.spotify.com:8443/v1/me", wire.PeerOther),
		Entry("redirect URI host and port", spotify, "http://127.0.0.1:8888/callback?code=x", wire.PeerRedirect),
		Entry("redirect URI on another port", spotify, "http://127.0.0.1:9999/callback", wire.PeerOther),
		Entry("redirect URI without a port matches any port", checks.ClientConfig{RedirectURIs: []string{"http://127.0.0.1/cb"}}, "http://127.0.0.1:43123/cb", wire.PeerRedirect),
		Entry("fake: accounts path", fake, "http://127.0.0.1:4000/authorize?x", wire.PeerAccounts),
		Entry("fake: API path", fake, "http://127.0.0.1:4000/v1/me/playlists", wire.PeerAPI),
		Entry("fake: control API", fake, "http://127.0.0.1:4000/_spotcheck/health", wire.PeerOther),
		Entry("garbage", spotify, "::nope", wire.PeerOther),
	)

	It("rejects base URLs that cannot be used", func() {
		_, err := checks.NewClient(checks.ClientConfig{AccountsURL: "accounts.spotify.com"})
		Expect(err).To(MatchError(ContainSubstring(`accounts URL "accounts.spotify.com"`)))
		_, err = checks.NewClient(checks.ClientConfig{RedirectURIs: []string{"/callback"}})
		Expect(err).To(MatchError(ContainSubstring(`redirect URI "/callback"`)))
	})
})

var (
	spotify = checks.ClientConfig{AccountsURL: "https://accounts.spotify.com", APIURL: "https://api.spotify.com/", RedirectURIs: []string{"http://127.0.0.1:8888/callback"}}
	fake    = checks.ClientConfig{AccountsURL: "http://127.0.0.1:4000", APIURL: "http://127.0.0.1:4000"}
)

// rawServer answers every connection with one canned response, after
// reading the whole request, and keeps the exact bytes it read.
type rawServer struct {
	url, host string
	pool      *x509.CertPool
	got       chan string
}

func newRawServer(response string) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	return serveRaw(ln, "http", response)
}

func newRawTLSServer(response string) *rawServer {
	ts := httptest.NewUnstartedServer(nil) // only for its certificate
	ts.StartTLS()
	ts.Close()
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	s := serveRaw(tls.NewListener(ln, &tls.Config{Certificates: ts.TLS.Certificates}), "https", response)
	s.pool = pool
	return s
}

func serveRaw(ln net.Listener, scheme, response string) *rawServer {
	DeferCleanup(ln.Close)
	s := &rawServer{url: scheme + "://" + ln.Addr().String(), host: ln.Addr().String(), got: make(chan string, 16)}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				s.got <- readRequest(conn)
				_, _ = io.WriteString(conn, response)
			}()
		}
	}()
	return s
}

// received is the next request the server read, waiting for it.
func (s *rawServer) received() string {
	GinkgoHelper()
	var got string
	Eventually(s.got).Should(Receive(&got))
	return got
}

// readRequest reads one request head and as many body bytes as its
// Content-Length (in any spelling) says, without interpreting anything else.
func readRequest(conn net.Conn) string {
	var buf bytes.Buffer
	br := bufio.NewReader(conn)
	for !bytes.Contains(buf.Bytes(), []byte("\r\n\r\n")) {
		b, err := br.ReadByte()
		if err != nil {
			return buf.String()
		}
		buf.WriteByte(b)
	}
	n := 0
	for _, line := range strings.Split(buf.String(), "\r\n") {
		if name, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "content-length") {
			_, _ = fmt.Sscan(strings.TrimSpace(v), &n)
		}
	}
	body := make([]byte, n)
	_, _ = io.ReadFull(br, body)
	buf.Write(body)
	return buf.String()
}

func closedPort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	Expect(ln.Close()).To(Succeed())
	return addr
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// connectProxy is a minimal CONNECT proxy that remembers its targets.
type connectProxy struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newConnectProxy() *connectProxy {
	p := &connectProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		p.mu.Lock()
		p.seen = append(p.seen, r.Host)
		p.mu.Unlock()
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			_ = up.Close()
			return
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { _, _ = io.Copy(up, brw); _ = up.Close() }()
		_, _ = io.Copy(conn, up)
		_ = conn.Close()
	}))
	DeferCleanup(p.Close)
	return p
}

func (p *connectProxy) targets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// BenchmarkRecordedRoundTrip measures one token request through the
// recording client against a loopback server: learning, redaction and
// recording included.
func BenchmarkRecordedRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"`+testAccess+`","token_type":"Bearer","scope":"user-read-email","expires_in":3600,"refresh_token":"`+testRefresh+`"}`)
	}))
	defer srv.Close()
	c, err := checks.NewClient(checks.ClientConfig{AccountsURL: srv.URL, APIURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	t := checks.TokenRequest{Step: "exchange", ClientID: testClientID, ClientSecret: testSecret, Params: checks.AuthorizationCodeParams(testCode, "http://127.0.0.1:8888/cb", testVerifier)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Token(ctx, t); err != nil {
			b.Fatal(err)
		}
		c.Take()
	}
}
