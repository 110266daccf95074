package wire_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("the accounts service's bodies", func() {
	DescribeTable("ParseOAuthError",
		func(body string, ok, described bool, want wire.OAuthError) {
			e, d, got := wire.ParseOAuthError([]byte(body))
			Expect(got).To(Equal(ok))
			Expect(d).To(Equal(described))
			Expect(e).To(Equal(want))
		},
		Entry("bare invalid_client", `{"error":"invalid_client"}`, true, false, wire.ErrClientAuth),
		Entry("with a description", `{"error":"invalid_grant","error_description":"Invalid authorization code"}`, true, true, wire.ErrCodeInvalid),
		Entry("an empty description is a description", `{"error":"invalid_grant","error_description":""}`, true, true, wire.OAuthError{Code: "invalid_grant"}),
		Entry("a description that is no string reads as none", `{"error":"invalid_grant","error_description":7}`, true, false, wire.OAuthError{Code: "invalid_grant"}),
		Entry("null reads as none", `{"error":"invalid_grant","error_description":null}`, true, false, wire.OAuthError{Code: "invalid_grant"}),
		Entry("echoed value with a double space", `{"error":"unsupported_grant_type","error_description":"grant_type client_credentials  is not supported"}`,
			true, true, wire.ErrGrantTypeUnsupported("client_credentials ")),
		Entry("spaced", "{ \"error\" : \"server_error\" ,\n \"error_description\" : \"Unexpected status: 415\" }", true, true, wire.ErrJSONBody),
		Entry("the Web API's object is not an OAuth error", `{"error":{"status":401,"message":"Invalid access token"}}`, false, false, wire.OAuthError{}),
		Entry("plain text", "INVALID_CLIENT: Invalid redirect URI", false, false, wire.OAuthError{}),
		Entry("empty", "", false, false, wire.OAuthError{}),
	)

	It("writes an error with the token endpoint's headers, compact, description left out when empty", func() {
		rec := httptest.NewRecorder()
		wire.WriteOAuthError(rec, 400, wire.ErrClientAuth)
		Expect(rec.Code).To(Equal(400))
		Expect(rec.Body.String()).To(Equal(`{"error":"invalid_client"}`))
		Expect(rec.Header().Get("Content-Type")).To(Equal("application/json;charset=UTF-8"))
		Expect(rec.Header().Get("Cache-Control")).To(Equal("no-store"))
		Expect(rec.Header().Get("Pragma")).To(Equal("no-cache"))
		Expect(rec.Header().Get("Content-Length")).To(Equal("26"))
	})

	DescribeTable("WriteToken writes the members Spotify sends, in its order",
		func(t wire.TokenResponse, want string) {
			rec := httptest.NewRecorder()
			wire.WriteToken(rec, t)
			Expect(rec.Code).To(Equal(200))
			Expect(rec.Body.String()).To(Equal(want))
			back, err := wire.ParseTokenResponse(rec.Body.Bytes())
			Expect(err).NotTo(HaveOccurred())
			Expect(back).To(Equal(t), "reads back")
			b, err := json.Marshal(t)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(b)).To(Equal(want), "MarshalJSON agrees")
		},
		Entry("a code exchange", wire.TokenResponse{AccessToken: "BQa", TokenType: "Bearer", Scope: "user-read-email", HasScope: true, ExpiresIn: 3600, RefreshToken: "AQr"},
			`{"access_token":"BQa","token_type":"Bearer","scope":"user-read-email","expires_in":3600,"refresh_token":"AQr"}`),
		Entry("nothing granted: an empty scope", wire.TokenResponse{AccessToken: "BQa", TokenType: "Bearer", HasScope: true, ExpiresIn: 3600},
			`{"access_token":"BQa","token_type":"Bearer","scope":"","expires_in":3600}`),
		Entry("client credentials: no scope member", wire.TokenResponse{AccessToken: "BQa", TokenType: "Bearer", ExpiresIn: 3600},
			`{"access_token":"BQa","token_type":"Bearer","expires_in":3600}`),
	)

	DescribeTable("WriteToken writes byte for byte what encoding/json writes, whatever the members hold",
		func(t wire.TokenResponse) {
			want, err := json.Marshal(t)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(t.AppendJSON([]byte("x")))).To(Equal("x" + string(want)))
			rec := httptest.NewRecorder()
			wire.WriteToken(rec, t)
			Expect(rec.Body.String()).To(Equal(string(want)))
			Expect(rec.Header().Get("Content-Length")).To(Equal(fmt.Sprint(len(want))))
			Expect(rec.Header().Get("Content-Type")).To(Equal("application/json;charset=UTF-8"))
		},
		Entry("HTML characters, quotes and backslashes", wire.TokenResponse{AccessToken: `BQ<a>&"b"\c`, TokenType: "Bearer", Scope: "a&b <c>", HasScope: true, ExpiresIn: 1}),
		Entry("control characters and DEL", wire.TokenResponse{AccessToken: "BQ\x00\n\t\x1f\x7f", TokenType: "Bearer", ExpiresIn: 3600, RefreshToken: "AQ\r"}),
		Entry("non-ASCII, invalid UTF-8 and line separators", wire.TokenResponse{AccessToken: "BQé\xff\u2028\u2029", TokenType: "Bearer", Scope: "ü", HasScope: true, ExpiresIn: 3600}),
		Entry("a negative and a zero lifetime, empty members", wire.TokenResponse{ExpiresIn: -5}),
		Entry("a large lifetime", wire.TokenResponse{AccessToken: "BQa", TokenType: "Bearer", ExpiresIn: 1 << 40}),
	)

	It("reads each member on its own", func() {
		t, err := wire.ParseTokenResponse([]byte(`{"access_token":"BQx","token_type":7,"expires_in":"3600","scope":"","refresh_token":null}`))
		Expect(err).NotTo(HaveOccurred())
		Expect(t).To(Equal(wire.TokenResponse{AccessToken: "BQx", HasScope: true}))
		for _, bad := range []string{`Invalid`, `null`, `[1]`, ``} {
			_, err = wire.ParseTokenResponse([]byte(bad))
			Expect(err).To(MatchError(HavePrefix("token response is not a JSON object")), bad)
		}
	})

	DescribeTable("reads the layout it writes in one pass, with the same result as reading any JSON object",
		func(body string) {
			fast, err1 := wire.ParseTokenResponse([]byte(body))
			general, err2 := wire.ParseTokenMembers([]byte(body))
			Expect(fast).To(Equal(general))
			Expect(err1 == nil).To(Equal(err2 == nil))
		},
		Entry("the fake's answer", `{"access_token":"BQa","token_type":"Bearer","scope":"user-read-private","expires_in":3600,"refresh_token":"AQb"}`),
		Entry("no scope, no refresh token", `{"access_token":"BQa","token_type":"Bearer","expires_in":3600}`),
		Entry("empty strings and a zero lifetime", `{"access_token":"","token_type":"","scope":"","expires_in":0,"refresh_token":""}`),
		Entry("a leading zero (not JSON)", `{"access_token":"BQa","token_type":"Bearer","expires_in":0123}`),
		Entry("a lifetime of 1e9 or more", `{"access_token":"BQa","token_type":"Bearer","expires_in":1000000000}`),
		Entry("an escape", `{"access_token":"B\u0051a","token_type":"Bearer","expires_in":3600}`),
		Entry("whitespace", `{"access_token": "BQa","token_type":"Bearer","expires_in":3600}`),
		Entry("trailing bytes", `{"access_token":"BQa","token_type":"Bearer","expires_in":3600}x`),
		Entry("a member twice", `{"access_token":"BQa","token_type":"Bearer","expires_in":3600,"refresh_token":"AQb","access_token":"BQc"}`),
		Entry("cut short", `{"access_token":"BQa","token_type":"Bea`),
	)

	It("prints a token response without its tokens", func() {
		t := wire.TokenResponse{AccessToken: "BQsecret-access", RefreshToken: "AQsecret-refresh", TokenType: "Bearer", ExpiresIn: 3600}
		for _, s := range []string{fmt.Sprint(t), fmt.Sprintf("%v %+v %#v %s", t, t, t, &t)} {
			Expect(s).NotTo(ContainSubstring("secret"))
		}
		Expect(t.String()).To(Equal(`token{access_token:(15 chars) token_type:"Bearer" expires_in:3600 refresh_token:(16 chars)}`))
	})
})

