package fakespotify_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// BenchmarkTokenThroughputGrading measures client-credentials token
// responses per second (32 keep-alive clients over loopback, as
// BenchmarkTokenThroughput) on three fakes: request log off
// (WithRequestLog(0), the baseline), request log on (the default 1024 per
// app: all that grading needs), and log on while a poller grades the app
// every 50 ms — far more often than any CI job would. The three take turns
// in 1 s slices, 7 rounds, and each reports its median, so that load from
// elsewhere on the machine falls on all three alike.
func BenchmarkTokenThroughputGrading(b *testing.B) {
	const conc, slice, rounds = 32, time.Second, 7
	start := func(opts ...fakespotify.Option) (*fakespotify.Server, http.Header, string) {
		srv, err := fakespotify.Start(fakespotify.DefaultConfig(), opts...)
		if err != nil {
			b.Fatal(err)
		}
		app, _ := srv.App("web")
		h := http.Header{
			"Content-Type":  {"application/x-www-form-urlencoded"},
			"Authorization": {basicAuth(app)},
		}
		return srv, h, app.ClientID
	}
	const body = "grant_type=client_credentials"
	median := func(rs []loadResult, f func(loadResult) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	for i := 0; i < b.N; i++ {
		off, hOff, _ := start(fakespotify.WithRequestLog(0))
		on, hOn, _ := start()
		graded, hGraded, id := start()
		var offR, onR, gradedR []loadResult
		grades := 0
		for round := 0; round < rounds; round++ {
			offR = append(offR, load(b, off.URL+"/api/token", body, hOff, conc, slice))
			onR = append(onR, load(b, on.URL+"/api/token", body, hOn, conc, slice))

			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := time.NewTicker(50 * time.Millisecond)
				defer t.Stop()
				for {
					select {
					case <-stop:
						return
					case <-t.C:
						_ = graded.Grade(id)
						grades++
					}
				}
			}()
			gradedR = append(gradedR, load(b, graded.URL+"/api/token", body, hGraded, conc, slice))
			close(stop)
			wg.Wait()
		}
		off.Close()
		on.Close()
		graded.Close()
		for _, rs := range [][]loadResult{offR, onR, gradedR} {
			for _, r := range rs {
				if r.errors > 0 {
					b.Fatalf("%d failed token requests", r.errors)
				}
			}
		}
		rps := func(r loadResult) float64 { return r.rps }
		p99 := func(r loadResult) float64 { return float64(r.p99.Microseconds()) }
		b.ReportMetric(median(offR, rps), "log-off-tokens/s")
		b.ReportMetric(median(onR, rps), "log-on-tokens/s")
		b.ReportMetric(median(gradedR, rps), "grading-tokens/s")
		b.ReportMetric(median(onR, rps)/median(offR, rps), "log-on/off")
		b.ReportMetric(median(gradedR, rps)/median(offR, rps), "grading/off")
		b.ReportMetric(median(offR, p99), "log-off-p99-µs")
		b.ReportMetric(median(onR, p99), "log-on-p99-µs")
		b.ReportMetric(median(gradedR, p99), "grading-p99-µs")
		b.ReportMetric(float64(grades), "grades")
	}
}

// BenchmarkGradeFullRing measures one Grade of an app whose ring holds
// 1024 requests of full sign-in flows (authorize, exchange, three API
// calls, a refresh): the cost a CI job pays once per test window. "clean"
// refreshes near expiry; "findings" refreshes at once, so that every flow
// adds a refresh-storm incident to format.
func BenchmarkGradeFullRing(b *testing.B) {
	for _, tc := range []struct {
		name  string
		early bool
	}{{"clean", false}, {"findings", true}} {
		b.Run(tc.name, func(b *testing.B) {
			f, app := fullRing(b, tc.early)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g := f.Grade(app.ClientID)
				if g.Window.Requests != 1024 || tc.early == (len(g.Findings) == 0) {
					b.Fatalf("graded %d requests, %d findings", g.Window.Requests, len(g.Findings))
				}
			}
		})
	}
}

func fullRing(b *testing.B, early bool) (*fakespotify.Fake, config.App) {
	f, err := fakespotify.New(fakespotify.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	app, err := f.CloneApp("web", fakespotify.AppOverrides{Consent: config.ConsentAuto, AutoUser: "alice"})
	if err != nil {
		b.Fatal(err)
	}
	basic := basicAuth(app)
	serve := func(method, target, body string, h map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		for k, v := range h {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, req)
		return rec
	}
	field := func(body, name string) string {
		v := body[strings.Index(body, `"`+name+`":"`)+len(name)+4:]
		return v[:strings.Index(v, `"`)]
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic}
	q := url.Values{"client_id": {app.ClientID}, "response_type": {"code"}, "redirect_uri": {webRedir}, "state": {"s"}, "scope": {"user-read-email"}}.Encode()
	for n := 0; n < 1024; n += 6 {
		loc, _ := url.Parse(serve("GET", "/authorize?"+q, "", nil).Header().Get("Location"))
		tok := serve("POST", "/api/token", exchangeForm(loc.Query().Get("code"), webRedir).Encode(), form).Body.String()
		for i := 0; i < 3; i++ {
			serve("GET", "/v1/me", "", map[string]string{"Authorization": "Bearer " + field(tok, "access_token")})
		}
		if !early {
			_ = f.AdvanceClockFor(app.ClientID, 59*time.Minute)
		}
		serve("POST", "/api/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {field(tok, "refresh_token")}}.Encode(), form)
	}
	return f, app
}

// BenchmarkTokenHandlerLog measures the server-side cost of one
// client-credentials token request without the network, with the request
// log off and on: what logging (all that grading needs while the fake
// serves) adds to each request.
func BenchmarkTokenHandlerLog(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []fakespotify.Option
	}{{"log-off", []fakespotify.Option{fakespotify.WithRequestLog(0)}}, {"log-on", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			f, err := fakespotify.New(fakespotify.DefaultConfig(), tc.opts...)
			if err != nil {
				b.Fatal(err)
			}
			app, _ := f.App("web")
			basic := basicAuth(app)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest(http.MethodPost, "/api/token", strings.NewReader("grant_type=client_credentials"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Authorization", basic)
				rec := httptest.NewRecorder()
				f.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}
