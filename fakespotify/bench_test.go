package fakespotify_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// loadResult is what one fixed-duration load run measured.
type loadResult struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

// load drives url with conc keep-alive clients for dur, POSTing body.
func load(tb testing.TB, target string, body string, header http.Header, conc int, dur time.Duration) loadResult {
	tr := &http.Transport{MaxIdleConns: conc, MaxIdleConnsPerHost: conc, DisableCompression: true,
		DialContext: (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var count, errs atomic.Int64
	lat := make([][]time.Duration, conc)
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
				req.Header = header.Clone()
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
				}
				lat[i] = append(lat[i], time.Since(t0))
				count.Add(1)
			}
		}(i)
	}
	wg.Wait()
	return summarize(tb, lat, float64(count.Load())/dur.Seconds(), errs.Load())
}

// summarize merges the clients' latencies into the result.
func summarize(tb testing.TB, lat [][]time.Duration, rps float64, errs int64) loadResult {
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) == 0 {
		tb.Fatal("no requests completed")
	}
	return loadResult{rps: rps, p50: all[len(all)/2], p99: all[len(all)*99/100], errors: errs}
}

// loadAtRate offers rate requests/s for dur, spread over conc keep-alive
// clients, and measures each latency from when its request was due, not
// from when it was sent: a stalled server cannot hide its own delay
// (coordinated omission).
func loadAtRate(tb testing.TB, target, body string, header http.Header, conc int, rate float64, dur time.Duration) loadResult {
	tr := &http.Transport{MaxIdleConns: conc, MaxIdleConnsPerHost: conc, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	interval := time.Duration(float64(time.Second) * float64(conc) / rate)
	lat := make([][]time.Duration, conc)
	var errs atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			due := start.Add(time.Duration(i) * interval / time.Duration(conc))
			for due.Before(start.Add(dur)) {
				if wait := time.Until(due); wait > 0 {
					time.Sleep(wait) // pacing the offered load, not synchronising a test
				}
				req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
				req.Header = header.Clone()
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
				} else {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						errs.Add(1)
					}
				}
				lat[i] = append(lat[i], time.Since(due))
				due = due.Add(interval)
			}
		}(i)
	}
	wg.Wait()
	n := 0
	for _, l := range lat {
		n += len(l)
	}
	return summarize(tb, lat, float64(n)/dur.Seconds(), errs.Load())
}

