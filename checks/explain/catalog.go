// Package explain is spotcheck's knowledge base of Spotify OAuth and Web API
// errors and the reader that maps what a user has (a pasted error, a client
// library's exception, a callback URL, a HAR file, or one response a check
// received) to the catalog entries that explain it, most likely first.
//
// The entries are data: catalog.yaml, embedded and validated once by
// Default. `spotcheck explain`, the runner (explanations on failing steps)
// and the doctor all read the same entries by their stable ids.
//
// Precision matters more than recall: a wrong confident answer sends support
// staff the wrong way, so a text is only "recognised" when a rule matches it
// with at least medium confidence; otherwise Explain says so and lists the
// closest entries.
package explain

import (
	_ "embed"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Where is the place in the OAuth flow where an error shows.
type Where string

const (
	// WhereAuthorizePage is a page rendered by accounts.spotify.com/authorize
	// instead of a redirect back to the app.
	WhereAuthorizePage Where = "authorize-page"
	// WhereRedirect is the browser coming back to the app's redirect_uri.
	WhereRedirect Where = "redirect"
	// WhereToken is POST accounts.spotify.com/api/token.
	WhereToken Where = "token"
	// WhereWebAPI is api.spotify.com/v1/….
	WhereWebAPI Where = "webapi"
)

var validWhere = map[Where]bool{WhereAuthorizePage: true, WhereRedirect: true, WhereToken: true, WhereWebAPI: true}

// Describe returns a short human name for the place.
func (w Where) Describe() string {
	switch w {
	case WhereAuthorizePage:
		return "the Spotify authorize page"
	case WhereRedirect:
		return "the redirect back to the app"
	case WhereToken:
		return "the token endpoint (POST /api/token)"
	case WhereWebAPI:
		return "the Web API (api.spotify.com/v1)"
	}
	return string(w)
}

// Entry is one explained error.
type Entry struct {
	ID      string  `yaml:"id"`
	Where   []Where `yaml:"where"`
	Title   string  `yaml:"title"`
	Since   string  `yaml:"since"`
	Context string  `yaml:"context"`
	Causes  []Cause `yaml:"causes"`
	Fix     string  `yaml:"fix"`
	// FixFor words the fix for one client library (a key of Libraries);
	// it follows Fix when the report comes from that library.
	FixFor map[string]string `yaml:"fix_for"`
	// Ask are questions for the person who hit the error; Check is what
	// the developer looks up in the app's dashboard, which that person
	// usually cannot see.
	Ask   []string `yaml:"ask"`
	Check []string `yaml:"check"`
	// Derived entries are found only by reasoning across requests (a HAR,
	// a callback compared with the state sent); they have no rules.
	Derived bool   `yaml:"derived"`
	Rules   []Rule `yaml:"rules"`
	// Hints tell the entry from a close one when the error itself was
	// only recognised from words (see Hint).
	Hints []Hint `yaml:"hints"`

	line int
}

// Cause is one possible reason behind an entry. Tell says how to tell it
// apart from the entry's other causes.
type Cause struct {
	ID   string `yaml:"id"`
	Text string `yaml:"text"`
	Tell string `yaml:"tell"`
	// Library, when set, is the only client library (a key of Libraries)
	// this cause can happen with.
	Library string `yaml:"library"`
}

// Cause returns the entry's cause with the given id.
func (e *Entry) Cause(id string) (Cause, bool) {
	for _, c := range e.Causes {
		if c.ID == id {
			return c, true
		}
	}
	return Cause{}, false
}

// Rule is one way an entry's error shows on the wire. A rule matches when
// all of its fields match; see catalog.yaml for the field meanings.
type Rule struct {
	Where         []Where    `yaml:"where"`
	Error         string     `yaml:"error"`
	Description   string     `yaml:"description"`
	NoDescription bool       `yaml:"no_description"`
	Status        statusList `yaml:"status"`
	Text          string     `yaml:"text"`
	Reason        string     `yaml:"reason"`
	Path          string     `yaml:"path"`
	// NeedsScope: the request path is an endpoint that needs a scope, by
	// wire's table of endpoint scopes (one place for that fact).
	NeedsScope bool              `yaml:"needs_scope"`
	EmptyBody  bool              `yaml:"empty_body"`
	Params     map[string]string `yaml:"params"`
	Fragment   bool              `yaml:"fragment"`
	Confidence float64           `yaml:"confidence"`
	Loose      float64           `yaml:"loose"`
	NeedStatus bool              `yaml:"need_status"`
	Open       bool              `yaml:"open"`
	Wording    string            `yaml:"wording"`
	Cause      string            `yaml:"cause"`

	line     int
	entry    *Entry
	looseSet bool // loose given in the file: the text is ambiguous on its own
	// Compiled forms: whole-value (anchored) and in-text (unanchored).
	descRe, textRe, reasonRe, pathRe *regexp.Regexp
	descScan, textScan, reasonScan   *fastRe
}

// Line is the line of catalog.yaml the rule starts on.
func (r *Rule) Line() int { return r.line }

// where is the rule's own where list, else its entry's.
func (r *Rule) where() []Where {
	if len(r.Where) > 0 {
		return r.Where
	}
	return r.entry.Where
}

func (r *Rule) appliesTo(w Where) bool {
	return w == "" || slices.Contains(r.where(), w)
}

// hasContent reports whether the rule looks at message text, not only at
// the shape of a response (status, path, empty body).
func (r *Rule) hasContent() bool {
	return r.Error != "" || r.Description != "" || r.NoDescription || r.Text != "" || r.Reason != "" || len(r.Params) > 0
}

// statusList accepts `status: 401` and `status: [401, 403]`.
type statusList []int

func (s *statusList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		var v int
		if err := n.Decode(&v); err != nil {
			return err
		}
		*s = statusList{v}
		return nil
	case yaml.SequenceNode:
		var vs []int
		if err := n.Decode(&vs); err != nil {
			return err
		}
		*s = vs
		return nil
	}
	return fmt.Errorf("line %d: status must be a number or a list of numbers", n.Line)
}

