package scenarios

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Observation is what a runner saw of one step, as Expect.Check reads it.
type Observation struct {
	// Status, Header and Body are the HTTP response (HTTP actions).
	Status int
	Header http.Header
	Body   []byte
	// Redirect is the step's redirect (authorize: the Location of a 3xx
	// response; consent and callback: the URL parsed); nil when there is
	// none.
	Redirect *Redirect
	// DialogShown and LoginShown are what the browser saw (consent).
	DialogShown, LoginShown bool
	// SentRefreshToken is the refresh_token the request carried (refresh),
	// for the rotated check.
	SentRefreshToken string
}

// Check is the outcome of one expectation: its name (e.g. "status",
// "json.refresh_token.absent"), what was expected and what was seen. A
// runner must redact Expected and Actual before storing them: both can
// hold tokens and codes.
type Check struct {
	Name     string
	Expected string
	Actual   string
	Passed   bool
}

// Lookup resolves a Ref for Template.Expand.
type Lookup func(Ref) (string, error)

// Check evaluates the expectations against one observation. The error is
// not a failed expectation but one that could not be evaluated: a
// reference without a value.
func (e *Expect) Check(o *Observation, lookup Lookup) ([]Check, error) {
	var cs checks
	exp := func(t *Template) (string, error) { return t.Expand(lookup) }
	if e.Status != 0 {
		cs.add("status", strconv.Itoa(e.Status), strconv.Itoa(o.Status), e.Status == o.Status)
	}
	if err := e.checkFailure(&cs, o, lookup); err != nil {
		return nil, err
	}
	if e.PageText != nil || len(e.PageTextContains) > 0 {
		text := PageText(string(o.Body))
		if e.PageText != nil {
			want, err := exp(e.PageText)
			if err != nil {
				return nil, err
			}
			cs.add("page_text", quote(want), quote(text), text == want)
		}
		for _, t := range e.PageTextContains {
			want, err := t.Expand(lookup)
			if err != nil {
				return nil, err
			}
			cs.add("page_text_contains", quote(want), quote(text), strings.Contains(text, want))
		}
	}
	if len(e.JSON) > 0 {
		var doc any
		jsonErr := json.Unmarshal(o.Body, &doc)
		for _, a := range e.JSON {
			if jsonErr != nil {
				cs.add("json."+a.Key, "a JSON body", "not JSON: "+clip(string(o.Body)), false)
				continue
			}
			v, found, err := LookupJSON(doc, a.Key)
			if err != nil {
				return nil, err
			}
			sub, err := a.Match.EvalJSON(v, found, lookup)
			if err != nil {
				return nil, err
			}
			cs.prefix("json."+a.Key, sub)
		}
	}
	tok, _ := wire.ParseTokenResponse(o.Body) // not a token answer: every member absent
	if e.RefreshToken != nil {
		got := tok.RefreshToken != ""
		cs.add("refresh_token", present(*e.RefreshToken), present(got), got == *e.RefreshToken)
	}
	if e.Rotated != nil {
		got := tok.RefreshToken != "" && tok.RefreshToken != o.SentRefreshToken
		cs.add("rotated", strconv.FormatBool(*e.Rotated), strconv.FormatBool(got), got == *e.Rotated)
	}
	if e.Scope != nil {
		cs.checks = append(cs.checks, e.Scope.Eval(tok.Scope)...)
	}
	if e.Redirect != nil {
		sub, err := e.Redirect.Eval(o.Redirect, lookup)
		if err != nil {
			return nil, err
		}
		cs.checks = append(cs.checks, sub...)
	}
	if e.DialogShown != nil {
		cs.add("dialog_shown", strconv.FormatBool(*e.DialogShown), strconv.FormatBool(o.DialogShown), o.DialogShown == *e.DialogShown)
	}
	if e.LoginShown != nil {
		cs.add("login_shown", strconv.FormatBool(*e.LoginShown), strconv.FormatBool(o.LoginShown), o.LoginShown == *e.LoginShown)
	}
	return cs.checks, nil
}

