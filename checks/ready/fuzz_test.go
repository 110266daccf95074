package ready_test

import (
	"errors"
	"testing"

	"github.com/spotcheck/spotcheck/checks/ready"
)

// FuzzProbeURL: whatever a user passes to `spotcheck wait`, the answer is a
// probe-able http(s) URL with a host, or ErrBadURL — never a panic.
func FuzzProbeURL(f *testing.F) {
	for _, s := range []string{ready.DefaultURL, "http://spotify:8787/", "https://[::1]:8443/v1?x=1#f", "127.0.0.1:8787", "localhost:8787", "ftp://x", "http://:1", "http://%zz/", "", "http://a b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := ready.ProbeURL(raw)
		if err != nil {
			if !errors.Is(err, ready.ErrBadURL) {
				t.Fatalf("%q: %v is not ErrBadURL", raw, err)
			}
			return
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Path == "" || u.Fragment != "" {
			t.Fatalf("%q: probe URL %q", raw, u)
		}
	})
}
