package fakespotify_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// BenchmarkTokenThroughputGrading measures client-credentials token
// responses per second (32 keep-alive clients over loopback, as
// BenchmarkTokenThroughput) on three fakes in the same run: request log
// off (WithRequestLog(0), the baseline), request log on (the default
// 1024 per app, all that grading needs), and log on while a poller grades
// the app every 50 ms — far more often than any CI job would.
func BenchmarkTokenThroughputGrading(b *testing.B) {
	const conc, dur = 32, 3 * time.Second
	start := func(opts ...fakespotify.Option) (*fakespotify.Server, http.Header, string) {
		srv, err := fakespotify.Start(fakespotify.DefaultConfig(), opts...)
		if err != nil {
			b.Fatal(err)
		}
		app, _ := srv.App("web")
		h := http.Header{
			"Content-Type":  {"application/x-www-form-urlencoded"},
			"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(app.ClientID+":"+app.ClientSecret))},
		}
		return srv, h, app.ClientID
	}
	const body = "grant_type=client_credentials"
	for i := 0; i < b.N; i++ {
		off, h, _ := start(fakespotify.WithRequestLog(0))
		base := load(b, off.URL+"/api/token", body, h, conc, dur)
		off.Close()

		on, h, _ := start()
		logged := load(b, on.URL+"/api/token", body, h, conc, dur)
		on.Close()

		graded, h, id := start()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		grades := 0
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
		polled := load(b, graded.URL+"/api/token", body, h, conc, dur)
		close(stop)
		wg.Wait()
		graded.Close()

		for _, r := range []loadResult{base, logged, polled} {
			if r.errors > 0 {
				b.Fatalf("%d failed token requests", r.errors)
			}
		}
		b.ReportMetric(base.rps, "log-off-tokens/s")
		b.ReportMetric(logged.rps, "log-on-tokens/s")
		b.ReportMetric(polled.rps, "grading-tokens/s")
		b.ReportMetric(logged.rps/base.rps, "log-on/off")
		b.ReportMetric(polled.rps/base.rps, "grading/off")
		b.ReportMetric(float64(base.p99.Microseconds()), "log-off-p99-µs")
		b.ReportMetric(float64(logged.p99.Microseconds()), "log-on-p99-µs")
		b.ReportMetric(float64(polled.p99.Microseconds()), "grading-p99-µs")
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
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(app.ClientID+":"+app.ClientSecret))
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
