// Package config holds the fake Spotify's configuration: registered apps,
// users, lifetimes, policies and the consent mode, as read from YAML.
package config

import "time"

// Config is the whole configuration of one fake.
type Config struct {
	Consent     string    `yaml:"consent"`      // "page" (default) or "auto"
	DefaultUser string    `yaml:"default_user"` // the user "auto" consent approves as
	Lifetimes   Lifetimes `yaml:"lifetimes"`
	Policies    Policies  `yaml:"policies"`
	Apps        []App     `yaml:"apps"`
	Users       []User    `yaml:"users"`
}

// Lifetimes of what the fake issues.
type Lifetimes struct {
	Code         time.Duration `yaml:"code"`
	AccessToken  time.Duration `yaml:"access_token"`
	RefreshToken time.Duration `yaml:"refresh_token"`
}

// Policies select between behaviours Spotify has shown over time.
type Policies struct {
	Refresh             string `yaml:"refresh"`              // "2026" | "pkce-rotate" | "always-rotate"
	RedirectSecurity    string `yaml:"redirect_security"`    // "2025" | "legacy"
	UnauthorizedMessage string `yaml:"unauthorized_message"` // "2026" | "legacy"
	ImplicitGrant       string `yaml:"implicit_grant"`       // "fragment" | "page"
}

// App is a registered Spotify application.
type App struct {
	Name         string    `yaml:"name"`
	Description  string    `yaml:"description"`
	ClientID     string    `yaml:"client_id"`
	ClientSecret string    `yaml:"client_secret"`
	RedirectURIs []string  `yaml:"redirect_uris"`
	Mode         string    `yaml:"mode"` // "development" | "extended"
	Allowlist    []string  `yaml:"allowlist"`
	OwnerPremium bool      `yaml:"owner_premium"`
	Created      time.Time `yaml:"created"`
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
