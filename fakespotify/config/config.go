// Package config holds the fake Spotify's configuration: registered apps,
// users, the Web API catalog, lifetimes, policies and the consent mode, as
// read from YAML. Parse rejects unknown fields and invalid values with the
// file, line and field of each problem.
package config

import (
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
	"gopkg.in/yaml.v3"
)

// Config is the whole configuration of one fake.
type Config struct {
	Consent     string    `yaml:"consent"`      // "page" (default) or "auto"
	DefaultUser string    `yaml:"default_user"` // the user "auto" consent approves as
	Lifetimes   Lifetimes `yaml:"lifetimes"`
	Policies    Policies  `yaml:"policies"`
	// RequestLog is how many requests the fake keeps per app (a ring
	// buffer), for the request listing and for grading clients.
	RequestLog int `yaml:"request_log"`
	// RequestLogBytes bounds the whole request log, every app's window
	// together (default 64 MiB): past it the oldest entries go first.
	RequestLogBytes int64 `yaml:"request_log_bytes"`
	// MaxClones bounds the apps cloned at run time (default 10,000).
	MaxClones int     `yaml:"max_clones"`
	Apps      []App   `yaml:"apps"`
	Users     []User  `yaml:"users"`
	Catalog   Catalog `yaml:"catalog"`
}

// Lifetimes of what the fake issues.
type Lifetimes struct {
	Code         time.Duration `yaml:"code"`
	AccessToken  time.Duration `yaml:"access_token"`
	RefreshToken time.Duration `yaml:"refresh_token"` // absolute, from the original authorization (policy 2026)
}

// Policies select between behaviours Spotify has shown over time. Every
// field has a default, today's behaviour (see Defaults); wire.Policies
// lists each policy's values and what they mean.
type Policies struct {
	Refresh             wire.RefreshPolicy             `yaml:"refresh"              json:"refresh,omitempty"`
	RedirectSecurity    wire.RedirectSecurityPolicy    `yaml:"redirect_security"    json:"redirect_security,omitempty"`
	UnauthorizedMessage wire.UnauthorizedMessagePolicy `yaml:"unauthorized_message" json:"unauthorized_message,omitempty"`
	ImplicitGrant       wire.ImplicitGrantPolicy       `yaml:"implicit_grant"       json:"implicit_grant,omitempty"`
	AllowlistMessage    wire.AllowlistMessagePolicy    `yaml:"allowlist_message"    json:"allowlist_message,omitempty"`
	VerifierMessage     wire.VerifierMessagePolicy     `yaml:"verifier_message"     json:"verifier_message,omitempty"`
	RateLimit           wire.RateLimitPolicy           `yaml:"rate_limit"           json:"rate_limit,omitempty"`
}

// Policy values under their earlier names.
//
// Deprecated: use the wire constants, which are typed.
const (
	RefreshNoRotation    = wire.Refresh2026
	RefreshPKCERotate    = wire.RefreshPKCERotate
	RefreshAlwaysRotate  = wire.RefreshAlwaysRotate
	RedirectSecurity2025 = wire.RedirectSecurity2025
	RedirectLegacy       = wire.RedirectSecurityLegacy
	Unauthorized2026     = wire.Unauthorized2026
	UnauthorizedLegacy   = wire.UnauthorizedLegacy
	ImplicitFragment     = wire.ImplicitFragment
	ImplicitPage         = wire.ImplicitPage
	Allowlist2024        = wire.Allowlist2024
	Allowlist2021        = wire.Allowlist2021
	Allowlist2021June    = wire.Allowlist2021June
	VerifierIncorrect    = wire.VerifierIncorrect
	VerifierInvalid      = wire.VerifierInvalid
)

// Consent modes and app modes.
const (
	ConsentPage     = "page"
	ConsentAuto     = "auto"
	ModeDevelopment = "development"
	ModeExtended    = "extended"
)