// decodeKnown decodes n into v, first rejecting mapping keys that are not
// yaml tags of v's type: a misspelt field ("descripton:") would otherwise
// silently match nothing.
// (Decoder.KnownFields does not reach into custom unmarshalers.)
func decodeKnown(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return n.Decode(v)
	}
	allowed := map[string]bool{}
	t := reflect.TypeOf(v).Elem()
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			allowed[tag] = true
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !allowed[k.Value] {
			return fmt.Errorf("line %d: unknown field %q", k.Line, k.Value)
		}
	}
	return n.Decode(v)
}

func (c *Cause) UnmarshalYAML(n *yaml.Node) error {
	type plain Cause
	var p plain
	if err := decodeKnown(n, &p); err != nil {
		return err
	}
	*c = Cause(p)
	return nil
}

func (e *Entry) UnmarshalYAML(n *yaml.Node) error {
	type plain Entry
	var p plain
	if err := decodeKnown(n, &p); err != nil {
		return err
	}
	*e = Entry(p)
	e.line = n.Line
	return nil
}

func (h *Hint) UnmarshalYAML(n *yaml.Node) error {
	type plain Hint
	var p plain
	if err := decodeKnown(n, &p); err != nil {
		return err
	}
	*h = Hint(p)
	h.line = n.Line
	return nil
}

func (r *Rule) UnmarshalYAML(n *yaml.Node) error {
	type plain Rule
	var p plain
	if err := decodeKnown(n, &p); err != nil {
		return err
	}
	*r = Rule(p)
	r.line = n.Line
	return nil
}

// Catalog is the parsed, validated set of entries. It is safe for
// concurrent use.
type Catalog struct {
	entries []*Entry
	byID    map[string]*Entry
	rules   []*Rule
	hints   []*Hint
}

//go:embed catalog.yaml
var embedded []byte

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
)

// Default returns the built-in catalog, parsed once from the embedded
// catalog.yaml. A broken embedded catalog is a programming error caught by
// the package's tests, so Default panics on it.
func Default() *Catalog {
	defaultOnce.Do(func() {
		c, err := Parse(embedded, "catalog.yaml")
		if err != nil {
			panic("spotcheck: embedded error catalog is invalid: " + err.Error())
		}
		defaultCat = c
	})
	return defaultCat
}

