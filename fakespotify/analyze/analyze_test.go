package analyze_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var t0 = time.Date(2026, 9, 30, 9, 0, 0, 0, time.UTC)

const (
	clientID = "30670aa0c417b0aa8d5f7c42a7b37a1b"
	secret   = "9c2d1f0e8b7a6c5d4e3f2a1b0c9d8e7f"
	redirect = "http://127.0.0.1:8080/callback"
)

var basic = http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret))}}

func authorize(at time.Duration, state string) wire.Exchange {
	q := url.Values{"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "state": {state}}
	return wire.Exchange{Started: t0.Add(at), Method: "GET", URL: "https://accounts.spotify.com/authorize?" + q.Encode(), Status: 302}
}

func callback(at time.Duration, code, state string) wire.Exchange {
	return wire.Exchange{Started: t0.Add(at), Method: "GET", URL: redirect + "?" + url.Values{"code": {code}, "state": {state}}.Encode(), Status: 200}
}

func token(at time.Duration, h http.Header, form url.Values, status int, body string) wire.Exchange {
	return wire.Exchange{Started: t0.Add(at), Method: "POST", URL: "https://accounts.spotify.com/api/token", RequestHeaders: h,
		RequestBody: form.Encode(), Status: status, ResponseBody: body}
}

func exchange(code, redirectURI string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
}

func api(at time.Duration, path, access string, status int, h http.Header, body string) wire.Exchange {
	return wire.Exchange{Started: t0.Add(at), Method: "GET", URL: "https://api.spotify.com" + path,
		RequestHeaders: http.Header{"Authorization": {"Bearer " + access}}, Status: status, ResponseHeaders: h, ResponseBody: body}
}

const (
	issued      = `{"access_token":"BQDaccess","token_type":"Bearer","expires_in":3600,"refresh_token":"AQCrefresh","scope":"user-read-private"}`
	rotated     = `{"access_token":"BQDaccess2","token_type":"Bearer","expires_in":3600,"refresh_token":"AQCrotated"}`
	badCode     = `{"error":"invalid_grant","error_description":"Invalid authorization code"}`
	badRedirect = `{"error":"invalid_grant","error_description":"Invalid redirect URI"}`
	badSecret   = `{"error":"invalid_client","error_description":"Invalid client secret"}`
	revoked     = `{"error":"invalid_grant","error_description":"Refresh token revoked"}`
)

type found struct {
	ID    analyze.ID
	Cause string
}

func analyzeAll(xs ...wire.Exchange) []found {
	var out []found
	for _, f := range analyze.Analyze(analyze.Read(xs), analyze.Options{}) {
		out = append(out, found{f.ID, f.Cause})
	}
	return out
}

var _ = Describe("Analyze", func() {
	DescribeTable("names each mistake once, with the catalog's id and cause",
		func(want []found, xs ...wire.Exchange) {
			Expect(analyzeAll(xs...)).To(Equal(want))
		},
		Entry("a good flow: nothing", []found(nil),
			authorize(0, "s1"), callback(time.Second, "AQcode", "s1"),
			token(2*time.Second, basic, exchange("AQcode", redirect), 200, issued),
			api(3*time.Second, "/v1/me", "BQDaccess", 200, nil, "{}")),
		Entry("redirect_uri with a trailing slash at /api/token", []found{{analyze.TokenRedirectURIMismatch, "two-places"}},
			authorize(0, "s1"), callback(time.Second, "AQcode", "s1"),
			token(2*time.Second, basic, exchange("AQcode", redirect+"/"), 400, badRedirect)),
		Entry("the callback handled twice", []found{{analyze.CodeInvalid, "reused"}},
			authorize(0, "s1"), callback(time.Second, "AQcode", "s1"),
			token(2*time.Second, basic, exchange("AQcode", redirect), 200, issued),
			token(3*time.Second, basic, exchange("AQcode", redirect), 400, badCode)),
		Entry("golang.org/x/oauth2's auth-style retry", []found{{analyze.CodeInvalid, "auth-style-retry"}},
			authorize(0, "s1"), callback(time.Second, "AQcode", "s1"),
			token(2*time.Second, basic, exchange("AQcode", redirect), 401, badSecret),
			token(2*time.Second+100*time.Millisecond, nil, func() url.Values {
				v := exchange("AQcode", redirect)
				v.Set("client_id", clientID)
				v.Set("client_secret", secret)
				return v
			}(), 400, badCode)),
		Entry("a code exchanged 11 minutes after the callback", []found{{analyze.CodeExpired, "slow"}},
			authorize(0, "s1"), callback(time.Second, "AQcode", "s1"),
			token(11*time.Minute+time.Second+time.Millisecond, basic, exchange("AQcode", redirect), 400,
				`{"error":"invalid_grant","error_description":"Authorization code expired"}`)),
		Entry("a state that came back different", []found{{analyze.StateMismatch, ""}},
			authorize(0, "s1"), callback(time.Second, "AQcode", "s2")),
		Entry("a rotated refresh token used again", []found{{analyze.RefreshTokenRevoked, "rotated"}},
			token(0, basic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"AQCrefresh"}}, 200, rotated),
			token(time.Second, basic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"AQCrefresh"}}, 400, revoked)),
		Entry("an access token used after expires_in", []found{{analyze.AccessTokenExpired, "expired"}},
			token(0, basic, url.Values{"grant_type": {"client_credentials"}}, 200, issued),
			api(2*time.Hour, "/v1/tracks/x", "BQDaccess", 401, nil, `{"error":{"status":401,"message":"The access token expired"}}`)),
		Entry("a 429 called again before Retry-After", []found{{analyze.RateLimited, "ignores-retry-after"}},
			api(0, "/v1/me/tracks?limit=50", "BQDaccess", 429, http.Header{"Retry-After": {"30"}}, ""),
			api(time.Second, "/v1/me/tracks?offset=50", "BQDaccess", 200, nil, "{}")),
		Entry("a 429 holds every Web API call of the app, not only its path", []found{{analyze.RateLimited, "ignores-retry-after"}},
			api(0, "/v1/me", "BQDaccess", 429, http.Header{"Retry-After": {"30"}}, ""),
			api(time.Second, "/v1/me/playlists", "BQDaccess", 200, nil, "{}")),
		Entry("a Retry-After given as an HTTP-date", []found{{analyze.RateLimited, "ignores-retry-after"}},
			api(0, "/v1/me", "BQDaccess", 429, http.Header{"Retry-After": {t0.Add(time.Minute).Format(http.TimeFormat)}}, ""),
			api(time.Second, "/v1/me", "BQDaccess", 200, nil, "{}")),
		Entry("the token endpoint is a bucket of its own", []found{{analyze.RateLimited, "ignores-retry-after"}},
			func() wire.Exchange {
				x := token(0, basic, url.Values{"grant_type": {"client_credentials"}}, 429, "")
				x.ResponseHeaders = http.Header{"Retry-After": {"5"}}
				return x
			}(),
			api(time.Second, "/v1/me", "BQDaccess", 200, nil, "{}"),
			token(2*time.Second, basic, url.Values{"grant_type": {"client_credentials"}}, 200, issued)),
		Entry("a Web API 429 does not hold the token endpoint", []found{{analyze.RateLimited, "burst"}},
			api(0, "/v1/me", "BQDaccess", 429, http.Header{"Retry-After": {"30"}}, ""),
			token(time.Second, basic, url.Values{"grant_type": {"client_credentials"}}, 200, issued)),
		Entry("a 429 waited out", []found{{analyze.RateLimited, "burst"}},
			api(0, "/v1/me/tracks", "BQDaccess", 429, http.Header{"Retry-After": {"30"}}, ""),
			api(31*time.Second, "/v1/me/tracks", "BQDaccess", 200, nil, "{}")),
	)

	It("reads exchanges in time order, whatever order they come in", func() {
		Expect(analyzeAll(
			token(3*time.Second, basic, exchange("AQcode", redirect), 400, badCode),
			callback(time.Second, "AQcode", "s1"),
			token(2*time.Second, basic, exchange("AQcode", redirect), 200, issued),
			authorize(0, "s1"),
		)).To(Equal([]found{{analyze.CodeInvalid, "reused"}}))
	})

	It("cites the exchanges by index and never prints a code", func() {
		xs := []wire.Exchange{authorize(0, "s1"), callback(time.Second, "AQsecretcode", "s1"),
			token(2*time.Second, basic, exchange("AQsecretcode", redirect), 200, issued),
			token(3*time.Second, basic, exchange("AQsecretcode", redirect), 400, badCode)}
		fs := analyze.Analyze(analyze.Read(xs), analyze.Options{Fingerprint: func(string) string { return "[fp]" }})
		Expect(fs).To(HaveLen(1))
		Expect(fs[0].Exchanges).To(Equal([]int{3, 2}))
		for _, f := range fs[0].Facts {
			Expect(f).NotTo(ContainSubstring("AQsecretcode"))
		}
		Expect(fs[0].Facts[0]).To(ContainSubstring("[fp]"))
	})

	It("keeps one answer per code among thousands of flows", func() {
		var xs []wire.Exchange
		for i := range 2000 {
			code := "AQcode" + string(rune('a'+i%26)) + time.Duration(i).String()
			at := time.Duration(i) * 10 * time.Second
			xs = append(xs, authorize(at, "s"), callback(at+time.Second, code, "s"),
				token(at+2*time.Second, basic, exchange(code, redirect), 200, issued),
				token(at+3*time.Second, basic, exchange(code, redirect), 400, badCode))
		}
		fs := analyzeAll(xs...)
		Expect(fs).To(HaveLen(2000))
		Expect(fs).To(HaveEach(found{analyze.CodeInvalid, "reused"}))
	})
})

