package explain

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Confidence thresholds. A match below Recognised is never presented as
// the answer, only as one of the closest entries.
const (
	// Recognised is the lowest confidence at which a match is an answer.
	Recognised = 0.5
	// High is the lowest confidence shown as "high".
	High = 0.8
	// keepLow is the lowest confidence kept as a near miss.
	keepLow = 0.25
)

// Level is a confidence band: high, medium or low.
type Level string

const (
	LevelHigh   Level = "high"
	LevelMedium Level = "medium"
	LevelLow    Level = "low"
)

// LevelOf returns the band of a confidence value.
func LevelOf(confidence float64) Level {
	switch {
	case confidence >= High:
		return LevelHigh
	case confidence >= Recognised:
		return LevelMedium
	}
	return LevelLow
}

// Match is one catalog entry that explains the input, with how sure we are
// and the (redacted) evidence for it.
type Match struct {
	Entry      *Entry
	Confidence float64
	// Evidence quotes what matched, redacted: secrets, tokens and codes
	// appear only as fingerprints.
	Evidence []string
	// Findings are conclusions drawn across requests or from the request
	// itself (a HAR, a callback compared with the state sent), redacted.
	Findings []string
	// Cause is the id of the entry's cause the evidence points at, or ""
	// when the evidence does not single one out.
	Cause string
	// Wording names the historical wording that matched, when the entry has
	// several (e.g. "November 2024 to 2026").
	Wording string
	// Source is the format the error came in, e.g. "spotipy SpotifyException".
	Source string
	// Count is how many exchanges showed it, for a HAR or a transcript;
	// Evidence quotes the first few. 0 for text.
	Count int
	// Library is the client library the report comes from, when known; it
	// limits Causes to those the library can have and words Fix for it.
	Library string
}

// Level is the match's confidence band.
func (m Match) Level() Level { return LevelOf(m.Confidence) }

// Causes returns the entry's causes, the one the evidence points at first,
// without those tied to another client library than the report's.
func (m Match) Causes() []Cause {
	out := make([]Cause, 0, len(m.Entry.Causes))
	if c, ok := m.Entry.Cause(m.Cause); ok {
		out = append(out, c)
	}
	for _, c := range m.Entry.Causes {
		if c.ID != m.Cause && forLibrary(c.Library, m.Library) {
			out = append(out, c)
		}
	}
	return out
}

// Fix returns the entry's fix, followed by its wording for the report's
// client library when there is one. With the library unknown, only a
// library the pinned cause is tied to gets its wording.
func (m Match) Fix() string {
	fix := oneLine(m.Entry.Fix)
	lib := m.Library
	if lib == "" {
		if c, ok := m.Entry.Cause(m.Cause); ok {
			lib = c.Library
		}
	}
	if extra := m.Entry.FixFor[lib]; lib != "" && extra != "" {
		fix += " " + oneLine(extra)
	}
	return fix
}

// CauseTexts returns the cause texts in the order of Causes, for callers
// that keep a plain list (checks.Explanation.Causes).
func (m Match) CauseTexts() []string {
	var out []string
	for _, c := range m.Causes() {
		out = append(out, c.Text)
	}
	return out
}

// observation is one error found in the input, parsed into the fields rules
// look at. Fields that the input does not show stay zero.
type observation struct {
	where  Where
	status int

	hasOAuth   bool
	oauthErr   string
	oauthDesc  string
	descAbsent bool // known to carry no error_description (not merely unseen)

	hasAPI    bool
	apiMsg    string
	apiReason string

	hasBody   bool // a plain-text body, page text or bare message
	body      string
	emptyBody bool

	path string // request path and query, when known

	isCallback   bool
	params       url.Values
	fromFragment bool

	// strength scales rule confidence: 1 for a parsed response, less when
	// the structure was pieced together from free text.
	strength float64
	source   string
	evidence string
	// span is where the observation sits in the scanned text; phrases
	// found inside it belong to it. {-1,-1} when not from a text.
	span [2]int
}

// candidate is one rule matching one observation or phrase.
type candidate struct {
	rule     *Rule
	entry    *Entry
	score    float64
	evidence string
	findings []string
	cause    string
	source   string
	span     [2]int
}

// normValue prepares a field value for a whole-value match: surrounding
// space, quotes and one trailing period do not count.
func normValue(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, `"'`)
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ".")
	return strings.TrimSpace(s)
}

