package dotenv

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// python-dotenv's grammar (src/dotenv/parser.py as released in 1.2.2,
// which testdata/golden-python.json was recorded with), regex for regex.
// Python's \s is Unicode white space; Go's is ASCII, so the classes are
// spelled out. Each pattern is anchored and applied at the reader's
// position, as Python's pattern.match(string, pos) is.
const (
	pyWS  = `\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`
	pyHWS = `\t\v\f\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}` // [^\S\r\n]
)

// pyPatterns are python-dotenv's patterns, compiled on first use: every
// command would pay for them at start-up otherwise.
type pyPatterns struct {
	multilineWS, export, singleKey, unquotedKey, whitespace, equalSign, singleValue, doubleValue, unquotedValue, comment, endOfLine, restOfLine, inlineComment, doubleEscapes, singleEscapes, newline *regexp.Regexp
}

var py = sync.OnceValue(func() *pyPatterns {
	return &pyPatterns{
		multilineWS:   regexp.MustCompile(`^[` + pyWS + `]*`),
		export:        regexp.MustCompile(`^(?:export[` + pyHWS + `]+)?`),
		singleKey:     regexp.MustCompile(`^'([^']+)'`),
		unquotedKey:   regexp.MustCompile(`^([^=#` + pyWS + `]+)`),
		whitespace:    regexp.MustCompile(`^[` + pyHWS + `]*`),
		equalSign:     regexp.MustCompile(`^(=[` + pyHWS + `]*)`),
		singleValue:   regexp.MustCompile(`^'((?:\\'|[^'])*)'`),
		doubleValue:   regexp.MustCompile(`^"((?:\\"|[^"])*)"`),
		unquotedValue: regexp.MustCompile(`^([^\r\n]*)`),
		comment:       regexp.MustCompile(`^(?:[` + pyHWS + `]*#[^\r\n]*)?`),
		endOfLine:     regexp.MustCompile(`^[` + pyHWS + `]*(?:\r\n|\n|\r|$)`),
		restOfLine:    regexp.MustCompile(`^[^\r\n]*(?:\r|\n|\r\n)?`),
		inlineComment: regexp.MustCompile(`[` + pyWS + `]+#.*`),
		doubleEscapes: regexp.MustCompile(`\\[\\'"abfnrtv]`),
		singleEscapes: regexp.MustCompile(`\\[\\']`),
		newline:       regexp.MustCompile(`\r\n|\n|\r`),
	}
})

// pyReader is python-dotenv's Reader: a position in the text, and the
// line it is on.
type pyReader struct {
	s    string
	pos  int
	line int
}

func (r *pyReader) read(re *regexp.Regexp) ([]string, bool) {
	m := re.FindStringSubmatch(r.s[r.pos:])
	if m == nil {
		return nil, false
	}
	r.line += len(py().newline.FindAllStringIndex(m[0], -1))
	r.pos += len(m[0])
	return m[1:], true
}

func (r *pyReader) peek() string {
	if r.pos >= len(r.s) {
		return ""
	}
	return r.s[r.pos : r.pos+1]
}

// parsePython returns the bindings load_dotenv would set, in order, and
// a Problem for each statement it would warn about and skip.
func parsePython(text, path string) ([]binding, []Problem) {
	r := &pyReader{s: text, line: 1}
	var out []binding
	var problems []Problem
	for r.pos < len(r.s) {
		b, ok, bad := r.binding()
		switch {
		case bad > 0:
			problems = append(problems, Problem{path, bad, "python-dotenv cannot parse this line and skips it (Node's dotenv skips it too, or reads it differently); want NAME=value, with quotes closed"})
		case ok:
			out = append(out, b)
		}
	}
	return out, problems
}

// binding is parse_binding: ok when a key with a value was read, bad (a
// line number) when the statement did not parse and the rest of its line
// was skipped. A key without "=" has no value; load_dotenv sets nothing
// for it.
func (r *pyReader) binding() (b binding, ok bool, bad int) {
	r.read(py().multilineWS)
	if r.pos >= len(r.s) {
		return binding{}, false, 0
	}
	start := r.line
	fail := func() (binding, bool, int) {
		r.read(py().restOfLine)
		return binding{}, false, start
	}
	r.read(py().export)
	var key string
	switch r.peek() {
	case "#":
	case "'":
		m, matched := r.read(py().singleKey)
		if !matched {
			return fail()
		}
		key = m[0]
	default:
		m, matched := r.read(py().unquotedKey)
		if !matched {
			return fail()
		}
		key = m[0]
	}
	r.read(py().whitespace)
	hasValue := false
	var value string
	if r.peek() == "=" {
		r.read(py().equalSign)
		v, matched := r.value()
		if !matched {
			return fail()
		}
		value, hasValue = v, true
	}
	r.read(py().comment)
	if _, matched := r.read(py().endOfLine); !matched {
		return fail()
	}
	if key == "" || !hasValue {
		return binding{}, false, 0
	}
	return binding{key: key, line: start, value: value}, true, 0
}

// value is parse_value: quoted values may span lines and have escapes;
// an unquoted one ends at the line, less a comment after white space.
func (r *pyReader) value() (string, bool) {
	switch r.peek() {
	case "'":
		m, ok := r.read(py().singleValue)
		if !ok {
			return "", false
		}
		return py().singleEscapes.ReplaceAllStringFunc(m[0], unescape), true
	case `"`:
		m, ok := r.read(py().doubleValue)
		if !ok {
			return "", false
		}
		return py().doubleEscapes.ReplaceAllStringFunc(m[0], unescape), true
	case "", "\n", "\r":
		return "", true
	}
	m, _ := r.read(py().unquotedValue)
	return strings.TrimRightFunc(py().inlineComment.ReplaceAllString(m[0], ""), isPySpace), true
}

// isPySpace is Python's str.isspace: Unicode white space and the
// information separators U+001C–U+001F.
func isPySpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// unescape decodes one two-character escape as Python's unicode-escape
// codec does.
func unescape(e string) string {
	switch e[1] {
	case 'a':
		return "\a"
	case 'b':
		return "\b"
	case 'f':
		return "\f"
	case 'n':
		return "\n"
	case 'r':
		return "\r"
	case 't':
		return "\t"
	case 'v':
		return "\v"
	}
	return e[1:] // \\ \' \"
}
