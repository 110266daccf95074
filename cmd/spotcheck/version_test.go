package main

import (
	"encoding/json"
	"runtime"
	"runtime/debug"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

var _ = Describe("the version", func() {
	vcs := func(version string, kv ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/spotcheck/spotcheck", Version: version}}
		for i := 0; i+1 < len(kv); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return bi
	}
	const sha = "abc1234def5678abc1234def5678abc1234def56"

	DescribeTable("one line, from the stamped variables first, then the toolchain's record",
		func(version, commit, date string, bi *debug.BuildInfo, want string) {
			Expect(describeBuild(version, commit, date, bi).String()).To(Equal(want))
		},
		Entry("a release binary (GoReleaser's ldflags)", "1.2.3", sha, "2026-12-06T10:11:12Z", nil,
			"spotcheck 1.2.3 (commit abc1234, built 2026-12-06)"),
		Entry("stamped over a build record", "1.2.3", sha, "2026-12-06T10:11:12Z", vcs("v9.9.9", "vcs.revision", "ffffffff", "vcs.time", "2020-01-01T00:00:00Z"),
			"spotcheck 1.2.3 (commit abc1234, built 2026-12-06)"),
		Entry("a tag given with its v", "v1.2.3", "", "", nil, "spotcheck 1.2.3"),
		Entry("go install …@v1.2.3: the module version, no VCS", "", "", "", vcs("v1.2.3"), "spotcheck 1.2.3"),
		Entry("go build in a checkout: VCS revision and commit time", "", "", "", vcs("v0.0.0-20261206101112-abc1234def56", "vcs", "git", "vcs.revision", sha, "vcs.time", "2026-12-06T10:11:12Z", "vcs.modified", "false"),
			"spotcheck 0.0.0-20261206101112-abc1234def56 (commit abc1234, committed 2026-12-06)"),
		Entry("a devel build without VCS", "", "", "", vcs("(devel)"), "spotcheck dev"),
		Entry("no build information at all", "", "", "", nil, "spotcheck dev"),
		Entry("a date that is not RFC 3339 is shown as given", "1.2.3", "", "yesterday", nil, "spotcheck 1.2.3 (built yesterday)"),
		Entry("a short commit", "1.2.3", "abc", "", nil, "spotcheck 1.2.3 (commit abc)"),
	)

	It("says the same with --version and version, and --json has every field", func() {
		stamped, err := gexec.Build("github.com/spotcheck/spotcheck/cmd/spotcheck", "-ldflags",
			"-X main.version=1.2.3 -X main.commit="+sha+" -X main.date=2026-12-06T10:11:12Z")
		Expect(err).NotTo(HaveOccurred())
		for _, args := range [][]string{{"--version"}, {"version"}} {
			out, stderr, code := runAt(stamped, args...)
			Expect(code).To(Equal(exitOK), stderr)
			Expect(out).To(Equal("spotcheck 1.2.3 (commit abc1234, built 2026-12-06)\n"), "%v", args)
		}
		out, _, code := runAt(stamped, "version", "--json")
		Expect(code).To(Equal(exitOK))
		var got map[string]string
		Expect(json.Unmarshal([]byte(out), &got)).To(Succeed())
		Expect(got).To(Equal(map[string]string{"version": "1.2.3", "commit": sha, "date": "2026-12-06T10:11:12Z",
			"go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH}))
	})

	It("is dev without stamping, and reports record the same version", func() {
		out, _, code := runBinary("--version")
		Expect(code).To(Equal(exitOK))
		Expect(out).To(HavePrefix("spotcheck " + spotcheckVersion()))
	})
})
