package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
)

const nobody = 65534

// run is a spotcheck run with extra environment, as uid (-1: as we are).
type run struct {
	env []string
	uid int
}

func (r run) spotcheck(args ...string) (stdout, stderr string, code int) {
	return r.command(binaryFor(r.uid), args...)
}

func (r run) command(name string, args ...string) (stdout, stderr string, code int) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), r.env...)
	if r.uid >= 0 && r.uid != os.Getuid() {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(r.uid), Gid: uint32(r.uid)}}
	}
	return capture(cmd)
}

// binaryFor is the spotcheck binary, copied where another user can run it.
func binaryFor(uid int) string {
	if uid < 0 || uid == os.Getuid() {
		return binary
	}
	dir := worldDir()
	b, err := os.ReadFile(binary)
	Expect(err).NotTo(HaveOccurred())
	p := filepath.Join(dir, "spotcheck")
	Expect(os.WriteFile(p, b, 0o755)).To(Succeed())
	return p
}

// worldDir is a temporary directory every user may write (a CA dir for
// another user).
func worldDir() string {
	dir := filepath.Join(GinkgoT().TempDir(), "shared")
	Expect(os.Mkdir(dir, 0o777)).To(Succeed())
	Expect(os.Chmod(dir, 0o777)).To(Succeed())
	Expect(os.Chmod(filepath.Dir(dir), 0o755)).To(Succeed())
	return dir
}

func caDir() string { return filepath.Join(worldDir(), "ca") }

// nodeScript is a script of the Node client specs, failing (not
// skipping) when node or the libraries are missing.
func nodeScript(name string) string {
	_, err := exec.LookPath("node")
	Expect(err).NotTo(HaveOccurred(), "node is missing: make test installs it on Debian (apt-get install -y nodejs npm)")
	dir, err := filepath.Abs("testdata/clients/node")
	Expect(err).NotTo(HaveOccurred())
	_, err = os.Stat(filepath.Join(dir, "node_modules", "spotify-web-api-node", "package.json"))
	Expect(err).NotTo(HaveOccurred(), "spotify-web-api-node is not installed: make test runs npm ci --ignore-scripts in "+dir)
	return filepath.Join(dir, name)
}

