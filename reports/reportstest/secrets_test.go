package reportstest_test

import (
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// A secret whose encodings all differ from it: base64 of the pair holds '+'
// and '/', URL escaping changes '+', '/', '=' and ' '.
const (
	id     = "client-0001"
	secret = "s3cr3t+/= value?~>"
)

var pair = reportstest.BasicPair(id, secret)

var _ = Describe("AssertNoSecrets", func() {
	DescribeTable("finds a secret in",
		func(encoded string) {
			out := map[string][]byte{"report": []byte("before " + encoded + " after")}
			err := reportstest.AssertNoSecrets(out, secret, pair)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(HavePrefix("secrets found in reports:\n  report"))
			Expect(err.Error()).NotTo(ContainSubstring(secret), "the error never quotes the secret")
			Expect(err.Error()).NotTo(ContainSubstring(base64.StdEncoding.EncodeToString([]byte(pair))))
		},
		Entry("clear text", secret),
		Entry("a URL query", url.QueryEscape(secret)),
		Entry("a URL path", url.PathEscape(secret)),
		Entry("a doubly escaped query", url.QueryEscape(url.QueryEscape(secret))),
		Entry("base64", base64.StdEncoding.EncodeToString([]byte(secret))),
		Entry("base64 of id:secret", base64.StdEncoding.EncodeToString([]byte(pair))),
		Entry("base64url of id:secret", base64.URLEncoding.EncodeToString([]byte(pair))),
		Entry("raw base64 of id:secret", base64.RawStdEncoding.EncodeToString([]byte(pair))),
		Entry("raw base64url of id:secret", base64.RawURLEncoding.EncodeToString([]byte(pair))),
		Entry("html/template output", template.HTMLEscapeString(secret)),
		Entry("html/template output of base64", strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte(pair)), "+", "&#43;")),
		Entry("a JSON string", func() string { b, _ := json.Marshal(secret); return string(b) }()),
		Entry("a data: URI", "data:text/plain;base64,"+base64.StdEncoding.EncodeToString([]byte("page text: "+secret+"."))),
		Entry("base64 inside base64", base64.StdEncoding.EncodeToString([]byte(`{"png":"`+base64.StdEncoding.EncodeToString([]byte("xx "+secret+" yy"))+`"}`))),
	)

	It("passes output that holds only other values", func() {
		out := map[string][]byte{
			"a": []byte("[redacted 18ch #00112233] and " + base64.StdEncoding.EncodeToString([]byte("harmless text here"))),
			"b": nil,
		}
		Expect(reportstest.AssertNoSecrets(out, secret, pair)).To(Succeed())
	})

	It("names every output that leaks", func() {
		out := map[string][]byte{"one.json": []byte(secret), "two.html": []byte(url.QueryEscape(secret)), "three.xml": []byte("clean")}
		err := reportstest.AssertNoSecrets(out, secret)
		Expect(err).To(MatchError(ContainSubstring("one.json: holds secret #1")))
		Expect(err).To(MatchError(ContainSubstring("two.html: holds secret #1")))
		Expect(err.Error()).NotTo(ContainSubstring("three.xml"))
	})

	It("refuses an empty secret, which would match everything", func() {
		Expect(reportstest.AssertNoSecrets(map[string][]byte{"x": []byte("y")}, "")).To(MatchError("reportstest: secret #1 is empty"))
	})
})