// match reports how well the rule matches a parsed observation.
func (r *Rule) match(o *observation) (float64, bool) {
	if !r.appliesTo(o.where) {
		return 0, false
	}
	penalty := 1.0
	signals := 0
	if r.Error != "" {
		if !o.hasOAuth || o.oauthErr != r.Error {
			return 0, false
		}
		signals++
	}
	if r.descRe != nil {
		if !o.hasOAuth || o.oauthDesc == "" || !r.descRe.MatchString(normValue(o.oauthDesc)) {
			return 0, false
		}
		signals++
	}
	if r.NoDescription {
		if !o.hasOAuth || normValue(o.oauthDesc) != "" {
			return 0, false
		}
		if !o.descAbsent {
			penalty *= 0.7 // the description may just be cut off
		}
	}
	if r.textRe != nil {
		ok := false
		for _, s := range o.texts() {
			if r.textRe.MatchString(normValue(s)) {
				ok = true
				break
			}
		}
		if !ok {
			return 0, false
		}
		signals++
	}
	if r.reasonRe != nil {
		if !o.hasAPI || !r.reasonRe.MatchString(normValue(o.apiReason)) {
			return 0, false
		}
		signals++
	}
	if r.pathRe != nil {
		if o.path == "" || !r.pathRe.MatchString(o.path) {
			return 0, false
		}
	}
	if r.NeedsScope && !needsScope(o.path) {
		return 0, false
	}
	if r.EmptyBody {
		if !o.emptyBody {
			return 0, false
		}
	}
	if len(r.Params) > 0 {
		if !o.isCallback {
			return 0, false
		}
		if r.Fragment && !o.fromFragment {
			return 0, false
		}
		for k, want := range r.Params {
			if !o.params.Has(k) {
				return 0, false
			}
			if want != "" && o.params.Get(k) != want {
				return 0, false
			}
		}
		signals++
	}
	if len(r.Status) > 0 {
		switch {
		case o.status == 0 && signals > 0:
			penalty *= 0.97
		case o.status == 0:
			return 0, false
		case !slices.Contains(r.Status, o.status):
			return 0, false
		}
		signals++
	}
	if signals == 0 {
		return 0, false
	}
	s := o.strength
	if s == 0 {
		s = 1
	}
	return r.Confidence * s * penalty, true
}

// needsScope reports whether a Web API path (method unknown, as in a
// pasted log line) is an endpoint wire lists as needing a scope.
func needsScope(path string) bool {
	if path == "" {
		return false
	}
	for _, m := range []string{"GET", "PUT", "POST", "DELETE"} {
		if _, ok := wire.ScopesFor(m, path); ok {
			return true
		}
	}
	return false
}

// texts are the values a rule's text regex is tried on.
func (o *observation) texts() []string {
	var out []string
	if o.hasAPI && o.apiMsg != "" {
		out = append(out, o.apiMsg)
	}
	if o.hasBody && o.body != "" {
		out = append(out, o.body)
	}
	if o.hasOAuth && o.oauthDesc != "" {
		// Some clients wrap page and Web API texts in OAuth-shaped errors.
		out = append(out, o.oauthDesc)
	}
	return out
}

// matchObservation runs every rule against one observation.
func (c *Catalog) matchObservation(o *observation) []candidate {
	var out []candidate
	bestContent := 0.0
	for _, r := range c.rules {
		score, ok := r.match(o)
		if !ok {
			continue
		}
		if r.hasContent() && score > bestContent {
			bestContent = score
		}
		out = append(out, candidate{rule: r, entry: r.entry, score: score, evidence: o.evidence, cause: r.Cause, source: o.source, span: o.span})
	}
	// When the message itself was recognised, a rule that only looks at the
	// response's shape (a 403 on some path) is a weaker second opinion.
	if bestContent >= High {
		for i := range out {
			if !out[i].rule.hasContent() {
				out[i].score *= 0.6
			}
		}
	}
	return out
}

// rank merges candidates into one match per entry, best first. Evidence and
// findings are redacted by the caller before ranking.
func rank(cands []candidate) (matches []Match, low []Match) {
	byEntry := map[string]*Match{}
	causeScore := map[string]float64{} // the score of the candidate that pinned the cause
	var order []string
	for _, cd := range cands {
		m, ok := byEntry[cd.entry.ID]
		if !ok {
			m = &Match{Entry: cd.entry}
			byEntry[cd.entry.ID] = m
			order = append(order, cd.entry.ID)
		}
		if cd.score > m.Confidence {
			m.Confidence = cd.score
			if cd.rule != nil {
				m.Wording = cd.rule.Wording
			}
			if cd.source != "" {
				m.Source = cd.source
			}
		}
		// The cause is the one the strongest candidate that names one
		// points at, whatever the order the candidates came in.
		if cd.cause != "" && (m.Cause == "" || cd.score > causeScore[cd.entry.ID]) {
			m.Cause = cd.cause
			causeScore[cd.entry.ID] = cd.score
		}
		if m.Source == "" {
			m.Source = cd.source
		}
		if cd.evidence != "" && !slices.Contains(m.Evidence, cd.evidence) && len(m.Evidence) < 4 {
			m.Evidence = append(m.Evidence, cd.evidence)
		}
		for _, f := range cd.findings {
			if !slices.Contains(m.Findings, f) {
				m.Findings = append(m.Findings, f)
			}
		}
	}
	index := map[string]int{}
	for i, id := range order {
		index[id] = i
	}
	all := make([]Match, 0, len(order))
	for _, id := range order {
		m := byEntry[id]
		if m.Confidence > 1 {
			m.Confidence = 1
		}
		m.Confidence = float64(int(m.Confidence*100+0.5)) / 100
		all = append(all, *m)
	}
	slices.SortStableFunc(all, func(a, b Match) int {
		if c := cmp.Compare(b.Confidence, a.Confidence); c != 0 {
			return c
		}
		return cmp.Compare(index[a.Entry.ID], index[b.Entry.ID])
	})
	for _, m := range all {
		switch {
		case m.Confidence >= Recognised:
			matches = append(matches, m)
		case m.Confidence >= keepLow:
			low = append(low, m)
		}
	}
	return matches, low
}
