package main

import (
	"fmt"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// The environment configures `spotcheck fake` where flags cannot be given:
// a CI service container (GitHub's `services:` and GitLab's take an image and
// its environment, not arguments). mock-oauth2-server's JSON_CONFIG and
// JSON_CONFIG_PATH are the model. A flag wins over its variable; an empty
// variable counts as unset.
const (
	envFakeConfig     = "SPOTCHECK_FAKE_CONFIG"      // the configuration YAML itself
	envFakeConfigFile = "SPOTCHECK_FAKE_CONFIG_FILE" // a path to it, e.g. a mounted file
	envFakeConsent    = "SPOTCHECK_FAKE_CONSENT"     // page or auto, as --consent
)

// fakeConfigFrom reads the configuration from --config, else from the
// environment, else the built-in one (builtin is true then); consent is
// applied as --consent, or from the environment. Every error is one line
// naming its source.
func fakeConfigFrom(path, consent string, getenv func(string) string) (cfg *config.Config, builtin bool, err error) {
	text, file := getenv(envFakeConfig), getenv(envFakeConfigFile)
	switch {
	case path != "":
		cfg, err = config.Load(path)
	case text != "" && file != "":
		return nil, false, usageErrorf("%s and %s are both set: set one", envFakeConfig, envFakeConfigFile)
	case text != "":
		cfg, err = config.Parse([]byte(text), "$"+envFakeConfig)
	case file != "":
		cfg, err = config.Load(file)
		if err != nil {
			err = fmt.Errorf("%s: %w", envFakeConfigFile, err)
		}
	default:
		cfg, builtin = fakespotify.DefaultConfig(), true
	}
	if err != nil {
		return nil, false, withCode(exitUsage, err)
	}
	from := "--consent"
	if consent == "" && getenv(envFakeConsent) != "" {
		consent, from = getenv(envFakeConsent), envFakeConsent
	}
	switch consent {
	case "":
	case config.ConsentPage, config.ConsentAuto:
		cfg.Consent = consent
		if consent == config.ConsentAuto && cfg.DefaultUser == "" {
			return nil, false, usageErrorf("%s auto: the configuration has no default_user to approve as", from)
		}
	default:
		return nil, false, usageErrorf("%s %q: want page or auto", from, consent)
	}
	return cfg, builtin, nil
}
