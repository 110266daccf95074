package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/front"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/fakespotify/sandbox"
)

// exitNoRequests is `spotcheck fake -- CMD`'s exit when CMD succeeded but
// the fake saw no request from it: not 1 (a finding), not 3 (spotcheck
// could not reach its target), and below the shells' 126+.
const exitNoRequests = 4

// The sandbox's fixed addresses: Spotify's names resolve to 127.0.0.1
// there, so the fake must answer on the real ports.
const (
	sandboxTLSAddr   = "127.0.0.1:443"
	sandboxPlainAddr = "127.0.0.1:80"
)

// frontOptions are the flags that put the fake in front of an unmodified
// app (package front) and run it (package sandbox).
type frontOptions struct {
	tls     bool
	tlsAddr string
	caDir   string
	tunnel  []string
	isolate bool
	app     string
	command []string // after --

	sandbox *sandbox.Sandbox // inside --isolate, once entered
}

func (o *frontOptions) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.tls, "tls", false, "speak HTTPS too: on --addr (the first byte tells TLS from plain HTTP) and in proxy tunnels to accounts.spotify.com and api.spotify.com, with certificates from a local CA")
	f.StringVar(&o.tlsAddr, "tls-addr", "", "also serve HTTPS alone on this address, e.g. 127.0.0.1:8443 (implies --tls)")
	f.StringVar(&o.caDir, "ca-dir", "", "where the CA lives (default: the user's config directory/spotcheck/ca)")
	f.StringArrayVar(&o.tunnel, "tunnel", nil, "let the proxy tunnel this other host (HOST or HOST:PORT; repeatable); every other host gets 403")
	f.BoolVar(&o.isolate, "isolate", false, "Linux: run CMD in its own network and mount namespaces where only loopback exists and Spotify's names resolve to the fake")
	f.StringVar(&o.app, "app", "web", "with -- CMD: the app whose credentials CMD gets (SPOTIFY_CLIENT_ID, …)")
}

// commandAfterDash allows arguments only after --: they are the command.
func commandAfterDash(cmd *cobra.Command, args []string) error {
	if at := cmd.ArgsLenAtDash(); len(args) > 0 && at != 0 {
		return usageErrorf("unexpected argument %q: put the app's command after --, e.g. spotcheck fake -- npm test", args[0])
	}
	return nil
}

func (o *frontOptions) validate() error {
	if o.isolate && len(o.command) == 0 {
		return usageErrorf("--isolate needs the app's command: spotcheck fake --isolate -- CMD ARGS…")
	}
	if len(o.command) > 0 {
		// Found before anything starts: a typo costs no fake, no namespace.
		if _, err := sandbox.Command(o.command, nil); err != nil {
			return withCode(exitUsage, err)
		}
	}
	return nil
}

// tlsOn: a wrapped command is proxied to HTTPS and an isolated one reaches
// the fake on :443, so both need the CA.
func (o *frontOptions) tlsOn() bool {
	return o.tls || o.tlsAddr != "" || len(o.command) > 0 || o.isolate
}

// runIsolated runs this same command line again inside new namespaces
// (sandbox.Isolate) and ends as it ended.
func runIsolated(o frontOptions) error {
	exit, err := sandbox.Isolate(os.Args[1:])
	var ue *sandbox.UnavailableError
	if errors.As(err, &ue) {
		return usageErrorf("--isolate: %v; run without --isolate: spotcheck fake -- CMD sets HTTPS_PROXY and the CA variables for CMD instead", err)
	}
	if err != nil {
		return usageErrorf("--isolate: %v", err)
	}
	if exit.Signal != 0 {
		return withCode(exit.Status(), fmt.Errorf("the isolated fake %s", exit))
	}
	return silentExit{code: exit.Code} // the inner run said what there was to say
}

// startFront loads the CA when TLS is on and opens the listeners, turning
// their failures into one line with the fix.
func startFront(a *app, addr string, fake *fakespotify.Fake, o *frontOptions) (*front.Front, error) {
	c := front.Config{Handler: fake, Addrs: []string{addr}, Tunnel: o.tunnel, Log: frontLogger(a.log), Limits: fake.Limits()}
	if o.tlsAddr != "" {
		c.TLSAddrs = []string{o.tlsAddr}
	}
	if o.isolate {
		sb, err := sandbox.Enter()
		if err != nil {
			return nil, usageErrorf("--isolate: %v", err)
		}
		o.sandbox = sb
		c.Addrs = append(c.Addrs, sandboxPlainAddr)
		c.TLSAddrs = append(c.TLSAddrs, sandboxTLSAddr)
	}
	if o.tlsOn() {
		ca, err := openCA(a, o.caDir)
		if err != nil {
			return nil, err
		}
		c.CA = ca
	}
	srv, err := front.Start(c)
	var le *front.ListenError
	switch {
	case errors.As(err, &le) && le.InUse():
		return nil, usageErrorf("%s is already in use: stop what is listening there or choose another address", le.Addr)
	case errors.As(err, &le) && le.Denied():
		exe, _ := os.Executable()
		return nil, usageErrorf("cannot listen on %s: permission denied (ports below 1024 need privilege): allow it with `sudo setcap cap_net_bind_service=+ep %s`, choose a port above 1023 (e.g. 127.0.0.1:8443), or run the app with --isolate", le.Addr, exe)
	case err != nil:
		return nil, usageErrorf("%v", err)
	}
	return srv, nil
}

