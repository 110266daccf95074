// Package scenarios is the scenario language: the YAML schema, loading with
// file:line:col errors, and the built-in conformance suite (embedded).
package scenarios
