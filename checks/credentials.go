package checks

import (
	"fmt"
	"os"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/redact"
)

// SourceKind says what kind of place a configuration value came from.
type SourceKind string

const (
	SourceNone SourceKind = ""
	SourceFlag SourceKind = "flag"
	SourceEnv  SourceKind = "env"
	SourceFile SourceKind = "file"
)

// Source is where a configuration value came from: a flag, an environment
// variable or a file, by name.
type Source struct {
	Kind SourceKind
	Name string // "--client-id", "SPOTIFY_CLIENT_ID" or a file path
}

// String reads like "env SPOTIPY_CLIENT_ID" or "file ./secret.txt".
func (s Source) String() string {
	if s.Kind == SourceNone {
		return "not set"
	}
	return string(s.Kind) + " " + s.Name
}

// The flags and environment variables credentials are read from.
const (
	FlagClientID         = "--client-id"
	FlagClientSecret     = "--client-secret"
	FlagClientSecretFile = "--client-secret-file"
	FlagRedirectURI      = "--redirect-uri"
	FlagScopes           = "--scopes"
	FlagTestUsername     = "--test-username"
	FlagTestPassword     = "--test-password"

	EnvClientID        = "SPOTIFY_CLIENT_ID"
	EnvClientSecret    = "SPOTIFY_CLIENT_SECRET"
	EnvRedirectURI     = "SPOTIFY_REDIRECT_URI"
	EnvScopes          = "SPOTIFY_SCOPES"
	EnvSpotipyID       = "SPOTIPY_CLIENT_ID"
	EnvSpotipySecret   = "SPOTIPY_CLIENT_SECRET"
	EnvSpotipyRedirect = "SPOTIPY_REDIRECT_URI"
	EnvTestUsername    = "SPOTCHECK_TEST_USERNAME"
	EnvTestPassword    = "SPOTCHECK_TEST_PASSWORD"
)

// Value is one resolved configuration value with where it came from.
// Resolution never repairs a value: Value is exactly what was found, except
// that a file's trailing line break is cut off, and Raw keeps the text as
// found so that the doctor can point the cut out.
type Value struct {
	Value  string
	Raw    string
	Source Source
	Secret bool // String shows a fingerprint
}

// IsSet reports whether any source gave the value.
func (v Value) IsSet() bool { return v.Source.Kind != SourceNone }

// Stripped is what resolution cut off Raw (a secret file's "\n"), or "".
func (v Value) Stripped() string {
	if len(v.Raw) > len(v.Value) && strings.HasPrefix(v.Raw, v.Value) {
		return v.Raw[len(v.Value):]
	}
	return ""
}

// String is the value, or its fingerprint for a secret, so that %v never
// prints a secret.
func (v Value) String() string {
	if v.Secret && v.Value != "" {
		return redact.Fingerprint(v.Value)
	}
	return v.Value
}

// GoString keeps %#v as safe as %v.
func (v Value) GoString() string {
	return fmt.Sprintf("checks.Value{%q from %s}", v.String(), v.Source)
}

// CredentialFlags are the values given explicitly on the command line; ""
// (or nil) means not given.
type CredentialFlags struct {
	ClientID         string
	ClientSecret     string
	ClientSecretFile string
	RedirectURIs     []string // --redirect-uri, repeatable
	Scopes           []string // --scopes, repeatable; each may hold several scopes
	TestUsername     string
	TestPassword     string
}

// Credentials are an app's client id, secret, redirect URIs and scopes,
// plus the test account the browser logs in as, each with its source.
type Credentials struct {
	ClientID     Value
	ClientSecret Value
	RedirectURIs []Value
	Scopes       Value // as given: space-separated, maybe with commas the doctor will point out
	TestUsername Value
	TestPassword Value
	// Warnings are notes for the user about how the values were given: a
	// secret on the command line, a variable set but empty, two sources
	// that disagree. They never contain a secret.
	Warnings []string
}

// ScopeList splits Scopes on spaces and commas, keeping order and duplicates.
func (c *Credentials) ScopeList() []string {
	return strings.FieldsFunc(c.Scopes.Value, func(r rune) bool {
		return r == ' ' || r == ',' || r == '\t' || r == '\n' || r == '\r'
	})
}

// RedirectURIList returns the redirect URIs' values.
func (c *Credentials) RedirectURIList() []string {
	out := make([]string, len(c.RedirectURIs))
	for i, v := range c.RedirectURIs {
		out[i] = v.Value
	}
	return out
}

