package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/store"
)

// FuzzToken throws hostile strings at the token decoder: nothing may panic
// or verify — a value can only verify with the key of the store that made
// it, which the fuzzer never sees. The seeds are real values of another
// store, each in every shape the decoder accepts, and near misses.
func FuzzToken(f *testing.F) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	other := store.New()
	other.AddApp("c")
	access, _ := other.AppToken("c", t0, t0.Add(time.Hour))
	user, refresh, _ := other.Authorize(store.Authorization{ClientID: "c", UserID: "u", AuthTime: t0}, t0, t0.Add(time.Hour), time.Time{})
	code := &store.Code{ClientID: "c", Issued: t0, Expires: t0.Add(time.Minute)}
	other.PutCode(code, t0)
	for _, v := range []string{access, user, refresh, code.Value, "", "BQ", "AQ", "BQ" + strings.Repeat("A", store.AccessLen-2),
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
		if !other.Recognize(v) && (v == access || v == refresh || v == code.Value) {
			t.Fatalf("the issuing store does not recognise its own value %q", v)
		}
	})
}
