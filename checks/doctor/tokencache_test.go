package doctor_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
)

const (
	cacheAccess  = "BQDjriAcf5pYzL7dxQkTj0QrPiQv6iAB8Wz2B4dYrS"
	cacheRefresh = "AQCh_8yyR3xX9kK1Q0d3l7yR7l1fMcYqg9B2rE0s"
)

var _ = Describe("ParseTokenCache", func() {
	It("reads spotipy's .cache", func() {
		tc, err := doctor.ParseTokenCache([]byte(`{"access_token": "`+cacheAccess+`", "token_type": "Bearer", "expires_in": 3600,
 "scope": "user-read-email user-top-read", "expires_at": 1767225600, "refresh_token": "`+cacheRefresh+`"}`), ".cache")
		Expect(err).NotTo(HaveOccurred())
		Expect(tc.Format).To(Equal(doctor.FormatSpotipy))
		Expect(tc.AccessToken).To(Equal(cacheAccess))
		Expect(tc.RefreshToken).To(Equal(cacheRefresh))
		Expect(tc.Scope).To(Equal("user-read-email user-top-read"))
		Expect(tc.ExpiresAt).To(Equal(time.Unix(1767225600, 0)))
		Expect(tc.ExpiresIn).To(Equal(3600))
		Expect(tc.AuthorizedAt.IsZero()).To(BeTrue())
		Expect(fmt.Sprint(tc)).NotTo(ContainSubstring(cacheAccess))
		Expect(fmt.Sprintf("%#v", tc)).NotTo(ContainSubstring(cacheRefresh))
	})

	It("reads spotcheck's format with the client id and the authorization time", func() {
		tc, err := doctor.ParseTokenCache([]byte(`{"spotcheck_token_cache": 1, "client_id": "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b",
 "access_token": "`+cacheAccess+`", "token_type": "Bearer", "scope": "user-read-email",
 "expires_at": "2026-10-01T12:00:00Z", "refresh_token": "`+cacheRefresh+`", "authorized_at": "2026-04-01T10:00:00Z"}`), "tok.json")
		Expect(err).NotTo(HaveOccurred())
		Expect(tc.Format).To(Equal(doctor.FormatSpotcheck))
		Expect(tc.ClientID).To(Equal("6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b"))
		Expect(tc.AuthorizedAt).To(Equal(time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)))
		Expect(tc.ExpiresAt).To(Equal(time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)))
	})

	It("reads golang.org/x/oauth2's token JSON", func() {
		tc, err := doctor.ParseTokenCache([]byte(`{"access_token":"`+cacheAccess+`","token_type":"Bearer","refresh_token":"`+cacheRefresh+`","expiry":"2026-10-01T12:00:00.123+02:00"}`), "token.json")
		Expect(err).NotTo(HaveOccurred())
		Expect(tc.Format).To(Equal(doctor.FormatOAuth2))
		Expect(tc.ExpiresAt.UTC()).To(Equal(time.Date(2026, 10, 1, 10, 0, 0, 123000000, time.UTC)))
		Expect(tc.HasScope).To(BeFalse())
	})

	DescribeTable("tells a dropped refresh token from a missing field",
		func(field, want string) {
			tc, err := doctor.ParseTokenCache([]byte(`{"access_token":"`+cacheAccess+`"`+field+`}`), ".cache")
			Expect(err).NotTo(HaveOccurred())
			Expect(tc.RefreshField).To(Equal(want))
		},
		Entry("absent", ``, "absent"),
		Entry("null", `,"refresh_token":null`, "null"),
		Entry("empty", `,"refresh_token":""`, "empty"),
		Entry("present", `,"refresh_token":"`+cacheRefresh+`"`, "present"),
	)

	DescribeTable("rejects bad input with file:line:col and never quotes a value",
		func(input, want string) {
			_, err := doctor.ParseTokenCache([]byte(input), ".cache")
			Expect(err).To(HaveOccurred())
			var ie *doctor.InputError
			Expect(errors.As(err, &ie)).To(BeTrue())
			Expect(err.Error()).To(Equal(want))
			Expect(err.Error()).NotTo(ContainSubstring(cacheAccess))
			Expect(err.Error()).NotTo(ContainSubstring(cacheRefresh))
		},
		Entry("an empty file", "  \n", ".cache: empty file: not a token cache"),
		Entry("not JSON", "access_token=BQ", ".cache:1:1: not valid JSON: invalid character 'a' looking for beginning of value"),
		Entry("a truncated object", "{\n  \"access_token\": \""+cacheAccess+"\",\n", ".cache:3:1: not valid JSON: the file ends in the middle of the object"),
		Entry("a JSON array", `["`+cacheAccess+`"]`, ".cache:1:1: a token cache is a JSON object; this is not one"),
		Entry("no token fields", `{"user": "alice"}`, ".cache:1:1: no access_token or refresh_token field: not a spotipy, spotcheck or golang.org/x/oauth2 token cache"),
		Entry("a token that is not a string", "{\n\"access_token\": 12345678901234}", ".cache:2:17: access_token: want a string, got a number"),
		Entry("spotipy's expires_at as a string", "{\"access_token\": \""+cacheAccess+"\",\n \"expires_at\": \"tomorrow\"}", ".cache:2:16: expires_at: want Unix seconds (a number like 1767225600), got a string"),
		Entry("a refresh token as an object", `{"refresh_token": {"value": "`+cacheRefresh+`"}}`, ".cache:1:19: refresh_token: want a string, got an object"),
		Entry("a key twice", `{"access_token": "a", "access_token": "b"}`, ".cache:1:37: access_token: appears twice"),
		Entry("text after the object", `{"access_token": "`+cacheAccess+`"} {}`, ".cache:1:64: text after the JSON object"),
		Entry("a spotcheck cache of another version", `{"spotcheck_token_cache": 2, "access_token": "x"}`, ".cache:1:27: spotcheck_token_cache: version 2 is not 1, the one this spotcheck reads"),
		Entry("a misspelt spotcheck field", "{\"spotcheck_token_cache\": 1,\n  \"authorised_at\": \"2026-04-01T10:00:00Z\", \"refresh_token\": \"x\"}", ".cache:2:3: authorised_at: unknown field (the spotcheck format has client_id, access_token, token_type, scope, expires_at, refresh_token, authorized_at, refreshed_at)"),
		Entry("a spotcheck time that is not RFC 3339", `{"spotcheck_token_cache": 1, "refresh_token": "x", "authorized_at": "April 1st"}`, `.cache:1:69: authorized_at: want an RFC 3339 time such as "2026-04-01T10:00:00Z"`),
		Entry("not UTF-8", "{\"access_token\": \"\xff\xfe\"}", ".cache: not UTF-8 text: not a token cache"),
	)

	It("names the file when it cannot be read", func() {
		_, err := doctor.ReadTokenCache(filepath.Join(GinkgoT().TempDir(), "missing.cache"))
		Expect(err).To(MatchError(HaveSuffix("missing.cache: cannot read the token cache: no such file or directory")))
		dir := GinkgoT().TempDir()
		_, err = doctor.ReadTokenCache(dir)
		Expect(err).To(MatchError(dir + ": a directory, not a regular file: a token cache is a file"))
	})

	It("stops a doctor run before anything is sent", func() {
		path := filepath.Join(GinkgoT().TempDir(), ".cache")
		Expect(os.WriteFile(path, []byte("{\"access_token\": \""+cacheAccess+"\",\n\"expires_at\": }"), 0o600)).To(Succeed())
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		s.opts.TokenCache = path
		before := len(srv.Requests(s.app.ClientID))
		_, err := s.run()
		var ie *doctor.InputError
		Expect(errors.As(err, &ie)).To(BeTrue())
		Expect(err.Error()).To(Equal(path + ":2:15: not valid JSON: invalid character '}' looking for beginning of value"))
		Expect(srv.Requests(s.app.ClientID)).To(HaveLen(before))
	})
})

