package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/checks/cisafe"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/scenarios"
)

type runOptions struct {
	creds        checks.CredentialFlags
	target       string
	controlToken string
	accountsURL  string
	apiURL       string
	tags         []string
	skipTags     []string
	parallel     int
	validate     bool
	list         bool
	fakeConfig   string
	timeout      time.Duration
	report       reportFlags
}

func init() {
	subcommands = append(subcommands, newRunCmd)
}

func newRunCmd(a *app) *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run [FILE|DIR]...",
		Short: "Run conformance scenarios against the embedded fake, a running fake or real Spotify",
		Long: `Run scenarios: YAML files, directories of *.yaml/*.yml files, or without arguments the built-in
suite (111 scenarios: redirect URIs, authorize errors, code exchange, PKCE, refresh policies, scopes,
client credentials, Web API tokens, development mode, rate limits, the consent pages).

--target fake (the default) starts the embedded fake on a free loopback port; a URL uses a fake
started with 'spotcheck fake'; spotify runs the scenarios marked for it against
accounts.spotify.com and api.spotify.com with your app (SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET,
SPOTIFY_REDIRECT_URI, or spotipy's SPOTIPY_* names) and, for the consent pages, a test account
(SPOTCHECK_TEST_USERNAME, SPOTCHECK_TEST_PASSWORD). A scenario that cannot run on the target is
reported as skipped, with the reason.

On a fake each scenario gets its own clones of the apps it uses, so scenarios run in parallel
(--parallel, default the number of CPUs) without sharing grants, clocks, policies or faults;
results are reported in the order the scenarios were given. Scenarios with consent steps drive
Chromium (/usr/bin/chromium or $SPOTCHECK_CHROME), one browser per run.

Progress goes to stderr: a line per scenario as it finishes and a live count on a terminal, a
plain line per scenario otherwise. The report goes to stdout (--format) and to files (--report).

Exit codes: 0 every scenario passed (or was skipped); 1 a scenario failed or errored; 2 bad input
or usage (a scenario file's problems as file:line:col, an unknown flag or tag, an unreadable file,
no Chromium for the browser scenarios); 3 the target could not be reached.`,
		Example: `  spotcheck run
  spotcheck run --tags pkce,refresh --report junit=out/junit.xml --report html=out/report.html
  spotcheck run my-scenarios/ extra.yaml --parallel 4
  spotcheck run --validate my-scenarios/
  spotcheck run --list --tags consent
  spotcheck run --skip-tags browser          # everything that needs no Chromium
  spotcheck run --target http://127.0.0.1:8787
  SPOTIFY_CLIENT_ID=… SPOTIFY_REDIRECT_URI=http://127.0.0.1:8888/callback \
    spotcheck run --target spotify --client-secret-file secret.txt`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return runRun(ctx, a, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.target, "target", string(checks.TargetFake), "where requests go: fake (the embedded fake), spotify, or the URL of a running fake")
	f.StringSliceVar(&o.tags, "tags", nil, "run only the scenarios with one of these tags (comma-separated or repeated); a tag written !TAG leaves its scenarios out")
	f.StringSliceVar(&o.skipTags, "skip-tags", nil, "leave out the scenarios with any of these tags, e.g. --skip-tags browser (the same as --tags '!browser')")
	f.IntVar(&o.parallel, "parallel", runtime.NumCPU(), "how many scenarios run at once")
	f.BoolVar(&o.validate, "validate", false, "only load the scenarios and print their problems (file:line:col: message)")
	f.BoolVar(&o.list, "list", false, "list the scenarios with their targets, requirements and tags, and run nothing")
	f.StringVar(&o.fakeConfig, "fake-config", "", "the fake's configuration YAML: for the embedded fake, or the one a fake at a URL was started with (its apps and users)")
	f.StringVar(&o.accountsURL, "accounts-url", "", "override the accounts service base URL (default $SPOTIFY_ACCOUNTS_URL, else the target's)")
	f.StringVar(&o.apiURL, "api-url", "", "override the Web API base URL (default $SPOTIFY_API_URL, else the target's)")
	registerControlToken(cmd, &o.controlToken)
	f.DurationVar(&o.timeout, "timeout", checks.DefaultRequestTimeout, "how long one request may take")
	f.StringVar(&o.creds.ClientID, "client-id", "", "with --target spotify: the app's client id (default $SPOTIFY_CLIENT_ID, then $SPOTIPY_CLIENT_ID)")
	f.StringVar(&o.creds.ClientSecret, "client-secret", "", "the client secret — lands in shell history; prefer $SPOTIFY_CLIENT_SECRET or --client-secret-file")
	f.StringVar(&o.creds.ClientSecretFile, "client-secret-file", "", "read the client secret from this file (one final line break is dropped)")
	f.StringArrayVar(&o.creds.RedirectURIs, "redirect-uri", nil, "the app's registered redirect URI; the first is used (default $SPOTIFY_REDIRECT_URI, then $SPOTIPY_REDIRECT_URI)")
	registerEnvFile(cmd, &o.creds.EnvFiles)
	registerTargetCompletion(cmd, checks.TargetFake, checks.TargetSpotify)
	must(cmd.RegisterFlagCompletionFunc("tags", completeTags))
	must(cmd.RegisterFlagCompletionFunc("skip-tags", completeTags))
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	}
	f.StringVar(&o.creds.TestUsername, "test-username", "", "the Spotify test account the consent scenarios log in as (default $SPOTCHECK_TEST_USERNAME)")
	f.StringVar(&o.creds.TestPassword, "test-password", "", "its password (default $SPOTCHECK_TEST_PASSWORD) — lands in shell history")
	o.report.register(cmd)
	return cmd
}

