package checks_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func secretFile(content string) string {
	p := filepath.Join(GinkgoT().TempDir(), "secret")
	Expect(os.WriteFile(p, []byte(content), 0o600)).To(Succeed())
	return p
}

var _ = Describe("ResolveCredentials", func() {
	const (
		idFlag, idEnv, idSpotipy = "11111111111111111111111111111111", "22222222222222222222222222222222", "33333333333333333333333333333333"
		secFlag, secEnv, secPy   = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccccccccc"
		secFile                  = "dddddddddddddddddddddddddddddddd"
	)
	fileSrc := func(p string) checks.Source { return checks.Source{Kind: checks.SourceFile, Name: p} }
	env := func(name string) checks.Source { return checks.Source{Kind: checks.SourceEnv, Name: name} }
	flag := func(name string) checks.Source { return checks.Source{Kind: checks.SourceFlag, Name: name} }

	DescribeTable("client secret precedence: flag, SPOTIFY_*, SPOTIPY_*, then the file",
		func(useFlag, useEnv, useSpotipy, useFile bool, want string, wantSrc string) {
			f := checks.CredentialFlags{}
			e := map[string]string{}
			if useFlag {
				f.ClientSecret = secFlag
			}
			if useEnv {
				e[checks.EnvClientSecret] = secEnv
			}
			if useSpotipy {
				e[checks.EnvSpotipySecret] = secPy
			}
			if useFile {
				f.ClientSecretFile = secretFile(secFile + "\n")
			}
			c, err := checks.ResolveCredentials(f, envOf(e))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.ClientSecret.Value).To(Equal(want))
			src := wantSrc
			if wantSrc == "file" {
				src = fileSrc(f.ClientSecretFile).String()
			}
			Expect(c.ClientSecret.Source.String()).To(Equal(src))
			Expect(c.ClientSecret.IsSet()).To(Equal(want != ""))
		},
		Entry("all four: the flag", true, true, true, true, secFlag, "flag --client-secret"),
		Entry("env, spotipy and file: SPOTIFY_CLIENT_SECRET", false, true, true, true, secEnv, "env SPOTIFY_CLIENT_SECRET"),
		Entry("spotipy and file: SPOTIPY_CLIENT_SECRET", false, false, true, true, secPy, "env SPOTIPY_CLIENT_SECRET"),
		Entry("file only", false, false, false, true, secFile, "file"),
		Entry("nothing", false, false, false, false, "", "not set"),
	)

	DescribeTable("client id and redirect URI precedence",
		func(f checks.CredentialFlags, e map[string]string, wantID string, wantIDSrc checks.Source, wantURIs []string, wantURISrc checks.Source) {
			c, err := checks.ResolveCredentials(f, envOf(e))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.ClientID.Value).To(Equal(wantID))
			Expect(c.ClientID.Source).To(Equal(wantIDSrc))
			Expect(c.RedirectURIList()).To(Equal(wantURIs))
			for _, v := range c.RedirectURIs {
				Expect(v.Source).To(Equal(wantURISrc))
			}
		},
		Entry("flags win, --redirect-uri repeatable",
			checks.CredentialFlags{ClientID: idFlag, RedirectURIs: []string{"http://127.0.0.1:8888/a", "http://127.0.0.1:8888/b"}},
			map[string]string{checks.EnvClientID: idEnv, checks.EnvRedirectURI: "http://127.0.0.1:1/env"},
			idFlag, flag("--client-id"), []string{"http://127.0.0.1:8888/a", "http://127.0.0.1:8888/b"}, flag("--redirect-uri")),
		Entry("SPOTIFY_* before SPOTIPY_*", checks.CredentialFlags{},
			map[string]string{checks.EnvClientID: idEnv, checks.EnvSpotipyID: idSpotipy, checks.EnvRedirectURI: "http://127.0.0.1:1/env", checks.EnvSpotipyRedirect: "http://127.0.0.1:1/py"},
			idEnv, env("SPOTIFY_CLIENT_ID"), []string{"http://127.0.0.1:1/env"}, env("SPOTIFY_REDIRECT_URI")),
		Entry("spotipy names as the fallback", checks.CredentialFlags{},
			map[string]string{checks.EnvSpotipyID: idSpotipy, checks.EnvSpotipyRedirect: "http://127.0.0.1:1/py"},
			idSpotipy, env("SPOTIPY_CLIENT_ID"), []string{"http://127.0.0.1:1/py"}, env("SPOTIPY_REDIRECT_URI")),
		Entry("nothing", checks.CredentialFlags{}, map[string]string{}, "", checks.Source{}, []string{}, checks.Source{}),
	)

	It("strips a secret file's trailing newline but remembers it", func() {
		for _, nl := range []string{"\n", "\r\n", "\n\n"} {
			p := secretFile(secFile + nl)
			c, err := checks.ResolveCredentials(checks.CredentialFlags{ClientSecretFile: p}, envOf(nil))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.ClientSecret.Value).To(Equal(secFile))
			Expect(c.ClientSecret.Raw).To(Equal(secFile + nl))
			Expect(c.ClientSecret.Source).To(Equal(fileSrc(p)))
		}
	})

	It("does not repair anything else: spaces, quotes and a Basic prefix stay for the doctor to see", func() {
		p := secretFile(` "Basic ` + secFile + `" ` + "\n")
		c, err := checks.ResolveCredentials(checks.CredentialFlags{}, envOf(map[string]string{checks.EnvClientID: " " + idEnv + "\n"}))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.ClientID.Value).To(Equal(" " + idEnv + "\n"))
		c, err = checks.ResolveCredentials(checks.CredentialFlags{ClientSecretFile: p}, envOf(nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.ClientSecret.Value).To(Equal(` "Basic ` + secFile + `" `))
	})

	It("fails on an unreadable secret file, naming it, even when another source wins", func() {
		missing := filepath.Join(GinkgoT().TempDir(), "nope")
		_, err := checks.ResolveCredentials(checks.CredentialFlags{ClientSecret: secFlag, ClientSecretFile: missing}, envOf(nil))
		Expect(err).To(MatchError(ContainSubstring("--client-secret-file " + missing)))
		Expect(errors.Is(err, fs.ErrNotExist)).To(BeTrue())
	})

	DescribeTable("warnings",
		func(f checks.CredentialFlags, e map[string]string, want []string) {
			c, err := checks.ResolveCredentials(f, envOf(e))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Warnings).To(Equal(want))
			for _, w := range c.Warnings {
				for _, s := range []string{secFlag, secEnv, secPy, "hunter2-password"} {
					Expect(w).NotTo(ContainSubstring(s))
				}
			}
		},
		Entry("a secret flag lands in shell history", checks.CredentialFlags{ClientSecret: secFlag}, nil,
			[]string{"the client secret was given with --client-secret and lands in shell history; use SPOTIFY_CLIENT_SECRET or --client-secret-file instead"}),
		Entry("a password flag too", checks.CredentialFlags{TestPassword: "hunter2-password"}, nil,
			[]string{"the test account password was given with --test-password and lands in shell history; use SPOTCHECK_TEST_PASSWORD instead"}),
		Entry("a variable set but empty is skipped, not silently", checks.CredentialFlags{},
			map[string]string{checks.EnvClientSecret: "", checks.EnvSpotipySecret: secPy},
			[]string{"env SPOTIFY_CLIENT_SECRET is set but empty; ignored for the client secret"}),
		Entry("a lower source that disagrees", checks.CredentialFlags{},
			map[string]string{checks.EnvClientID: idEnv, checks.EnvSpotipyID: idSpotipy, checks.EnvClientSecret: secEnv, checks.EnvSpotipySecret: secPy},
			[]string{"env SPOTIPY_CLIENT_ID gives a different client id, ignored because env SPOTIFY_CLIENT_ID comes first",
				"env SPOTIPY_CLIENT_SECRET gives a different client secret, ignored because env SPOTIFY_CLIENT_SECRET comes first"}),
		Entry("a lower source that agrees says nothing", checks.CredentialFlags{},
			map[string]string{checks.EnvClientID: idEnv, checks.EnvSpotipyID: idEnv}, nil),
		Entry("--redirect-uri over a different SPOTIFY_REDIRECT_URI", checks.CredentialFlags{RedirectURIs: []string{"http://127.0.0.1:1/a"}},
			map[string]string{checks.EnvRedirectURI: "http://127.0.0.1:1/b"},
			[]string{"env SPOTIFY_REDIRECT_URI gives a different redirect URI, ignored because flag --redirect-uri comes first"}),
	)

	It("reads scopes and the test account", func() {
		c, err := checks.ResolveCredentials(checks.CredentialFlags{Scopes: []string{"user-read-email,user-read-private", "playlist-read-private"}},
			envOf(map[string]string{checks.EnvScopes: "ignored", checks.EnvTestUsername: "alice", checks.EnvTestPassword: "hunter2-password"}))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Scopes.Value).To(Equal("user-read-email,user-read-private playlist-read-private"), "as given, commas and all")
		Expect(c.TestUsername.Value).To(Equal("alice"))
		Expect(c.TestPassword.Source).To(Equal(env("SPOTCHECK_TEST_PASSWORD")))

		c, err = checks.ResolveCredentials(checks.CredentialFlags{}, envOf(map[string]string{checks.EnvScopes: "user-top-read  user-read-recently-played"}))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Scopes.Source).To(Equal(env("SPOTIFY_SCOPES")))
	})

	It("never prints a secret, and registers every form of it", func() {
		p := secretFile(secFile + "\n")
		c, err := checks.ResolveCredentials(checks.CredentialFlags{ClientID: idFlag, ClientSecretFile: p},
			envOf(map[string]string{checks.EnvTestPassword: "hunter2-password"}))
		Expect(err).NotTo(HaveOccurred())
		for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", *c), fmt.Sprint(c.ClientSecret), c.ClientSecret.GoString()} {
			Expect(s).NotTo(ContainSubstring(secFile))
			Expect(s).NotTo(ContainSubstring("hunter2-password"))
		}
		Expect(c.ClientSecret.String()).To(Equal(redact.Fingerprint(secFile)))
		Expect(c.ClientID.String()).To(Equal(idFlag), "a client id is not a secret")

		set := &redact.Set{}
		c.RegisterSecrets(set)
		Expect(set.String(secFile + " hunter2-password")).To(Equal(redact.Fingerprint(secFile) + " " + redact.Fingerprint("hunter2-password")))
		Expect(set.String(wire.BasicAuth(idFlag, secFile+"\n"))).To(HavePrefix("Basic [redacted "), "the credentials as found, newline included")
	})

	Describe(".env files", func() {
		dotenvFile := func(content string) string {
			p := filepath.Join(GinkgoT().TempDir(), ".env")
			Expect(os.WriteFile(p, []byte(content), 0o600)).To(Succeed())
			return p
		}
		dot := func(name, file string, line int) checks.Source {
			return checks.Source{Kind: checks.SourceDotenv, Name: name, File: file, Line: line}
		}

		It("reads SPOTIPY_* and SPOTIFY_* names after the environment, naming the variable, file and line", func() {
			p := dotenvFile("# spotipy app\nSPOTIPY_CLIENT_ID=" + idSpotipy + "\nexport SPOTIPY_CLIENT_SECRET='" + secPy + "'\nSPOTIPY_REDIRECT_URI=http://127.0.0.1:8888/callback\n")
			c, err := checks.ResolveCredentials(checks.CredentialFlags{EnvFiles: []string{p}}, envOf(nil))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.ClientID.Value).To(Equal(idSpotipy))
			Expect(c.ClientID.Source).To(Equal(dot("SPOTIPY_CLIENT_ID", p, 2)))
			Expect(c.ClientID.Source.String()).To(Equal("SPOTIPY_CLIENT_ID from " + p + " line 2"))
			Expect(c.ClientID.Source.Var()).To(Equal("SPOTIPY_CLIENT_ID"))
			Expect(c.ClientSecret.Value).To(Equal(secPy))
			Expect(c.ClientSecret.Source).To(Equal(dot("SPOTIPY_CLIENT_SECRET", p, 3)))
			Expect(c.RedirectURIList()).To(Equal([]string{"http://127.0.0.1:8888/callback"}))
			Expect(c.EnvFiles).To(Equal([]string{p}))
			Expect(c.Warnings).To(BeEmpty())
		})

		It("lets the process environment win, and says so when the file disagrees", func() {
			p := dotenvFile("SPOTIFY_CLIENT_ID=" + idSpotipy + "\n")
			c, err := checks.ResolveCredentials(checks.CredentialFlags{EnvFiles: []string{p}}, envOf(map[string]string{checks.EnvSpotipyID: idEnv}))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.ClientID.Value).To(Equal(idEnv))
			Expect(c.ClientID.Source).To(Equal(env("SPOTIPY_CLIENT_ID")))
			Expect(c.Warnings).To(Equal([]string{"SPOTIFY_CLIENT_ID from " + p + " line 1 gives a different client id, ignored because env SPOTIPY_CLIENT_ID comes first"}))
		})

		It("lets a later file win over an earlier one", func() {
			a, b := dotenvFile("SPOTIFY_CLIENT_ID="+idEnv+"\n"), dotenvFile("\nSPOTIFY_CLIENT_ID="+idSpotipy+"\n")
			c, err := checks.ResolveCredentials(checks.CredentialFlags{EnvFiles: []string{a, b}}, envOf(nil))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.ClientID.Source).To(Equal(dot("SPOTIFY_CLIENT_ID", b, 2)))
		})

		It("warns, naming file and line, about a line that does not parse and a value the loaders read differently, without the secret", func() {
			p := dotenvFile("SPOTIFY_CLIENT_ID: " + idEnv + "\nSPOTIFY_CLIENT_SECRET=" + secEnv + "#x\nnot a line\n")
			c, err := checks.ResolveCredentials(checks.CredentialFlags{EnvFiles: []string{p}}, envOf(nil))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.ClientID.Value).To(Equal(idEnv), "Node's reading, where python-dotenv skips the line")
			Expect(c.ClientSecret.Value).To(Equal(secEnv+"#x"), "python-dotenv's reading")
			Expect(c.Warnings).To(ConsistOf(
				HavePrefix(p+":1: python-dotenv cannot parse this line"),
				HavePrefix(p+":3: python-dotenv cannot parse this line"),
				Equal(p+`:1: python-dotenv skips the line of SPOTIFY_CLIENT_ID, dotenv for Node reads "`+idEnv+`"; spotcheck uses Node's reading (write it as NAME="value" so that both read the same)`),
				Equal(p+":2: python-dotenv reads SPOTIFY_CLIENT_SECRET as "+redact.Fingerprint(secEnv+"#x")+", dotenv for Node as "+redact.Fingerprint(secEnv)+`; spotcheck uses python-dotenv's reading (write it as NAME="value" so that both read the same)`),
			))
			for _, w := range c.Warnings {
				Expect(w).NotTo(ContainSubstring(secEnv))
			}
		})

		It("fails on a --env-file that cannot be read, naming it", func() {
			missing := filepath.Join(GinkgoT().TempDir(), "nope.env")
			_, err := checks.ResolveCredentials(checks.CredentialFlags{EnvFiles: []string{missing}}, envOf(nil))
			Expect(err).To(MatchError("--env-file " + missing + ": no such file or directory"))
		})
	})
})