var _ = Describe("spotcheck fake -- CMD", func() {
	base := []string{"fake", "--addr", "127.0.0.1:0", "--log-level", "warn"}
	wrap := func(args ...string) []string {
		return append(append(append([]string(nil), base...), "--ca-dir", caDir()), args...)
	}

	DescribeTable("ends as the command did, or as the grade says",
		func(args []string, code int, stderr string) {
			_, errOut, got := run{uid: -1}.spotcheck(wrap(args...)...)
			Expect(got).To(Equal(code), errOut)
			Expect(errOut).To(ContainSubstring(stderr))
		},
		Entry("a failing command: its own status", []string{"--", "sh", "-c", "exit 3"}, 3, "spotcheck: sh exited with status 3"),
		Entry("a command killed by a signal: 128+n, and said so", []string{"--", "sh", "-c", "kill -KILL $$"}, 137, "spotcheck: sh was killed by SIGKILL"),
		Entry("a command that never called the fake", []string{"--", "true"}, exitNoRequests, "spotcheck: the app never reached the fake: it may still be calling real Spotify"),
		Entry("… unless that is allowed", []string{"--allow-empty", "--", "true"}, exitOK, ""),
		Entry("a command that is not there", []string{"--", "no-such-command"}, exitUsage, `spotcheck: no-such-command: exec: "no-such-command": executable file not found in $PATH`),
		Entry("an unknown --app", []string{"--app", "nope", "--", "true"}, exitUsage, `--app "nope": no such app (apps: web, other, dev, nopremium, legacy)`),
		Entry("arguments without --", []string{"true"}, exitUsage, `unexpected argument "true": put the app's command after --`),
		Entry("--isolate without a command", []string{"--isolate"}, exitUsage, "--isolate needs the app's command"),
	)

	It("gives the command the environment: proxy, CA variables, base URLs and the app's credentials", func() {
		out, errOut, code := run{uid: -1}.spotcheck(wrap("--app", "other", "--allow-empty", "--", "env")...)
		Expect(code).To(Equal(exitOK), errOut)
		for _, re := range []string{
			`(?m)^HTTPS_PROXY=http://127\.0\.0\.1:\d+$`, `(?m)^http_proxy=http://127\.0\.0\.1:\d+$`, `(?m)^NO_PROXY=localhost,127\.0\.0\.1,::1`,
			`(?m)^SSL_CERT_FILE=.*/spotcheck-bundle\.pem$`, `(?m)^REQUESTS_CA_BUNDLE=.*/spotcheck-bundle\.pem$`, `(?m)^CURL_CA_BUNDLE=.*/spotcheck-bundle\.pem$`,
			`(?m)^NODE_EXTRA_CA_CERTS=.*/spotcheck-ca-cert\.pem$`, `(?m)^SPOTIFY_API_URL=http://127\.0\.0\.1:\d+/v1$`,
			`(?m)^SPOTIFY_CLIENT_ID=[0-9a-f]{32}$`, `(?m)^SPOTIPY_CLIENT_SECRET=[0-9a-f]{32}$`, `(?m)^SPOTIPY_REDIRECT_URI=http://`,
		} {
			Expect(out).To(MatchRegexp(re))
		}
		Expect(out).NotTo(ContainSubstring("SPOTCHECK_SANDBOX"))
	})

	It("serves curl through the proxy, and grades it clean", func() {
		script := `set -e
curl -sSf -u "$SPOTIFY_CLIENT_ID:$SPOTIFY_CLIENT_SECRET" -d grant_type=client_credentials https://accounts.spotify.com/api/token > token.json
token=$(sed 's/.*"access_token":"\([^"]*\)".*/\1/' token.json)
curl -sSf -H "Authorization: Bearer $token" https://api.spotify.com/v1/tracks/0VjIjW4GlUZAMYd2vXMi3b
curl -sS https://www.example.com/ || echo "other host: curl $?"`
		GinkgoT().Chdir(GinkgoT().TempDir())
		out, errOut, code := run{uid: -1}.spotcheck(wrap("--", "sh", "-c", script)...)
		Expect(code).To(Equal(exitOK), errOut)
		Expect(out).To(ContainSubstring(`"name" : "Blinding Lights"`))
		Expect(out).To(ContainSubstring("other host: curl 56"), "the proxy refused it: 403")
		Expect(errOut).To(ContainSubstring("proxy refused CONNECT www.example.com:443"))
		Expect(out).To(ContainSubstring("No findings."))
	})

	DescribeTable("serves Debian's Python libraries, unmodified, through HTTPS_PROXY and REQUESTS_CA_BUNDLE",
		func(script string) {
			_, err := os.Stat("/usr/bin/python3")
			Expect(err).NotTo(HaveOccurred(), "Debian's python3 is missing: make test installs python3-requests and python3-authlib")
			out, errOut, code := run{uid: -1}.spotcheck(wrap("--consent", "auto", "--", "/usr/bin/python3", "testdata/clients/python/"+script)...)
			Expect(code).To(Equal(exitOK), out+errOut)
			Expect(out).To(ContainSubstring("client credentials: track Blinding Lights"))
			Expect(out).To(ContainSubstring("authorization code: me alice"))
			Expect(out).To(ContainSubstring("No findings."))
		},
		Entry("requests", "flows.py"),
		Entry("authlib's requests client", "authlib_flows.py"),
	)

	It("serves golang.org/x/oauth2 with spotify.Endpoint and zmb3/spotify's default client through HTTPS_PROXY and SSL_CERT_FILE", func() {
		self, err := os.Executable()
		Expect(err).NotTo(HaveOccurred())
		out, errOut, code := run{uid: -1, env: []string{"SPOTCHECK_TEST_GO_CLIENT=1"}}.spotcheck(wrap("--consent", "auto", "--", self)...)
		Expect(code).To(Equal(exitOK), out+errOut)
		Expect(out).To(ContainSubstring("client credentials: track Blinding Lights"))
		Expect(out).To(ContainSubstring("authorization code: me alice"))
		Expect(out).To(ContainSubstring("No findings."))
	})

	Describe("--isolate", func() {
		nodeFlows := func(uid int) {
			script := nodeScript("flows.js")
			out, errOut, code := run{uid: uid}.spotcheck(wrap("--consent", "auto", "--isolate", "--", "node", script)...)
			Expect(code).To(Equal(exitOK), out+errOut)
			Expect(out).To(ContainSubstring("client credentials: track Blinding Lights"))
			Expect(out).To(ContainSubstring("authorization code: me alice"))
			Expect(out).To(ContainSubstring("refresh: me alice"))
			Expect(out).To(ContainSubstring("No findings."))
		}

		It("runs spotify-web-api-node 5, unmodified, with a clean grade", func() { nodeFlows(-1) })

		It("does the same for a user who is not root, through a user namespace", func() {
			if os.Getuid() != 0 {
				nodeFlows(-1)
				return
			}
			nodeFlows(nobody)
		})

		It("runs @spotify/web-api-ts-sdk, unmodified (fetch, PKCE, its own refresh), with a clean grade", func() {
			out, errOut, code := run{uid: -1}.spotcheck(wrap("--consent", "auto", "--isolate", "--", "node", nodeScript("ts-sdk.js"))...)
			Expect(code).To(Equal(exitOK), out+errOut)
			Expect(out).To(ContainSubstring("client credentials: track Blinding Lights"))
			Expect(out).To(ContainSubstring("authorization code with PKCE: me alice"))
			Expect(out).To(ContainSubstring("refresh: me alice"))
			Expect(out).To(ContainSubstring("No findings."))
		})

		It("makes a command that calls any other host fail at once, with the resolver's or the proxy's error", func() {
			out, errOut, code := run{uid: -1}.spotcheck(wrap("--isolate", "--allow-empty", "--",
				"sh", "-c", `curl -sS --noproxy '*' https://www.example.com/ 2>&1; echo "direct: $?"; curl -sS https://1.1.1.1/ 2>&1; echo "proxied: $?"`)...)
			Expect(code).To(Equal(exitOK), out+errOut)
			Expect(out).To(ContainSubstring("Could not resolve host: www.example.com"))
			Expect(out).To(ContainSubstring("direct: 6"))
			Expect(out).To(ContainSubstring("proxied: 56"))
		})

		It("says in one line when namespaces are not available, and how to run without them, exit 2", func() {
			// A user namespace whose limit allows no more user namespaces:
			// spotcheck, not root in there, cannot make its own.
			inner := fmt.Sprintf("echo 1 > /proc/sys/user/max_user_namespaces && exec unshare -U --map-user=%d --map-group=%d %s %s",
				nobody, nobody, binary, strings.Join(wrap("--isolate", "--", "true"), " "))
			_, errOut, code := run{uid: -1}.command("unshare", "-Ur", "sh", "-c", inner)
			Expect(code).To(Equal(exitUsage), errOut)
			Expect(errOut).To(Equal("spotcheck: --isolate: this system does not let spotcheck create network namespaces (no space left on device); run without --isolate: spotcheck fake -- CMD sets HTTPS_PROXY and the CA variables for CMD instead\n"))
		})
	})

	It("serves spotify-web-api-node through TLS on :443 and a hosts mapping (the recipe for containers and /etc/hosts)", func() {
		script := nodeScript("flows.js")
		dir := GinkgoT().TempDir()
		hosts := filepath.Join(dir, "hosts")
		Expect(os.WriteFile(hosts, []byte("127.0.0.1 localhost accounts.spotify.com api.spotify.com\n"), 0o644)).To(Succeed())
		ca := caDir()
		// The spec's own network and mount namespace stands in for a
		// container: loopback only, the two names mapped in /etc/hosts.
		sh := fmt.Sprintf(`set -e
ip link set lo up
mount --bind %[1]s /etc/hosts
%[2]s fake --addr 127.0.0.1:443 --tls --ca-dir %[3]s --consent auto --grade-on-exit --log-level warn > %[4]s/fake.out 2>&1 &
fake=$!
until grep -q 'fake Spotify at' %[4]s/fake.out; do sleep 0.05; done
status=0
NODE_EXTRA_CA_CERTS=%[3]s/spotcheck-ca-cert.pem SPOTIFY_ACCOUNTS_URL=https://127.0.0.1 \
SPOTIFY_CLIENT_ID=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b SPOTIFY_CLIENT_SECRET=9d8c7b6a5f4e3d2c1b0a99887766554f \
SPOTIFY_REDIRECT_URI=http://127.0.0.1:8888/callback node %[5]s || status=$?
kill -TERM $fake
wait $fake || status=$((status ? status : $?))
cat %[4]s/fake.out
exit $status`, hosts, binary, ca, dir, script)
		out, errOut, code := run{uid: -1}.command("unshare", "--net", "--mount", "--fork", "sh", "-c", sh)
		Expect(code).To(Equal(exitOK), out+errOut)
		Expect(out).To(ContainSubstring("refresh: me alice"))
		Expect(out).To(ContainSubstring("No findings."))
	})

	It("with --tls, says where HTTPS and the CA files are and how to trust the CA, and serves HTTPS on --addr and --tls-addr", func() {
		dir := caDir()
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--tls", "--tls-addr", "127.0.0.1:0", "--ca-dir", dir)
		Eventually(s.Out).WithTimeout(10 * time.Second).Should(gbytes.Say(`Windows: +certutil -user -addstore Root ` + regexp.QuoteMeta(dir+"/spotcheck-ca-cert.pem")))
		out := string(s.Out.Contents())
		Expect(out).To(MatchRegexp(`https: https://127\.0\.0\.1:\d+ \(same port\), https://127\.0\.0\.1:\d+\n`))
		Expect(out).To(ContainSubstring("export NODE_EXTRA_CA_CERTS=" + dir + "/spotcheck-ca-cert.pem\n"))
		Expect(out).To(ContainSubstring("export SSL_CERT_FILE=" + dir + "/spotcheck-bundle.pem "))
		Expect(out).To(ContainSubstring("sudo update-ca-certificates"))
		Expect(out).To(ContainSubstring("sudo security add-trusted-cert"))
		for _, u := range regexp.MustCompile(`https://127\.0\.0\.1:\d+`).FindAllString(out, -1) {
			o, e, code := run{uid: -1, env: []string{"CURL_CA_BUNDLE=" + dir + "/spotcheck-bundle.pem"}}.command("curl", "-sS", u+"/_spotcheck/health")
			Expect(code).To(Equal(0), e)
			Expect(o).To(MatchRegexp(`"ok": ?true`))
		}
	})

	It("says how to serve TLS on :443 without privilege, exit 2", func() {
		if os.Getuid() != 0 && os.Getuid() != nobody {
			Skip("needs root (to run as another user) or an unprivileged user")
		}
		_, errOut, code := run{uid: nobody}.spotcheck("fake", "--tls", "--addr", "127.0.0.1:443", "--ca-dir", caDir(), "--log-level", "warn")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(MatchRegexp("^spotcheck: cannot listen on 127.0.0.1:443: permission denied \\(ports below 1024 need privilege\\): allow it with `sudo setcap cap_net_bind_service=\\+ep .*spotcheck`, choose a port above 1023 \\(e.g. 127.0.0.1:8443\\), or run the app with --isolate\n$"))
	})

	It("says in one line what is wrong with a CA directory, exit 2, and leaves it alone", func() {
		dir := caDir()
		Expect(os.MkdirAll(dir, 0o700)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "spotcheck-ca.pem"), []byte("not a CA"), 0o600)).To(Succeed())
		_, errOut, code := run{uid: -1}.spotcheck("fake", "--tls", "--addr", "127.0.0.1:0", "--ca-dir", dir)
		Expect(code).To(Equal(exitUsage))
		Expect(strings.Count(errOut, "\n")).To(Equal(1), errOut)
		Expect(errOut).To(ContainSubstring("spotcheck: CA " + dir + "/spotcheck-ca.pem: not a PEM file with a key and a certificate"))
		b, _ := os.ReadFile(filepath.Join(dir, "spotcheck-ca.pem"))
		Expect(string(b)).To(Equal("not a CA"))
	})
})
