package main

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/onsi/gomega/gexec"
)

// BenchmarkWrapperOverhead is `spotcheck fake --allow-empty -- true` from
// exec to exit: CA load, bundle, certificates, the fake, the command, the
// grade. The command's own start (true) is a millisecond of it.
func BenchmarkWrapperOverhead(b *testing.B) {
	bin, err := gexec.Build("github.com/spotcheck/spotcheck/cmd/spotcheck")
	if err != nil {
		b.Fatal(err)
	}
	defer gexec.CleanupBuildArtifacts()
	dir := filepath.Join(b.TempDir(), "ca")
	args := []string{"fake", "--addr", "127.0.0.1:0", "--ca-dir", dir, "--log-level", "error", "--allow-empty", "--format", "text", "--", "true"}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil { // makes the CA
		b.Fatal(err, string(out))
	}
	b.ResetTimer()
	for b.Loop() {
		if err := exec.Command(bin, args...).Run(); err != nil {
			b.Fatal(err)
		}
	}
}
