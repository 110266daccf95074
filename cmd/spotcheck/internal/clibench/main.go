// Command clibench measures `spotcheck fake` as users run it: the built
// binary with its default flags (log level info, one JSON request line per
// request on stderr, which goes to a file), driven by hey (an external load
// generator) with 32 keep-alive connections, next to an empty net/http
// handler in its own process, in the same run, alternating, on the same
// machine. `make bench-cli` builds spotcheck and runs it; README
// (Development → Figures) says what each number means.
//
// For each scenario it prints requests/s, p50 and p99 of both servers,
// the fake's ratios to the empty handler, and each server's CPU time per
// request (utime + stime from /proc/PID/stat around the run). Then exec →
// first 200 of a fresh fake and the time of `spotcheck version`.
//
// Run with -serve-empty ADDR it is the empty handler itself.
package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type options struct {
	spotcheck string
	duration  time.Duration
	rounds    int
	conns     int
	apps      int
	starts    int
	tls       bool
	only      string
	profile   string
}

func main() {
	var o options
	empty := flag.String("serve-empty", "", "serve the empty handler on this address (used by clibench itself)")
	flag.StringVar(&o.spotcheck, "spotcheck", "spotcheck", "the spotcheck binary to measure")
	flag.DurationVar(&o.duration, "duration", 6*time.Second, "how long each hey run lasts")
	flag.IntVar(&o.rounds, "rounds", 2, "how many times each scenario runs on each server, alternating")
	flag.IntVar(&o.conns, "c", 32, "hey's keep-alive connections")
	flag.IntVar(&o.apps, "apps", 1000, "cloned apps in the many-apps fake")
	flag.IntVar(&o.starts, "starts", 20, "fresh processes timed for exec → first 200 and `spotcheck version`")
	flag.BoolVar(&o.tls, "tls", false, "also measure tokens over HTTPS on the same port and through the proxy (spotcheck fake --tls)")
	flag.StringVar(&o.only, "only", "", "run only the scenarios whose name contains this")
	flag.StringVar(&o.profile, "profile", "", "write each fake's CPU and allocation profiles of the whole run into this directory (NAME.cpu.pprof, NAME.allocs.pprof)")
	flag.Parse()
	if *empty != "" {
		serveEmpty(*empty)
		return
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "clibench:", err)
		os.Exit(1)
	}
}

// serveEmpty is the baseline: net/http with a handler that reads the body
// and answers {} as JSON, the least any server does per request.
func serveEmpty(addr string) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	})
	// Listening first, so that an address with port 0 (make soak's) is
	// printed with the port it got.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("empty handler at http://%s\n", ln.Addr())
	if err := (&http.Server{Handler: h}).Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// The built-in web app (fakespotify/default.yaml).
const (
	webID     = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b"
	webSecret = "9d8c7b6a5f4e3d2c1b0a99887766554f"
)