// checkFailure runs the expectations that apply to every failed response of
// a repeated step (and to the one response of a single step).
func (e *Expect) checkFailure(cs *checks, o *Observation, lookup Lookup) error {
	if e.Error != nil || e.ErrorDescription != nil {
		var body struct {
			Error            *string `json:"error"`
			ErrorDescription *string `json:"error_description"`
		}
		_ = json.Unmarshal(o.Body, &body)
		for _, f := range []struct {
			name string
			want *Template
			got  *string
		}{{"error", e.Error, body.Error}, {"error_description", e.ErrorDescription, body.ErrorDescription}} {
			if f.want == nil {
				continue
			}
			want, err := f.want.Expand(lookup)
			if err != nil {
				return err
			}
			got := "(absent)"
			ok := f.got == nil && want == ""
			if f.got != nil {
				got = quote(*f.got)
				ok = *f.got == want
			}
			shown := quote(want)
			if want == "" {
				shown = "(absent)"
			}
			cs.add(f.name, shown, got, ok)
		}
	}
	if e.APIError != nil {
		var body struct {
			Error *struct {
				Status  *int    `json:"status"`
				Message *string `json:"message"`
				Reason  *string `json:"reason"`
			} `json:"error"`
		}
		err := json.Unmarshal(o.Body, &body)
		if err != nil || body.Error == nil {
			cs.add("api_error", `{"error":{"status":…,"message":…}}`, clip(string(o.Body)), false)
		} else {
			if e.APIError.Status != 0 {
				got := "(absent)"
				if body.Error.Status != nil {
					got = strconv.Itoa(*body.Error.Status)
				}
				cs.add("api_error.status", strconv.Itoa(e.APIError.Status), got, body.Error.Status != nil && *body.Error.Status == e.APIError.Status)
			}
			for _, f := range []struct {
				name string
				want *Template
				got  *string
			}{{"api_error.message", e.APIError.Message, body.Error.Message}, {"api_error.reason", e.APIError.Reason, body.Error.Reason}} {
				if f.want == nil {
					continue
				}
				want, err := f.want.Expand(lookup)
				if err != nil {
					return err
				}
				got := "(absent)"
				if f.got != nil {
					got = quote(*f.got)
				}
				cs.add(f.name, quote(want), got, f.got != nil && *f.got == want)
			}
		}
	}
	if e.Body != nil {
		want, err := e.Body.Expand(lookup)
		if err != nil {
			return err
		}
		cs.add("body", quote(want), quote(string(o.Body)), string(o.Body) == want)
	}
	for _, t := range e.BodyContains {
		want, err := t.Expand(lookup)
		if err != nil {
			return err
		}
		cs.add("body_contains", quote(want), clip(string(o.Body)), bytes.Contains(o.Body, []byte(want)))
	}
	if e.ContentType != "" {
		got := mediaType(o.Header.Get("Content-Type"))
		cs.add("content_type", e.ContentType, got, strings.EqualFold(got, e.ContentType))
	}
	for _, a := range e.Headers {
		vals := o.Header.Values(a.Key)
		sub, err := a.Match.EvalText(strings.Join(vals, ", "), len(vals) > 0, lookup)
		if err != nil {
			return err
		}
		cs.prefix("headers."+a.Key, sub)
	}
	return nil
}

