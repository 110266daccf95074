package store

import (
	"container/heap"
	"crypto/sha256"
	"strings"
	"time"
)

// Access tokens are most of what the fake holds — one per client
// credentials grant and per refresh, tens of thousands a second under load
// — so they are kept without a single pointer: a 16-byte key derived from
// the value, indexes into small intern tables for client, user and scope
// set, and times as Unix nanoseconds. The garbage collector never scans
// that table, which keeps its pauses (and the fake's tail latency) flat as
// the table grows; a token costs about 100 bytes instead of 450.

// accessKey is the first half of the token's SHA-256: the value itself is
// not kept (128 bits do not collide among tokens the fake issues).
type accessKey [16]byte

func keyOf(value string) accessKey {
	sum := sha256.Sum256([]byte(value))
	var k accessKey
	copy(k[:], sum[:16])
	return k
}

type accessRec struct {
	client, user, scopes uint32
	issued, expires      int64
	grantGen             uint64
}

// interner maps strings to small integers and back; index 0 is "".
type interner struct {
	ids  map[string]uint32
	vals []string
}

func newInterner() interner { return interner{ids: map[string]uint32{"": 0}, vals: []string{""}} }

func (in *interner) id(s string) uint32 {
	if i, ok := in.ids[s]; ok {
		return i
	}
	i := uint32(len(in.vals))
	in.ids[s] = i
	in.vals = append(in.vals, s)
	return i
}

// scopeSets interns whole scope lists, which repeat across tokens.
type scopeSets struct {
	interner
	lists [][]string
}

func newScopeSets() scopeSets { return scopeSets{interner: newInterner(), lists: [][]string{nil}} }

func (s *scopeSets) id(scopes []string) uint32 {
	joined := strings.Join(scopes, " ")
	if i, ok := s.ids[joined]; ok {
		return i
	}
	i := s.interner.id(joined)
	s.lists = append(s.lists, append([]string(nil), scopes...))
	return i
}

// accessSweep is a pointer-free min-heap of access-token expiries.
type accessSweep []accessSweepItem

type accessSweepItem struct {
	at  int64 // base-clock Unix nanoseconds
	key accessKey
}

func (h accessSweep) Len() int           { return len(h) }
func (h accessSweep) Less(i, j int) bool { return h[i].at < h[j].at }
func (h accessSweep) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *accessSweep) Push(x any)        { *h = append(*h, x.(accessSweepItem)) }
func (h *accessSweep) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

func (s *Store) putAccessLocked(a *Access, gen uint64, base time.Time) {
	k := keyOf(a.Value)
	s.access[k] = accessRec{
		client: s.clients.id(a.ClientID), user: s.users.id(a.UserID), scopes: s.scopes.id(a.Scopes),
		issued: a.Issued.UnixNano(), expires: a.Expires.UnixNano(), grantGen: gen,
	}
	heap.Push(&s.accessSweep, accessSweepItem{at: base.Add(a.Expires.Sub(a.Issued) + AccessGrace).UnixNano(), key: k})
}

// accessLocked rebuilds the Access for a presented value. Its Scopes slice
// is shared: callers must not modify it.
func (s *Store) accessLocked(value string) (Access, uint64, bool) {
	rec, ok := s.access[keyOf(value)]
	if !ok {
		return Access{}, 0, false
	}
	return Access{
		Value:    value,
		ClientID: s.clients.vals[rec.client],
		UserID:   s.users.vals[rec.user],
		Scopes:   s.scopes.lists[rec.scopes],
		Issued:   time.Unix(0, rec.issued).UTC(),
		Expires:  time.Unix(0, rec.expires).UTC(),
	}, rec.grantGen, true
}

func (s *Store) sweepAccessLocked(base time.Time) {
	now := base.UnixNano()
	for len(s.accessSweep) > 0 && s.accessSweep[0].at <= now {
		it := heap.Pop(&s.accessSweep).(accessSweepItem)
		delete(s.access, it.key)
	}
	if cap(s.accessSweep) > 1024 && len(s.accessSweep) < cap(s.accessSweep)/4 {
		s.accessSweep = append(accessSweep(nil), s.accessSweep...)
	}
}
