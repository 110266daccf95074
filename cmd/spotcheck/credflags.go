package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/cisafe"
)

// defaultEnvFile is read when no --env-file is given and it exists: most
// spotipy and Node apps keep their credentials there.
const defaultEnvFile = ".env"

// registerEnvFile adds --env-file to a command that resolves an app's
// credentials (doctor, run).
func registerEnvFile(cmd *cobra.Command, dst *[]string) {
	cmd.Flags().StringArrayVar(dst, "env-file", nil,
		"read SPOTIFY_* and SPOTIPY_* variables from this .env file after the environment, which wins (repeatable, a later file wins; default ./.env when it exists)")
}

// resolveCredentials resolves the app's credentials from the flags, the
// environment and the .env files: ./.env unless --env-file names others.
func resolveCredentials(flags checks.CredentialFlags) (*checks.Credentials, error) {
	if len(flags.EnvFiles) == 0 {
		if st, err := os.Stat(defaultEnvFile); err == nil && st.Mode().IsRegular() {
			flags.EnvFiles = []string{defaultEnvFile}
		}
	}
	creds, err := checks.ResolveCredentials(flags, nil)
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	return creds, nil
}

// warn prints a warning about the user's input as one plain line on
// stderr: it is addressed to a person, so it is no log line (JSON when
// stderr is not a terminal). Inputs can quote anything, so workflow
// commands in it are disarmed.
func warn(a *app, format string, args ...any) {
	fmt.Fprintf(a.stderr, "spotcheck: warning: %s\n", cisafe.Text(oneLine(fmt.Sprintf(format, args...))))
}