var _ = Describe("AuthStyleRetry", func() {
	pkce := url.Values{"grant_type": {"authorization_code"}, "code": {"AQcode"}, "client_id": {clientID}, "code_verifier": {"v"}}
	noSecretBasic := http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"))}}
	DescribeTable("recognises x/oauth2's AuthStyleAutoDetect: Basic that failed, then the body",
		func(first, second wire.Exchange, want bool) {
			Expect(analyze.AuthStyleRetry(analyze.TokenOf(&first), analyze.TokenOf(&second))).To(Equal(want))
		},
		Entry("a confidential client: Basic, then client_id and client_secret", token(0, basic, exchange("AQcode", redirect), 401, badSecret),
			token(time.Second, nil, func() url.Values {
				v := exchange("AQcode", redirect)
				v.Set("client_id", clientID)
				v.Set("client_secret", secret)
				return v
			}(), 400, badCode), true),
		Entry("a PKCE client: Basic without a secret, then client_id only", token(0, noSecretBasic, pkce, 400, badSecret),
			token(time.Second, nil, pkce, 200, issued), true),
		Entry("not when the first attempt worked", token(0, basic, exchange("AQcode", redirect), 200, issued),
			token(time.Second, nil, pkce, 400, badCode), false),
		Entry("not when both used Basic (a reused code)", token(0, basic, exchange("AQcode", redirect), 400, badRedirect),
			token(time.Second, basic, exchange("AQcode", redirect), 400, badCode), false),
	)
})

