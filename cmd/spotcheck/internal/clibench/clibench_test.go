package main

import (
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestCLIBench(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "clibench")
}

// heyOutput is hey 0.1.4's summary, abridged.
const heyOutput = `
Summary:
  Total:	1.0004 secs
  Requests/sec:	22049.1908

Latency distribution:
  10% in 0.0001 secs
  50% in 0.0012 secs
  99% in 0.0062 secs

Details (average, fastest, slowest):
  DNS+dialup:	0.0000 secs, 0.0000 secs, 0.0078 secs

Status code distribution:
  [200]	22000 responses
  [400]	59 responses

Error distribution:
  [3]	Post "http://127.0.0.1:1/": dial tcp: connection refused
`

var _ = Describe("parseHey", func() {
	It("reads throughput, p50, p99, statuses and errors", func() {
		r, err := parseHey(heyOutput)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.rps).To(BeNumerically("~", 22049.19, 0.01))
		Expect(r.p50).To(Equal(1200 * time.Microsecond))
		Expect(r.p99).To(Equal(6200 * time.Microsecond))
		Expect(r.statuses).To(Equal(map[int]int{200: 22000, 400: 59}))
		Expect(r.errors).To(Equal(3))
		Expect(r.total()).To(Equal(22059))
		Expect(r.ok()).To(BeFalse(), "a 400 and errors are not a clean run")
	})
	It("refuses output without a summary", func() {
		_, err := parseHey("Usage: hey [options...] <url>\n")
		Expect(err).To(MatchError(ContainSubstring("no summary")))
	})
	It("sends Basic credentials with -H, never -a", func() {
		args := heyArgs(load{method: "POST", url: "http://x/api/token", header: []string{"Authorization: Basic eDp5"},
			contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials", conns: 32, duration: 6 * time.Second})
		Expect(args).To(Equal([]string{"-z", "6s", "-c", "32", "-m", "POST", "-H", "Authorization: Basic eDp5",
			"-T", "application/x-www-form-urlencoded", "-d", "grant_type=client_credentials", "http://x/api/token"}))
		Expect(args).NotTo(ContainElement("-a"))
	})
})

var _ = Describe("parseStat", func() {
	It("adds utime and stime, counting fields after the command name", func() {
		// A command name with a space and a parenthesis.
		line := "4242 (spot check)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 8 0 1000 0 0"
		Expect(parseStat(line)).To(Equal(287 * clockTick))
	})
	It("refuses a line without a name", func() {
		_, err := parseStat("garbage")
		Expect(err).To(HaveOccurred())
	})
})
