// Package cisafetest finds the lines of an output that a CI runner would
// read as workflow commands, for specs of everything spotcheck prints.
package cisafetest

import (
	"regexp"
	"strings"
	"unicode"
)

var lineBreak = regexp.MustCompile(`\r\n|\r|\n`)

// Commands returns the lines of out that the GitHub Actions runner would
// read as a command (one that starts with "::" once white space is
// trimmed, or holds "##[") or Azure Pipelines would ("##vso[").
func Commands(out string) []string {
	var found []string
	for _, line := range lineBreak.Split(out, -1) {
		t := strings.TrimFunc(line, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
		if strings.HasPrefix(t, "::") || strings.Contains(line, "##[") || strings.Contains(line, "##vso[") {
			found = append(found, line)
		}
	}
	return found
}
