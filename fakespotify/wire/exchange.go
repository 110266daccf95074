package wire

import (
	"net/http"
	"time"
)

// Actor is who made an exchange.
type Actor string

const (
	ActorClient  Actor = "client"  // an HTTP client: spotcheck's own, or the app's as the fake saw it
	ActorBrowser Actor = "browser" // a browser: the authorize, login and consent pages
)

// Peer is which service an exchange went to.
type Peer string

const (
	PeerAccounts Peer = "accounts" // the accounts service: /authorize, /api/token
	PeerAPI      Peer = "api"      // the Web API: /v1/...
	PeerRedirect Peer = "redirect" // the app itself, at one of its redirect URIs
	PeerOther    Peer = "other"    // anything else, the fake's /_spotcheck/ control API included
)

// Exchange is one HTTP request and its answer as recorded: by spotcheck's
// recording client, by the fake for a grade, or in a user's HAR file.
// spotcheck and the fake redact what they record before they store it:
// secrets, tokens, codes and verifiers appear only as fingerprints, in the
// URL, the headers and the bodies alike. A HAR holds real values, which
// explain reasons with and redacts before it shows anything. Reports
// render exchanges; their JSON is part of the report schema.
type Exchange struct {
	Seq             int           `json:"seq"`
	Step            string        `json:"step,omitempty"`
	Actor           Actor         `json:"actor"`
	Peer            Peer          `json:"peer"`
	Started         time.Time     `json:"started"`
	Duration        time.Duration `json:"duration_ns"`
	Method          string        `json:"method"`
	URL             string        `json:"url"`
	RequestHeaders  http.Header   `json:"request_headers,omitempty"`
	RequestBody     string        `json:"request_body,omitempty"`
	Status          int           `json:"status,omitempty"` // 0: no answer
	ResponseHeaders http.Header   `json:"response_headers,omitempty"`
	ResponseBody    string        `json:"response_body,omitempty"`
	Error           string        `json:"error,omitempty"` // the transport error, when there was no answer
}

// Endpoint is which of the fake's endpoints a request went to, as its
// request log and its grader name them.
type Endpoint string

const (
	EndpointAuthorize Endpoint = "authorize" // /authorize and its locale forms (IsAuthorizePath)
	EndpointLogin     Endpoint = "login"     // the login page
	EndpointConsent   Endpoint = "consent"   // the consent page's decision
	EndpointToken     Endpoint = "token"     // /api/token
	EndpointAPI       Endpoint = "api"       // the Web API, /v1/...
	EndpointControl   Endpoint = "control"   // the fake's own /_spotcheck/ control API, not Spotify's
	EndpointOther     Endpoint = "other"     // any other path
)

// Browser reports whether a browser, not the app's HTTP client, sends
// requests to the endpoint.
func (e Endpoint) Browser() bool {
	return e == EndpointAuthorize || e == EndpointLogin || e == EndpointConsent
}
