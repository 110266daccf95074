package explain

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spotcheck/spotcheck/checks/cisafe"
)

// SchemaVersion is the version of the JSON document WriteJSON writes; it
// changes only when a field changes meaning or goes away.
const SchemaVersion = "1"

//go:embed explain.schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of the document WriteJSON
// writes.
func Schema() []byte { return append([]byte(nil), schemaJSON...) }

// Document is the JSON form of a Result (see explain.schema.json).
type Document struct {
	SchemaVersion string       `json:"schema_version"`
	Tool          string       `json:"tool"`
	Input         DocInput     `json:"input"`
	Recognised    bool         `json:"recognised"`
	Causes        []DocCause   `json:"causes"`
	Closest       []DocClosest `json:"closest"`
	Notes         []string     `json:"notes"`
	Library       string       `json:"library,omitempty"`
	Collect       []string     `json:"collect"`
}

// DocInput describes what was read.
type DocInput struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Bytes int64  `json:"bytes"`
}

// DocCause is one matched entry.
type DocCause struct {
	ID         string      `json:"id"`
	Title      string      `json:"title"`
	Where      []string    `json:"where"`
	Confidence float64     `json:"confidence"`
	Level      string      `json:"level"`
	Evidence   []string    `json:"evidence"`
	Findings   []string    `json:"findings"`
	Source     string      `json:"source,omitempty"`
	Wording    string      `json:"wording,omitempty"`
	Cause      string      `json:"cause,omitempty"`
	Count      int         `json:"count,omitempty"`
	Reasons    []DocReason `json:"reasons"`
	Fix        string      `json:"fix"`
	Ask        []string    `json:"ask"`
	Check      []string    `json:"check"`
	Since      string      `json:"since,omitempty"`
	Context    string      `json:"context,omitempty"`
}

// DocReason is one of an entry's causes, in the order to check them.
type DocReason struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Tell   string `json:"tell,omitempty"`
	Pinned bool   `json:"pinned"`
}

// DocClosest is a near miss.
type DocClosest struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Confidence float64 `json:"confidence"`
}

// Document converts the result to its JSON form.
func (r *Result) Document() Document {
	d := Document{
		SchemaVersion: SchemaVersion,
		Tool:          "spotcheck explain",
		Input:         DocInput{Name: r.Input.Name, Kind: string(r.Input.Kind), Bytes: r.Input.Bytes},
		Recognised:    r.Recognised(),
		Causes:        []DocCause{},
		Closest:       []DocClosest{},
		Notes:         append([]string{}, r.Notes...),
		Library:       r.Library,
		Collect:       append([]string{}, r.whatToCollect()...),
	}
	for _, m := range r.Matches {
		d.Causes = append(d.Causes, docCause(m))
	}
	for _, c := range r.Closest {
		d.Closest = append(d.Closest, DocClosest{ID: c.Entry.ID, Title: c.Entry.Title, Confidence: c.Confidence})
	}
	return d
}

func docCause(m Match) DocCause {
	e := m.Entry
	dc := DocCause{
		ID: e.ID, Title: e.Title, Confidence: m.Confidence, Level: string(m.Level()),
		Evidence: nonNil(m.Evidence), Findings: nonNil(m.Findings), Source: m.Source, Wording: m.Wording, Cause: m.Cause, Count: m.Count,
		Fix: m.Fix(), Ask: nonNil(e.Ask), Check: nonNil(e.Check), Since: e.Since, Context: oneLine(e.Context),
	}
	for _, w := range e.Where {
		dc.Where = append(dc.Where, string(w))
	}
	for _, c := range m.Causes() {
		dc.Reasons = append(dc.Reasons, DocReason{ID: c.ID, Text: c.Text, Tell: c.Tell, Pinned: c.ID == m.Cause})
	}
	return dc
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// WriteJSON writes the result as an indented JSON document, with the
// workflow commands a pasted report may carry disarmed (package cisafe:
// the document decodes the same).
func WriteJSON(w io.Writer, r *Result) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r.Document()); err != nil {
		return err
	}
	_, err := w.Write(cisafe.JSON(b.Bytes()))
	return err
}

// textWidth is where terminal text wraps.
const textWidth = 96

