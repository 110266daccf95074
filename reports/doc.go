// Package reports renders what `spotcheck run`, `spotcheck doctor` and
// `spotcheck grade` found: text for terminals, JSON (with a published JSON
// Schema), JUnit XML for CI, Markdown for pull-request comments and step
// summaries, and a self-contained HTML page with sequence diagrams for
// support staff.
//
// Reports only render: the results they receive are already redacted by the
// engine (package checks), and no format adds anything the results do not
// hold. Write renders one format to a writer; WriteAll writes several
// reports to files, each atomically, and carries on past a path that fails.
package reports
