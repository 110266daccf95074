package checks

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// sent is what went out, as the transcript shows it (not yet redacted).
type sent struct {
	method string
	url    string
	header http.Header
	body   []byte
}

// received is what came back (not yet redacted).
type received struct {
	status    int
	header    http.Header
	body      []byte
	truncated bool
}

// Do sends req and records the exchange. An HTTP response of any status
// is a success (err == nil); an exchange without a response returns a
// *TransportError, also recorded.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	seq := int(c.seq.Add(1))
	started := c.cfg.Now()
	t0 := time.Now()
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = c.cfg.Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	out := c.describe(req)
	c.learnSent(out)
	var (
		in  received
		err error
	)
	if req.Raw || req.Wire != nil {
		in, err = c.sendRaw(ctx, req.URL, out.method, req.Bytes())
	} else {
		in, err = c.send(ctx, req)
	}
	dur := time.Since(t0)
	c.learnReceived(in) // a partial body may carry tokens too

	ex := c.redactExchange(wire.Exchange{
		Seq: seq, Step: req.Step, Actor: wire.ActorClient, Peer: c.PeerOf(out.url),
		Started: started, Duration: dur, Method: out.method, URL: out.url,
		RequestHeaders: out.header, RequestBody: string(out.body),
		Status: in.status, ResponseHeaders: in.header, ResponseBody: string(in.body),
	}, in.truncated)
	if err != nil {
		te := &TransportError{
			Seq: seq, Step: req.Step, Kind: classify(ctx, err), Method: out.method, URL: ex.URL, Peer: ex.Peer,
			Err: unwrapURLError(err),
		}
		te.msg = c.secrets.String(fmt.Sprintf("%s %s: %s: %v", te.Method, te.URL, te.Kind, te.Err))
		ex.Error = te.msg
		c.store(ex)
		return nil, te
	}
	c.store(ex)
	return &Response{
		Seq: seq, Status: in.status, Header: in.header, Body: in.body,
		Truncated: in.truncated, Duration: dur, Exchange: cloneExchange(ex),
	}, nil
}

// unwrapURLError drops net/http's *url.Error wrapper: it repeats the URL,
// codes and all, and the TransportError already names it, redacted.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// describe is what the transcript says was sent, before redaction.
func (c *Client) describe(req Request) sent {
	if req.Wire != nil {
		return parseWire(req.URL, req.Wire)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if !req.Raw && h.Get("User-Agent") == "" {
		h.Set("User-Agent", c.cfg.UserAgent)
	}
	if req.Raw {
		// Show what Bytes adds, too.
		return parseWire(req.URL, req.Bytes())
	}
	return sent{method: method, url: req.URL, header: h, body: req.Body}
}

// parseWire reads a request back from its bytes, leniently: a deliberately
// broken request must still show in the transcript as it was sent.
func parseWire(base string, wire []byte) sent {
	head, body, found := bytes.Cut(wire, []byte("\r\n\r\n"))
	if !found {
		head, body, found = bytes.Cut(wire, []byte("\n\n"))
		if !found {
			head, body = wire, nil
		}
	}
	sep := "\r\n"
	if !bytes.Contains(head, []byte(sep)) && bytes.Contains(head, []byte("\n")) {
		sep = "\n"
	}
	lines := strings.Split(string(head), sep)
	s := sent{header: http.Header{}, body: body}
	parts := strings.SplitN(lines[0], " ", 3)
	s.method = parts[0]
	target := "/"
	if len(parts) > 1 {
		target = parts[1]
	}
	if strings.Contains(target, "://") {
		s.url = target
	} else {
		scheme, _, _ := strings.Cut(base, "://")
		host, _ := splitTarget(base)
		s.url = scheme + "://" + host + target
	}
	last := ""
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(name, " \t") && last != "" {
			// A line break inside a value: keep it in that value.
			vs := s.header[last]
			if len(vs) > 0 {
				vs[len(vs)-1] += sep + line
				continue
			}
		}
		last = name
		s.header[name] = append(s.header[name], strings.TrimLeft(value, " \t"))
	}
	return s
}

