package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/yaml.v3"
)

// The GitHub Action in .github/actions/spotcheck-fake, run step by step
// with bash as the runner runs a composite action's steps, against
// temporary GITHUB_ENV / GITHUB_OUTPUT / GITHUB_PATH / GITHUB_STEP_SUMMARY
// files and a local server standing in for GitHub's release downloads.

type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			Shell string            `yaml:"shell"`
			Run   string            `yaml:"run"`
			Env   map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// actionRun is one run of the action: what the runner would have recorded.
type actionRun struct {
	Code    int               // the first failing step's exit code, or 0
	Stdout  string            // every step's standard output: the runner reads workflow commands there
	Env     map[string]string // GITHUB_ENV as the job's later steps see it
	Path    []string          // GITHUB_PATH
	Outputs map[string]string // the action's outputs
	Summary string            // GITHUB_STEP_SUMMARY
}

var expression = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// runAction runs action.yml's steps with bash, as GitHub's runner does
// (`bash --noprofile --norc -eo pipefail`), with the inputs given over the
// action's defaults. It evaluates the expressions the action uses,
// inputs.X and steps.ID.outputs.Y, and fails on any other.
func runAction(inputs map[string]string, env ...string) actionRun {
	dir := filepath.Join(repoRoot(), ".github", "actions", "spotcheck-fake")
	raw, err := os.ReadFile(filepath.Join(dir, "action.yml"))
	Expect(err).NotTo(HaveOccurred())
	var af actionFile
	Expect(yaml.Unmarshal(raw, &af)).To(Succeed())
	Expect(af.Runs.Using).To(Equal("composite"))
	for name := range inputs {
		Expect(af.Inputs).To(HaveKey(name), "the action has no input %q", name)
	}

	tmp := GinkgoT().TempDir()
	files := map[string]string{}
	for _, f := range []string{"GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
		files[f] = filepath.Join(tmp, f)
		Expect(os.WriteFile(files[f], nil, 0o600)).To(Succeed())
	}
	runnerTemp := filepath.Join(tmp, "runner-temp")
	Expect(os.Mkdir(runnerTemp, 0o700)).To(Succeed())
	stepOutputs := map[string]map[string]string{}
	eval := func(s string) string {
		return expression.ReplaceAllStringFunc(s, func(m string) string {
			expr := expression.FindStringSubmatch(m)[1]
			if name, ok := strings.CutPrefix(expr, "inputs."); ok {
				if v, given := inputs[name]; given {
					return v
				}
				Expect(af.Inputs).To(HaveKey(name))
				return af.Inputs[name].Default
			}
			if parts := strings.Split(expr, "."); len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs" {
				return stepOutputs[parts[1]][parts[3]]
			}
			Fail("the action uses an expression this test cannot evaluate: " + m)
			return ""
		})
	}

	res := actionRun{Env: map[string]string{}, Outputs: map[string]string{}}
	var stdout bytes.Buffer
	for i, step := range af.Runs.Steps {
		Expect(step.Shell).To(Equal("bash"), "step %d", i)
		out := filepath.Join(tmp, fmt.Sprintf("output-%d", i))
		Expect(os.WriteFile(out, nil, 0o600)).To(Succeed())
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", eval(step.Run))
		cmd.Env = append(os.Environ(),
			"GITHUB_ACTION_PATH="+dir, "GITHUB_OUTPUT="+out, "RUNNER_TEMP="+runnerTemp,
			"RUNNER_OS=Linux", "RUNNER_ARCH="+map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH])
		for _, f := range []string{"GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
			cmd.Env = append(cmd.Env, f+"="+files[f])
		}
		cmd.Env = append(cmd.Env, env...)
		for k, v := range step.Env {
			cmd.Env = append(cmd.Env, k+"="+eval(v))
		}
		cmd.Stdout = io.MultiWriter(&stdout, GinkgoWriter)
		cmd.Stderr = GinkgoWriter
		err := cmd.Run()
		stepOutputs[step.ID] = readKeyValues(out)
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			Expect(ok).To(BeTrue(), "%v", err)
			res.Code = ee.ExitCode()
			break
		}
	}
	res.Stdout = stdout.String()
	res.Env = readKeyValues(files["GITHUB_ENV"])
	if b, _ := os.ReadFile(files["GITHUB_PATH"]); len(b) > 0 {
		res.Path = strings.Fields(string(b))
	}
	b, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	res.Summary = string(b)
	if res.Code == 0 {
		for name, o := range af.Outputs {
			res.Outputs[name] = eval(o.Value)
		}
	}
	return res
}