// store is an analyze.Issuer as the fake's store answers.
type store struct {
	before  map[string]bool
	expiry  map[string]time.Time
	rotated map[string]bool
}

func (s store) CodeIssuedBefore(code string) bool { return s.before[code] }
func (s store) AccessExpiry(token string) (time.Time, bool) {
	t, ok := s.expiry[token]
	return t, ok
}
func (s store) RefreshRotated(token string) bool { return s.rotated[token] }

var _ = Describe("the options a grading server adds", func() {
	refresh := func(at time.Duration, status int, body string) wire.Exchange {
		return token(at, basic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"AQCrefresh"}}, status, body)
	}
	DescribeTable("judge what explain, without them, leaves alone",
		func(o analyze.Options, without, with []found, xs ...wire.Exchange) {
			judge := func(o analyze.Options) []found {
				var out []found
				for _, f := range analyze.Analyze(analyze.Read(slices.Clone(xs)), o) {
					out = append(out, found{f.ID, f.Cause})
				}
				return out
			}
			Expect(judge(analyze.Options{})).To(Equal(without), "without")
			Expect(judge(o)).To(Equal(with), "with")
		},
		Entry("Accepted: a redirect_uri that a lenient server let through", analyze.Options{Accepted: true},
			[]found(nil), []found{{analyze.TokenRedirectURIMismatch, "two-places"}},
			authorize(0, "s1"), callback(time.Second, "AQcode", "s1"),
			token(2*time.Second, basic, exchange("AQcode", redirect+"/"), 200, issued)),
		Entry("LateExchange: a code exchanged 90 s after its callback", analyze.Options{Accepted: true, LateExchange: time.Minute},
			[]found(nil), []found{{analyze.CodeExpired, "late"}},
			authorize(0, "s1"), callback(time.Second, "AQcode", "s1"),
			token(91*time.Second+time.Millisecond, basic, exchange("AQcode", redirect), 200, issued)),
		Entry("CodeLifetime: the server's codes live 20 minutes", analyze.Options{CodeLifetime: 20 * time.Minute},
			[]found{{analyze.CodeExpired, "slow"}}, []found(nil),
			authorize(0, "s1"), callback(time.Second, "AQcode", "s1"),
			token(11*time.Minute+2*time.Second, basic, exchange("AQcode", redirect), 400, badCode)),
		Entry("Issuer: a code from before the exchanges is not held to a guessed authorize request",
			analyze.Options{Issuer: store{before: map[string]bool{"AQold": true}}},
			[]found{{analyze.TokenRedirectURIMismatch, "two-places"}}, []found(nil),
			authorize(0, "s1"),
			token(2*time.Second, basic, exchange("AQold", redirect+"/"), 400, badCode)),
		Entry("Issuer: a refresh token rotated before the exchanges", analyze.Options{Issuer: store{rotated: map[string]bool{"AQCrefresh": true}}},
			[]found(nil), []found{{analyze.RefreshTokenRevoked, "rotated"}},
			refresh(0, 400, revoked)),
		Entry("Issuer and Accepted: an access token past the store's expiry, answered by a fault",
			analyze.Options{Accepted: true, Issuer: store{expiry: map[string]time.Time{"BQDold": t0.Add(time.Minute)}}},
			[]found(nil), []found{{analyze.AccessTokenExpired, "expired"}},
			api(2*time.Minute, "/v1/me", "BQDold", 500, nil, "")),
		Entry("SentAfter: a call already in flight when the 429 was answered", analyze.Options{SentAfter: func(i, j int) bool { return false }},
			[]found{{analyze.RateLimited, "ignores-retry-after"}}, []found{{analyze.RateLimited, "burst"}},
			api(0, "/v1/me", "BQDaccess", 429, http.Header{"Retry-After": {"30"}}, ""),
			api(time.Millisecond, "/v1/me", "BQDaccess", 200, nil, "{}")),
		Entry("Injected: an injected answer rotates nothing", analyze.Options{Accepted: true, Injected: func(i int) bool { return i == 0 }},
			[]found{{analyze.RefreshTokenRevoked, "rotated"}}, []found(nil),
			refresh(0, 200, rotated), refresh(time.Second, 400, revoked)),
	)

	It("cites an expired token's use, then the answer that issued it, and says when it expired", func() {
		xs := []wire.Exchange{token(0, basic, url.Values{"grant_type": {"client_credentials"}}, 200, issued),
			api(2*time.Hour, "/v1/me", "BQDaccess", 200, nil, "{}")}
		fs := analyze.Analyze(analyze.Read(xs), analyze.Options{Accepted: true})
		Expect(fs).To(HaveLen(1))
		Expect(fs[0].Exchanges).To(Equal([]int{1, 0}))
		Expect(fs[0].Expiry).To(Equal(t0.Add(time.Hour)))
	})
})