// tokenLoadSetup starts an empty net/http handler (the baseline) and a
// fake, both closed when the benchmark ends, and returns their URLs and a
// client-credentials request for the built-in web app.
func tokenLoadSetup(b *testing.B) (emptyURL, tokenURL string, h http.Header, body string) {
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	b.Cleanup(empty.Close)
	srv, err := fakespotify.Start(fakespotify.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	app, _ := srv.App("web")
	h = http.Header{
		"Content-Type":  {"application/x-www-form-urlencoded"},
		"Authorization": {basicAuth(app)},
	}
	return empty.URL, srv.URL + "/api/token", h, "grant_type=client_credentials"
}

// BenchmarkTokenLatencyAt20k offers the target rate, 20,000 token
// requests a second, to the fake and to an empty handler in the same run,
// and compares their p99: latency at a given load, where the closed-loop
// benchmark above measures how much load there can be.
func BenchmarkTokenLatencyAt20k(b *testing.B) {
	const conc, rate, dur = 32, 20000.0, 3 * time.Second
	emptyURL, tokenURL, h, body := tokenLoadSetup(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		base := loadAtRate(b, emptyURL, body, h, conc, rate, dur)
		fake := loadAtRate(b, tokenURL, body, h, conc, rate, dur)
		if fake.errors > 0 {
			b.Fatalf("%d failed token requests", fake.errors)
		}
		b.ReportMetric(fake.rps, "tokens/s")
		b.ReportMetric(float64(fake.p50.Microseconds()), "p50-µs")
		b.ReportMetric(float64(fake.p99.Microseconds()), "p99-µs")
		b.ReportMetric(float64(base.p50.Microseconds()), "empty-p50-µs")
		b.ReportMetric(float64(base.p99.Microseconds()), "empty-p99-µs")
		b.ReportMetric(float64(fake.p99)/float64(base.p99), "p99-ratio")
	}
}

// BenchmarkTokenThroughput measures client-credentials token responses per
// second over loopback HTTP with 32 keep-alive clients, next to an empty
// net/http handler measured the same way in the same run (the load
// generator shares the machine's cores with the server in both).
func BenchmarkTokenThroughput(b *testing.B) {
	const conc, dur = 32, 3 * time.Second
	emptyURL, tokenURL, h, body := tokenLoadSetup(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		base := load(b, emptyURL, body, h, conc, dur)
		fake := load(b, tokenURL, body, h, conc, dur)
		if fake.errors > 0 {
			b.Fatalf("%d failed token requests", fake.errors)
		}
		b.ReportMetric(fake.rps, "tokens/s")
		b.ReportMetric(float64(fake.p50.Microseconds()), "p50-µs")
		b.ReportMetric(float64(fake.p99.Microseconds()), "p99-µs")
		b.ReportMetric(base.rps, "empty-req/s")
		b.ReportMetric(float64(base.p99.Microseconds()), "empty-p99-µs")
		b.ReportMetric(fake.rps/base.rps, "ratio")
		b.ReportMetric(float64(fake.p99)/float64(base.p99), "p99-ratio")
	}
}

// BenchmarkAuthorizeExchangeFlow measures complete flows (authorize with
// auto consent, then the code exchange) per second, one client after another.
func BenchmarkAuthorizeExchangeFlow(b *testing.B) {
	srv, err := fakespotify.Start(fakespotify.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	app, err := srv.CloneApp("web", fakespotify.AppOverrides{Consent: config.ConsentAuto, AutoUser: "alice"})
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"client_id": {app.ClientID}, "response_type": {"code"}, "redirect_uri": {webRedir}, "state": {"s"}, "scope": {"user-read-email"}}.Encode()
	basic := basicAuth(app)
	flows := 0
	start := time.Now()
	b.ResetTimer()
	for time.Since(start) < 2*time.Second || flows < b.N {
		resp, err := client.Get(srv.URL + "/authorize?" + q)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/token", strings.NewReader(exchangeForm(loc.Query().Get("code"), webRedir).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", basic)
		tr, err := client.Do(req)
		if err != nil || tr.StatusCode != http.StatusOK {
			b.Fatalf("exchange failed: %v", err)
		}
		_, _ = io.Copy(io.Discard, tr.Body)
		tr.Body.Close()
		flows++
	}
	b.ReportMetric(float64(flows)/time.Since(start).Seconds(), "flows/s")
}

