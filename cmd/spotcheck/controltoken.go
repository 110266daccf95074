package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/checks"
)

// registerControlToken adds --control-token, which every command that
// talks to (or starts) a fake's control API takes.
func registerControlToken(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "control-token", "",
		"the fake's control token (default $"+checks.EnvControlToken+") — lands in shell history; prefer the environment variable")
}

// controlToken is --control-token, else $SPOTCHECK_CONTROL_TOKEN. A token
// given as a flag is in the shell's history, which the user hears about.
func controlToken(a *app, flag string) string {
	if flag != "" {
		warn(a, "the control token was given with --control-token and lands in shell history; use $%s instead", checks.EnvControlToken)
		return flag
	}
	return os.Getenv(checks.EnvControlToken)
}