func runRun(ctx context.Context, a *app, o runOptions, args []string) error {
	if o.parallel < 1 {
		return usageErrorf("--parallel %d: want 1 or more", o.parallel)
	}
	if o.validate && o.list {
		return usageErrorf("--validate and --list: choose one")
	}
	var cfg *config.Config
	if o.fakeConfig != "" {
		if o.target == string(checks.TargetSpotify) {
			return usageErrorf("--fake-config describes a fake; --target spotify has none")
		}
		var err error
		if cfg, err = config.Load(o.fakeConfig); err != nil {
			return withCode(exitUsage, err)
		}
	}

	list, files, err := loadScenarios(args, cfg)
	if err != nil {
		var ps scenarios.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				printProblem(a.stderr, problem{File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Column, Text: p.Error()}, "invalid scenario")
			}
			if o.validate {
				fmt.Fprintf(a.stderr, "spotcheck: %s\n", plural(len(ps), "problem"))
			} else {
				fmt.Fprintf(a.stderr, "spotcheck: %s in the scenarios; nothing was run\n", plural(len(ps), "problem"))
			}
			return silentExit{code: exitUsage}
		}
		return withCode(exitUsage, err)
	}
	if o.validate {
		fmt.Fprintf(a.stdout, "%s in %s: no problems\n", plural(len(list), "scenario"), plural(files, "file"))
		return nil
	}
	tags := cleanTags(o.tags)
	for _, t := range cleanTags(o.skipTags) {
		tags = append(tags, "!"+strings.TrimPrefix(t, "!"))
	}
	if unknown := checks.UnknownTags(list, tags); len(unknown) > 0 {
		return usageErrorf("--tags: no scenario has the tag %s (the tags: %s)", strings.Join(unknown, ", "), strings.Join(allTags(list), ", "))
	}
	selected := checks.SelectTags(list, tags)
	if o.list {
		return listScenarios(a.stdout, selected)
	}

	creds, err := resolveCredentials(o.creds)
	if err != nil {
		return err
	}
	target, err := checks.ResolveTarget(ctx, o.target, checks.TargetOptions{FakeConfig: cfg, AccountsURL: o.accountsURL, APIURL: o.apiURL,
		ControlToken: controlToken(a, o.controlToken)})
	switch {
	case errors.Is(err, checks.ErrBadTarget):
		return withCode(exitUsage, err)
	case err != nil:
		return withCode(exitUnreachable, fmt.Errorf("cannot reach the target: %w", err))
	}
	defer target.Close()
	if err := target.Probe(ctx, nil); err != nil {
		if errors.Is(err, checks.ErrUnreachable) {
			return withCode(exitUnreachable, fmt.Errorf("cannot reach the target: %w", err))
		}
		return withCode(exitUsage, err)
	}

	ro := checks.RunOptions{Parallel: o.parallel, Tags: tags, FakeConfig: cfg, Version: spotcheckVersion(), RequestTimeout: o.timeout}
	if target.Kind == checks.TargetSpotify {
		ro.Credentials = creds
		for _, w := range creds.Warnings {
			warn(a, "%s", w)
		}
		if missing := missingCredentials(creds); len(missing) > 0 && runsOn(selected, scenarios.TargetSpotify) {
			return usageErrorf("--target spotify needs the app's %s", strings.Join(missing, ", "))
		}
	} else if given := credentialFlags(o.creds); len(given) > 0 {
		warn(a, "%s only apply to --target spotify; on a fake each scenario uses its own clones of the fake's apps", strings.Join(given, ", "))
	}
	if checks.NeedsBrowser(selected, target, ro) {
		b, err := browser.LaunchWith(ctx, browser.LaunchOptions{AllowNetwork: target.Kind == checks.TargetSpotify})
		if err != nil {
			return withCode(exitUsage, err)
		}
		defer b.Close()
		ro.Browser = b
	}

	var prog *progress
	if !a.quiet {
		live := isTerminal(a.stderr) && os.Getenv("TERM") != "dumb"
		prog = newProgress(a.stderr, live, os.Getenv("NO_COLOR") == "", selected)
		// The terminal has just listed every scenario: the report adds
		// the failures in full and the summary, not the list again.
		o.report.brief = live && isTerminal(a.stdout)
		prog.header(target, o.parallel)
		ro.OnStart, ro.OnDone = prog.started, prog.finished
	}
	res, runErr := checks.Run(ctx, selected, target, ro)
	if prog != nil {
		prog.close()
	}
	reportErr := o.report.write(a, reports.Document{Run: &res})
	switch {
	case errors.Is(runErr, checks.ErrUnreachable):
		if reportErr != nil {
			fmt.Fprintf(a.stderr, "spotcheck: %s\n", oneLine(reportErr.Error()))
		}
		return withCode(exitUnreachable, fmt.Errorf("the target became unreachable during the run: %w", runErr))
	case reportErr != nil:
		return reportErr
	case errors.Is(runErr, context.Canceled):
		_, _, skipped, _ := res.Counts()
		return withCode(exitFailed, fmt.Errorf("interrupted; the report shows what ran (%d skipped)", skipped))
	case runErr != nil:
		return withCode(exitFailed, runErr)
	}
	if _, failed, _, errored := res.Counts(); failed+errored > 0 {
		return silentExit{code: exitFailed}
	}
	return nil
}

