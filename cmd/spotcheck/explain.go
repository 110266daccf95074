package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/checks/explain/explainweb"
	"github.com/spotcheck/spotcheck/fakespotify/httpserve"
	"github.com/spotcheck/spotcheck/reports"
)

type explainOptions struct {
	as      string
	har     string
	state   string
	format  string
	reports []string
	serve   bool
	addr    string
}

// explainFormats are what explain writes: its answer has no scenarios or
// checks for JUnit, Markdown or HTML to show.
var explainFormats = []reports.Format{reports.FormatText, reports.FormatJSON}

func init() {
	subcommands = append(subcommands, newExplainCmd)
}

func newExplainCmd(a *app) *cobra.Command {
	var o explainOptions
	cmd := &cobra.Command{
		Use:   "explain [TEXT... | FILE | -]",
		Short: "Explain a Spotify OAuth or Web API error: the likely causes, the fix, what to ask",
		Long: `Explain an error report: a pasted error or JSON body, a page text (INVALID_CLIENT: …), a
spotipy / golang.org/x/oauth2 / zmb3/spotify / spotify-web-api-node exception, a log with the error
somewhere inside, a callback URL, or a HAR file exported from the browser. The answer names the
catalog entry (a stable id shared with run and doctor), quotes the evidence with secrets shown as
fingerprints, and lists the causes most likely first, how to tell them apart, the fix (worded for
the client library it recognises), the questions to ask the user and, apart from those, what the
developer checks in the dashboard; when nothing is recognised, what to collect next. A description
in words ("403 with an empty body on /v1/me") and an authorize URL with placeholders are read too.
A HAR is read across requests (redirect_uri at /authorize versus
/api/token, a code sent twice, code age, client ids, Basic credentials, PKCE, scopes, token age,
Retry-After).

The input is the arguments (joined by spaces), a file named by the only argument, - for stdin,
or --har FILE. --serve starts a local page for support staff instead.

Exit codes: 0 explained; 1 not recognised (what to collect next, and related entries); 2 bad input or usage.`,
		Example: `  spotcheck explain 'INVALID_CLIENT: Invalid redirect URI'
  spotcheck explain traceback.txt
  pbpaste | spotcheck explain -
  spotcheck explain --har session.har --format json
  spotcheck explain --state 7f3k 'http://127.0.0.1:8888/callback?code=AQ…&state=9c2e'
  spotcheck explain --serve --addr 127.0.0.1:8790`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.serve {
				if len(args) > 0 || o.har != "" {
					return usageErrorf("--serve takes no input: paste it into the page")
				}
				ctx, stop := interruptContext(cmd.Context(), a.stderr)
				defer stop()
				return serveExplain(ctx, a, o)
			}
			return runExplain(a, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.as, "as", "auto", "read the input as: auto, text, json, page, callback or har")
	f.StringVar(&o.har, "har", "", "explain a HAR 1.2 file (read as a stream; any size)")
	f.StringVar(&o.state, "state", "", "the state the app sent to /authorize, to compare with a callback's")
	f.StringVar(&o.format, "format", "text", "what stdout gets: text or json (the schema is checks/explain/explain.schema.json)")
	f.StringArrayVar(&o.reports, "report", nil, "also write the answer to a file, as `FORMAT=PATH` with FORMAT text or json (repeatable), e.g. --report json=out/explain.json")
	registerFormatCompletion(cmd, explainFormats)
	kinds := make([]string, len(explain.Kinds))
	for i, k := range explain.Kinds {
		kinds[i] = string(k)
	}
	must(cmd.RegisterFlagCompletionFunc("as", values(kinds...)))
	f.BoolVar(&o.serve, "serve", false, "serve the explain page for support staff instead of reading an input")
	f.StringVar(&o.addr, "addr", "127.0.0.1:8790", "address for --serve (keep it on loopback: users' HARs hold secrets)")
	return cmd
}

// explainInput opens what the user gave: --har, "-", a file, or the text
// of the arguments.
func explainInput(a *app, o explainOptions, args []string) (io.ReadCloser, string, error) {
	if o.har != "" {
		if len(args) > 0 {
			return nil, "", usageErrorf("give either --har FILE or an input, not both")
		}
		f, err := os.Open(o.har)
		if err != nil {
			return nil, "", withCode(exitUsage, fmt.Errorf("cannot read %s: %w", o.har, errors.Unwrap(err)))
		}
		return f, o.har, nil
	}
	switch {
	case len(args) == 0:
		if f, ok := a.stdin.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			return nil, "", usageErrorf("nothing to explain: give the error text, a file name, or - to read stdin")
		}
		return io.NopCloser(a.stdin), "stdin", nil
	case len(args) == 1 && args[0] == "-":
		return io.NopCloser(a.stdin), "stdin", nil
	case len(args) == 1:
		if st, err := os.Stat(args[0]); err == nil && st.Mode().IsRegular() {
			f, err := os.Open(args[0])
			if err != nil {
				return nil, "", withCode(exitUsage, fmt.Errorf("cannot read %s: %w", args[0], errors.Unwrap(err)))
			}
			return f, args[0], nil
		}
		if looksLikeFileName(args[0]) {
			return nil, "", usageErrorf("cannot read %s: no such file (quote the text if it is an error message)", args[0])
		}
	}
	return io.NopCloser(strings.NewReader(strings.Join(args, " "))), "argument", nil
}

