package explain_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/yaml.v3"

	"github.com/spotcheck/spotcheck/checks/explain"
)

// corpusCase is one real report from a public thread (issue 16 item 1):
// the text as the user pasted it, the thread, and the cause the thread
// established, labelled before the tool ran on it.
type corpusCase struct {
	ID     string   `yaml:"id"`
	Source string   `yaml:"source"`
	Repo   string   `yaml:"repo"`
	Kind   string   `yaml:"kind"`
	Input  string   `yaml:"input"`
	Want   string   `yaml:"want"`
	Also   []string `yaml:"also"`
	Cause  string   `yaml:"cause"`
}

// accepted are the ids right for the case; "none" means no Spotify evidence
// at all, where only "not recognised" is right. A label new:ID named an
// entry the catalog did not have yet; ID is the entry added for it.
func (c corpusCase) accepted() []string {
	var out []string
	for _, w := range append([]string{c.Want}, c.Also...) {
		out = append(out, strings.TrimPrefix(w, "new:"))
	}
	return out
}

// A set of real reports, with the share of cases whose top answer must be
// right. Issue 16's target is 0.95; until a set reaches it its floor is
// the figure measured last, so that the spec catches every regression.
type corpusSet struct {
	name, dir          string
	top1               float64
	minCases, minRepos int
	// newCauses lets a label new:ID name a cause the catalog has no entry
	// for. Only a held-out set needs it: its labels are written before
	// anyone looks at the catalog's gaps, and each such case stays a miss
	// until an entry with that id exists.
	newCauses bool
}

var corpusSets = []corpusSet{
	// What the rules were written against.
	{name: "the corpus of real reports", dir: "testdata/corpus", top1: 0.95, minCases: 150, minRepos: 25},
	// Parts C, D and E were collected afterwards from other repositories and
	// measured once before any rule saw them (C 52 %, D 45.9 %, E 54.9 %
	// top-1; the headers of testdata/tuned/part-*.yaml); branch e16b-recog
	// then tuned on them, from 91 of 162 (56.2 %) on main c4cb292 to 125
	// (77.2 %). It catches regressions; it no longer predicts how explain
	// does on reports nobody tuned on.
	{name: "reports used for tuning after being held out", dir: "testdata/tuned", top1: 0.77, minCases: 150, minRepos: 100},
	// Fresh reports nobody has tuned on: the figure that speaks for users.
	// Part F, measured once on main c4cb292 (33 of 51, 64.7 %) and again
	// after branch e16b-recog's rules (the same 33): its floor is that
	// figure. The set skips itself while the directory holds no yaml.
	{name: "the held-out reports", dir: "testdata/heldout", top1: 0.64, minCases: 50, minRepos: 30, newCauses: true},
}

// corpusFiles are the yaml files of a set's directory.
func corpusFiles(dir string) []string {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		panic(fmt.Sprintf("corpus %s: %v", dir, err))
	}
	return files
}

func loadCorpus(dir string) []corpusCase {
	files := corpusFiles(dir)
	if len(files) == 0 {
		panic(fmt.Sprintf("no corpus in %s", dir))
	}
	var all []corpusCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var cs []corpusCase
		if err := yaml.Unmarshal(data, &cs); err != nil {
			panic(fmt.Sprintf("%s: %v", f, err))
		}
		all = append(all, cs...)
	}
	return all
}

var _ = Describe("explain on real reports (issue 16)", func() {
	for _, set := range corpusSets {
		describeCorpus(set)
	}
})

func describeCorpus(set corpusSet) {
	Describe(set.name, Ordered, func() {
		if len(corpusFiles(set.dir)) == 0 {
			It("is measured", func() {
				Skip(fmt.Sprintf("no reports in %s yet: the next held-out part goes there", set.dir))
			})
			return
		}
		cases := loadCorpus(set.dir)
		var top1, top3 int
		var misses []string

		It(fmt.Sprintf("is a corpus: at least %d cases from %d repositories, each citing its thread, labelled with a catalog id", set.minCases, set.minRepos), func() {
			repos := map[string]int{}
			ids := map[string]int{}
			seen := map[string]bool{}
			for _, c := range cases {
				Expect(seen[c.ID]).To(BeFalse(), "duplicate case id %s", c.ID)
				seen[c.ID] = true
				Expect(c.Source).To(HavePrefix("https://"), c.ID)
				Expect(c.Repo).NotTo(BeEmpty(), c.ID)
				Expect(strings.TrimSpace(c.Input)).NotTo(BeEmpty(), c.ID)
				for _, w := range append([]string{c.Want}, c.Also...) {
					if w == "none" || set.newCauses && strings.HasPrefix(w, "new:") {
						continue
					}
					_, ok := explain.Default().Entry(strings.TrimPrefix(w, "new:"))
					Expect(ok).To(BeTrue(), "%s: label %q is no catalog id", c.ID, w)
				}
				repos[c.Repo]++
				ids[strings.TrimPrefix(c.Want, "new:")]++
			}
			Expect(len(cases)).To(BeNumerically(">=", set.minCases))
			Expect(len(repos)).To(BeNumerically(">=", set.minRepos))
			var perID []string
			for id, n := range ids {
				perID = append(perID, fmt.Sprintf("%s %d", id, n))
			}
			sort.Strings(perID)
			var unhit []string
			for _, e := range explain.Default().Entries() {
				if ids[e.ID] == 0 {
					unhit = append(unhit, e.ID)
				}
			}
			AddReportEntry(set.name+": coverage", fmt.Sprintf("%d cases, %d repositories\nper id: %s\ncatalog ids no case hits: %s",
				len(cases), len(repos), strings.Join(perID, ", "), strings.Join(unhit, ", ")), ReportEntryVisibilityAlways)
		})

		for _, c := range cases {
			It(fmt.Sprintf("%s %s", c.ID, c.Source), func() {
				res, err := explain.Default().Explain([]byte(c.Input), explain.Options{Name: c.ID})
				Expect(err).NotTo(HaveOccurred())
				got := ids(res)
				ok := c.accepted()
				right1 := len(got) == 0 && slices.Contains(ok, "none") || len(got) > 0 && slices.Contains(ok, got[0])
				right3 := right1 || slices.ContainsFunc(got[:min(3, len(got))], func(id string) bool { return slices.Contains(ok, id) })
				if right1 {
					top1++
				}
				if right3 {
					top3++
				}
				if !right1 {
					// Reported, not failed: the gate below is the whole corpus.
					miss := fmt.Sprintf("%s want %s got %v (%s)", c.ID, c.Want, got[:min(3, len(got))], c.Source)
					misses = append(misses, miss)
					AddReportEntry("miss "+c.ID, miss)
				}
			})
		}

		It(fmt.Sprintf("names the established cause first in at least %.0f %% of the cases", set.top1*100), func() {
			n := len(cases)
			summary := fmt.Sprintf("%s: %d cases, top-1 %d (%.1f %%), top-3 %d (%.1f %%)\nmisses:\n  %s",
				set.name, n, top1, 100*float64(top1)/float64(n), top3, 100*float64(top3)/float64(n), strings.Join(misses, "\n  "))
			AddReportEntry(set.name+": accuracy", summary, ReportEntryVisibilityAlways)
			Expect(float64(top1)/float64(n)).To(BeNumerically(">=", set.top1), func() string { return summary })
		})
	})
}
