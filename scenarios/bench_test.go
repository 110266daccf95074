package scenarios_test

import (
	"testing"

	"github.com/spotcheck/spotcheck/scenarios"
)

// BenchmarkBuiltin loads the whole built-in suite: decode, check,
// defaults. A run of `spotcheck run` pays this once.
func BenchmarkBuiltin(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		list, err := scenarios.Builtin()
		if err != nil || len(list) < 40 {
			b.Fatal(err)
		}
	}
}
