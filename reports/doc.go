// Package reports renders what `spotcheck run`, `spotcheck doctor` and
// `spotcheck grade` found: text for terminals, JSON, JUnit XML, Markdown and
// a self-contained HTML report.
package reports
