package main

import (
	"bytes"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("profiling the binary (SPOTCHECK_CPUPROFILE, SPOTCHECK_MEMPROFILE)", func() {
	It("writes both profiles when the command ends", func() {
		dir := GinkgoT().TempDir()
		env := map[string]string{cpuProfileEnv: filepath.Join(dir, "cpu.pprof"), memProfileEnv: filepath.Join(dir, "allocs.pprof")}
		var stderr bytes.Buffer
		stop := startProfiles(func(k string) string { return env[k] }, &stderr)
		stop()
		for _, p := range env {
			b, err := os.ReadFile(p)
			Expect(err).NotTo(HaveOccurred())
			Expect(b).To(HavePrefix("\x1f\x8b"), "a pprof profile is gzipped") // pprof's format
		}
		Expect(stderr.String()).To(BeEmpty())
	})

	It("says which variable names a file it cannot write, and the command goes on", func() {
		var stderr bytes.Buffer
		bad := filepath.Join(GinkgoT().TempDir(), "missing", "cpu.pprof")
		startProfiles(func(k string) string {
			if k == cpuProfileEnv {
				return bad
			}
			return ""
		}, &stderr)()
		Expect(stderr.String()).To(HavePrefix("spotcheck: " + cpuProfileEnv + ": "))
	})
})
