package reports

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spotcheck/spotcheck/checks/cisafe"
	"github.com/spotcheck/spotcheck/checks/result"
)

// Format names an output format.
type Format string

// The formats Write renders.
const (
	FormatText     Format = "text"     // for a terminal: failures first, summary line last
	FormatJSON     Format = "json"     // schema reports/schema/report.schema.json
	FormatJUnit    Format = "junit"    // JUnit XML as Jenkins, GitLab and Surefire consumers read it
	FormatMarkdown Format = "markdown" // a pull-request comment or $GITHUB_STEP_SUMMARY
	FormatHTML     Format = "html"     // one self-contained page for support staff
)

// Formats lists every format, in the order help texts show them.
var Formats = []Format{FormatText, FormatJSON, FormatJUnit, FormatMarkdown, FormatHTML}

// FormatList is "text, json, junit, markdown or html", for help and error
// messages.
func FormatList() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ParseFormat returns the Format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if s == string(f) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown report format %q (want %s)", s, FormatList())
}

// Document is what a report renders: the result of a run, or the findings
// of a doctor or grade. Exactly one of the two is set.
type Document struct {
	Run      *result.RunResult
	Findings *result.FindingsResult
}

// ErrEmptyDocument is returned when a Document holds neither a run nor
// findings.
var ErrEmptyDocument = errors.New("reports: document holds neither a run nor findings")

func (d Document) validate() error {
	switch {
	case d.Run == nil && d.Findings == nil:
		return ErrEmptyDocument
	case d.Run != nil && d.Findings != nil:
		return errors.New("reports: document holds both a run and findings; write them as two reports")
	}
	return nil
}

// Options tune rendering. The zero value renders plain output for a file.
type Options struct {
	// Color turns on ANSI colours in the text format. The caller decides
	// (a terminal on stdout and no NO_COLOR); reports never guess.
	Color bool
	// Version is the spotcheck version to print; empty means the one
	// recorded in the result.
	Version string
	// OmitScreenshots leaves screenshot images out of JSON and HTML, to
	// keep reports small; names, URLs and page text stay.
	OmitScreenshots bool
	// Stdout is where WriteAll writes a Spec whose path is "-"; nil means
	// os.Stdout.
	Stdout io.Writer
	// Verbose lists in the text format every detail line of a check (the
	// files a secret scan skipped), every skipped check with its reason
	// and the exchanges behind each finding; without it the text shows
	// counts.
	Verbose bool
	// Brief leaves passed and skipped scenarios out of a run's text (the
	// summary counts them): for a terminal that has just shown a progress
	// line for each.
	Brief bool
	// Width wraps the text format's findings (evidence, fixes, messages)
	// at this many columns, between words and at URL boundaries; 0 does
	// not wrap.
	Width int
}

func (o Options) version(recorded string) string {
	if o.Version != "" {
		return o.Version
	}
	if recorded != "" {
		return recorded
	}
	return "unknown"
}

// Write renders doc in format to w. Every format may end up in a CI log
// (on stdout, or printed by a later step), so the finished document is
// disarmed of workflow commands that text from a target could carry
// (package cisafe): JSON losslessly, the others with a zero-width space
// inside each marker. No format carries workflow commands of its own: a
// report may be a file GitHub renders ($GITHUB_STEP_SUMMARY), where a
// command is literal text; WriteAnnotations writes them apart.
func Write(w io.Writer, format Format, doc Document, opts Options) error {
	if err := doc.validate(); err != nil {
		return err
	}
	var out bytes.Buffer
	bw := bufio.NewWriterSize(&out, 64<<10)
	var err error
	switch format {
	case FormatText:
		err = writeText(bw, doc, opts)
	case FormatJSON:
		err = writeJSON(bw, doc, opts)
	case FormatJUnit:
		err = writeJUnit(bw, doc, opts)
	case FormatMarkdown:
		err = writeMarkdown(bw, doc, opts)
	case FormatHTML:
		err = writeHTML(bw, doc, opts)
	default:
		return fmt.Errorf("unknown report format %q (want %s)", format, FormatList())
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return err
	}
	safe := cisafe.Bytes
	if format == FormatJSON {
		safe = cisafe.JSON
	}
	_, err = w.Write(safe(out.Bytes()))
	return err
}

// Spec is one report to write: a format and a path, "-" for stdout.
type Spec struct {
	Format Format
	Path   string
}

// Stdout is the Spec path that means standard output.
const Stdout = "-"

// String returns the spec as ParseSpec reads it, e.g. "junit=out/report.xml".
func (s Spec) String() string { return string(s.Format) + "=" + s.Path }

// SpecError says why a --report value does not parse.
type SpecError struct {
	Value  string // as given, e.g. "xml=out/report.xml"
	Reason string
}

func (e *SpecError) Error() string { return fmt.Sprintf("report %q: %s", e.Value, e.Reason) }

// ParseSpec reads a FORMAT=PATH report spec, e.g. "junit=out/report.xml"
// or "json=-" for stdout.
func ParseSpec(value string) (Spec, error) {
	name, path, ok := strings.Cut(value, "=")
	if !ok {
		return Spec{}, &SpecError{value, "want FORMAT=PATH, e.g. junit=out/report.xml (FORMAT is " + FormatList() + "; PATH - is stdout)"}
	}
	f, err := ParseFormat(strings.TrimSpace(name))
	if err != nil {
		return Spec{}, &SpecError{value, err.Error()}
	}
	if path == "" {
		return Spec{}, &SpecError{value, "the path after = is empty (use - for stdout)"}
	}
	if strings.ContainsRune(path, 0) {
		return Spec{}, &SpecError{value, "the path holds a NUL byte"}
	}
	return Spec{Format: f, Path: path}, nil
}
