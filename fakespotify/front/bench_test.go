package front_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/front"
)

// benchFront serves the built-in fake with TLS on a free port.
func benchFront(b *testing.B) (*front.Front, *fakespotify.Fake) {
	ca, err := front.OpenCA(filepath.Join(b.TempDir(), "ca"))
	if err != nil {
		b.Fatal(err)
	}
	fake, err := fakespotify.New(fakespotify.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	f, err := front.Start(front.Config{Handler: fake, CA: ca, Addrs: []string{"127.0.0.1:0"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f, fake
}

// BenchmarkTLSHandshake is one full TLS handshake (ECDSA P-256, TLS 1.3)
// with the front on loopback, by SNI api.spotify.com.
func BenchmarkTLSHandshake(b *testing.B) {
	f, _ := benchFront(b)
	conf := &tls.Config{ServerName: front.APIHost, RootCAs: f.CA().Pool(), ClientSessionCache: nil}
	b.ResetTimer()
	for b.Loop() {
		c, err := tls.Dial("tcp", f.Addrs()[0], conf)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkTokenThroughput is client-credentials tokens over keep-alive
// connections from parallel clients: plain HTTP, HTTPS on the same port,
// and HTTPS to https://accounts.spotify.com through the proxy. Compare
// the three in one run (the machine's load moves all of them).
func BenchmarkTokenThroughput(b *testing.B) {
	f, fake := benchFront(b)
	web, _ := fake.App("web")
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	pool := f.CA().Pool()
	for _, c := range []struct {
		name   string
		url    string
		client func() *http.Client
	}{
		{"plain", f.URL(), func() *http.Client { return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}} }},
		{"tls", "https://" + f.Addrs()[0], func() *http.Client {
			return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, TLSClientConfig: &tls.Config{RootCAs: pool}}}
		}},
		{"proxy", "https://" + front.AccountsHost, func() *http.Client {
			return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, Proxy: http.ProxyURL(f.ProxyURL()), TLSClientConfig: &tls.Config{RootCAs: pool}}}
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			fake.ResetRequests("*")
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				client := c.client()
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, c.url+"/api/token", strings.NewReader(form))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.SetBasicAuth(web.ClientID, web.ClientSecret)
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
