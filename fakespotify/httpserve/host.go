package httpserve

import (
	"net"
	"strings"
)

// hostName is the name of a Host header value (or any host[:port]):
// without its port and an IPv6 address's brackets.
func hostName(host string) string {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	return strings.Trim(name, "[]")
}

// IsLoopbackHost reports whether a Host header value (or any host[:port])
// names this machine by a loopback name: localhost, an address in
// 127.0.0.0/8, or ::1, with any port. A server meant for loopback checks
// it on every request: a page in the developer's browser can reach
// loopback, and DNS rebinding can make it read the answers under a name of
// its own.
func IsLoopbackHost(host string) bool {
	name := hostName(host)
	if strings.EqualFold(name, "localhost") {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}

// HostName is a Host header value's name, without port or brackets.
func HostName(host string) string { return hostName(host) }