// App is a registered Spotify application.
type App struct {
	Name         string   `yaml:"name"`
	Description  string   `yaml:"description"`
	ClientID     string   `yaml:"client_id"`
	ClientSecret string   `yaml:"client_secret"`
	RedirectURIs []string `yaml:"redirect_uris"`
	Mode         string   `yaml:"mode"` // "development" | "extended"
	Allowlist    []string `yaml:"allowlist"`
	OwnerPremium bool     `yaml:"owner_premium"`
	Created      Date     `yaml:"created"`
	// Consent overrides the fake-wide consent mode for this app; AutoUser
	// overrides default_user for it.
	Consent  string `yaml:"consent"`
	AutoUser string `yaml:"auto_user"`
	// Policies override the fake-wide policies for this app (empty fields
	// inherit them), as SetPolicy does for a running fake.
	Policies Policies `yaml:"policies"`
}

// User is a Spotify account that can log in to the fake.
type User struct {
	ID              string          `yaml:"id"`
	DisplayName     string          `yaml:"display_name"`
	Email           string          `yaml:"email"`
	Password        string          `yaml:"password"`
	Country         string          `yaml:"country"`
	Product         string          `yaml:"product"` // "premium" | "free"
	ExplicitContent ExplicitContent `yaml:"explicit_content"`
	Playlists       []Playlist      `yaml:"playlists"`
	Followers       int             `yaml:"followers"`
	// Library and history, as catalog ids.
	SavedTracks     []string `yaml:"saved_tracks"`
	TopTracks       []string `yaml:"top_tracks"`
	TopArtists      []string `yaml:"top_artists"`
	RecentlyPlayed  []string `yaml:"recently_played"`
	FollowedArtists []string `yaml:"followed_artists"`
	// Devices are the user's Spotify Connect devices, as the player
	// endpoints list them; at most one is active.
	Devices []Device `yaml:"devices"`
}

// Device is a simulated Spotify Connect device (a phone, a computer, a
// speaker) that the player endpoints list and play on.
type Device struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Type          string `yaml:"type"` // Computer, Smartphone, Speaker, …
	VolumePercent int    `yaml:"volume_percent"`
	// Active: the device holds the user's playback session (paused,
	// nothing loaded) when the fake starts.
	Active     bool `yaml:"active"`
	Restricted bool `yaml:"restricted"`
}

// ExplicitContent is the user's explicit-content setting.
type ExplicitContent struct {
	FilterEnabled bool `yaml:"filter_enabled" json:"filter_enabled"`
	FilterLocked  bool `yaml:"filter_locked" json:"filter_locked"`
}

// Playlist is one of a user's playlists.
type Playlist struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Public        bool   `yaml:"public"`
	Collaborative bool   `yaml:"collaborative"`
	// Tracks are catalog track ids, in playlist order.
	Tracks []string `yaml:"tracks"`
}

// Catalog is the music the Web API subset serves.
type Catalog struct {
	Artists []Artist `yaml:"artists"`
	Tracks  []Track  `yaml:"tracks"`
}

// Artist is a catalog artist.
type Artist struct {
	ID         string   `yaml:"id"`
	Name       string   `yaml:"name"`
	Genres     []string `yaml:"genres"`
	Popularity int      `yaml:"popularity"`
}

// Track is a catalog track.
type Track struct {
	ID         string   `yaml:"id"`
	Name       string   `yaml:"name"`
	Artists    []string `yaml:"artists"` // artist ids
	Album      string   `yaml:"album"`
	DurationMS int      `yaml:"duration_ms"`
	Explicit   bool     `yaml:"explicit"`
	Popularity int      `yaml:"popularity"`
}

// Defaults returns the values every empty field takes.
func Defaults() (Lifetimes, Policies) {
	var p Policies
	for _, pol := range wire.Policies {
		p.Set(pol.Name, pol.Default())
	}
	return Lifetimes{
		Code:         10 * time.Minute,
		AccessToken:  time.Hour,
		RefreshToken: 4380 * time.Hour,
	}, p
}