// CheckAll evaluates the expectations of a step that made several requests
// (repeat or parallel): statuses against all of them, the others against
// every response with status 400 or above.
func (e *Expect) CheckAll(obs []*Observation, lookup Lookup) ([]Check, error) {
	var cs checks
	if len(e.Statuses) > 0 {
		got := map[int]int{}
		for _, o := range obs {
			got[o.Status]++
		}
		codes := make([]int, 0, len(got)+len(e.Statuses))
		for c := range got {
			codes = append(codes, c)
		}
		for c := range e.Statuses {
			if _, ok := got[c]; !ok {
				codes = append(codes, c)
			}
		}
		slices.Sort(codes)
		for _, c := range codes {
			cs.add("statuses."+strconv.Itoa(c), strconv.Itoa(e.Statuses[c]), strconv.Itoa(got[c]), e.Statuses[c] == got[c])
		}
	}
	for i, o := range obs {
		if o.Status < 400 {
			continue
		}
		var sub checks
		if err := e.checkFailure(&sub, o, lookup); err != nil {
			return nil, err
		}
		cs.prefix("response["+strconv.Itoa(i+1)+"]", sub.checks)
	}
	return cs.checks, nil
}

type checks struct{ checks []Check }

func (c *checks) add(name, want, got string, ok bool) {
	c.checks = append(c.checks, Check{Name: name, Expected: want, Actual: got, Passed: ok})
}

func (c *checks) prefix(p string, sub []Check) {
	for _, s := range sub {
		s.Name = p + "." + s.Name
		c.checks = append(c.checks, s)
	}
}

// EvalJSON checks a JSON value (found false: the path did not exist).
func (m *Match) EvalJSON(v any, found bool, lookup Lookup) ([]Check, error) {
	var cs checks
	m.evalPresence(&cs, found, func() string { return jsonText(v) })
	if m.Equals != nil {
		want, err := ExpandValue(normalize(m.Equals), lookup)
		if err != nil {
			return nil, err
		}
		cs.add("equals", jsonText(want), shown(v, found), found && jsonEqual(v, want))
	}
	if m.Matches != "" {
		re, err := regexp.Compile(m.Matches)
		if err != nil {
			return nil, err
		}
		s, isStr := v.(string)
		if !isStr {
			s = jsonText(v)
		}
		cs.add("matches", "/"+m.Matches+"/", shown(v, found), found && re.MatchString(s))
	}
	for _, op := range []struct {
		name string
		want any
		neg  bool
	}{{"contains", m.Contains, false}, {"omits", m.Omits, true}} {
		if op.want == nil {
			continue
		}
		want, err := ExpandValue(normalize(op.want), lookup)
		if err != nil {
			return nil, err
		}
		has := found && jsonContains(v, want)
		cs.add(op.name, jsonText(want), shown(v, found), has != op.neg)
	}
	if m.Length != nil {
		n, ok := jsonLength(v)
		got := "(no length)"
		if ok {
			got = strconv.Itoa(n)
		}
		if !found {
			got = "(absent)"
		}
		cs.add("length", strconv.Itoa(*m.Length), got, found && ok && n == *m.Length)
	}
	if m.Type != "" {
		got := jsonType(v)
		if !found {
			got = "(absent)"
		}
		cs.add("type", m.Type, got, found && got == m.Type)
	}
	return cs.checks, nil
}

// EvalText checks a text value such as a header (present false: there is
// none). Expected scalars compare as the text they are written as.
func (m *Match) EvalText(s string, present bool, lookup Lookup) ([]Check, error) {
	var cs checks
	m.evalPresence(&cs, present, func() string { return quote(s) })
	got := "(absent)"
	if present {
		got = quote(s)
	}
	text := func(v any) (string, error) {
		return Template(scalarText(normalize(v))).Expand(lookup)
	}
	if m.Equals != nil {
		want, err := text(m.Equals)
		if err != nil {
			return nil, err
		}
		cs.add("equals", quote(want), got, present && s == want)
	}
	if m.Matches != "" {
		re, err := regexp.Compile(m.Matches)
		if err != nil {
			return nil, err
		}
		cs.add("matches", "/"+m.Matches+"/", got, present && re.MatchString(s))
	}
	if m.Contains != nil {
		want, err := text(m.Contains)
		if err != nil {
			return nil, err
		}
		cs.add("contains", quote(want), got, present && strings.Contains(s, want))
	}
	if m.Omits != nil {
		want, err := text(m.Omits)
		if err != nil {
			return nil, err
		}
		cs.add("omits", quote(want), got, !present || !strings.Contains(s, want))
	}
	return cs.checks, nil
}

