package checks

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spotcheck/spotcheck/checks/dotenv"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
)

// SourceKind says what kind of place a configuration value came from.
type SourceKind string

const (
	SourceNone SourceKind = ""
	SourceFlag SourceKind = "flag"
	SourceEnv  SourceKind = "env"
	SourceFile SourceKind = "file"
	// SourceDotenv is a variable set in a .env file (--env-file).
	SourceDotenv SourceKind = "dotenv"
)

// Source is where a configuration value came from: a flag, an environment
// variable, a variable in a .env file, or a file, by name.
type Source struct {
	Kind SourceKind
	Name string // "--client-id", "SPOTIFY_CLIENT_ID" or a file path
	// File and Line locate a SourceDotenv variable.
	File string
	Line int
}

// String reads like "env SPOTIPY_CLIENT_ID", "SPOTIPY_CLIENT_ID from .env
// line 3" or "file ./secret.txt".
func (s Source) String() string {
	switch s.Kind {
	case SourceNone:
		return "not set"
	case SourceDotenv:
		return fmt.Sprintf("%s from %s line %d", s.Name, s.File, s.Line)
	}
	return string(s.Kind) + " " + s.Name
}

// Var is the variable the value was set with (env or a .env file), or "".
func (s Source) Var() string {
	if s.Kind == SourceEnv || s.Kind == SourceDotenv {
		return s.Name
	}
	return ""
}

// The flags and environment variables credentials are read from.
const (
	FlagEnvFile          = "--env-file"
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
	// EnvFiles are .env files read after the process environment (which
	// wins), in order, a later file winning over an earlier one: the
	// values an app gets from python-dotenv or dotenv for Node.
	EnvFiles []string
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
	// that disagree, a .env line that does not parse or that python-dotenv
	// and Node's dotenv read differently. They never contain a secret.
	Warnings []string
	// EnvFiles are the .env files that were read.
	EnvFiles []string
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
	// chosen, if set, runs when the candidate gives the value.
	chosen func()
}

