package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/reports"
)

type doctorOptions struct {
	creds        checks.CredentialFlags
	target       string
	controlToken string
	accountsURL  string
	apiURL       string
	offline      bool
	flow         string
	authorizeURL string
	verifier     string
	challenge    string
	uses         []string
	tokenCache   string
	scan         string
	noScan       bool
	scanExclude  []string
	scanHistory  int
	full         bool
	timeout      time.Duration
	report       reportFlags
}

func init() {
	subcommands = append(subcommands, newDoctorCmd)
}

func newDoctorCmd(a *app) *cobra.Command {
	var o doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Find every misconfiguration of a Spotify app: credentials, redirect URIs, scopes, tokens, leaked secrets",
		Long: `Check a Spotify app's configuration in one run and report each problem once, with the evidence
and the exact fix: client id and secret (format, whitespace, quotes, swapped, wrong or rotated),
redirect URIs (2025 rules, registered or not, and which spelling the dashboard has), scopes
(illegal, OpenID, internal, missing for the endpoints named with --uses), the flow (implicit grant,
PKCE challenge), a token cache (expiry, scopes, refresh, 6-month lifetime, allowlist and Premium
403s), where the cache is stored, and secrets committed to the repository or its history.

Online checks ask real Spotify by default (--target spotify); --target fake starts the embedded
fake and a URL uses a running one. Values come from the flags, then SPOTIFY_CLIENT_ID /
SPOTIFY_CLIENT_SECRET / SPOTIFY_REDIRECT_URI / SPOTIFY_SCOPES, then spotipy's SPOTIPY_* names,
then the same names in ./.env (or the --env-file files), read as python-dotenv and dotenv for
Node read them, then --client-secret-file; findings and fixes name the variable (and the .env
line) each value came from. Secrets and tokens are only ever shown as fingerprints.

Exit codes: 0 no error findings; 1 at least one error finding (or a check that could not be
evaluated); 2 bad usage or input (an unreadable token cache names file:line:col); 3 Spotify (or
the target) cannot be reached — DNS, connection, TLS or proxy, with the cause.`,
		Example: `  export SPOTIFY_CLIENT_ID=… SPOTIFY_REDIRECT_URI=http://127.0.0.1:8888/callback
  spotcheck doctor --client-secret-file secret.txt --scopes "user-read-email user-top-read"
  spotcheck doctor --token-cache .cache --uses "GET /v1/me/top/artists" --scan-history 50
  spotcheck doctor --flow pkce --authorize-url 'https://accounts.spotify.com/authorize?client_id=…'
  spotcheck doctor --target fake --client-id 6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b --full --format json
  spotcheck doctor --report junit=out/doctor.xml --report html=out/doctor.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := interruptContext(cmd.Context(), a.stderr)
			defer stop()
			return runDoctor(ctx, a, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.creds.ClientID, "client-id", "", "the app's client id (default $SPOTIFY_CLIENT_ID, then $SPOTIPY_CLIENT_ID)")
	f.StringVar(&o.creds.ClientSecret, "client-secret", "", "the client secret — lands in shell history; prefer $SPOTIFY_CLIENT_SECRET or --client-secret-file")
	f.StringVar(&o.creds.ClientSecretFile, "client-secret-file", "", "read the client secret from this file (one final line break is dropped)")
	f.StringArrayVar(&o.creds.RedirectURIs, "redirect-uri", nil, "a redirect URI the app sends (repeatable; default $SPOTIFY_REDIRECT_URI, then $SPOTIPY_REDIRECT_URI)")
	f.StringArrayVar(&o.creds.Scopes, "scopes", nil, "the scopes the app requests, space-separated as the app joins them (repeatable; default $SPOTIFY_SCOPES)")
	registerEnvFile(cmd, &o.creds.EnvFiles)
	f.StringVar(&o.creds.TestUsername, "test-username", "", "the Spotify account --full logs in as (default $SPOTCHECK_TEST_USERNAME; on a fake: alice)")
	f.StringVar(&o.creds.TestPassword, "test-password", "", "its password (default $SPOTCHECK_TEST_PASSWORD) — lands in shell history")
	f.StringVar(&o.target, "target", string(checks.TargetSpotify), "where online checks go: spotify, fake (the embedded fake) or the URL of a running fake")
	f.StringVar(&o.accountsURL, "accounts-url", "", "override the accounts service base URL (default $SPOTIFY_ACCOUNTS_URL, else the target's)")
	f.StringVar(&o.apiURL, "api-url", "", "override the Web API base URL (default $SPOTIFY_API_URL, else the target's)")
	registerControlToken(cmd, &o.controlToken)
	f.BoolVar(&o.offline, "offline", false, "run only the checks that need no network")
	f.StringVar(&o.flow, "flow", "code", "the app's OAuth flow: code (a server with the secret), pkce (a public client) or client-credentials")
	f.StringVar(&o.authorizeURL, "authorize-url", "", "an authorize URL the app built: its response_type, PKCE challenge, redirect_uri and scope are checked too")
	f.StringVar(&o.verifier, "code-verifier", "", "a PKCE code_verifier the app produced, to check against --code-challenge")
	f.StringVar(&o.challenge, "code-challenge", "", "the code_challenge the app sent with that verifier")
	f.StringArrayVar(&o.uses, "uses", nil, "a Web API endpoint the app calls, e.g. \"GET /v1/me/top/artists\" (repeatable or comma-separated)")
	f.StringVar(&o.tokenCache, "token-cache", "", "a token cache to check: spotipy's .cache JSON, spotcheck's format or golang.org/x/oauth2 token JSON")
	f.StringVar(&o.scan, "scan", "", "scan this directory's tracked and not-ignored files for secrets (default: the current directory when it is a git work tree)")
	f.BoolVar(&o.noScan, "no-scan", false, "do not scan for committed secrets")
	f.StringArrayVar(&o.scanExclude, "scan-exclude", nil, "leave files out of the scan: a glob on the relative path or the file name, or a directory/ (repeatable)")
	f.IntVar(&o.scanHistory, "scan-history", 0, "also scan the lines the last N commits added")
	f.BoolVar(&o.full, "full", false, "run a complete authorization in headless Chromium as the test account, ending at /v1/me")
	f.DurationVar(&o.timeout, "timeout", checks.DefaultRequestTimeout, "how long one request may take")
	o.report.register(cmd)
	must(cmd.RegisterFlagCompletionFunc("flow", values(flowValues()...)))
	registerTargetCompletion(cmd, checks.TargetSpotify, checks.TargetFake)
	return cmd
}

func runDoctor(ctx context.Context, a *app, o doctorOptions) error {
	flow, err := doctor.ParseFlow(o.flow)
	if err != nil {
		return usageErrorf("--flow %v", err)
	}
	switch {
	case o.scanHistory < 0:
		return usageErrorf("--scan-history %d: want 0 or more commits", o.scanHistory)
	case o.noScan && o.scan != "":
		return usageErrorf("--scan and --no-scan contradict each other; drop one")
	case o.offline && o.full:
		return usageErrorf("--full needs the network; drop --offline")
	}
	creds, err := resolveCredentials(o.creds)
	if err != nil {
		return err
	}
	for _, w := range creds.Warnings {
		warn(a, "%s", w)
	}

	scanDir := o.scan
	if scanDir != "" {
		if st, err := os.Stat(scanDir); err != nil || !st.IsDir() {
			return usageErrorf("--scan %s: not a directory", scanDir)
		}
	} else if !o.noScan && doctor.IsWorkTree(ctx, "", ".") {
		scanDir = "."
	}

	var target *checks.Target
	if !o.offline {
		target, err = checks.ResolveTarget(ctx, o.target, checks.TargetOptions{AccountsURL: o.accountsURL, APIURL: o.apiURL,
			ControlToken: controlToken(a, o.controlToken)})
		switch {
		case err != nil && ctx.Err() != nil:
			return withCode(exitFailed, errors.New("interrupted before any check ran"))
		case errors.Is(err, checks.ErrBadTarget):
			return withCode(exitUsage, err)
		case err != nil:
			return withCode(exitUnreachable, err)
		}
		defer target.Close()
	}

	res, err := doctor.Run(ctx, doctor.Options{
		Credentials:   creds,
		Flow:          flow,
		AuthorizeURL:  o.authorizeURL,
		CodeVerifier:  o.verifier,
		CodeChallenge: o.challenge,
		Uses:          o.uses,
		TokenCache:    o.tokenCache,
		ScanDir:       scanDir,
		NoScan:        o.noScan,
		ScanExclude:   o.scanExclude,
		ScanHistory:   o.scanHistory,
		Full:          o.full,
		Target:        target,
		Client:        checks.ClientConfig{Timeout: o.timeout},
		Log:           a.log,
		Version:       spotcheckVersion(),
	})
	var ie *doctor.InputError
	interrupted := res != nil && errors.Is(err, context.Canceled)
	switch {
	case interrupted:
	case errors.As(err, &ie), errors.Is(err, browser.ErrNoChromium):
		return withCode(exitUsage, err)
	case errors.Is(err, checks.ErrUnreachable):
		return withCode(exitUnreachable, err)
	case err != nil:
		return withCode(exitFailed, err)
	}
	if err := o.report.write(a, reports.Document{Findings: res}); err != nil {
		return err
	}
	if interrupted {
		notRun := 0
		for _, c := range res.Checks {
			if c.Message == doctor.NotRun {
				notRun++
			}
		}
		return withCode(exitFailed, fmt.Errorf("interrupted; the report shows the checks that ran (%d not run)", notRun))
	}
	if doctorFailed(res) {
		return silentExit{code: exitFailed}
	}
	return nil
}

// doctorFailed is exit 1: an error finding, or a check that could not be
// evaluated (its answer is unknown, so the app is not known to be fine).
func doctorFailed(res *checks.FindingsResult) bool {
	if res.Worst() == checks.SeverityError {
		return true
	}
	for _, c := range res.Checks {
		if c.Status == checks.StatusError {
			return true
		}
	}
	return false
}