// readKeyValues reads a GITHUB_ENV / GITHUB_OUTPUT file (NAME=value lines).
func readKeyValues(path string) map[string]string {
	kv := map[string]string{}
	f, err := os.Open(path)
	Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		Expect(ok).To(BeTrue(), "not NAME=value: %q", sc.Text())
		kv[k] = v
	}
	return kv
}

// releaseArchive is a release archive as GoReleaser packs it (README.md and
// the binary at the top), of the binary under test; made once, it is 10 MB.
var releaseArchive = sync.OnceValue(func() *bytes.Buffer {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	Expect(err).NotTo(HaveOccurred())
	tw := tar.NewWriter(gz)
	for _, f := range []struct{ name, path string }{{"README.md", filepath.Join(repoRoot(), "README.md")}, {"spotcheck", binary}} {
		b, err := os.ReadFile(f.path)
		Expect(err).NotTo(HaveOccurred())
		Expect(tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(b))})).To(Succeed())
		_, err = tw.Write(b)
		Expect(err).NotTo(HaveOccurred())
	}
	Expect(tw.Close()).To(Succeed())
	Expect(gz.Close()).To(Succeed())
	return &buf
})

// releaseServer serves what GitHub's release downloads would for one
// version: the archive for this machine, named as .goreleaser.yaml names
// it, and checksums.txt; /latest redirects to the release's tag. tamper
// changes checksums.txt before it is served.
func releaseServer(version string, tamper func(sums string) string) *httptest.Server {
	archive := fmt.Sprintf("spotcheck_%s_%s_%s.tar.gz", version, runtime.GOOS, runtime.GOARCH)
	buf := releaseArchive()
	sum := sha256.Sum256(buf.Bytes())
	sums := hex.EncodeToString(sum[:]) + "  " + archive + "\n" + strings.Repeat("0", 64) + "  spotcheck_" + version + "_windows_amd64.zip\n"
	if tamper != nil {
		sums = tamper(sums)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /latest", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/tag/v"+version, http.StatusFound)
	})
	mux.HandleFunc("GET /tag/v"+version, func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "release page") })
	mux.HandleFunc("GET /download/v"+version+"/checksums.txt", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, sums) })
	mux.HandleFunc("GET /download/v"+version+"/"+archive, func(w http.ResponseWriter, _ *http.Request) { w.Write(buf.Bytes()) })
	ts := httptest.NewServer(mux)
	DeferCleanup(ts.Close)
	return ts
}

// exited tells whether a process that is not our child has ended: it is
// gone, or a zombie that nobody reaped yet (PID 1 in a container may not).
func exited(pid string) bool {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return true
	}
	// pid (comm) STATE …; comm may hold spaces, so read after the last ')'.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

