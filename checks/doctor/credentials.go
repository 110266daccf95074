package doctor

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// tri is a fact a check may or may not have established.
type tri int

const (
	unknown tri = iota
	yes
	no
)

// credValue is one credential as configured and as the doctor repairs it
// for the online checks.
type credValue struct {
	kind   string // "client id" or "client secret"
	v      checks.Value
	clean  string // what online checks send
	issues []credIssue
	// malformed: even repaired, not 32 lowercase hex.
	malformed bool
	// basic holds the base64 part of a "Basic …" value as given, line
	// breaks and all, to show Spotify's answer to it.
	basic string
}

// issueIDs are the finding ids of one credential's mistakes.
type issueIDs struct{ whitespace, quoted, basicHeader, malformed ID }

var (
	clientIDIssues = issueIDs{ClientIDWhitespace, ClientIDQuoted, ClientIDBasicHeader, ClientIDMalformed}
	secretIssues   = issueIDs{ClientSecretWhitespace, ClientSecretQuoted, ClientSecretBasicHeader, ClientSecretMalformed}
)

type credIssue struct {
	id       ID
	evidence []string
}

// creds are the app's credentials and what Spotify said about them.
type creds struct {
	id, secret credValue
	equal      bool // secret == id
	swapped    bool // Spotify accepted them the other way round
	idKnown    tri
	secretOK   tri
}

var hex32 = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{32}$`) })

// placeholderRe matches values that are not credentials at all: an unset
// variable rendered as text, a template placeholder.
var placeholderRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(undefined|null|nil|none|changeme|xxx+|your[_-]?client[_-]?(id|secret)|client[_-]?(id|secret)|<[^>]*>|\$\{?[a-z0-9_]+\}?|%[a-z0-9_]+%)$`)
})

func analyzeCredentials(c *checks.Credentials, flow Flow, set *redact.Set) creds {
	cr := creds{
		id:     analyzeValue("client id", c.ClientID, set),
		secret: analyzeValue("client secret", c.ClientSecret, set),
	}
	cr.equal = cr.id.clean != "" && cr.id.clean == cr.secret.clean
	if cr.equal {
		// The id is the secret's value here: show neither.
		set.Add(cr.id.clean, c.ClientID.Value)
	}
	for _, id := range []string{c.ClientID.Value, cr.id.clean} {
		for _, s := range []string{c.ClientSecret.Value, cr.secret.clean} {
			if s != "" {
				set.AddClientCredentials(id, s)
			}
		}
	}
	return cr
}

// analyzeValue finds what is wrong with a credential's shape and repairs
// what can be repaired, in the order such values are usually damaged: a
// line break or space around it, quotes a loader kept, a whole Basic
// header pasted instead of the bare value.
func analyzeValue(kind string, v checks.Value, set *redact.Set) credValue {
	cv := credValue{kind: kind, v: v}
	s := v.Value
	if s == "" {
		return cv
	}
	src := v.Source.String()
	show := fp(s)
	if placeholderRe().MatchString(strings.TrimSpace(s)) {
		show = fmt.Sprintf("%q", strings.TrimSpace(s)) // a placeholder is no secret
	}
	ids := clientIDIssues
	if kind == "client secret" {
		ids = secretIssues
	}

	if t := strings.TrimFunc(s, unicode.IsSpace); t != s {
		cv.issues = append(cv.issues, credIssue{ids.whitespace,
			[]string{fmt.Sprintf("%s: %s %s", src, show, describeEdges(s, t))}})
		s = t
	}
	if len(s) >= 2 && strings.ContainsRune("\"'`", rune(s[0])) && s[len(s)-1] == s[0] {
		cv.issues = append(cv.issues, credIssue{ids.quoted,
			[]string{fmt.Sprintf("%s: %s starts and ends with %c; the quotes are part of the value the app sends", src, show, s[0])}})
		s = strings.TrimFunc(s[1:len(s)-1], unicode.IsSpace)
	}
	if id, secret, cred, ok := basicValue(s); ok {
		set.Add(s, cred, compact(cred), secret)
		if kind == "client id" {
			s = id
		} else {
			s = secret
		}
		ev := fmt.Sprintf("%s: %s is %s, the Authorization header value, not the bare %s",
			src, show, basicShape(cred), kind)
		if strings.ContainsAny(cred, "\r\n") {
			ev += "; the base64 has a line break inside (the `base64` tool wraps at 76 characters)"
		}
		cv.basic = cred
		cv.issues = append(cv.issues, credIssue{ids.basicHeader, []string{ev}})
	} else if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		cv.issues = append(cv.issues, credIssue{ids.whitespace,
			[]string{fmt.Sprintf("%s: %s has %s inside", src, show, describeInner(s))}})
		s = strings.Join(strings.Fields(s), "")
	}
	cv.clean = s
	if kind == "client secret" {
		set.Add(s)
	}
	if !hex32().MatchString(s) {
		cv.malformed = true
		what := "repaired, it"
		if len(cv.issues) == 0 {
			what = "it"
		}
		cv.issues = append(cv.issues, credIssue{ids.malformed,
			[]string{fmt.Sprintf("%s: %s; %s %s", src, show, what, describeShape(s, kind))}})
	}
	return cv
}

