package store_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/store"
)

func TestStore(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "store")
}

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// newStore returns a store with apps "c" and "d" registered.
func newStore() *store.Store {
	s := store.New()
	s.AddApp("c")
	s.AddApp("d")
	return s
}

// issued is one value of each kind, from a store with app "c" registered.
// It asserts nothing, so that fuzz targets and benchmarks can use it.
type issued struct{ access, user, refresh, code string }

func issue(s *store.Store) issued {
	var v issued
	v.access, _ = s.AppToken("c", t0, t0.Add(time.Hour))
	v.user, v.refresh, _ = s.Authorize(store.Authorization{ClientID: "c", UserID: "u", Scopes: []string{"user-read-email"}, AuthTime: t0},
		t0, t0.Add(time.Hour), time.Time{})
	c := &store.Code{ClientID: "c", Issued: t0, Expires: t0.Add(10 * time.Minute)}
	s.PutCode(c, t0)
	v.code = c.Value
	return v
}

func putCode(s *store.Store, client string) string {
	c := &store.Code{ClientID: client, UserID: "alice", Issued: t0, Expires: t0.Add(10 * time.Minute)}
	ExpectWithOffset(1, s.PutCode(c, t0)).To(BeTrue())
	return c.Value
}

func authorize(s *store.Store, client, user string, public bool) (access, refresh string) {
	access, refresh, ok := s.Authorize(store.Authorization{ClientID: client, UserID: user, Scopes: []string{"user-read-email"},
		Public: public, AuthTime: t0}, t0, t0.Add(time.Hour), time.Time{})
	ExpectWithOffset(1, ok).To(BeTrue())
	return access, refresh
}

var _ = Describe("codes", func() {
	It("mints codes in Spotify's shape", func() {
		Expect(putCode(newStore(), "c")).To(MatchRegexp(`^AQ[A-Za-z0-9_-]{296}$`))
	})

	It("keeps an expired code through its grace period, then sweeps it", func() {
		s := newStore()
		v := putCode(s, "c")
		s.Sweep(t0.Add(10*time.Minute + store.CodeGrace - time.Second))
		Expect(s.TakeCode(v, "c")).NotTo(BeNil(), "still known: answered 'expired', not 'invalid'")
		s.Sweep(t0.Add(10*time.Minute + store.CodeGrace))
		Expect(s.TakeCode(v, "c")).To(BeNil())
		Expect(s.Recognize(v)).To(BeTrue(), "still recognisable as the fake's own")
	})

	It("marks a code used once and tells another client's attempt apart", func() {
		s := newStore()
		v := putCode(s, "c")
		Expect(s.TakeCode(v, "d").Used).To(BeFalse(), "not consumed by another client")
		Expect(s.TakeCode(v, "c").Used).To(BeFalse(), "first use")
		Expect(s.TakeCode(v, "c").Used).To(BeTrue(), "second use")
	})

	It("does not give a deleted app's code to an app registered again under its client id", func() {
		s := newStore()
		v := putCode(s, "c")
		s.DeleteApp("c")
		s.AddApp("c")
		Expect(s.TakeCode(v, "c").ClientID).NotTo(Equal("c"))
		Expect(s.PutCode(&store.Code{ClientID: "gone"}, t0)).To(BeFalse())
	})
})

var _ = Describe("access tokens", func() {
	It("carry their app and times, in Spotify's shape, and say so for ever", func() {
		s := newStore()
		v, ok := s.AppToken("c", t0, t0.Add(time.Hour))
		Expect(ok).To(BeTrue())
		Expect(v).To(MatchRegexp(`^BQ[A-Za-z0-9_-]{200}$`))
		s.Sweep(t0.Add(1000 * 24 * time.Hour))
		a, revoked, ok := s.AccessToken(v)
		Expect(ok).To(BeTrue(), "no grace period: the MAC proves it is ours")
		Expect(revoked).To(BeFalse())
		Expect(a).To(Equal(store.Access{Value: v, ClientID: "c", Issued: t0, Expires: t0.Add(time.Hour)}))
	})

	It("keep their times to the nanosecond, far from 1970 too", func() {
		s := newStore()
		for _, at := range []time.Time{t0.Add(123456789), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)} {
			v, _ := s.AppToken("c", at, at.Add(time.Hour))
			a, _, ok := s.AccessToken(v)
			Expect(ok).To(BeTrue())
			Expect(a.Issued).To(Equal(at))
		}
	})

	It("never repeat", func() {
		s := newStore()
		seen := map[string]bool{}
		for i := 0; i < 1000; i++ {
			v, _ := s.AppToken("c", t0, t0.Add(time.Hour))
			Expect(seen).NotTo(HaveKey(v))
			seen[v] = true
		}
	})

	It("stop working with their app, and an app registered again under its client id does not revive them", func() {
		s := newStore()
		v, _ := s.AppToken("c", t0, t0.Add(time.Hour))
		at, rt := authorize(s, "c", "alice", false)
		s.DeleteApp("c")
		s.AddApp("c")
		for _, tok := range []string{v, at} {
			_, _, ok := s.AccessToken(tok)
			Expect(ok).To(BeFalse())
		}
		_, state := s.RefreshToken(rt)
		Expect(state).To(Equal(store.RefreshUnknown))
		_, ok := s.AppToken("gone", t0, t0)
		Expect(ok).To(BeFalse())
	})

	It("cost nothing to keep: a hundred thousand of them leave the store as it was", func() {
		s := newStore()
		before := s.Sizes()
		for i := 0; i < 100_000; i++ {
			if _, ok := s.AppToken("c", t0, t0.Add(time.Hour)); !ok {
				Fail("not issued")
			}
		}
		Expect(s.Sizes()).To(Equal(before))
	})
})