// Entries returns the entries in catalog order.
func (c *Catalog) Entries() []*Entry { return slices.Clone(c.entries) }

// Entry returns the entry with the given id.
func (c *Catalog) Entry(id string) (*Entry, bool) {
	e, ok := c.byID[id]
	return e, ok
}

// ValidationError lists everything wrong with a catalog file, each problem
// with its line.
type ValidationError struct {
	File     string
	Problems []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s: %d problem(s): %s", e.File, len(e.Problems), strings.Join(e.Problems, "; "))
}

var (
	idRe        = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	oauthCodeRe = regexp.MustCompile(`^[a-z]+(?:_[a-z]+)*$`)
)

// Parse reads and validates a catalog. Every entry needs a unique kebab-case
// id, a where, a title, a fix and at least one cause; every rule must have
// something to match on, compile, and point at existing causes. All problems
// are reported at once, each with the line it is on.
func Parse(data []byte, file string) (*Catalog, error) {
	var doc struct {
		Version int      `yaml:"version"`
		Entries []*Entry `yaml:"entries"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc.Version != 1 {
		return nil, fmt.Errorf("%s: version %d: want 1", file, doc.Version)
	}
	c := &Catalog{byID: map[string]*Entry{}}
	var problems []string
	bad := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
	}
	if len(doc.Entries) == 0 {
		bad(1, "no entries")
	}
	for _, e := range doc.Entries {
		if e == nil {
			continue
		}
		switch {
		case e.ID == "":
			bad(e.line, "entry without id")
		case !idRe.MatchString(e.ID):
			bad(e.line, "entry %q: id must be kebab-case", e.ID)
		case c.byID[e.ID] != nil:
			bad(e.line, "entry %q: duplicate id (first at line %d)", e.ID, c.byID[e.ID].line)
		default:
			c.byID[e.ID] = e
		}
		if len(e.Where) == 0 {
			bad(e.line, "entry %q: no where", e.ID)
		}
		for _, w := range e.Where {
			if !validWhere[w] {
				bad(e.line, "entry %q: where %q: want authorize-page, redirect, token or webapi", e.ID, w)
			}
		}
		if strings.TrimSpace(e.Title) == "" {
			bad(e.line, "entry %q: no title", e.ID)
		}
		if strings.TrimSpace(e.Fix) == "" {
			bad(e.line, "entry %q: no fix", e.ID)
		}
		if len(e.Causes) == 0 {
			bad(e.line, "entry %q: no causes", e.ID)
		}
		causeIDs := map[string]bool{}
		for i, cs := range e.Causes {
			if cs.ID == "" || !idRe.MatchString(cs.ID) {
				bad(e.line, "entry %q: cause %d: id %q must be kebab-case", e.ID, i+1, cs.ID)
			}
			if causeIDs[cs.ID] {
				bad(e.line, "entry %q: duplicate cause id %q", e.ID, cs.ID)
			}
			causeIDs[cs.ID] = true
			if strings.TrimSpace(cs.Text) == "" {
				bad(e.line, "entry %q: cause %q has no text", e.ID, cs.ID)
			}
			if cs.Library != "" && !slices.Contains(Libraries, cs.Library) {
				bad(e.line, "entry %q: cause %q: library %q: want one of %s", e.ID, cs.ID, cs.Library, strings.Join(Libraries, ", "))
			}
		}
		for lib := range e.FixFor {
			if !slices.Contains(Libraries, lib) {
				bad(e.line, "entry %q: fix_for %q: want one of %s", e.ID, lib, strings.Join(Libraries, ", "))
			}
		}
		if e.Derived && len(e.Rules) > 0 {
			bad(e.line, "entry %q: derived entries have no rules", e.ID)
		}
		if !e.Derived && len(e.Rules) == 0 {
			bad(e.line, "entry %q: no rules (mark it derived: true if only cross-request reasoning finds it)", e.ID)
		}
		c.entries = append(c.entries, e)
		for i := range e.Rules {
			r := &e.Rules[i]
			r.entry = e
			for _, p := range r.compile(causeIDs) {
				bad(r.line, "entry %q rule %d: %s", e.ID, i+1, p)
			}
			c.rules = append(c.rules, r)
		}
	}
	// Hints name other entries: checked once every entry is known.
	for _, e := range c.entries {
		causeIDs := map[string]bool{}
		for _, cs := range e.Causes {
			causeIDs[cs.ID] = true
		}
		for i := range e.Hints {
			h := &e.Hints[i]
			h.entry = e
			for _, p := range h.compile(c.byID, causeIDs) {
				bad(h.line, "entry %q hint %d: %s", e.ID, i+1, p)
			}
			c.hints = append(c.hints, h)
		}
	}
	if len(problems) > 0 {
		return nil, &ValidationError{File: file, Problems: problems}
	}
	return c, nil
}

// compile checks a rule and builds its regexes; it returns the problems.
func (r *Rule) compile(causeIDs map[string]bool) []string {
	var problems []string
	if !r.hasContent() && len(r.Status) == 0 && r.Path == "" && !r.EmptyBody {
		problems = append(problems, "matches nothing (give error, description, text, reason, status, path, params or empty_body)")
	}
	if r.Description != "" && r.Error == "" {
		problems = append(problems, "description without error (match on error first)")
	}
	if r.NoDescription && (r.Error == "" || r.Description != "") {
		problems = append(problems, "no_description needs error and no description")
	}
	if r.Error != "" && !oauthCodeRe.MatchString(r.Error) {
		problems = append(problems, fmt.Sprintf("error %q is not an OAuth error code", r.Error))
	}
	for _, s := range r.Status {
		if s < 100 || s > 599 {
			problems = append(problems, fmt.Sprintf("status %d out of range", s))
		}
	}
	for _, w := range r.Where {
		if !validWhere[w] {
			problems = append(problems, fmt.Sprintf("where %q: want authorize-page, redirect, token or webapi", w))
		}
	}
	if r.Fragment && len(r.Params) == 0 {
		problems = append(problems, "fragment without params")
	}
	if r.NeedStatus && len(r.Status) == 0 {
		problems = append(problems, "need_status without status")
	}
	if r.Confidence == 0 {
		r.Confidence = 0.95
	}
	if r.Confidence < 0 || r.Confidence > 1 {
		problems = append(problems, fmt.Sprintf("confidence %v not in 0..1", r.Confidence))
	}
	r.looseSet = r.Loose != 0
	if r.Loose == 0 {
		r.Loose = r.Confidence - 0.05
	}
	if r.Loose < 0 || r.Loose > r.Confidence {
		problems = append(problems, fmt.Sprintf("loose %v not in 0..confidence", r.Loose))
	}
	if r.Cause != "" && !causeIDs[r.Cause] {
		problems = append(problems, fmt.Sprintf("cause %q is not one of the entry's causes", r.Cause))
	}
	compile := func(field, src string, anchored **regexp.Regexp, scan **fastRe) {
		if src == "" {
			return
		}
		if strings.HasSuffix(src, `\.`) {
			problems = append(problems, fmt.Sprintf("%s %q: drop the trailing period (it is ignored on values)", field, src))
		}
		if _, err := regexp.Compile(src); err != nil {
			problems = append(problems, fmt.Sprintf("%s %q: %v", field, src, err))
			return
		}
		loose := tolerant(src)
		*anchored = regexp.MustCompile(`(?i)^(?:` + loose + `)$`)
		if scan != nil {
			*scan = newFastRe(regexp.MustCompile(`(?i)`+loose), 512)
		}
	}
	compile("description", r.Description, &r.descRe, &r.descScan)
	compile("text", r.Text, &r.textRe, &r.textScan)
	compile("reason", r.Reason, &r.reasonRe, &r.reasonScan)
	if r.Path != "" {
		p, err := regexp.Compile(r.Path)
		if err != nil {
			problems = append(problems, fmt.Sprintf("path %q: %v", r.Path, err))
		} else {
			r.pathRe = p
		}
	}
	for k := range r.Params {
		if k == "" {
			problems = append(problems, "empty param name")
		}
	}
	return problems
}

// ErrEmpty is returned when there is nothing to explain.
var ErrEmpty = errors.New("nothing to explain: the input is empty")
