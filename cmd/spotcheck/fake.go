package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/front"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/fakespotify/sandbox"
)

type fakeOptions struct {
	addr         string
	config       string
	consent      string
	noControl    bool
	controlToken string

	// Grading on shutdown (--grade-on-exit).
	gradeOnExit bool
	failOn      string
	report      reportFlags
	gradeSkip   []string
	allowEmpty  bool

	logBytes string // --request-log-bytes

	front      frontOptions // --tls, --tls-addr, --ca-dir, --tunnel, --isolate, --app, -- CMD
	gradeFlags []string     // grade flags given without --grade-on-exit
	printEnv   bool         // --print-env: print --app's export lines and exit
}

func init() {
	subcommands = append(subcommands, newFakeCmd)
}

func newFakeCmd(a *app) *cobra.Command {
	var o fakeOptions
	cmd := &cobra.Command{
		Use:   "fake",
		Short: "Serve a fake Spotify (accounts service and Web API) on loopback",
		Long: `Serve a fake Spotify accounts service (/authorize, login and consent pages, /api/token) and a
Web API subset (/v1/...) on one port, faithful to Spotify's wire behaviour. Without --config it
serves the built-in apps and users. Control endpoints under /_spotcheck/ (inject faults, advance
the clock, revoke grants, switch policies, list requests, grade clients) are on unless --no-control.

With --grade-on-exit the fake grades the clients of its apps when it stops (SIGINT or SIGTERM):
it prints the findings and exits 1 when one is at or above --fail-on, so that a CI job can wrap
its app's tests between starting and stopping the fake.

The same port is an HTTP proxy: absolute-form http:// requests to accounts.spotify.com and
api.spotify.com are served by the fake, and with --tls so is CONNECT to them on 443 (TLS ends here,
with certificates from a local CA limited to those names and loopback); every other host gets 403
and a log line unless --tunnel lets it through. --tls also makes --addr speak HTTPS (the first byte
tells), --tls-addr adds an HTTPS-only address.

With -- CMD ARGS… the fake runs the app's command with HTTPS_PROXY, the CA variables, the base URLs
and --app's credentials set, stops when it ends and exits with CMD's status when CMD fails, 4 when
the fake saw no request from it, else the grade's verdict (1 on findings at or above --fail-on).
--isolate (Linux) runs CMD where only loopback exists and Spotify's names resolve to the fake.`,
		Example: `  spotcheck fake
  spotcheck fake --addr 127.0.0.1:9000 --config fake.yaml --consent auto
  spotcheck fake --consent auto --grade-on-exit --fail-on warning --report junit=out/grade.xml
  spotcheck fake --tls --tls-addr 127.0.0.1:8443
  spotcheck fake --consent auto -- python3 -m pytest
  spotcheck fake --consent auto --isolate --report junit=out/grade.xml -- npm test`,
		Args: func(cmd *cobra.Command, args []string) error {
			// `--print-env APP` reads as the issue spells it: the one
			// argument is the app.
			if o.printEnv && len(args) == 1 && cmd.ArgsLenAtDash() < 0 {
				return nil
			}
			return commandAfterDash(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.printEnv {
				if len(args) == 1 {
					o.front.app = args[0]
				}
				return printEnv(a, o)
			}
			o.front.command = args
			for _, name := range []string{"fail-on", "report", "format", "no-screenshots", "skip", "grade-skip", "allow-empty"} {
				if cmd.Flags().Changed(name) {
					o.gradeFlags = append(o.gradeFlags, "--"+name)
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return runFake(ctx, a, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8787", "address to listen on")
	f.StringVar(&o.config, "config", "", "fake configuration YAML (default: $SPOTCHECK_FAKE_CONFIG (the YAML itself), $SPOTCHECK_FAKE_CONFIG_FILE, or the built-in apps and users)")
	f.StringVar(&o.consent, "consent", "", "override the consent mode: page (login and consent pages) or auto (approve as default_user) (default $SPOTCHECK_FAKE_CONSENT)")
	f.BoolVar(&o.noControl, "no-control", false, "turn the /_spotcheck/ control endpoints off")
	f.StringVar(&o.logBytes, "request-log-bytes", "", "the request log's byte budget across all apps, e.g. 64MiB or 1GiB (default: the config's request_log_bytes, 64MiB)")
	registerControlToken(cmd, &o.controlToken)
	f.BoolVar(&o.gradeOnExit, "grade-on-exit", false, "on shutdown, print the grade of the apps' clients and exit 1 on findings at or above --fail-on")
	f.StringVar(&o.failOn, "fail-on", "error", "with --grade-on-exit: the severity that fails: error, warning, info or none")
	o.report.register(cmd)
	o.front.register(cmd)
	registerGradeSkip(cmd, &o.gradeSkip)
	// --grade-skip was the flag's name here before it became grade's
	// --skip: kept, hidden, for the scripts that use it.
	f.StringSliceVar(&o.gradeSkip, "grade-skip", nil, "the old name of --skip")
	must(f.MarkHidden("grade-skip"))
	f.BoolVar(&o.allowEmpty, "allow-empty", false, "with --grade-on-exit: "+allowEmptyUsage)
	f.BoolVar(&o.printEnv, "print-env", false, "print export lines for an app (--app, or --print-env APP): its SPOTIFY_* and SPOTIPY_* credentials and the base URLs at --addr; then exit")
	must(cmd.RegisterFlagCompletionFunc("fail-on", values(failOnValues()...)))
	must(cmd.RegisterFlagCompletionFunc("consent", values(config.ConsentPage, config.ConsentAuto)))
	must(cmd.RegisterFlagCompletionFunc("app", completeApps))
	cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if pe, _ := cmd.Flags().GetBool("print-env"); pe && len(args) == 0 {
			return completeApps(cmd, args, toComplete)
		}
		return nil, cobra.ShellCompDirectiveDefault // the app's command
	}
	return cmd
}

// printEnv prints the shell lines that give an app the credentials of a
// fake app and the fake's base URLs: `eval "$(spotcheck fake --print-env
// web)"`. The variables are the ones `spotcheck fake -- CMD` sets
// (sandbox.Settings), without the proxy and CA, which need a running fake.
func printEnv(a *app, o fakeOptions) error {
	cfg, _, err := fakeConfigFrom(o.config, o.consent, os.Getenv)
	if err != nil {
		return err
	}
	app, err := lookupApp(cfg.Apps, o.front.app)
	if err != nil {
		return err
	}
	base := "http://" + front.Dialable(o.addr)
	settings := appSettings(app)
	settings.AccountsURL, settings.APIURL = base, base+"/v1"
	for _, kv := range settings.Vars(nil) {
		fmt.Fprintf(a.stdout, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	return nil
}

// appSettings is what a command acting as app is told: its id, secret
// and first redirect URI.
func appSettings(app config.App) sandbox.Settings {
	return sandbox.Settings{ClientID: app.ClientID, ClientSecret: app.ClientSecret, RedirectURI: first(app.RedirectURIs)}
}

// lookupApp finds --app by name or client id.
func lookupApp(apps []config.App, name string) (config.App, error) {
	var names []string
	for _, x := range apps {
		if x.Name == name || x.ClientID == name {
			return x, nil
		}
		names = append(names, x.Name)
	}
	return config.App{}, usageErrorf("--app %q: no such app (apps: %s)", name, strings.Join(names, ", "))
}

// shellQuote writes v so that a POSIX shell reads it back unchanged.
func shellQuote(v string) string {
	if v != "" && strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == "" {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func runFake(ctx context.Context, a *app, o fakeOptions) error {
	if err := o.front.validate(); err != nil {
		return err
	}
	for flag, addr := range map[string]string{"--addr": o.addr, "--tls-addr": o.front.tlsAddr} {
		if err := checkListenAddr(flag, addr); err != nil {
			return err
		}
	}
	if o.front.isolate && !sandbox.Inside() {
		return runIsolated(o.front)
	}
	wrap := len(o.front.command) > 0 // grading is what a wrapped run is for
	if !o.gradeOnExit && !wrap && len(o.gradeFlags) > 0 {
		return usageErrorf("%s only apply with --grade-on-exit", strings.Join(o.gradeFlags, ", "))
	}
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	if o.allowEmpty {
		o.gradeSkip = append(o.gradeSkip, grade.NoRequests)
	}
	gradeOpts := fakespotify.GradeOptions{Skip: o.gradeSkip}
	if err := gradeOpts.Validate(); err != nil {
		return usageErrorf("--skip: %v", strings.TrimPrefix(err.Error(), "skip: "))
	}
	cfg, builtin, err := fakeConfigFrom(o.config, o.consent, os.Getenv)
	if err != nil {
		return err
	}
	opts := []fakespotify.Option{fakespotify.WithGradeOptions(gradeOpts)}
	if o.logBytes != "" {
		n, err := parseByteSize(o.logBytes)
		if err != nil {
			return usageErrorf("--request-log-bytes %q: %v", o.logBytes, err)
		}
		opts = append(opts, fakespotify.WithRequestLogBytes(n))
	}
	// Even a lean log line costs a little: skip it altogether when
	// request lines would be dropped anyway.
	if a.log.GetLevel() <= zerolog.InfoLevel {
		opts = append(opts, fakespotify.WithLogLine(requestLogger(a.log)))
	}
	if o.noControl {
		opts = append(opts, fakespotify.WithoutControl())
	} else if tok := controlToken(a, o.controlToken); tok != "" {
		opts = append(opts, fakespotify.WithControlToken(tok))
	}
	fake, err := fakespotify.New(cfg, opts...)
	if err != nil {
		return withCode(exitUsage, err)
	}
	srv, err := startFront(a, o.addr, fake, &o.front)
	if err != nil {
		return err
	}
	paceGC(ctx, os.Getenv)
	if wrap {
		printWrapBanner(a, srv)
		return runWrapped(a, srv, fake, &o, failOn)
	}
	printFakeBanner(a, fake, srv, cfg, o, builtin)
	printFrontBanner(a, srv)
	a.log.Info().Str("url", srv.URL()).Msg("fake Spotify listening")
	<-ctx.Done()
	a.log.Info().Msg("shutting down")
	if err := srv.Close(); err != nil {
		return withCode(exitFailed, fmt.Errorf("shutdown: %w", err))
	}
	if !o.gradeOnExit {
		return nil
	}
	// Graded after Close: no request can arrive while the grade is taken.
	return renderGrade(a, gradeResult(fake.Grade(""), srv.URL()), &o.report, failOn)
}

// parseByteSize reads a size such as 65536, 512KiB, 64MiB or 1GiB.
func parseByteSize(s string) (int64, error) {
	num, mult := s, int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, errors.New("want a positive size in bytes, or with KiB, MiB or GiB")
	}
	return n * mult, nil
}

// checkListenAddr refuses, before anything listens, an address whose host
// is neither a literal IP nor localhost: net.Listen would look any other
// name up in DNS (999.1.1.1 included), and a fake must never listen where
// a resolver says.
func checkListenAddr(flag, addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErrorf("%s %q: want HOST:PORT, e.g. 127.0.0.1:8787", flag, addr)
	}
	if host == "" || strings.EqualFold(host, "localhost") || net.ParseIP(host) != nil {
		return nil
	}
	return usageErrorf("%s %q: the host must be an IP address or localhost (%s would be looked up in DNS)", flag, addr, host)
}

// printFakeBanner says where the fake is and what it serves. The
// built-in apps' secrets are made-up test values, printed so that nobody
// has to read the source for one; the secrets of a user's --config stay
// out of the banner (a CI log) unless --print-env asks for them.
func printFakeBanner(a *app, fake *fakespotify.Fake, srv *front.Front, cfg *config.Config, o fakeOptions, builtin bool) {
	url := srv.URL()
	w := a.stdout
	fmt.Fprintf(w, "fake Spotify at %s (accounts: /authorize, /api/token; Web API: /v1/)\n", url)
	if srv.Wildcard() {
		fmt.Fprintf(w, "listening on every interface (%s): from another machine or container use this machine's address instead of 127.0.0.1\n", o.addr)
	}
	fmt.Fprintf(w, "consent: %s", cfg.Consent)
	if cfg.Consent == config.ConsentAuto {
		fmt.Fprintf(w, " (approves as %s)", cfg.DefaultUser)
	}
	fmt.Fprintln(w)
	for _, app := range fake.Apps() {
		secret := "(hidden: --print-env " + app.Name + ")"
		if builtin {
			secret = app.ClientSecret
		}
		fmt.Fprintf(w, "app %-10s client_id %s  client_secret %s  mode %-11s redirect_uris %s\n", app.Name, app.ClientID, secret, app.Mode, strings.Join(app.RedirectURIs, " "))
	}
	if builtin {
		fmt.Fprintln(w, "(the built-in apps' credentials are made-up test values that work only here; spotcheck fake --print-env APP prints export lines)")
	}
	fmt.Fprintln(w, controlLine(fake, srv, o))
	fmt.Fprintf(w, "export SPOTIFY_ACCOUNTS_URL=%s\n", url)
	fmt.Fprintf(w, "export SPOTIFY_API_URL=%s/v1\n", url)
}

// controlLine says in one line whether the control API is on and who it
// answers.
func controlLine(fake *fakespotify.Fake, srv *front.Front, o fakeOptions) string {
	switch fake.ControlAccess() {
	case fakespotify.ControlLoopback:
		return "control API on (loopback only): " + srv.URL() + fakespotify.ControlPrefix
	case fakespotify.ControlToken:
		return "control API on, token required: " + srv.URL() + fakespotify.ControlPrefix
	}
	if o.noControl {
		return "control API off (--no-control)"
	}
	// The host as given (0.0.0.0 listens as [::]), the port as bound.
	addr := srv.Addrs()[0]
	if host, _, err := net.SplitHostPort(o.addr); err == nil {
		if _, port, err := net.SplitHostPort(addr); err == nil {
			addr = net.JoinHostPort(host, port)
		}
	}
	return "control API off: listening on " + addr + " without --control-token"
}

// requestLogger logs each request the fake answered, already redacted by
// the fake: fingerprints stand where codes, tokens and secrets were. The
// fake builds the line's fields alone (LogLine), not a redacted copy of
// the whole exchange.
func requestLogger(log zerolog.Logger) func(fakespotify.LogLine) {
	return func(r fakespotify.LogLine) {
		ev := log.Info()
		if r.Status >= 400 {
			ev = log.Warn()
		}
		ev = ev.Str("method", r.Method).Str("path", r.Path).Int("status", r.Status).
			Str("endpoint", string(r.Endpoint)).Dur("took", r.Duration)
		if r.ClientID != "" {
			ev = ev.Str("client_id", r.ClientID)
		}
		if r.UserID != "" {
			ev = ev.Str("user", r.UserID)
		}
		if r.Injected {
			ev = ev.Bool("injected", true)
		}
		if len(r.ResponseBody) > 0 && len(r.ResponseBody) < 300 {
			ev = ev.Str("response", r.ResponseBody)
		}
		if r.Query != "" {
			ev = ev.Str("query", r.Query)
		}
		if r.Form != "" {
			ev = ev.Str("form", r.Form)
		}
		if r.Authorization != "" {
			ev = ev.Str("authorization", r.Authorization)
		}
		ev.Msg("request")
	}
}