var _ = Describe("the Web API's error bodies", func() {
	DescribeTable("ParseAPIError",
		func(body string, ok bool, want wire.APIError) {
			e, got := wire.ParseAPIError([]byte(body))
			Expect(got).To(Equal(ok))
			Expect(e).To(Equal(want))
		},
		Entry("compact", `{"error":{"status":401,"message":"No token provided"}}`, true, wire.APIError{Status: 401, Message: wire.MsgNoToken}),
		Entry("pretty-printed, a space before the colon", "{\n  \"error\" : {\n    \"status\" : 403,\n    \"message\" : \"Insufficient client scope\"\n  }\n}",
			true, wire.APIError{Status: 403, Message: wire.MsgNoScope}),
		Entry("with a reason", `{"error":{"status":403,"message":"Player command failed: Premium required","reason":"PREMIUM_REQUIRED"}}`,
			true, wire.APIError{Status: 403, Message: "Player command failed: Premium required", Reason: "PREMIUM_REQUIRED"}),
		Entry("status as a string", `{"error":{"status":"429","message":"API rate limit exceeded"}}`, true, wire.APIError{Status: 429, Message: "API rate limit exceeded"}),
		Entry("plain text, kept exactly", wire.MsgNotAllowed2021, true, wire.APIError{Message: wire.MsgNotAllowed2021, PlainText: true}),
		Entry("empty", "", false, wire.APIError{}),
		Entry("{}", "{}", false, wire.APIError{}),
		Entry("an OAuth body", `{"error":"invalid_client"}`, false, wire.APIError{}),
	)

	DescribeTable("Body",
		func(e wire.APIError, want string) { Expect(string(e.Body())).To(Equal(want)) },
		Entry("the object", wire.APIError{Status: 403, Message: wire.MsgNoScope}, `{"error":{"status":403,"message":"Insufficient client scope"}}`),
		Entry("a restricted endpoint: status only", wire.APIError{Status: 403}, `{"error":{"status":403}}`),
		Entry("<, > and & as they are", wire.APIError{Status: 400, Message: "a<b>&c"}, `{"error":{"status":400,"message":"a<b>&c"}}`),
		Entry("plain text", wire.APIError{Status: 403, Message: wire.MsgOwnerNotPremium, PlainText: true}, wire.MsgOwnerNotPremium),
	)
})

// FuzzParseBodies: no body makes a parser panic; plain text is kept
// exactly; what ParseOAuthError reads, WriteOAuthError writes back the same.
func FuzzParseBodies(f *testing.F) {
	for _, s := range []string{`{"error":"invalid_client"}`, `{"error":{"status":"4x","message":1}}`, "plain", "", "{}",
		`{"access_token":"a","expires_in":"x"}`, "[1]", `{"error":null}`, `{"error":"a","error_description":"<&>"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tr, err := wire.ParseTokenResponse(body)
		if general, gerr := wire.ParseTokenMembers(body); tr != general || (err == nil) != (gerr == nil) {
			t.Fatalf("one-pass reading %+v, %v; general %+v, %v", tr, err, general, gerr)
		}
		if e, ok := wire.ParseAPIError(body); ok && e.PlainText && e.Message != string(body) {
			t.Fatalf("plain text changed: %q -> %q", body, e.Message)
		}
		if e, _, ok := wire.ParseOAuthError(body); ok {
			rec := httptest.NewRecorder()
			wire.WriteOAuthError(rec, 400, e)
			back, _, ok := wire.ParseOAuthError(rec.Body.Bytes())
			if !ok || back != e {
				t.Fatalf("%q: wrote %q, read back %+v", body, rec.Body, back)
			}
		}
	})
}

// BenchmarkWriteToken is a client-credentials answer and a code exchange's
// answer written to a reused ResponseWriter: what the token endpoint's
// answer costs besides net/http's own.
func BenchmarkWriteToken(b *testing.B) {
	w := httptest.NewRecorder()
	for _, t := range []wire.TokenResponse{
		{AccessToken: "BQ" + strings.Repeat("a", 200), TokenType: "Bearer", ExpiresIn: 3600},
		{AccessToken: "BQ" + strings.Repeat("a", 200), TokenType: "Bearer", Scope: "user-read-private user-read-email", HasScope: true, ExpiresIn: 3600, RefreshToken: "AQ" + strings.Repeat("r", 132)},
	} {
		b.Run(fmt.Sprintf("refresh=%t", t.RefreshToken != ""), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w.Body.Reset()
				wire.WriteToken(w, t)
			}
		})
	}
}