// FuzzParseTokenCache: any bytes give a cache or an *InputError, never a
// panic, and an error never quotes the tokens it was given.
func FuzzParseTokenCache(f *testing.F) {
	f.Add([]byte(`{"access_token":"` + cacheAccess + `","token_type":"Bearer","expires_in":3600,"scope":"a b","expires_at":1767225600,"refresh_token":"` + cacheRefresh + `"}`))
	f.Add([]byte(`{"spotcheck_token_cache":1,"client_id":"x","refresh_token":"` + cacheRefresh + `","authorized_at":"2026-04-01T10:00:00Z","expires_at":"2026-04-01T11:00:00Z"}`))
	f.Add([]byte(`{"access_token":"` + cacheAccess + `","expiry":"2026-10-01T12:00:00Z"}`))
	f.Add([]byte(`{"access_token": 1e400}`))
	f.Add([]byte(`{"expires_at": -1, "refresh_token": null}`))
	f.Add([]byte("{\"a\":\"\\u00zz\"}"))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		tc, err := doctor.ParseTokenCache(data, "fuzz.cache")
		if err != nil {
			var ie *doctor.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.cache") {
				t.Fatalf("error does not name the file: %v", err)
			}
			for _, secret := range []string{cacheAccess, cacheRefresh} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error quotes a token: %v", err)
				}
			}
			return
		}
		if tc.AccessToken == "" && tc.RefreshToken == "" && tc.RefreshField == "absent" && !strings.Contains(string(data), "access_token") {
			t.Fatalf("parsed a cache without token fields")
		}
		if strings.Contains(fmt.Sprint(tc), cacheAccess) {
			t.Fatalf("String shows the access token")
		}
	})
}