func (c *Client) send(ctx context.Context, req Request) (received, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, req.URL, body)
	if err != nil {
		return received{}, fmt.Errorf("%w: %v", errInvalidRequest, unwrapURLError(err))
	}
	hreq.Header = req.Header.Clone()
	if hreq.Header == nil {
		hreq.Header = http.Header{}
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	if h := hreq.Header.Get("Host"); h != "" {
		hreq.Host = h
	}
	for k, vs := range hreq.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") || strings.ContainsAny(k, " :\r\n") {
				return received{}, fmt.Errorf("%w: header %q has a line break, a NUL or a bad name", errRefusedByNetHTTP, k)
			}
		}
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		return received{}, err
	}
	defer resp.Body.Close()
	return c.readBody(resp)
}

func (c *Client) readBody(resp *http.Response) (received, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	in := received{status: resp.StatusCode, header: resp.Header, body: b}
	if int64(len(b)) > c.cfg.MaxResponseBytes {
		in.body, in.truncated = b[:c.cfg.MaxResponseBytes], true
	}
	return in, err
}

// sendRaw writes wire to a fresh connection and reads one response.
func (c *Client) sendRaw(ctx context.Context, rawURL, method string, wire []byte) (received, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return received{}, fmt.Errorf("%w: want an absolute http(s) URL", errInvalidRequest)
	}
	conn, err := c.dialRaw(ctx, u)
	if err != nil {
		return received{}, err
	}
	defer conn.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if _, err := conn.Write(wire); err != nil {
		return received{}, ctxErr(ctx, err)
	}
	br := bufio.NewReader(conn)
	for {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return received{}, ctxErr(ctx, err)
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			_ = resp.Body.Close()
			continue
		}
		in, err := c.readBody(resp)
		_ = resp.Body.Close()
		return in, ctxErr(ctx, err)
	}
}

// ctxErr prefers the context's reason over the deadline the client set on
// the connection to end a canceled exchange.
func ctxErr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

func (c *Client) dialRaw(ctx context.Context, u *url.URL) (net.Conn, error) {
	addr := authority(u)
	proxyFor := c.cfg.Proxy
	if proxyFor == nil {
		proxyFor = http.ProxyFromEnvironment
	}
	proxy, err := proxyFor(&http.Request{Method: http.MethodConnect, URL: u, Header: http.Header{}})
	if err != nil {
		return nil, &proxyError{err}
	}
	var d net.Dialer
	var conn net.Conn
	if proxy == nil {
		if conn, err = d.DialContext(ctx, "tcp", addr); err != nil {
			return nil, err
		}
	} else if conn, err = c.tunnel(ctx, &d, proxy, addr); err != nil {
		return nil, &proxyError{err}
	}
	if u.Scheme != "https" {
		return conn, nil
	}
	cfg := &tls.Config{}
	if c.cfg.TLSConfig != nil {
		cfg = c.cfg.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = u.Hostname()
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return tc, nil
}

// tunnel opens a CONNECT tunnel to addr through proxy.
func (c *Client) tunnel(ctx context.Context, d *net.Dialer, proxy *url.URL, addr string) (net.Conn, error) {
	conn, err := d.DialContext(ctx, "tcp", authority(proxy))
	if err != nil {
		return nil, err
	}
	if proxy.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: proxy.Hostname()})
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return nil, err
		}
		conn = tc
	}
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	req := "CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if proxy.User != nil {
		pass, _ := proxy.User.Password()
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(proxy.User.Username()+":"+pass)) + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		_ = conn.Close()
		return nil, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	// Never Close the body: on a tunnel it has no end, and Close would drain
	// it until the deadline. net/http's own CONNECT code leaves it alone too.
	if resp.StatusCode != http.StatusOK {
		_ = conn.Close()
		return nil, fmt.Errorf("CONNECT %s: %s", addr, resp.Status)
	}
	_ = conn.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }
