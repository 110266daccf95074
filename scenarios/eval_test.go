package scenarios_test

import (
	"encoding/json"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/scenarios"
)

func decodeJSON(s string) any {
	var v any
	Expect(json.Unmarshal([]byte(s), &v)).To(Succeed())
	return v
}

// expectOf parses a one-step scenario and returns its step's Expect.
func expectOf(action, expect string) *scenarios.Expect {
	list, err := scenarios.Parse([]byte("name: x\nsteps:\n  - "+action+"\n    expect: "+expect+"\n"), "x.yaml")
	Expect(err).NotTo(HaveOccurred())
	return &list[0].Steps[0].Expect
}

func failed(cs []scenarios.Check) []string {
	var out []string
	for _, c := range cs {
		if !c.Passed {
			out = append(out, c.Name+": expected "+c.Expected+", got "+c.Actual)
		}
	}
	return out
}

var noRefs = values(nil)

var _ = Describe("LookupJSON", func() {
	doc := decodeJSON(`{"error":{"status":403,"message":"Insufficient client scope"},
		"items":[{"name":"a","n":1},{"name":"b"},{"other":true}], "a.b": 1, "empty": null, "list": [[1,2],[3]]}`)

	DescribeTable("finds values by path",
		func(path string, want any, found bool) {
			v, ok, err := scenarios.LookupJSON(doc, path)
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(Equal(found))
			if want == nil {
				Expect(v).To(BeNil())
			} else {
				Expect(v).To(Equal(want))
			}
		},
		Entry("a member", "error.message", "Insufficient client scope", true),
		Entry("a number", "error.status", 403.0, true),
		Entry("an index", "items[1].name", "b", true),
		Entry("every element, skipping those without the rest", "items[*].name", []any{"a", "b"}, true),
		Entry("nested indexes", "list[0][1]", 2.0, true),
		Entry("every element of a nested array", "list[*][0]", []any{1.0, 3.0}, true),
		Entry("null exists", "empty", nil, true),
		Entry("a missing member", "error.reason", nil, false),
		Entry("an index out of range", "items[3]", nil, false),
		Entry("an index into an object", "error[0]", nil, false),
		Entry("a member of a string", "error.message.x", nil, false),
		Entry("dots split members, so a dotted key is unreachable", "a.b", nil, false),
	)

	It("reads a root array", func() {
		v, ok, err := scenarios.LookupJSON(decodeJSON(`[{"id":"x"}]`), "[0].id")
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeTrue())
		Expect(v).To(Equal("x"))
	})

	DescribeTable("rejects malformed paths",
		func(path, msg string) {
			_, _, err := scenarios.LookupJSON(doc, path)
			Expect(err).To(MatchError(msg))
		},
		Entry("empty", "", "empty JSON path"),
		Entry("an empty member", "a..b", `JSON path "a..b" has an empty member name`),
		Entry("a bad index", "items[-1]", `JSON path "items[-1]": index "-1" is not a number >= 0 or *`),
		Entry("an unterminated index", "items[0", `JSON path "items[0": unterminated [`),
		Entry("text after an index", "items[0]x", `JSON path "items[0]x": want [N] or [*] after "items"`),
		Entry("a stray bracket", "items]", `JSON path "items]": stray ]`),
	)
})

