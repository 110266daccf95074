package redact_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/redact"
)

const (
	clientID = "0123456789abcdef0123456789abcdef"
	secret   = "fedcba9876543210fedcba9876543210"
	token    = "BQDjriAcf5pTOKEN_value-with.dots"
)

var fp = redact.Fingerprint

// fingerprintRE matches every fingerprint, so a test can look at what is
// left outside them.
var fingerprintRE = regexp.MustCompile(`\[redacted \d+ch #[0-9a-f]{8}\]`)

func outsideFingerprints(s string) string { return fingerprintRE.ReplaceAllString(s, "\x00") }

func newSet(values ...string) *redact.Set {
	s := &redact.Set{}
	s.Add(values...)
	return s
}

var _ = Describe("Fingerprint", func() {
	It("shows the length and 8 hex digits of the SHA-256", func() {
		// sha256("secret") = 2bb80d53...
		Expect(fp("secret")).To(Equal("[redacted 6ch #2bb80d53]"))
		Expect(fp("")).To(Equal("[redacted 0ch #e3b0c442]"))
	})
	It("is stable and tells values apart", func() {
		Expect(fp(secret)).To(Equal(fp(secret)))
		Expect(fp(secret)).NotTo(Equal(fp(secret + "\n")))
		Expect(fp(secret)).NotTo(ContainSubstring(secret[:8]))
	})
	DescribeTable("IsFingerprint",
		func(s string, want bool) { Expect(redact.IsFingerprint(s)).To(Equal(want)) },
		Entry("a fingerprint", fp(secret), true),
		Entry("plain text", "hello", false),
		Entry("a fingerprint inside text", "x "+fp(secret), false),
		Entry("the prefix only", "[redacted ", false),
	)
})

var _ = Describe("Set", func() {
	It("is usable as a zero value and ignores short values", func() {
		var s redact.Set
		Expect(s.String("nothing registered")).To(Equal("nothing registered"))
		s.Add("short", "")
		Expect(s.Len()).To(Equal(0))
		Expect(s.String("a short text")).To(Equal("a short text"))
	})

	DescribeTable("String replaces a secret in the forms it travels in",
		func(value, text, want string) {
			Expect(newSet(value).String(text)).To(Equal(want))
		},
		Entry("raw", secret, "x="+secret+";", "x="+fp(secret)+";"),
		Entry("every occurrence", secret, secret+" "+secret, fp(secret)+" "+fp(secret)),
		Entry("query-escaped", "a b+c/d=e&fghij", "v=a+b%2Bc%2Fd%3De%26fghij", "v="+fp("a b+c/d=e&fghij")),
		Entry("path-escaped", "a b/c?d#efgh", "/p/a%20b%2Fc%3Fd%23efgh", "/p/"+fp("a b/c?d#efgh")),
		Entry("double query-escaped", "a/b c&defgh", "a%252Fb%2Bc%2526defgh", fp("a/b c&defgh")),
		Entry("base64 std", "secret-value!", base64.StdEncoding.EncodeToString([]byte("secret-value!")), fp("secret-value!")),
		Entry("base64 raw url", "secret-value?>", base64.RawURLEncoding.EncodeToString([]byte("secret-value?>")), fp("secret-value?>")),
		Entry("JSON-escaped newline", secret+"\n", `{"s":"`+secret+`\n"}`, `{"s":"`+fp(secret+"\n")+`"}`),
		Entry("JSON-escaped HTML characters", "a<b>&c\"quote", `"a\u003cb\u003e\u0026c\"quote"`, `"`+fp("a<b>&c\"quote")+`"`),
		Entry("unrelated text untouched", secret, "nothing to see", "nothing to see"),
	)

	It("replaces the longer of two overlapping secrets whole", func() {
		s := newSet("abcdefgh", "abcdefgh-and-more")
		Expect(s.String("abcdefgh-and-more")).To(Equal(fp("abcdefgh-and-more")))
		s.Add("abcdefgh-and-more-still")
		Expect(s.String("abcdefgh-and-more-still abcdefgh")).To(Equal(fp("abcdefgh-and-more-still") + " " + fp("abcdefgh")))
	})

	DescribeTable("AddClientCredentials covers base64(id:secret) in all four alphabets",
		func(enc *base64.Encoding) {
			// A pair whose base64 differs between the alphabets and needs padding.
			id, sec := "id>>>?", "s3cr3t??>~"
			s := &redact.Set{}
			s.AddClientCredentials(id, sec)
			b := enc.EncodeToString([]byte(id + ":" + sec))
			out := s.String("Authorization: Basic " + b)
			Expect(out).To(Equal("Authorization: Basic " + fp(id+":"+sec)))
			Expect(s.String(sec)).To(Equal(fp(sec)))
		},
		Entry("standard", base64.StdEncoding),
		Entry("URL-safe", base64.URLEncoding),
		Entry("standard, unpadded", base64.RawStdEncoding),
		Entry("URL-safe, unpadded", base64.RawURLEncoding),
	)

	It("is safe for concurrent Add and String", func() {
		s := &redact.Set{}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(2)
			v := strings.Repeat(string(rune('a'+i)), 10+i)
			go func() { defer wg.Done(); s.Add(v) }()
			go func() { defer wg.Done(); _ = s.String(v + " " + v) }()
		}
		wg.Wait()
		for i := range 8 {
			v := strings.Repeat(string(rune('a'+i)), 10+i)
			Expect(s.String(v)).To(Equal(fp(v)))
		}
	})
})

