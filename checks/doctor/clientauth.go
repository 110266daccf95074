package doctor

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// matchID is the catalog's reading of a response: the id of the best
// entry at medium confidence or more, or "".
func (r *runner) matchID(where explain.Where, resp *checks.Response) ID {
	ms := r.cat.MatchResponse(where, resp.Status, resp.Header.Get("Content-Type"), resp.Body)
	if len(ms) == 0 || ms[0].Level() == explain.LevelLow {
		return ""
	}
	return ID(ms[0].Entry.ID)
}

func (c *checkRun) clientAuthentication() {
	r := c.r
	if !c.needOnline() {
		return
	}
	id, secret := r.cred.id.clean, r.cred.secret.clean
	switch {
	case id == "":
		c.skip("no client id")
		return
	case secret == "":
		c.skip("no client secret: a public client's id is checked at /authorize (client-id-known)")
		return
	}
	resp, ok := c.token(checks.TokenRequest{Step: "client credentials", Auth: checks.AuthBasic, ClientID: id, ClientSecret: secret,
		Params: checks.ClientCredentialsParams("")})
	if !ok {
		return
	}
	ex := []wire.Exchange{resp.Exchange}
	switch r.matchID(explain.WhereToken, resp) {
	case "":
		if resp.Status != http.StatusOK {
			c.fail("unexpected answer: %s", quote(resp.Exchange))
			return
		}
		r.accepted(c, resp)
		c.note("Spotify issued an app token for the client id and secret")
		c.asGiven()
	case ClientIDInvalid:
		if hex32().MatchString(secret) && secret != id {
			// The most common "Invalid client" with two good-looking
			// values: they are in each other's place.
			swap, ok := c.token(checks.TokenRequest{Step: "client credentials, id and secret swapped", Auth: checks.AuthBasic,
				ClientID: secret, ClientSecret: id, Params: checks.ClientCredentialsParams("")})
			if !ok {
				return
			}
			if swap.Status == http.StatusOK {
				r.cred.swapped = true
				r.cred.id.clean, r.cred.secret.clean = secret, id
				r.accepted(c, swap)
				f := c.add(CredentialsSwapped, "cred:swapped",
					fmt.Sprintf("with the client id from %s and the secret from %s: %s", r.cred.id.v.Source, r.cred.secret.v.Source, quote(resp.Exchange)),
					fmt.Sprintf("with the two values swapped: %s", quote(swap.Exchange)))
				f.Exchanges = append(ex, swap.Exchange)
				return
			}
			ex = append(ex, swap.Exchange)
		}
		r.cred.idKnown = no
		r.set.Add(id) // an id Spotify does not know may be a secret in the wrong place
		ev := fmt.Sprintf("client credentials with the client id from %s: %s", r.cred.id.v.Source, quote(resp.Exchange))
		if r.fold("cred:id:wrong", ex, ev) {
			return
		}
		f := c.add(ClientIDInvalid, "cred:id:wrong", ev)
		if len(ex) > 1 {
			f.Evidence = append(f.Evidence, "swapping id and secret does not help either: "+quote(ex[1]))
		}
		f.Exchanges = ex
	case ClientSecretInvalid:
		r.cred.idKnown, r.cred.secretOK = yes, no
		ev := fmt.Sprintf("client credentials with the secret from %s: %s", r.cred.secret.v.Source, quote(resp.Exchange))
		if r.fold("cred:secret:wrong", ex, ev) {
			return
		}
		f := c.add(ClientSecretInvalid, "cred:secret:wrong", ev,
			"Spotify knows the client id but not this secret: it is another app's, mistyped, or was rotated (the old secret stops working at once)")
		f.Exchanges = ex
	case ClientAuthMissing:
		f := c.add(ClientAuthMissing, "cred:auth", "a well-formed Basic header still got: "+quote(resp.Exchange),
			"something between the doctor and Spotify (a proxy) may strip the Authorization header")
		f.Exchanges = ex
	default:
		c.fail("unexpected answer: %s", quote(resp.Exchange))
	}
}

