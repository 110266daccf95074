package store_test

import (
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/store"
)

// BenchmarkToken measures minting and reading tokens, and recognising a
// value: the per-request cost that replaced storing every token.
func BenchmarkToken(b *testing.B) {
	s := store.New()
	s.AddApp("c")
	v := issue(s)
	access, user, refresh := v.access, v.user, v.refresh
	b.Run("mint-app-token", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s.AppToken("c", t0, t0.Add(time.Hour))
		}
	})
	b.Run("read-app-token", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s.AccessToken(access)
		}
	})
	b.Run("read-user-token", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s.AccessToken(user)
		}
	})
	b.Run("read-refresh-token", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s.RefreshToken(refresh)
		}
	})
	b.Run("recognize-other", func(b *testing.B) {
		other := "BQ" + access[3:] + "A"
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s.Recognize(other)
		}
	})
}
