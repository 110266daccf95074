package wire_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The code cites the wire reference as "§3.3"; an RFC's sections are
// cited as "RFC 6749 §5.2" (and "RFC 6749 §4.1.2.1, §5.2").
var (
	sectionHeading = regexp.MustCompile(`(?m)^#{2,3} (\d+(?:\.\d+)?)\.? `)
	appendixEntry  = regexp.MustCompile(`(?m)^(\d+)\. \*\*`)
	citation       = regexp.MustCompile(`(RFC \d+ )?§([0-9][0-9.]*[0-9]|[0-9])`)
	rfcContinued   = regexp.MustCompile(`^(,\s*|\s+and\s+|\s*/\s*)$`)
	appendixB      = regexp.MustCompile(`Appendix B\.(\d+)`)
)

var _ = Describe("the wire reference", func() {
	It("has every section that spotcheck cites, so that each §n resolves from a clone", func() {
		ref, err := os.ReadFile("REFERENCE.md")
		Expect(err).NotTo(HaveOccurred())
		sections := map[string]bool{}
		for _, m := range sectionHeading.FindAllStringSubmatch(string(ref), -1) {
			sections[m[1]] = true
		}
		_, appendix, _ := strings.Cut(string(ref), "## Appendix B.")
		entries := map[string]bool{}
		for _, m := range appendixEntry.FindAllStringSubmatch(appendix, -1) {
			entries[m[1]] = true
		}
		Expect(sections).To(HaveKey("3.3"))
		Expect(entries).To(HaveKey("12"))

		cited := 0
		root := filepath.Join("..", "..")
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			ext := filepath.Ext(path)
			if d.IsDir() || (ext != ".go" && ext != ".yaml" && ext != ".md") || strings.HasSuffix(path, "REFERENCE.md") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for n, line := range strings.Split(string(data), "\n") {
				rfc, prev := false, 0
				for _, m := range citation.FindAllStringSubmatchIndex(line, -1) {
					switch {
					case m[2] >= 0:
						rfc = true
					case rfc && rfcContinued.MatchString(line[prev:m[0]]):
					default:
						rfc = false
						cited++
						Expect(sections).To(HaveKey(line[m[4]:m[5]]), "%s:%d cites §%s, which REFERENCE.md does not have", path, n+1, line[m[4]:m[5]])
					}
					prev = m[1]
				}
				for _, m := range appendixB.FindAllStringSubmatch(line, -1) {
					Expect(entries).To(HaveKey(m[1]), "%s:%d cites Appendix B.%s", path, n+1, m[1])
				}
			}
			return nil
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(cited).To(BeNumerically(">", 40), "the walk found the citations")
	})
})