var _ = Describe("Match", func() {
	DescribeTable("checks a JSON value",
		func(matcher, value string, found bool, wantFailed []string) {
			e := expectOf("api: {path: /v1/me, auth: none}", "{json: {v: "+matcher+"}}")
			var v any
			if found {
				v = decodeJSON(value)
			}
			cs, err := e.JSON[0].Match.EvalJSON(v, found, noRefs)
			Expect(err).NotTo(HaveOccurred())
			Expect(cs).NotTo(BeEmpty())
			Expect(failed(cs)).To(Equal(wantFailed))
		},
		Entry("present holds", "{present: true}", `""`, true, nil),
		Entry("present fails", "{present: true}", ``, false, []string{"present: expected present, got (absent)"}),
		Entry("absent holds", "{absent: true}", ``, false, nil),
		Entry("absent fails on null", "{absent: true}", `null`, true, []string{"absent: expected (absent), got null"}),
		Entry("present: false is absent", "{present: false}", `1`, true, []string{"absent: expected (absent), got 1"}),
		Entry("numbers compare by value", "{equals: 3600}", `3600.0`, true, nil),
		Entry("a string is not a number", `{equals: "3600"}`, `3600`, true, []string{`equals: expected "3600", got 3600`}),
		Entry("objects compare deeply", "{equals: {a: [1, x]}}", `{"a":[1,"x"]}`, true, nil),
		Entry("equals fails when absent", "{equals: Bearer}", ``, false, []string{`equals: expected "Bearer", got (absent)`}),
		Entry("matches a string", "{matches: '^AQ[A-Za-z0-9_-]+$'}", `"AQxyz-1"`, true, nil),
		Entry("matches a number's JSON", "{matches: '^36'}", `3600`, true, nil),
		Entry("matches fails", "{matches: '^BQ'}", `"AQ"`, true, []string{`matches: expected /^BQ/, got "AQ"`}),
		Entry("contains a substring", "{contains: read}", `"user-read-email"`, true, nil),
		Entry("contains an element", "{contains: b}", `["a","b"]`, true, nil),
		Entry("contains a key", "{contains: status}", `{"status":1}`, true, nil),
		Entry("contains fails", "{contains: c}", `["a","b"]`, true, []string{`contains: expected "c", got ["a","b"]`}),
		Entry("omits holds", "{omits: c}", `["a","b"]`, true, nil),
		Entry("omits holds when absent", "{omits: c}", ``, false, nil),
		Entry("omits fails", "{omits: a}", `["a"]`, true, []string{`omits: expected "a", got ["a"]`}),
		Entry("length of an array", "{length: 2}", `[1,2]`, true, nil),
		Entry("length of a string in characters", "{length: 3}", `"åäö"`, true, nil),
		Entry("length of a number fails", "{length: 1}", `1`, true, []string{"length: expected 1, got (no length)"}),
		Entry("type", "{type: object}", `{}`, true, nil),
		Entry("type null", "{type: null}", `null`, true, nil),
		Entry("type fails", "{type: string}", `true`, true, []string{"type: expected string, got boolean"}),
		Entry("several checks, each reported in the order of Match's fields", "{type: string, length: 2, equals: ab}", `"abc"`, true, []string{`equals: expected "ab", got "abc"`, "length: expected 2, got 3"}),
	)

	It("checks a header's text, expanding references", func() {
		m := scenarios.Match{Equals: int64(30), Contains: "${vars.x}", Omits: "x"}
		cs, err := m.EvalText("30", true, values(map[string]string{"${vars.x}": "3"}))
		Expect(err).NotTo(HaveOccurred())
		Expect(failed(cs)).To(BeEmpty())
		Expect(cs).To(HaveLen(3))
		cs, err = m.EvalText("", false, values(map[string]string{"${vars.x}": "3"}))
		Expect(err).NotTo(HaveOccurred())
		Expect(failed(cs)).To(Equal([]string{`equals: expected "30", got (absent)`, `contains: expected "3", got (absent)`}))
	})
})

var _ = Describe("ParseRedirect", func() {
	It("reads code and state from the query", func() {
		r, err := scenarios.ParseRedirect("http://127.0.0.1:8888/callback?code=AQx&state=a%20b", "")
		Expect(err).NotTo(HaveOccurred())
		Expect(r.To).To(Equal("http://127.0.0.1:8888/callback"))
		Expect(r.In).To(Equal("query"))
		Expect([]string{r.Code, r.State, r.Error}).To(Equal([]string{"AQx", "a b", ""}))
	})

	It("reads the implicit grant's fragment", func() {
		r, err := scenarios.ParseRedirect("http://127.0.0.1:3000/redirect?keep=1#error=unsupported_response_type&state=s", "")
		Expect(err).NotTo(HaveOccurred())
		Expect(r.To).To(Equal("http://127.0.0.1:3000/redirect"))
		Expect(r.In).To(Equal("fragment"))
		Expect(r.Error).To(Equal("unsupported_response_type"))
		Expect(r.State).To(Equal("s"))
	})

	It("resolves a relative Location against the request", func() {
		r, err := scenarios.ParseRedirect("/login?continue=x", "http://127.0.0.1:41234/authorize?client_id=a")
		Expect(err).NotTo(HaveOccurred())
		Expect(r.To).To(Equal("http://127.0.0.1:41234/login"))
		Expect(r.Code).To(BeEmpty())
	})

	It("feeds the redirect expectations", func() {
		e := expectOf("authorize: {}", `{redirect: {to: "http://127.0.0.1:8888/callback", code: false, state: "", error: access_denied, error_description: "", in: query}}`)
		r, err := scenarios.ParseRedirect("http://127.0.0.1:8888/callback?error=access_denied", "")
		Expect(err).NotTo(HaveOccurred())
		cs, err := e.Check(&scenarios.Observation{Status: 302, Redirect: r}, noRefs)
		Expect(err).NotTo(HaveOccurred())
		Expect(cs).To(HaveLen(6))
		Expect(failed(cs)).To(BeEmpty())

		r, _ = scenarios.ParseRedirect("http://127.0.0.1:8888/callback/?code=AQ&state=s", "")
		cs, _ = e.Check(&scenarios.Observation{Status: 302, Redirect: r}, noRefs)
		Expect(failed(cs)).To(Equal([]string{
			`redirect.to: expected "http://127.0.0.1:8888/callback", got "http://127.0.0.1:8888/callback/"`,
			"redirect.code: expected (absent), got present",
			`redirect.state: expected (absent), got "s"`,
			`redirect.error: expected "access_denied", got (absent)`,
		}))

		cs, _ = e.Check(&scenarios.Observation{Status: 400}, noRefs)
		Expect(failed(cs)).To(Equal([]string{"redirect: expected a redirect, got no redirect"}))
	})
})

