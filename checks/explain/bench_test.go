package explain_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/checks/explain"
)

// writeBigHAR writes a browser-like capture of about size bytes: a music
// web app's session (Web API pages of ~20 KB JSON, cover images as base64,
// scripts) with the recorded OAuth flow of a fixture in the middle, whose
// token request fails. It returns the file's size.
func writeBigHAR(tb testing.TB, path string, size int64, fixture string) int64 {
	tb.Helper()
	fx, err := os.ReadFile(filepath.Join("testdata", fixture))
	if err != nil {
		tb.Fatal(err)
	}
	var flow harFile
	if err := json.Unmarshal(fx, &flow); err != nil {
		tb.Fatal(err)
	}
	out := createCounted(tb, path)
	put := out.put
	browserHeaders := []harNV{
		{":authority", "api.spotify.com"}, {":method", "GET"}, {":scheme", "https"}, {"accept", "application/json"},
		{"accept-encoding", "gzip, deflate, br, zstd"}, {"accept-language", "en-GB,en;q=0.9"}, {"app-platform", "WebPlayer"},
		{"authorization", "Bearer BQDjriAcf5pBenchmarkTokenValueThatIsLongEnoughToLookReal0123456789"}, {"origin", "https://app.example.com"},
		{"referer", "https://app.example.com/"}, {"sec-ch-ua", `"Chromium";v="140", "Not=A?Brand";v="24"`}, {"sec-fetch-dest", "empty"},
		{"sec-fetch-mode", "cors"}, {"sec-fetch-site", "cross-site"}, {"user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"},
	}
	track := `{"added_at":"2026-09-01T10:00:00Z","track":{"album":{"id":"4yP0hdKOZPNshxUOjY0cZj","name":"After Hours","images":[{"url":"https://i.scdn.co/image/ab67616d0000b273","height":640,"width":640}]},"artists":[{"id":"1Xyo4u8uXC1ZmMpatF05PJ","name":"The Weeknd"}],"duration_ms":200040,"id":"0VjIjW4GlUZAMYd2vXMi3b","name":"Blinding Lights","popularity":91,"uri":"spotify:track:0VjIjW4GlUZAMYd2vXMi3b"}}`
	page := `{"href":"https://api.spotify.com/v1/me/tracks?offset=0&limit=50","items":[` + strings.TrimSuffix(strings.Repeat(track+",", 45), ",") + `],"limit":50,"next":null,"offset":0,"total":45}`
	image := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\x89PNG\r\n\x1a\n binary cover art ", 30000)))
	t0 := fixtureEpoch.Add(-time.Hour)
	entry := func(i int, url, mime, text, encoding string) string {
		e := harEntryW{
			StartedDateTime: t0.Add(time.Duration(i) * 50 * time.Millisecond).Format("2006-01-02T15:04:05.000Z"),
			Time:            42,
			Request:         harRequestW{Method: "GET", URL: url, HTTPVersion: "http/2.0", Headers: browserHeaders, QueryString: []harNV{}, Cookies: []any{}, HeadersSize: -1},
			Response: harResponseW{Status: 200, StatusText: "", HTTPVersion: "http/2.0", Headers: []harNV{{"content-type", mime}, {"cache-control", "private, max-age=0"}},
				Cookies: []any{}, Content: harContentW{Size: len(text), MimeType: mime, Text: text}, HeadersSize: -1, BodySize: len(text)},
		}
		b, _ := json.Marshal(e)
		s := string(b)
		if encoding != "" {
			s = strings.Replace(s, `"mimeType":"`+mime+`"`, `"mimeType":"`+mime+`","encoding":"base64"`, 1)
		}
		return s
	}
	put(`{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[],"entries":[` + "\n")
	i := 0
	insertedFlow := false
	for out.n < size {
		if i > 0 {
			put(",\n")
		}
		switch {
		case !insertedFlow && out.n > size/2:
			for k, fe := range flow.Log.Entries {
				if k > 0 {
					put(",\n")
				}
				b, _ := json.Marshal(fe)
				put(string(b))
			}
			insertedFlow = true
		case i%40 == 7:
			put(entry(i, fmt.Sprintf("https://i.scdn.co/image/ab67616d0000b273%08d", i), "image/png", image, "base64"))
		case i%9 == 3:
			put(entry(i, fmt.Sprintf("https://app.example.com/static/js/chunk-%d.js", i), "application/javascript", strings.Repeat("function f(){return 1};", 400), ""))
		default:
			put(entry(i, fmt.Sprintf("https://api.spotify.com/v1/me/tracks?offset=%d&limit=50", i*50), "application/json; charset=utf-8", page, ""))
		}
		i++
	}
	put("\n]}}\n")
	out.close(tb)
	return out.n
}

