package explain_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain"
)

// tokenErrorHAR is a HAR of n refused code exchanges, each answered with
// body.
func tokenErrorHAR(n int, body string) []byte {
	f := harFile{Log: harLog{Version: "1.2", Creator: harCreator{Name: "spec"}, Pages: []any{}}}
	for i := 0; i < n; i++ {
		f.Log.Entries = append(f.Log.Entries, harEntryW{
			StartedDateTime: fixtureEpoch.Format("2006-01-02T15:04:05.000Z"),
			Request: harRequestW{Method: "POST", URL: "https://accounts.spotify.com/api/token", HTTPVersion: "http/2.0", Headers: []harNV{}, QueryString: []harNV{}, Cookies: []any{},
				PostData: &harPostW{MimeType: "application/x-www-form-urlencoded", Text: "grant_type=authorization_code&code=AQBcodeThatIsLongEnoughToLookLikeSpotifysOwn&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback"}},
			Response: harResponseW{Status: 400, HTTPVersion: "http/2.0", Headers: []harNV{{"content-type", "application/json"}}, Cookies: []any{},
				Content: harContentW{Size: len(body), MimeType: "application/json", Text: body}},
		})
	}
	b, err := json.Marshal(f)
	Expect(err).NotTo(HaveOccurred())
	return b
}

var _ = Describe("what explain --har keeps of a file", func() {
	badCode := `{"error":"invalid_grant","error_description":"Invalid authorization code"}`

	It("cuts a huge body and still reads the error at its start", func() {
		in := tokenErrorHAR(1, badCode+strings.Repeat(" ", 24<<20))
		res, err := explain.Default().Explain(in, explain.Options{Name: "huge.har"})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Input.Bytes).To(BeNumerically(">", 24<<20))
		Expect(res.Top()).NotTo(BeNil())
		Expect(res.Top().Entry.ID).To(Equal("code-invalid"))
	})

	It("stops at the request limit with one line naming the file and the entry", func() {
		defer explain.SetHARLimits(50, 1<<30)()
		path := filepath.Join(GinkgoT().TempDir(), "failing.har")
		writeFailingHAR(GinkgoT(), path, 1<<20)
		f, err := os.Open(path)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		_, err = explain.Default().ExplainReader(f, explain.Options{Name: "failing.har"})
		var ie *explain.InputError
		Expect(errors.As(err, &ie)).To(BeTrue(), "an input error, exit 2")
		Expect(err.Error()).To(MatchRegexp(`^failing\.har: log\.entries\[\d+\]: more than 50 requests to Spotify or to the app's callback; explain a shorter capture \(one login attempt is enough\)$`))
	})

	It("stops when the kept bodies pass the limit, naming the field", func() {
		defer explain.SetHARLimits(1000, 1<<20)()
		in := tokenErrorHAR(20, badCode+strings.Repeat(" ", 100<<10))
		_, err := explain.Default().ExplainReader(bytes.NewReader(in), explain.Options{Name: "bodies.har"})
		var ie *explain.InputError
		Expect(errors.As(err, &ie)).To(BeTrue(), "an input error, exit 2")
		Expect(err.Error()).To(Equal("bodies.har: log.entries[10].response.content.text: the URLs, headers and bodies kept of Spotify's requests pass 1 MiB; explain a shorter capture (one login attempt is enough)"))
	})
})