var _ = Describe("grants", func() {
	It("revokes every token issued under a grant, and a later grant starts fresh", func() {
		s := newStore()
		s.GrantConsent("alice", "c", []string{"user-read-email"})
		at, rt := authorize(s, "c", "alice", false)
		a, revoked, ok := s.AccessToken(at)
		Expect(ok && !revoked).To(BeTrue())
		Expect(a.UserID).To(Equal("alice"))
		Expect(a.Scopes).To(Equal([]string{"user-read-email"}))

		drop := t0.Add(time.Hour)
		Expect(s.Revoke("alice", "c", drop)).To(Equal(1))
		Expect(s.Revoke("alice", "c", drop)).To(BeZero(), "nothing left to revoke")
		a, revoked, ok = s.AccessToken(at)
		Expect(ok && revoked).To(BeTrue())
		Expect(a.UserID).To(Equal("alice"), "still attributed to its user")
		_, state := s.RefreshToken(rt)
		Expect(state).To(Equal(store.RefreshRevoked))
		_, has := s.Consent("alice", "c")
		Expect(has).To(BeFalse())

		s.Sweep(drop)
		Expect(s.Sizes().Grants).To(BeZero(), "a revoked grant is dropped when its access tokens have expired")
		a, revoked, ok = s.AccessToken(at)
		Expect(ok && !revoked).To(BeTrue(), "a token whose grant is gone has expired: its own expiry answers")
		Expect(a.Expires).To(Equal(t0.Add(time.Hour)))
		r, state := s.RefreshToken(rt)
		Expect(state).To(Equal(store.RefreshEnded))
		Expect(r.ClientID).To(Equal("c"))
		Expect(r.AuthTime).To(Equal(t0))

		at2, _ := authorize(s, "c", "alice", false)
		_, revoked, _ = s.AccessToken(at2)
		Expect(revoked).To(BeFalse())
	})

	It("revokes one user's grants to every app with an empty client id", func() {
		s := newStore()
		authorize(s, "c", "alice", false)
		authorize(s, "d", "alice", false)
		_, bobs := authorize(s, "c", "bob", false)
		Expect(s.Revoke("alice", "", t0)).To(Equal(2))
		Expect(s.Revoke("carol", "", t0)).To(BeZero())
		_, state := s.RefreshToken(bobs)
		Expect(state).To(Equal(store.RefreshValid))
	})

	It("rotates a refresh token once, and tells the retired one apart for ever", func() {
		s := newStore()
		_, rt := authorize(s, "c", "u", true)
		r, state := s.RefreshToken(rt)
		Expect(state).To(Equal(store.RefreshValid))
		Expect(r.Public).To(BeTrue())
		_, next, ok := s.Renew(r, t0, t0.Add(time.Hour), true)
		Expect(ok).To(BeTrue())
		Expect(next).To(MatchRegexp(`^AQ[A-Za-z0-9_-]{132}$`))
		_, _, ok = s.Renew(r, t0, t0.Add(time.Hour), true)
		Expect(ok).To(BeFalse(), "the same token cannot rotate twice")

		s.Sweep(t0.Add(10 * store.RefreshGrace))
		old, state := s.RefreshToken(rt)
		Expect(state).To(Equal(store.RefreshRevoked))
		Expect(old.Rotated).To(BeTrue())
		got, state := s.RefreshToken(next)
		Expect(state).To(Equal(store.RefreshValid))
		Expect(got.AuthTime).To(Equal(t0), "rotation does not extend the original authorization")
		Expect(got.Public).To(BeTrue())
		Expect(got.Scopes).To(Equal([]string{"user-read-email"}))
	})

	It("lets exactly one of many concurrent rotations win", func() {
		s := newStore()
		_, rt := authorize(s, "c", "u", false)
		r, _ := s.RefreshToken(rt)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, ok := s.Renew(r, t0, t0.Add(time.Hour), true); ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		Expect(wins).To(Equal(1))
	})

	It("renews without rotating as often as asked, and not after a revocation", func() {
		s := newStore()
		_, rt := authorize(s, "c", "u", false)
		r, _ := s.RefreshToken(rt)
		for i := 0; i < 3; i++ {
			at, next, ok := s.Renew(r, t0, t0.Add(time.Hour), false)
			Expect(ok).To(BeTrue())
			Expect(next).To(BeEmpty())
			a, revoked, _ := s.AccessToken(at)
			Expect(revoked).To(BeFalse())
			Expect(a.UserID).To(Equal("u"))
		}
		s.Revoke("u", "c", t0.Add(time.Hour))
		_, _, ok := s.Renew(r, t0, t0.Add(time.Hour), false)
		Expect(ok).To(BeFalse())
	})

	It("drops a grant at its sweep time and keeps one without", func() {
		s := newStore()
		_, _, ok := s.Authorize(store.Authorization{ClientID: "c", UserID: "u", AuthTime: t0}, t0, t0.Add(time.Hour), t0.Add(time.Hour))
		Expect(ok).To(BeTrue())
		authorize(s, "c", "v", false)
		Expect(s.Sizes().Grants).To(Equal(2))
		s.Sweep(t0.Add(time.Hour))
		Expect(s.Sizes()).To(HaveField("Grants", 1))
		Expect(s.Sizes()).To(HaveField("Consents", 1), "a user with neither consent nor grants leaves no record")
	})

	It("stays bounded when grants are revoked long before their sweep time", func() {
		s := newStore()
		for i := 0; i < 20000; i++ {
			_, _, ok := s.Authorize(store.Authorization{ClientID: "c", UserID: "u" + strconv.Itoa(i%10), AuthTime: t0},
				t0, t0.Add(time.Hour), t0.Add(365*24*time.Hour))
			Expect(ok).To(BeTrue())
			s.Revoke("u"+strconv.Itoa(i%10), "c", t0)
			s.Sweep(t0)
		}
		Expect(s.Sizes().Grants).To(BeZero())
		Expect(s.SweepLen()).To(BeNumerically("<=", 2048), "revoked grants' sweep items are dropped too")
	})
})

