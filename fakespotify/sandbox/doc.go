// Package sandbox runs an app's command next to a fake Spotify: with the
// environment that points it at the fake (Env), with the terminal's
// streams, its signals forwarded and how it ended reported (Run); and, on
// Linux, inside new network and mount namespaces (and a user namespace
// when not root) where only loopback exists and /etc/hosts maps Spotify's
// host names to the fake, so that libraries which ignore proxy variables
// reach the fake unmodified and nothing can reach real Spotify (Isolate,
// Enter).
//
// Isolation re-executes the running program inside the new namespaces:
// the program calls Inside early and, when it is true, Enter before it
// starts the fake there. spotcheck's `fake --isolate` does exactly that.
package sandbox
