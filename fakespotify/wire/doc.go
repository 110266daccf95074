// Package wire holds the facts about Spotify's wire behaviour that more
// than one part of spotcheck needs, each in one place: the recorded
// exchange, the accounts service's and the Web API's error bodies, the
// token response, Basic client credentials, the scopes and the scopes each
// Web API endpoint needs, the authorize path, the policies Spotify has
// changed between, and the classes of endpoint and peer an exchange has.
//
// The fake (package fakespotify) writes with it; the checker, the doctor,
// the grader and the error catalog read with it. It imports only the
// standard library, so that every other package can import it.
//
// A "§n" in this package, and in the rest of spotcheck, is a section of
// REFERENCE.md beside this file: the project's own record, with sources,
// of what Spotify does on the wire. An "RFC n §m" is a section of that RFC.
package wire