// heapPeak samples the live heap while fn runs; runtime/metrics reads it
// without stopping the world.
func heapPeak(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				metrics.Read(sample)
				mu.Lock()
				peak = max(peak, sample[0].Value.Uint64())
				mu.Unlock()
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return peak
}

// BenchmarkExplainHAR50MB explains a 50 MB browser capture from disk. The
// reader streams the file and keeps only Spotify's error bodies, so memory
// stays flat: see B/op and the sampled live-heap peak (heap-MB).
func BenchmarkExplainHAR50MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "session.har")
	size := writeBigHAR(b, path, 50<<20, "token-redirect-uri-mismatch.har")
	benchExplainFile(b, path, size, func(res *explain.Result) {
		if top := res.Top(); top == nil || top.Entry.ID != "token-redirect-uri-mismatch" {
			b.Fatalf("top: %v", ids(res))
		}
	})
}

// benchExplainFile explains the file at path b.N times, checking each
// result, and reports the sampled live-heap peak (heap-MB) and the file's
// size (file-MB).
func benchExplainFile(b *testing.B, path string, size int64, check func(*explain.Result)) {
	b.SetBytes(size)
	b.ReportAllocs()
	runtime.GC()
	var peak uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := heapPeak(func() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			res, err := explain.Default().ExplainReader(f, explain.Options{Name: filepath.Base(path)})
			_ = f.Close()
			if err != nil {
				b.Fatal(err)
			}
			check(res)
		})
		peak = max(peak, p)
	}
	b.StopTimer()
	b.ReportMetric(float64(peak)/(1<<20), "heap-MB")
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
}

// BenchmarkExplainText is one pasted error through the whole detector.
func BenchmarkExplainText(b *testing.B) {
	input := []byte("Traceback (most recent call last):\n  File \"/app/main.py\", line 41, in <module>\n    sp.current_user()\nspotipy.exceptions.SpotifyException: http status: 403, code: -1 - https://api.spotify.com/v1/me/:\n Check settings on developer.spotify.com/dashboard, the user may not be registered., reason: None")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		res, err := explain.Default().Explain(input, explain.Options{})
		if err != nil || res.Top().Entry.ID != "user-not-allowlisted" {
			b.Fatal(err)
		}
	}
}

// longLog is a 7 MB application log (60,000 request lines) with three
// different Spotify errors buried in it at different depths.
func longLog() []byte {
	var b strings.Builder
	for i := 0; i < 60000; i++ {
		switch i {
		case 20000:
			b.WriteString("2026-09-30T10:00:01Z ERROR AxiosError: Request failed with status code 429\n")
		case 30000:
			b.WriteString(`ERROR token refresh failed: {"error":"invalid_grant","error_description":"Refresh token revoked"}` + "\n")
		case 45000:
			b.WriteString("2026-09-30T10:00:01Z WARN GET https://api.spotify.com/v1/artists/0OdUWJ0sBjDrqHygGUXeCF/related-artists -> 403\n")
		}
		fmt.Fprintf(&b, "2026-09-30T10:00:%02d.%03dZ INFO request id=%d path=/v1/me/tracks?offset=%d status=200 took=%dms {\"ok\":true,\"n\":%d}\n", i%60, i%1000, i, i*50, i%300, i)
	}
	return []byte(b.String())
}

// BenchmarkExplainLongLog is a pasted 7 MB log through the text detector.
func BenchmarkExplainLongLog(b *testing.B) {
	data := longLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := explain.Default().Explain(data, explain.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
