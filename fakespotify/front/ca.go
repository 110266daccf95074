package front

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// The Spotify host names the fake answers for.
const (
	AccountsHost = "accounts.spotify.com"
	APIHost      = "api.spotify.com"
)

// Files in a CA directory. The names follow mitmproxy's (mitmproxy-ca.pem,
// mitmproxy-ca-cert.pem), which users of intercepting proxies know.
const (
	// CAFile holds the CA's private key and certificate; mode 0600.
	CAFile = "spotcheck-ca.pem"
	// CACertFile is the CA certificate alone: what to trust
	// (NODE_EXTRA_CA_CERTS, a system trust store).
	CACertFile = "spotcheck-ca-cert.pem"
	// BundleFile is the system roots plus the CA, for the variables that
	// replace the system bundle (SSL_CERT_FILE, REQUESTS_CA_BUNDLE,
	// CURL_CA_BUNDLE). It is rewritten at every start.
	BundleFile = "spotcheck-bundle.pem"
)

// CA lifetimes: the CA lives long (trust is set up once per machine, and
// its name constraints make a long life harmless); leaves live a day and
// are issued again in memory whenever the front starts or they run low.
const (
	caLifetime   = 10 * 365 * 24 * time.Hour
	leafLifetime = 24 * time.Hour
	clockSkew    = time.Hour
)

// The names the CA may certify, as X.509 name constraints: exactly these
// DNS names (the excluded ".name" forms keep subdomains out) and IPs.
var (
	permittedDNS = []string{AccountsHost, APIHost, "localhost"}
	excludedDNS  = []string{"." + AccountsHost, "." + APIHost, ".localhost"}
	permittedIPs = []*net.IPNet{
		{IP: net.IPv4(127, 0, 0, 1).To4(), Mask: net.CIDRMask(32, 32)},
		{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)},
	}
)

// CA is the local certificate authority of the fake's TLS front.
type CA struct {
	// Dir is the directory the CA lives in.
	Dir string
	// Cert is the CA certificate.
	Cert *x509.Certificate
	// Created reports that OpenCA made the CA just now.
	Created bool

	key     *ecdsa.PrivateKey
	certPEM []byte
}

// DefaultCADir is where the CA lives unless told otherwise:
// os.UserConfigDir()/spotcheck/ca.
func DefaultCADir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory for the CA (%v): choose one with --ca-dir", err)
	}
	return filepath.Join(dir, "spotcheck", "ca"), nil
}

// OpenCA loads the CA in dir, or makes one there if dir is new or empty.
// It never writes over what it cannot read as its own CA: a corrupt CA
// file, a foreign CA (one without spotcheck's name constraints), a key
// others can read, or a directory holding other files is an error that
// says what to do. Concurrent first calls (several processes starting at
// once) make one CA: the CA file is created atomically, and whoever loses
// the race loads the winner's.
func OpenCA(dir string) (*CA, error) {
	if dir == "" {
		return nil, errors.New("CA directory: empty path")
	}
	path := filepath.Join(dir, CAFile)
	ca, err := loadCA(dir)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return ca, err
	}
	if err := checkEmptyish(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("CA directory %s: %w", dir, unwrapPath(err))
	}
	pemBytes, err := newCAPEM()
	if err != nil {
		return nil, err
	}
	created, err := createOnce(path, pemBytes)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", path, unwrapPath(err))
	}
	ca, err = loadCA(dir)
	if err != nil {
		return nil, err
	}
	ca.Created = created
	return ca, nil
}

// loadCA reads dir/CAFile and checks it is a CA this package made;
// fs.ErrNotExist when there is none. It (re)writes CACertFile.
func loadCA(dir string) (*CA, error) {
	path := filepath.Join(dir, CAFile)
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("CA %s: %w", path, unwrapPath(err))
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("CA key %s is readable by others (mode %04o): chmod 600 %s", path, info.Mode().Perm(), path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", path, unwrapPath(err))
	}
	ca, err := parseCA(raw)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %v; move it away or choose another --ca-dir (spotcheck never writes over it)", path, err)
	}
	ca.Dir = dir
	if now := time.Now(); now.After(ca.Cert.NotAfter) {
		return nil, fmt.Errorf("CA %s expired on %s: delete %s to make a new one (and trust the new one)", path, ca.Cert.NotAfter.Format(time.DateOnly), dir)
	}
	if err := writeAtomic(filepath.Join(dir, CACertFile), ca.certPEM, 0o644); err != nil {
		return nil, fmt.Errorf("CA certificate %s: %w", filepath.Join(dir, CACertFile), unwrapPath(err))
	}
	return ca, nil
}