var _ = Describe("Authorization and Header", func() {
	DescribeTable("Authorization keeps the scheme and the whitespace as written",
		func(in, want string) { Expect(redact.Authorization(in)).To(Equal(want)) },
		Entry("Basic", "Basic "+base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret)),
			"Basic "+fp(base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret)))),
		Entry("Bearer", "Bearer "+token, "Bearer "+fp(token)),
		Entry("no scheme", token, fp(token)),
		Entry("empty", "", ""),
		Entry("only spaces", "  ", "  "),
		Entry("trailing newline shown", "Basic abcdefgh\n", "Basic "+fp("abcdefgh")+"\n"),
		Entry("leading space shown", " Bearer abcdefgh", " Bearer "+fp("abcdefgh")),
		Entry("double space after scheme", "Basic  abcdefgh", "Basic  "+fp("abcdefgh")),
		Entry("line break inside the credentials", "Basic YWJj\nZGVm", "Basic "+fp("YWJj\nZGVm")),
	)

	It("redacts each header by what it carries", func() {
		s := newSet(secret)
		h := http.Header{
			"Authorization":    {"Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret))},
			"Location":         {"http://127.0.0.1:8888/callback?code=AQBD4CLvpVxyz&state=s1"},
			"Cookie":           {"sp_dc=abc123; sp_key=def456"},
			"Set-Cookie":       {"session=xyz789; Path=/; HttpOnly; SameSite=Lax"},
			"X-Echo":           {"you sent " + secret},
			"Content-Type":     {"application/json"},
			"Www-Authenticate": {`Bearer realm="spotify"`},
		}
		out := s.Header(h)
		Expect(out.Get("Authorization")).To(Equal("Basic " + fp(base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret)))))
		Expect(out.Get("Location")).To(Equal("http://127.0.0.1:8888/callback?code=" + fp("AQBD4CLvpVxyz") + "&state=s1"))
		Expect(out.Get("Cookie")).To(Equal("sp_dc=" + fp("abc123") + "; sp_key=" + fp("def456")))
		Expect(out.Get("Set-Cookie")).To(Equal("session=" + fp("xyz789") + "; Path=/; HttpOnly; SameSite=Lax"))
		Expect(out.Get("X-Echo")).To(Equal("you sent " + fp(secret)))
		Expect(out.Get("Content-Type")).To(Equal("application/json"))
		Expect(out.Get("Www-Authenticate")).To(Equal(`Bearer realm="spotify"`))
		Expect(h.Get("X-Echo")).To(ContainSubstring(secret), "the input is not modified")
		Expect(s.Header(nil)).To(BeNil())
	})
})

