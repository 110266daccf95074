package scenarios_test

import (
	"errors"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/scenarios"
)

// problemLines parses src as file and returns the problems, one line each.
func problemLines(file, src string) []string {
	list, err := scenarios.Parse([]byte(src), file)
	Expect(list).To(BeNil())
	var ps scenarios.Problems
	Expect(errors.As(err, &ps)).To(BeTrue(), "the error is Problems")
	Expect(ps.Error()).To(Equal(err.Error()))
	lines := strings.Split(err.Error(), "\n")
	Expect(lines).To(HaveLen(len(ps)))
	return lines
}

var _ = Describe("a broken scenario file", func() {
	DescribeTable("reports every problem at once, each as file:line:col: message",
		func(file, src string, want []string) {
			Expect(problemLines(file, src)).To(Equal(want))
		},
		Entry("unknown fields, with a suggestion when one is close", "unknown-field.yaml", `name: x
descripton: typo
steps:
  - authorize: {scop: user-read-email}
    expect: {stauts: 302}
  - exchange: {zzz: 1}
`, []string{
			`unknown-field.yaml:2:1: unknown field "descripton" in scenario; did you mean "description"?`,
			`unknown-field.yaml:4:17: steps[0].authorize: unknown field "scop" in authorize; did you mean "scope"?`,
			`unknown-field.yaml:5:14: steps[0].expect: unknown field "stauts" in expect; did you mean "status"?`,
			`unknown-field.yaml:6:16: steps[1].exchange: unknown field "zzz" in exchange (fields: app, auth, client_id, client_secret, authorization, grant_type, content_type, body_format, params_in, params, omit, headers, repeat, parallel, path, code, redirect_uri, code_verifier)`,
		}),
		Entry("wrong types", "wrong-type.yaml", `name: x
tags: fast
steps:
  - authorize: {show_dialog: maybe}
    expect: {status: "302"}
  - exchange: {parallel: many}
  - api: {path: [/v1/me]}
  - client_credentials: {repeat: 0, client_id: 0123, client_secret: true}
`, []string{
			`wrong-type.yaml:2:7: tags: want a list, got "fast"`,
			`wrong-type.yaml:4:30: steps[0].authorize.show_dialog: want true or false, got "maybe"`,
			`wrong-type.yaml:5:22: steps[0].expect.status: want an integer, got "302"`,
			`wrong-type.yaml:6:26: steps[1].exchange.parallel: want an integer, got "many"`,
			`wrong-type.yaml:7:17: steps[2].api.path: want a string, got a list`,
			`wrong-type.yaml:8:34: steps[3].client_credentials.repeat: 0 is out of range (1 to 1000)`,
			`wrong-type.yaml:8:48: steps[3].client_credentials.client_id: want a string, got the YAML number 0123; quote it: "0123"`,
			`wrong-type.yaml:8:69: steps[3].client_credentials.client_secret: want a string, got the YAML boolean true; quote it: "true"`,
		}),
		Entry("unknown actions, steps without one, and two actions in one step", "actions.yaml", `name: x
steps:
  - authorise: {}
  - login: {user: alice}
  - {}
  - authorize: {}
    exchange: {}
    expect: {rotated: true}
`, []string{
			`actions.yaml:3:5: steps[0]: unknown action "authorise"; did you mean "authorize"?`,
			`actions.yaml:4:5: steps[1]: unknown action "login" (actions: authorize, consent, callback, exchange, refresh, client_credentials, api, advance_clock, revoke, inject, set_policy, rotate_secret)`,
			`actions.yaml:5:5: steps[2]: step has no action (want one of authorize, consent, callback, exchange, refresh, client_credentials, api, advance_clock, revoke, inject, set_policy, rotate_secret)`,
			`actions.yaml:7:5: steps[3]: a step has exactly one action, got authorize and exchange`,
			`actions.yaml:8:14: steps[3].expect.rotated: does not apply to authorize (it takes status, body, body_contains, page_text, page_text_contains, content_type, headers, redirect)`,
		}),
		Entry("bad references: unknown and later steps, unknown exports, apps and vars", "refs.yaml", `name: x
vars:
  uri: ${steps.auth.redirect_uri}
steps:
  - name: auth
    authorize: {}
  - exchange:
      code: ${steps.auht.code}
      redirect_uri: ${steps.token.redirect_uri}
  - name: token
    exchange:
      code: ${steps.auth.acces_token}
      client_id: ${app.id}
      client_secret: ${vars.secret}
  - api: {path: /v1/me, token: "${steps.auth}"}
  - api: {path: "/v1/users/${steps.token.json.id}", token: "${steps.step-5.access_token}"}
  - api: {path: /v1/me, token: "${steps.token.access_token"}
  - exchange: {code: "${apps.nope.client_id}", code_verifier: "${steps.auth.verifier}"}
`, []string{
			`refs.yaml:3:8: vars.uri: vars may refer to app and apps only, not to ${steps.auth.redirect_uri}`,
			`refs.yaml:8:13: steps[1].exchange.code: unknown step "auht" in ${steps.auht.code}; did you mean "auth"?`,
			`refs.yaml:9:21: steps[1].exchange.redirect_uri: step "token" comes after this step; ${steps.token.redirect_uri} can only refer to an earlier step`,
			`refs.yaml:12:13: steps[2].exchange.code: step "auth" (authorize) exports no "acces_token" (it exports url, client_id, redirect_uri, scope, state, verifier, challenge, status, body, location, page_text, code, error, error_description, json.<path>, header.<Name>)`,
			`refs.yaml:13:18: steps[2].exchange.client_id: unknown app field "id" in ${app.id} (want client_id, client_secret, redirect_uri or name)`,
			`refs.yaml:14:22: steps[2].exchange.client_secret: unknown var "secret" in ${vars.secret}`,
			`refs.yaml:15:32: steps[3].api.token: bad reference ${steps.auth}: want ${steps.<step>.<field>}`,
			`refs.yaml:16:60: steps[4].api.token: a step cannot refer to itself (${steps.step-5.access_token})`,
			`refs.yaml:17:32: steps[5].api.token: unterminated reference "${steps.token.access_token" (want ${…})`,
			`refs.yaml:18:22: steps[6].exchange.code: unknown app "nope" in ${apps.nope.client_id} (the fake's apps: web, other, dev, nopremium, legacy)`,
			`refs.yaml:18:63: steps[6].exchange.code_verifier: step "auth" does not use PKCE, so it has no verifier`,
		}),
		Entry("fake-only actions and requirements on target spotify", "spotify.yaml", `name: x
targets: [fake, spotify]
requires: ["policy:refresh=pkce-rotate", control, "policy:unauthorized_message=2026"]
user: bob
steps:
  - authorize: {app: other, redirect_uri: "${apps.other.redirect_uri}"}
  - advance_clock: {by: 10m}
  - revoke: {}
  - inject: {path: /v1/me, status: 429}
  - set_policy: {refresh: "2026"}
`, []string{
			`spotify.yaml:3:12: requires: policy:refresh=pkce-rotate can only be selected on the fake (Spotify today behaves as the fake's default); remove spotify from targets`,
			`spotify.yaml:3:42: requires: control is the fake's control API; remove spotify from targets`,
			`spotify.yaml:4:1: user: on spotify the user is always the test account (SPOTCHECK_TEST_USERNAME); remove user or remove spotify from targets`,
			`spotify.yaml:6:17: steps[0].authorize.app: app "other" is not the scenario's app "web", and on spotify there is only the user's app; remove spotify from targets`,
			`spotify.yaml:6:43: steps[0].authorize.redirect_uri: ${apps.other.redirect_uri} names another app, and on spotify there is only the user's app; remove spotify from targets`,
			`spotify.yaml:7:5: steps[1].advance_clock: advance_clock is fake-only (it drives the fake's control API); remove spotify from targets`,
			`spotify.yaml:8:5: steps[2].revoke: revoke is fake-only (it drives the fake's control API); remove spotify from targets`,
			`spotify.yaml:9:5: steps[3].inject: inject is fake-only (it drives the fake's control API); remove spotify from targets`,
			`spotify.yaml:10:5: steps[4].set_policy: set_policy is fake-only (it drives the fake's control API); remove spotify from targets`,
		}),
		Entry("consent without the browser requirement", "consent.yaml", `name: x
targets: [fake, spotify]
steps:
  - consent: {}
  - authorize: {}
  - consent: {decision: deny, from: step-1}
`, []string{
			`consent.yaml:4:5: steps[0].consent: consent drives the browser; add browser to requires (without it the fake consents automatically and authorize gets the redirect)`,
			`consent.yaml:4:5: steps[0].consent: no earlier authorize step to consent to`,
			`consent.yaml:6:5: steps[2].consent: consent drives the browser; add browser to requires (without it the fake consents automatically and authorize gets the redirect)`,
			`consent.yaml:6:31: steps[2].consent.from: "step-1" is not an earlier authorize step`,
		}),
		Entry("the browser tag on a scenario that needs no browser", "tag.yaml", `name: x
tags: [pkce, browser]
steps:
  - authorize: {}
`, []string{
			`tag.yaml:2:1: tags: browser marks the scenarios that drive Chromium (requires: browser), and this one does not; choose another tag`,
		}),
		Entry("expectations that do not fit the action", "expect.yaml", `name: x
steps:
  - authorize: {}
    expect:
      json: {a: {equals: 1}}
  - exchange: {parallel: 5}
    expect:
      status: 200
      statuses: {200: 1, 999: 4}
  - refresh: {}
    expect:
      statuses: {200: 1}
  - advance_clock: {by: 1m}
    expect: {status: 200}
  - api: {path: /v1/me}
    expect:
      headers: {"Retry After": {equals: 1}, Retry-After: {length: 2}}
      json: {"items[x]": {present: true}, a: {matches: "("}, b: {present: true, absent: true}, c: {}}
`, []string{
			`expect.yaml:5:7: steps[0].expect.json: does not apply to authorize (it takes status, body, body_contains, page_text, page_text_contains, content_type, headers, redirect)`,
			`expect.yaml:8:7: steps[1].expect.status: does not apply to a step that makes 5 requests (use statuses, and error, api_error, body or headers for the failed ones)`,
			`expect.yaml:9:7: steps[1].expect.statuses: 999 is not an HTTP status`,
			`expect.yaml:12:7: steps[2].expect.statuses: needs repeat or parallel (use status for one request)`,
			`expect.yaml:14:14: steps[3].expect.status: does not apply to advance_clock (it takes nothing: it has no expectations)`,
			`expect.yaml:17:17: steps[4].expect.headers: "Retry After" is not a header name`,
			`expect.yaml:17:45: steps[4].expect.headers.Retry-After: length and type do not apply to a header`,
			`expect.yaml:18:14: steps[4].expect.json: JSON path "items[x]": index "x" is not a number >= 0 or *`,
			`expect.yaml:18:43: steps[4].expect.json.a.matches: not a regular expression: error parsing regexp: missing closing ): ` + "`(`",
			`expect.yaml:18:62: steps[4].expect.json.b: set present or absent, not both`,
			`expect.yaml:18:99: steps[4].expect.json.c: empty matcher (want present, absent, equals, matches, contains, omits, length or type)`,
		}),
		Entry("all kinds at once", "all-at-once.yaml", `name: Bad Name
targets: [fake, moon]
requires: [browser, "policy:2026", "policy:refresh=weekly", gpu]
app: webb
steps:
  - authorize: {pkce: sha256, verifier: abc}
  - exchange: {auth: basik}
  - api: {path: "/v1/me?x=1", method: FETCH}
  - advance_clock: {by: -5m}
  - inject: {path: v1/me}
  - revoke: {user: carol}
  - set_policy: {}
  - name: auth
    authorize: {}
  - name: auth
    authorize: {}
`, []string{
			`all-at-once.yaml:1:7: name: "Bad Name" does not match ^[a-z0-9][a-z0-9._-]*$`,
			`all-at-once.yaml:2:17: targets[1]: unknown value "moon" (want fake or spotify)`,
			`all-at-once.yaml:3:21: requires[1]: ambiguous policy "2026": write policy:refresh=2026 or policy:unauthorized_message=2026`,
			`all-at-once.yaml:3:36: requires[2]: unknown value "weekly" for policy refresh (want 2026, pkce-rotate or always-rotate)`,
			`all-at-once.yaml:3:61: requires[3]: unknown requirement "gpu" (want browser, control or policy:<field>=<value>)`,
			`all-at-once.yaml:4:1: app: unknown app "webb" (the fake's apps: web, other, dev, nopremium, legacy); did you mean "web"?`,
			`all-at-once.yaml:6:23: steps[0].authorize.pkce: unknown value "sha256" (want none, s256 or plain)`,
			`all-at-once.yaml:6:31: steps[0].authorize.verifier: a verifier needs pkce: s256 or plain`,
			`all-at-once.yaml:7:22: steps[1].exchange.auth: unknown value "basik" (want basic, body, public or none)`,
			`all-at-once.yaml:8:11: steps[2].api.path: put the query in query, not in the path`,
			`all-at-once.yaml:8:39: steps[2].api.method: unknown value "FETCH" (want GET, POST, PUT, DELETE or PATCH)`,
			`all-at-once.yaml:9:25: steps[3].advance_clock.by: the duration must be positive, got -5m`,
			`all-at-once.yaml:10:13: steps[4].inject: missing required field "status"`,
			`all-at-once.yaml:10:20: steps[4].inject.path: "v1/me" does not match ^/`,
			`all-at-once.yaml:11:14: steps[5].revoke.user: unknown user "carol" (the fake's users: alice, bob)`,
			`all-at-once.yaml:12:5: steps[6].set_policy: set at least one policy (refresh, redirect_security, unauthorized_message, implicit_grant, allowlist_message, verifier_message, rate_limit)`,
			`all-at-once.yaml:15:5: steps[8]: duplicate step name "auth" (first at line 13)`,
		}),
		Entry("contradictions between fields", "contradictions.yaml", `name: x
steps:
  - authorize: {redirect_uri: "http://127.0.0.1:8888/callback", omit: [redirect_uri], params: {state: x}, challenge_encoding: hex}
  - exchange: {auth: public, client_secret: x, body_format: json, params_in: query, repeat: 2, parallel: 2, headers: {Authorization: x}}
  - api: {path: /v1/me, auth: none, token: x, json: {a: 1}, body: "b"}
  - callback: {from: step-1, url: "http://127.0.0.1:8888/callback?code=x"}
  - refresh: {refresh_token: x, auth: none, client_id: y}
`, []string{
			`contradictions.yaml:3:65: steps[0].authorize.omit: redirect_uri is both set and omitted`,
			`contradictions.yaml:3:107: steps[0].authorize.challenge_encoding: only with pkce: s256`,
			`contradictions.yaml:4:30: steps[1].exchange.client_secret: not sent with auth: public (use basic or body)`,
			`contradictions.yaml:4:48: steps[1].exchange.body_format: json needs params_in: body`,
			`contradictions.yaml:4:96: steps[1].exchange: set repeat or parallel, not both`,
			`contradictions.yaml:4:109: steps[1].exchange.headers: set Authorization with authorization`,
			`contradictions.yaml:5:37: steps[2].api.token: not sent with auth: none`,
			`contradictions.yaml:5:61: steps[2].api: set json or body, not both`,
			`contradictions.yaml:6:30: steps[3].callback: set from or url, not both`,
			`contradictions.yaml:7:45: steps[4].refresh.client_id: not sent with auth: none (use public, basic or body)`,
		}),
		Entry("a YAML syntax error", "syntax.yaml", "name: x\nsteps:\n  - authorize: {\n  - exchange: {}\n", []string{
			`syntax.yaml:3:1: YAML syntax: did not find expected node content`,
		}),
		Entry("an empty file", "empty.yaml", "", []string{
			`empty.yaml:1:1: no scenario in this file`,
		}),
		Entry("a document that is not a mapping", "list.yaml", "- name: x\n", []string{
			`list.yaml:1:1: a scenario document must be a mapping (name, steps, …), got a list`,
		}),
		Entry("duplicate names and an empty step list across documents", "multi.yaml", `name: one
steps: [{authorize: {}}]
---
name: one
steps: [{authorize: {}}]
---
name: two
steps: []
---
steps: [{authorize: {}}]
`, []string{
			`multi.yaml:4:1: duplicate scenario name "one" (first at multi.yaml:1:1)`,
			`multi.yaml:8:8: steps: want at least 1 entry, got 0`,
			`multi.yaml:10:1: missing required field "name"`,
		}),
		Entry("an action written without a value is the action with its defaults", "bare.yaml", `name: x
steps:
  - authorize:
  - inject:
`, []string{
			`bare.yaml:4:12: steps[1].inject: missing required field "path"`,
			`bare.yaml:4:12: steps[1].inject: missing required field "status"`,
		}),
		Entry("duplicate keys", "dup.yaml", `name: x
name: y
steps:
  - authorize: {}
    expect: {headers: {Retry-After: {present: true}, retry-after: {present: true}}}
`, []string{
			`dup.yaml:2:1: duplicate field "name" (first at line 1)`,
			`dup.yaml:5:54: steps[0].expect.headers: duplicate key "retry-after"`,
		}),
	)

	It("survives an alias bomb with one problem instead of hanging", func() {
		src := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		for i, prev := 0, "a"; i < 8; i++ {
			name := string(rune('b' + i))
			src += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
			prev = name
		}
		src = "name: bomb\nsteps:\n  - api:\n      path: /v1/me\n      token: x\n      json:\n" + indent(src, "        ") + "        all: *i\n"
		lines := problemLines("bomb.yaml", src)
		Expect(lines).To(ContainElement(ContainSubstring("document too large: it expands to more than 200000 YAML nodes")))
	})
})

