package accounts_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/accounts"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

func TestAccounts(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "accounts")
}

var _ = Describe("MatchRedirect", func() {
	registered := []string{"http://127.0.0.1:8888/callback", "http://127.0.0.1/loopback", "http://[::1]/v6", "https://app.example.com/cb", "myapp://callback"}

	DescribeTable("byte-exact, with RFC 8252's any-port rule for loopback literals registered without a port",
		func(requested string, want string) {
			got, ok := accounts.MatchRedirect(registered, requested)
			if want == "" {
				Expect(ok).To(BeFalse(), requested)
				return
			}
			Expect(ok).To(BeTrue(), requested)
			Expect(got).To(Equal(want))
		},
		Entry("exact", "http://127.0.0.1:8888/callback", "http://127.0.0.1:8888/callback"),
		Entry("custom scheme", "myapp://callback", "myapp://callback"),
		Entry("trailing slash", "http://127.0.0.1:8888/callback/", ""),
		Entry("other port where one is registered", "http://127.0.0.1:8889/callback", ""),
		Entry("any port, loopback without port", "http://127.0.0.1:50123/loopback", "http://127.0.0.1/loopback"),
		Entry("any port keeps the path exact", "http://127.0.0.1:50123/Loopback", ""),
		Entry("any port keeps the query exact", "http://127.0.0.1:50123/loopback?x", ""),
		Entry("IPv6 any port", "http://[::1]:4000/v6", "http://[::1]/v6"),
		Entry("localhost is not a loopback literal", "http://localhost:50123/loopback", ""),
		Entry("https on loopback does not get the exception", "https://127.0.0.1:50123/loopback", ""),
		Entry("port on a non-loopback host", "https://app.example.com:443/cb", ""),
		Entry("host case", "https://APP.example.com/cb", ""),
		Entry("empty", "", ""),
	)
})

var _ = Describe("Insecure", func() {
	DescribeTable("the 2025 rules",
		func(uri string, insecure bool) {
			Expect(accounts.Insecure(uri, wire.RedirectSecurity2025)).To(Equal(insecure), uri)
			Expect(accounts.Insecure(uri, wire.RedirectSecurityLegacy)).To(BeFalse(), "legacy accepts %s", uri)
		},
		Entry("https", "https://app.example.com/cb", false),
		Entry("http loopback IPv4", "http://127.0.0.1:8000/cb", false),
		Entry("http loopback IPv6", "http://[::1]:8000/cb", false),
		Entry("http non-loopback", "http://app.example.com/cb", true),
		Entry("http localhost", "http://localhost:8888/callback", true),
		Entry("https localhost", "https://localhost/cb", true),
		Entry("a .localhost name", "http://app.localhost/cb", true),
		Entry("custom scheme", "com.example.app://callback", false),
	)
})

var _ = Describe("PKCE", func() {
	It("computes S256 as base64url without padding (RFC 7636 appendix B)", func() {
		Expect(wire.S256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).To(Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
	})
})
