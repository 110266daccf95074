package fakespotify_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("control endpoints", func() {
	var h *harness
	BeforeEach(func() { h = newHarness() })

	post := func(path, body string) reply {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return h.do(req)
	}

	It("clones an app with its own client id and returns the credentials once", func() {
		r := post("/_spotcheck/apps", `{"from":"web","consent":"auto","auto_user":"bob"}`)
		Expect(r.status).To(Equal(http.StatusCreated), r.body)
		var app fakespotify.AppInfo
		Expect(json.Unmarshal([]byte(r.body), &app)).To(Succeed())
		Expect(app.ClientID).To(MatchRegexp(`^[0-9a-f]{32}$`))
		Expect(app.ClientID).NotTo(Equal(webID))
		Expect(app.ClientSecret).To(Equal(webSecret))
		Expect(app.RedirectURIs).To(ContainElement(webRedir))

		list := h.get("/_spotcheck/apps")
		Expect(list.body).To(ContainSubstring(app.ClientID))
		Expect(list.body).NotTo(ContainSubstring(webSecret), "the listing never shows secrets")

		code := h.code(authQuery(config.App{ClientID: app.ClientID}, webRedir))
		m := h.token(exchangeForm(code, webRedir), app.ClientID, app.ClientSecret).json()
		me := h.api("GET", "/v1/me", m["access_token"].(string))
		Expect(me.body).To(ContainSubstring(`"id" : "bob"`))
	})

	It("names an unnamed clone with more of its client id when six characters are another clone's name", func() {
		first, err := h.srv.CloneApp("web", fakespotify.AppOverrides{ClientID: "abcdef0000000000000000000000000a"})
		Expect(err).NotTo(HaveOccurred())
		Expect(first.Name).To(Equal("web-abcdef"))
		second, err := h.srv.CloneApp("web", fakespotify.AppOverrides{ClientID: "abcdef0011111111111111111111111b"})
		Expect(err).NotTo(HaveOccurred(), "1,000 clones share a six-character prefix about once in thirty")
		Expect(second.Name).To(Equal("web-abcdef00"))
		third, err := h.srv.CloneApp("web", fakespotify.AppOverrides{ClientID: "abcdef0022222222222222222222222c"})
		Expect(err).NotTo(HaveOccurred())
		Expect(third.Name).To(Equal("web-abcdef0022"), "web-abcdef00 is taken too")
	})

	// Issue 11 item 9: {"from":"web","client_id":"a"} dropped the
	// connection with a slice-bounds panic, and CloneApp panicked its
	// caller.
	DescribeTable("refuses a clone that could not work, over HTTP and in Go, without a panic",
		func(body, msg string) {
			r := post("/_spotcheck/apps", body)
			Expect(r.status).To(Equal(http.StatusBadRequest), r.body)
			Expect(r.body).To(ContainSubstring(msg))
			Expect(r.body).NotTo(ContainSubstring("sw0rdf1sh"), "a secret is never echoed")

			var req control.CloneRequest
			Expect(json.Unmarshal([]byte(body), &req)).To(Succeed())
			_, err := h.srv.CloneApp(req.From, req.AppOverrides)
			Expect(err).To(MatchError(ContainSubstring(strings.ReplaceAll(msg, `\"`, `"`))))
			Expect(h.srv.Apps()).To(HaveLen(5), "nothing registered")
		},
		Entry("a one-letter client id", `{"from":"web","client_id":"a"}`, `client_id: \"a\" is not a Spotify client id: 32 lowercase hexadecimal characters`),
		Entry("a client id in upper case", `{"from":"web","client_id":"6F0E2B1C9A8D4E7F8A1B2C3D4E5F6A7C"}`, "is not a Spotify client id"),
		Entry("a client id of 33 hex digits", `{"from":"web","client_id":"6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7bc"}`, "is not a Spotify client id"),
		Entry("a client id with a colon, which Basic credentials cannot carry", `{"from":"web","client_id":"6f0e2b1c9a8d4e7f:a1b2c3d4e5f6a7b"}`, "is not a Spotify client id"),
		Entry("a client id that is taken", `{"from":"web","client_id":"`+webID+`"}`, "is already registered"),
		Entry("a name that is taken", `{"from":"web","name":"other"}`, `name: \"other\" is already an app's name or client id`),
		Entry("a name that is another app's client id", `{"from":"web","name":"`+otherID+`"}`, "is already an app's name or client id"),
		Entry("a name with a line break", `{"from":"web","name":"a\nb"}`, "has a control character"),
		Entry("a name of 101 characters", `{"from":"web","name":"`+strings.Repeat("n", 101)+`"}`, "name: 101 characters; at most 100"),
		Entry("a secret too short to be redacted", `{"from":"web","client_secret":"short"}`, "client_secret: 5 characters; it takes 8 to 256"),
		Entry("a secret with a space", `{"from":"web","client_secret":"sw0rdf1sh sw0rdf1sh"}`, "client_secret: it has a space or a control character"),
		Entry("a relative redirect URI", `{"from":"web","redirect_uris":["/callback"]}`, `redirect_uris[0]: \"/callback\" is not an absolute URI`),
		Entry("no redirect URI", `{"from":"web","redirect_uris":[]}`, "at least one redirect URI is required"),
	)

	It("clones under a client id and name of one's own", func() {
		id := strings.Repeat("0123456789abcdef", 2)
		r := post("/_spotcheck/apps", `{"from":"web","client_id":"`+id+`","name":"mine","client_secret":"0123456789abcdef0123456789abcdef"}`)
		Expect(r.status).To(Equal(http.StatusCreated), r.body)
		a, ok := h.srv.App("mine")
		Expect(ok).To(BeTrue())
		Expect(a.ClientID).To(Equal(id))
	})

	DescribeTable("rejects bad control requests with a JSON error",
		func(path, body, msg string) {
			r := post(path, body)
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.body).To(ContainSubstring(msg))
		},
		Entry("unknown field", "/_spotcheck/apps", `{"from":"web","colour":"red"}`, `unknown field \"colour\"`),
		Entry("unknown template", "/_spotcheck/apps", `{"from":"nope"}`, `no app named or with client id \"nope\"`),
		Entry("bad mode", "/_spotcheck/apps", `{"from":"web","mode":"dev"}`, `mode: \"dev\" is not one of development, extended`),
		Entry("bad policy", "/_spotcheck/policy", `{"policies":{"refresh":"sometimes"}}`, `policies.refresh: \"sometimes\" is not one of 2026, pkce-rotate, always-rotate`),
		Entry("bad duration", "/_spotcheck/clock", `{"advance":"soon"}`, `advance: \"soon\" is not a positive duration like 10m`),
		Entry("inject without path", "/_spotcheck/inject", `{"status":429}`, "path is required"),
		Entry("revoke without user", "/_spotcheck/revoke", `{}`, "user is required"),
	)

	It("advances the clock, fake-wide or per app", func() {
		before := h.srv.Now()
		r := post("/_spotcheck/clock", `{"advance":"10m"}`)
		Expect(r.status).To(Equal(http.StatusOK))
		Expect(h.srv.Now().Sub(before).Minutes()).To(BeNumerically("==", 10))
		Expect(post("/_spotcheck/clock", `{"advance":"1h","client_id":"`+webID+`"}`).status).To(Equal(http.StatusOK))
		Expect(h.srv.NowFor(webID).Sub(h.srv.Now()).Hours()).To(BeNumerically("==", 1))
		Expect(post("/_spotcheck/clock", `{"advance":"1h","client_id":"nope"}`).status).To(Equal(http.StatusNotFound))
	})

	It("switches policies per app without touching others", func() {
		r := post("/_spotcheck/policy", `{"client_id":"`+webID+`","policies":{"refresh":"pkce-rotate"}}`)
		Expect(r.status).To(Equal(http.StatusOK), r.body)
		Expect(h.srv.Policies(webID).Refresh).To(Equal(wire.RefreshPKCERotate))
		Expect(h.srv.Policies(otherID).Refresh).To(Equal(wire.Refresh2026))
	})

	It("injects one-shot and counted faults, scoped to a client", func() {
		web := h.autoApp("web")
		other := h.autoApp("other")
		Expect(post("/_spotcheck/inject", `{"path":"/api/token","client_id":"`+web.ClientID+`","count":2,"status":429,"headers":{"Retry-After":"7"},"body":"{\"error\":{\"status\":429,\"message\":\"API rate limit exceeded\"}}"}`).status).To(Equal(http.StatusNoContent))
		cc := url.Values{"grant_type": {"client_credentials"}}
		Expect(h.token(cc, other.ClientID, other.ClientSecret).status).To(Equal(http.StatusOK), "another app is not affected")
		for i := 0; i < 2; i++ {
			r := h.token(cc, web.ClientID, web.ClientSecret)
			Expect(r.status).To(Equal(http.StatusTooManyRequests))
			Expect(r.header.Get("Retry-After")).To(Equal("7"))
			Expect(r.header.Get("Content-Type")).To(Equal("application/json; charset=utf-8"))
		}
		Expect(h.token(cc, web.ClientID, web.ClientSecret).status).To(Equal(http.StatusOK), "the count is used up")
	})

	It("lists what clients sent, with every secret fingerprinted", func() {
		web := h.autoApp("web")
		code := h.code(authQuery(web, webRedir))
		tok := h.token(exchangeForm(code, webRedir), web.ClientID, web.ClientSecret).json()
		at := tok["access_token"].(string)
		h.api("GET", "/v1/me", at)
		r := h.get("/_spotcheck/requests?client_id=" + web.ClientID)
		Expect(r.status).To(Equal(http.StatusOK))
		var got struct{ Requests []fakespotify.Request }
		Expect(json.Unmarshal([]byte(r.body), &got)).To(Succeed())
		Expect(got.Requests).To(HaveLen(3))
		Expect(got.Requests[0].Endpoint).To(Equal(fakespotify.EndpointAuthorize))
		Expect(got.Requests[1].Endpoint).To(Equal(fakespotify.EndpointToken))
		Expect(got.Requests[1].Form.Get("grant_type")).To(Equal("authorization_code"))
		Expect(got.Requests[1].Form.Get("code")).To(HavePrefix("[redacted "))
		Expect(got.Requests[1].Header.Get("Authorization")).To(HavePrefix("Basic [redacted "))
		Expect(got.Requests[2].Endpoint).To(Equal(fakespotify.EndpointAPI))
		Expect(got.Requests[2].UserID).To(Equal("alice"))

		for _, secret := range []string{code, at, tok["refresh_token"].(string), web.ClientSecret,
			base64.StdEncoding.EncodeToString([]byte(web.ClientID + ":" + web.ClientSecret))} {
			Expect(r.body).NotTo(ContainSubstring(secret))
		}
		Expect(h.do(controlReq(http.MethodDelete, h.srv.URL+"/_spotcheck/requests?client_id="+web.ClientID)).status).To(Equal(http.StatusNoContent))
		Expect(h.srv.Requests(web.ClientID)).To(BeEmpty())
	})

	It("files requests with made-up client ids under one shared ring", func() {
		for i := 0; i < 5; i++ {
			h.authorize(url.Values{"client_id": {"made-up-" + string(rune('a'+i))}})
		}
		Expect(h.srv.Requests("")).To(HaveLen(5))
		Expect(h.srv.Requests("made-up-a")).To(BeEmpty())
	})

	DescribeTable("files a token request under the app its Basic credentials name, whatever the case of the scheme (RFC 7617 §2)",
		func(scheme string) {
			web := h.autoApp("web")
			cred := base64.StdEncoding.EncodeToString([]byte(web.ClientID + ":" + web.ClientSecret))
			r := h.tokenRaw("application/x-www-form-urlencoded", "grant_type=client_credentials", map[string]string{"Authorization": scheme + " " + cred})
			Expect(r.status).To(Equal(http.StatusOK), "the token endpoint takes it")
			reqs := h.srv.Requests(web.ClientID)
			Expect(reqs).To(HaveLen(1), "logged under the app")
			Expect(reqs[0].ClientID).To(Equal(web.ClientID))
			Expect(h.srv.Requests("")).To(BeEmpty(), "not unattributed")
			Expect(h.srv.Grade(web.ClientID).Window.Requests).To(Equal(1), "graded")
		},
		Entry("Basic", "Basic"),
		Entry("basic", "basic"),
		Entry("BASIC", "BASIC"),
	)

	It("can be turned off", func() {
		srv, err := fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithoutControl())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		resp, err := http.Get(srv.URL + "/_spotcheck/health")
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusNotFound))
	})
})

// controlReq is a control request as control.Client sends it: JSON,
// with or without a body.
func controlReq(method, u string) *http.Request {
	req, err := http.NewRequest(method, u, nil)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	return req
}