// loadScenarios loads the files and directories given, or the built-in
// suite, and counts the files they came from.
func loadScenarios(args []string, cfg *config.Config) ([]*scenarios.Scenario, int, error) {
	loader := scenarios.Loader{}
	if cfg != nil {
		loader = scenarios.LoaderFor(cfg)
	}
	var list []*scenarios.Scenario
	var err error
	switch {
	case len(args) > 0:
		list, err = loader.Load(args...)
	case cfg == nil:
		list, err = scenarios.Builtin()
	default:
		// The built-in suite, checked against the apps and users of the
		// fake it will run on.
		list, err = builtinFor(loader)
	}
	files := map[string]bool{}
	for _, s := range list {
		files[s.Pos.File] = true
	}
	return list, len(files), err
}

func builtinFor(l scenarios.Loader) ([]*scenarios.Scenario, error) {
	fsys := scenarios.BuiltinFS()
	names, err := fs.Glob(fsys, "builtin/*.yaml")
	if err != nil {
		return nil, err
	}
	var all []*scenarios.Scenario
	var ps scenarios.Problems
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		list, err := l.Parse(data, name)
		var fps scenarios.Problems
		if errors.As(err, &fps) {
			ps = append(ps, fps...)
		} else if err != nil {
			return nil, err
		}
		all = append(all, list...)
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return all, nil
}

func cleanTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func allTags(list []*scenarios.Scenario) []string {
	seen := map[string]bool{}
	for _, s := range list {
		for _, t := range s.Tags {
			seen[t] = true
		}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

func runsOn(list []*scenarios.Scenario, t scenarios.Target) bool {
	for _, s := range list {
		if s.RunsOn(t) {
			return true
		}
	}
	return false
}

func missingCredentials(c *checks.Credentials) []string {
	var out []string
	if !c.ClientID.IsSet() {
		out = append(out, "client id ("+checks.EnvClientID+" or "+checks.FlagClientID+")")
	}
	if !c.ClientSecret.IsSet() {
		out = append(out, "client secret ("+checks.EnvClientSecret+" or "+checks.FlagClientSecretFile+")")
	}
	if len(c.RedirectURIs) == 0 {
		out = append(out, "redirect URI ("+checks.EnvRedirectURI+" or "+checks.FlagRedirectURI+")")
	}
	return out
}

func credentialFlags(f checks.CredentialFlags) []string {
	var out []string
	for _, c := range []struct {
		name string
		set  bool
	}{
		{checks.FlagClientID, f.ClientID != ""}, {checks.FlagClientSecret, f.ClientSecret != ""},
		{checks.FlagClientSecretFile, f.ClientSecretFile != ""}, {checks.FlagRedirectURI, len(f.RedirectURIs) > 0},
		{checks.FlagTestUsername, f.TestUsername != ""}, {checks.FlagTestPassword, f.TestPassword != ""},
	} {
		if c.set {
			out = append(out, c.name)
		}
	}
	return out
}

func listScenarios(w io.Writer, list []*scenarios.Scenario) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTARGETS\tREQUIRES\tTAGS\tFILE")
	var spotify, withBrowser int
	for _, s := range list {
		targets := make([]string, len(s.Targets))
		for i, t := range s.Targets {
			targets[i] = string(t)
		}
		reqs := make([]string, len(s.Requires))
		for i, r := range s.Requires {
			reqs[i] = r.String()
		}
		if s.RunsOn(scenarios.TargetSpotify) {
			spotify++
		}
		if s.NeedsBrowser() {
			withBrowser++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, strings.Join(targets, ","), orDash(strings.Join(reqs, ",")), orDash(strings.Join(s.Tags, ",")), s.Pos)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s, %d also on spotify, %d with the browser\n", plural(len(list), "scenario"), spotify, withBrowser)
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// progress prints a line per scenario on stderr. On a terminal the lines
// come as scenarios finish, under a live count; otherwise (a CI log) they
// come in the input order, each as soon as it and all before it are done,
// so that two logs of one suite read the same.
type progress struct {
	w     io.Writer
	live  bool
	color bool
	total int
	names []string

	mu      sync.Mutex
	began   map[int]bool
	results []*checks.ScenarioResult
	next    int // the next index to print in input order
	done    int
	running int
	failed  int
	frame   int
	stop    chan struct{}
	stopped chan struct{}
}

// newProgress prints to w; scenario messages quote targets, so workflow
// commands in them are disarmed (package cisafe).
func newProgress(w io.Writer, live, color bool, list []*scenarios.Scenario) *progress {
	p := &progress{w: cisafe.Writer(w), live: live, color: color && live, total: len(list), began: map[int]bool{}, results: make([]*checks.ScenarioResult, len(list))}
	for _, s := range list {
		p.names = append(p.names, s.Name)
	}
	if live {
		p.stop, p.stopped = make(chan struct{}), make(chan struct{})
		go p.tick()
	}
	return p
}

func (p *progress) header(t *checks.Target, parallel int) {
	where := t.Name
	if t.AccountsURL != t.Name {
		where += " (" + t.AccountsURL + ")"
	}
	// The live ticker is already running and writes to w under mu.
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "running %s against %s, %d at a time\n", plural(p.total, "scenario"), where, parallel)
}

// tick redraws the live count while scenarios run.
func (p *progress) tick() {
	defer close(p.stopped)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.frame++
			p.status()
			p.mu.Unlock()
		}
	}
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// status draws the live line; callers hold mu.
func (p *progress) status() {
	line := fmt.Sprintf("%s %d/%d done, %d running", spinner[p.frame%len(spinner)], p.done, p.total, p.running)
	if p.failed > 0 {
		line += fmt.Sprintf(", %d failed", p.failed)
	}
	fmt.Fprint(p.w, "\r\x1b[K"+line)
}

func (p *progress) started(i int, _ *scenarios.Scenario) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.began[i] = true
	p.running++
}

func (p *progress) finished(i int, r checks.ScenarioResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// A scenario the run stopped before never started.
	if p.began[i] {
		p.running--
	}
	p.done++
	if r.Status == checks.StatusFail || r.Status == checks.StatusError {
		p.failed++
	}
	if p.live {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.line(p.done, r)
		p.status()
		return
	}
	p.results[i] = &r
	for p.next < p.total && p.results[p.next] != nil {
		p.line(p.next+1, *p.results[p.next])
		p.results[p.next] = nil
		p.next++
	}
}

// line prints one scenario: its status, name and duration, and why when
// it did not pass.
func (p *progress) line(n int, r checks.ScenarioResult) {
	width := len(fmt.Sprint(p.total))
	status := map[checks.Status]string{checks.StatusPass: "PASS ", checks.StatusFail: "FAIL ", checks.StatusSkip: "SKIP ", checks.StatusError: "ERROR"}[r.Status]
	if p.color {
		code := map[checks.Status]string{checks.StatusPass: "32", checks.StatusFail: "31", checks.StatusSkip: "33", checks.StatusError: "31"}[r.Status]
		status = "\x1b[" + code + "m" + status + "\x1b[0m"
	}
	line := fmt.Sprintf("[%*d/%d] %s %s", width, n, p.total, status, r.Name)
	if r.Status != checks.StatusSkip {
		line += " (" + shortDuration(r.Duration) + ")"
	}
	if r.Message != "" {
		line += ": " + oneLine(r.Message)
	}
	fmt.Fprintln(p.w, line)
}

func shortDuration(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// close ends the live line.
func (p *progress) close() {
	if !p.live {
		return
	}
	close(p.stop)
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\x1b[K")
}
