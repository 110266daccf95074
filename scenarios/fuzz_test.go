package scenarios_test

import (
	"errors"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/spotcheck/spotcheck/scenarios"
)

var problemLine = regexp.MustCompile(`^f\.yaml:[1-9][0-9]*:[1-9][0-9]*: \S`)

// FuzzParse holds Parse to its promise on any input: no panic, and either
// scenarios whose steps each have an action, or Problems whose every line
// is file:line:col: message.
func FuzzParse(f *testing.F) {
	for _, name := range builtinFiles() {
		data, err := fs.ReadFile(scenarios.BuiltinFS(), name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{
		"", "---\n---\n", "name: x\n", "- a\n- b\n", "name: x\nsteps: [{authorize: {}, exchange: {}}]\n",
		"name: x\nsteps: [{exchange: {code: '${steps.'}}]\n", "a: &a [*a]\n", "name: x\nsteps: [{api: {path: /, json: {a: .inf}}}]\n",
		"name: x\nsteps: [{authorize: {}, expect: {statuses: {99999999999: 1}}}]\n",
		"name: x\nvars: {a: '${vars.a}'}\nsteps: [{callback: {url: '${vars.a}'}}]\n",
		"name: x\nsteps:\n  - name: a\n    refresh: {refresh_token: '${steps.a.refresh_token}'}\n",
		"name: x\nrequires: ['policy:', 'policy:=', 'policy:refresh=']\nsteps: [{set_policy: {}}]\n",
		"\t\x00\xff: [",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := scenarios.Parse(data, "f.yaml")
		if err != nil {
			var ps scenarios.Problems
			if !errors.As(err, &ps) || len(ps) == 0 || list != nil {
				t.Fatalf("error %v is not Problems", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !problemLine.MatchString(line) {
					t.Fatalf("problem line %q is not file:line:col: message", line)
				}
			}
			return
		}
		for _, s := range list {
			if len(s.Steps) == 0 {
				t.Fatalf("scenario %q without steps loaded", s.Name)
			}
			for _, st := range s.Steps {
				if st.Action() == nil || st.Name == "" {
					t.Fatalf("step without action or name loaded: %+v", st)
				}
			}
		}
	})
}