func basic(id, secret string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

func run(o options) error {
	if _, err := exec.LookPath("hey"); err != nil {
		return errors.New("hey is not installed (apt-get install -y hey)")
	}
	dir, err := os.MkdirTemp("", "clibench")
	if err != nil {
		return err
	}
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
	}
	defer os.RemoveAll(dir)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var stop []func()
	defer func() {
		for _, s := range stop {
			s()
		}
	}()
	start := func(name string, cmd *exec.Cmd) (*server, error) {
		s, err := startServer(name, cmd)
		if err == nil {
			stop = append(stop, s.stop)
		}
		return s, err
	}
	addr, err := freePort()
	if err != nil {
		return err
	}
	empty, err := start("empty handler", exec.Command(self, "-serve-empty", addr))
	if err != nil {
		return err
	}
	logFile := filepath.Join(dir, "fake.log")
	fake, err := start("spotcheck fake", o.fakeCmd(logFile))
	if err != nil {
		return err
	}
	user, err := userTokens(fake.url)
	if err != nil {
		return err
	}
	many, err := start("spotcheck fake (many apps)", o.fakeCmd(filepath.Join(dir, "many.log")))
	if err != nil {
		return err
	}
	if err := cloneApps(many.url, o.apps); err != nil {
		return err
	}

	fmt.Printf("spotcheck fake with its default flags (log level info: a JSON request line per request, stderr to a file)\n")
	fmt.Printf("vs an empty net/http handler, each in its own process; hey -c %d -z %s, keep-alive, alternating, %d rounds\n\n", o.conns, o.duration, o.rounds)
	token := load{method: "POST", header: []string{basic(webID, webSecret)}, contentType: "application/x-www-form-urlencoded",
		body: "grant_type=client_credentials", conns: o.conns, duration: o.duration}
	me := load{method: "GET", header: []string{"Authorization: Bearer " + user.access}, conns: o.conns, duration: o.duration}
	refresh := load{method: "POST", header: []string{basic(user.clientID, user.secret)}, contentType: "application/x-www-form-urlencoded",
		body: "grant_type=refresh_token&refresh_token=" + url.QueryEscape(user.refresh), conns: o.conns, duration: o.duration}
	pairs := []pair{
		{name: "token (client credentials)", base: empty, fake: fake, path: "/api/token", load: token},
		{name: "GET /v1/me (user token)", base: empty, fake: fake, path: "/v1/me", load: me},
		{name: "refresh", base: empty, fake: fake, path: "/api/token", load: refresh},
		{name: fmt.Sprintf("token, %d cloned apps vs one", o.apps), base: fake, baseName: "one app", fakeName: fmt.Sprintf("+%d clones", o.apps), fake: many, path: "/api/token", load: token},
	}
	if o.tls {
		ps, err := o.tlsPairs(dir, start, token)
		if err != nil {
			return err
		}
		pairs = append(pairs, ps...)
	}
	var results []pairResult
	for _, p := range pairs {
		if o.only != "" && !strings.Contains(p.name, o.only) {
			continue
		}
		r, err := p.measure(o.rounds)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	printResults(os.Stdout, results)
	if o.only == "" || strings.Contains("startup", o.only) {
		if err := o.startup(dir); err != nil {
			return err
		}
	}
	return nil
}

// fakeCmd is `spotcheck fake` as a user starts it, on a free port, its
// stderr (the request log) in a file: a terminal or a CI log is what users
// have; a file is the honest stand-in that a benchmark can keep.
func (o options) fakeCmd(logFile string, extra ...string) *exec.Cmd {
	addr, _ := freePort()
	cmd := exec.Command(o.spotcheck, append([]string{"fake", "--addr", addr}, extra...)...)
	if f, err := os.Create(logFile); err == nil {
		cmd.Stderr = f
	}
	if o.profile != "" {
		// The env hooks of cmd/spotcheck/profile.go; the profiles are
		// written when stop interrupts the fake.
		name := filepath.Join(o.profile, strings.TrimSuffix(filepath.Base(logFile), ".log"))
		cmd.Env = append(os.Environ(), "SPOTCHECK_CPUPROFILE="+name+".cpu.pprof", "SPOTCHECK_MEMPROFILE="+name+".allocs.pprof")
	}
	return cmd
}

// tlsPairs starts a fake with --tls and compares HTTPS on its port, and
// HTTPS to accounts.spotify.com through its proxy, with plain HTTP on it.
func (o options) tlsPairs(dir string, start func(string, *exec.Cmd) (*server, error), token load) ([]pair, error) {
	tlsFake, err := start("spotcheck fake --tls", o.fakeCmd(filepath.Join(dir, "tls.log"), "--tls", "--ca-dir", filepath.Join(dir, "ca")))
	if err != nil {
		return nil, err
	}
	https := *tlsFake
	https.url = "https://" + strings.TrimPrefix(tlsFake.url, "http://")
	proxied := token
	proxied.proxy = tlsFake.url
	proxy := *tlsFake
	proxy.url = "https://accounts.spotify.com"
	return []pair{
		{name: "token over HTTPS vs plain HTTP (--tls)", base: tlsFake, baseName: "plain", fakeName: "HTTPS", fake: &https, path: "/api/token", load: token},
		{name: "token through the proxy vs plain HTTP (--tls)", base: tlsFake, baseName: "plain", fakeName: "proxy", fake: &proxy, path: "/api/token", load: proxied},
	}, nil
}

// pair is one scenario: the same load on a baseline server and on the fake.
type pair struct {
	name       string
	base, fake *server
	baseName   string // "empty handler" unless said
	fakeName   string // "fake" unless said
	path       string
	load       load
}

type sample struct {
	res result
	cpu time.Duration // per request
}

type pairResult struct {
	name, baseName, fakeName string
	base, fake               []sample
}

// measure runs the load on base and fake in turn, rounds times, after
// one short warm-up each.
func (p pair) measure(rounds int) (pairResult, error) {
	out := pairResult{name: p.name, baseName: p.baseName, fakeName: p.fakeName}
	if out.baseName == "" {
		out.baseName = "empty handler"
	}
	if out.fakeName == "" {
		out.fakeName = "fake"
	}
	warm := p.load
	warm.duration = time.Second
	for _, s := range []*server{p.base, p.fake} {
		if _, err := p.run(s, warm); err != nil {
			return out, err
		}
	}
	for range rounds {
		b, err := p.run(p.base, p.load)
		if err != nil {
			return out, err
		}
		f, err := p.run(p.fake, p.load)
		if err != nil {
			return out, err
		}
		out.base, out.fake = append(out.base, b), append(out.fake, f)
	}
	return out, nil
}

func (p pair) run(s *server, l load) (sample, error) {
	l.url = s.url + p.path
	if l.proxy != "" {
		// Through the proxy the request names Spotify's host; the process
		// measured is still s.
		l.url = "https://accounts.spotify.com" + p.path
	}
	before, err := s.cpu()
	if err != nil {
		return sample{}, err
	}
	r, err := runHey(l)
	if err != nil {
		return sample{}, err
	}
	after, err := s.cpu()
	if err != nil {
		return sample{}, err
	}
	if !r.ok() {
		return sample{}, fmt.Errorf("%s on %s: not every answer was 200: %v, %d errors", p.name, s.name, r.statuses, r.errors)
	}
	return sample{res: r, cpu: (after - before) / time.Duration(r.total())}, nil
}

func printResults(w io.Writer, rs []pairResult) {
	for _, r := range rs {
		fmt.Fprintf(w, "%s\n", r.name)
		for i := range r.base {
			b, f := r.base[i], r.fake[i]
			fmt.Fprintf(w, "  round %d  %-13s %8.0f/s  p50 %-7s p99 %-7s %5.1f µs CPU/req\n", i+1, r.baseName, b.res.rps, ms(b.res.p50), ms(b.res.p99), us(b.cpu))
			fmt.Fprintf(w, "           %-13s %8.0f/s  p50 %-7s p99 %-7s %5.1f µs CPU/req   throughput %.2f×, p99 %.2f×\n",
				r.fakeName, f.res.rps, ms(f.res.p50), ms(f.res.p99), us(f.cpu), f.res.rps/b.res.rps, float64(f.res.p99)/float64(b.res.p99))
		}
	}
}

func ms(d time.Duration) string  { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// userTokens clones the web app with automatic consent (the control API;
// the fake's own flags stay the defaults) and runs the authorization code
// flow for alice, for /v1/me and refresh.
type tokens struct{ clientID, secret, access, refresh string }

func userTokens(base string) (tokens, error) {
	var app struct {
		ClientID     string   `json:"client_id"`
		ClientSecret string   `json:"client_secret"`
		RedirectURIs []string `json:"redirect_uris"`
	}
	if err := controlPost(base, `{"from":"web","consent":"auto","auto_user":"alice"}`, &app); err != nil {
		return tokens{}, err
	}
	q := url.Values{"client_id": {app.ClientID}, "response_type": {"code"}, "redirect_uri": {app.RedirectURIs[0]},
		"scope": {"user-read-private user-read-email"}}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(base + "/authorize?" + q.Encode())
	if err != nil {
		return tokens{}, err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		return tokens{}, fmt.Errorf("authorize: no code in the redirect (status %d)", resp.StatusCode)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {app.RedirectURIs[0]}}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(app.ClientID, app.ClientSecret)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return tokens{}, err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.RefreshToken == "" {
		return tokens{}, fmt.Errorf("code exchange: status %d, no tokens", resp.StatusCode)
	}
	return tokens{clientID: app.ClientID, secret: app.ClientSecret, access: tok.AccessToken, refresh: tok.RefreshToken}, nil
}

func cloneApps(base string, n int) error {
	for range n {
		if err := controlPost(base, `{"from":"web"}`, nil); err != nil {
			return err
		}
	}
	return nil
}

func controlPost(base, body string, into any) error {
	resp, err := http.Post(base+"/_spotcheck/apps", "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("clone an app: %s: %s", resp.Status, b)
	}
	if into == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

// startup times, over fresh processes, exec of `spotcheck fake` with its
// default flags to the first 200 from it (polling /_spotcheck/health),
// and `spotcheck version` from exec to exit.
func (o options) startup(dir string) error {
	var first, version []time.Duration
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range o.starts {
		addr, err := freePort()
		if err != nil {
			return err
		}
		cmd := exec.Command(o.spotcheck, "fake", "--addr", addr)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		for {
			resp, err := client.Get("http://" + addr + "/_spotcheck/health")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Since(t0) > 30*time.Second {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				return errors.New("startup: no 200 from a fresh fake in 30 s")
			}
			time.Sleep(200 * time.Microsecond) // polling for the port to open, not synchronising a test
		}
		first = append(first, time.Since(t0))
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()

		t0 = time.Now()
		if err := exec.Command(o.spotcheck, "version").Run(); err != nil {
			return fmt.Errorf("spotcheck version: %w", err)
		}
		version = append(version, time.Since(t0))
	}
	fmt.Printf("\nexec → first 200 of `spotcheck fake` (default flags): median %s, min %s, max %s (%d runs)\n",
		ms(median(first)), ms(slices(first)[0]), ms(slices(first)[len(first)-1]), len(first))
	fmt.Printf("`spotcheck version`, exec to exit: median %s, min %s, max %s (%d runs)\n",
		ms(median(version)), ms(slices(version)[0]), ms(slices(version)[len(version)-1]), len(version))
	return nil
}

func slices(d []time.Duration) []time.Duration {
	out := append([]time.Duration(nil), d...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func median(d []time.Duration) time.Duration { return slices(d)[len(d)/2] }
