package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// TargetKind says what a target is.
type TargetKind string

const (
	// TargetFake is the embedded fake, started in-process on a free
	// loopback port.
	TargetFake TargetKind = "fake"
	// TargetURL is a fake already running at a URL (`spotcheck fake`).
	TargetURL TargetKind = "url"
	// TargetSpotify is the real accounts.spotify.com and api.spotify.com.
	TargetSpotify TargetKind = "spotify"
)

// Spotify's real base URLs.
const (
	SpotifyAccountsURL = "https://accounts.spotify.com"
	SpotifyAPIURL      = "https://api.spotify.com/v1"
)

// Environment variables that override the base URLs of any target, as the
// fake's banner prints them.
const (
	EnvAccountsURL = "SPOTIFY_ACCOUNTS_URL"
	EnvAPIURL      = "SPOTIFY_API_URL"
)

// Target is where requests go: the accounts service, the Web API and, for
// a fake, its control endpoints.
type Target struct {
	Kind        TargetKind
	Name        string // "fake", "spotify" or the URL given
	AccountsURL string
	APIURL      string
	// Control talks to the fake's /_spotcheck/ endpoints; nil for real
	// Spotify or a fake started with --no-control.
	Control *control.Client
	// Config is the configuration of the embedded fake (nil otherwise):
	// the credentials of its apps and users.
	Config *config.Config
	// Fake is the embedded fake's server (nil otherwise).
	Fake *fakespotify.Server
}

// TargetOptions shape ResolveTarget.
type TargetOptions struct {
	// FakeConfig is the embedded fake's configuration (default: the
	// built-in one).
	FakeConfig *config.Config
	// AccountsURL and APIURL override the base URLs ("" = the target's own,
	// then $SPOTIFY_ACCOUNTS_URL / $SPOTIFY_API_URL).
	AccountsURL, APIURL string
	// Env reads the environment (nil = os.LookupEnv).
	Env func(string) (string, bool)
	// HTTPClient is used for probing and the control API (nil = a client
	// with a 10 s timeout).
	HTTPClient *http.Client
	// ControlToken is the control token of a fake at a URL that was
	// started with one ("" = $SPOTCHECK_CONTROL_TOKEN).
	ControlToken string
}

// ErrBadTarget is a target that is not fake, spotify or an http(s) URL.
var ErrBadTarget = errors.New("bad target")

// ResolveTarget turns --target into a Target, starting the embedded fake
// for "fake" (Close stops it). For a URL it asks the fake's health
// endpoint whether control is on; an unreachable URL is ErrUnreachable.
func ResolveTarget(ctx context.Context, spec string, o TargetOptions) (*Target, error) {
	env := o.Env
	if env == nil {
		env = os.LookupEnv
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	var t *Target
	switch {
	case spec == "" || spec == string(TargetFake):
		cfg := o.FakeConfig
		if cfg == nil {
			cfg = fakespotify.DefaultConfig()
		}
		srv, err := fakespotify.Start(cfg)
		if err != nil {
			return nil, fmt.Errorf("start the embedded fake: %w", err)
		}
		t = &Target{Kind: TargetFake, Name: string(TargetFake), AccountsURL: srv.AccountsURL(), APIURL: srv.APIURL(),
			Control: newControl(srv.URL, "", hc), Config: cfg, Fake: srv}
	case spec == string(TargetSpotify):
		t = &Target{Kind: TargetSpotify, Name: string(TargetSpotify), AccountsURL: SpotifyAccountsURL, APIURL: SpotifyAPIURL}
	case strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://"):
		u, err := url.Parse(spec)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("%w: --target %q is not a URL", ErrBadTarget, spec)
		}
		base := strings.TrimRight(spec, "/")
		t = &Target{Kind: TargetURL, Name: spec, AccountsURL: base, APIURL: base + "/v1"}
		token := o.ControlToken
		if v, ok := env(EnvControlToken); ok && token == "" {
			token = v
		}
		ctl := newControl(base, token, hc)
		has, err := ctl.Health(ctx)
		var refused *control.Error
		if errors.As(err, &refused) {
			return nil, fmt.Errorf("%w: --target %s: the fake's control API refused: %s (a fake started with --control-token needs the same token here: --control-token or $%s)",
				ErrBadTarget, spec, refusal(refused), EnvControlToken)
		}
		if err != nil {
			err = controlErr(ctx, err)
			var te *TransportError
			if errors.As(err, &te) {
				te.msg = noFakeAt(spec, te)
			}
			return nil, err
		}
		if has {
			t.Control = ctl
		}
	default:
		return nil, fmt.Errorf("%w: --target %q: want fake, spotify or the URL of a running fake", ErrBadTarget, spec)
	}
	if v, ok := env(EnvAccountsURL); ok && v != "" && o.AccountsURL == "" {
		t.AccountsURL = strings.TrimRight(v, "/")
	}
	if v, ok := env(EnvAPIURL); ok && v != "" && o.APIURL == "" {
		t.APIURL = strings.TrimRight(v, "/")
	}
	if o.AccountsURL != "" {
		t.AccountsURL = strings.TrimRight(o.AccountsURL, "/")
	}
	if o.APIURL != "" {
		t.APIURL = strings.TrimRight(o.APIURL, "/")
	}
	return t, nil
}

// Info is what reports say about the target.
func (t *Target) Info() TargetInfo {
	return TargetInfo{Name: t.Name, AccountsURL: t.AccountsURL, APIURL: t.APIURL}
}

// APIBase is the Web API base the recording client wants: targets name the
// API with its /v1 (https://api.spotify.com/v1, as SPOTIFY_API_URL does),
// while request paths start with /v1/ themselves.
func (t *Target) APIBase() string {
	return strings.TrimSuffix(strings.TrimRight(t.APIURL, "/"), "/v1")
}

// Close stops the embedded fake, if any.
func (t *Target) Close() error {
	if t.Fake != nil {
		return t.Fake.Close()
	}
	return nil
}

// Probe checks that the accounts service answers at all (any HTTP status
// counts): a failure is an unreachable target, exit code 3.
func (t *Target) Probe(ctx context.Context, hc *http.Client) error {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.AccountsURL+"/authorize", nil)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadTarget, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return &TransportError{Kind: classify(ctx, err), Method: http.MethodGet, URL: t.AccountsURL + "/authorize", Peer: wire.PeerAccounts, Err: err,
			msg: fmt.Sprintf("%s is unreachable: %v", t.AccountsURL, unwrapURLError(err))}
	}
	resp.Body.Close()
	return nil
}

// noFakeAt says that nothing answered at a --target URL: which URL, what
// was tried and what to do.
func noFakeAt(spec string, te *TransportError) string {
	why := map[TransportErrorKind]string{
		TransportRefused: "the connection was refused: nothing listens there",
		TransportDNS:     "the host name does not resolve",
		TransportTimeout: "no answer in time",
		TransportTLS:     "the TLS handshake failed (a fake started with --tls speaks HTTPS; the URL must say https)",
		TransportProxy:   "the proxy failed (HTTP_PROXY / HTTPS_PROXY / NO_PROXY)",
	}[te.Kind]
	if why == "" {
		why = unwrapURLError(te.Err).Error()
	}
	addr := spec
	if u, err := url.Parse(spec); err == nil && u.Host != "" {
		addr = u.Host
	}
	return fmt.Sprintf("no fake answers at --target %s (tried %s %s: %s); start one there with `spotcheck fake --addr %s`, correct the URL, or use --target fake for the embedded fake",
		spec, strings.ToUpper(te.Method), te.URL, why, addr)
}
