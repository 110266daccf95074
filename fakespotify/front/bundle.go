package front

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// systemBundles are the files Go's crypto/x509 reads the system roots from
// on Linux and the BSDs, in its order; macOS has /etc/ssl/cert.pem too.
var systemBundles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // openSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine, macOS, FreeBSD
}

// WriteBundle writes BundleFile: the system roots followed by the CA, for
// the variables that replace the system bundle rather than add to it
// (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE). It returns the file
// the roots came from, "" when none was found (then the bundle holds the
// CA alone and only Spotify's names verify through it). $SSL_CERT_FILE,
// when set to another file, is the system bundle, as for Go and OpenSSL.
func (ca *CA) WriteBundle() (source string, err error) {
	var roots []byte
	candidates := systemBundles
	if env := os.Getenv("SSL_CERT_FILE"); env != "" && !samePath(env, ca.BundlePath()) {
		candidates = append([]string{env}, candidates...)
	}
	for _, p := range candidates {
		b, err := os.ReadFile(p)
		if err == nil && len(bytes.TrimSpace(b)) > 0 {
			roots, source = b, p
			break
		}
	}
	var out bytes.Buffer
	if len(roots) > 0 {
		out.Write(bytes.ReplaceAll(roots, ca.certPEM, nil)) // never twice
		if roots[len(roots)-1] != '\n' {
			out.WriteByte('\n')
		}
	}
	out.WriteString("# spotcheck fake Spotify CA (" + filepath.Join(ca.Dir, CACertFile) + ")\n")
	out.Write(ca.certPEM)
	if err := writeAtomic(ca.BundlePath(), out.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("CA bundle %s: %w", ca.BundlePath(), unwrapPath(err))
	}
	return source, nil
}

func samePath(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	if err1 != nil || err2 != nil {
		return errors.Is(err1, os.ErrNotExist) && a == b
	}
	return os.SameFile(ia, ib)
}