// ResolveCredentials resolves each value from, in order, the explicit
// flags, the SPOTIFY_* environment variables, spotipy's SPOTIPY_* names,
// the same names in flags.EnvFiles and finally the secret file. env looks
// a variable up (os.LookupEnv in production; a map in tests). The errors
// are a secret file or a .env file that cannot be read.
func ResolveCredentials(flags CredentialFlags, env func(string) (string, bool)) (*Credentials, error) {
	if env == nil {
		env = os.LookupEnv
	}
	c := &Credentials{}
	files, err := c.readEnvFiles(flags.EnvFiles, env)
	if err != nil {
		return nil, err
	}
	fromEnv := func(name string) candidate {
		v, ok := env(name)
		return candidate{src: Source{Kind: SourceEnv, Name: name}, value: v, raw: v, found: ok}
	}
	// A variable in a .env file, the last file that sets it.
	fromDotenv := func(name string, secret bool) candidate {
		for i := len(files) - 1; i >= 0; i-- {
			if e, ok := files[i].Lookup(name); ok {
				path, v := files[i].Path, e.Value()
				return candidate{src: Source{Kind: SourceDotenv, Name: name, File: path, Line: e.Line}, value: v, raw: v, found: true,
					chosen: func() { c.disagree(path, e, secret) }}
			}
		}
		return candidate{}
	}
	// names lists a value's variables: the process environment first,
	// then the .env files.
	names := func(secret bool, vars ...string) []candidate {
		var out []candidate
		for _, v := range vars {
			out = append(out, fromEnv(v))
		}
		for _, v := range vars {
			out = append(out, fromDotenv(v, secret))
		}
		return out
	}
	fromFlag := func(name, v string) candidate {
		return candidate{src: Source{Kind: SourceFlag, Name: name}, value: v, raw: v, found: v != ""}
	}

	c.ClientID = c.pick("client id", false, append([]candidate{fromFlag(FlagClientID, flags.ClientID)}, names(false, EnvClientID, EnvSpotipyID)...)...)

	file := candidate{src: Source{Kind: SourceFile, Name: flags.ClientSecretFile}}
	if flags.ClientSecretFile != "" {
		data, err := os.ReadFile(flags.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", FlagClientSecretFile, flags.ClientSecretFile, err)
		}
		file.raw = string(data)
		file.value = strings.TrimRight(file.raw, "\r\n")
		file.found = true
	}
	secrets := append([]candidate{fromFlag(FlagClientSecret, flags.ClientSecret)}, names(true, EnvClientSecret, EnvSpotipySecret)...)
	c.ClientSecret = c.pick("client secret", true, append(secrets, file)...)
	if c.ClientSecret.Source.Kind == SourceFlag {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the client secret was given with %s and lands in shell history; use %s or %s instead", FlagClientSecret, EnvClientSecret, FlagClientSecretFile))
	}

	redirects := names(false, EnvRedirectURI, EnvSpotipyRedirect)
	if len(flags.RedirectURIs) > 0 {
		for _, u := range flags.RedirectURIs {
			c.RedirectURIs = append(c.RedirectURIs, Value{Value: u, Raw: u, Source: Source{Kind: SourceFlag, Name: FlagRedirectURI}})
		}
		c.shadowed("redirect URI", strings.Join(flags.RedirectURIs, " "), Source{Kind: SourceFlag, Name: FlagRedirectURI}, redirects...)
	} else if v := c.pick("redirect URI", false, redirects...); v.IsSet() {
		c.RedirectURIs = []Value{v}
	}

	c.Scopes = c.pick("scopes", false, append([]candidate{fromFlag(FlagScopes, strings.Join(flags.Scopes, " "))}, names(false, EnvScopes)...)...)
	c.TestUsername = c.pick("test username", false, append([]candidate{fromFlag(FlagTestUsername, flags.TestUsername)}, names(false, EnvTestUsername)...)...)
	c.TestPassword = c.pick("test password", true, append([]candidate{fromFlag(FlagTestPassword, flags.TestPassword)}, names(true, EnvTestPassword)...)...)
	if c.TestPassword.Source.Kind == SourceFlag {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the test account password was given with %s and lands in shell history; use %s instead", FlagTestPassword, EnvTestPassword))
	}
	return c, nil
}

// readEnvFiles parses the .env files; a line python-dotenv cannot parse
// is a warning naming file:line, as python-dotenv itself warns and goes on.
func (c *Credentials) readEnvFiles(paths []string, env func(string) (string, bool)) ([]*dotenv.File, error) {
	var files []*dotenv.File
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", FlagEnvFile, p, unwrapPathError(err))
		}
		f := dotenv.Parse(data, p, env)
		for _, pr := range f.Problems {
			c.Warnings = append(c.Warnings, pr.Error())
		}
		files = append(files, f)
		c.EnvFiles = append(c.EnvFiles, p)
	}
	return files, nil
}

func unwrapPathError(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// disagree warns when python-dotenv and dotenv for Node read a .env line
// differently: the app sees one or the other by its language.
func (c *Credentials) disagree(file string, e dotenv.Entry, secret bool) {
	if e.Agree() {
		return
	}
	show := func(r dotenv.Reading) string {
		switch {
		case !r.OK:
			return "nothing (it skips the line)"
		case secret && r.Value != "":
			return redact.Fingerprint(r.Value)
		}
		return strconv.Quote(r.Value)
	}
	w := fmt.Sprintf("%s:%d: python-dotenv reads %s as %s, dotenv for Node as %s; spotcheck uses python-dotenv's reading", file, e.Line, e.Key, show(e.Python), show(e.Node))
	if !e.Python.OK {
		w = fmt.Sprintf("%s:%d: python-dotenv skips the line of %s, dotenv for Node reads %s; spotcheck uses Node's reading", file, e.Line, e.Key, show(e.Node))
	}
	w += " (write it as NAME=\"value\" so that both read the same)"
	c.Warnings = append(c.Warnings, w)
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
		if cd.chosen != nil {
			cd.chosen()
		}
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
