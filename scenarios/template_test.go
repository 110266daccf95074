package scenarios_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/scenarios"
)

// values is a lookup over a fixed table, as a runner's would be over
// what earlier steps exported.
func values(table map[string]string) scenarios.Lookup {
	return func(r scenarios.Ref) (string, error) {
		if v, ok := table[r.String()]; ok {
			return v, nil
		}
		return "", errors.New("no value")
	}
}

var _ = Describe("Template", func() {
	lookup := values(map[string]string{
		"${steps.auth.code}":                 "AQcode",
		"${app.redirect_uri}":                "http://127.0.0.1:8888/callback",
		"${apps.other.client_id}":            "0a1b",
		"${vars.user}":                       "alice",
		"${steps.me.json.items[0].name}":     "Alice Public Mix",
		"${steps.rl.header.Retry-After}":     "30",
		"${steps.auth.redirect_uri}":         "http://127.0.0.1:8888/callback",
		"${steps.step-2.refresh_token}":      "AQrefresh",
		"${steps.auth_2.used_refresh_token}": "AQold",
	})

	DescribeTable("expands references anywhere in the string",
		func(t, want string) {
			got, err := scenarios.Template(t).Expand(lookup)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("a literal", "plain text", "plain text"),
		Entry("a whole reference", "${steps.auth.code}", "AQcode"),
		Entry("a reference with a suffix", "${app.redirect_uri}/", "http://127.0.0.1:8888/callback/"),
		Entry("several references", "${vars.user}@${apps.other.client_id}", "alice@0a1b"),
		Entry("a JSON path", "${steps.me.json.items[0].name}", "Alice Public Mix"),
		Entry("a header", "wait ${steps.rl.header.Retry-After}s", "wait 30s"),
		Entry("$${ is a literal ${", "$${steps.auth.code} is ${steps.auth.code}", "${steps.auth.code} is AQcode"),
		Entry("a lone $ is kept", "cost: $5", "cost: $5"),
		Entry("step names with - and _", "${steps.step-2.refresh_token} ${steps.auth_2.used_refresh_token}", "AQrefresh AQold"),
	)

	It("names the reference whose value is missing", func() {
		_, err := scenarios.Template("x ${steps.auth.state} y").Expand(lookup)
		Expect(err).To(MatchError("${steps.auth.state}: no value"))
	})

	It("lists its references in order, split into their parts", func() {
		refs, err := scenarios.Template("${steps.a.json.x.y[1]}${app.client_id}${apps.dev.name}${vars.v}${steps.b.header.WWW-Authenticate}").Refs()
		Expect(err).NotTo(HaveOccurred())
		Expect(refs).To(Equal([]scenarios.Ref{
			{Kind: scenarios.RefSteps, Step: "a", Name: "json", Arg: "x.y[1]"},
			{Kind: scenarios.RefApp, Name: "client_id"},
			{Kind: scenarios.RefApps, App: "dev", Name: "name"},
			{Kind: scenarios.RefVars, Name: "v"},
			{Kind: scenarios.RefSteps, Step: "b", Name: "header", Arg: "WWW-Authenticate"},
		}))
		for _, r := range refs {
			again, err := scenarios.Template(r.String()).Refs()
			Expect(err).NotTo(HaveOccurred())
			Expect(again).To(Equal([]scenarios.Ref{r}), "String round-trips")
		}
		Expect(scenarios.Template("no refs").IsLiteral()).To(BeTrue())
		Expect(scenarios.Template("${app.name}").IsLiteral()).To(BeFalse())
	})

	DescribeTable("rejects malformed references",
		func(t, msg string) {
			_, err := scenarios.Template(t).Refs()
			Expect(err).To(MatchError(msg))
		},
		Entry("unterminated", "${steps.a.code", `unterminated reference "${steps.a.code" (want ${…})`),
		Entry("unknown kind", "${env.HOME}", `bad reference ${env.HOME}: unknown kind "env" (want steps, app, apps or vars)`),
		Entry("a step without a field", "${steps.a}", "bad reference ${steps.a}: want ${steps.<step>.<field>}"),
		Entry("json without a path", "${steps.a.json.}", "bad reference ${steps.a.json.}: want json.<path>"),
		Entry("a bad JSON path", "${steps.a.json.items[x]}", `bad reference ${steps.a.json.items[x]}: JSON path "items[x]": index "x" is not a number >= 0 or *`),
		Entry("an app field with a dot", "${app.client.id}", "bad reference ${app.client.id}: want ${app.<field>} with a field of client_id, client_secret, redirect_uri or name"),
		Entry("an empty reference", "${}", `bad reference ${}: unknown kind "" (want steps, app, apps or vars)`),
	)

	It("expands every string of a JSON body, leaving keys and other values alone", func() {
		v, err := scenarios.ExpandValue(map[string]any{
			"${vars.user}": "${vars.user}",
			"list":         []any{"${steps.auth.code}", int64(3), true, nil},
		}, lookup)
		Expect(err).NotTo(HaveOccurred())
		Expect(v).To(Equal(map[string]any{
			"${vars.user}": "alice",
			"list":         []any{"AQcode", int64(3), true, nil},
		}))
		_, err = scenarios.ExpandValue([]any{"${vars.nope}"}, lookup)
		Expect(err).To(MatchError("${vars.nope}: no value"))
	})
})
