package har_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain/har"
)

func decodeAll(src string, opts har.Options) ([]*har.Entry, har.Info, error) {
	var out []*har.Entry
	info, err := har.Decode(strings.NewReader(src), opts, func(e *har.Entry) error {
		out = append(out, e)
		return nil
	})
	return out, info, err
}

// chrome is the shape Chrome's DevTools exports (field order, pseudo
// headers, _private fields), trimmed to one entry.
const chrome = `{
  "log": {
    "version": "1.2",
    "creator": {"name": "WebInspector", "version": "537.36"},
    "pages": [{"startedDateTime": "2026-09-30T10:00:00.000Z", "id": "page_1", "title": "http://127.0.0.1:8888/", "pageTimings": {}}],
    "entries": [
      {
        "_initiator": {"type": "other"},
        "_priority": "VeryHigh",
        "_resourceType": "fetch",
        "cache": {},
        "connection": "443",
        "pageref": "page_1",
        "request": {
          "method": "POST",
          "url": "https://accounts.spotify.com/api/token",
          "httpVersion": "http/2.0",
          "headers": [
            {"name": ":authority", "value": "accounts.spotify.com"},
            {"name": "content-type", "value": "application/x-www-form-urlencoded"}
          ],
          "queryString": [],
          "cookies": [],
          "headersSize": -1,
          "bodySize": 120,
          "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "grant_type=authorization_code&code=AQx&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback",
            "params": [{"name": "grant_type", "value": "authorization_code"}]}
        },
        "response": {
          "status": 400,
          "statusText": "",
          "httpVersion": "http/2.0",
          "headers": [{"name": "content-type", "value": "application/json;charset=UTF-8"}],
          "cookies": [],
          "content": {"size": 68, "mimeType": "application/json", "compression": 0, "text": "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid authorization code\"}"},
          "redirectURL": "",
          "headersSize": -1,
          "bodySize": -1,
          "_transferSize": 412,
          "_error": null
        },
        "serverIPAddress": "35.186.224.25",
        "startedDateTime": "2026-09-30T10:00:03.412+02:00",
        "time": 131.2,
        "timings": {"blocked": 1.1, "dns": -1, "ssl": -1, "connect": -1, "send": 0.2, "wait": 129.5, "receive": 0.4, "_blocked_queueing": 0.6}
      }
    ]
  }
}`

