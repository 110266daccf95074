package doctor_test

import (
	"context"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
)

// offlineDoctor runs the offline checks on the credentials that env and
// a .env file with dotenvText (when not "") resolve to.
func offlineDoctor(env map[string]string, dotenvText string) *checks.FindingsResult {
	flags := checks.CredentialFlags{}
	if dotenvText != "" {
		p := filepath.Join(GinkgoT().TempDir(), ".env")
		Expect(os.WriteFile(p, []byte(dotenvText), 0o600)).To(Succeed())
		flags.EnvFiles = []string{p}
	}
	creds, err := checks.ResolveCredentials(flags, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	Expect(err).NotTo(HaveOccurred())
	res, err := doctor.Run(context.Background(), doctor.Options{Credentials: creds, Flow: doctor.FlowCode})
	Expect(err).NotTo(HaveOccurred())
	return res
}

var _ = Describe("where values came from", func() {
	const id, secret = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b", "9d8c7b6a5f4e3d2c1b0a99887766554f"

	DescribeTable("fixes name the variable the app uses, and the .env file",
		func(env map[string]string, dotenvText, id, want string) {
			f := finding(offlineDoctor(env, dotenvText), id)
			Expect(f.Fix).To(MatchRegexp(want))
			Expect(f.Fix).NotTo(ContainSubstring("SPOTIFY_"), "the app uses SPOTIPY_ names")
		},
		Entry("a secret in SPOTIPY_CLIENT_SECRET: the missing id is SPOTIPY_CLIENT_ID",
			map[string]string{checks.EnvSpotipySecret: secret}, "", "client-id-missing", `^Set SPOTIPY_CLIENT_ID \(or pass --client-id\)`),
		Entry("the same from .env: SPOTIPY_CLIENT_ID in .env",
			nil, "SPOTIPY_CLIENT_SECRET="+secret+"\n", "client-id-missing", `^Set SPOTIPY_CLIENT_ID in \S+/\.env \(or pass --client-id\)`),
		Entry("a malformed secret from .env names its own variable",
			nil, "SPOTIPY_CLIENT_ID="+id+"\nSPOTIPY_CLIENT_SECRET=abc\n", "client-secret-malformed", `into SPOTIPY_CLIENT_SECRET in \S+/\.env or the secret file`),
		Entry("a missing redirect URI of a spotipy app",
			nil, "SPOTIPY_CLIENT_ID="+id+"\nSPOTIPY_CLIENT_SECRET="+secret+"\n", "redirect-uri-missing", `^Set SPOTIPY_REDIRECT_URI in \S+/\.env \(or pass --redirect-uri`),
	)

	It("keeps SPOTIFY_* in fixes for an app that uses them", func() {
		f := finding(offlineDoctor(map[string]string{checks.EnvClientSecret: secret}, ""), "client-id-missing")
		Expect(f.Fix).To(HavePrefix("Set SPOTIFY_CLIENT_ID (or pass --client-id)"))
	})

	It("finds the credentials in .env instead of reporting them missing, and names the line in evidence and subject", func() {
		res := offlineDoctor(nil, "# spotipy\nSPOTIPY_CLIENT_ID="+id+"\nSPOTIPY_CLIENT_SECRET="+secret+"\nSPOTIPY_REDIRECT_URI=http://localhost:8888/callback\n")
		Expect(ids(res)).NotTo(ContainElement("client-id-missing"))
		Expect(ids(res)).NotTo(ContainElement("client-secret-missing"))
		Expect(res.Subject).To(MatchRegexp(`^client id ` + id + ` \(SPOTIPY_CLIENT_ID from \S+/\.env line 2\)$`))
		Expect(finding(res, "redirect-uri-localhost").Evidence[0]).To(MatchRegexp(`^SPOTIPY_REDIRECT_URI from \S+/\.env line 4: http://localhost:8888/callback`))
	})

	It("says the .env file was looked in when a value is missing", func() {
		f := finding(offlineDoctor(nil, "OTHER=1\n"), "client-id-missing")
		Expect(f.Evidence[0]).To(MatchRegexp(`is set in the environment or \S+/\.env$`))
	})
})

var _ = Describe("the redirect URI spellings the doctor probes", func() {
	It("lists one edit, then two, then three, each naming its differences, at most MaxProbes", func() {
		vs := doctor.Variants("http://localhost:8888/callback/")
		Expect(vs[0]).To(Equal("http://localhost:8888/callback (without the trailing slash)"))
		Expect(vs).To(ContainElement("http://127.0.0.1:8888/callback (without the trailing slash, 127.0.0.1 instead of localhost)"))
		Expect(vs).To(ContainElement("https://127.0.0.1/callback/ (127.0.0.1 instead of localhost, https instead of http, without the port :8888)"))
		Expect(len(vs)).To(BeNumerically("<=", doctor.MaxProbes))
		seen := map[string]bool{}
		for _, v := range vs {
			Expect(seen[v]).To(BeFalse(), v)
			seen[v] = true
		}
	})

	It("drops a fragment first and says so in every spelling", func() {
		vs := doctor.Variants("http://127.0.0.1:8888/callback#x")
		Expect(vs[0]).To(Equal("http://127.0.0.1:8888/callback (without the fragment #x)"))
		Expect(vs[1]).To(HavePrefix("http://127.0.0.1:8888/callback/ (without the fragment #x, with a trailing slash)"))
	})
})
