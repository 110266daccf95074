package scenarios_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/scenarios"
)

func builtinFiles() []string {
	names, err := fs.Glob(scenarios.BuiltinFS(), "builtin/*.yaml")
	if err != nil || len(names) == 0 {
		panic(fmt.Sprint("no built-in files: ", err))
	}
	return names
}

func compileSchema() *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(scenarios.Schema()))
	Expect(err).NotTo(HaveOccurred())
	c := jsonschema.NewCompiler()
	Expect(c.AddResource("scenario.schema.json", doc)).To(Succeed())
	s, err := c.Compile("scenario.schema.json")
	Expect(err).NotTo(HaveOccurred())
	return s
}

// yamlDocs decodes every document of a YAML stream into JSON values (map
// keys as strings, numbers as JSON numbers), as an editor validating
// against the schema sees them.
func yamlDocs(data []byte) []any {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs
		}
		Expect(err).NotTo(HaveOccurred())
		b, err := json.Marshal(jsonable(v))
		Expect(err).NotTo(HaveOccurred())
		j, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		Expect(err).NotTo(HaveOccurred())
		docs = append(docs, j)
	}
}

func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = jsonable(e)
		}
		return out
	case map[any]any:
		out := map[string]any{}
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case []any:
		for i := range x {
			x[i] = jsonable(x[i])
		}
	}
	return v
}