func indent(s, by string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := range lines {
		lines[i] = by + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

var _ = Describe("a pathological scenario file", func() {
	It("is refused quickly when aliases make thousands of steps", func() {
		src := "name: x\nx: &s {api: {path: /v1/me, token: \"${steps.nope.access_token}\"}}\nsteps: [" + strings.Repeat("*s, ", 5000) + "*s]\n"
		lines := problemLines("many.yaml", src)
		Expect(lines).To(ContainElement("many.yaml:3:1: steps: 5001 steps; a scenario has at most 1000"))
	})

	It("stops after 200 problems", func() {
		src := "name: x\nsteps:\n" + strings.Repeat("  - api: {path: /v1/me, token: \"${steps.nope.access_token}\"}\n", 500)
		lines := problemLines("noisy.yaml", src)
		Expect(lines).To(HaveLen(201))
		Expect(lines[200]).To(HaveSuffix("too many problems (more than 200); stopping here"))
	})
})

var _ = Describe("the browser tag", func() {
	It("is added to every scenario that requires the browser, written or not", func() {
		list, err := scenarios.Parse([]byte(`name: a
tags: [pkce]
requires: [browser]
steps:
  - authorize: {}
  - consent: {}
---
name: b
tags: [browser, pkce]
requires: [browser]
steps:
  - authorize: {}
  - consent: {}
---
name: c
tags: [pkce]
steps:
  - authorize: {}
`), "tags.yaml")
		Expect(err).NotTo(HaveOccurred())
		Expect(list[0].Tags).To(Equal([]string{"pkce", scenarios.TagBrowser}))
		Expect(list[1].Tags).To(Equal([]string{"browser", "pkce"}), "not twice")
		Expect(list[2].Tags).To(Equal([]string{"pkce"}))
	})

	It("marks exactly the built-in scenarios that drive Chromium", func() {
		list, err := scenarios.Builtin()
		Expect(err).NotTo(HaveOccurred())
		browser := 0
		for _, s := range list {
			Expect(slices.Contains(s.Tags, scenarios.TagBrowser)).To(Equal(s.NeedsBrowser()), s.Name)
			if s.NeedsBrowser() {
				browser++
			}
		}
		Expect(browser).To(BeNumerically(">", 0))
	})
})
