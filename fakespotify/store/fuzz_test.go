package store_test

import (
	"strings"
	"testing"

	"github.com/spotcheck/spotcheck/fakespotify/store"
)

// FuzzToken throws hostile strings at the token decoder: nothing may panic
// or verify — a value can only verify with the key of the store that made
// it, which the fuzzer never sees. The seeds are real values of another
// store, each in every shape the decoder accepts, and near misses.
func FuzzToken(f *testing.F) {
	other := store.New()
	other.AddApp("c")
	v := issue(other)
	access, user, refresh, code := v.access, v.user, v.refresh, v.code
	for _, v := range []string{access, user, refresh, code, "", "BQ", "AQ", "BQ" + strings.Repeat("A", store.AccessLen-2),
		"AQ" + strings.Repeat("_", store.RefreshLen-2), "AQ" + strings.Repeat("\xff", store.CodeLen-2), "AQ" + access[2:]} {
		f.Add(v)
	}
	s := store.New()
	s.AddApp("c")
	f.Fuzz(func(t *testing.T, v string) {
		if s.Recognize(v) {
			t.Fatalf("recognised a value this store never issued: %q", v)
		}
		if _, _, ok := s.AccessToken(v); ok {
			t.Fatalf("accepted as an access token: %q", v)
		}
		if _, state := s.RefreshToken(v); state != store.RefreshUnknown {
			t.Fatalf("accepted as a refresh token (state %d): %q", state, v)
		}
		if !other.Recognize(v) && (v == access || v == refresh || v == code) {
			t.Fatalf("the issuing store does not recognise its own value %q", v)
		}
	})
}