var _ = Describe("PageText", func() {
	DescribeTable("gives the text a person reads",
		func(page, want string) { Expect(scenarios.PageText(page)).To(Equal(want)) },
		Entry("the fake's error page", `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Error - Spotify</title>
<style>body{font-family:sans-serif}</style></head>
<body><p id="error-message">INVALID_CLIENT: Invalid redirect URI</p></body></html>`, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("scripts, comments and templates vanish", `<body><script>var a = "<p>x</p>";</script><!-- hidden --><template>t</template>Illegal scope</body>`, "Illegal scope"),
		Entry("block tags separate words, inline ones do not", `<div>Missing required</div><p>parameter: <b>client</b>_id</p>`, "Missing required parameter: client_id"),
		Entry("entities are decoded and white space collapsed", "  a&amp;b\n\t&lt;c&gt; &#39;d&#39;  ", "a&b <c> 'd'"),
		Entry("plain text stays", "User not approved for app", "User not approved for app"),
	)
})

var _ = Describe("Challenge", func() {
	// RFC 7636 appendix B.
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

	DescribeTable("computes what the authorize step sends",
		func(method scenarios.PKCE, enc scenarios.ChallengeEncoding, challenge, param string) {
			c, m := scenarios.Challenge(verifier, method, enc)
			Expect([]string{c, m}).To(Equal([]string{challenge, param}))
		},
		Entry("S256, base64url without padding (RFC 7636)", scenarios.PKCES256, scenarios.ChallengeBase64URL, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256"),
		Entry("S256 by default", scenarios.PKCES256, scenarios.ChallengeEncoding(""), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256"),
		Entry("S256 padded", scenarios.PKCES256, scenarios.ChallengePadded, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=", "S256"),
		Entry("S256 hex", scenarios.PKCES256, scenarios.ChallengeHex, "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3", "S256"),
		Entry("plain", scenarios.PKCEPlain, scenarios.ChallengeEncoding(""), verifier, "plain"),
		Entry("none", scenarios.PKCENone, scenarios.ChallengeEncoding(""), "", ""),
	)
})

var _ = Describe("Expect.Check", func() {
	tokenBody := []byte(`{"access_token":"BQa","token_type":"Bearer","scope":"user-read-email user-read-private","expires_in":3600,"refresh_token":"AQnew"}`)

	It("checks a token response", func() {
		e := expectOf("refresh: {refresh_token: AQold}", `{status: 200, content_type: application/json, refresh_token: true, rotated: true,
      scope: {equals: user-read-private user-read-email, contains: user-read-email, omits: [user-top-read]},
      headers: {cache-control: {equals: no-store}}, json: {expires_in: {equals: 3600}}, body_contains: Bearer}`)
		o := &scenarios.Observation{Status: 200, Body: tokenBody, SentRefreshToken: "AQold",
			Header: http.Header{"Content-Type": {"application/json;charset=UTF-8"}, "Cache-Control": {"no-store"}}}
		cs, err := e.Check(o, noRefs)
		Expect(err).NotTo(HaveOccurred())
		Expect(failed(cs)).To(BeEmpty())
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		Expect(names).To(Equal([]string{"status", "body_contains", "content_type", "headers.cache-control.equals",
			"json.expires_in.equals", "refresh_token", "rotated", "scope.equals", "scope.contains", "scope.omits"}))

		o.SentRefreshToken = "AQnew"
		cs, _ = e.Check(o, noRefs)
		Expect(failed(cs)).To(Equal([]string{"rotated: expected true, got false"}), "the same token back is no rotation")
	})

	It("checks an OAuth error, with an empty description meaning none", func() {
		e := expectOf("exchange: {code: x}", `{status: 400, error: invalid_client, error_description: ""}`)
		cs, err := e.Check(&scenarios.Observation{Status: 400, Body: []byte(`{"error":"invalid_client"}`)}, noRefs)
		Expect(err).NotTo(HaveOccurred())
		Expect(failed(cs)).To(BeEmpty())
		cs, _ = e.Check(&scenarios.Observation{Status: 400, Body: []byte(`{"error":"invalid_client","error_description":"Invalid client"}`)}, noRefs)
		Expect(failed(cs)).To(Equal([]string{`error_description: expected (absent), got "Invalid client"`}))
	})

	It("checks a Web API error object, pretty-printed or not", func() {
		e := expectOf("api: {path: /v1/me, auth: none}", `{api_error: {status: 403, message: Insufficient client scope}}`)
		cs, _ := e.Check(&scenarios.Observation{Status: 403, Body: []byte("{\n  \"error\" : {\n    \"status\" : 403,\n    \"message\" : \"Insufficient client scope\"\n  }\n}")}, noRefs)
		Expect(failed(cs)).To(BeEmpty())
		cs, _ = e.Check(&scenarios.Observation{Status: 403, Body: []byte("Check settings on developer.spotify.com/dashboard, the user may not be registered.")}, noRefs)
		Expect(failed(cs)).To(HaveLen(1))
		Expect(failed(cs)[0]).To(HavePrefix(`api_error: expected {"error":{"status":…,"message":…}}, got Check settings`))
	})

	It("checks an exact body and page text", func() {
		e := expectOf("api: {path: /v1/me, auth: none}", `{body: "User not approved for app", page_text: "User not approved for app", content_type: text/plain}`)
		cs, _ := e.Check(&scenarios.Observation{Status: 403, Body: []byte("User not approved for app"), Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}, noRefs)
		Expect(failed(cs)).To(BeEmpty())
		cs, _ = e.Check(&scenarios.Observation{Status: 403, Body: []byte("User not approved for app\n"), Header: http.Header{}}, noRefs)
		Expect(failed(cs)).To(Equal([]string{`body: expected "User not approved for app", got "User not approved for app\n"`, "content_type: expected text/plain, got (none)"}))
	})

	It("returns an error, not a failure, for a reference without a value", func() {
		e := expectOf("authorize: {}", `{redirect: {state: "${steps.step-1.state}"}}`)
		r, _ := scenarios.ParseRedirect("http://x/cb?state=s", "")
		_, err := e.Check(&scenarios.Observation{Redirect: r}, noRefs)
		Expect(err).To(MatchError("${steps.step-1.state}: no value"))
	})

	It("counts statuses and checks every failed response of a repeated step", func() {
		e := expectOf("exchange: {code: x, parallel: 3}", `{statuses: {200: 1, "400": 2}, error: invalid_grant, error_description: Invalid authorization code}`)
		bad := []byte(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`)
		obs := []*scenarios.Observation{{Status: 400, Body: bad}, {Status: 200, Body: tokenBody}, {Status: 400, Body: bad}}
		cs, err := e.CheckAll(obs, noRefs)
		Expect(err).NotTo(HaveOccurred())
		Expect(failed(cs)).To(BeEmpty())
		Expect(cs).To(HaveLen(6))

		obs[2] = &scenarios.Observation{Status: 500, Body: []byte(`{"error":"server_error"}`)}
		cs, _ = e.CheckAll(obs, noRefs)
		Expect(failed(cs)).To(Equal([]string{
			"statuses.400: expected 2, got 1",
			"statuses.500: expected 0, got 1",
			`response[3].error: expected "invalid_grant", got "server_error"`,
			`response[3].error_description: expected "Invalid authorization code", got (absent)`,
		}))
	})

	It("checks what the browser saw", func() {
		list, err := scenarios.Parse([]byte("name: x\nrequires: [browser]\nsteps:\n  - authorize: {}\n  - consent: {}\n    expect: {dialog_shown: false, login_shown: true}\n"), "x.yaml")
		Expect(err).NotTo(HaveOccurred())
		e := &list[0].Steps[1].Expect
		cs, _ := e.Check(&scenarios.Observation{DialogShown: true, LoginShown: true}, noRefs)
		Expect(failed(cs)).To(Equal([]string{"dialog_shown: expected false, got true"}))
	})
})
