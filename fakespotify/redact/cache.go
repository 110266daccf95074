package redact

import "sync"

// Cache remembers the fingerprints of values seen again and again — the
// same Basic credentials or bearer token on every request of a load test —
// so that a log line does not hash them each time. It holds the values
// themselves, so it lives only in memory that already holds them (the
// fake's request log), and it is bounded: when full it starts over. The
// zero value is ready to use.
type Cache struct {
	fps, auths cache
}

type cache struct {
	mu sync.RWMutex
	m  map[string]string
}

// get returns the remembered f(v), computing and remembering it if need be.
func (c *cache) get(v string, f func(string) string) string {
	c.mu.RLock()
	out, ok := c.m[v]
	c.mu.RUnlock()
	if ok {
		return out
	}
	out = f(v)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= cacheSize {
		c.m = make(map[string]string, 64)
	}
	c.m[v] = out
	c.mu.Unlock()
	return out
}

// cacheSize bounds a Cache: a few thousand distinct credentials cover any
// test suite's apps and users; a flood of distinct values only resets it.
const cacheSize = 4096

// Fingerprint is Fingerprint(v), remembered.
func (c *Cache) Fingerprint(v string) string { return c.fps.get(v, Fingerprint) }

// Authorization is Authorization(v), remembered.
func (c *Cache) Authorization(v string) string { return c.auths.get(v, Authorization) }
