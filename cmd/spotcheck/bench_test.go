package main

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega/gexec"
)

// BenchmarkFakeStartToFirst200 measures, for a fresh `spotcheck fake`
// process, the time from exec to the first 200 from its token endpoint's
// neighbour /_spotcheck/health. The address is printed on stdout as soon as
// the port is bound, so the time includes process start, config parsing and
// one request.
func BenchmarkFakeStartToFirst200(b *testing.B) {
	bin, err := gexec.Build("github.com/spotcheck/spotcheck/cmd/spotcheck")
	if err != nil {
		b.Fatal(err)
	}
	defer gexec.CleanupBuildArtifacts()
	var samples []time.Duration
	runs := b.N
	if runs < 10 {
		runs = 10
	}
	b.ResetTimer()
	for i := 0; i < runs; i++ {
		t0 := time.Now()
		cmd := exec.Command(bin, "fake", "--addr", "127.0.0.1:0", "--log-level", "disabled")
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			b.Fatal(err)
		}
		base := strings.Fields(line)[3]
		resp, err := http.Get(base + "/_spotcheck/health")
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("first request: %v", err)
		}
		resp.Body.Close()
		samples = append(samples, time.Since(t0))
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	b.ReportMetric(float64(samples[len(samples)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(samples[len(samples)-1].Microseconds())/1000, "ms-max")
}

// BenchmarkVersionInProcess is `spotcheck version` without process start
// and package initialisation: building the command tree (every
// subcommand's flags), parsing the arguments and printing. What
// `spotcheck version` costs from exec beyond this is the runtime's start
// and the packages' init (GODEBUG=inittrace=1 lists them).
func BenchmarkVersionInProcess(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if code := execute([]string{"version"}, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatal(code)
		}
	}
}
