package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// ErrUnreachable matches (errors.Is) every TransportError that means the
// target could not be reached: DNS, refused connection, no route, TLS,
// proxy, timeout. Commands exit 3 on it.
var ErrUnreachable = errors.New("target unreachable")

// TransportErrorKind says why an exchange got no response.
type TransportErrorKind string

const (
	TransportDNS      TransportErrorKind = "dns"      // the host name does not resolve
	TransportRefused  TransportErrorKind = "refused"  // nothing listens on the port
	TransportNetwork  TransportErrorKind = "network"  // no route to the host, or another dial failure
	TransportTLS      TransportErrorKind = "tls"      // handshake or certificate failure
	TransportProxy    TransportErrorKind = "proxy"    // the proxy failed or refused the tunnel
	TransportTimeout  TransportErrorKind = "timeout"  // the exchange took longer than its timeout
	TransportClosed   TransportErrorKind = "closed"   // the peer closed the connection without a (complete) response
	TransportProtocol TransportErrorKind = "protocol" // the peer answered with something that is not HTTP
	TransportCanceled TransportErrorKind = "canceled" // the caller's context was canceled
	TransportInvalid  TransportErrorKind = "invalid"  // the request could not be built or net/http refused it (see Request.Raw)
	TransportOther    TransportErrorKind = "other"
)

// Unreachable reports whether the kind means the target could not be reached.
func (k TransportErrorKind) Unreachable() bool {
	switch k {
	case TransportDNS, TransportRefused, TransportNetwork, TransportTLS, TransportProxy, TransportTimeout:
		return true
	}
	return false
}

// TransportError is an exchange that got no HTTP response. Its message is
// redacted; it is recorded as Exchange.Error too.
type TransportError struct {
	Seq    int
	Step   string
	Kind   TransportErrorKind
	Method string
	URL    string // redacted
	Peer   wire.Peer
	Err    error // the cause, for errors.As (*net.DNSError, *tls.CertificateVerificationError ...)
	msg    string
}

func (e *TransportError) Error() string { return e.msg }
func (e *TransportError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnreachable) true for unreachable kinds.
func (e *TransportError) Is(target error) bool {
	return target == ErrUnreachable && e.Kind.Unreachable()
}

// proxyError marks a failure of the proxy itself in raw mode.
type proxyError struct{ err error }

func (e *proxyError) Error() string { return "proxy: " + e.err.Error() }
func (e *proxyError) Unwrap() error { return e.err }

var (
	// errRefusedByNetHTTP marks a request net/http will not send.
	errRefusedByNetHTTP = errors.New("net/http refuses this request; send it with Request.Raw")
	errInvalidRequest   = errors.New("invalid request")
)

func classify(ctx context.Context, err error) TransportErrorKind {
	var (
		pe       *proxyError
		dns      *net.DNSError
		op       *net.OpError
		ne       net.Error
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, errRefusedByNetHTTP), errors.Is(err, errInvalidRequest),
		strings.Contains(err.Error(), "net/http: invalid"):
		return TransportInvalid
	case errors.As(err, &pe):
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
			return TransportTimeout
		}
		return TransportProxy
	case errors.As(err, &op) && op.Op == "proxyconnect":
		return TransportProxy
	case errors.Is(ctx.Err(), context.Canceled):
		return TransportCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return TransportTimeout
	case errors.As(err, &dns):
		return TransportDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return TransportRefused
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return TransportNetwork
	case errors.As(err, &verify), errors.As(err, &record), errors.As(err, &alert),
		errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid),
		strings.Contains(err.Error(), "tls: "), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return TransportTLS
	case errors.As(err, &op) && op.Op == "dial":
		return TransportNetwork
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return TransportClosed
	case strings.Contains(err.Error(), "malformed HTTP"), strings.Contains(err.Error(), "HTTP/1.x transport connection broken"):
		return TransportProtocol
	}
	return TransportOther
}