// parseCA reads a key and a certificate from PEM and checks that they are
// a pair and that the certificate is a spotcheck CA.
func parseCA(raw []byte) (*CA, error) {
	ca := &CA{}
	for rest := raw; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "EC PRIVATE KEY":
			k, err := x509.ParseECPrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("unreadable private key: %v", err)
			}
			ca.key = k
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("unreadable certificate: %v", err)
			}
			ca.Cert = c
			ca.certPEM = pem.EncodeToMemory(b)
		}
	}
	switch {
	case ca.key == nil && ca.Cert == nil:
		return nil, errors.New("not a PEM file with a key and a certificate")
	case ca.key == nil:
		return nil, errors.New("no EC private key in it")
	case ca.Cert == nil:
		return nil, errors.New("no certificate in it")
	}
	pub, ok := ca.Cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(&ca.key.PublicKey) {
		return nil, errors.New("the certificate does not belong to the key")
	}
	if !ca.Cert.IsCA || !ca.Cert.PermittedDNSDomainsCritical ||
		!slices.Equal(ca.Cert.PermittedDNSDomains, permittedDNS) || !slices.Equal(ca.Cert.ExcludedDNSDomains, excludedDNS) ||
		!slices.EqualFunc(ca.Cert.PermittedIPRanges, permittedIPs, func(a, b *net.IPNet) bool { return a.String() == b.String() }) {
		return nil, errors.New("not a spotcheck CA (a CA without spotcheck's name constraints would let its holder impersonate any site)")
	}
	return ca, nil
}

// checkEmptyish refuses a directory that holds files that are not ours:
// --ca-dir pointed at the wrong place, or a CA whose key was deleted while
// its certificate (perhaps trusted somewhere) is still there.
func checkEmptyish(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("CA directory %s: %w", dir, unwrapPath(err))
	}
	for _, e := range entries {
		if e.Name() == CAFile {
			return nil // made by a concurrent first start: load it
		}
	}
	for _, e := range entries {
		switch name := e.Name(); {
		case strings.HasPrefix(name, ".tmp-"), name == BundleFile:
		case name == CACertFile:
			return fmt.Errorf("CA directory %s has %s but not %s (its key): delete %s to make a new CA (and trust the new one)", dir, CACertFile, CAFile, dir)
		default:
			return fmt.Errorf("CA directory %s holds files that are not spotcheck's CA (%s): choose an empty or new --ca-dir", dir, name)
		}
	}
	return nil
}

// newCAPEM makes a key and a self-signed, name-constrained CA certificate.
func newCAPEM() ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject: pkix.Name{
			Organization: []string{"spotcheck"},
			CommonName:   strings.TrimSpace("spotcheck fake Spotify CA " + host),
		},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,

		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         permittedDNS,
		ExcludedDNSDomains:          excludedDNS,
		PermittedIPRanges:           permittedIPs,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# spotcheck's fake Spotify CA: private key and certificate. Keep it private.\n")
	_ = pem.Encode(&b, &pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	return b.Bytes(), nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n.Add(n, big.NewInt(1))
}

// createOnce writes content to path unless path exists, atomically: the
// content goes to a temporary file first and is hard-linked into place,
// so nobody ever reads half a CA. It reports whether it created path.
func createOnce(path string, content []byte) (bool, error) {
	tmp, err := writeTemp(path, content, 0o600)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		// A file system without hard links: exclusive create, one write.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if _, err := f.Write(content); err != nil {
			f.Close()
			return false, err
		}
		return true, f.Close()
	}
	return true, nil
}

// writeAtomic replaces path with content: readers see the old file or the
// new one, never a mix.
func writeAtomic(path string, content []byte, mode os.FileMode) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
		return nil
	}
	tmp, err := writeTemp(path, content, mode)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func writeTemp(path string, content []byte, mode os.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	err = f.Chmod(mode)
	if err == nil {
		_, err = f.Write(content)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// unwrapPath drops the operation and path that a *fs.PathError repeats:
// callers name the path themselves.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// CertPath is the file holding the CA certificate alone.
func (ca *CA) CertPath() string { return filepath.Join(ca.Dir, CACertFile) }

// BundlePath is the file holding the system roots and the CA.
func (ca *CA) BundlePath() string { return filepath.Join(ca.Dir, BundleFile) }

// CertPEM is the CA certificate in PEM.
func (ca *CA) CertPEM() []byte { return slices.Clone(ca.certPEM) }

// Pool is a certificate pool holding only the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// TrustCommands are the commands that add the CA to the system trust
// store of each platform. spotcheck never runs them itself.
func (ca *CA) TrustCommands() []string {
	return []string{
		"Debian/Ubuntu: sudo cp " + ca.CertPath() + " /usr/local/share/ca-certificates/spotcheck-fake-spotify.crt && sudo update-ca-certificates",
		"macOS:         sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain " + ca.CertPath(),
		"Windows:       certutil -user -addstore Root " + ca.CertPath(),
	}
}