var _ = DescribeTable("MethodProblem reads code_challenge_method as RFC 7636 does (case-sensitive)",
	func(challenge, method, want string) {
		Expect(analyze.MethodProblem(challenge, method)).To(Equal(want))
	},
	Entry("S256", "abc", "S256", ""),
	Entry("no PKCE at all", "", "", ""),
	Entry("a challenge without a method is plain", "abc", "", analyze.MethodMissing),
	Entry("plain", "abc", "plain", analyze.MethodPlain),
	Entry("PLAIN", "abc", "PLAIN", analyze.MethodPlain),
	Entry("s256 in lower case", "abc", "s256", analyze.MethodOther),
)

// The doctor and DiagnosePKCE both read a pair through ChallengeOf.
var _ = DescribeTable("ChallengeOf names how a challenge was made from its verifier",
	func(challenge func(digest []byte) string, wantCause string, wantDerived bool) {
		const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 Appendix B
		sum := sha256.Sum256([]byte(verifier))
		cause, derived := analyze.ChallengeOf(challenge(sum[:]), verifier)
		Expect(cause).To(Equal(wantCause))
		Expect(derived).To(Equal(wantDerived))
	},
	Entry("S256 exactly (RFC 7636 Appendix B's E9Melhoa…)", func(d []byte) string { return base64.RawURLEncoding.EncodeToString(d) }, "", true),
	Entry("base64url with padding", func(d []byte) string { return base64.URLEncoding.EncodeToString(d) }, "padding", true),
	Entry("standard base64 with padding", func(d []byte) string { return base64.StdEncoding.EncodeToString(d) }, "padding", true),
	Entry("hex of the digest", func(d []byte) string { return hex.EncodeToString(d) }, "hex", true),
	Entry("HEX of the digest", func(d []byte) string { return strings.ToUpper(hex.EncodeToString(d)) }, "hex", true),
	Entry("standard base64 without padding", func(d []byte) string { return base64.RawStdEncoding.EncodeToString(d) }, "alphabet", true),
	Entry("the verifier itself", func([]byte) string { return "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" }, "plain", true),
	Entry("another verifier's challenge", func([]byte) string { return wire.S256("another-verifier-of-forty-three-characters-x") }, "", false),
)
