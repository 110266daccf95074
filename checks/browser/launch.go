// Package browser drives Spotify's (and the fake's) login and consent pages
// in headless Chromium with go-rod. It only ever uses the system browser
// (/usr/bin/chromium or $SPOTCHECK_CHROME): rod must never download one.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"
)

// DefaultChromium is where Debian's chromium package installs the browser.
const DefaultChromium = "/usr/bin/chromium"

// InstallHint is the one line a user sees when no browser is installed.
const InstallHint = "Chromium not found: install it with `apt-get install -y chromium` (or set SPOTCHECK_CHROME to a Chromium binary)"

// ErrNoChromium is returned when no usable Chromium binary exists. Commands
// map it to exit code 2 and print InstallHint.
var ErrNoChromium = errors.New(InstallHint)

// ChromiumPath returns the Chromium binary to use: $SPOTCHECK_CHROME when
// set, else /usr/bin/chromium. It fails with ErrNoChromium when the file is
// missing, rather than letting rod fall back to downloading a browser.
func ChromiumPath() (string, error) {
	bin := os.Getenv("SPOTCHECK_CHROME")
	if bin == "" {
		bin = DefaultChromium
	}
	if _, err := exec.LookPath(bin); err != nil {
		return "", fmt.Errorf("%w (looked for %s)", ErrNoChromium, bin)
	}
	return bin, nil
}

// Browser is a launched headless Chromium with its own fresh profile.
type Browser struct {
	*rod.Browser
	launcher *launcher.Launcher
}

// LaunchOptions change how Chromium starts.
type LaunchOptions struct {
	// AllowNetwork lets pages resolve real hosts, for a run against
	// accounts.spotify.com. By default every name but 127.0.0.1 and
	// localhost resolves to nothing, so a page can never reach out.
	AllowNetwork bool
}

// Launch starts headless Chromium with the flags this project requires:
// sandbox and GPU off (containers, CI), no background networking, component
// updates or sync (the machine has no internet and Chromium would otherwise
// look up Google hosts at every start), and a fresh user-data dir. Host
// resolution is pinned to loopback so that a page can never reach out.
func Launch(ctx context.Context) (*Browser, error) { return LaunchWith(ctx, LaunchOptions{}) }

// LaunchWith is Launch with options.
func LaunchWith(ctx context.Context, o LaunchOptions) (*Browser, error) {
	bin, err := ChromiumPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "spotcheck-chromium-")
	if err != nil {
		return nil, fmt.Errorf("create chromium profile dir: %w", err)
	}
	l := launcher.New().
		Context(ctx).
		Bin(bin).
		Leakless(false).
		Headless(true).
		NoSandbox(true).
		UserDataDir(dir).
		Set("disable-gpu").
		Set("disable-background-networking").
		Set("disable-component-update").
		Set("disable-sync").
		Set("no-first-run")
	if !o.AllowNetwork {
		l = l.Set("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost")
	}
	u, err := l.Launch()
	if err != nil {
		l.Kill()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("launch chromium %s: %w", bin, err)
	}
	b := rod.New().ControlURL(u).Context(ctx)
	if err := b.Connect(); err != nil {
		l.Kill()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("connect to chromium: %w", err)
	}
	return &Browser{Browser: b, launcher: l}, nil
}

// Close shuts the browser down and removes its profile directory.
func (b *Browser) Close() error {
	err := b.Browser.Close()
	if err != nil {
		b.launcher.Kill()
	}
	b.launcher.Cleanup()
	return err
}