var _ = Describe("Recognize", func() {
	var s *store.Store
	var access, userAccess, refresh, code string
	BeforeEach(func() {
		s = newStore()
		v := issue(s)
		access, userAccess, refresh, code = v.access, v.user, v.refresh, v.code
		Expect(code).NotTo(BeEmpty())
	})

	It("knows every value the store issued, whatever became of it", func() {
		for _, v := range []string{access, userAccess, refresh, code} {
			Expect(s.Recognize(v)).To(BeTrue(), v)
		}
		s.Revoke("u", "c", t0)
		s.Sweep(t0)
		s.DeleteApp("c")
		Expect(s.Recognize(userAccess)).To(BeTrue(), "revoked")
		Expect(s.Recognize(refresh)).To(BeTrue(), "revoked")
	})

	It("knows no value of another store", func() {
		other := newStore()
		v, _ := other.AppToken("c", t0, t0.Add(time.Hour))
		Expect(s.Recognize(v)).To(BeFalse())
		_, _, ok := s.AccessToken(v)
		Expect(ok).To(BeFalse())
	})

	It("refuses a value changed in any one character", func() {
		for _, v := range []string{access, refresh, code} {
			for i := 0; i < len(v); i++ {
				for _, c := range []byte{'A', 'B', 'Q', 'z', '-', '_', '0'} {
					if v[i] == c {
						continue
					}
					bad := v[:i] + string(c) + v[i+1:]
					if s.Recognize(bad) {
						Fail("recognised with character " + strconv.Itoa(i) + " changed: " + bad)
					}
				}
			}
		}
	})

	DescribeTable("refuses what only looks like a token",
		func(v func() string) { Expect(s.Recognize(v())).To(BeFalse()) },
		Entry("empty", func() string { return "" }),
		Entry("a prefix alone", func() string { return "BQ" }),
		Entry("right length, all A", func() string { return "BQ" + strings.Repeat("A", store.AccessLen-2) }),
		Entry("access body under the refresh prefix", func() string { return "AQ" + access[2:] }),
		Entry("refresh body under the access prefix", func() string { return "BQ" + refresh[2:] }),
		Entry("a character of standard base64", func() string { return access[:2] + "+" + access[3:] }),
		Entry("a character short", func() string { return access[:len(access)-1] }),
		Entry("a character more", func() string { return access + "A" }),
		Entry("padded", func() string { return access[:len(access)-2] + "==" }),
	)
})

