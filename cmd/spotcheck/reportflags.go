package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/spotcheck/spotcheck/reports"
)

// reportFlags are the output flags of the commands that produce results
// (run, doctor, grade): --format for stdout, --report FORMAT=PATH for
// files, repeatable. Every conflict is caught while flags are parsed, so a
// mistyped flag costs exit 2 before a suite runs, not after.
type reportFlags struct {
	format        reports.Format
	formatSet     bool
	specs         []reports.Spec
	noScreenshots bool
	// verbose lists everything in text: every scenario, every skipped
	// check with its reason, every exchange, every detail line.
	verbose bool
	// brief is a run's text on a terminal that has just shown every
	// scenario's progress line: failures and the summary only.
	brief bool
}

// register adds the flags to cmd. Call it once per command.
func (f *reportFlags) register(cmd *cobra.Command) {
	f.format = reports.FormatText
	fl := cmd.Flags()
	fl.Var(formatFlag{f}, "format", "what stdout gets: "+reports.FormatList()+" (the JSON schema is reports/schema/report.schema.json)")
	fl.Var(reportFlag{f}, "report", "also write a report, as `FORMAT=PATH` with FORMAT one of "+reports.FormatList()+" (repeatable; PATH - is stdout instead of --format), e.g. --report junit=out/junit.xml")
	fl.BoolVar(&f.noScreenshots, "no-screenshots", false, "leave screenshot images out of JSON and HTML reports (names, URLs and page text stay)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "in text output, list everything: every scenario, every skipped check with its reason, every exchange behind a finding, every file the secret scan skipped")
	registerFormatCompletion(cmd, reports.Formats)
}

type formatFlag struct{ f *reportFlags }

func (v formatFlag) String() string {
	if v.f == nil || v.f.format == "" {
		return string(reports.FormatText)
	}
	return string(v.f.format)
}

func (v formatFlag) Type() string { return "FORMAT" }

func (v formatFlag) Set(s string) error {
	format, err := reports.ParseFormat(s)
	if err != nil {
		return err
	}
	if spec, ok := v.f.stdoutSpec(); ok {
		return fmt.Errorf("--report %s already writes to stdout; drop one of them", spec)
	}
	v.f.format, v.f.formatSet = format, true
	return nil
}

type reportFlag struct{ f *reportFlags }

func (v reportFlag) String() string {
	if v.f == nil {
		return ""
	}
	parts := make([]string, len(v.f.specs))
	for i, s := range v.f.specs {
		parts[i] = s.String()
	}
	return strings.Join(parts, ",")
}

func (v reportFlag) Type() string { return "FORMAT=PATH" }

func (v reportFlag) Set(s string) error {
	spec, err := reports.ParseSpec(s)
	if err != nil {
		// pflag already quotes the value and names the flag.
		var se *reports.SpecError
		if errors.As(err, &se) {
			return errors.New(se.Reason)
		}
		return err
	}
	for _, prev := range v.f.specs {
		if samePath(prev.Path, spec.Path) {
			if spec.Path == reports.Stdout {
				return fmt.Errorf("--report %s already writes to stdout", prev)
			}
			return fmt.Errorf("--report %s already writes to %s", prev, spec.Path)
		}
	}
	if spec.Path == reports.Stdout && v.f.formatSet {
		return fmt.Errorf("--format %s already sets what stdout gets; drop one of them", v.f.format)
	}
	v.f.specs = append(v.f.specs, spec)
	return nil
}

func samePath(a, b string) bool {
	if a == reports.Stdout || b == reports.Stdout {
		return a == b
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

func (f *reportFlags) stdoutSpec() (reports.Spec, bool) {
	for _, s := range f.specs {
		if s.Path == reports.Stdout {
			return s, true
		}
	}
	return reports.Spec{}, false
}

// isTerminal reports whether w is a terminal; a variable so that specs can
// stand in a terminal for a buffer.
var isTerminal = func(w io.Writer) bool {
	file, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(file.Fd()) || isatty.IsCygwinTerminal(file.Fd()))
}

// defaultWidth is where text is wrapped off a terminal (a CI log, a file).
const defaultWidth = 100

// terminalWidth is the terminal's width in columns, 0 when unknown; a
// variable so that specs can stand in a terminal.
var terminalWidth = func(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil {
			return cols
		}
	}
	return 0
}

// widthOf is the column text to w wraps at: the terminal's width, else
// defaultWidth.
func widthOf(w io.Writer) int {
	if isTerminal(w) {
		if cols := terminalWidth(w); cols > 0 {
			return cols
		}
	}
	return defaultWidth
}

// colorFor decides colour for stdout: a terminal, and no NO_COLOR (any
// non-empty value turns colour off, as no-color.org defines it).
func colorFor(w io.Writer) bool {
	return isTerminal(w) && os.Getenv("NO_COLOR") == ""
}

// write prints doc on stdout in the chosen format and writes every
// --report file. Under GitHub Actions (GITHUB_ACTIONS=true) failures also
// become ::error annotations, always on stderr: stdout is the report, and
// may be redirected into $GITHUB_STEP_SUMMARY, where a command would be
// shown as text. A report that cannot be written does not stop the
// others; afterwards write returns all such errors as one, with exit
// code 2.
func (f *reportFlags) write(a *app, doc reports.Document) error {
	base := reports.Options{Version: spotcheckVersion(), OmitScreenshots: f.noScreenshots, Verbose: f.verbose, Width: defaultWidth}
	actions := inGitHubActions()

	stdout := f.format
	var files []reports.Spec
	for _, s := range f.specs {
		if s.Path == reports.Stdout {
			stdout = s.Format
			continue
		}
		files = append(files, s)
	}

	var errs []error
	opts := base
	opts.Color = stdout == reports.FormatText && colorFor(a.stdout)
	opts.Width = widthOf(a.stdout)
	opts.Brief = f.brief && !f.verbose
	if err := reports.Write(a.stdout, stdout, doc, opts); err != nil {
		errs = append(errs, fmt.Errorf("%s report to stdout: %w", stdout, err))
	}
	if actions {
		if err := reports.WriteAnnotations(a.stderr, doc); err != nil {
			errs = append(errs, fmt.Errorf("GitHub annotations: %w", err))
		}
	}
	errs = append(errs, reports.WriteAll(files, doc, base)...)
	if len(errs) == 0 {
		return nil
	}
	return withCode(exitUsage, reportErrors(errs))
}

// reportErrors joins the reports that failed into one line for execute,
// which prints errors on a single line.
type reportErrors []error

func (e reportErrors) Error() string {
	parts := make([]string, len(e))
	for i, err := range e {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

func (e reportErrors) Unwrap() []error { return e }

// inGitHubActions is true in a GitHub Actions job, where workflow
// commands on stderr become annotations.
func inGitHubActions() bool { return os.Getenv("GITHUB_ACTIONS") == "true" }
