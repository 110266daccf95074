package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/checks/cisafe"
)

// Exit codes are a stable interface (see DESIGN.md).
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitUnreachable = 3
)

// exitError carries the exit code a command wants alongside its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// withCode wraps err so that execute exits with code; nil stays nil.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// silentExit ends a command with a code but prints nothing more: the command
// has already reported its outcome (for example a failing test run).
type silentExit struct{ code int }

func (s silentExit) Error() string { return fmt.Sprintf("exit %d", s.code) }

// app is what every subcommand gets: its streams and the logger.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	log            zerolog.Logger
	logLevel       string
	logOut         *logBuffer // the log's buffer, closed when the command ends
	// quiet (-q) leaves out progress lines and info log lines: only
	// results, warnings and errors.
	quiet bool
}

// subcommands registers one constructor per file, so that each command lives
// in its own file without editing a central list.
var subcommands []func(*app) *cobra.Command

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "spotcheck",
		Short:         "Find and explain Spotify OAuth 2.0 problems",
		Long:          "spotcheck finds and explains Spotify OAuth 2.0 misconfigurations: a faithful fake Spotify (fake),\nconformance scenarios (run), an app configuration doctor (doctor) and an error explainer (explain).",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			level := a.logLevel
			if a.quiet && !cmd.Flags().Changed("log-level") {
				level = "warn"
			}
			a.logOut = newLogBuffer(a.stderr)
			logger, err := newLogger(a.logOut, a.stderr, level)
			if err != nil {
				return err
			}
			a.log = logger
			return nil
		},
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "info", "log level: trace, debug, info, warn, error, disabled")
	root.PersistentFlags().BoolVarP(&a.quiet, "quiet", "q", false, "only results, warnings and errors: no progress lines, no info log lines (--log-level warn)")
	must(root.RegisterFlagCompletionFunc("log-level", values("trace", "debug", "info", "warn", "error", "disabled")))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: err}
	})
	for _, sub := range subcommands {
		root.AddCommand(sub(a))
	}
	setVersionFlag(root)
	return root
}

// execute runs the CLI and returns the process exit code.
func execute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, log: zerolog.Nop()}
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.Execute()
	if a.logOut != nil {
		// Every line logged reaches stderr before the command's last words.
		_ = a.logOut.Close()
	}
	if err == nil {
		return exitOK
	}
	var silent silentExit
	if errors.As(err, &silent) {
		return silent.code
	}
	code := exitUsage // cobra's own errors (unknown command, bad args) are usage errors
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	if printConfigProblems(stderr, err) {
		return code
	}
	msg, hint := suggestion(err.Error())
	// An error can quote a target (a body, a network error's text).
	fmt.Fprintf(stderr, "spotcheck: %s\n", cisafe.Text(oneLine(msg)))
	if hint != "" {
		fmt.Fprintln(stderr, hint)
	}
	return code
}

// suggestion splits cobra's "unknown command" error from its "Did you
// mean this?" list, which oneLine would squash onto the same line, and
// words the list as commands to type.
func suggestion(msg string) (text, hint string) {
	head, list, ok := strings.Cut(msg, "Did you mean this?")
	if !ok {
		return msg, ""
	}
	var cmds []string
	for _, name := range strings.Fields(list) {
		cmds = append(cmds, "spotcheck "+name)
	}
	if len(cmds) == 0 {
		return strings.TrimSpace(head), ""
	}
	return strings.TrimSpace(head), "did you mean " + strings.Join(cmds, " or ") + "?"
}

func oneLine(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\n", " "))
}

// newLogger writes zerolog to w: human console output when dest (where w
// ends up) is a terminal, JSON lines otherwise (CI logs, files, pipes).
// Log lines quote targets (bodies, requests to the fake), so workflow
// commands in them are disarmed (package cisafe).
func newLogger(w, dest io.Writer, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(strings.ToLower(level))
	if err != nil || level == "" {
		return zerolog.Nop(), usageErrorf("--log-level %q: want trace, debug, info, warn, error or disabled", level)
	}
	out := cisafe.Writer(w)
	if f, ok := dest.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		out = zerolog.ConsoleWriter{Out: out, TimeFormat: "15:04:05", NoColor: os.Getenv("NO_COLOR") != ""}
	}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger(), nil
}