// RegisterSecrets adds the secrets to set: the client secret with its
// Basic credentials, as used and as found (a file's newline included), and
// the test password.
func (c *Credentials) RegisterSecrets(set *redact.Set) {
	for _, s := range []string{c.ClientSecret.Value, c.ClientSecret.Raw} {
		if s != "" {
			set.AddClientCredentials(c.ClientID.Value, s)
		}
	}
	set.Add(c.TestPassword.Value, c.TestPassword.Raw)
}

// candidate is one place a value may come from, in precedence order.
type candidate struct {
	src   Source
	value string
	raw   string
	found bool
}

// ResolveCredentials resolves each value from, in order, the explicit
// flags, the SPOTIFY_* environment variables, spotipy's SPOTIPY_* names and
// finally the secret file. env looks a variable up (os.LookupEnv in
// production; a map in tests). The only error is a secret file that cannot
// be read.
func ResolveCredentials(flags CredentialFlags, env func(string) (string, bool)) (*Credentials, error) {
	if env == nil {
		env = os.LookupEnv
	}
	c := &Credentials{}
	fromEnv := func(name string) candidate {
		v, ok := env(name)
		return candidate{src: Source{SourceEnv, name}, value: v, raw: v, found: ok}
	}
	fromFlag := func(name, v string) candidate {
		return candidate{src: Source{SourceFlag, name}, value: v, raw: v, found: v != ""}
	}

	c.ClientID = c.pick("client id", false, fromFlag(FlagClientID, flags.ClientID), fromEnv(EnvClientID), fromEnv(EnvSpotipyID))

	file := candidate{src: Source{SourceFile, flags.ClientSecretFile}}
	if flags.ClientSecretFile != "" {
		data, err := os.ReadFile(flags.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", FlagClientSecretFile, flags.ClientSecretFile, err)
		}
		file.raw = string(data)
		file.value = strings.TrimRight(file.raw, "\r\n")
		file.found = true
	}
	c.ClientSecret = c.pick("client secret", true, fromFlag(FlagClientSecret, flags.ClientSecret), fromEnv(EnvClientSecret), fromEnv(EnvSpotipySecret), file)
	if c.ClientSecret.Source.Kind == SourceFlag {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the client secret was given with %s and lands in shell history; use %s or %s instead", FlagClientSecret, EnvClientSecret, FlagClientSecretFile))
	}

	if len(flags.RedirectURIs) > 0 {
		for _, u := range flags.RedirectURIs {
			c.RedirectURIs = append(c.RedirectURIs, Value{Value: u, Raw: u, Source: Source{SourceFlag, FlagRedirectURI}})
		}
		c.shadowed("redirect URI", strings.Join(flags.RedirectURIs, " "), Source{SourceFlag, FlagRedirectURI}, fromEnv(EnvRedirectURI), fromEnv(EnvSpotipyRedirect))
	} else if v := c.pick("redirect URI", false, fromEnv(EnvRedirectURI), fromEnv(EnvSpotipyRedirect)); v.IsSet() {
		c.RedirectURIs = []Value{v}
	}

	c.Scopes = c.pick("scopes", false, fromFlag(FlagScopes, strings.Join(flags.Scopes, " ")), fromEnv(EnvScopes))
	c.TestUsername = c.pick("test username", false, fromFlag(FlagTestUsername, flags.TestUsername), fromEnv(EnvTestUsername))
	c.TestPassword = c.pick("test password", true, fromFlag(FlagTestPassword, flags.TestPassword), fromEnv(EnvTestPassword))
	if c.TestPassword.Source.Kind == SourceFlag {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the test account password was given with %s and lands in shell history; use %s instead", FlagTestPassword, EnvTestPassword))
	}
	return c, nil
}

// pick returns the first candidate that has a non-empty value. A variable
// that is set but empty is skipped with a warning, not silently, and a
// lower source that disagrees with the winner is pointed out.
func (c *Credentials) pick(what string, secret bool, cands ...candidate) Value {
	for i, cd := range cands {
		if !cd.found {
			continue
		}
		if cd.value == "" {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s is set but empty; ignored for the %s", cd.src, what))
			continue
		}
		c.shadowed(what, cd.value, cd.src, cands[i+1:]...)
		return Value{Value: cd.value, Raw: cd.raw, Source: cd.src, Secret: secret}
	}
	return Value{Secret: secret}
}

func (c *Credentials) shadowed(what, winner string, from Source, lower ...candidate) {
	for _, cd := range lower {
		if cd.found && cd.value != "" && cd.value != winner {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s gives a different %s, ignored because %s comes first", cd.src, what, from))
		}
	}
}
