package main

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("spotcheck wait", func() {
	It("exits 0 as soon as a running fake answers, printing nothing", func() {
		base := fakeURL(startBinary("fake", "--addr", "127.0.0.1:0"))
		stdout, stderr, code := runBinary("wait", base, "--timeout", "10s")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stdout + stderr).To(BeEmpty())
	})

	It("needs no control endpoints and no token: a --no-control fake counts", func() {
		base := fakeURL(startBinary("fake", "--addr", "127.0.0.1:0", "--no-control"))
		_, stderr, code := runBinary("wait", base+"/", "--timeout", "10s")
		Expect(code).To(Equal(exitOK), stderr)
	})

	It("exits 3 with one line naming the URL and the last error when nothing answers", func() {
		addr := closedPort()
		stdout, stderr, code := runBinary("wait", "http://"+addr, "--timeout", "300ms")
		Expect(code).To(Equal(exitUnreachable))
		Expect(stdout).To(BeEmpty())
		Expect(strings.Count(stderr, "\n")).To(Equal(1), stderr)
		Expect(stderr).To(Equal("spotcheck: http://" + addr + " did not answer within 300ms: last error: dial tcp " + addr + ": connect: connection refused\n"))
	})

	DescribeTable("exits 2 on a URL or timeout it cannot use, in one line",
		func(says string, args ...string) {
			_, stderr, code := runBinary(append([]string{"wait"}, args...)...)
			Expect(code).To(Equal(exitUsage))
			Expect(strings.Count(stderr, "\n")).To(Equal(1), stderr)
			Expect(stderr).To(ContainSubstring(says))
		},
		Entry("a host without a scheme", `want an http:// or https:// URL, e.g. http://127.0.0.1:8787`, "localhost:8787"),
		Entry("another scheme", `bad URL: "ftp://127.0.0.1/"`, "ftp://127.0.0.1/"),
		Entry("a malformed URL", `invalid port`, "http://127.0.0.1:port"),
		Entry("two URLs", "accepts at most 1 arg", "http://a", "http://b"),
		Entry("a zero timeout", "--timeout 0s: want a positive duration", "--timeout", "0s"),
		Entry("a timeout without a unit", `invalid argument "30" for "--timeout"`, "--timeout", "30"),
	)
})
