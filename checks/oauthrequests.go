package checks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Get sends a GET and records it under step.
func (c *Client) Get(ctx context.Context, step, rawURL string) (*Response, error) {
	return c.Do(ctx, Request{Step: step, Method: http.MethodGet, URL: rawURL})
}

// APIRequest builds a Web API request: path on the API base URL, a Bearer
// header when accessToken is set, and a JSON content type when there is a
// body.
func (c *Client) APIRequest(step, method, path, accessToken string, body []byte) Request {
	h := http.Header{}
	if accessToken != "" {
		h.Set("Authorization", "Bearer "+accessToken)
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return Request{Step: step, Method: method, URL: c.APIURL(path), Header: h, Body: body}
}

// ClientAuth is how a token request authenticates the client.
type ClientAuth string

const (
	// AuthBasic sends Authorization: Basic base64(client_id:client_secret),
	// the documented style.
	AuthBasic ClientAuth = "basic"
	// AuthBody sends client_id and client_secret as form parameters.
	AuthBody ClientAuth = "body"
	// AuthPublic sends client_id in the form and no secret (PKCE).
	AuthPublic ClientAuth = "public"
	// AuthNone sends no client identification at all.
	AuthNone ClientAuth = "none"
)

// TokenRequest says what a request to the token endpoint means; the client
// turns it into bytes. Deliberate mistakes are stated as intent too:
// InQuery, JSON and ContentType.
type TokenRequest struct {
	Step         string
	Auth         ClientAuth // AuthBasic if empty
	ClientID     string
	ClientSecret string
	Params       url.Values // grant_type, code, redirect_uri, code_verifier, refresh_token, scope ...
	// InQuery puts the parameters (and body-style credentials) in the URL
	// query and sends an empty body.
	InQuery bool
	// JSON encodes the parameters as a JSON object of strings instead of a form.
	JSON bool
	// ContentType replaces the Content-Type the encoding implies; "-" sends none.
	ContentType string
	// Path replaces /api/token (e.g. "/api/token/").
	Path string
}

// TokenEndpointPath is where the accounts service takes token requests.
const TokenEndpointPath = "/api/token"

// TokenRequest builds the request t describes and registers its
// credentials with the redactor. Callers may change the result (set Raw,
// edit a header) before passing it to Do.
func (c *Client) TokenRequest(t TokenRequest) Request {
	if t.ClientSecret != "" {
		c.AddClientCredentials(t.ClientID, t.ClientSecret)
	}
	params := url.Values{}
	for k, vs := range t.Params {
		params[k] = append([]string(nil), vs...)
	}
	h := http.Header{}
	switch t.Auth {
	case AuthBasic, "":
		h.Set("Authorization", wire.BasicAuth(t.ClientID, t.ClientSecret))
	case AuthBody:
		params.Set("client_id", t.ClientID)
		params.Set("client_secret", t.ClientSecret)
	case AuthPublic:
		params.Set("client_id", t.ClientID)
	case AuthNone:
	}
	path := t.Path
	if path == "" {
		path = TokenEndpointPath
	}
	u := c.AccountsURL(path)
	var body []byte
	ct := "application/x-www-form-urlencoded"
	switch {
	case t.InQuery:
		u += "?" + params.Encode()
		ct = ""
	case t.JSON:
		obj := make(map[string]string, len(params))
		for k := range params {
			obj[k] = params.Get(k)
		}
		body, _ = json.Marshal(obj) // a map of strings always encodes
		ct = "application/json"
	default:
		body = []byte(params.Encode())
	}
	if t.ContentType != "" {
		ct = t.ContentType
	}
	if ct != "" && ct != "-" {
		h.Set("Content-Type", ct)
	}
	if body == nil {
		body = []byte{}
	}
	return Request{Step: t.Step, Method: http.MethodPost, URL: u, Header: h, Body: body}
}

// Token sends the token request t describes.
func (c *Client) Token(ctx context.Context, t TokenRequest) (*Response, error) {
	return c.Do(ctx, c.TokenRequest(t))
}

// AuthorizationCodeParams are the parameters of a code exchange; verifier
// is the PKCE code_verifier ("" for none).
func AuthorizationCodeParams(code, redirectURI, verifier string) url.Values {
	v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	if verifier != "" {
		v.Set("code_verifier", verifier)
	}
	return v
}

// RefreshParams are the parameters of a refresh.
func RefreshParams(refreshToken string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
}

// ClientCredentialsParams are the parameters of a client-credentials
// grant; scope is sent only when set (Spotify ignores it).
func ClientCredentialsParams(scope string) url.Values {
	v := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		v.Set("scope", scope)
	}
	return v
}