// BenchmarkMillionTokensMemory issues a million client-credentials tokens
// while the fake's clock moves 3 h every 10,000 tokens (so tokens keep
// expiring), and reports the live heap at each quarter: it must stay flat.
func BenchmarkMillionTokensMemory(b *testing.B) {
	for i := 0; i < b.N; i++ {
		f, err := fakespotify.New(fakespotify.DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		app, _ := f.App("web")
		basic := basicAuth(app)
		var heaps []float64
		for n := 1; n <= 1_000_000; n++ {
			req := httptest.NewRequest(http.MethodPost, "/api/token", strings.NewReader("grant_type=client_credentials"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", basic)
			rec := httptest.NewRecorder()
			f.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("token %d: %d", n, rec.Code)
			}
			if n%10_000 == 0 {
				f.AdvanceClock(3 * time.Hour)
			}
			if n%250_000 == 0 {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				heaps = append(heaps, float64(ms.HeapInuse)/(1<<20))
			}
		}
		_, live, _ := f.StoreSizes()
		b.ReportMetric(heaps[0], "heap-MiB@250k")
		b.ReportMetric(heaps[1], "heap-MiB@500k")
		b.ReportMetric(heaps[2], "heap-MiB@750k")
		b.ReportMetric(heaps[3], "heap-MiB@1M")
		b.ReportMetric(float64(live), "live-tokens@1M")
	}
}

// userToken authorizes alice for a clone of web with auto consent, through
// the handler, and returns the access token.
func userToken(b *testing.B, f *fakespotify.Fake) string {
	app, err := f.CloneApp("web", fakespotify.AppOverrides{Consent: config.ConsentAuto, AutoUser: "alice"})
	if err != nil {
		b.Fatal(err)
	}
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/authorize?"+url.Values{"client_id": {app.ClientID}, "response_type": {"code"},
		"redirect_uri": {webRedir}, "scope": {"user-read-email user-read-private"}}.Encode(), nil))
	loc, _ := url.Parse(rec.Header().Get("Location"))
	req := httptest.NewRequest(http.MethodPost, "/api/token", strings.NewReader(exchangeForm(loc.Query().Get("code"), webRedir).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basicAuth(app))
	rec = httptest.NewRecorder()
	f.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("exchange: %d %s", rec.Code, rec.Body)
	}
	return strings.Split(strings.Split(rec.Body.String(), `"access_token":"`)[1], `"`)[0]
}

// BenchmarkTokenEndpointApps measures the handler's cost per
// client-credentials request and per GET /v1/me with one app and with
// 1,000 cloned apps registered, each with a fault of its own queued
// (issue 13 target 3): nothing the token endpoint or the Web API does per
// request may walk the apps. "log-off"
// is the request path alone; "log-on" adds the request log and its
// redaction, whose cost is the redaction set's (one secret per app).
func BenchmarkTokenEndpointApps(b *testing.B) {
	for _, logged := range []bool{false, true} {
		for _, apps := range []int{1, 1000} {
			name := map[bool]string{false: "log-off", true: "log-on"}[logged] + "/apps-" + strconv.Itoa(apps)
			b.Run(name, func(b *testing.B) {
				var opts []fakespotify.Option
				if !logged {
					opts = append(opts, fakespotify.WithRequestLog(0))
				} else {
					opts = append(opts, fakespotify.WithLogger(func(fakespotify.Request) {}))
				}
				f, err := fakespotify.New(fakespotify.DefaultConfig(), opts...)
				if err != nil {
					b.Fatal(err)
				}
				for i := 1; i < apps; i++ {
					a, err := f.CloneApp("web", fakespotify.AppOverrides{ClientSecret: "secret-of-clone-" + strconv.Itoa(i)})
					if err != nil {
						b.Fatal(err)
					}
					// As a scenario run leaves them: a fault of its own per clone.
					f.Inject(fakespotify.Fault{Path: "/api/token", ClientID: a.ClientID, Status: http.StatusTooManyRequests, Count: -1})
				}
				app, _ := f.App("web")
				basic := basicAuth(app)
				tokenReq := func() *http.Request {
					req := httptest.NewRequest(http.MethodPost, "/api/token", strings.NewReader("grant_type=client_credentials"))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Authorization", basic)
					return req
				}
				tok := userToken(b, f)
				b.Run("token", func(b *testing.B) {
					b.ReportAllocs()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							rec := httptest.NewRecorder()
							f.ServeHTTP(rec, tokenReq())
							if rec.Code != http.StatusOK {
								b.Fatalf("token: %d", rec.Code)
							}
						}
					})
				})
				b.Run("me", func(b *testing.B) {
					b.ReportAllocs()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							req := httptest.NewRequest(http.MethodGet, "/v1/me", nil)
							req.Header.Set("Authorization", "Bearer "+tok)
							rec := httptest.NewRecorder()
							f.ServeHTTP(rec, req)
							if rec.Code != http.StatusOK {
								b.Fatalf("api: %d", rec.Code)
							}
						}
					})
				})
			})
		}
	}
}
