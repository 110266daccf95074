// Package cisafe disarms CI workflow commands in text that came from a
// target (response bodies and headers, page text, error messages) before
// spotcheck prints it where a CI runner reads it.
//
// The GitHub Actions runner reads every line of a step's output: a line
// that starts with "::" once surrounding whitespace is trimmed is a
// command (::error::, ::add-mask::, ::stop-commands::, ::set-output::),
// and so is a line that holds "##[" anywhere (the legacy form, e.g.
// ##[group]); it splits lines at CR, LF and CRLF (actions/runner,
// ActionCommand.TryParseV2 and TryParse). Azure Pipelines reads "##vso[".
// So a body quoted with leading spaces can still add a mask or stop
// commands. Text disarms each by putting a zero-width space (U+200B)
// inside the marker: ":\u200b:" and "##\u200b[", which read the same to a
// person and are inert to the runner. JSON disarms JSON output without
// changing what it decodes to.
package cisafe

import (
	"bytes"
	"io"
	"unicode"
	"unicode/utf8"
)

const zwsp = "\u200b"

// state carries what disarming needs across writes: whether only
// whitespace was seen since the line started, whether that was followed
// by one colon, how many '#' end the text so far, and how much of "vso"
// follows them.
type state struct {
	lead   bool
	colon  bool
	hashes int
	vso    int
}

func newState() state { return state{lead: true} }

// disarm appends src to dst with every command marker disarmed.
func (st *state) disarm(dst, src []byte) []byte {
	for len(src) > 0 {
		r, n := utf8.DecodeRune(src)
		switch {
		case r == '\n' || r == '\r':
			*st = newState()
		case r == ':' && st.colon:
			dst = append(dst, zwsp...)
			st.lead, st.colon = false, false
		case r == ':' && st.lead:
			st.lead, st.colon = false, true
		case isSpace(r) && st.lead:
		default:
			st.lead, st.colon = false, false
		}
		if r == '[' && st.hashes >= 2 && (st.vso == 0 || st.vso == len("vso")) {
			dst = append(dst, zwsp...)
		}
		switch {
		case r == '#' && st.vso > 0:
			st.hashes, st.vso = 1, 0
		case r == '#':
			st.hashes++
		case st.hashes >= 2 && st.vso < len("vso") && r == rune("vso"[st.vso]):
			st.vso++
		default:
			st.hashes, st.vso = 0, 0
		}
		dst = append(dst, src[:n]...)
		src = src[n:]
	}
	return dst
}

// isSpace is what the runner's String.Trim removes: Unicode white space,
// and the byte-order mark.
func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

// Text returns s with every workflow command marker disarmed. s is taken
// to start at the beginning of a line, as it may once indented.
func Text(s string) string {
	if !suspect([]byte(s)) {
		return s
	}
	st := newState()
	return string(st.disarm(make([]byte, 0, len(s)+8), []byte(s)))
}

// Bytes is Text for a whole rendered output.
func Bytes(b []byte) []byte {
	if !suspect(b) {
		return b
	}
	st := newState()
	return st.disarm(make([]byte, 0, len(b)+8), b)
}

// suspect is the fast path: text without "::" or "##" holds no marker.
func suspect(b []byte) bool {
	return bytes.Contains(b, []byte("::")) || bytes.Contains(b, []byte("##"))
}

// JSON disarms encoded JSON without changing what it decodes to: "#" in
// "##[" and "##vso[" becomes \u0023. A line of JSON cannot start with a
// marker of its own (strings hold no raw line breaks), so only the legacy
// form needs it.
func JSON(b []byte) []byte {
	if !bytes.Contains(b, []byte("##")) {
		return b
	}
	b = bytes.ReplaceAll(b, []byte("##["), []byte(`#\u0023[`))
	return bytes.ReplaceAll(b, []byte("##vso["), []byte(`#\u0023vso[`))
}

// Writer returns a writer that disarms everything written through it,
// for logs and progress lines, which never carry a command of their own.
// Markers split across writes are still caught.
func Writer(w io.Writer) io.Writer { return &writer{w: w, st: newState()} }

type writer struct {
	w   io.Writer
	st  state
	buf []byte
}

func (w *writer) Write(p []byte) (int, error) {
	out := p
	if w.st.colon || w.st.hashes > 0 || suspect(p) {
		w.buf = w.st.disarm(w.buf[:0], p)
		out = w.buf
	} else {
		// The common case (a log line without a marker) is written as
		// is; only its last, unfinished line sets the state.
		tail := p[bytes.LastIndexAny(p, "\r\n")+1:]
		if len(tail) < len(p) {
			w.st = newState()
		}
		w.buf = w.st.disarm(w.buf[:0], tail)
	}
	if _, err := w.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
