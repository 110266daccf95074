package explainweb_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/checks/explain/explainweb"
)

func startServer(opts explainweb.Options) *httptest.Server {
	srv := httptest.NewServer(explainweb.New(explain.Default(), opts))
	DeferCleanup(srv.Close)
	return srv
}

func postJSON(url string, v any) (*http.Response, map[string]any) {
	GinkgoHelper()
	b, _ := json.Marshal(v)
	resp, err := http.Post(url+"/api/explain", "application/json", bytes.NewReader(b))
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var doc map[string]any
	Expect(json.NewDecoder(resp.Body).Decode(&doc)).To(Succeed())
	return resp, doc
}

func upload(url, name string, data []byte, fields map[string]string) (*http.Response, map[string]any) {
	GinkgoHelper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		Expect(mw.WriteField(k, v)).To(Succeed())
	}
	fw, err := mw.CreateFormFile("file", name)
	Expect(err).NotTo(HaveOccurred())
	_, _ = fw.Write(data)
	Expect(mw.Close()).To(Succeed())
	resp, err := http.Post(url+"/api/explain", mw.FormDataContentType(), &body)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var doc map[string]any
	Expect(json.NewDecoder(resp.Body).Decode(&doc)).To(Succeed())
	return resp, doc
}

func topID(doc map[string]any) string {
	causes, _ := doc["causes"].([]any)
	if len(causes) == 0 {
		return ""
	}
	return causes[0].(map[string]any)["id"].(string)
}

var _ = Describe("the explain page", func() {
	It("serves one self-contained text/html page with a strict CSP", func() {
		srv := startServer(explainweb.Options{Version: "test"})
		resp, err := http.Get(srv.URL + "/")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		Expect(resp.StatusCode).To(Equal(200))
		Expect(resp.Header.Get("Content-Type")).To(Equal("text/html; charset=utf-8"))
		csp := resp.Header.Get("Content-Security-Policy")
		Expect(csp).To(ContainSubstring("default-src 'none'"))
		Expect(csp).To(ContainSubstring("connect-src 'self'"))
		page := string(body)
		Expect(page).To(ContainSubstring(`<textarea id="input"`))
		Expect(page).To(ContainSubstring(`<input type="file" id="file"`))
		for _, external := range []string{"http://", "https://"} {
			for _, attr := range []string{`src="` + external, `href="` + external, `url(` + external} {
				Expect(page).NotTo(ContainSubstring(attr), "no external assets")
			}
		}
	})

	It("explains pasted text through the JSON API", func() {
		srv := startServer(explainweb.Options{})
		resp, doc := postJSON(srv.URL, map[string]string{"text": "spotify: couldn't decode error: (46) [User not registered in the Developer Dashboard]"})
		Expect(resp.StatusCode).To(Equal(200))
		Expect(doc["schema_version"]).To(Equal(explain.SchemaVersion))
		Expect(topID(doc)).To(Equal("user-not-allowlisted"))
	})

	It("passes --as and --state through", func() {
		srv := startServer(explainweb.Options{})
		_, doc := postJSON(srv.URL, map[string]string{"text": "http://127.0.0.1:8888/callback?code=AQBD4CLvpVxk2vTzv3Tz5Ue8v0R6y1M5iUQy&state=one", "state": "two"})
		Expect(topID(doc)).To(Equal("state-mismatch"))
		_, doc = postJSON(srv.URL, map[string]string{"text": "Invalid redirect URI", "as": "page"})
		Expect(topID(doc)).To(Equal("redirect-uri-mismatch"))
		resp, doc := postJSON(srv.URL, map[string]string{"text": "x", "as": "xml"})
		Expect(resp.StatusCode).To(Equal(400))
		Expect(doc["error"]).To(ContainSubstring("unknown input kind"))
	})

	It("explains an uploaded HAR across its requests", func() {
		srv := startServer(explainweb.Options{})
		data, err := os.ReadFile("../testdata/token-redirect-uri-mismatch.har")
		Expect(err).NotTo(HaveOccurred())
		resp, doc := upload(srv.URL, "capture.har", data, map[string]string{"as": "auto"})
		Expect(resp.StatusCode).To(Equal(200))
		Expect(topID(doc)).To(Equal("token-redirect-uri-mismatch"))
		Expect(doc["input"].(map[string]any)["name"]).To(Equal("capture.har"))
	})

	It("answers a HAR that is not JSON with 400 naming the file", func() {
		srv := startServer(explainweb.Options{})
		resp, doc := upload(srv.URL, "broken.har", []byte(`{"log": {"entries": [{"request": `), map[string]string{"as": "har"})
		Expect(resp.StatusCode).To(Equal(400))
		Expect(doc["error"]).To(HavePrefix("broken.har:1:"))
	})

	It("answers an empty paste with 400", func() {
		srv := startServer(explainweb.Options{})
		resp, doc := postJSON(srv.URL, map[string]string{"text": "   "})
		Expect(resp.StatusCode).To(Equal(400))
		Expect(doc["error"]).To(ContainSubstring("nothing to explain"))
	})

	It("refuses uploads over the limit with 413", func() {
		srv := startServer(explainweb.Options{MaxUpload: 1024})
		resp, _ := postJSON(srv.URL, map[string]string{"text": strings.Repeat("x", 4096)})
		Expect(resp.StatusCode).To(Equal(http.StatusRequestEntityTooLarge))
	})

	It("caps a JSON body before decoding it: 413 with what fits", func() {
		// 48 MiB of pasted text, streamed: before the cap it was decoded
		// whole (a 500 MB body took 2 GB) and only then refused as text
		// over 16 MiB, with 400.
		srv := startServer(explainweb.Options{})
		const n = 48 << 20
		body := io.MultiReader(strings.NewReader(`{"text":"`), io.LimitReader(repeatByte('x'), n), strings.NewReader(`"}`))
		resp, err := http.Post(srv.URL+"/api/explain", "application/json", body)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		var doc map[string]any
		Expect(json.NewDecoder(resp.Body).Decode(&doc)).To(Succeed())
		Expect(resp.StatusCode).To(Equal(http.StatusRequestEntityTooLarge))
		Expect(doc["error"]).To(Equal("the request body is larger than 32 MiB: paste at most 16 MiB of text, or upload a HAR file (up to 512 MiB)"))
	})

	It("refuses a foreign Host (DNS rebinding) and cross-origin posts", func() {
		srv := startServer(explainweb.Options{})
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		req.Host = "attacker.example:8790"
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusMisdirectedRequest))

		req, _ = http.NewRequest("POST", srv.URL+"/api/explain", strings.NewReader(`{"text":"Illegal scope"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://attacker.example")
		resp, err = http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
	})

	It("lists the entries and serves the schema", func() {
		srv := startServer(explainweb.Options{})
		resp, err := http.Get(srv.URL + "/api/entries")
		Expect(err).NotTo(HaveOccurred())
		var entries []map[string]any
		Expect(json.NewDecoder(resp.Body).Decode(&entries)).To(Succeed())
		resp.Body.Close()
		Expect(len(entries)).To(Equal(len(explain.Default().Entries())))
		resp, err = http.Get(srv.URL + "/api/schema")
		Expect(err).NotTo(HaveOccurred())
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(b).To(Equal(explain.Schema()))
	})
})

// repeatByte reads as an endless run of one byte.
type repeatByte byte

func (r repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
