package main

import (
	"context"
	"errors"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/checks/ready"
)

func init() {
	subcommands = append(subcommands, newWaitCmd)
}

func newWaitCmd(a *app) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "wait [URL]",
		Short: "Wait until a fake (or any URL) answers: for CI jobs and health checks",
		Long: `Wait until a spotcheck fake, or any HTTP server, answers — the readiness check for CI jobs and
the container image's health check (it needs no shell, no curl and no control token).

A base URL (no path; default ` + ready.DefaultURL + `) is a fake's: it is probed at
` + ready.HealthPath + `, which the fake does not log. Any other URL is probed as it is. Any
HTTP answer counts, whatever its status (a fake without control endpoints answers 404, one that
wants a control token 401), except 502, 503 and 504: proxies and starting servers say "not yet"
with those. Redirects are not followed; https is verified against the system's roots.

Exit codes: 0 it answered; 2 the URL is malformed or not http(s); 3 nothing answered within
--timeout (one line with the URL and the last error).`,
		Example: `  spotcheck wait                                   # the fake's default, http://127.0.0.1:8787
  spotcheck wait http://127.0.0.1:9000 --timeout 10s
  spotcheck wait http://spotify:8787               # a fake in a CI service container
  spotcheck wait http://127.0.0.1:3000/healthz     # the app under test`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := ready.DefaultURL
			if len(args) == 1 {
				target = args[0]
			}
			if timeout <= 0 {
				return usageErrorf("--timeout %s: want a positive duration such as 30s", timeout)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return runWait(ctx, a, target, timeout)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", ready.DefaultTimeout, "how long to wait before giving up (exit 3)")
	return cmd
}

func runWait(ctx context.Context, a *app, target string, timeout time.Duration) error {
	status, err := ready.Wait(ctx, target, ready.Options{
		Timeout: timeout,
		Attempt: func(n int, u string) { a.log.Debug().Int("attempt", n).Str("url", u).Msg("probing") },
	})
	switch {
	case errors.Is(err, ready.ErrBadURL):
		return withCode(exitUsage, err)
	case err != nil:
		return withCode(exitUnreachable, err)
	}
	a.log.Debug().Str("url", target).Int("status", status).Msg("answered")
	return nil
}