var _ = Describe("sessions", func() {
	It("expire after a day without use", func() {
		s := newStore()
		s.NewSession("s1", "alice", t0)
		u, ok := s.Session("s1", t0.Add(store.SessionIdle-time.Second))
		Expect(ok).To(BeTrue())
		Expect(u).To(Equal("alice"))
		_, ok = s.Session("s1", t0.Add(2*store.SessionIdle-2*time.Second))
		Expect(ok).To(BeTrue(), "each use starts a new idle period")
		_, ok = s.Session("s1", t0.Add(3*store.SessionIdle))
		Expect(ok).To(BeFalse())
	})

	It("expire after a week however much they are used", func() {
		s := newStore()
		s.NewSession("s1", "alice", t0)
		for at := t0; at.Before(t0.Add(store.SessionLifetime)); at = at.Add(time.Hour) {
			_, ok := s.Session("s1", at)
			Expect(ok).To(BeTrue())
		}
		_, ok := s.Session("s1", t0.Add(store.SessionLifetime))
		Expect(ok).To(BeFalse())
	})

	It("stay bounded: expired ones are swept, and past the cap the oldest goes", func() {
		s := newStore()
		for i := 0; i < 1000; i++ {
			s.NewSession("old"+strconv.Itoa(i), "alice", t0)
		}
		s.Sweep(t0.Add(store.SessionLifetime))
		Expect(s.Sizes().Sessions).To(BeZero())

		for i := 0; i < store.MaxSessions+1000; i++ {
			s.NewSession("s"+strconv.Itoa(i), "alice", t0)
		}
		Expect(s.Sizes().Sessions).To(Equal(store.MaxSessions))
		_, ok := s.Session("s0", t0)
		Expect(ok).To(BeFalse(), "the oldest went first")
		_, ok = s.Session("s"+strconv.Itoa(store.MaxSessions+999), t0)
		Expect(ok).To(BeTrue())
	})
})

// An access token read once is remembered (a comparison instead of an
// HMAC the next time): what it says must not change, and nothing that
// only resembles it may pass for it.
var _ = Describe("an access token read before", func() {
	var (
		s    *store.Store
		user string
	)
	BeforeEach(func() {
		s = newStore()
		user = issue(s).user
		_, _, ok := s.AccessToken(user)
		Expect(ok).To(BeTrue())
	})

	It("reads the same the second time", func() {
		first, revoked1, ok1 := s.AccessToken(user)
		second, revoked2, ok2 := s.AccessToken(user)
		Expect([]any{second, revoked2, ok2}).To(Equal([]any{first, revoked1, ok1}))
		Expect(first.ClientID).To(Equal("c"))
		Expect(first.UserID).To(Equal("u"))
	})

	It("is refused with any one character changed, while remembered", func() {
		for i := 2; i < len(user); i++ {
			for _, c := range []byte{'A', 'Q', 'z', '-', '_'} {
				if user[i] == c {
					continue
				}
				bad := user[:i] + string(c) + user[i+1:]
				if _, _, ok := s.AccessToken(bad); ok {
					Fail("accepted with character " + strconv.Itoa(i) + " changed")
				}
				if _, _, ok := s.AccessToken(user); !ok {
					Fail("the genuine token was refused after a changed one")
				}
			}
		}
	})

	It("still answers revoked once its grant is revoked", func() {
		Expect(s.Revoke("u", "c", t0.Add(time.Hour))).To(Equal(1))
		_, revoked, ok := s.AccessToken(user)
		Expect(ok).To(BeTrue())
		Expect(revoked).To(BeTrue())
	})

	It("is unknown once its app is deleted", func() {
		s.DeleteApp("c")
		_, _, ok := s.AccessToken(user)
		Expect(ok).To(BeFalse())
	})

	It("is unknown to another store", func() {
		_, _, ok := newStore().AccessToken(user)
		Expect(ok).To(BeFalse())
	})

	It("leaves every other token reading as its own, however many share its slot", func() {
		tokens := map[string]string{}
		for i := range 2000 {
			u := "user" + strconv.Itoa(i)
			tok, _, ok := s.Authorize(store.Authorization{ClientID: "d", UserID: u, AuthTime: t0}, t0, t0.Add(time.Hour), time.Time{})
			Expect(ok).To(BeTrue())
			tokens[tok] = u
		}
		for range 2 { // the second pass reads remembered and replaced slots alike
			for tok, u := range tokens {
				a, _, ok := s.AccessToken(tok)
				Expect(ok).To(BeTrue())
				Expect(a.UserID).To(Equal(u))
				Expect(a.ClientID).To(Equal("d"))
			}
		}
	})
})
