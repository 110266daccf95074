// Package norodflag stops go-rod from reading a "--rod=…" option out of
// os.Args when its lib/defaults package initialises.
//
// rod panics on an unknown "--rod=" value, and a CLI must answer bad flags
// with a usage error, not a stack trace. The Go spec (since 1.21) initialises
// packages that are ready in import-path order; this package imports only
// "os", so it becomes ready long before rod's defaults package (which needs
// regexp, flag, time, …) and its init runs first. Import it for its side
// effect, as the first import of package main.
package norodflag

import "os"

func init() {
	if _, set := os.LookupEnv("DISABLE_ROD_FLAG"); !set {
		_ = os.Setenv("DISABLE_ROD_FLAG", "1")
	}
}
