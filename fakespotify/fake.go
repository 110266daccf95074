package fakespotify

import (
	crand "crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spotcheck/spotcheck/fakespotify/accounts"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/httpserve"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/store"
	"github.com/spotcheck/spotcheck/fakespotify/webapi"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultConfigYAML is the built-in configuration as shipped: the apps and
// users that `spotcheck fake` serves and the built-in scenarios refer to.
func DefaultConfigYAML() []byte { return append([]byte(nil), defaultYAML...) }

// DefaultConfig returns a fresh parsed copy of the built-in configuration.
func DefaultConfig() *config.Config {
	cfg, err := config.Parse(defaultYAML, "default.yaml")
	if err != nil {
		panic("fakespotify: built-in default.yaml is invalid: " + err.Error())
	}
	return cfg
}

// Fake is a fake Spotify: accounts service and Web API on one handler.
// It is safe for concurrent use.
type Fake struct {
	cfg      config.Config // users, catalog, lifetimes; apps live in f.apps
	accounts *accounts.Service
	api      *webapi.API
	store    *store.Store
	secrets  redact.Set // app secrets and user passwords, scrubbed from everything the fake shows

	base      func() time.Time
	offset    atomic.Int64 // fake-wide clock offset, ns
	logf      func(Request)
	linef     func(LogLine)
	fps       redact.Cache // fingerprints of credentials sent again and again
	limits    httpserve.Limits
	maxClones int
	clones    int // apps cloned and not deleted; under mu
	sweepTick atomic.Uint64

	// The control API: on unless WithoutControl; Listen turns it off
	// (controlOff) on a non-loopback address without a token.
	control      bool
	controlToken string
	controlOff   atomic.Bool
	controlMux   *http.ServeMux

	mu       sync.RWMutex
	apps     map[string]*appState
	policies config.Policies
	users    map[string]*config.User // by id and by email
	// clonedUsers are the ids CloneUser made, which DeleteUser may remove.
	clonedUsers map[string]bool

	log    requestLog
	faults faultList
}

// appState is a registered app and everything scoped to it.
type appState struct {
	app      config.App
	policies config.Policies // overrides; empty fields inherit the fake-wide ones
	offset   time.Duration
	// rotated are the secrets RotateSecret replaced: still redacted while
	// the app exists (a client may keep sending one), unregistered with it.
	rotated []string
}

// Option configures New.
type Option func(*Fake)

// WithClock replaces the wall clock the fake starts from. AdvanceClock
// still moves time forward on top of it.
func WithClock(now func() time.Time) Option { return func(f *Fake) { f.base = now } }

// WithLogger is called after every request with its redacted record.
func WithLogger(fn func(Request)) Option { return func(f *Fake) { f.logf = fn } }

// New builds a fake from a configuration (see DefaultConfig and
// config.Load). The configuration is copied; later changes go through the
// Fake's methods or control endpoints.
func New(cfg *config.Config, opts ...Option) (*Fake, error) {
	if cfg == nil {
		return nil, errors.New("fakespotify: nil config")
	}
	f := &Fake{
		cfg:      *cfg,
		store:    store.New(),
		base:     time.Now,
		control:  true,
		apps:     map[string]*appState{},
		policies: cfg.Policies,
		users:    map[string]*config.User{},

		clonedUsers: map[string]bool{},
	}
	lt, pol := config.Defaults()
	f.policies = f.policies.Merge(pol)
	if f.cfg.Lifetimes.Code == 0 {
		f.cfg.Lifetimes.Code = lt.Code
	}
	if f.cfg.Lifetimes.AccessToken == 0 {
		f.cfg.Lifetimes.AccessToken = lt.AccessToken
	}
	if f.cfg.Lifetimes.RefreshToken == 0 {
		f.cfg.Lifetimes.RefreshToken = lt.RefreshToken
	}
	if f.cfg.Consent == "" {
		f.cfg.Consent = config.ConsentPage
	}
	if err := config.ValidatePolicies(f.policies); err != nil {
		return nil, fmt.Errorf("fakespotify: %w", err)
	}
	for _, o := range opts {
		o(f)
	}
	f.limits = f.Limits()
	if err := checkControlToken(f.controlToken); err != nil {
		return nil, fmt.Errorf("fakespotify: %w", err)
	}
	f.secrets.Add(f.controlToken)
	f.controlMux = f.newControlMux()
	for i := range cfg.Users {
		u := cfg.Users[i]
		f.users[u.ID] = &u
		if u.Email != "" {
			f.users[strings.ToLower(u.Email)] = &u
		}
		f.secrets.Add(u.Password)
	}
	for _, a := range cfg.Apps {
		if a.Mode == "" {
			a.Mode = config.ModeExtended
		}
		if err := config.ValidatePolicies(a.Policies); err != nil {
			return nil, fmt.Errorf("fakespotify: app %s: %w", a.Name, err)
		}
		f.apps[a.ClientID] = &appState{app: a, policies: a.Policies}
		f.store.AddApp(a.ClientID)
		f.secrets.AddClientCredentials(a.ClientID, a.ClientSecret)
	}
	size := cfg.RequestLog
	if size <= 0 {
		size = config.DefaultRequestLog
	}
	f.log.init(size, cfg.RequestLogBytes)
	if f.maxClones <= 0 {
		f.maxClones = cfg.MaxClones
	}
	if f.maxClones <= 0 {
		f.maxClones = config.DefaultMaxClones
	}
	env := &env{f}
	f.accounts = accounts.New(env, f.store)
	f.api = webapi.New(env)
	return f, nil
}

// Now is the fake-wide time: the base clock plus every AdvanceClock.
func (f *Fake) Now() time.Time { return f.base().Add(time.Duration(f.offset.Load())) }

// NowFor is the time on one app's clock.
func (f *Fake) NowFor(clientID string) time.Time {
	now := f.Now()
	f.mu.RLock()
	defer f.mu.RUnlock()
	if st, ok := f.apps[clientID]; ok {
		now = now.Add(st.offset)
	}
	return now
}

// MaxClockAdvance is how far the clocks can be moved ahead in all: the
// fake-wide offset plus an app's own. Time in Go ends in the year 2262;
// 100 years is far beyond any token lifetime and far from that end.
const MaxClockAdvance = 100 * 365 * 24 * time.Hour

// ErrClockRange is the error of a clock move past MaxClockAdvance.
var ErrClockRange = fmt.Errorf("the clocks move at most %v ahead in all", MaxClockAdvance)

// AdvanceClock moves the fake-wide clock forward: codes, tokens and
// refresh-token lifetimes expire on it. A move past MaxClockAdvance stops
// there (TryAdvanceClock refuses it instead).
func (f *Fake) AdvanceClock(d time.Duration) {
	if d < 0 {
		return
	}
	f.mu.Lock()
	f.offset.Store(int64(min(time.Duration(f.offset.Load())+min(d, MaxClockAdvance), MaxClockAdvance-f.maxAppOffsetLocked())))
	f.mu.Unlock()
	f.store.Sweep(f.Now())
}

// TryAdvanceClock is AdvanceClock that refuses, with ErrClockRange, a move
// that would take a clock past MaxClockAdvance.
func (f *Fake) TryAdvanceClock(d time.Duration) error {
	if d < 0 {
		return errors.New("cannot move the clock backwards")
	}
	f.mu.Lock()
	if d > MaxClockAdvance-time.Duration(f.offset.Load())-f.maxAppOffsetLocked() {
		f.mu.Unlock()
		return ErrClockRange
	}
	f.offset.Add(int64(d))
	f.mu.Unlock()
	f.store.Sweep(f.Now())
	return nil
}

// maxAppOffsetLocked is the largest of the apps' own clock offsets.
func (f *Fake) maxAppOffsetLocked() time.Duration {
	var m time.Duration
	for _, st := range f.apps {
		m = max(m, st.offset)
	}
	return m
}

// AdvanceClockFor moves one app's clock forward and leaves every other
// app's alone, so parallel scenarios on one fake cannot interfere.
func (f *Fake) AdvanceClockFor(clientID string, d time.Duration) error {
	if d < 0 {
		return errors.New("cannot move the clock backwards")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.apps[clientID]
	if !ok {
		return fmt.Errorf("no app with client id %q", clientID)
	}
	if d > MaxClockAdvance-time.Duration(f.offset.Load())-st.offset {
		return ErrClockRange
	}
	st.offset += d
	return nil
}

// Revoke withdraws a user's grant to an app (clientID "" = all apps), as
// removing the app at spotify.com/account does: its refresh and access
// tokens stop working. It returns how many grants were revoked.
func (f *Fake) Revoke(userID, clientID string) int {
	// The grants are kept until their last access token expires, so that
	// those tokens answer "invalid" rather than "expired" until then.
	return f.store.Revoke(userID, clientID, f.Now().Add(f.cfg.Lifetimes.AccessToken))
}

// SetPolicy changes policies fake-wide (clientID "") or for one app. Empty
// fields are left as they are.
func (f *Fake) SetPolicy(clientID string, p config.Policies) error {
	if err := config.ValidatePolicies(p); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if clientID == "" {
		f.policies = p.Merge(f.policies)
		return nil
	}
	st, ok := f.apps[clientID]
	if !ok {
		return fmt.Errorf("no app with client id %q", clientID)
	}
	st.policies = p.Merge(st.policies)
	return nil
}

// Policies returns the policies in force for an app ("" = fake-wide).
func (f *Fake) Policies(clientID string) config.Policies {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if st, ok := f.apps[clientID]; ok {
		return st.policies.Merge(f.policies)
	}
	return f.policies
}

// Apps returns the registered apps, cloned ones included.
func (f *Fake) Apps() []config.App {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([]config.App, 0, len(f.apps))
	for _, a := range f.cfg.Apps { // configured apps first, in file order
		if st, ok := f.apps[a.ClientID]; ok {
			out = append(out, st.app)
		}
	}
	for id, st := range f.apps {
		if _, configured := f.cfg.App(id); !configured {
			out = append(out, st.app)
		}
	}
	return out
}

// App returns a registered app by client id or by name.
func (f *Fake) App(idOrName string) (config.App, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if st, ok := f.apps[idOrName]; ok {
		return st.app, true
	}
	for _, st := range f.apps {
		if st.app.Name == idOrName {
			return st.app, true
		}
	}
	return config.App{}, false
}

// CloneApp registers a copy of an app (by name or client id) under a new
// client id, so that a test or scenario gets state nobody else touches:
// its own grants, clock, policies, faults and request log.
//
// The overrides are checked first, and a clone that could not work is an
// error, never a panic: a client id must have the shape Spotify gives
// every client id (32 lowercase hex characters, §7), a name and a secret
// must be printable and not too long or short, redirect URIs absolute, and
// neither the client id nor the name may be taken by another app.
func (f *Fake) CloneApp(from string, o AppOverrides) (config.App, error) {
	if err := checkOverrides(o); err != nil {
		return config.App{}, err
	}
	tmpl, ok := f.App(from)
	if !ok {
		return config.App{}, fmt.Errorf("no app named or with client id %q", from)
	}
	a := tmpl
	a.ClientID = o.ClientID
	if a.ClientID == "" {
		a.ClientID = randomHex(16)
	}
	a.Name = o.Name
	named := a.Name != ""
	if !named {
		a.Name = tmpl.Name + "-" + a.ClientID[:6]
	}
	if o.ClientSecret != "" {
		a.ClientSecret = o.ClientSecret
	}
	if o.RedirectURIs != nil {
		a.RedirectURIs = append([]string(nil), o.RedirectURIs...)
	}
	if o.Mode != "" {
		a.Mode = o.Mode
	}
	if o.Allowlist != nil {
		a.Allowlist = append([]string(nil), o.Allowlist...)
	}
	if o.OwnerPremium != nil {
		a.OwnerPremium = *o.OwnerPremium
	}
	if o.Created != "" {
		t, err := time.Parse("2006-01-02", o.Created)
		if err != nil {
			return config.App{}, fmt.Errorf("created: %q is not a date like 2024-01-15", o.Created)
		}
		a.Created = config.Date{Time: t}
	}
	if o.Consent != "" {
		a.Consent = o.Consent
	}
	if o.AutoUser != "" {
		a.AutoUser = o.AutoUser
	}
	if err := f.checkApp(a); err != nil {
		return config.App{}, err
	}
	if err := config.ValidatePolicies(o.Policies); err != nil {
		return config.App{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.clones >= f.maxClones {
		return config.App{}, fmt.Errorf("%w: the fake holds %d cloned apps already (max_clones); delete some with DeleteApp or DELETE %sapps/{client_id}", ErrTooManyClones, f.clones, ControlPrefix)
	}
	// A clone keeps its template's own policies under the overrides.
	var inherited config.Policies
	if st, ok := f.apps[tmpl.ClientID]; ok {
		inherited = st.policies
	}
	if !named {
		// Six characters of a random client id name a clone; among
		// thousands of clones two may share them, and a made-up name
		// must not fail the clone: it takes more of the id.
		for n := 6; n < len(a.ClientID) && f.nameTakenLocked(a.Name); n += 2 {
			a.Name = tmpl.Name + "-" + a.ClientID[:n+2]
		}
	}
	for id, st := range f.apps {
		switch {
		case id == a.ClientID:
			return config.App{}, fmt.Errorf("client id %q is already registered", a.ClientID)
		case st.app.Name == a.Name || id == a.Name:
			return config.App{}, fmt.Errorf("name: %q is already an app's name or client id", a.Name)
		}
	}
	a.Policies = o.Policies.Merge(inherited)
	f.apps[a.ClientID] = &appState{app: a, policies: a.Policies}
	f.clones++
	f.store.AddApp(a.ClientID)
	f.secrets.AddClientCredentials(a.ClientID, a.ClientSecret)
	return a, nil
}

// nameTakenLocked reports whether an app has name as its name or client id.
func (f *Fake) nameTakenLocked(name string) bool {
	for id, st := range f.apps {
		if st.app.Name == name || id == name {
			return true
		}
	}
	return false
}

// ErrTooManyClones is CloneApp's error when the fake holds as many clones
// as max_clones (WithMaxClones) allows.
var ErrTooManyClones = errors.New("too many cloned apps")

// WithMaxClones sets how many cloned apps the fake holds at once, in place
// of the configuration's max_clones (default 10,000).
func WithMaxClones(n int) Option { return func(f *Fake) { f.maxClones = n } }

// RotateSecret gives an app a new client secret, as "Rotate client
// secret" in the dashboard does, and returns it: from now on the old one
// gets `Invalid client secret` (§7) and the new one works. Tokens already
// issued keep working [inferred: rotating a secret authenticates the
// client anew; it revokes no user's grant]. Both secrets stay registered
// for redaction, so neither shows in the fake's log, the request listing
// or a grade.
func (f *Fake) RotateSecret(clientID string) (string, error) {
	secret := randomHex(16) // Spotify's shape: 32 lowercase hex (§7)
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.apps[clientID]
	if !ok {
		return "", fmt.Errorf("no app with client id %q", clientID)
	}
	f.secrets.AddClientCredentials(clientID, secret)
	st.rotated = append(st.rotated, st.app.ClientSecret)
	st.app.ClientSecret = secret
	return secret, nil
}

// Limits of a clone's overrides. A secret shorter than redaction
// recognises (8 characters) would show in the fake's log.
const (
	maxAppName      = 100
	minSecret       = 8
	maxSecret       = 256
	clientIDExample = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b"
)

// checkOverrides refuses overrides no clone can be registered with.
func checkOverrides(o AppOverrides) error {
	if o.ClientID != "" && !isClientID(o.ClientID) {
		return fmt.Errorf("client_id: %q is not a Spotify client id: 32 lowercase hexadecimal characters, like %s", clip(o.ClientID), clientIDExample)
	}
	switch {
	case len(o.Name) > maxAppName:
		return fmt.Errorf("name: %d characters; at most %d", len(o.Name), maxAppName)
	case strings.IndexFunc(o.Name, unicode.IsControl) >= 0 || !utf8.ValidString(o.Name):
		return fmt.Errorf("name: %q has a control character or is not UTF-8", clip(o.Name))
	}
	if sec := o.ClientSecret; sec != "" {
		// The secret is never echoed: only what is wrong with it.
		switch {
		case len(sec) < minSecret || len(sec) > maxSecret:
			return fmt.Errorf("client_secret: %d characters; it takes %d to %d", len(sec), minSecret, maxSecret)
		case strings.IndexFunc(sec, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
			return errors.New("client_secret: it has a space or a control character")
		}
	}
	for i, r := range o.RedirectURIs {
		if err := config.CheckRedirectURI(r); err != nil {
			return fmt.Errorf("redirect_uris[%d]: %w", i, err)
		}
	}
	return nil
}

// isClientID reports whether id has the shape of a Spotify client id.
func isClientID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// clip shortens a value quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func (f *Fake) checkApp(a config.App) error {
	switch a.Mode {
	case config.ModeDevelopment, config.ModeExtended:
	default:
		return fmt.Errorf("mode: %q is not one of development, extended", a.Mode)
	}
	switch a.Consent {
	case "", config.ConsentPage, config.ConsentAuto:
	default:
		return fmt.Errorf("consent: %q is not one of page, auto", a.Consent)
	}
	for _, u := range append(append([]string(nil), a.Allowlist...), a.AutoUser) {
		if u == "" {
			continue
		}
		if _, ok := f.user(u); !ok {
			return fmt.Errorf("no user with id %q", u)
		}
	}
	if a.Consent == config.ConsentAuto && a.AutoUser == "" && f.cfg.DefaultUser == "" {
		return errors.New("auto consent needs auto_user (there is no default_user)")
	}
	if len(a.RedirectURIs) == 0 {
		return errors.New("redirect_uris: at least one redirect URI is required")
	}
	if err := a.CheckAllowlistCap(); err != nil {
		return fmt.Errorf("allowlist: %w", err)
	}
	return nil
}

// DeleteApp unregisters an app: its tokens and codes stop working with
// it, also if an app is registered again under the same client id; its
// grants, request log, faults and secrets are forgotten.
func (f *Fake) DeleteApp(clientID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.apps[clientID]
	if !ok {
		return false
	}
	if _, configured := f.cfg.App(clientID); !configured {
		f.clones--
	}
	delete(f.apps, clientID)
	f.store.DeleteApp(clientID)
	for _, secret := range append(st.rotated, st.app.ClientSecret) {
		f.secrets.RemoveClientCredentials(clientID, secret)
	}
	f.log.drop(clientID)
	f.api.ForgetApp(clientID)
	f.faults.clear(clientID)
	return true
}

// registered reports whether clientID names a registered app.
func (f *Fake) registered(clientID string) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	_, ok := f.apps[clientID]
	return ok
}

func (f *Fake) user(id string) (*config.User, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	u, ok := f.users[id]
	return u, ok
}

// Sizes counts what a long-lived fake holds, the figures its memory grows
// with; none of them grows with the number of tokens issued.
type Sizes struct {
	store.Sizes     // apps, codes, consents, grants and login sessions
	Secrets     int // forms of secrets the fake's redaction scrubs
}

// Sizes reports what the fake holds (see Sizes).
func (f *Fake) Sizes() Sizes { return Sizes{Sizes: f.store.Sizes(), Secrets: f.secrets.Len()} }

// StoreSizes reports how many codes and grants the fake holds, in the
// shape it had when tokens were stored: access is always 0 (tokens are
// self-verifying, nothing is kept per token) and refresh counts grants.
//
// Deprecated: use Sizes.
func (f *Fake) StoreSizes() (codes, access, refresh int) {
	z := f.store.Sizes()
	return z.Codes, 0, z.Grants
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}

// env adapts the Fake to what the accounts service and the Web API read.
type env struct{ f *Fake }

func (e *env) App(clientID string) (config.App, bool) {
	e.f.mu.RLock()
	defer e.f.mu.RUnlock()
	st, ok := e.f.apps[clientID]
	if !ok {
		return config.App{}, false
	}
	return st.app, true
}

func (e *env) User(id string) (config.User, bool) {
	u, ok := e.f.user(id)
	if !ok || u.ID != id {
		return config.User{}, false
	}
	return *u, true
}

// Users lists every user once (f.users also holds them by e-mail),
// configured ones first in file order, then clones by id.
func (e *env) Users() []config.User {
	e.f.mu.RLock()
	defer e.f.mu.RUnlock()
	out := make([]config.User, 0, len(e.f.users))
	for _, cu := range e.f.cfg.Users {
		if u, ok := e.f.users[cu.ID]; ok && u.ID == cu.ID {
			out = append(out, *u)
		}
	}
	ids := make([]string, 0, len(e.f.clonedUsers))
	for id := range e.f.clonedUsers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		out = append(out, *e.f.users[id])
	}
	return out
}

func (e *env) UserByLogin(login string) (config.User, bool) {
	if u, ok := e.f.user(login); ok {
		return *u, true
	}
	if u, ok := e.f.user(strings.ToLower(login)); ok {
		return *u, true
	}
	return config.User{}, false
}

func (e *env) Now(clientID string) time.Time { return e.f.NowFor(clientID) }
func (e *env) Base() time.Time               { return e.f.Now() }

func (e *env) Policies(clientID string) config.Policies { return e.f.Policies(clientID) }

func (e *env) Consent(clientID string) (string, string) {
	e.f.mu.RLock()
	defer e.f.mu.RUnlock()
	mode, user := e.f.cfg.Consent, e.f.cfg.DefaultUser
	if st, ok := e.f.apps[clientID]; ok {
		if st.app.Consent != "" {
			mode = st.app.Consent
		}
		if st.app.AutoUser != "" {
			user = st.app.AutoUser
		}
	}
	return mode, user
}

func (e *env) Lifetimes() config.Lifetimes { return e.f.cfg.Lifetimes }

func (e *env) Catalog() *config.Catalog { return &e.f.cfg.Catalog }

func (e *env) AccessToken(token string) (webapi.Token, bool) {
	a, revoked, ok := e.f.store.AccessToken(token) // false too when its app was deleted
	if !ok {
		return webapi.Token{}, false
	}
	return webapi.Token{ClientID: a.ClientID, UserID: a.UserID, Scopes: a.Scopes, Expires: a.Expires, Revoked: revoked}, true
}

var (
	_ accounts.Env   = (*env)(nil)
	_ webapi.Backend = (*env)(nil)
)
