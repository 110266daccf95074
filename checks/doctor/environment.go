package doctor

import (
	"fmt"
	"net/http"
	"time"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// maxSkew is how far the local clock may be off before it matters: token
// caches compute expires_at locally, and a few minutes turn a valid token
// into a 401 or refresh it needlessly.
const maxSkew = 2 * time.Minute

// UnreachableError is a target that could not be reached, with the cause:
// DNS, a refused connection, TLS, a proxy or a timeout. It matches
// checks.ErrUnreachable.
type UnreachableError struct {
	What string // "the accounts service", "the Web API"
	Base string
	Err  *checks.TransportError
	msg  string
}

func (e *UnreachableError) Error() string { return e.msg }
func (e *UnreachableError) Unwrap() error { return e.Err }

func (r *runner) unreachable(te *checks.TransportError) error {
	what, base := "the accounts service", r.o.Target.AccountsURL
	if te.Peer == wire.PeerAPI {
		what, base = "the Web API", r.o.Target.APIURL
	}
	msg := fmt.Sprintf("%s at %s cannot be reached (%s): %v", what, base, te.Kind, te.Err)
	switch te.Kind {
	case checks.TransportTLS:
		msg += " — a proxy or antivirus that intercepts TLS needs its CA in SSL_CERT_FILE"
	case checks.TransportProxy:
		msg += " — check HTTPS_PROXY / HTTP_PROXY / NO_PROXY"
	case checks.TransportDNS:
		msg += " — check the network and DNS, or --target"
	case checks.TransportRefused:
		msg += " — nothing listens there: check --target, --accounts-url / --api-url and $SPOTIFY_ACCOUNTS_URL / $SPOTIFY_API_URL, or start the fake they name"
	case checks.TransportTimeout:
		msg += " — no answer within --timeout: check the network, or raise --timeout"
	}
	return &UnreachableError{What: what, Base: base, Err: te, msg: r.set.String(msg)}
}

// dateSample is the Date header of a response with the local time it
// most likely describes.
type dateSample struct {
	server time.Time
	local  time.Time
	header string
	peer   wire.Peer
}

func (r *runner) noteDate(resp *checks.Response) {
	if r.date != nil {
		return
	}
	h := resp.Header.Get("Date")
	t, err := http.ParseTime(h)
	if err != nil {
		return
	}
	// The server stamped the response somewhere during the exchange; the
	// middle is the best guess, and Date has whole seconds only.
	local := resp.Exchange.Started.Add(resp.Duration / 2)
	r.date = &dateSample{server: t.Add(500 * time.Millisecond), local: local, header: h, peer: resp.Exchange.Peer}
}

// serverNow is the time on Spotify's clock: the local one corrected by
// the skew measured, so that expiry checks are not fooled by a bad clock.
func (r *runner) serverNow() time.Time {
	if r.skew != nil {
		return r.now().Add(-*r.skew)
	}
	return r.now()
}

func (c *checkRun) reachability() {
	if !c.needOnline() {
		return
	}
	r := c.r
	for _, p := range []struct{ step, url string }{
		{"reachability: accounts", r.client.AccountsURL("/authorize")},
		{"reachability: api", r.client.APIURL("/v1/me")},
	} {
		// Any HTTP answer will do; no answer at all ends the run (exit 3).
		resp, ok := c.do(checks.Request{Step: p.step, Method: http.MethodGet, URL: p.url})
		if !ok {
			return
		}
		c.note("%s answers %s", resp.Exchange.Peer, statusText(resp.Status))
	}
}

func (c *checkRun) clockSkew() {
	if !c.needOnline() {
		return
	}
	d := c.r.date
	if d == nil {
		c.skip("no response carried a Date header")
		return
	}
	skew := d.local.Sub(d.server).Round(time.Second)
	c.r.skew = &skew
	if skew < maxSkew && skew > -maxSkew {
		c.note("local clock within %s of the server's", abs(skew))
		return
	}
	dir := "ahead of"
	if skew < 0 {
		dir = "behind"
	}
	c.add(ClockSkew, "clock",
		fmt.Sprintf("%s answered with Date: %s; the local clock read %s", d.peer, d.header, d.local.UTC().Format(http.TimeFormat)),
		fmt.Sprintf("the local clock is %s %s the server's", abs(skew), dir),
		"the doctor judges token expiry on the server's clock instead")
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
