package doctor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Refresh tokens expire six months after the user's authorization (2026
// rule; refreshing does not extend it). The fake uses the same 4380 h.
const (
	refreshLifetime = 4380 * time.Hour
	refreshWarnAt   = 30 * 24 * time.Hour
)

// userState is what the token checks learned about the user's grant.
type userState struct {
	appToken    string
	access      string // a user access token to call the API with
	fresh       bool   // access came from a refresh just now
	refused     string // why the user's grant is known to be gone, if it is
	granted     []string
	grantedFrom string
	me          map[string]json.RawMessage
}

func (c *checkRun) needCache() bool {
	if c.r.cache == nil {
		c.skip("no --token-cache given")
		return false
	}
	return true
}

func (c *checkRun) tokenCacheClient() {
	r := c.r
	if !c.needCache() {
		return
	}
	tc := r.cache
	c.note("%s format", tc.Format)
	if tc.ClientID == "" {
		c.note("the %s format does not record the client id", tc.Format)
		return
	}
	if r.cred.id.clean == "" || tc.ClientID == r.cred.id.clean {
		return
	}
	c.add(TokenCacheClientMismatch, "cache:client",
		fmt.Sprintf("%s: client_id %s; the configured client id (%s) is %s", tc.Path, tc.ClientID, r.cred.id.v.Source, r.cred.id.clean))
}

func (c *checkRun) accessTokenExpiry() {
	r := c.r
	if !c.needCache() {
		return
	}
	tc := r.cache
	switch {
	case tc.AccessToken == "":
		c.skip("the cache has no access token")
		return
	case tc.ExpiresAt.IsZero():
		c.skip("the cache does not record when the access token expires")
		return
	}
	now := r.serverNow()
	if left := tc.ExpiresAt.Sub(now); left > 0 {
		c.note("valid for another %s", left.Round(time.Second))
		return
	}
	c.add(AccessTokenExpired, "cache:access",
		fmt.Sprintf("%s: the access token expired at %s, %s ago; the doctor refreshes it", tc.Path, tc.ExpiresAt.UTC().Format(time.RFC3339),
			now.Sub(tc.ExpiresAt).Round(time.Second)))
}

func (c *checkRun) refreshTokenPresent() {
	r := c.r
	if !c.needCache() {
		return
	}
	tc := r.cache
	if tc.RefreshToken != "" {
		c.note("the cache holds a refresh token")
		return
	}
	if tc.AccessToken == "" {
		c.fail("the cache holds neither an access token nor a refresh token")
		return
	}
	how := map[string]string{"absent": "has no refresh_token field", "null": "has \"refresh_token\": null", "empty": "has \"refresh_token\": \"\""}[tc.RefreshField]
	c.add(RefreshTokenDropped, "cache:refresh", fmt.Sprintf("%s %s next to an access token: a client that expected a new refresh token in the refresh answer overwrote it", tc.Path, how))
}

func (c *checkRun) refreshTokenAge() {
	r := c.r
	if !c.needCache() {
		return
	}
	tc := r.cache
	if tc.AuthorizedAt.IsZero() {
		c.skip("the %s cache does not record when the user authorized (the spotcheck format has authorized_at)", tc.Format)
		return
	}
	if tc.RefreshToken == "" {
		c.skip("the cache has no refresh token")
		return
	}
	age := r.serverNow().Sub(tc.AuthorizedAt)
	end := tc.AuthorizedAt.Add(refreshLifetime)
	at := fmt.Sprintf("%s: authorized_at %s", tc.Path, tc.AuthorizedAt.UTC().Format(time.RFC3339))
	switch left := refreshLifetime - age; {
	case left <= 0:
		c.add(RefreshTokenExpired, "cache:refresh", fmt.Sprintf("%s: the 6-month lifetime ended %s, %s ago", at, end.UTC().Format(time.RFC3339), (-left).Round(time.Hour)))
	case left <= refreshWarnAt:
		c.add(RefreshTokenNearExpiry, "cache:refresh", fmt.Sprintf("%s: the 6-month lifetime ends %s, in %s", at, end.UTC().Format(time.RFC3339), left.Round(time.Hour)))
	default:
		c.note("%s left of the 6-month lifetime", left.Round(time.Hour))
	}
}

