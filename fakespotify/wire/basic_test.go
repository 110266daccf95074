package wire_test

import (
	"encoding/base64"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("Basic client credentials", func() {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	pair := "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b:9d8c7b6a5f4e3d2c1b0a99887766554f"

	It("builds the documented header", func() {
		Expect(wire.BasicAuth("id", "secret")).To(Equal("Basic aWQ6c2VjcmV0"))
	})

	DescribeTable("ParseBasic",
		func(header string, ok, decoded, strict bool, want ...string) {
			b, got := wire.ParseBasic(header)
			Expect(got).To(Equal(ok), "a Basic scheme")
			Expect(b.Decoded).To(Equal(decoded), "decoded")
			Expect(b.Strict).To(Equal(strict), "accepted by Spotify")
			if decoded {
				want = append(want, pair)
				Expect(b.ClientID + ":" + b.ClientSecret).To(Equal(want[0]))
			}
		},
		Entry("the documented form", "Basic "+b64(pair), true, true, true),
		Entry("the scheme in lower case (RFC 7617 §2)", "basic "+b64(pair), true, true, true),
		Entry("the scheme in upper case", "BASIC "+b64(pair), true, true, true),
		Entry("a line break from the base64 tool's wrapping", "Basic "+b64(pair)[:40]+"\n"+b64(pair)[40:], true, true, false),
		Entry("a space inside", "Basic "+b64(pair)[:40]+" "+b64(pair)[40:], true, true, false),
		Entry("two spaces after the scheme", "Basic  "+b64(pair), true, true, false),
		Entry("a tab after the scheme is no Basic scheme", "Basic\t"+b64(pair), false, false, false),
		Entry("the URL-safe alphabet", "Basic "+base64.URLEncoding.EncodeToString([]byte("id:s??>")), true, true, false, "id:s??>"),
		Entry("no padding", "Basic "+base64.RawStdEncoding.EncodeToString([]byte("id:se")), true, true, false, "id:se"),
		Entry("no colon", "Basic "+b64("just-an-id"), true, false, false),
		Entry("not base64", "Basic %%%", true, false, false),
		Entry("nothing after the scheme", "Basic", true, false, false),
		Entry("Bearer", "Bearer "+b64(pair), false, false, false),
		Entry("empty", "", false, false, false),
		Entry("surrounding spaces (a pasted value)", "  Basic "+b64(pair)+" ", true, true, false),
	)

	It("decodes the other alphabets leniently", func() {
		for _, enc := range []*base64.Encoding{base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			id, secret, ok := wire.DecodeBasicCredentials(enc.EncodeToString([]byte("a:b?>")))
			Expect(ok).To(BeTrue())
			Expect(id + ":" + secret).To(Equal("a:b?>"))
		}
	})
})

// FuzzParseBasic: any header parses without a panic; what Spotify would
// accept is always decoded; what BasicAuth builds is always accepted.
func FuzzParseBasic(f *testing.F) {
	f.Add("Basic aWQ6c2VjcmV0", "id", "secret")
	f.Add("basic Og==", "", "")
	f.Add("Basic \r\n", "a:b", "c")
	f.Fuzz(func(t *testing.T, header, id, secret string) {
		if b, ok := wire.ParseBasic(header); ok && b.Strict && !b.Decoded {
			t.Fatalf("%q: strict but not decoded", header)
		}
		if strings.Contains(id, ":") {
			return
		}
		b, ok := wire.ParseBasic(wire.BasicAuth(id, secret))
		if !ok || !b.Strict || b.ClientID != id || b.ClientSecret != secret {
			t.Fatalf("BasicAuth(%q, %q) does not read back: %+v", id, secret, b)
		}
	})
}