// DefaultRequestLog is the per-app request ring size when none is set.
const DefaultRequestLog = 1024

// DefaultRequestLogBytes is the request log's byte budget when none is
// set: at about 1 KB per token request, some 60,000 requests across all
// apps, while the fake itself stays well under 100 MiB.
const DefaultRequestLogBytes = 64 << 20

// DefaultMaxClones is how many cloned apps a fake holds at once when none
// is set. A clone costs about 3 KB (its app, policies, a dozen redaction
// patterns, an empty log window), so 10,000 stay under 30 MiB, far more
// than any test suite keeps at once (spotcheck run deletes each scenario's
// clone when it ends), while a client that clones in a loop is stopped.
const DefaultMaxClones = 10000

// App returns the app with clientID.
func (c *Config) App(clientID string) (*App, bool) {
	for i := range c.Apps {
		if c.Apps[i].ClientID == clientID {
			return &c.Apps[i], true
		}
	}
	return nil, false
}

// AppNamed returns the app with the given name.
func (c *Config) AppNamed(name string) (*App, bool) {
	for i := range c.Apps {
		if c.Apps[i].Name == name {
			return &c.Apps[i], true
		}
	}
	return nil, false
}

// User returns the user with id.
func (c *Config) User(id string) (*User, bool) {
	for i := range c.Users {
		if c.Users[i].ID == id {
			return &c.Users[i], true
		}
	}
	return nil, false
}

// Merge returns p with every empty field taken from base.
func (p Policies) Merge(base Policies) Policies {
	for _, pol := range wire.Policies {
		if p.Get(pol.Name) == "" {
			p.Set(pol.Name, base.Get(pol.Name))
		}
	}
	return p
}

// Get returns the value of a policy by its name in wire.Policies ("" for
// an unknown name).
func (p Policies) Get(name string) string {
	switch name {
	case "refresh":
		return string(p.Refresh)
	case "redirect_security":
		return string(p.RedirectSecurity)
	case "unauthorized_message":
		return string(p.UnauthorizedMessage)
	case "implicit_grant":
		return string(p.ImplicitGrant)
	case "allowlist_message":
		return string(p.AllowlistMessage)
	case "verifier_message":
		return string(p.VerifierMessage)
	case "rate_limit":
		return string(p.RateLimit)
	}
	return ""
}

// Set sets a policy by its name in wire.Policies, unchecked; it reports
// false for an unknown name.
func (p *Policies) Set(name, value string) bool {
	switch name {
	case "refresh":
		p.Refresh = wire.RefreshPolicy(value)
	case "redirect_security":
		p.RedirectSecurity = wire.RedirectSecurityPolicy(value)
	case "unauthorized_message":
		p.UnauthorizedMessage = wire.UnauthorizedMessagePolicy(value)
	case "implicit_grant":
		p.ImplicitGrant = wire.ImplicitGrantPolicy(value)
	case "allowlist_message":
		p.AllowlistMessage = wire.AllowlistMessagePolicy(value)
	case "verifier_message":
		p.VerifierMessage = wire.VerifierMessagePolicy(value)
	case "rate_limit":
		p.RateLimit = wire.RateLimitPolicy(value)
	default:
		return false
	}
	return true
}

// Date is a calendar date such as 2024-01-15. A value that does not parse
// is kept and reported by validation with its line, rather than aborting
// the decode at the first bad date.
type Date struct {
	time.Time
	raw string
}

// UnmarshalYAML accepts a YAML timestamp or a "2006-01-02" string.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	d.raw = n.Value
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, n.Value); err == nil {
			d.Time = t
			return nil
		}
	}
	d.Time = time.Time{}
	return nil
}

// MarshalYAML writes the date back as it is read.
func (d Date) MarshalYAML() (any, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.Format("2006-01-02"), nil
}

// invalid reports whether a value was given that is not a date.
func (d Date) invalid() bool { return d.raw != "" && d.IsZero() }
