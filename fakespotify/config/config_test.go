package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

func TestConfig(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "config")
}

const goodApp = `apps:
  - name: a
    client_id: 11111111111111111111111111111111
    client_secret: 22222222222222222222222222222222
    redirect_uris: [http://127.0.0.1:8888/callback]
`

var _ = Describe("Parse", func() {
	It("parses the built-in default.yaml and fills defaults", func() {
		data, err := os.ReadFile(filepath.Join("..", "default.yaml"))
		Expect(err).NotTo(HaveOccurred())
		cfg, err := config.Parse(data, "default.yaml")
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.Apps).To(HaveLen(5))
		Expect(cfg.Policies.Refresh).To(Equal(wire.Refresh2026))
		Expect(cfg.Lifetimes.Code.Minutes()).To(BeNumerically("==", 10))
		app, ok := cfg.AppNamed("dev")
		Expect(ok).To(BeTrue())
		Expect(app.Mode).To(Equal(config.ModeDevelopment))
		Expect(app.Created.Format("2006-01-02")).To(Equal("2026-03-01"))
	})

	It("fills defaults in an almost empty file", func() {
		cfg, err := config.Parse([]byte(goodApp), "f.yaml")
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.Consent).To(Equal(config.ConsentPage))
		Expect(cfg.Apps[0].Mode).To(Equal(config.ModeExtended))
		Expect(cfg.RequestLog).To(Equal(config.DefaultRequestLog))
	})

	DescribeTable("names file, line and field of every problem",
		func(yaml string, want ...string) {
			_, err := config.Parse([]byte(yaml), "fake.yaml")
			Expect(err).To(HaveOccurred())
			Expect(strings.Split(err.Error(), "\n")).To(Equal(want))
		},
		Entry("unknown top-level field", "consent: page\ncolour: red\n",
			`fake.yaml:2: colour: unknown field "colour" (not a field of the top level)`),
		Entry("unknown app field", goodApp+"    secret: x\n",
			`fake.yaml:6: apps[0].secret: unknown field "secret" (not a field of an app)`),
		Entry("wrong type", "lifetimes:\n  code: ten\n",
			`fake.yaml:2: lifetimes.code: "ten" is not a duration (like 10m or 1h)`),
		Entry("bool expected", goodApp+"    owner_premium: maybe\n",
			`fake.yaml:6: apps[0].owner_premium: "maybe" is not true or false`),
		Entry("bad enum and bad date together", goodApp+"    mode: dev\n    created: someday\n",
			`fake.yaml:6: apps[0].mode: "dev" is not one of development, extended`,
			`fake.yaml:7: apps[0].created: "someday" is not a date (like 2024-01-15)`),
		Entry("bad policy", "policies:\n  refresh: weekly\n",
			`fake.yaml:2: policies.refresh: "weekly" is not one of 2026, pkce-rotate, always-rotate`),
		Entry("duplicate client id", goodApp+"  - name: b\n    client_id: 11111111111111111111111111111111\n    client_secret: x\n    redirect_uris: [https://x.example/cb]\n",
			`fake.yaml:7: apps[1].client_id: duplicate client_id "11111111111111111111111111111111"`),
		Entry("allowlisted user that does not exist", goodApp+"    allowlist: [carol]\n",
			`fake.yaml:6: apps[0].allowlist[0]: no user with id "carol"`),
		Entry("auto consent without a user", "consent: auto\n"+goodApp,
			`fake.yaml:1: default_user: is required when consent is auto`),
		Entry("relative redirect URI", "apps:\n  - name: a\n    client_id: x\n    client_secret: y\n    redirect_uris: [/callback]\n",
			`fake.yaml:5: apps[0].redirect_uris[0]: "/callback" is not an absolute URI`),
		Entry("catalog reference", "users:\n  - id: u\n    password: p\n    saved_tracks: [nope]\n",
			`fake.yaml:4: users[0].saved_tracks[0]: no catalog track with id "nope"`),
		Entry("type errors and reference errors in one run, in line order", "consent: auto\napps:\n  - name: a\n    client_id: x\n    client_secret: [y]\n    redirect_uris: [https://a.example/cb]\n    colour: red\n    allowlist: [bob]\n    mode: turbo\n",
			`fake.yaml:1: default_user: is required when consent is auto`,
			`fake.yaml:5: apps[0].client_secret: a list is not a string`,
			`fake.yaml:7: apps[0].colour: unknown field "colour" (not a field of an app)`,
			`fake.yaml:8: apps[0].allowlist[0]: no user with id "bob"`,
			`fake.yaml:9: apps[0].mode: "turbo" is not one of development, extended`),
		Entry("YAML syntax", "apps: [\n",
			`fake.yaml:1: invalid YAML: did not find expected node content`),
	)

	It("reports an unreadable file by name", func() {
		_, err := config.Load("/nonexistent/fake.yaml")
		Expect(err).To(MatchError(ContainSubstring("/nonexistent/fake.yaml: cannot read: no such file or directory")))
	})
})

func FuzzParse(f *testing.F) {
	data, _ := os.ReadFile(filepath.Join("..", "default.yaml"))
	f.Add(string(data))
	f.Add(goodApp)
	f.Add("apps: [{client_id: 1, redirect_uris: [':']}]")
	f.Fuzz(func(t *testing.T, yaml string) {
		_, _ = config.Parse([]byte(yaml), "fuzz.yaml")
	})
}
