package webapi

import (
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// TestRateLimitAllocs holds the rate limit's promise to the fake's hot
// path: once an app's ring exists, counting a call allocates nothing.
func TestRateLimitAllocs(t *testing.T) {
	l := rateLimits{apps: map[string]*rateRing{}}
	now := time.Date(2026, 9, 30, 12, 0, 0, 0, time.UTC)
	c := &call{token: Token{ClientID: "app"}, app: config.App{Mode: config.ModeExtended},
		pol: config.Policies{RateLimit: wire.RateLimitWindow}, now: now}
	l.admit(c)
	allocs := testing.AllocsPerRun(1000, func() {
		c.now = c.now.Add(time.Second) // a call a second never fills the window
		if f := l.admit(c); f != nil {
			t.Fatalf("refused: %+v", f)
		}
	})
	if allocs != 0 {
		t.Fatalf("admit allocates %.1f times per call; want 0", allocs)
	}
}
