package dotenv_test

import (
	"os"
	"strings"
	"testing"

	"github.com/spotcheck/spotcheck/checks/dotenv"
)

// FuzzParse: any bytes parse without a panic, into keys both loaders
// could hold, with lines inside the file and problems naming it.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"A=1\n", "export A='x'\n", "A=\"x\ny\"", "A: b", "=x", "A=${B:-c}", "\ufeffA=1", "A=`x", "\r\r\n"} {
		f.Add([]byte(s))
	}
	if data, err := os.ReadFile("testdata/cases.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := dotenv.Parse(data, "f.env", nil)
		lines := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 1
		for _, k := range file.Keys() {
			e, ok := file.Lookup(k)
			if !ok || k == "" {
				t.Fatalf("key %q listed but not found", k)
			}
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("key %q at line %d of %d", k, e.Line, lines)
			}
		}
		for _, p := range file.Problems {
			if p.File != "f.env" || p.Line < 1 || p.Line > lines {
				t.Fatalf("problem %v outside the file", p)
			}
		}
	})
}