var _ = Describe("Decode", func() {
	It("reads a Chrome export", func() {
		es, info, err := decodeAll(chrome, har.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(info).To(Equal(har.Info{Version: "1.2", Creator: "WebInspector", Entries: 1}))
		Expect(es).To(HaveLen(1))
		e := es[0]
		Expect(e.Started.Equal(time.Date(2026, 9, 30, 8, 0, 3, 412e6, time.UTC))).To(BeTrue())
		Expect(e.Request.Method).To(Equal("POST"))
		Expect(e.Request.URL).To(Equal("https://accounts.spotify.com/api/token"))
		Expect(e.Request.Header("Content-Type")).To(Equal("application/x-www-form-urlencoded"))
		Expect(e.Request.PostData.Text).To(HavePrefix("grant_type=authorization_code&code=AQx"))
		Expect(e.Request.PostData.Params).To(ConsistOf(har.Param{Name: "grant_type", Value: "authorization_code"}))
		Expect(e.Response.Status).To(Equal(400))
		Expect(e.Response.Content.Text).To(Equal(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`))
		Expect(e.Response.Content.Truncated).To(BeFalse())
	})

	It("decodes every JSON string escape, including surrogate pairs", func() {
		src := `{"log":{"entries":[{"response":{"content":{"text":"a\"b\\c\/d\n\t\u00e9\ud83c\udfb5 \u2013"}}}]}}`
		es, _, err := decodeAll(src, har.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(es[0].Response.Content.Text).To(Equal("a\"b\\c/d\n\té🎵 –"))
	})

	It("agrees with encoding/json on strings that span its buffer", func() {
		long := strings.Repeat(`x\"y\\`, 40000) + `\\` // > 64 KiB, ends in an escaped backslash
		src := `{"log":{"entries":[{"request":{"url":"` + long + `"},"response":{"content":{"text":"` + long + `"}}}]}}`
		var want string
		Expect(json.Unmarshal([]byte(`"`+long+`"`), &want)).To(Succeed())
		es, _, err := decodeAll(src, har.Options{BodyLimit: func(*har.Entry, bool) int { return 1 << 20 }})
		Expect(err).NotTo(HaveOccurred())
		Expect(es[0].Response.Content.Text).To(Equal(want))
		Expect(es[0].Request.URL).To(Equal(want[:64<<10]))
	})

	It("keeps at most the body limit and says it cut", func() {
		body := strings.Repeat("a", 100_000)
		src := `{"log":{"entries":[{"request":{"url":"http://x/v1/me"},"response":{"status":200,"content":{"text":"` + body + `"}}}]}}`
		var seenStatus int
		es, _, err := decodeAll(src, har.Options{BodyLimit: func(e *har.Entry, response bool) int {
			seenStatus = e.Response.Status
			return 10
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(seenStatus).To(Equal(200), "the limit sees the status read before the body")
		Expect(es[0].Response.Content.Text).To(Equal("aaaaaaaaaa"))
		Expect(es[0].Response.Content.Truncated).To(BeTrue())
	})

	DescribeTable("keeps only the headers KeepHeader names, whichever comes first in each, name or value",
		func(header string) {
			src := `{"log":{"entries":[{"request":{"url":"http://x/api/token","headers":[` + header +
				`,{"name":"authorization","value":"Basic YWJj"}]}}]}}`
			keep := func(name string) bool { return strings.EqualFold(name, "Authorization") }
			es, _, err := decodeAll(src, har.Options{KeepHeader: keep})
			Expect(err).NotTo(HaveOccurred())
			Expect(es[0].Request.Headers).To(Equal([]har.Header{{Name: "authorization", Value: "Basic YWJj"}}))
			all, _, err := decodeAll(src, har.Options{})
			Expect(err).NotTo(HaveOccurred())
			Expect(all[0].Request.Headers).To(HaveLen(2))
		},
		Entry("name first", `{"name":"user-agent","value":"Mozilla/5.0"}`),
		Entry("value first", `{"value":"Mozilla/5.0","name":"user-agent"}`),
	)

	It("skips a body entirely at limit 0", func() {
		src := `{"log":{"entries":[{"response":{"content":{"text":"secret stuff"}}}]}}`
		es, _, err := decodeAll(src, har.Options{BodyLimit: func(*har.Entry, bool) int { return 0 }})
		Expect(err).NotTo(HaveOccurred())
		Expect(es[0].Response.Content.Text).To(BeEmpty())
		Expect(es[0].Response.Content.Truncated).To(BeTrue())
	})

	It("tolerates null and odd types where HAR writers disagree", func() {
		src := `{"log":{"entries":[{"request":{"method":"GET","url":"http://x/","headers":null,"postData":null},"response":{"status":"302","headers":[{"name":"Location","value":"http://y/?code=1"},{"name":5,"value":null}],"content":null}}]}}`
		es, _, err := decodeAll(src, har.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(es[0].Response.Status).To(Equal(302))
		Expect(es[0].Response.Header("location")).To(Equal("http://y/?code=1"))
	})

	It("stops with the callback's error", func() {
		stop := errors.New("enough")
		_, err := har.Decode(strings.NewReader(chrome), har.Options{}, func(*har.Entry) error { return stop })
		Expect(err).To(MatchError(stop))
	})

	DescribeTable("names the line and column where a file stops being a HAR",
		func(src, want string, notHAR bool) {
			_, _, err := decodeAll(src, har.Options{})
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(want))
			Expect(errors.Is(err, har.ErrNotHAR)).To(Equal(notHAR))
		},
		Entry("empty", "", "the file is empty", true),
		Entry("not JSON", "GET /v1/me HTTP/1.1", `line 1, column 1: expected a JSON object, found 'G'`, true),
		Entry("a JSON array", "[1,2]", `expected a JSON object`, true),
		Entry("no log", `{"version": 1}`, `no "log" object`, true),
		Entry("no entries", `{"log": {"version": "1.2"}}`, `no "log.entries" array`, true),
		Entry("entries not an array", `{"log": {"entries": {}}}`, `"log.entries" must be an array`, true),
		Entry("cut short", "{\"log\": {\n  \"entries\": [\n    {\"request\": {\"url\": \"http://x", "line 3", false),
		Entry("a missing comma", "{\"log\": {\"entries\": []\n \"version\": \"1.2\"}}", `line 2, column 2: expected ',' or '}' after the value of "entries"`, false),
		Entry("a bare word", `{"log": {"entries": [nope]}}`, `unexpected "nope"`, false),
		Entry("too deep", `{"log":{"entries":[{"x":`+strings.Repeat("[", 600), "nested deeper", false),
	)
})

// FuzzDecode: no input makes the reader panic, loop or keep more than its
// limits.
func FuzzDecode(f *testing.F) {
	f.Add(chrome)
	f.Add(`{"log":{"entries":[{"response":{"content":{"text":"\ud83c"}}}]}}`)
	f.Add(`{"log":{"entries":[{"request":{"url":"\\\\\"x"}}]}}`)
	f.Add(`{"log":{"entries":[1,"a",null,{"time":-1e999}]}}`)
	f.Add(`{"log":{"entries":[{"startedDateTime":"2026-13-45T99:99:99Z"}]}}`)
	f.Add(`{"log":{"entries":[{"request":{"headers":[{"name":"a","value":"\u0000"}]}}]}}`)
	f.Add(strings.Repeat(`{"log":`, 100))
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = har.Decode(strings.NewReader(src), har.Options{BodyLimit: func(*har.Entry, bool) int { return 64 }}, func(e *har.Entry) error {
			pd := ""
			if e.Request.PostData != nil {
				pd = e.Request.PostData.Text
			}
			if len(e.Response.Content.Text) > 64 || len(pd) > 64 {
				t.Fatalf("body over its limit: %d, %d", len(e.Response.Content.Text), len(pd))
			}
			return nil
		})
	})
}
