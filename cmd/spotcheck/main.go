// Command spotcheck diagnoses Spotify OAuth 2.0 integrations: it runs a fake
// Spotify, conformance scenarios, a doctor for app configuration and an
// explainer for error reports. This package only parses flags, wires the
// library packages together and maps outcomes to exit codes.
package main

import (
	_ "github.com/spotcheck/spotcheck/cmd/spotcheck/internal/norodflag"

	"os"
)

func main() {
	stop := startProfiles(os.Getenv, os.Stderr)
	code := execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
