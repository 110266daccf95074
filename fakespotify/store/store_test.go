package store_test

import (
	"strconv"
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

var _ = Describe("Store", func() {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

	It("keeps an expired code through its grace period, then sweeps it", func() {
		s := store.New()
		s.PutCode(&store.Code{Value: "AQcode", ClientID: "c", Issued: t0, Expires: t0.Add(10 * time.Minute)}, t0)
		s.Sweep(t0.Add(10*time.Minute + store.CodeGrace - time.Second))
		Expect(s.TakeCode("AQcode", "c")).NotTo(BeNil(), "still known: answered 'expired', not 'invalid'")
		s.Sweep(t0.Add(10*time.Minute + store.CodeGrace))
		Expect(s.TakeCode("AQcode", "c")).To(BeNil())
	})

	It("stays bounded: issuing while time moves sweeps what expired", func() {
		s := store.New()
		now := t0
		for i := 0; i < 10000; i++ {
			if i%1000 == 0 {
				now = now.Add(13 * time.Hour)
			}
			v := "BQ" + strconv.Itoa(i)
			s.Issue(&store.Access{Value: v, ClientID: "c", Issued: now, Expires: now.Add(time.Hour)}, nil, now, time.Time{})
		}
		_, access, _ := s.Sizes()
		// lifetime 1 h + grace 24 h = 25 h; time moves 13 h per 1000 tokens, so at most 2-3 batches live.
		Expect(access).To(BeNumerically("<=", 3000))
		s.Sweep(now.Add(26 * time.Hour))
		_, access, _ = s.Sizes()
		Expect(access).To(BeZero())
	})

	It("marks a code used once and tells another client's attempt apart", func() {
		s := store.New()
		s.PutCode(&store.Code{Value: "AQx", ClientID: "a", Issued: t0, Expires: t0.Add(time.Minute)}, t0)
		Expect(s.TakeCode("AQx", "b").Used).To(BeFalse(), "not consumed by another client")
		Expect(s.TakeCode("AQx", "a").Used).To(BeFalse(), "first use")
		Expect(s.TakeCode("AQx", "a").Used).To(BeTrue(), "second use")
	})

	It("revokes every token issued under a grant, and a later grant starts fresh", func() {
		s := store.New()
		s.GrantConsent("alice", "c", []string{"user-read-email"})
		a := &store.Access{Value: "BQa", ClientID: "c", UserID: "alice", Issued: t0, Expires: t0.Add(time.Hour)}
		r := &store.Refresh{Value: "AQr", ClientID: "c", UserID: "alice", AuthTime: t0, Issued: t0}
		s.Issue(a, r, t0, time.Time{})
		Expect(s.Revoke("alice", "c")).To(Equal(1))
		_, revoked, ok := s.AccessToken("BQa")
		Expect(ok && revoked).To(BeTrue())
		_, state := s.RefreshToken("AQr")
		Expect(state).To(Equal(store.RefreshRevoked))
		_, has := s.Consent("alice", "c")
		Expect(has).To(BeFalse())

		s.Issue(&store.Access{Value: "BQb", ClientID: "c", UserID: "alice", Issued: t0, Expires: t0.Add(time.Hour)}, nil, t0, time.Time{})
		_, revoked, _ = s.AccessToken("BQb")
		Expect(revoked).To(BeFalse())
	})

	It("rotates a refresh token once, and remembers the retired one as revoked", func() {
		s := store.New()
		s.Issue(&store.Access{Value: "BQ1", ClientID: "c", UserID: "u", Issued: t0, Expires: t0.Add(time.Hour)},
			&store.Refresh{Value: "AQ1", ClientID: "c", UserID: "u", AuthTime: t0, Issued: t0}, t0, time.Time{})
		Expect(s.Rotate("AQ1", &store.Refresh{Value: "AQ2", ClientID: "c", UserID: "u", AuthTime: t0}, t0, time.Time{})).To(BeTrue())
		Expect(s.Rotate("AQ1", &store.Refresh{Value: "AQ3", ClientID: "c", UserID: "u", AuthTime: t0}, t0, time.Time{})).To(BeFalse())
		_, state := s.RefreshToken("AQ1")
		Expect(state).To(Equal(store.RefreshRevoked))
		got, state := s.RefreshToken("AQ2")
		Expect(state).To(Equal(store.RefreshValid))
		Expect(got.AuthTime).To(Equal(t0), "rotation does not extend the original authorization")
		s.Sweep(t0.Add(store.RefreshGrace))
		_, state = s.RefreshToken("AQ1")
		Expect(state).To(Equal(store.RefreshUnknown), "the retired token is forgotten after its grace")
	})
})
