package fakespotify_test

import (
	"testing"

	"github.com/spotcheck/spotcheck/fakespotify"
)

// BenchmarkNewDefault is what `spotcheck fake` does before it listens:
// parse the built-in configuration and build the fake (apps, users,
// redaction set, services).
func BenchmarkNewDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fakespotify.New(fakespotify.DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
}