// WriteText writes the result for a terminal: the best match in full, the
// others in short, or a plain "not recognised" with the closest entries.
// Workflow commands a pasted report may carry are disarmed (package
// cisafe), since explain runs in CI logs too.
func WriteText(w io.Writer, r *Result) error {
	var b strings.Builder
	name := r.Input.Name
	if !r.Recognised() {
		fmt.Fprintf(&b, "Not recognised: %s contains no Spotify error the catalog knows well enough to name.\n", name)
		if len(r.Closest) > 0 {
			b.WriteString("\nClosest entries (`spotcheck explain --as …` or more of the text may help):\n")
			for _, c := range r.Closest {
				conf := ""
				if c.Confidence > 0 {
					conf = fmt.Sprintf("  [low, %.2f]", c.Confidence)
				}
				fmt.Fprintf(&b, "  %-28s %s%s\n", c.Entry.ID, c.Entry.Title, conf)
			}
		}
		if collect := r.whatToCollect(); len(collect) > 0 {
			b.WriteString("\nWhat to collect next\n")
			for _, c := range collect {
				wrap(&b, "  - ", c)
			}
		}
		writeNotes(&b, r.Notes)
		_, err := io.WriteString(w, cisafe.Text(b.String()))
		return err
	}
	top := r.Matches[0]
	e := top.Entry
	fmt.Fprintf(&b, "%s  [%s confidence, %.2f]\n", e.ID, top.Level(), top.Confidence)
	wrap(&b, "  ", e.Title)
	meta := []string{"where: " + describeWheres(e.Where)}
	if top.Source != "" {
		meta = append(meta, "read as: "+top.Source)
	}
	if top.Wording != "" {
		meta = append(meta, "wording: "+top.Wording)
	}
	if top.Library != "" {
		meta = append(meta, "library: "+top.Library)
	}
	wrap(&b, "  ", strings.Join(meta, "; "))
	if len(top.Evidence) > 0 {
		b.WriteString("\nEvidence (secrets shown as fingerprints)\n")
		for _, ev := range top.Evidence {
			// Not wrapped: spacing can be the evidence ("client_credentials  is").
			b.WriteString("  > " + ev + "\n")
		}
		if top.Count > maxExamples {
			fmt.Fprintf(&b, "  (%s showed it; the evidence and findings quote the first %d)\n", countRequests(top.Count), maxExamples)
		}
	}
	if len(top.Findings) > 0 {
		b.WriteString("\nWhat the requests show\n")
		for _, f := range top.Findings {
			wrap(&b, "  - ", f)
		}
	}
	b.WriteString("\nLikely causes, most likely first\n")
	for i, c := range top.Causes() {
		mark := ""
		if c.ID == top.Cause && top.Cause != "" {
			mark = " (this one: the evidence points here)"
		}
		wrap(&b, fmt.Sprintf("  %d. ", i+1), c.Text+mark)
		if c.Tell != "" {
			wrap(&b, "     how to tell: ", c.Tell)
		}
	}
	b.WriteString("\nFix\n")
	wrap(&b, "  ", top.Fix())
	if len(e.Ask) > 0 {
		b.WriteString("\nAsk the user\n")
		for _, q := range e.Ask {
			wrap(&b, "  - ", q)
		}
	}
	if len(e.Check) > 0 {
		b.WriteString("\nCheck in the dashboard (the developer)\n")
		for _, q := range e.Check {
			wrap(&b, "  - ", q)
		}
	}
	if e.Context != "" || e.Since != "" {
		head := "Context"
		if e.Since != "" {
			head += ", since " + e.Since
		}
		b.WriteString("\n" + head + "\n")
		if e.Context != "" {
			wrap(&b, "  ", oneLine(e.Context))
		}
	}
	if len(r.Matches) > 1 {
		b.WriteString("\nAlso matched\n")
		for _, m := range r.Matches[1:] {
			fmt.Fprintf(&b, "  %-28s [%s, %.2f] %s\n", m.Entry.ID, m.Level(), m.Confidence, m.Entry.Title)
			if m.Count > 1 {
				fmt.Fprintf(&b, "      (%s showed it)\n", countRequests(m.Count))
			}
			for _, f := range m.Findings {
				wrap(&b, "      - ", f)
			}
		}
		b.WriteString("  (`--format json` has every match in full.)\n")
	}
	writeNotes(&b, r.Notes)
	_, err := io.WriteString(w, cisafe.Text(b.String()))
	return err
}

// countRequests is "2,838 requests".
func countRequests(n int) string {
	digits := strconv.Itoa(n)
	for i := len(digits) - 3; i > 0; i -= 3 {
		digits = digits[:i] + "," + digits[i:]
	}
	return digits + " requests"
}

// whatToCollect is Collect, or for a result built without it (a HAR, a
// run's exchanges) that nothing explains, the same list for its kind.
func (r *Result) whatToCollect() []string {
	if len(r.Collect) > 0 || r.Recognised() {
		return r.Collect
	}
	return collect(r.Input.Kind, r.Library)
}

func writeNotes(b *strings.Builder, notes []string) {
	if len(notes) == 0 {
		return
	}
	b.WriteString("\nNotes\n")
	for _, n := range notes {
		wrap(b, "  - ", n)
	}
}

func describeWheres(ws []Where) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.Describe())
	}
	return strings.Join(s, " or ")
}

// wrap writes text after prefix, wrapped at textWidth, continuation lines
// indented to the prefix's width.
func wrap(b *strings.Builder, prefix, text string) {
	indent := strings.Repeat(" ", len([]rune(prefix)))
	words := strings.Fields(text)
	line := prefix
	lineLen := len([]rune(prefix))
	fresh := true
	for _, w := range words {
		wl := len([]rune(w))
		if !fresh && lineLen+1+wl > textWidth {
			b.WriteString(line + "\n")
			line, lineLen, fresh = indent, len(indent), true
		}
		if !fresh {
			line += " "
			lineLen++
		}
		line += w
		lineLen += wl
		fresh = false
	}
	b.WriteString(line + "\n")
}