func (c *checkRun) refreshToken() {
	r := c.r
	if !c.needCache() || !c.needOnline() {
		return
	}
	tc := r.cache
	auth := checks.AuthBasic
	switch {
	case tc.RefreshToken == "":
		c.skip("the cache has no refresh token")
		return
	case !r.o.Flow.hasUser():
		c.skip("--flow client-credentials has no user to refresh for")
		return
	case r.cred.id.clean == "" || r.cred.idKnown == no:
		c.skip("no client id Spotify knows")
		return
	case r.o.Flow == FlowPKCE || r.o.Flow == FlowImplicit:
		auth = checks.AuthPublic
	case r.cred.secret.clean == "":
		c.skip("no client secret to refresh with")
		return
	case r.cred.secretOK == no:
		c.skip("Spotify refuses the client secret (client-secret-invalid)")
		return
	}
	t := checks.TokenRequest{Step: "refresh", Auth: auth, ClientID: r.cred.id.clean, Params: checks.RefreshParams(tc.RefreshToken)}
	if auth == checks.AuthBasic {
		t.ClientSecret = r.cred.secret.clean
	}
	resp, ok := c.token(t)
	if !ok {
		return
	}
	ex := []wire.Exchange{resp.Exchange}
	if resp.Status == http.StatusOK {
		tok, err := resp.Token()
		if err != nil {
			c.fail("refresh answer: %v", err)
			return
		}
		r.user.access, r.user.fresh = tok.AccessToken, true
		if tok.HasScope {
			r.user.granted, r.user.grantedFrom = strings.Fields(tok.Scope), "the refresh answer"
		}
		if f, ok := r.has("cache:refresh"); ok && f.ID == string(RefreshTokenExpired) {
			r.fold("cache:refresh", ex, "yet Spotify still refreshes it: "+quote(resp.Exchange)+" — is authorized_at in the cache right?")
		}
		if tok.RefreshToken == "" || tok.RefreshToken == tc.RefreshToken {
			c.note("refreshed; no new refresh token, as Spotify does since mid-2026: keep the original")
			return
		}
		var saved string
		switch dest, err := tc.saveRefreshToken(tok.RefreshToken); {
		case err != nil:
			saved = "the doctor could not save it (" + describeOSError(err) + "): authorize again"
		case dest != tc.Path:
			saved = "the doctor wrote it to " + dest + " (where the symlink " + tc.Path + " points)"
		default:
			saved = "the doctor wrote it to " + dest
		}
		f := c.add(RefreshTokenRotated, "cache:rotated", "the refresh answer carries a new refresh_token "+fp(tok.RefreshToken)+" and the one sent is revoked now; "+saved)
		f.Exchanges = ex
		return
	}
	ev := fmt.Sprintf("refreshing the token from %s: %s", tc.Path, quote(resp.Exchange))
	switch id := r.matchID(explain.WhereToken, resp); id {
	case RefreshTokenRevoked, RefreshTokenInvalid, RefreshTokenExpired:
		r.user.refused = "Spotify refuses the refresh token (" + string(id) + ")"
		if id == RefreshTokenInvalid && r.fold("cache:client", ex, ev) {
			return
		}
		if r.upgrade("cache:refresh", id, ex, ev) {
			return
		}
		f := c.add(id, "cache:refresh", ev)
		f.Exchanges = ex
	case ClientSecretInvalid:
		if !r.fold("cred:secret:wrong", ex, ev) {
			f := c.add(id, "cred:secret:wrong", ev)
			f.Exchanges = ex
		}
	case ClientAuthMissing:
		f := c.add(id, "cache:auth", ev, fmt.Sprintf("--flow %s refreshes with client_id only; a token issued to a confidential client needs the secret too", r.o.Flow))
		f.Exchanges = ex
	default:
		c.fail("unexpected answer: %s", quote(resp.Exchange))
	}
}

func (c *checkRun) cachedScope() {
	r := c.r
	if !c.needCache() {
		return
	}
	requested := r.scopes.valid
	if len(requested) == 0 {
		c.skip("no scopes requested to compare with")
		return
	}
	granted, from := r.user.granted, r.user.grantedFrom
	if from == "" {
		if !r.cache.HasScope {
			c.skip("neither the cache nor a refresh says which scopes were granted")
			return
		}
		granted, from = strings.Fields(r.cache.Scope), r.cache.Path
		if r.cache.Format == FormatSpotipy {
			from += ", which records the scopes spotipy asked for"
		}
	}
	var missing []string
	for _, s := range requested {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		c.note("granted %s", orNone(strings.Join(granted, " ")))
		return
	}
	f := c.add(CachedScopeNarrower, "cache:scope",
		fmt.Sprintf("the token's scopes (from %s): %s; requested (%s): %s; missing: %s", from, orNone(strings.Join(granted, " ")), r.scopes.source,
			strings.Join(requested, " "), strings.Join(missing, " ")))
	f.Fix = fmt.Sprintf("Authorize again with %s included (show_dialog=true shows the consent page again) and replace the cache: refreshing never adds scopes, so calls needing them get 403 \"Insufficient client scope\".", strings.Join(missing, " "))
}

func (c *checkRun) webAPIUser() {
	r := c.r
	if !c.needCache() || !c.needOnline() {
		return
	}
	token, how := r.user.access, "the refreshed access token"
	if token == "" {
		tc := r.cache
		switch {
		case r.user.refused != "":
			c.skip("%s, so the user's grant is gone", r.user.refused)
			return
		case tc.AccessToken == "":
			c.skip("no access token")
			return
		case !tc.ExpiresAt.IsZero() && !r.serverNow().Before(tc.ExpiresAt):
			c.skip("the cached access token expired and could not be refreshed")
			return
		}
		token, how = tc.AccessToken, "the cached access token"
	}
	resp, ok := c.do(r.client.APIRequest("user token on GET /v1/me", http.MethodGet, "/v1/me", token, nil))
	if !ok {
		return
	}
	ex := []wire.Exchange{resp.Exchange}
	ev := "GET /v1/me with " + how + ": " + quote(resp.Exchange)
	if resp.Status == http.StatusOK {
		var me map[string]json.RawMessage
		if err := json.Unmarshal(resp.Body, &me); err != nil {
			c.fail("GET /v1/me answered 200 without a JSON object")
			return
		}
		r.user.me = me
		var id string
		_ = json.Unmarshal(me["id"], &id)
		c.note("GET /v1/me answers 200 for user %s", id)
		return
	}
	switch id := r.matchID(explain.WhereWebAPI, resp); id {
	case OwnerNotPremium:
		if !r.fold("owner-premium", ex, ev) {
			f := c.add(id, "owner-premium", ev)
			f.Exchanges = ex
		}
	case UserNotAllowlisted:
		f := c.add(id, "api:allowlist", ev)
		f.Exchanges = ex
	case AccessTokenInvalid, AccessTokenExpired:
		f := c.add(AccessTokenInvalid, "api:token", ev)
		f.Exchanges = ex
	default:
		c.fail("unexpected answer: %s", quote(resp.Exchange))
	}
}

// meFieldScopes are the /v1/me fields a scope reveals (wire reference §5.6).
var meFieldScopes = []struct {
	scope  string
	fields []string
}{
	{"user-read-email", []string{"email"}},
	{"user-read-private", []string{"country", "product"}},
}

func (c *checkRun) meFields() {
	r := c.r
	me := r.user.me
	if me == nil {
		c.skip("no GET /v1/me answer to look at")
		return
	}
	granted := r.user.granted
	if r.user.grantedFrom == "" && r.cache != nil && r.cache.HasScope {
		granted = strings.Fields(r.cache.Scope)
	}
	var unscoped, removed []string
	for _, fs := range meFieldScopes {
		var absent []string
		for _, name := range fs.fields {
			if v, ok := me[name]; !ok || string(v) == "null" || string(v) == `""` {
				absent = append(absent, name)
			}
		}
		if len(absent) == 0 {
			continue
		}
		desc := strings.Join(absent, ", ") + " (" + fs.scope + ")"
		switch {
		case slices.Contains(granted, fs.scope):
			removed = append(removed, desc)
		case slices.Contains(r.scopes.valid, fs.scope) && r.fold("cache:scope", nil, "GET /v1/me has no "+desc+" for that reason"):
		default:
			unscoped = append(unscoped, desc)
		}
	}
	if len(removed) > 0 {
		c.add(MeFieldsRemovedDevMode, "me:removed", "GET /v1/me has no "+strings.Join(removed, "; ")+", though the token has the scope: a development-mode app since February 2026")
	}
	if len(unscoped) > 0 {
		c.add(MeFieldsMissing, "me:missing", "GET /v1/me has no "+strings.Join(unscoped, "; ")+": the token does not have the scope")
	}
	if len(c.added) == 0 {
		c.note("every field the scopes cover is there")
	}
}