var _ = Describe("the built-in suite", func() {
	var all []*scenarios.Scenario
	BeforeEach(func() {
		var err error
		all, err = scenarios.Builtin()
		Expect(err).NotTo(HaveOccurred())
	})

	It("has at least 40 scenarios, in files grouped by theme", func() {
		Expect(len(all)).To(BeNumerically(">=", 40))
		files := map[string]int{}
		for _, s := range all {
			files[path.Base(s.Pos.File)]++
			Expect(s.Description).NotTo(BeEmpty(), s.Name)
			Expect(s.Tags).NotTo(BeEmpty(), s.Name)
		}
		Expect(files).To(HaveKey("redirect-uri.yaml"))
		Expect(files).To(HaveKey("code-exchange.yaml"))
		Expect(files).To(HaveKey("pkce.yaml"))
		Expect(files).To(HaveKey("refresh.yaml"))
		Expect(files).To(HaveKey("scopes.yaml"))
		Expect(files).To(HaveKey("dev-mode.yaml"))
		Expect(files).To(HaveKey("rate-limit.yaml"))
		Expect(files).To(HaveKey("consent.yaml"))
	})

	for _, name := range builtinFiles() {
		It("loads "+name+" on its own, without problems", func() {
			data, err := fs.ReadFile(scenarios.BuiltinFS(), name)
			Expect(err).NotTo(HaveOccurred())
			list, err := scenarios.Parse(data, name)
			Expect(err).NotTo(HaveOccurred())
			Expect(list).NotTo(BeEmpty())
			Expect(string(data)).To(HavePrefix("# yaml-language-server: $schema=../scenario.schema.json\n"), "editors find the schema")
		})

		It("validates "+name+" against the shipped JSON Schema", func() {
			schema := compileSchema()
			data, err := fs.ReadFile(scenarios.BuiltinFS(), name)
			Expect(err).NotTo(HaveOccurred())
			docs := yamlDocs(data)
			Expect(docs).NotTo(BeEmpty())
			for i, doc := range docs {
				Expect(schema.Validate(doc)).To(Succeed(), "%s document %d", name, i+1)
			}
		})
	}

	It("keeps the browser scenarios few, and every one of them needs the browser for a consent step", func() {
		var browser []string
		for _, s := range all {
			hasConsent := false
			for _, st := range s.Steps {
				hasConsent = hasConsent || st.Consent != nil
			}
			Expect(s.NeedsBrowser()).To(Equal(hasConsent), s.Name)
			if s.NeedsBrowser() {
				browser = append(browser, s.Name)
			}
		}
		Expect(len(browser)).To(BeNumerically(">=", 4))
		Expect(len(browser)).To(BeNumerically("<=", 8))
	})

	It("marks scenarios for spotify only when they can run there", func() {
		spotify := 0
		for _, s := range all {
			if !s.RunsOn(scenarios.TargetSpotify) {
				continue
			}
			spotify++
			Expect(s.NeedsControl()).To(BeFalse(), s.Name)
			Expect(s.User).To(BeEmpty(), s.Name)
			Expect(s.Apps()).To(Equal([]string{s.App}), s.Name)
			for _, st := range s.Steps {
				if st.Authorize != nil && st.Consent == nil {
					// A code needs the browser on Spotify: an authorize step of a
					// non-browser scenario must expect an error page.
					Expect(s.NeedsBrowser() || st.Expect.Status == 400).To(BeTrue(), "%s %s", s.Name, st.Name)
				}
			}
		}
		Expect(spotify).To(BeNumerically(">=", 25))
	})

	It("covers every bullet of the suite, by name", func() {
		names := map[string]bool{}
		for _, s := range all {
			names[s.Name] = true
		}
		for _, want := range []string{
			// redirect URIs
			"redirect-uri-trailing-slash", "redirect-uri-case", "redirect-uri-port", "redirect-uri-extra-path",
			"redirect-uri-extra-query", "redirect-uri-localhost-instead-of-127", "redirect-uri-ipv6-loopback",
			"redirect-uri-loopback-any-port", "redirect-uri-http-instead-of-https", "redirect-uri-insecure-localhost",
			"redirect-uri-insecure-http", "redirect-uri-missing", "redirect-uri-token-request-differs",
			"redirect-uri-token-request-double-encoded",
			// code exchange
			"exchange-basic-auth", "exchange-body-auth", "exchange-code-reused", "exchange-code-expired",
			"exchange-code-from-another-client", "exchange-wrong-secret", "exchange-unknown-client",
			"exchange-grant-type-missing", "exchange-json-body", "pkce-s256", "pkce-wrong-verifier",
			"pkce-missing-verifier", "pkce-padded-challenge", "consent-user-denies",
			// refresh
			"refresh-2026-no-rotation", "refresh-2026-expires-after-six-months", "refresh-pkce-rotate",
			"refresh-after-revocation", "refresh-garbage-token", "refresh-foreign-token",
			// scopes
			"scope-insufficient-top-read", "scope-insufficient-recently-played", "scope-insufficient-library-read",
			"scope-insufficient-library-modify", "scope-insufficient-follow-read", "scope-insufficient-playlist-modify",
			"me-fields-without-scopes", "playlists-private-omitted-without-scope", "client-credentials-on-me",
			"consent-remembered", "consent-show-dialog-asks-again", "consent-added-scopes-ask-again",
			// development mode, rate limits
			"dev-mode-user-not-allowlisted", "dev-mode-owner-without-premium", "rate-limit-injected-429",
		} {
			Expect(names).To(HaveKey(want))
		}
	})

	It("asserts Spotify's exact strings from the reference", func() {
		var text []string
		for _, name := range builtinFiles() {
			data, err := fs.ReadFile(scenarios.BuiltinFS(), name)
			Expect(err).NotTo(HaveOccurred())
			text = append(text, string(data))
		}
		suite := strings.Join(text, "\n")
		for _, s := range []string{
			`page_text: "INVALID_CLIENT: Invalid redirect URI"`,
			`page_text: "INVALID_CLIENT: Invalid client"`,
			`page_text: "INVALID_CLIENT: Insecure redirect URI"`,
			`page_text: "Missing required parameter: client_id"`,
			`page_text: "Missing required parameter: redirect_uri"`,
			`page_text: Illegal scope`,
			`page_text: response_type must be code`,
			`error: unsupported_response_type`,
			`error: access_denied`,
			`error_description: Invalid authorization code`,
			`error_description: Authorization code expired`,
			`error_description: Invalid redirect URI`,
			`error_description: Invalid client secret`,
			`error_description: Invalid client`,
			`body: '{"error":"invalid_client"}'`,
			`error_description: grant_type parameter is missing`,
			`error_description: "grant_type client_credentials  is not supported"`,
			`error_description: "Unexpected status: 415"`,
			`error_description: code_verifier was incorrect`,
			`error_description: code_verifier was invalid`,
			`error_description: code_verifier required`,
			`error_description: Refresh token revoked`,
			`error_description: Invalid refresh token`,
			`message: Missing/invalid/expired access token`,
			`message: The access token expired`,
			`message: Invalid access token`,
			`message: No token provided`,
			`message: Only valid bearer authentication supported`,
			`message: Insufficient client scope`,
			`message: Unauthorized`,
			`body: Check settings on developer.spotify.com/dashboard, the user may not be registered.`,
			`body: User not registered in the Developer Dashboard`,
			`body: User not approved for app`,
			`body: Active premium subscription required for the owner of the app. When the subscription status changes, it can take a few hours before requests are allowed again.`,
			`'Bearer realm="spotify", error="invalid_request", error_description="Only valid bearer authentication supported"'`,
			`'Bearer realm="spotify", error="invalid_token", error_description="The access token expired"'`,
			`Retry-After: {equals: 30}`,
		} {
			Expect(suite).To(ContainSubstring(s))
		}
	})

	It("uses the app and user names of the fake's built-in configuration", func() {
		cfg, err := config.Load("../fakespotify/default.yaml")
		Expect(err).NotTo(HaveOccurred())
		l := scenarios.LoaderFor(cfg)
		Expect(l.Apps).To(Equal(scenarios.DefaultApps))
		Expect(l.Users).To(Equal(scenarios.DefaultUsers))
		used := map[string]bool{}
		for _, s := range all {
			for _, a := range s.Apps() {
				used[a] = true
			}
		}
		var names []string
		for a := range used {
			names = append(names, a)
		}
		sort.Strings(names)
		Expect(names).To(ConsistOf(scenarios.DefaultApps))
	})
})

