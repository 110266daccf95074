package doctor_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
)

var _ = Describe("the finding definitions", func() {
	It("give every id a kebab-case name, a severity, a group, a title and a fix", func() {
		kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
		seen := map[doctor.ID]bool{}
		for _, d := range doctor.Definitions() {
			Expect(kebab.MatchString(string(d.ID))).To(BeTrue(), string(d.ID))
			Expect(seen[d.ID]).To(BeFalse(), "%s twice", d.ID)
			seen[d.ID] = true
			Expect([]checks.Severity{checks.SeverityError, checks.SeverityWarning, checks.SeverityInfo}).To(ContainElement(d.Severity), d.ID)
			Expect(d.Group).NotTo(BeEmpty(), d.ID)
			Expect(d.Title).NotTo(BeEmpty(), d.ID)
			Expect(d.Fix).NotTo(BeEmpty(), d.ID)
			if d.Catalog {
				e, ok := explain.Default().Entry(string(d.ID))
				Expect(ok).To(BeTrue(), "%s names a catalog entry that does not exist", d.ID)
				Expect(d.Title).To(Equal(e.Title))
				Expect(d.Fix).To(Equal(e.Fix))
			}
		}
	})
})

var _ = Describe("the README", func() {
	It("documents every finding id", func() {
		readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
		Expect(err).NotTo(HaveOccurred())
		for _, d := range doctor.Definitions() {
			Expect(string(readme)).To(ContainSubstring("`"+string(d.ID)+"`"), d.ID)
		}
	})
})

var _ = Describe("the README's table of every id", func() {
	It("lists each id of the grader, the catalog and the doctor once, with where it shows and its alias", func() {
		readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
		Expect(err).NotTo(HaveOccurred())
		_, section, ok := strings.Cut(string(readme), "### One id per mistake\n")
		Expect(ok).To(BeTrue())
		section, _, _ = strings.Cut(section, "\n### ")
		where := map[string][]string{}
		alias := map[string]string{}
		for _, r := range grade.Rules() {
			where[r.ID] = append(where[r.ID], "grade")
			alias[r.ID] = r.Alias
		}
		for _, e := range explain.Default().Entries() {
			where[e.ID] = append(where[e.ID], "explain")
		}
		for _, d := range doctor.Definitions() {
			where[string(d.ID)] = append(where[string(d.ID)], "doctor")
		}
		rows := 0
		for _, line := range strings.Split(section, "\n") {
			if strings.HasPrefix(line, "| `") {
				rows++
			}
		}
		Expect(rows).To(Equal(len(where)))
		for id, ws := range where {
			a := ""
			if alias[id] != "" {
				a = "`" + alias[id] + "`"
			}
			Expect(section).To(ContainSubstring(fmt.Sprintf("| `%s` | %s | %s |\n", id, strings.Join(ws, ", "), a)), id)
		}
	})

	It("uses the analyzer's typed ids, each a catalog entry", func() {
		for _, id := range analyze.IDs {
			_, ok := explain.Default().Entry(string(id))
			Expect(ok).To(BeTrue(), string(id))
		}
	})
})