// explainSpecs reads --report: text or json to a file (stdout is
// --format's).
func explainSpecs(values []string) ([]reports.Spec, error) {
	var specs []reports.Spec
	for _, v := range values {
		spec, err := reports.ParseSpec(v)
		var se *reports.SpecError
		switch {
		case errors.As(err, &se):
			return nil, usageErrorf("--report %q: %s", v, se.Reason)
		case err != nil:
			return nil, usageErrorf("--report %q: %v", v, err)
		case spec.Format != reports.FormatText && spec.Format != reports.FormatJSON:
			return nil, usageErrorf("--report %q: explain writes text or json", v)
		case spec.Path == reports.Stdout:
			return nil, usageErrorf("--report %q: stdout is --format's; give a file", v)
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// looksLikeFileName is a single word ending in a capture's extension: a
// missing file, not an error text to explain.
func looksLikeFileName(s string) bool {
	if strings.ContainsAny(s, " \t\n") {
		return false
	}
	switch strings.ToLower(filepath.Ext(s)) {
	case ".har", ".json", ".txt", ".log":
		return true
	}
	return false
}

func runExplain(a *app, o explainOptions, args []string) error {
	if o.format != "text" && o.format != "json" {
		return usageErrorf("--format %q: want text or json", o.format)
	}
	specs, err := explainSpecs(o.reports)
	if err != nil {
		return err
	}
	kind, err := explain.ParseKind(o.as)
	if err != nil {
		return usageErrorf("--as: %v", err)
	}
	if o.har != "" {
		kind = explain.KindHAR
	}
	in, name, err := explainInput(a, o, args)
	if err != nil {
		return err
	}
	defer in.Close()
	a.log.Debug().Str("input", name).Str("as", string(kind)).Msg("explaining")
	res, err := explain.Default().ExplainReader(in, explain.Options{As: kind, State: o.state, Name: name})
	if err != nil {
		return withCode(exitUsage, err)
	}
	render := func(format reports.Format) func(io.Writer) error {
		if format == reports.FormatJSON {
			return func(w io.Writer) error { return explain.WriteJSON(w, res) }
		}
		return func(w io.Writer) error { return explain.WriteText(w, res) }
	}
	if err := render(reports.Format(o.format))(a.stdout); err != nil {
		return withCode(exitFailed, err)
	}
	var errs reportErrors
	for _, spec := range specs {
		if err := reports.WriteFunc(spec, render(spec.Format)); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return withCode(exitUsage, errs)
	}
	if !res.Recognised() {
		return silentExit{code: exitFailed}
	}
	return nil
}

func serveExplain(ctx context.Context, a *app, o explainOptions) error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return usageErrorf("%s is already in use: stop what is listening there or choose another --addr", o.addr)
		}
		return usageErrorf("cannot listen on %s: %v", o.addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		a.log.Warn().Str("addr", ln.Addr().String()).Msg("the explain page is reachable from other machines; users' HAR files hold tokens and secrets")
	}
	h := explainweb.New(explain.Default(), explainweb.Options{Version: spotcheckVersion(), Hosts: []string{o.addr, ln.Addr().String()}})
	limits := explainweb.Limits
	limits.OnFull = func(open int) {
		a.log.Warn().Int("connections", open).Msg("the explain page has as many connections open as it allows; new ones wait until one closes")
	}
	srv, done := httpserve.Serve(ln, h, limits)
	fmt.Fprintf(a.stdout, "explain page at http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	a.log.Info().Str("url", "http://"+ln.Addr().String()+"/").Msg("explain page listening")
	select {
	case <-ctx.Done():
	case err := <-done:
		return withCode(exitFailed, err)
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return withCode(exitFailed, fmt.Errorf("shutdown: %w", err))
	}
	return nil
}
