package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

func TestSpotcheckCLI(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "spotcheck CLI")
}

// binary is the real spotcheck executable, built once: some behaviour (rod's
// flag parsing at init, exit codes) only shows in a fresh process.
var binary string

var _ = SynchronizedBeforeSuite(func() []byte {
	path, err := gexec.Build("github.com/spotcheck/spotcheck/cmd/spotcheck")
	Expect(err).NotTo(HaveOccurred())
	return []byte(path)
}, func(path []byte) {
	binary = string(path)
})

var _ = SynchronizedAfterSuite(func() {}, gexec.CleanupBuildArtifacts)

// runBinary runs spotcheck without DISABLE_ROD_FLAG in its environment, as a
// user's shell would.
func runBinary(args ...string) (stdout, stderr string, code int) {
	return runAt(binary, args...)
}

// runAt is runBinary for another build of spotcheck.
func runAt(path string, args ...string) (stdout, stderr string, code int) {
	cmd := exec.Command(path, args...)
	for _, kv := range os.Environ() {
		if len(kv) >= 17 && kv[:17] == "DISABLE_ROD_FLAG=" {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	return capture(cmd)
}

// capture runs cmd and returns what it printed and its exit code.
func capture(cmd *exec.Cmd) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		Expect(err).NotTo(HaveOccurred())
	}
	return out.String(), errb.String(), code
}

var _ = Describe("the spotcheck binary", func() {
	It("answers a --rod=… option with a usage error, not rod's panic", func() {
		_, stderr, code := runBinary("--rod=bogus")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).NotTo(ContainSubstring("panic"))
		Expect(stderr).To(ContainSubstring("unknown flag: --rod"))
	})

	It("rejects an unknown log level with exit code 2", func() {
		_, stderr, code := runBinary("--log-level", "loud", "version")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring(`--log-level "loud"`))
	})

	It("prints help for the root command", func() {
		stdout, _, code := runBinary("--help")
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(ContainSubstring("spotcheck"))
		Expect(stdout).To(ContainSubstring("--log-level"))
	})

	It("treats an unknown command as bad usage", func() {
		_, stderr, code := runBinary("frobnicate")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring("unknown command"))
	})

	It("builds to a single file", func() {
		Expect(filepath.IsAbs(binary)).To(BeTrue())
	})
})
