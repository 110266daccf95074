package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

// ciConfig is a whole fake configuration, as a CI job would pass it in
// SPOTCHECK_FAKE_CONFIG.
const ciConfig = `consent: page
default_user: ci
apps:
  - name: ci-app
    client_id: 0123456789abcdef0123456789abcdef
    client_secret: fedcba9876543210fedcba9876543210
    redirect_uris: [http://127.0.0.1:3000/callback]
    mode: extended
users:
  - id: ci
    password: ci-password
`

var _ = Describe("spotcheck fake configured from the environment", func() {
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	writeFile := func(name, text string) string {
		path := filepath.Join(GinkgoT().TempDir(), name)
		Expect(os.WriteFile(path, []byte(text), 0o600)).To(Succeed())
		return path
	}

	DescribeTable("takes --config, then SPOTCHECK_FAKE_CONFIG or SPOTCHECK_FAKE_CONFIG_FILE, then the built-in apps; --consent, then SPOTCHECK_FAKE_CONSENT",
		func(flag, consent string, vars map[string]string, wantApp, wantConsent string, wantBuiltin bool) {
			if strings.HasPrefix(flag, "file:") {
				flag = writeFile("flag.yaml", strings.TrimPrefix(flag, "file:"))
			}
			if v, ok := vars[envFakeConfigFile]; ok && strings.HasPrefix(v, "file:") {
				vars[envFakeConfigFile] = writeFile("env.yaml", strings.TrimPrefix(v, "file:"))
			}
			cfg, builtin, err := fakeConfigFrom(flag, consent, env(vars))
			Expect(err).NotTo(HaveOccurred())
			Expect(builtin).To(Equal(wantBuiltin))
			Expect(cfg.Apps[0].Name).To(Equal(wantApp))
			Expect(cfg.Consent).To(Equal(wantConsent))
		},
		Entry("nothing: the built-in apps", "", "", map[string]string{}, "web", "page", true),
		Entry("the YAML in the environment", "", "", map[string]string{envFakeConfig: ciConfig}, "ci-app", "page", false),
		Entry("a file named in the environment", "", "", map[string]string{envFakeConfigFile: "file:" + ciConfig}, "ci-app", "page", false),
		Entry("--config wins over both", "file:"+strings.Replace(ciConfig, "ci-app", "flag-app", 1), "", map[string]string{envFakeConfig: ciConfig, envFakeConfigFile: "/nonexistent"}, "flag-app", "page", false),
		Entry("empty variables count as unset", "", "", map[string]string{envFakeConfig: "", envFakeConfigFile: "", envFakeConsent: ""}, "web", "page", true),
		Entry("consent from the environment", "", "", map[string]string{envFakeConfig: ciConfig, envFakeConsent: "auto"}, "ci-app", "auto", false),
		Entry("--consent wins", "", "page", map[string]string{envFakeConsent: "auto"}, "web", "page", true),
	)

	DescribeTable("refuses what it cannot use, in one line naming where it came from",
		func(consent string, vars map[string]string, want string) {
			if v, ok := vars[envFakeConfigFile]; ok && strings.HasPrefix(v, "file:") {
				vars[envFakeConfigFile] = writeFile("env.yaml", strings.TrimPrefix(v, "file:"))
			}
			_, _, err := fakeConfigFrom("", consent, env(vars))
			Expect(err).To(HaveOccurred())
			var ee *exitError
			Expect(err).To(BeAssignableToTypeOf(ee))
			Expect(err.(*exitError).code).To(Equal(exitUsage))
			Expect(oneLine(err.Error())).To(MatchRegexp(want))
		},
		Entry("both variables", "", map[string]string{envFakeConfig: ciConfig, envFakeConfigFile: "/x.yaml"},
			`^SPOTCHECK_FAKE_CONFIG and SPOTCHECK_FAKE_CONFIG_FILE are both set: set one$`),
		Entry("bad YAML in the variable: its line and field", "", map[string]string{envFakeConfig: strings.Replace(ciConfig, "mode: extended", "mode: sandbox", 1)},
			`^\$SPOTCHECK_FAKE_CONFIG:8: apps\[0\]\.mode: "sandbox" is not one of development, extended$`),
		Entry("a missing file", "", map[string]string{envFakeConfigFile: "/nonexistent/fake.yaml"},
			`^SPOTCHECK_FAKE_CONFIG_FILE: /nonexistent/fake.yaml: cannot read: no such file or directory$`),
		Entry("a bad file", "", map[string]string{envFakeConfigFile: "file:apps: 7\n"},
			`^SPOTCHECK_FAKE_CONFIG_FILE: .*env\.yaml:1: apps: `),
		Entry("an unknown consent mode", "", map[string]string{envFakeConsent: "maybe"},
			`^SPOTCHECK_FAKE_CONSENT "maybe": want page or auto$`),
		Entry("auto consent without a default user", "", map[string]string{envFakeConsent: "auto", envFakeConfig: strings.Replace(ciConfig, "default_user: ci\n", "", 1)},
			`^SPOTCHECK_FAKE_CONSENT auto: the configuration has no default_user to approve as$`),
	)

	It("serves the configuration from the environment, as a container would", func() {
		cmd := exec.Command(binary, "fake", "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), envFakeConfig+"="+ciConfig, envFakeConsent+"=auto")
		s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { s.Kill().Wait(5 * time.Second) })
		Eventually(s.Out).WithTimeout(10 * time.Second).Should(gbytes.Say(`consent: auto \(approves as ci\)\napp ci-app +client_id 0123456789abcdef0123456789abcdef`))
		Expect(string(s.Out.Contents())).NotTo(ContainSubstring("fedcba9876543210fedcba9876543210"))
	})

	It("stops at once with one line and exit 2 when the variable's YAML is bad", func() {
		cmd := exec.Command(binary, "fake", "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), envFakeConfig+"=apps: [")
		s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(s).WithTimeout(10 * time.Second).Should(gexec.Exit(exitUsage))
		Expect(strings.Count(string(s.Err.Contents()), "\n")).To(Equal(1))
		Expect(string(s.Err.Contents())).To(HavePrefix("spotcheck: $SPOTCHECK_FAKE_CONFIG:1: "))
	})
})
