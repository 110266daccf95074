package front_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/front"
)

// echo answers with the host, path and whether TLS carried the request.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "%s %s tls=%t", r.Host, r.URL.RequestURI(), r.TLS != nil)
})

type events struct {
	mu  sync.Mutex
	all []front.Event
}

func (e *events) log(ev front.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) warnings() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.all {
		if ev.Level == "warn" {
			out = append(out, ev.Msg)
		}
	}
	return out
}

func openCA() *front.CA {
	ca, err := front.OpenCA(filepath.Join(GinkgoT().TempDir(), "ca"))
	Expect(err).NotTo(HaveOccurred())
	return ca
}

func start(c front.Config) *front.Front {
	if c.Handler == nil {
		c.Handler = echo
	}
	if c.Addrs == nil && c.TLSAddrs == nil {
		c.Addrs = []string{"127.0.0.1:0"}
	}
	f, err := front.Start(c)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(f.Close)
	return f
}

func body(resp *http.Response, err error) (int, string) {
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return resp.StatusCode, string(b)
}

// rawProxy sends one request line to the proxy and returns the status line.
func rawProxy(f *front.Front, line string) string {
	c, err := net.Dial("tcp", f.Addrs()[0])
	Expect(err).NotTo(HaveOccurred())
	defer c.Close()
	fmt.Fprintf(c, "%s\r\nHost: x\r\n\r\n", line)
	status, err := bufio.NewReader(c).ReadString('\n')
	Expect(err).NotTo(HaveOccurred())
	return strings.TrimSpace(status)
}