func (m *Match) evalPresence(cs *checks, found bool, val func() string) {
	want := (*bool)(nil)
	if m.Present != nil {
		want = m.Present
	} else if m.Absent != nil {
		p := !*m.Absent
		want = &p
	}
	if want == nil {
		return
	}
	got := "(absent)"
	if found {
		got = val()
	}
	name, exp := "present", "present"
	if !*want {
		name, exp = "absent", "(absent)"
	}
	cs.add(name, exp, got, found == *want)
}

// Eval checks a granted scope string.
func (e *ScopeExpect) Eval(granted string) []Check {
	var cs checks
	got := strings.Fields(granted)
	set := map[string]bool{}
	for _, s := range got {
		set[s] = true
	}
	gotText := quote(strings.Join(got, " "))
	if e.Equals != nil {
		want := map[string]bool{}
		for _, s := range *e.Equals {
			want[s] = true
		}
		cs.add("scope.equals", quote(e.Equals.String()), gotText, reflect.DeepEqual(want, set))
	}
	for _, s := range e.Contains {
		cs.add("scope.contains", s, gotText, set[s])
	}
	for _, s := range e.Omits {
		cs.add("scope.omits", s, gotText, !set[s])
	}
	return cs.checks
}

// Eval checks a redirect (nil: the step had none).
func (e *RedirectExpect) Eval(r *Redirect, lookup Lookup) ([]Check, error) {
	var cs checks
	if r == nil {
		cs.add("redirect", "a redirect", "no redirect", false)
		return cs.checks, nil
	}
	param := func(name string, want *Template, has bool, got string) error {
		if want == nil {
			return nil
		}
		w, err := want.Expand(lookup)
		if err != nil {
			return err
		}
		g := "(absent)"
		if has {
			g = quote(got)
		}
		ws := quote(w)
		if w == "" {
			ws = "(absent)"
		}
		cs.add("redirect."+name, ws, g, (w == "" && !has) || (has && got == w))
		return nil
	}
	if e.To != nil {
		w, err := e.To.Expand(lookup)
		if err != nil {
			return nil, err
		}
		cs.add("redirect.to", quote(w), quote(r.To), r.To == w)
	}
	if e.Code != nil {
		got := r.Code != ""
		cs.add("redirect.code", present(*e.Code), present(got), got == *e.Code)
	}
	if err := param("state", e.State, r.Params.Has("state"), r.State); err != nil {
		return nil, err
	}
	if err := param("error", e.Error, r.Params.Has("error"), r.Error); err != nil {
		return nil, err
	}
	if err := param("error_description", e.ErrorDescription, r.Params.Has("error_description"), r.ErrorDescription); err != nil {
		return nil, err
	}
	if e.In != "" {
		cs.add("redirect.in", e.In, r.In, r.In == e.In)
	}
	return cs.checks, nil
}

// Redirect is a redirect to the app as ParseRedirect reads it.
type Redirect struct {
	// URL is the whole redirect URL.
	URL string
	// To is the URL without query and fragment.
	To string
	// In is where the parameters are: "fragment" when the fragment holds
	// code, state, error or access_token (the implicit grant's shape),
	// otherwise "query" (or "" when there are no parameters).
	In string
	// Params are the parameters of that part.
	Params url.Values
	// Code, State, Error and ErrorDescription are those parameters.
	Code, State, Error, ErrorDescription string
}

