package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/ready"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/reports"
)

type gradeCmdOptions struct {
	target             string
	clientID           string
	reset              bool
	failOn             string
	report             reportFlags
	skip               []string
	allowEmpty         bool
	refreshesPerMinute int
	lateExchange       time.Duration
	earlyRefresh       float64
	timeout            time.Duration
	controlToken       string
}

func init() {
	subcommands = append(subcommands, newGradeCmd)
}

func newGradeCmd(a *app) *cobra.Command {
	var o gradeCmdOptions
	cmd := &cobra.Command{
		Use:   "grade",
		Short: "Grade the OAuth behaviour of the apps that used a running fake",
		Long: `Read from a running "spotcheck fake" how the clients of its apps behaved — codes reused or
exchanged late, a missing state or PKCE, refresh tokens kept after rotation, Retry-After ignored,
secrets sent from a browser or in a URL, unused scopes — and render the findings (text, JSON, JUnit,
Markdown or HTML). The grade covers each app's requests since its log was last reset; --reset
starts a new window after reading, so a test suite can grade each test on its own.

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 bad usage,
3 the fake cannot be reached (or has no control endpoints).`,
		Example: `  spotcheck grade --target http://127.0.0.1:8787
  spotcheck grade --target http://127.0.0.1:8787 --client-id web --reset --fail-on warning
  spotcheck grade --target "$SPOTIFY_ACCOUNTS_URL" --report junit=out/grade.xml --report html=out/grade.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runGrade(cmd.Context(), a, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.target, "target", "", "base URL of the running fake (default $SPOTIFY_ACCOUNTS_URL)")
	f.StringVar(&o.clientID, "client-id", "", "grade one app, by client id or name (default: every app that sent requests)")
	f.BoolVar(&o.reset, "reset", false, "start a new grading window after reading this one (atomically: no request is lost)")
	f.StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding of this severity or worse exists: error, warning, info or none")
	o.report.register(cmd)
	registerGradeSkip(cmd, &o.skip)
	f.BoolVar(&o.allowEmpty, "allow-empty", false, allowEmptyUsage)
	f.IntVar(&o.refreshesPerMinute, "refreshes-per-minute", 0, fmt.Sprintf("refreshes of one grant allowed within 60 s before refresh-storm (default %d)", grade.DefaultRefreshesPerMinute))
	f.DurationVar(&o.lateExchange, "late-exchange", 0, fmt.Sprintf("how long after its issue a code may be exchanged before code-exchanged-late warns (default %s)", grade.DefaultLateExchange))
	f.Float64Var(&o.earlyRefresh, "early-refresh", 0, fmt.Sprintf("fraction of an access token's life to use up before refreshing is not early (default %g)", grade.DefaultEarlyRefresh))
	f.DurationVar(&o.timeout, "timeout", checks.DefaultRequestTimeout, "how long one request may take")
	registerControlToken(cmd, &o.controlToken)
	must(cmd.RegisterFlagCompletionFunc("target", values(ready.DefaultURL)))
	must(cmd.RegisterFlagCompletionFunc("fail-on", values(failOnValues()...)))
	return cmd
}

// registerGradeSkip adds --skip, the grading rules not to run, to grade
// and fake (whose --grade-skip is its old, hidden spelling).
func registerGradeSkip(cmd *cobra.Command, dst *[]string) {
	cmd.Flags().StringSliceVar(dst, "skip", nil, "grading rule ids not to run (comma-separated or repeated)")
	must(cmd.RegisterFlagCompletionFunc("skip", func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return completeList(grade.RuleIDs(), toComplete)
	}))
}

const allowEmptyUsage = "a window without requests is not a finding (no-requests): for an app that may legitimately not call Spotify"

// parseFailOn reads --fail-on; "" (none) never fails.
func parseFailOn(v string) (grade.Severity, error) {
	if strings.EqualFold(strings.TrimSpace(v), "none") {
		return "", nil
	}
	s, err := grade.ParseSeverity(v)
	if err != nil {
		return "", usageErrorf("--fail-on %q: want error, warning, info or none", v)
	}
	return s, nil
}

func runGrade(ctx context.Context, a *app, o gradeCmdOptions) error {
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	target := o.target
	if target == "" {
		target = os.Getenv("SPOTIFY_ACCOUNTS_URL")
	}
	if target == "" {
		return usageErrorf("--target is required: the base URL of a running spotcheck fake, e.g. http://127.0.0.1:8787")
	}
	base, err := url.Parse(strings.TrimRight(target, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return usageErrorf("--target %q: want the fake's base URL, e.g. http://127.0.0.1:8787", target)
	}
	if o.allowEmpty {
		o.skip = append(o.skip, grade.NoRequests)
	}
	opts := fakespotify.GradeOptions{Skip: o.skip, RefreshesPerMinute: o.refreshesPerMinute,
		LateExchange: o.lateExchange, EarlyRefresh: o.earlyRefresh}
	// The fake validates the same way; checking here names the flag.
	if _, err := control.ParseGradeQuery(control.GradeQuery(o.clientID, opts), fakespotify.GradeOptions{}); err != nil {
		return usageErrorf("%s", flagNames(err.Error()))
	}
	ctl := &control.Client{BaseURL: base.String(), Token: controlToken(a, o.controlToken), HTTP: &http.Client{Timeout: o.timeout}}
	res, err := fetchGrade(ctx, ctl, o.clientID, opts, o.reset)
	if err != nil {
		return err
	}
	return renderGrade(a, res, &o.report, failOn)
}

// flagNames turns the fake's parameter names into this command's flags.
func flagNames(msg string) string {
	r := strings.NewReplacer("late_exchange", "--late-exchange", "early_refresh", "--early-refresh",
		"refreshes_per_minute", "--refreshes-per-minute", "skip:", "--skip:")
	return r.Replace(msg)
}

// fetchGrade reads (or, with reset, takes) the grade from the fake.
func fetchGrade(ctx context.Context, ctl *control.Client, clientID string, o fakespotify.GradeOptions, reset bool) (*checks.FindingsResult, error) {
	g, err := ctl.Grade(ctx, clientID, o, reset)
	var refused *control.Error
	var transport *url.Error
	switch {
	case err == nil:
	case errors.As(err, &refused) && refused.Status == http.StatusNotFound && strings.HasPrefix(refused.Message, "no control endpoint"):
		return nil, withCode(exitUnreachable, fmt.Errorf("%s is a spotcheck fake too old to grade (no %sgrade)", ctl.BaseURL, control.Prefix))
	case errors.As(err, &refused) && refused.Message != "" && (refused.Status == http.StatusNotFound || refused.Status == http.StatusBadRequest):
		return nil, usageErrorf("%s", refused.Message) // an unknown --client-id, a bad option
	case errors.As(err, &refused) && refused.Message != "" && (refused.Status == http.StatusUnauthorized || refused.Status == http.StatusMisdirectedRequest):
		return nil, usageErrorf("%s: %s (a fake started with --control-token needs the same token here: --control-token or $%s)",
			ctl.BaseURL, refused.Message, checks.EnvControlToken)
	case errors.As(err, &refused):
		return nil, withCode(exitUnreachable, fmt.Errorf("%s answered %d to %s: is it a spotcheck fake with its control endpoints on (not --no-control)?",
			ctl.BaseURL, refused.Status, control.Prefix+"grade"))
	case errors.As(err, &transport):
		return nil, withCode(exitUnreachable, fmt.Errorf("cannot reach the fake at %s: %w", ctl.BaseURL, transport.Err))
	default:
		return nil, withCode(exitUnreachable, fmt.Errorf("%s did not answer with a grade: %w", ctl.BaseURL, err))
	}
	return gradeResult(g, ctl.BaseURL), nil
}

// gradeResult is a grade as reports render it, dated now: the fake dates
// its grade on its own clock, which tests move forward, while a report is
// dated when it was made.
func gradeResult(g fakespotify.Grade, target string) *checks.FindingsResult {
	res := checks.GradeResult(g)
	res.Version = spotcheckVersion()
	res.Started = time.Now()
	res.Target = checks.TargetInfo{Name: target, AccountsURL: target, APIURL: target + "/v1"}
	return &res
}

func renderGrade(a *app, res *checks.FindingsResult, rf *reportFlags, failOn grade.Severity) error {
	if err := rf.write(a, reports.Document{Findings: res}); err != nil {
		return err
	}
	if failOn != "" && res.Worst() != "" && res.Worst().AtLeast(checks.Severity(failOn)) {
		return silentExit{code: exitFailed}
	}
	return nil
}