var _ = Describe("the JSON Schema", func() {
	It("is draft 2020-12 and compiles", func() {
		var doc map[string]any
		Expect(json.Unmarshal(scenarios.Schema(), &doc)).To(Succeed())
		Expect(doc["$schema"]).To(Equal("https://json-schema.org/draft/2020-12/schema"))
		compileSchema()
	})

	DescribeTable("refuses what Load refuses",
		func(src string) {
			schema := compileSchema()
			docs := yamlDocs([]byte(src))
			Expect(docs).To(HaveLen(1))
			Expect(schema.Validate(docs[0])).NotTo(Succeed())
			_, err := scenarios.Parse([]byte(src), "x.yaml")
			Expect(err).To(HaveOccurred())
		},
		Entry("an unknown field", "name: x\nsteps: [{authorize: {scop: a}}]\n"),
		Entry("two actions in a step", "name: x\nsteps: [{authorize: {}, exchange: {}}]\n"),
		Entry("no action in a step", "name: x\nsteps: [{name: a}]\n"),
		Entry("a wrong type", "name: x\nsteps: [{authorize: {show_dialog: maybe}}]\n"),
		Entry("an unknown enum value", "name: x\nsteps: [{exchange: {code: x, auth: basik}}]\n"),
		Entry("an unknown requirement", "name: x\nrequires: [gpu]\nsteps: [{authorize: {}}]\n"),
		Entry("a bad duration", "name: x\nsteps: [{advance_clock: {by: ten minutes}}]\n"),
		Entry("a missing name", "steps: [{authorize: {}}]\n"),
		Entry("a status key that is no status", "name: x\nsteps: [{exchange: {code: x, parallel: 2}, expect: {statuses: {ok: 2}}}]\n"),
	)
})
