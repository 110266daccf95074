// Package scenarios is the scenario language of spotcheck: the Go types a
// scenario file decodes into, their meaning (the doc comments in this
// package are the contract a runner implements), loading with
// file:line:col problems, the JSON Schema for editors, and the built-in
// conformance suite (builtin/*.yaml, embedded).
//
// A scenario file is a YAML stream: every document in it is one Scenario.
// Load, Parse and Builtin check everything that can be checked without
// running anything — unknown fields, wrong types, unknown actions,
// references to unknown or later steps, expectations that do not fit the
// action, unknown app names, combinations no target can run — and report
// every problem of every file at once, each as `file:line:col: message`.
//
// Loading also fills in every default a runner would otherwise have to
// guess: after Load, an Exchange names the code, redirect_uri, app, client
// authentication style and (for PKCE) the code_verifier it sends, as
// explicit Templates referring to earlier steps. The runner expands
// Templates (Template.Expand) and reads the fields as they are.
//
// Package scenarios never imports package checks: checks runs scenarios,
// scenarios only describes them. It also ships small, pure helpers whose
// semantics belong to the language rather than to a runner — JSON paths
// (LookupJSON), matchers (Match.Eval), redirect parsing (ParseRedirect),
// page text extraction (PageText) and PKCE challenges (Challenge) — so that
// every runner agrees on them.
package scenarios

//go:generate env SPOTCHECK_WRITE_SCHEMA=1 go test -count=1 -run TestScenarios .
