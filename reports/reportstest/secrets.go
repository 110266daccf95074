// Package reportstest helps tests prove that reports leak nothing: a check
// for secrets in every encoding a report could carry them in, and sample
// results to render.
package reportstest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// BasicPair is what an HTTP Basic Authorization header encodes:
// "clientID:secret". Pass it to AssertNoSecrets along with the secret to
// also check base64("id:secret") in every alphabet.
func BasicPair(clientID, secret string) string { return clientID + ":" + secret }

// AssertNoSecrets returns an error naming every output (by its key, such as
// "report.html") that holds one of secrets, in clear or in any encoding
// a report may use:
//
//   - as is; URL query-, path- and double query-escaped;
//   - base64 in the standard and URL-safe alphabets, padded and raw;
//   - each of those escaped for HTML (as html/template and as html.EscapeString
//     write it), for JSON strings and for XML;
//   - inside base64 blobs of the output (data: URIs, JSON "png" fields),
//     which it decodes and searches the same way, two levels deep;
//   - after HTML entities in the output are decoded.
//
// The error never quotes a secret: it names it by position, length and a
// short SHA-256, so test output cannot become the leak it looks for. An
// empty secret is an error (it would match everything).
func AssertNoSecrets(outputs map[string][]byte, secrets ...string) error {
	forms := map[string]string{} // encoded form -> description
	for i, s := range secrets {
		if s == "" {
			return fmt.Errorf("reportstest: secret #%d is empty", i+1)
		}
		for form, how := range encodings(s) {
			if _, ok := forms[form]; !ok {
				forms[form] = fmt.Sprintf("secret #%d (%s) %s", i+1, describe(s), how)
			}
		}
	}
	ordered := make([]string, 0, len(forms))
	for f := range forms {
		ordered = append(ordered, f)
	}
	sort.Strings(ordered)

	names := make([]string, 0, len(outputs))
	for n := range outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	var problems []string
	for _, n := range names {
		problems = append(problems, scan(n, outputs[n], ordered, forms, 0)...)
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New("secrets found in reports:\n  " + strings.Join(problems, "\n  "))
}

// describe names a secret without revealing it.
func describe(s string) string {
	sum := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%d chars, sha256 %s", len(s), hex.EncodeToString(sum[:4]))
}

var b64Run = regexp.MustCompile(`[A-Za-z0-9+/_-]{16,}={0,2}`)

func scan(where string, data []byte, ordered []string, forms map[string]string, depth int) []string {
	var problems []string
	views := [][]byte{data}
	if bytes.Contains(data, []byte("&")) {
		if un := []byte(html.UnescapeString(string(data))); !bytes.Equal(un, data) {
			views = append(views, un)
		}
	}
	for vi, view := range views {
		suffix := ""
		if vi == 1 {
			suffix = " (after decoding HTML entities)"
		}
		for _, f := range ordered {
			if bytes.Contains(view, []byte(f)) {
				problems = append(problems, fmt.Sprintf("%s: holds %s%s", where, forms[f], suffix))
			}
		}
	}
	if depth >= 2 {
		return dedupe(problems)
	}
	seen := map[string]bool{}
	for _, view := range views {
		for _, loc := range b64Run.FindAllIndex(view, -1) {
			run := string(view[loc[0]:loc[1]])
			if seen[run] {
				continue
			}
			seen[run] = true
			for _, dec := range decodings(run) {
				sub := fmt.Sprintf("%s (base64 at byte %d, decoded)", where, loc[0])
				problems = append(problems, scan(sub, dec, ordered, forms, depth+1)...)
			}
		}
	}
	return dedupe(problems)
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, p := range in {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

var alphabets = []struct {
	name string
	enc  *base64.Encoding
}{
	{"base64", base64.StdEncoding},
	{"base64url", base64.URLEncoding},
	{"raw base64", base64.RawStdEncoding},
	{"raw base64url", base64.RawURLEncoding},
}

// decodings returns the distinct decodings of a base64-looking run.
func decodings(run string) [][]byte {
	var out [][]byte
	trimmed := strings.TrimRight(run, "=")
	for _, a := range alphabets {
		in := run
		if a.enc == base64.RawStdEncoding || a.enc == base64.RawURLEncoding {
			in = trimmed
		}
		dec, err := a.enc.DecodeString(in)
		if err != nil || len(dec) == 0 {
			continue
		}
		dup := false
		for _, o := range out {
			if bytes.Equal(o, dec) {
				dup = true
			}
		}
		if !dup {
			out = append(out, dec)
		}
	}
	return out
}

// encodings returns every form of s to look for, with how it was made.
func encodings(s string) map[string]string {
	base := map[string]string{s: "in clear"}
	for _, a := range alphabets {
		base[a.enc.EncodeToString([]byte(s))] = "as " + a.name
	}
	out := map[string]string{}
	for form, how := range base {
		for wrapped, w := range wrappers(form) {
			desc := how
			if w != "" {
				desc += ", " + w
			}
			if _, ok := out[wrapped]; !ok {
				out[wrapped] = desc
			}
		}
		// Two wrappers deep: a URL-escaped value inside HTML or JSON.
		for inner, w1 := range wrappers(form) {
			for wrapped, w2 := range wrappers(inner) {
				if _, ok := out[wrapped]; !ok {
					out[wrapped] = how + ", " + w1 + ", " + w2
				}
			}
		}
	}
	return out
}

func wrappers(s string) map[string]string {
	out := map[string]string{s: ""}
	add := func(v, how string) {
		if _, ok := out[v]; !ok {
			out[v] = how
		}
	}
	add(url.QueryEscape(s), "URL query-escaped")
	add(url.PathEscape(s), "URL path-escaped")
	add(url.QueryEscape(url.QueryEscape(s)), "URL query-escaped twice")
	add(htmlTemplateEscape(s), "HTML-escaped (html/template)")
	add(html.EscapeString(s), "HTML-escaped")
	if j, err := json.Marshal(s); err == nil {
		add(string(j[1:len(j)-1]), "JSON-escaped")
	}
	var x bytes.Buffer
	if err := xml.EscapeText(&x, []byte(s)); err == nil {
		add(x.String(), "XML-escaped")
	}
	return out
}

// htmlTemplateEscape mirrors html/template's escaping of text and
// attribute values, which also encodes '+' (common in base64).
var htmlTemplateEscape = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;", "\x00", "\uFFFD",
).Replace
