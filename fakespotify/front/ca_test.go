package front_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/front"
)

func newKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	return k
}

var _ = Describe("the CA", func() {
	var dir string
	BeforeEach(func() { dir = filepath.Join(GinkgoT().TempDir(), "spotcheck", "ca") })

	It("is made once: directory 0700, key 0600, the certificate alone beside it; later opens load it", func() {
		ca, err := front.OpenCA(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(ca.Created).To(BeTrue())
		st, err := os.Stat(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o700)))
		st, err = os.Stat(filepath.Join(dir, front.CAFile))
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o600)))
		pemCert, err := os.ReadFile(ca.CertPath())
		Expect(err).NotTo(HaveOccurred())
		Expect(string(pemCert)).NotTo(ContainSubstring("PRIVATE KEY"))
		Expect(pemCert).To(Equal(ca.CertPEM()))

		again, err := front.OpenCA(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Created).To(BeFalse())
		Expect(again.Cert.Equal(ca.Cert)).To(BeTrue())
		Expect(ca.Cert.PublicKeyAlgorithm).To(Equal(x509.ECDSA))
		Expect(ca.Cert.MaxPathLenZero).To(BeTrue())
	})

	It("is one CA when many processes start for the first time at once", func() {
		const n = 8
		cas := make([]*front.CA, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				ca, err := front.OpenCA(dir)
				Expect(err).NotTo(HaveOccurred())
				cas[i] = ca
			}()
		}
		wg.Wait()
		created := 0
		for _, ca := range cas {
			Expect(ca.Cert.Equal(cas[0].Cert)).To(BeTrue())
			if ca.Created {
				created++
			}
		}
		Expect(created).To(Equal(1))
		entries, err := os.ReadDir(dir)
		Expect(err).NotTo(HaveOccurred())
		for _, e := range entries {
			Expect(e.Name()).NotTo(HavePrefix(".tmp-"), "no temporary file is left behind")
		}
	})

	DescribeTable("its name constraints, checked by Go's verifier",
		func(name string, ok bool) {
			ca, err := front.OpenCA(dir)
			Expect(err).NotTo(HaveOccurred())
			leaf, err := ca.Issue(newKey(), name)
			Expect(err).NotTo(HaveOccurred())
			_, err = leaf.Leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: ca.Pool()})
			if ok {
				Expect(err).NotTo(HaveOccurred())
			} else {
				Expect(err).To(HaveOccurred())
				Expect(err.Error()).To(Or(ContainSubstring("constraint"), ContainSubstring("not permitted"), ContainSubstring("excluded")))
			}
		},
		Entry("accounts.spotify.com", "accounts.spotify.com", true),
		Entry("api.spotify.com", "api.spotify.com", true),
		Entry("localhost", "localhost", true),
		Entry("127.0.0.1", "127.0.0.1", true),
		Entry("::1", "::1", true),
		Entry("another site", "www.example.com", false),
		Entry("Spotify's own domain", "spotify.com", false),
		Entry("another Spotify host", "open.spotify.com", false),
		Entry("a subdomain of a permitted name", "evil.accounts.spotify.com", false),
		Entry("a subdomain of localhost", "evil.localhost", false),
		Entry("a name that ends like one", "notapi.spotify.com", false),
		Entry("another loopback address", "127.0.0.2", false),
		Entry("a private address", "10.0.0.1", false),
	)

	It("marks its name constraints critical and limits itself to server authentication", func() {
		ca, err := front.OpenCA(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(ca.Cert.PermittedDNSDomainsCritical).To(BeTrue())
		Expect(ca.Cert.ExtKeyUsage).To(Equal([]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}))
	})

	It("issues day-long leaves", func() {
		ca, err := front.OpenCA(dir)
		Expect(err).NotTo(HaveOccurred())
		leaf, err := ca.Issue(newKey(), "api.spotify.com")
		Expect(err).NotTo(HaveOccurred())
		Expect(leaf.Leaf.NotAfter.Sub(leaf.Leaf.NotBefore)).To(BeNumerically("<=", 25*time.Hour))
	})

	Describe("a directory it cannot call its own", func() {
		write := func(name, content string, mode os.FileMode) string {
			Expect(os.MkdirAll(dir, 0o700)).To(Succeed())
			p := filepath.Join(dir, name)
			Expect(os.WriteFile(p, []byte(content), mode)).To(Succeed())
			Expect(os.Chmod(p, mode)).To(Succeed())
			return p
		}
		unchanged := func(p, content string) {
			b, err := os.ReadFile(p)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(b)).To(Equal(content))
		}

		It("refuses a corrupt CA file and leaves it alone", func() {
			p := write(front.CAFile, "garbage\n", 0o600)
			_, err := front.OpenCA(dir)
			Expect(err).To(MatchError(ContainSubstring(p + ": not a PEM file with a key and a certificate; move it away or choose another --ca-dir (spotcheck never writes over it)")))
			Expect(strings.Count(err.Error(), "\n")).To(Equal(0))
			unchanged(p, "garbage\n")
		})

		It("refuses a CA without spotcheck's name constraints", func() {
			key := newKey()
			tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "some proxy CA"},
				NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
				BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
			Expect(err).NotTo(HaveOccurred())
			kder, err := x509.MarshalECPrivateKey(key)
			Expect(err).NotTo(HaveOccurred())
			content := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})) + string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
			p := write(front.CAFile, content, 0o600)
			_, err = front.OpenCA(dir)
			Expect(err).To(MatchError(ContainSubstring("not a spotcheck CA")))
			unchanged(p, content)
		})

		It("refuses a key that others can read", func() {
			ca, err := front.OpenCA(dir)
			Expect(err).NotTo(HaveOccurred())
			p := filepath.Join(ca.Dir, front.CAFile)
			Expect(os.Chmod(p, 0o644)).To(Succeed())
			_, err = front.OpenCA(dir)
			Expect(err).To(MatchError("CA key " + p + " is readable by others (mode 0644): chmod 600 " + p))
		})

		It("refuses a directory that holds other files, and writes nothing there", func() {
			write("notes.txt", "mine", 0o644)
			_, err := front.OpenCA(dir)
			Expect(err).To(MatchError(ContainSubstring("holds files that are not spotcheck's CA (notes.txt): choose an empty or new --ca-dir")))
			entries, _ := os.ReadDir(dir)
			Expect(entries).To(HaveLen(1))
		})

		It("refuses a CA certificate whose key is gone rather than make a new, untrusted CA", func() {
			write(front.CACertFile, "-----BEGIN CERTIFICATE-----\n", 0o644)
			_, err := front.OpenCA(dir)
			Expect(err).To(MatchError(ContainSubstring("has spotcheck-ca-cert.pem but not spotcheck-ca.pem (its key)")))
		})
	})

	Describe("the bundle", func() {
		It("holds the system roots and the CA once, even when SSL_CERT_FILE already points at it", func() {
			ca, err := front.OpenCA(dir)
			Expect(err).NotTo(HaveOccurred())
			roots := filepath.Join(GinkgoT().TempDir(), "roots.pem")
			other, err := front.OpenCA(filepath.Join(GinkgoT().TempDir(), "other"))
			Expect(err).NotTo(HaveOccurred())
			Expect(os.WriteFile(roots, other.CertPEM(), 0o644)).To(Succeed())
			GinkgoT().Setenv("SSL_CERT_FILE", roots)
			src, err := ca.WriteBundle()
			Expect(err).NotTo(HaveOccurred())
			Expect(src).To(Equal(roots))
			b, err := os.ReadFile(ca.BundlePath())
			Expect(err).NotTo(HaveOccurred())
			Expect(string(b)).To(HavePrefix(string(other.CertPEM())))
			Expect(strings.Count(string(b), string(ca.CertPEM()))).To(Equal(1))

			GinkgoT().Setenv("SSL_CERT_FILE", ca.BundlePath())
			src, err = ca.WriteBundle()
			Expect(err).NotTo(HaveOccurred())
			Expect(src).NotTo(Equal(ca.BundlePath()))
			b, err = os.ReadFile(ca.BundlePath())
			Expect(err).NotTo(HaveOccurred())
			Expect(strings.Count(string(b), string(ca.CertPEM()))).To(Equal(1))
			pool := x509.NewCertPool()
			Expect(pool.AppendCertsFromPEM(b)).To(BeTrue())
		})

		It("prints a trust command per platform and runs none", func() {
			ca, err := front.OpenCA(dir)
			Expect(err).NotTo(HaveOccurred())
			cmds := ca.TrustCommands()
			Expect(cmds).To(HaveLen(3))
			Expect(cmds[0]).To(ContainSubstring("update-ca-certificates"))
			Expect(cmds[1]).To(ContainSubstring("security add-trusted-cert"))
			Expect(cmds[2]).To(ContainSubstring("certutil"))
			for _, c := range cmds {
				Expect(c).To(ContainSubstring(ca.CertPath()))
			}
		})
	})
})
