// Package front puts a fake Spotify in front of an unmodified app: HTTPS on
// Spotify's own host names and an intercepting HTTP proxy.
//
// A CA (see OpenCA) is made once per machine and kept in the user's config
// directory. It is limited by X.509 name constraints to exactly
// accounts.spotify.com, api.spotify.com, localhost, 127.0.0.1 and ::1, so
// trusting it lets nobody impersonate another site. Leaf certificates for
// those names are short-lived and issued in memory at start, chosen by SNI.
//
// Start serves any http.Handler (the fake) on plain listeners that also
// speak TLS (the first byte of a connection tells) and act as an HTTP
// proxy: CONNECT to accounts.spotify.com:443 or api.spotify.com:443 is
// terminated with those certificates and served by the handler, as are
// absolute-form http:// requests to them; CONNECT to any other host is
// refused with 403 and one log line, unless it is on the tunnel list.
// Nothing addressed to a Spotify host ever leaves the machine.
//
// Every listener is hardened by package httpserve (timeouts for headers,
// bodies, idle keep-alive connections and slow readers, and a connection
// cap): Config.Limits. The package imports only the standard library and
// httpserve, so Go tests can embed it:
// Front.Client returns an http.Client that reaches the fake at Spotify's
// real URLs.
package front