func openCA(a *app, dir string) (*front.CA, error) {
	if dir == "" {
		d, err := front.DefaultCADir()
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		dir = d
	}
	ca, err := front.OpenCA(dir)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	src, err := ca.WriteBundle()
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	if ca.Created {
		a.log.Info().Str("dir", ca.Dir).Msg("made the fake's CA (limited to Spotify's two hosts and loopback by name constraints)")
	}
	if src == "" {
		a.log.Warn().Str("bundle", ca.BundlePath()).Msg("no system CA bundle found: the bundle holds the fake's CA alone")
	}
	return ca, nil
}

// frontLogger writes the front's events (refused CONNECTs, tunnels,
// refused handshakes) as log lines.
func frontLogger(log zerolog.Logger) func(front.Event) {
	return func(e front.Event) {
		ev := log.Debug()
		switch e.Level {
		case "warn":
			ev = log.Warn()
		case "info":
			ev = log.Info()
		}
		if e.Host != "" {
			ev = ev.Str("host", e.Host)
		}
		if e.From != "" {
			ev = ev.Str("from", e.From)
		}
		if e.Err != nil {
			ev = ev.Err(e.Err)
		}
		ev.Msg(e.Msg)
	}
}

// printFrontBanner says how to reach the fake over TLS and the proxy, and
// how to trust the CA (which spotcheck never does itself).
func printFrontBanner(a *app, srv *front.Front) {
	w := a.stdout
	fmt.Fprintf(w, "proxy: export HTTPS_PROXY=%s HTTP_PROXY=%s NO_PROXY=localhost,127.0.0.1,::1 (only accounts.spotify.com and api.spotify.com are served; other hosts get 403)\n", srv.ProxyURL(), srv.ProxyURL())
	ca := srv.CA()
	if ca == nil {
		fmt.Fprintln(w, "https: off (--tls serves HTTPS and intercepts HTTPS through the proxy)")
		return
	}
	https := []string{"https://" + front.Dialable(srv.Addrs()[0]) + " (same port)"}
	for _, t := range srv.TLSAddrs() {
		https = append(https, "https://"+front.Dialable(t))
	}
	fmt.Fprintf(w, "https: %s\n", strings.Join(https, ", "))
	fmt.Fprintf(w, "export NODE_EXTRA_CA_CERTS=%s\n", ca.CertPath())
	fmt.Fprintf(w, "export SSL_CERT_FILE=%s REQUESTS_CA_BUNDLE=%s CURL_CA_BUNDLE=%s\n", ca.BundlePath(), ca.BundlePath(), ca.BundlePath())
	fmt.Fprintln(w, "to trust the CA system-wide (spotcheck never does; it can certify only Spotify's two hosts and loopback):")
	for _, c := range ca.TrustCommands() {
		fmt.Fprintf(w, "  %s\n", c)
	}
}

// printWrapBanner is one line on stderr: stdout is the command's.
func printWrapBanner(a *app, srv *front.Front) {
	fmt.Fprintf(a.stderr, "spotcheck: fake Spotify at %s (proxy and HTTPS for accounts.spotify.com, api.spotify.com)\n", srv.URL())
}

// runWrapped runs the app's command against the fake and ends as the
// issue says: CMD's own status when it fails (128+n, and a line, when a
// signal killed it); exitNoRequests when the fake saw nothing from it;
// otherwise the grade's verdict at --fail-on.
func runWrapped(a *app, srv *front.Front, fake *fakespotify.Fake, o *fakeOptions, failOn grade.Severity) error {
	defer srv.Close()
	app, err := lookupApp(fake.Apps(), o.front.app)
	if err != nil {
		return err
	}
	ca := srv.CA()
	settings := appSettings(app)
	settings.ProxyURL, settings.AccountsURL, settings.APIURL = srv.ProxyURL().String(), srv.URL(), srv.URL()+"/v1"
	settings.CACert, settings.Bundle = ca.CertPath(), ca.BundlePath()
	env := sandbox.Env(os.Environ(), settings)
	cmd, err := sandbox.Command(o.front.command, env)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if o.front.sandbox != nil {
		o.front.sandbox.Prepare(cmd)
	}
	exit, err := sandbox.Run(cmd)
	if err != nil {
		return usageErrorf("%s: %v", o.front.command[0], err)
	}
	if err := srv.Close(); err != nil {
		return withCode(exitFailed, fmt.Errorf("shutdown: %w", err))
	}
	name := o.front.command[0]
	switch {
	case exit.Signal != 0:
		return withCode(exit.Status(), fmt.Errorf("%s %s", name, exit))
	case exit.Code != 0:
		return withCode(exit.Code, fmt.Errorf("%s %s", name, exit))
	case fake.RequestCount("*") == 0 && !o.allowEmpty:
		return withCode(exitNoRequests, fmt.Errorf("the app never reached the fake: it may still be calling real Spotify (give it SPOTIFY_ACCOUNTS_URL, honour HTTPS_PROXY, or use --isolate; --allow-empty if it need not call Spotify)"))
	}
	// Graded after Close: no request can arrive while the grade is taken.
	return renderGrade(a, gradeResult(fake.Grade(""), srv.URL()), &o.report, failOn)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
