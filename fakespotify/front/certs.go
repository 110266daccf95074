package front

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// Issue signs a leaf certificate for names (DNS names or IP literals),
// valid for a day. The CA's name constraints still apply: a verifier
// rejects a certificate for any other name, which is what makes trusting
// the CA safe.
func (ca *CA) Issue(key *ecdsa.PrivateKey, names ...string) (*tls.Certificate, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("issue: no names")
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"spotcheck fake Spotify"}, CommonName: names[0]},
		NotBefore:    now.Add(-clockSkew),
		NotAfter:     minTime(now.Add(leafLifetime), ca.Cert.NotAfter),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// certGroups are the certificates the front serves, one per service as
// Spotify has, and one for loopback (clients send no SNI for an IP).
var certGroups = [][]string{
	{AccountsHost},
	{APIHost},
	{"localhost", "127.0.0.1", "::1"},
}

// certs picks a leaf by SNI and issues the leaves again when they run low.
type certs struct {
	ca  *CA
	key *ecdsa.PrivateKey

	mu     sync.Mutex
	leaves map[string]*tls.Certificate // by name
	renew  time.Time
}

func newCerts(ca *CA) (*certs, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c := &certs{ca: ca, key: key}
	if err := c.issue(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *certs) issue() error {
	leaves := map[string]*tls.Certificate{}
	for _, g := range certGroups {
		cert, err := c.ca.Issue(c.key, g...)
		if err != nil {
			return err
		}
		for _, n := range g {
			leaves[n] = cert
		}
		c.renew = cert.Leaf.NotAfter.Add(-clockSkew)
	}
	c.leaves = leaves
	return nil
}

// forName returns the leaf for a server name: a Spotify host, localhost,
// a loopback IP, or "" (no SNI) for loopback.
func (c *certs) forName(name string) (*tls.Certificate, error) {
	if host, _, err := net.SplitHostPort(name); err == nil {
		name = host // a port has no place in SNI, but some clients (hey) send one
	}
	name = normalizeHost(name)
	if name == "" {
		name = "127.0.0.1"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Now().After(c.renew) {
		if err := c.issue(); err != nil {
			return nil, err
		}
	}
	if cert, ok := c.leaves[name]; ok {
		return cert, nil
	}
	if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
		return c.leaves["127.0.0.1"], nil
	}
	return nil, fmt.Errorf("no certificate for %q: the fake serves %s, %s and loopback", name, AccountsHost, APIHost)
}

// normalizeHost lower-cases a host name and drops a final dot, as DNS
// compares names.
func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// IsSpotifyHost reports whether host (without port) is one of the names
// the fake answers for on Spotify's behalf.
func IsSpotifyHost(host string) bool {
	switch normalizeHost(host) {
	case AccountsHost, APIHost:
		return true
	}
	return false
}