var _ = Describe("the GitHub Action spotcheck-fake", func() {
	const version = "0.0.0-test"

	stop := func(res actionRun) {
		var pid int
		_, err := fmt.Sscan(res.Env["SPOTCHECK_FAKE_PID"], &pid)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	}

	It("names archives and checksums as .goreleaser.yaml does", func() {
		raw, err := os.ReadFile(filepath.Join(repoRoot(), ".goreleaser.yaml"))
		Expect(err).NotTo(HaveOccurred())
		var gr struct {
			ProjectName string `yaml:"project_name"`
			Archives    []struct {
				NameTemplate    string   `yaml:"name_template"`
				Formats         []string `yaml:"formats"`
				FormatOverrides []struct {
					Goos    string   `yaml:"goos"`
					Formats []string `yaml:"formats"`
				} `yaml:"format_overrides"`
			} `yaml:"archives"`
			Checksum struct {
				NameTemplate string `yaml:"name_template"`
			} `yaml:"checksum"`
			Builds []struct {
				Goos   []string `yaml:"goos"`
				Goarch []string `yaml:"goarch"`
			} `yaml:"builds"`
		}
		Expect(yaml.Unmarshal(raw, &gr)).To(Succeed())
		// What spotcheck-fake.sh downloads: spotcheck_<version>_<os>_<arch>.tar.gz and checksums.txt.
		Expect(gr.ProjectName).To(Equal("spotcheck"))
		Expect(gr.Archives).To(HaveLen(1))
		Expect(gr.Archives[0].NameTemplate).To(Equal("{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}"))
		Expect(gr.Archives[0].Formats).To(Equal([]string{"tar.gz"}))
		Expect(gr.Archives[0].FormatOverrides).To(HaveLen(1))
		Expect(gr.Archives[0].FormatOverrides[0].Goos).To(Equal("windows"))
		Expect(gr.Checksum.NameTemplate).To(Equal("checksums.txt"))
		Expect(gr.Builds[0].Goos).To(ConsistOf("linux", "darwin", "windows"))
		Expect(gr.Builds[0].Goarch).To(ConsistOf("amd64", "arm64"))
	})

	It("installs the latest release (checksum verified), starts the fake, exports its variables; the job's app then uses it and the last step grades and stops it", func() {
		ts := releaseServer(version, nil)
		addr := closedPort()
		res := runAction(map[string]string{"addr": addr}, "SPOTCHECK_RELEASES_URL="+ts.URL)
		Expect(res.Code).To(Equal(0), res.Stdout)
		stop(res)

		Expect(res.Path).To(HaveLen(1))
		Expect(filepath.Join(res.Path[0], "spotcheck")).To(BeARegularFile())
		token := res.Env["SPOTCHECK_CONTROL_TOKEN"]
		Expect(token).To(MatchRegexp(`^[0-9a-f]{64}$`), "a random token for the job")
		Expect(res.Stdout).To(ContainSubstring("::add-mask::" + token + "\n"))
		Expect(strings.Count(res.Stdout, token)).To(Equal(1), "the token shows only in the mask command")
		base := "http://" + addr
		web := builtinApp("web")
		Expect(res.Env).To(Equal(map[string]string{
			"SPOTIFY_ACCOUNTS_URL":    base,
			"SPOTIFY_API_URL":         base + "/v1",
			"SPOTCHECK_CONTROL_TOKEN": token,
			"SPOTCHECK_FAKE_PID":      res.Outputs["pid"],
			"SPOTCHECK_FAKE_LOG":      res.Outputs["log"],
			"SPOTCHECK_APP":           "web",
			"SPOTCHECK_FAIL_ON":       "error",
			"SPOTIFY_CLIENT_ID":       web.ClientID,
			"SPOTIFY_REDIRECT_URI":    web.RedirectURIs[0],
		}))
		Expect(res.Outputs).To(HaveKeyWithValue("url", base))
		Expect(res.Outputs["log"]).To(BeARegularFile())
		Expect(res.Summary).To(ContainSubstring("Fake Spotify at `" + base + "`"))
		Expect(res.Summary).To(MatchRegexp(`app web +client_id ` + web.ClientID))
		Expect(res.Summary).To(ContainSubstring("consent: auto"))

		// The job's next step: the app under test, configured from GITHUB_ENV.
		Expect(clientCredentials(res.Env["SPOTIFY_ACCOUNTS_URL"], res.Env["SPOTIFY_CLIENT_ID"], web.ClientSecret)).To(HavePrefix("BQ"))

		// The job's last step, as the README shows it.
		last := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
			`status=0; spotcheck grade --client-id "$SPOTCHECK_APP" --fail-on "$SPOTCHECK_FAIL_ON" || status=$?; kill "$SPOTCHECK_FAKE_PID"; exit $status`)
		last.Env = append(os.Environ(), "PATH="+res.Path[0]+string(os.PathListSeparator)+os.Getenv("PATH"))
		for k, v := range res.Env {
			last.Env = append(last.Env, k+"="+v)
		}
		out, err := last.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).To(ContainSubstring("web"))
		Expect(string(out)).NotTo(ContainSubstring(token))
		Eventually(func() bool { return exited(res.Env["SPOTCHECK_FAKE_PID"]) }).Should(BeTrue(), "the fake was stopped")
	})

	It("installs the version asked for, with a given token, config and consent", func() {
		ts := releaseServer(version, nil)
		cfg := filepath.Join(GinkgoT().TempDir(), "fake.yaml")
		Expect(os.WriteFile(cfg, []byte(ciConfig), 0o600)).To(Succeed())
		res := runAction(map[string]string{"version": "v" + version, "addr": closedPort(), "control-token": "my-token-1234567890",
			"config": cfg, "consent": "page", "app": "ci-app", "fail-on": "warning"}, "SPOTCHECK_RELEASES_URL="+ts.URL)
		Expect(res.Code).To(Equal(0), res.Stdout)
		stop(res)
		Expect(res.Stdout).To(ContainSubstring("::add-mask::my-token-1234567890"))
		Expect(res.Env).To(HaveKeyWithValue("SPOTCHECK_CONTROL_TOKEN", "my-token-1234567890"))
		Expect(res.Env).To(HaveKeyWithValue("SPOTIFY_CLIENT_ID", "0123456789abcdef0123456789abcdef"))
		Expect(res.Env).To(HaveKeyWithValue("SPOTIFY_REDIRECT_URI", "http://127.0.0.1:3000/callback"))
		Expect(res.Env).To(HaveKeyWithValue("SPOTCHECK_FAIL_ON", "warning"))
		Expect(res.Summary).To(ContainSubstring("consent: page"))
	})

	DescribeTable("fails the step with one ::error line",
		func(inputs map[string]string, tamper func(string) string, env []string, want string) {
			ts := releaseServer(version, tamper)
			if _, ok := inputs["addr"]; !ok {
				inputs["addr"] = closedPort()
			}
			res := runAction(inputs, append([]string{"SPOTCHECK_RELEASES_URL=" + ts.URL}, env...)...)
			if pid := res.Env["SPOTCHECK_FAKE_PID"]; pid != "" {
				stop(res)
			}
			Expect(res.Code).To(Equal(1), res.Stdout)
			Expect(res.Stdout).To(MatchRegexp(`(?m)^::error title=spotcheck-fake::` + want))
			Expect(strings.Count(res.Stdout, "::error")).To(Equal(1))
		},
		Entry("on a checksum mismatch, installing nothing", map[string]string{},
			func(s string) string { return strings.Replace(s, s[:8], "00000000", 1) }, nil,
			`checksum mismatch for spotcheck_0\.0\.0-test_`+runtime.GOOS+`_`+runtime.GOARCH+`\.tar\.gz: checksums\.txt says 00000000`),
		Entry("when checksums.txt does not list the archive", map[string]string{},
			func(s string) string { return strings.SplitN(s, "\n", 2)[1] }, nil,
			`checksums\.txt of spotcheck 0\.0\.0-test lists no spotcheck_0\.0\.0-test_`),
		Entry("when the release does not exist", map[string]string{"version": "9.9.9"}, nil, nil,
			`cannot download checksums\.txt of spotcheck 9\.9\.9 from http://127\.0\.0\.1:\d+/download/v9\.9\.9/`),
		Entry("on a Windows runner", map[string]string{}, nil, []string{"RUNNER_OS=Windows"},
			`Windows runners are not supported`),
		Entry("at once when the fake cannot start (a bad config), with its own line", map[string]string{"config": "/nonexistent/fake.yaml", "timeout": "10m"}, nil, nil,
			`spotcheck fake exited with status 2 before it answered: spotcheck: /nonexistent/fake\.yaml: cannot read: no such file or directory`),
		Entry("for an app the configuration does not have", map[string]string{"app": "nosuch"}, nil, nil,
			`app nosuch is not in the fake's configuration \(apps: web other dev nopremium legacy \)`),
	)

	It("fails on an input the action does not have", func() {
		Expect(InterceptGomegaFailures(func() { runAction(map[string]string{"no-such-input": "x"}) })).To(ContainElement(ContainSubstring(`the action has no input "no-such-input"`)))
	})
})