// ParseRedirect reads a redirect URL (absolute, or relative to base when
// base is not empty).
func ParseRedirect(raw, base string) (*Redirect, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if base != "" {
		b, err := url.Parse(base)
		if err != nil {
			return nil, err
		}
		u = b.ResolveReference(u)
	}
	r := &Redirect{URL: u.String()}
	to := *u
	to.RawQuery, to.Fragment, to.RawFragment, to.ForceQuery = "", "", "", false
	r.To = to.String()
	frag, _ := url.ParseQuery(u.EscapedFragment())
	if frag.Has("code") || frag.Has("state") || frag.Has("error") || frag.Has("access_token") {
		r.In, r.Params = "fragment", frag
	} else {
		r.Params = u.Query()
		if len(r.Params) > 0 {
			r.In = "query"
		}
	}
	r.Code, r.State = r.Params.Get("code"), r.Params.Get("state")
	r.Error, r.ErrorDescription = r.Params.Get("error"), r.Params.Get("error_description")
	return r, nil
}

// Challenge computes the code_challenge and code_challenge_method sent for
// a verifier: S256 is SHA-256 of the verifier's ASCII bytes, written as
// enc says (base64url without padding by default); plain is the verifier
// itself. PKCENone gives empty strings.
func Challenge(verifier string, method PKCE, enc ChallengeEncoding) (challenge, methodParam string) {
	switch method {
	case PKCES256:
		sum := sha256.Sum256([]byte(verifier))
		switch enc {
		case ChallengePadded:
			return base64.URLEncoding.EncodeToString(sum[:]), "S256"
		case ChallengeHex:
			return hex.EncodeToString(sum[:]), "S256"
		}
		return base64.RawURLEncoding.EncodeToString(sum[:]), "S256"
	case PKCEPlain:
		return verifier, "plain"
	}
	return "", ""
}

var (
	hiddenElement = regexp.MustCompile(`(?is)<(head|script|style|noscript|template)\b.*?</(head|script|style|noscript|template)\s*>|<!--.*?-->`)
	blockTag      = regexp.MustCompile(`(?i)</?(address|article|aside|blockquote|body|br|dd|div|dl|dt|fieldset|figcaption|figure|footer|form|h[1-6]|header|hr|html|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul|button|label|input|option|select|textarea)\b[^>]*>`)
	anyTag        = regexp.MustCompile(`<[^>]*>`)
)

// PageText is the visible text of an HTML page as a person reads it: the
// content of head, script, style, noscript and template elements and
// comments is dropped, block-level tags separate words, other tags vanish,
// entities are decoded, and every run of white space becomes one space,
// trimmed at both ends. Spotify's error pages give one line, such as
// "INVALID_CLIENT: Invalid redirect URI".
func PageText(page string) string {
	s := hiddenElement.ReplaceAllString(page, " ")
	s = blockTag.ReplaceAllString(s, " ")
	s = anyTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	return strings.Join(strings.Fields(s), " ")
}

func mediaType(ct string) string {
	if ct == "" {
		return "(none)"
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.TrimSpace(strings.SplitN(ct, ";", 2)[0])
	}
	return mt
}

// normalize turns YAML-decoded numbers into float64, as encoding/json
// decodes them, so that expected and actual compare.
func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	}
	return v
}

func jsonEqual(a, b any) bool { return reflect.DeepEqual(normalize(a), normalize(b)) }

func jsonContains(v, want any) bool {
	switch x := v.(type) {
	case string:
		w, ok := want.(string)
		return ok && strings.Contains(x, w)
	case []any:
		for _, e := range x {
			if jsonEqual(e, want) {
				return true
			}
		}
	case map[string]any:
		w, ok := want.(string)
		if ok {
			_, has := x[w]
			return has
		}
	}
	return false
}

func jsonLength(v any) (int, bool) {
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x), true
	case []any:
		return len(x), true
	case map[string]any:
		return len(x), true
	}
	return 0, false
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64, int, int64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return jsonText(v)
}

func shown(v any, found bool) string {
	if !found {
		return "(absent)"
	}
	return clip(jsonText(v))
}

func present(b bool) string {
	if b {
		return "present"
	}
	return "(absent)"
}

func quote(s string) string { return strconv.Quote(s) }

// clip keeps reports readable when a body is large.
func clip(s string) string {
	const max = 2000
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
