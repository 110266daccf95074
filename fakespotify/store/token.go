package store

import (
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Every value the store issues — access tokens, refresh tokens and codes —
// has Spotify's shape (§7 of the wire reference: a two-letter prefix, "BQ"
// for access tokens and "AQ" for refresh tokens and codes, then opaque
// base64url) around a fixed-size binary body:
//
//	filler | claims | tag
//
// filler is random, so that values look like Spotify's and never repeat;
// claims is the fixed layout below (what the value stands for); tag is the
// first 16 bytes of HMAC-SHA-256(key, prefix | filler | claims) under a key
// made when the store is, so a value proves by itself that this store
// issued it and what it says. That is why nothing is kept per access
// token: the store keeps grants, codes and sessions, and an access token
// stays recognisable — and answers "expired" rather than "invalid" — for
// ever after its hour.
//
// The sizes keep the lengths the fake always issued (§3.2 and §1.2: codes
// about 300 characters, access tokens a few hundred): every body is a
// multiple of 3 bytes, so its base64url has no padding and no spare bits
// (one value has exactly one spelling).
const (
	accessBody  = 150 // "BQ" + 200 characters
	refreshBody = 99  // "AQ" + 132 characters
	codeBody    = 222 // "AQ" + 296 characters
	maxBody     = codeBody

	tagSize    = 16 // 128 bits of HMAC-SHA-256
	claimsSize = 2 + 8 + 8 + 4 + 8 + 12 + 12
	version    = 1
)

// Lengths of issued values, prefix included.
const (
	AccessLen  = 2 + accessBody/3*4
	RefreshLen = 2 + refreshBody/3*4
	CodeLen    = 2 + codeBody/3*4
)

// kind is what a value is; the byte after the version in the claims.
type kind uint8

const (
	kindAccess kind = iota + 1
	kindRefresh
	kindCode
)

// flagPublic marks a refresh token issued to a PKCE (public) client: the
// token endpoint must know it even after the grant is gone.
const flagPublic = 0x80

// shapes describes each kind's prefix and body size.
var shapes = [...]struct {
	prefix string
	body   int
}{
	kindAccess:  {"BQ", accessBody},
	kindRefresh: {"AQ", refreshBody},
	kindCode:    {"AQ", codeBody},
}

// claims is what a value stands for. Times are kept to the nanosecond as
// Unix seconds and nanoseconds, so any clock the fake can show round-trips.
type claims struct {
	kind   kind
	public bool
	app    uint64 // the app's serial, never reused (see AddApp)
	grant  uint64 // 0 for client credentials and codes
	user   uint32 // interned user id; 0 is "no user"
	gen    uint64 // refresh tokens: the grant's rotation generation
	issued time.Time
	// until is an access token's expiry and a refresh token's original
	// authorization (its 2026 lifetime runs from there).
	until time.Time
}

func (c *claims) put(b []byte) {
	b[0] = version
	b[1] = byte(c.kind)
	if c.public {
		b[1] |= flagPublic
	}
	binary.BigEndian.PutUint64(b[2:], c.app)
	binary.BigEndian.PutUint64(b[10:], c.grant)
	binary.BigEndian.PutUint32(b[18:], c.user)
	binary.BigEndian.PutUint64(b[22:], c.gen)
	putTime(b[30:], c.issued)
	putTime(b[42:], c.until)
}

func (c *claims) get(b []byte) bool {
	if b[0] != version {
		return false
	}
	c.kind, c.public = kind(b[1]&^flagPublic), b[1]&flagPublic != 0
	c.app = binary.BigEndian.Uint64(b[2:])
	c.grant = binary.BigEndian.Uint64(b[10:])
	c.user = binary.BigEndian.Uint32(b[18:])
	c.gen = binary.BigEndian.Uint64(b[22:])
	c.issued, c.until = getTime(b[30:]), getTime(b[42:])
	return true
}

func putTime(b []byte, t time.Time) {
	binary.BigEndian.PutUint64(b, uint64(t.Unix()))
	binary.BigEndian.PutUint32(b[8:], uint32(t.Nanosecond()))
}

func getTime(b []byte) time.Time {
	return time.Unix(int64(binary.BigEndian.Uint64(b)), int64(binary.BigEndian.Uint32(b[8:]))).UTC()
}

// minter makes and checks values under one key. It is safe for concurrent
// use and takes no lock: its working state is pooled.
type minter struct {
	work sync.Pool // *work
	// opened remembers access tokens already checked, so that the same
	// token (a client calls the Web API with one token for an hour, and
	// each call is read twice: attribution, then authentication) costs a
	// comparison instead of a base64 decode and an HMAC. A slot is chosen
	// by the token's last characters (its tag, random); a collision only
	// replaces the slot. The claims are a pure function of the value and
	// the key, so a remembered value reads exactly as a checked one:
	// revocation and deleted apps are decided after, from the store.
	opened [openedSlots]atomic.Pointer[openedValue]
}

const openedSlots = 256

type openedValue struct {
	v string
	c claims
}

// work is what minting or checking one value needs: the HMAC under the
// key, a random source for the filler (ChaCha8, a CSPRNG seeded from
// crypto/rand), and buffers, so that neither allocates more than the
// value itself.
type work struct {
	h   hash.Hash
	rng *rand.ChaCha8
	sum [sha256.Size]byte
	raw [maxBody]byte
	enc [maxBody / 3 * 4]byte
}

func newMinter() *minter {
	var key [32]byte
	_, _ = crand.Read(key[:])
	m := &minter{}
	m.work.New = func() any {
		var seed [32]byte
		_, _ = crand.Read(seed[:])
		return &work{h: hmac.New(sha256.New, key[:]), rng: rand.NewChaCha8(seed)}
	}
	return m
}

// tag is the HMAC of prefix and body, tagSize bytes of x.sum.
func (x *work) tag(prefix string, body []byte) []byte {
	x.h.Reset()
	x.h.Write(prefixBytes(prefix))
	x.h.Write(body)
	return x.h.Sum(x.sum[:0])[:tagSize]
}

var (
	bq = []byte("BQ")
	aq = []byte("AQ")
)

func prefixBytes(p string) []byte {
	if p == "BQ" {
		return bq
	}
	return aq
}

// mint encodes c as a value of its kind.
func (m *minter) mint(c *claims) string {
	shape := shapes[c.kind]
	x := m.work.Get().(*work)
	defer m.work.Put(x)
	body := x.raw[:shape.body]
	fill := len(body) - claimsSize - tagSize
	_, _ = x.rng.Read(body[:fill])
	c.put(body[fill : fill+claimsSize])
	copy(body[fill+claimsSize:], x.tag(shape.prefix, body[:fill+claimsSize]))

	e := x.enc[:base64.RawURLEncoding.EncodedLen(len(body))]
	base64.RawURLEncoding.Encode(e, body)
	var b strings.Builder // one allocation: the value itself
	b.Grow(len(shape.prefix) + len(e))
	b.WriteString(shape.prefix)
	b.Write(e)
	return b.String()
}

// open checks that v is a value of kind k this minter issued and returns
// its claims. Anything else — another kind, another store's value, a
// value changed in any character — is false, never a panic.
func (m *minter) open(v string, k kind) (claims, bool) {
	shape := shapes[k]
	if len(v) != len(shape.prefix)+shape.body/3*4 || v[:2] != shape.prefix {
		return claims{}, false
	}
	var slot *atomic.Pointer[openedValue]
	if k == kindAccess {
		slot = &m.opened[(uint(v[len(v)-1])*64+uint(v[len(v)-2]))%openedSlots]
		if o := slot.Load(); o != nil && o.v == v {
			return o.c, true
		}
	}
	c, ok := m.check(v, k)
	if ok && slot != nil {
		slot.Store(&openedValue{v: v, c: c})
	}
	return c, ok
}

// check is open without the memory (v has the shape open checked):
// decode, verify the tag, read the claims.
func (m *minter) check(v string, k kind) (claims, bool) {
	shape := shapes[k]
	x := m.work.Get().(*work)
	defer m.work.Put(x)
	// encoding/base64 decodes from a []byte: the string is copied into a
	// buffer first (a string converted in the call would be allocated).
	// Its exact length leaves no room for the line breaks the decoder
	// skips, nor for spare bits.
	src := x.enc[:len(v)-2]
	copy(src, v[2:])
	body := x.raw[:shape.body]
	if n, err := base64.RawURLEncoding.Decode(body, src); err != nil || n != len(body) {
		return claims{}, false
	}
	n := len(body) - tagSize
	if !hmac.Equal(x.tag(shape.prefix, body[:n]), body[n:]) {
		return claims{}, false
	}
	var c claims
	if !c.get(body[n-claimsSize:n]) || c.kind != k {
		return claims{}, false
	}
	return c, true
}

// recognize reports whether v is any value this minter issued.
func (m *minter) recognize(v string) bool {
	var k kind
	switch len(v) {
	case AccessLen:
		k = kindAccess
	case RefreshLen:
		k = kindRefresh
	case CodeLen:
		k = kindCode
	default:
		return false
	}
	_, ok := m.open(v, k)
	return ok
}