// accepted records that Spotify took the credentials, and the app token.
func (r *runner) accepted(c *checkRun, resp *checks.Response) {
	r.cred.idKnown, r.cred.secretOK = yes, yes
	if tok, err := resp.Token(); err == nil {
		r.user.appToken = tok.AccessToken
	}
}

// asGiven shows, for each value the doctor repaired, what Spotify answers
// to it as configured: the evidence that the repair is the fix.
func (c *checkRun) asGiven() {
	r := c.r
	id, secret := r.cred.id, r.cred.secret
	if len(id.issues) == 0 && len(secret.issues) == 0 {
		return
	}
	if _, ok := r.has("cred:id:repair"); !ok {
		if _, ok := r.has("cred:secret:repair"); !ok {
			return
		}
	}
	req := r.client.TokenRequest(checks.TokenRequest{Step: "client credentials as configured", Auth: checks.AuthBasic,
		ClientID: id.v.Value, ClientSecret: secret.v.Value, Params: checks.ClientCredentialsParams("")})
	for _, cv := range []credValue{id, secret} {
		if cv.basic == "" {
			continue
		}
		// The app sends the stored header value itself. A line break in it
		// cannot go through net/http, so the bytes go out raw, the break
		// folded onto a continuation line as a header writer would.
		req.Header.Set("Authorization", "Basic "+strings.Join(strings.Fields(cv.basic), "\r\n "))
		req.Raw = strings.ContainsAny(cv.basic, "\r\n")
	}
	resp, ok := c.do(req)
	if !ok {
		return
	}
	ev := "as configured, Spotify answers: " + quote(resp.Exchange) + "; repaired, it accepts the credentials"
	if resp.Status == http.StatusOK {
		ev = "Spotify happens to accept the value as configured (" + quote(resp.Exchange) + "), but other clients and libraries send it differently"
	}
	for _, s := range []string{"cred:id:repair", "cred:secret:repair"} {
		if f, ok := r.has(s); ok {
			f.Evidence = append(f.Evidence, ev)
			f.Exchanges = append(f.Exchanges, resp.Exchange)
		}
	}
}

func (c *checkRun) clientIDKnown() {
	r := c.r
	if !c.needOnline() {
		return
	}
	switch {
	case r.cred.id.clean == "":
		c.skip("no client id")
		return
	case r.cred.idKnown != unknown:
		c.skip("client-authentication already settled it")
		return
	}
	uri := "https://spotcheck.invalid/callback"
	for _, u := range r.uris {
		if u.parsed != nil {
			uri = u.raw
			break
		}
	}
	ans, ok := c.authorize("client id at /authorize", r.authorizeParams(uri, ""))
	if !ok {
		return
	}
	if ans.entry != ClientIDInvalid {
		r.cred.idKnown = yes
		c.note("/authorize knows the client id")
		return
	}
	r.cred.idKnown = no
	r.set.Add(r.cred.id.clean)
	ev := fmt.Sprintf("/authorize with the client id from %s: %s", r.cred.id.v.Source, ans.quote())
	if r.fold("cred:id:wrong", ans.exchanges, ev) {
		return
	}
	f := c.add(ClientIDInvalid, "cred:id:wrong", ev)
	f.Exchanges = ans.exchanges
}

// appTokenAPI calls the Web API with the app token: a development-mode
// app whose owner has no Premium is refused on every call, app-only ones
// included, so this finds it without a user.
func (c *checkRun) appTokenAPI() {
	r := c.r
	if !c.needOnline() {
		return
	}
	if r.user.appToken == "" {
		c.skip("no app token (client-authentication did not pass)")
		return
	}
	resp, ok := c.do(r.client.APIRequest("app token on the Web API", http.MethodGet, "/v1/search?q=spotcheck&type=track&limit=1", r.user.appToken, nil))
	if !ok {
		return
	}
	if resp.Status == http.StatusOK {
		c.note("GET /v1/search answers 200 with the app token")
		return
	}
	switch id := r.matchID(explain.WhereWebAPI, resp); id {
	case OwnerNotPremium:
		f := c.add(id, "owner-premium", "an app-only call: "+quote(resp.Exchange))
		f.Exchanges = []wire.Exchange{resp.Exchange}
	default:
		c.note("GET /v1/search with the app token: %s", quote(resp.Exchange))
	}
}
