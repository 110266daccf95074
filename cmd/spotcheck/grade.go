package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify"
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
	f.StringSliceVar(&o.skip, "skip", nil, "rule ids not to run (comma-separated or repeated)")
	f.BoolVar(&o.allowEmpty, "allow-empty", false, allowEmptyUsage)
	f.IntVar(&o.refreshesPerMinute, "refreshes-per-minute", 0, fmt.Sprintf("refreshes of one grant allowed within 60 s before refresh-storm (default %d)", grade.DefaultRefreshesPerMinute))
	f.DurationVar(&o.lateExchange, "late-exchange", 0, fmt.Sprintf("how long after its issue a code may be exchanged before code-exchanged-late warns (default %s)", grade.DefaultLateExchange))
	f.Float64Var(&o.earlyRefresh, "early-refresh", 0, fmt.Sprintf("fraction of an access token's life to use up before refreshing is not early (default %g)", grade.DefaultEarlyRefresh))
	f.DurationVar(&o.timeout, "timeout", 10*time.Second, "how long to wait for the fake")
	return cmd
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
	q := url.Values{}
	if o.clientID != "" {
		q.Set("client_id", o.clientID)
	}
	if o.allowEmpty {
		o.skip = append(o.skip, grade.NoRequests)
	}
	if len(o.skip) > 0 {
		q.Set("skip", strings.Join(o.skip, ","))
	}
	if o.refreshesPerMinute != 0 {
		q.Set("refreshes_per_minute", strconv.Itoa(o.refreshesPerMinute))
	}
	if o.lateExchange != 0 {
		q.Set("late_exchange", o.lateExchange.String())
	}
	if o.earlyRefresh != 0 {
		q.Set("early_refresh", strconv.FormatFloat(o.earlyRefresh, 'g', -1, 64))
	}
	// The fake validates the same way; checking here names the flag.
	if _, err := fakespotify.ParseGradeQuery(q, fakespotify.GradeOptions{}); err != nil {
		return usageErrorf("%s", flagNames(err.Error()))
	}
	res, err := fetchGrade(ctx, base, q, o.reset, o.timeout)
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
func fetchGrade(ctx context.Context, base *url.URL, q url.Values, reset bool, timeout time.Duration) (*checks.FindingsResult, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := base.String() + fakespotify.ControlPrefix + "grade"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	method := http.MethodGet
	if reset {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, usageErrorf("--target: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, withCode(exitUnreachable, fmt.Errorf("cannot reach the fake at %s: %w", base, unwrapURLError(err)))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, withCode(exitUnreachable, fmt.Errorf("reading the grade from %s: %w", base, err))
	}
	var fail struct {
		Error string `json:"error"`
	}
	switch {
	case resp.StatusCode == http.StatusOK:
	case json.Unmarshal(body, &fail) == nil && fail.Error != "" && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusBadRequest):
		if strings.HasPrefix(fail.Error, "no control endpoint") {
			return nil, withCode(exitUnreachable, fmt.Errorf("%s is a spotcheck fake too old to grade (no %sgrade)", base, fakespotify.ControlPrefix))
		}
		return nil, usageErrorf("%s", fail.Error) // an unknown --client-id, a bad option
	default:
		return nil, withCode(exitUnreachable, fmt.Errorf("%s answered %s to %s: is it a spotcheck fake with its control endpoints on (not --no-control)?",
			base, resp.Status, fakespotify.ControlPrefix+"grade"))
	}
	return decodeGrade(body, base.String())
}

// decodeGrade reads the fake's grade as the FindingsResult that reports
// render: the JSON shapes are the same by design.
func decodeGrade(body []byte, target string) (*checks.FindingsResult, error) {
	var res checks.FindingsResult
	if err := json.Unmarshal(body, &res); err != nil || res.Kind != "grade" {
		return nil, withCode(exitUnreachable, fmt.Errorf("%s did not answer with a grade: %s", target, strings.TrimSpace(firstLine(body))))
	}
	res.Version = spotcheckVersion()
	// The fake dates its grade on its own clock, which tests move forward;
	// a report is dated when it was made.
	res.Started = time.Now()
	res.Target = checks.TargetInfo{Name: target, AccountsURL: target, APIURL: target + "/v1"}
	return &res, nil
}

// gradeResult converts an in-process grade (spotcheck fake --grade-on-exit).
func gradeResult(g fakespotify.Grade, target string) (*checks.FindingsResult, error) {
	body, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	return decodeGrade(body, target)
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

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func firstLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}
