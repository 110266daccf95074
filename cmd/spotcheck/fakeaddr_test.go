package main

import (
	"bytes"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = DescribeTable("spotcheck fake refuses an address it would have to look up in DNS, before listening",
	func(flag, addr, want string) {
		var out, errb bytes.Buffer
		code := execute([]string{"fake", flag, addr}, strings.NewReader(""), &out, &errb)
		Expect(code).To(Equal(exitUsage))
		Expect(strings.Count(errb.String(), "\n")).To(Equal(1), "one line: %s", errb.String())
		Expect(errb.String()).To(ContainSubstring(want))
		Expect(out.String()).To(BeEmpty(), "nothing started")
	},
	Entry("an IPv4 address out of range", "--addr", "999.1.1.1:80", `the host must be an IP address or localhost (999.1.1.1 would be looked up in DNS)`),
	Entry("a name", "--addr", "example.com:8787", "example.com would be looked up in DNS"),
	Entry("no port", "--addr", "127.0.0.1", "want HOST:PORT"),
	Entry("the HTTPS address too", "--tls-addr", "spotify.local:8443", "--tls-addr"),
)

var _ = DescribeTable("--request-log-bytes",
	func(in string, want int64, ok bool) {
		n, err := parseByteSize(in)
		if !ok {
			Expect(err).To(HaveOccurred())
			return
		}
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(Equal(want))
	},
	Entry("bytes", "65536", int64(65536), true),
	Entry("KiB", "512KiB", int64(512<<10), true),
	Entry("MiB", "64MiB", int64(64<<20), true),
	Entry("GiB", "1GiB", int64(1<<30), true),
	Entry("zero", "0", int64(0), false),
	Entry("negative", "-1MiB", int64(0), false),
	Entry("a unit it does not know", "64MB", int64(0), false),
	Entry("overflow", "99999999999GiB", int64(0), false),
)