var _ = Describe("Form, Values and URL", func() {
	DescribeTable("Form",
		func(set *redact.Set, in, want string) { Expect(set.Form(in)).To(Equal(want)) },
		Entry("sensitive fields, order kept", newSet(),
			"grant_type=authorization_code&code=AQxyz&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcb&code_verifier=ver-ifier",
			"grant_type=authorization_code&code="+fp("AQxyz")+"&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcb&code_verifier="+fp("ver-ifier")),
		Entry("fingerprint of the decoded value", newSet(),
			"client_secret=a%2Bb%3D", "client_secret="+fp("a+b=")),
		Entry("escaped key", newSet(), "client%5Fsecret=xyz", "client%5Fsecret="+fp("xyz")),
		Entry("empty sensitive value kept", newSet(), "code=&state=1", "code=&state=1"),
		Entry("malformed pairs kept", newSet(secret),
			"&&novalue&code=a=b&%zz="+secret+"&"+secret,
			"&&novalue&code="+fp("a=b")+"&%zz="+fp(secret)+"&"+fp(secret)),
		Entry("bad escape in a sensitive value", newSet(), "code=%zz", "code="+fp("%zz")),
		Entry("registered secret in another field", newSet(secret), "note="+secret, "note="+fp(secret)),
		Entry("repeated field", newSet(), "token=aaa&token=bbb", "token="+fp("aaa")+"&token="+fp("bbb")),
	)

	It("Values fingerprints sensitive fields and copies", func() {
		in := url.Values{"code": {"AQabc"}, "state": {"xyz " + secret}, "refresh_token": {""}}
		out := newSet(secret).Values(in)
		Expect(out).To(Equal(url.Values{"code": {fp("AQabc")}, "state": {"xyz " + fp(secret)}, "refresh_token": {""}}))
		Expect(in["code"]).To(Equal([]string{"AQabc"}))
	})

	DescribeTable("URL",
		func(set *redact.Set, in, want string) { Expect(set.URL(in)).To(Equal(want)) },
		Entry("query", newSet(), "http://127.0.0.1:8888/cb?code=AQxyz&state=abc", "http://127.0.0.1:8888/cb?code="+fp("AQxyz")+"&state=abc"),
		Entry("fragment (implicit grant)", newSet(), "http://h/cb#access_token=BQabc&token_type=Bearer&expires_in=3600",
			"http://h/cb#access_token="+fp("BQabc")+"&token_type=Bearer&expires_in=3600"),
		Entry("query and fragment", newSet(), "/cb?code=x1#token=y2", "/cb?code="+fp("x1")+"#token="+fp("y2")),
		Entry("secret in the path", newSet(token), "https://api/v1/"+token+"/x", "https://api/v1/"+fp(token)+"/x"),
		Entry("userinfo password", newSet(), "http://proxyuser:pa%40ss@proxy:3128/", "http://proxyuser:"+fp("pa@ss")+"@proxy:3128/"),
		Entry("userinfo without password", newSet(), "http://user@host/x", "http://user@host/x"),
		Entry("not a URL", newSet(secret), "::: "+secret, "::: "+fp(secret)),
		Entry("error without code untouched", newSet(), "http://h/cb?error=access_denied&state=s", "http://h/cb?error=access_denied&state=s"),
	)
})