var _ = Describe("the front", func() {
	var (
		ca *front.CA
		ev *events
	)
	BeforeEach(func() {
		ca = openCA()
		ev = &events{}
	})

	It("serves plain HTTP and TLS on one port, and a TLS-only port", func() {
		f := start(front.Config{CA: ca, Addrs: []string{"127.0.0.1:0"}, TLSAddrs: []string{"127.0.0.1:0"}, Log: ev.log})
		_, b := body(http.Get(f.URL() + "/v1/me"))
		Expect(b).To(HaveSuffix("/v1/me tls=false"))
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
		_, b = body(c.Get("https://" + f.Addrs()[0] + "/api/token"))
		Expect(b).To(HaveSuffix("/api/token tls=true"))
		_, b = body(c.Get(f.TLSURL() + "/x"))
		Expect(b).To(HaveSuffix("/x tls=true"))
		port := strings.Split(f.TLSAddrs()[0], ":")[1]
		_, b = body(c.Get("https://localhost:" + port + "/y"))
		Expect(b).To(HaveSuffix("/y tls=true"))
	})

	It("closes cleanly after serving on every kind of listener", func() {
		f, err := front.Start(front.Config{Handler: echo, CA: ca, Addrs: []string{"127.0.0.1:0"}, TLSAddrs: []string{"127.0.0.1:0"}, Log: ev.log})
		Expect(err).NotTo(HaveOccurred())
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
		for _, u := range []string{f.URL(), "https://" + f.Addrs()[0], f.TLSURL()} {
			status, _ := body(c.Get(u + "/"))
			Expect(status).To(Equal(http.StatusOK))
		}
		plain, err := front.Start(front.Config{Handler: echo, Addrs: []string{"127.0.0.1:0"}})
		Expect(err).NotTo(HaveOccurred())
		status, _ := body(http.Get(plain.URL() + "/"))
		Expect(status).To(Equal(http.StatusOK))
		Expect(f.Close()).To(Succeed())
		Expect(plain.Close()).To(Succeed())
		Expect(f.Close()).To(Succeed(), "twice")
		_, err = http.Get(f.URL() + "/")
		Expect(err).To(HaveOccurred())
	})

	DescribeTable("chooses the certificate by SNI",
		func(sni string, want []string) {
			f := start(front.Config{CA: ca, Log: ev.log})
			// A client that sends a port in SNI cannot verify the name either
			// (hey does not verify at all).
			conn, err := tls.Dial("tcp", f.Addrs()[0], &tls.Config{ServerName: sni, RootCAs: ca.Pool(), InsecureSkipVerify: strings.Contains(sni, ":")})
			Expect(err).NotTo(HaveOccurred())
			defer conn.Close()
			leaf := conn.ConnectionState().PeerCertificates[0]
			var names []string
			names = append(names, leaf.DNSNames...)
			for _, ip := range leaf.IPAddresses {
				names = append(names, ip.String())
			}
			Expect(names).To(Equal(want))
		},
		Entry("accounts", "accounts.spotify.com", []string{"accounts.spotify.com"}),
		Entry("api, any case, final dot", "API.Spotify.com.", []string{"api.spotify.com"}),
		Entry("localhost", "localhost", []string{"localhost", "127.0.0.1", "::1"}),
		Entry("a loopback address with a port, as some clients send", "127.0.0.1:8443", []string{"localhost", "127.0.0.1", "::1"}),
	)

	It("refuses a handshake for any other name, with a log line naming it", func() {
		f := start(front.Config{CA: ca, Log: ev.log})
		_, err := tls.Dial("tcp", f.Addrs()[0], &tls.Config{ServerName: "www.example.com", InsecureSkipVerify: true})
		Expect(err).To(HaveOccurred())
		Eventually(ev.warnings).Should(ContainElement("TLS handshake refused"))
	})

	Describe("as a proxy", func() {
		It("terminates CONNECT to Spotify's hosts and serves them: Client reaches the fake at Spotify's real URLs", func() {
			fake, err := fakespotify.New(fakespotify.DefaultConfig())
			Expect(err).NotTo(HaveOccurred())
			f := start(front.Config{CA: ca, Handler: fake, Log: ev.log})
			web, _ := fake.App("web")
			form := url.Values{"grant_type": {"client_credentials"}}
			req, _ := http.NewRequest(http.MethodPost, "https://accounts.spotify.com/api/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(web.ClientID, web.ClientSecret)
			status, b := body(f.Client().Do(req))
			Expect(status).To(Equal(200), b)
			Expect(b).To(ContainSubstring(`"token_type":"Bearer"`))
			Expect(fake.Requests(web.ClientID)).To(HaveLen(1))
		})

		It("serves absolute-form http:// requests to Spotify's hosts", func() {
			f := start(front.Config{Log: ev.log})
			c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(f.ProxyURL())}}
			_, b := body(c.Get("http://api.spotify.com/v1/me?market=SE"))
			Expect(b).To(Equal("api.spotify.com /v1/me?market=SE tls=false"))
		})

		DescribeTable("refuses every other host with 403 and one log line naming it",
			func(line, host string) {
				f := start(front.Config{CA: ca, Log: ev.log})
				Expect(rawProxy(f, line)).To(Equal("HTTP/1.1 403 Forbidden"))
				Expect(ev.warnings()).To(ConsistOf(ContainSubstring(host)))
			},
			Entry("CONNECT", "CONNECT www.example.com:443 HTTP/1.1", "www.example.com:443"),
			Entry("CONNECT to an IP", "CONNECT 10.1.2.3:443 HTTP/1.1", "10.1.2.3:443"),
			Entry("CONNECT to Spotify on another port", "CONNECT api.spotify.com:8443 HTTP/1.1", "api.spotify.com:8443"),
			Entry("CONNECT to another Spotify host", "CONNECT open.spotify.com:443 HTTP/1.1", "open.spotify.com:443"),
			Entry("absolute-form", "GET http://www.example.com/ HTTP/1.1", "www.example.com:80"),
		)

		It("refuses CONNECT to Spotify without TLS, saying how to turn it on", func() {
			f := start(front.Config{Log: ev.log})
			Expect(rawProxy(f, "CONNECT api.spotify.com:443 HTTP/1.1")).To(Equal("HTTP/1.1 403 Forbidden"))
			Expect(ev.warnings()).To(ConsistOf(ContainSubstring("only with TLS on (spotcheck fake --tls)")))
		})

		It("answers a malformed CONNECT with 400", func() {
			f := start(front.Config{CA: ca, Log: ev.log})
			Expect(rawProxy(f, "CONNECT no-port HTTP/1.1")).To(Equal("HTTP/1.1 400 Bad Request"))
		})

		It("tunnels hosts on the tunnel list, CONNECT and absolute-form alike", func() {
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "the other host") }))
			defer other.Close()
			f := start(front.Config{CA: ca, Tunnel: []string{other.Listener.Addr().String()}, Log: ev.log})
			c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(f.ProxyURL())}}
			_, b := body(c.Get(other.URL + "/"))
			Expect(b).To(Equal("the other host"))

			tlsOther := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "tls other") }))
			defer tlsOther.Close()
			f = start(front.Config{CA: ca, Tunnel: []string{"127.0.0.1"}, Log: ev.log})
			t := tlsOther.Client().Transport.(*http.Transport).Clone()
			t.Proxy = http.ProxyURL(f.ProxyURL())
			_, b = body((&http.Client{Transport: t}).Get(tlsOther.URL))
			Expect(b).To(Equal("tls other"))
		})

		It("never tunnels Spotify's hosts", func() {
			_, err := front.Start(front.Config{Handler: echo, Addrs: []string{"127.0.0.1:0"}, Tunnel: []string{"api.spotify.com"}})
			Expect(err).To(MatchError(ContainSubstring("nothing addressed to Spotify leaves the machine")))
		})
	})

	It("says which address it could not listen on", func() {
		f := start(front.Config{})
		_, err := front.Start(front.Config{Handler: echo, Addrs: []string{f.Addrs()[0]}})
		var le *front.ListenError
		Expect(err).To(BeAssignableToTypeOf(le))
		le = err.(*front.ListenError)
		Expect(le.InUse()).To(BeTrue())
		Expect(le.Addr).To(Equal(f.Addrs()[0]))
	})
})