// basicValue recognises "Basic <base64(id:secret)>", or the bare base64
// of such a pair, and decodes it leniently (line breaks, any alphabet).
func basicValue(s string) (id, secret, cred string, ok bool) {
	cred = s
	b, isBasic := wire.ParseBasic(s)
	hasPrefix := isBasic && b.Credentials != ""
	if hasPrefix {
		cred = strings.TrimLeftFunc(b.Credentials, unicode.IsSpace)
	}
	c := compact(cred)
	if !hasPrefix && len(c) < 40 {
		return "", "", "", false // too short to hold "id:secret"
	}
	if i, sec, found := wire.DecodeBasicCredentials(c); found && i != "" {
		return i, sec, cred, true
	}
	if hasPrefix {
		return "", c, cred, true
	}
	return "", "", "", false
}

func basicShape(cred string) string {
	if compact(cred) == cred {
		return `"Basic <base64(client_id:client_secret)>"`
	}
	return `a "Basic <base64(client_id:client_secret)>" value`
}

func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// describeEdges says what surrounds the trimmed value: "ends with a line
// break (\n)".
func describeEdges(s, t string) string {
	i := strings.Index(s, t)
	var parts []string
	if lead := s[:i]; lead != "" {
		parts = append(parts, "starts with "+runes(lead))
	}
	if trail := s[i+len(t):]; trail != "" {
		parts = append(parts, "ends with "+runes(trail))
	}
	return strings.Join(parts, " and ")
}

func describeInner(s string) string {
	var parts []string
	for i, r := range []rune(s) {
		if unicode.IsSpace(r) {
			parts = append(parts, fmt.Sprintf("%s at position %d", runes(string(r)), i+1))
		}
	}
	if len(parts) > 3 {
		parts = append(parts[:3], fmt.Sprintf("%d more", len(parts)-3))
	}
	return strings.Join(parts, ", ")
}

// runes names whitespace characters: "a line break (\n)", "2 spaces".
func runes(ws string) string {
	name := func(r rune, n int) string {
		one, many := fmt.Sprintf("U+%04X", r), fmt.Sprintf("%d× U+%04X", n, r)
		switch r {
		case '\n':
			one, many = `a line break (\n)`, fmt.Sprintf(`%d line breaks (\n)`, n)
		case '\r':
			one, many = `a carriage return (\r)`, fmt.Sprintf(`%d carriage returns (\r)`, n)
		case '\t':
			one, many = `a tab (\t)`, fmt.Sprintf(`%d tabs (\t)`, n)
		case ' ':
			one, many = "a space", fmt.Sprintf("%d spaces", n)
		}
		if n == 1 {
			return one
		}
		return many
	}
	rs := []rune(ws)
	if len(rs) > 1 && strings.Count(ws, string(rs[0])) == len(rs) {
		return name(rs[0], len(rs))
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = name(r, 1)
	}
	return strings.Join(out, " + ")
}

func describeShape(s, kind string) string {
	want := "Spotify's " + kind + "s are 32 lowercase hex characters"
	switch {
	case placeholderRe().MatchString(s):
		return "looks like a placeholder or an unset variable, not a " + kind + "; " + want
	case len(s) != 32:
		return fmt.Sprintf("is %d characters long; %s", len(s), want)
	case strings.ToLower(s) != s && hex32().MatchString(strings.ToLower(s)):
		return "has capital letters; " + want
	}
	return "has characters other than 0-9 and a-f; " + want
}

func (c *checkRun) credentialsPresent() {
	r := c.r
	cr := r.o.Credentials
	where := unsetWhere(cr)
	if !cr.ClientID.IsSet() {
		c.add(ClientIDMissing, "cred:id", fmt.Sprintf("none of %s, %s, %s is set%s", checks.FlagClientID, checks.EnvClientID, checks.EnvSpotipyID, where))
	} else {
		c.note("client id from %s", cr.ClientID.Source)
	}
	switch {
	case cr.ClientSecret.IsSet():
		c.note("client secret from %s", cr.ClientSecret.Source)
	case r.o.Flow.needsSecret():
		c.add(ClientSecretMissing, "cred:secret",
			fmt.Sprintf("--flow %s needs the secret; none of %s, %s, %s, %s is set%s", r.o.Flow, checks.FlagClientSecret,
				checks.EnvClientSecret, checks.EnvSpotipySecret, checks.FlagClientSecretFile, where))
	default:
		c.note("no client secret, as a %s client should", r.o.Flow)
	}
}

func (c *checkRun) credentialFormat() {
	r := c.r
	if r.cred.id.v.Value == "" && r.cred.secret.v.Value == "" {
		c.skip("no credentials to look at")
		return
	}
	// Subjects tell the online checks where to put what Spotify says:
	// ":wrong" findings predict a refusal even after repair, ":repair"
	// ones are repaired before sending and get the as-given answer.
	for _, cv := range []credValue{r.cred.id, r.cred.secret} {
		base := "cred:id"
		if cv.kind == "client secret" {
			base = "cred:secret"
		}
		for _, is := range cv.issues {
			subject := base + ":repair"
			if is.id == ClientIDMalformed || is.id == ClientSecretMalformed {
				subject = base + ":wrong"
			}
			c.add(is.id, subject, is.evidence...)
		}
	}
	if r.cred.equal {
		c.add(ClientSecretEqualsID, "cred:secret:wrong",
			fmt.Sprintf("%s and %s hold the same value %s", r.cred.id.v.Source, r.cred.secret.v.Source, fp(r.cred.id.clean)))
	}
	if len(c.added) == 0 {
		c.note("both are bare 32-hex values")
	}
}
