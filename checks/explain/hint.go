package explain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// A Hint tells an entry from a close one. Its words do not name an error
// (so it never matches on its own), but when a report's error was only
// recognised from its words, not from a parsed response, they say which of
// two entries it is: "invalid client" next to code that builds the Basic
// header by hand is the header Spotify could not read, not an unknown
// client id; "Invalid access token" in an app's message, with the failure
// starting an hour after login, is the token that expired.
type Hint struct {
	// Over are the entries this one is preferred to.
	Over []string `yaml:"over"`
	// Text is a regex (RE2, case-insensitive) searched anywhere in the text.
	Text string `yaml:"text"`
	// Cause is the entry's cause the hint points at.
	Cause string `yaml:"cause"`
	// Wording says what the hint is, for the catalog's readers.
	Wording string `yaml:"wording"`

	line  int
	entry *Entry
	re    *regexp.Regexp
}

// hintMargin is how far above the rival entry a hint puts its own: enough
// to rank first, not enough to look surer than the words that matched.
const hintMargin = 0.02

// compile checks a hint against the catalog and builds its regex.
func (h *Hint) compile(byID map[string]*Entry, causeIDs map[string]bool) []string {
	var problems []string
	if len(h.Over) == 0 {
		problems = append(problems, "over names no entry")
	}
	for _, id := range h.Over {
		if byID[id] == nil {
			problems = append(problems, fmt.Sprintf("over %q is not a catalog id", id))
		}
		if id == h.entry.ID {
			problems = append(problems, "over names the entry itself")
		}
	}
	if h.Cause != "" && !causeIDs[h.Cause] {
		problems = append(problems, fmt.Sprintf("cause %q is not one of the entry's causes", h.Cause))
	}
	if strings.TrimSpace(h.Text) == "" {
		problems = append(problems, "no text")
		return problems
	}
	re, err := regexp.Compile(`(?i)` + tolerant(h.Text))
	if err != nil {
		return append(problems, fmt.Sprintf("text %q: %v", h.Text, err))
	}
	h.re = re
	return problems
}

// applyHints adds, for every hint whose words the text carries, a
// candidate for the hint's entry just above the rival it names, when that
// rival was recognised from words alone. A rival recognised from a parsed
// response keeps its place: Spotify's own answer outranks a reader's
// inference.
func (c *Catalog) applyHints(s *scan, cands []candidate) []candidate {
	out := cands
	for _, h := range c.hints {
		rival := -1.0
		own := 0.0
		for _, cd := range cands {
			switch {
			case cd.entry == h.entry:
				own = max(own, cd.score)
			case slices.Contains(h.Over, cd.entry.ID):
				if cd.source != phraseSource || quoted(s.text, cd.span) {
					rival = 2 // Spotify's answer as it came: the hint does not apply
				} else if rival < 2 {
					rival = max(rival, cd.score)
				}
			}
		}
		if rival < Recognised || rival > 1 || own >= rival+hintMargin {
			continue
		}
		// Only now search the text: a hint's words are no error, so most
		// texts have no rival for them, and a long log would pay a scan of
		// every hint's expression for nothing.
		loc := h.re.FindStringIndex(s.text)
		if loc == nil {
			continue
		}
		out = append(out, candidate{
			entry: h.entry, score: min(1, rival+hintMargin), cause: h.Cause,
			evidence: s.line(loc[0], loc[1]), source: phraseSource, span: [2]int{loc[0], loc[1]},
		})
	}
	return out
}

// quoted reports whether the text at span stands between quotes on its own,
// a message copied as it came ("Invalid Client", 'invalid_client'), rather
// than words in a sentence or the start of a longer message of an app's.
func quoted(text string, span [2]int) bool {
	if span[0] <= 0 || span[1] >= len(text) || span[0] >= span[1] {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(text[:span[0]])
	rest := strings.TrimPrefix(text[span[1]:], ".")
	after, _ := utf8.DecodeRuneInString(rest)
	return strings.ContainsRune(quoteRunes, before) && strings.ContainsRune(quoteRunes, after)
}

const quoteRunes = "\"'`“”‘’"