var _ = Describe("JSON", func() {
	DescribeTable("JSON keeps the text as received",
		func(set *redact.Set, in, want string) { Expect(set.JSON(in)).To(Equal(want)) },
		Entry("token response",
			newSet(),
			`{"access_token":"BQabc","token_type":"Bearer","scope":"user-read-email","expires_in":3600,"refresh_token":"AQdef"}`,
			`{"access_token":"`+fp("BQabc")+`","token_type":"Bearer","scope":"user-read-email","expires_in":3600,"refresh_token":"`+fp("AQdef")+`"}`),
		Entry("pretty-printed with a space before the colon", newSet(),
			"{\n  \"access_token\" : \"BQabc\",\n  \"x\" : 1\n}",
			"{\n  \"access_token\" : \""+fp("BQabc")+"\",\n  \"x\" : 1\n}"),
		Entry("nested", newSet(), `{"data":{"grant":[{"code":"AQ1"},{"password":"pw"}]}}`,
			`{"data":{"grant":[{"code":"`+fp("AQ1")+`"},{"password":"`+fp("pw")+`"}]}}`),
		Entry("escaped quotes inside a value", newSet(), `{"note":"say \"code\": \"x\"","token":"a\"b"}`,
			`{"note":"say \"code\": \"x\"","token":"`+fp(`a"b`)+`"}`),
		Entry("an escaped backslash before the closing quote", newSet(), `{"token":"ab\\","x":"y"}`, `{"token":"`+fp(`ab\`)+`","x":"y"}`),
		Entry("an escaped backslash, then an escaped quote", newSet(), `{"token":"a\\\"b","x":"y"}`, `{"token":"`+fp(`a\"b`)+`","x":"y"}`),
		Entry("escaped value fingerprints the decoded value", newSet(), `{"client_secret":"ab\/cd"}`, `{"client_secret":"`+fp("ab/cd")+`"}`),
		Entry("escaped key", newSet(), `{"access\u005ftoken":"BQabc"}`, `{"access\u005ftoken":"`+fp("BQabc")+`"}`),
		Entry("non-string values kept", newSet(), `{"code":123,"token":null,"password":true,"access_token":{"x":1}}`,
			`{"code":123,"token":null,"password":true,"access_token":{"x":1}}`),
		Entry("empty value kept", newSet(), `{"refresh_token":""}`, `{"refresh_token":""}`),
		Entry("a value named like a field is not a key", newSet(), `["code","plain"]`, `["code","plain"]`),
		Entry("registered secret elsewhere", newSet(secret), `{"error_description":"bad `+secret+`"}`, `{"error_description":"bad `+fp(secret)+`"}`),
		Entry("API error untouched", newSet(), `{"error":{"status":401,"message":"Invalid access token"}}`, `{"error":{"status":401,"message":"Invalid access token"}}`),
		Entry("unterminated key", newSet(), `{"code`, `{"code`),
		Entry("lone quote", newSet(), `"`, `"`),
		Entry("unterminated value", newSet(), `{"code":"AQ`, `{"code":"`+fp("AQ")+`"`),
		Entry("key at the end", newSet(), `{"code"`, `{"code"`),
		Entry("colon at the end", newSet(), `{"code": `, `{"code": `),
	)

	DescribeTable("Body picks the redaction by content type, and by shape when the type lies",
		func(ct, in, want string) { Expect(newSet(secret).Body(ct, in)).To(Equal(want)) },
		Entry("JSON", "application/json; charset=utf-8", `{"access_token":"BQa"}`, `{"access_token":"`+fp("BQa")+`"}`),
		Entry("form", "application/x-www-form-urlencoded", "code=AQa&state=1", "code="+fp("AQa")+"&state=1"),
		Entry("JSON sent as a form (web-api#1503)", "application/x-www-form-urlencoded", `{"grant_type":"client_credentials","client_secret":"xyz"}`,
			`{"grant_type":"client_credentials","client_secret":"`+fp("xyz")+`"}`),
		Entry("form sent as JSON", "application/json", "grant_type=x&client_secret=xyz", "grant_type=x&client_secret="+fp("xyz")),
		Entry("JSON without a content type", "", ` {"token":"abc"}`, ` {"token":"`+fp("abc")+`"}`),
		Entry("plain text", "text/plain", "Check settings on developer.spotify.com/dashboard, the user may not be registered.",
			"Check settings on developer.spotify.com/dashboard, the user may not be registered."),
		Entry("plain text with a registered secret", "text/plain", "secret is "+secret, "secret is "+fp(secret)),
		Entry("HTML scrubbed as text", "text/html", `<a href="/x?code=abc">`+secret+`</a>`, `<a href="/x?code=abc">`+fp(secret)+`</a>`),
		Entry("empty", "application/json", "", ""),
	)
})

// Fuzzing: the redactors never panic, and a registered secret never
// survives outside a fingerprint. Secrets are kept to the characters real
// secrets and tokens use; a secret spelled like a piece of a fingerprint
// ("redacted") could be "found" inside one, which is not a leak.

func fuzzSecret(s string) (string, bool) {
	if len(s) < 8 || len(s) > 64 || strings.Contains(s, "redacted") {
		return "", false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return "", false
		}
	}
	return s, true
}

func checkNoSecret(t *testing.T, name, in, out, sec string) {
	t.Helper()
	if strings.Contains(outsideFingerprints(out), sec) {
		t.Fatalf("%s: secret %q survived\n in: %q\nout: %q", name, sec, in, out)
	}
}

func FuzzForm(f *testing.F) {
	f.Add("grant_type=authorization_code&code=AQxyz&redirect_uri=http%3A%2F%2Fh", secret)
	f.Add("&&=&%zz=%&code=%", secret)
	f.Add("client_secret="+secret+"&x="+url.QueryEscape(secret), secret)
	f.Add("a="+base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret)), secret)
	f.Fuzz(func(t *testing.T, body, raw string) {
		s := &redact.Set{}
		_ = s.Form(body)
		sec, ok := fuzzSecret(raw)
		if !ok {
			return
		}
		s.AddClientCredentials(clientID, sec)
		in := body + "&x=" + sec + "&" + url.QueryEscape(sec) + body
		checkNoSecret(t, "Form", in, s.Form(in), sec)
	})
}

func FuzzURL(f *testing.F) {
	f.Add("http://127.0.0.1:8888/cb?code=AQxyz&state=s#access_token=BQ", secret)
	f.Add("://@:#?&=%", secret)
	f.Add("http://u:p@h/?#", secret)
	f.Fuzz(func(t *testing.T, u, raw string) {
		s := &redact.Set{}
		_ = s.URL(u)
		sec, ok := fuzzSecret(raw)
		if !ok {
			return
		}
		s.Add(sec)
		in := u + sec + "?" + u + "=" + sec + "#" + sec + u
		checkNoSecret(t, "URL", in, s.URL(in), sec)
	})
}

func FuzzJSON(f *testing.F) {
	f.Add(`{"access_token":"BQabc","refresh_token":"AQ","expires_in":3600}`, secret)
	f.Add(`{"code`, secret)
	f.Add(`"`, secret)
	f.Add(`{"a":"\"","code":"\\"}`, secret)
	f.Add("{\n  \"error\" : {\n    \"status\" : 403\n  }\n}", secret)
	f.Fuzz(func(t *testing.T, body, raw string) {
		s := &redact.Set{}
		_ = s.JSON(body)
		_ = s.Body("application/json", body)
		sec, ok := fuzzSecret(raw)
		if !ok {
			return
		}
		s.Add(sec)
		q, _ := json.Marshal(sec)
		in := body + `{"x":` + string(q) + `,"y":"` + sec + `"}` + body + sec
		checkNoSecret(t, "JSON", in, s.JSON(in), sec)
	})
}
