// Package config holds the fake Spotify's configuration: registered apps,
// users, the Web API catalog, lifetimes, policies and the consent mode, as
// read from YAML. Parse rejects unknown fields and invalid values with the
// file, line and field of each problem.
package config

import (
	"time"

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
	RequestLog int     `yaml:"request_log"`
	Apps       []App   `yaml:"apps"`
	Users      []User  `yaml:"users"`
	Catalog    Catalog `yaml:"catalog"`
}

// Lifetimes of what the fake issues.
type Lifetimes struct {
	Code         time.Duration `yaml:"code"`
	AccessToken  time.Duration `yaml:"access_token"`
	RefreshToken time.Duration `yaml:"refresh_token"` // absolute, from the original authorization (policy 2026)
}

// Policies select between behaviours Spotify has shown over time. Every
// field has a documented default (see Defaults); the values are the
// Policy* constants.
type Policies struct {
	Refresh             string `yaml:"refresh"              json:"refresh,omitempty"`              // "2026" | "pkce-rotate" | "always-rotate"
	RedirectSecurity    string `yaml:"redirect_security"    json:"redirect_security,omitempty"`    // "2025" | "legacy"
	UnauthorizedMessage string `yaml:"unauthorized_message" json:"unauthorized_message,omitempty"` // "2026" | "legacy"
	ImplicitGrant       string `yaml:"implicit_grant"       json:"implicit_grant,omitempty"`       // "fragment" | "page"
	AllowlistMessage    string `yaml:"allowlist_message"    json:"allowlist_message,omitempty"`    // "2024" | "2021" | "2021-06"
	VerifierMessage     string `yaml:"verifier_message"     json:"verifier_message,omitempty"`     // "incorrect" | "invalid"
}

// Policy values.
const (
	RefreshNoRotation    = "2026"          // no new refresh token; absolute expiry after the lifetime
	RefreshPKCERotate    = "pkce-rotate"   // pre-2026: PKCE tokens single-use and rotated; confidential never rotate
	RefreshAlwaysRotate  = "always-rotate" // every refresh returns a new token and revokes the old one
	RedirectSecurity2025 = "2025"          // localhost and plain-http non-loopback URIs are insecure
	RedirectLegacy       = "legacy"        // any registered URI is accepted
	Unauthorized2026     = "2026"          // "Missing/invalid/expired access token"
	UnauthorizedLegacy   = "legacy"        // "The access token expired" / "Invalid access token"
	ImplicitFragment     = "fragment"      // redirect with #error=unsupported_response_type (Dec 2025)
	ImplicitPage         = "page"          // page "response_type must be code" (Mar 2026)
	Allowlist2024        = "2024"          // "Check settings on developer.spotify.com/dashboard, the user may not be registered."
	Allowlist2021        = "2021"          // "User not registered in the Developer Dashboard"
	Allowlist2021June    = "2021-06"       // "User not approved for app"
	VerifierIncorrect    = "incorrect"     // "code_verifier was incorrect"
	VerifierInvalid      = "invalid"       // "code_verifier was invalid"
	ConsentPage          = "page"
	ConsentAuto          = "auto"
	ModeDevelopment      = "development"
	ModeExtended         = "extended"
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
	return Lifetimes{
			Code:         10 * time.Minute,
			AccessToken:  time.Hour,
			RefreshToken: 4380 * time.Hour,
		}, Policies{
			Refresh:             RefreshNoRotation,
			RedirectSecurity:    RedirectSecurity2025,
			UnauthorizedMessage: Unauthorized2026,
			ImplicitGrant:       ImplicitFragment,
			AllowlistMessage:    Allowlist2024,
			VerifierMessage:     VerifierIncorrect,
		}
}

// DefaultRequestLog is the per-app request ring size when none is set.
const DefaultRequestLog = 1024

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
	pick := func(v, b string) string {
		if v == "" {
			return b
		}
		return v
	}
	return Policies{
		Refresh:             pick(p.Refresh, base.Refresh),
		RedirectSecurity:    pick(p.RedirectSecurity, base.RedirectSecurity),
		UnauthorizedMessage: pick(p.UnauthorizedMessage, base.UnauthorizedMessage),
		ImplicitGrant:       pick(p.ImplicitGrant, base.ImplicitGrant),
		AllowlistMessage:    pick(p.AllowlistMessage, base.AllowlistMessage),
		VerifierMessage:     pick(p.VerifierMessage, base.VerifierMessage),
	}
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
