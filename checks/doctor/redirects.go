package doctor

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// redirectState is one configured redirect URI and what the checks found.
type redirectState struct {
	raw     string
	source  string
	parsed  *url.URL // nil when it does not parse as an absolute URL
	custom  bool     // a scheme other than http(s)
	offline ID       // the offline finding raised on it, if any
	suggest string   // the URI that offline finding recommends
	why     string   // how suggest differs ("without the fragment")
	variant bool     // trailing slash or capitals: worth a look in the dashboard
	ok      tri      // accepted by /authorize
}

func (r *runner) redirectInputs() []redirectState {
	var out []redirectState
	seen := map[string]bool{}
	add := func(raw, source string) {
		if raw == "" || seen[raw] {
			return
		}
		seen[raw] = true
		st := redirectState{raw: raw, source: source}
		if u, err := url.Parse(raw); err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "" || u.Path != "") {
			st.parsed = u
			st.custom = u.Scheme != "http" && u.Scheme != "https"
			if !st.custom && u.Host == "" {
				st.parsed = nil
			}
		}
		out = append(out, st)
	}
	for _, v := range r.o.Credentials.RedirectURIs {
		add(v.Value, v.Source.String())
	}
	if r.authURL != nil {
		add(r.authURL.redirectURI, "--authorize-url")
	}
	return out
}

func isLoopbackIP(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isLocalhost(host string) bool {
	h := strings.ToLower(host)
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// withHost replaces u's host name and keeps its port.
func withHost(u *url.URL, host string) string {
	v := *u
	if p := u.Port(); p != "" {
		v.Host = net.JoinHostPort(host, p)
	} else if strings.Contains(host, ":") {
		v.Host = "[" + host + "]"
	} else {
		v.Host = host
	}
	return v.String()
}

func (c *checkRun) redirectRules() {
	r := c.r
	if len(r.uris) == 0 {
		if r.o.Flow.hasUser() {
			c.add(RedirectURIMissing, "redirect:none", fmt.Sprintf("--flow %s sends users back to a redirect URI; none of %s, %s, %s is set%s",
				r.o.Flow, checks.FlagRedirectURI, checks.EnvRedirectURI, checks.EnvSpotipyRedirect, unsetWhere(r.o.Credentials)))
			return
		}
		c.skip("no redirect URI: --flow %s has no user", r.o.Flow)
		return
	}
	for i := range r.uris {
		u := &r.uris[i]
		subject := fmt.Sprintf("redirect:%d", i)
		at := fmt.Sprintf("%s: %s", u.source, u.raw)
		p := u.parsed
		switch {
		case p == nil:
			u.offline = RedirectURIMalformed
			c.add(u.offline, subject, at+" has no scheme or host")
			continue
		case strings.Contains(u.raw, "#"):
			u.offline = RedirectURIFragment
			base, _, _ := strings.Cut(u.raw, "#")
			u.suggest, u.why = base, "without the fragment #"+p.Fragment
			c.add(u.offline, subject, at+" has the fragment #"+p.Fragment)
		case u.custom:
			u.offline = RedirectURICustomScheme
			c.add(u.offline, subject, fmt.Sprintf("%s uses the scheme %s:", at, p.Scheme))
		case isLocalhost(p.Hostname()):
			u.offline = RedirectURILocalhost
			u.suggest, u.why = withHost(p, "127.0.0.1"), "127.0.0.1 instead of localhost"
			f := c.add(u.offline, subject, at+" names the host localhost",
				"\"localhost is not allowed as redirect URI\" (redirect URI docs); enforced for new apps since 2025-04-09 and for all apps since 2025-11-27")
			f.Fix = fmt.Sprintf("Use %s in the app and register it under Dashboard > app > Settings > Redirect URIs (Save), then delete the localhost entry.", u.suggest)
		case p.Scheme == "http" && !isLoopbackIP(p.Hostname()):
			u.offline = RedirectURIHTTP
			v := *p
			v.Scheme = "https"
			u.suggest, u.why = v.String(), "https instead of http"
			f := c.add(u.offline, subject, at+" uses http on "+p.Hostname()+", which is not a loopback address")
			f.Fix = fmt.Sprintf("Serve the callback over https and use %s, in the app and in the dashboard; plain http is only allowed for 127.0.0.1 and [::1] since the 2025 rules.", u.suggest)
		}
		if u.offline == "" || u.offline == RedirectURICustomScheme {
			path := p.EscapedPath()
			u.variant = (len(path) > 1 && strings.HasSuffix(path, "/")) || strings.ToLower(p.Host+path) != p.Host+path
		}
	}
	if !r.online() {
		// Nothing will probe which spelling the dashboard has: say what
		// to compare by hand.
		for i, u := range r.uris {
			if u.variant {
				c.add(RedirectURIVariant, fmt.Sprintf("redirect:%d:variant", i), fmt.Sprintf("%s: %s — %s", u.source, u.raw, variantWhy(u.parsed)))
			}
		}
	}
	if len(c.added) == 0 {
		c.note("%d redirect URI(s) follow the rules", len(r.uris))
	}
}

func variantWhy(p *url.URL) string {
	var why []string
	if path := p.EscapedPath(); len(path) > 1 && strings.HasSuffix(path, "/") {
		why = append(why, "it ends with a slash")
	}
	if strings.ToLower(p.Host+p.EscapedPath()) != p.Host+p.EscapedPath() {
		why = append(why, "it has capital letters")
	}
	return strings.Join(why, " and ") + "; the dashboard entry must match byte for byte"
}

// uriVariant is a spelling of a redirect URI the dashboard might hold.
type uriVariant struct {
	uri, how string
	insecure bool // registered, but Spotify refuses it as insecure
}

// maxEdits and maxProbes bound the search for the registered spelling:
// two or three small differences together (localhost and a trailing
// slash) are common, more are a different URI; each probe is one request
// to /authorize.
const (
	maxEdits  = 3
	maxProbes = 32
)

// uriEdit is one way a registered redirect URI commonly differs from the
// one an app sends: the trailing slash, localhost and 127.0.0.1, http and
// https, the port, case, a query, a fragment. An edit has one or more
// alternatives (127.0.0.1 may be registered as localhost or as [::1]).
type uriEdit []uriAlt

type uriAlt struct {
	how   string
	apply func(v *url.URL)
}

// uriEdits lists the edits that apply to p, most likely first.
func uriEdits(p *url.URL) []uriEdit {
	var edits []uriEdit
	if strings.HasSuffix(p.Path, "/") && len(p.Path) > 1 {
		edits = append(edits, uriEdit{{"without the trailing slash", func(v *url.URL) { v.Path, v.RawPath = strings.TrimSuffix(v.Path, "/"), "" }}})
	} else {
		edits = append(edits, uriEdit{{"with a trailing slash", func(v *url.URL) { v.Path, v.RawPath = v.Path+"/", "" }}})
	}
	host := p.Hostname()
	setHost := func(h string) func(v *url.URL) {
		return func(v *url.URL) { *v = *mustParse(withHost(v, h)) }
	}
	switch {
	case isLocalhost(host):
		edits = append(edits, uriEdit{{"127.0.0.1 instead of localhost", setHost("127.0.0.1")}})
	case host == "127.0.0.1":
		edits = append(edits, uriEdit{{"localhost instead of 127.0.0.1", setHost("localhost")}, {"[::1] instead of 127.0.0.1", setHost("::1")}})
	case host == "::1":
		edits = append(edits, uriEdit{{"127.0.0.1 instead of [::1]", setHost("127.0.0.1")}})
	}
	switch p.Scheme {
	case "http":
		edits = append(edits, uriEdit{{"https instead of http", func(v *url.URL) { v.Scheme = "https" }}})
	case "https":
		edits = append(edits, uriEdit{{"http instead of https", func(v *url.URL) { v.Scheme = "http" }}})
	}
	if p.Port() != "" && (isLoopbackIP(host) || isLocalhost(host)) {
		edits = append(edits, uriEdit{{"without the port :" + p.Port(), func(v *url.URL) { v.Host = strings.TrimSuffix(v.Host, ":"+v.Port()) }}})
	}
	if p.RawQuery != "" {
		edits = append(edits, uriEdit{{"without the query", func(v *url.URL) { v.RawQuery, v.ForceQuery = "", false }}})
	}
	if low := strings.ToLower(p.String()); low != p.String() {
		// Applied last: it lowercases whatever the other edits made.
		edits = append(edits, uriEdit{{"in lowercase", func(v *url.URL) { *v = *mustParse(strings.ToLower(v.String())) }}})
	}
	return edits
}

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return &url.URL{Opaque: s}
	}
	return u
}

// variants lists the spellings of a redirect URI that people register by
// mistake (or on purpose), nearest first: the offline suggestion, then
// every combination of one, two and three edits (uriEdits), each with
// what differs. A fragment is dropped first: it is never registered.
func variants(raw, suggest, why string) []uriVariant {
	var out []uriVariant
	seen := map[string]bool{raw: true}
	add := func(u, how string) {
		if u != "" && !seen[u] && len(out) < maxProbes {
			seen[u] = true
			out = append(out, uriVariant{uri: u, how: how})
		}
	}
	add(suggest, why)
	base, frag, hasFrag := strings.Cut(raw, "#")
	var first []string
	if hasFrag {
		first = append(first, "without the fragment #"+frag)
		add(base, first[0])
	}
	p, err := url.Parse(base)
	if err != nil {
		return out
	}
	edits := uriEdits(p)
	for n := 1; n <= maxEdits; n++ {
		combine(len(edits), n, func(pick []int) {
			alts := [][]uriAlt{{}}
			for _, i := range pick {
				var next [][]uriAlt
				for _, a := range alts {
					for _, alt := range edits[i] {
						next = append(next, append(append([]uriAlt(nil), a...), alt))
					}
				}
				alts = next
			}
			for _, a := range alts {
				v := *p
				hows := append([]string(nil), first...)
				for _, alt := range a {
					alt.apply(&v)
					hows = append(hows, alt.how)
				}
				add(v.String(), strings.Join(hows, ", "))
			}
		})
	}
	return out
}

// editKinds names the edits the search tried on raw, for a finding that
// found no registered spelling.
func editKinds(raw string) string {
	base, _, _ := strings.Cut(raw, "#")
	p, err := url.Parse(base)
	if err != nil {
		return ""
	}
	var kinds []string
	for _, e := range uriEdits(p) {
		for _, a := range e {
			kinds = append(kinds, a.how)
		}
	}
	return strings.Join(kinds, "; ")
}

// combine calls f with every n-element subset of 0..k-1, in order.
func combine(k, n int, f func([]int)) {
	pick := make([]int, n)
	var rec func(at, from int)
	rec = func(at, from int) {
		if at == n {
			f(pick)
			return
		}
		for i := from; i < k; i++ {
			pick[at] = i
			rec(at+1, i+1)
		}
	}
	rec(0, 0)
}

func (c *checkRun) redirectRegistered() {
	r := c.r
	if !c.needOnline() {
		return
	}
	switch {
	case r.cred.id.clean == "":
		c.skip("no client id")
		return
	case r.cred.idKnown == no:
		c.skip("Spotify does not know the client id (see client-id-invalid)")
		return
	case len(r.uris) == 0:
		c.skip("no redirect URI configured")
		return
	}
	for i := range r.uris {
		u := &r.uris[i]
		if u.parsed == nil {
			continue
		}
		if !c.probeRedirect(i, u) {
			return
		}
	}
	if len(c.added) == 0 && c.errMsg == "" {
		c.note("/authorize accepts every redirect URI")
	}
}

// probeRedirect asks /authorize about one redirect URI and reports it
// once: folded into its offline finding when it has one.
func (c *checkRun) probeRedirect(i int, u *redirectState) bool {
	r := c.r
	subject := fmt.Sprintf("redirect:%d", i)
	ans, ok := c.authorize("redirect URI "+u.raw, r.authorizeParams(u.raw, ""))
	if !ok {
		return false
	}
	at := fmt.Sprintf("%s: %s", u.source, u.raw)
	switch {
	case ans.ok:
		u.ok = yes
		switch u.offline {
		case RedirectURILocalhost, RedirectURIHTTP:
			r.fold(subject, ans.exchanges, "Spotify still accepts it for this app ("+ans.how+"), as it did for apps before the 2025 rules; expect it to stop")
		}
		return true
	case ans.entry == RedirectURIInsecure:
		u.ok = no
		ev := "/authorize: " + ans.quote()
		// Spotify's verdict wins over the offline guess: a custom scheme
		// it calls insecure is an error, not a warning.
		if !r.upgrade(subject, RedirectURIInsecure, ans.exchanges, ev) {
			f := c.add(RedirectURIInsecure, subject, at, ev)
			f.Exchanges = ans.exchanges
		}
		return true
	case ans.entry == RedirectURIMismatch:
		u.ok = no
		ev := "/authorize: " + ans.quote()
		found, exs, more, ok := c.findVariant(u)
		if !ok {
			return false
		}
		evs := []string{ev}
		if found != nil {
			evs = append(evs, fmt.Sprintf("Spotify accepts %s (%s): that is the spelling the dashboard has", found.uri, found.how))
			if !found.insecure && r.probeURI == "" {
				r.probeURI = found.uri
			}
		} else if len(more) > 0 {
			evs = append(evs, fmt.Sprintf("none of the %d nearest spellings is registered either (up to %d of: %s)", len(more), maxEdits, editKinds(u.raw)))
		}
		exs = append(ans.exchanges, exs...)
		f, folded := r.has(subject)
		if folded {
			r.fold(subject, exs, evs...)
		} else {
			f = c.add(RedirectURIMismatch, subject, append([]string{at}, evs...)...)
			f.Exchanges = exs
		}
		if found != nil && !found.insecure {
			f.Fix = fmt.Sprintf("Send exactly %s from the app: that is what the dashboard has, and it differs from what the app sends in: %s.", found.uri, found.how)
			if !folded {
				// The app's own spelling breaks no rule: registering it works too.
				f.Fix += fmt.Sprintf(" Or register %s under Dashboard > app > Settings > Redirect URIs and press Save: Spotify compares redirect URIs byte for byte.", u.raw)
			}
		} else if found != nil && !folded {
			f.Fix = fmt.Sprintf("Send exactly %s from the app (what the dashboard has), or add %s under Dashboard > app > Settings > Redirect URIs and press Save: Spotify compares redirect URIs byte for byte.",
				found.uri, u.raw)
		}
		return true
	case ans.entry == ClientIDInvalid:
		r.cred.idKnown = no
		c.fail("/authorize does not know the client id: %s", ans.quote())
		return false
	}
	c.fail("unexpected answer for %s: %s", u.raw, ans.quote())
	return false
}

// findVariant probes the likely misspellings of a rejected redirect URI
// and returns the first one /authorize accepts (or calls insecure, which
// also means registered).
func (c *checkRun) findVariant(u *redirectState) (*uriVariant, []wire.Exchange, []string, bool) {
	var exs []wire.Exchange
	var tried []string
	for _, v := range variants(u.raw, u.suggest, u.why) {
		ans, ok := c.authorize("redirect URI variant "+v.uri, c.r.authorizeParams(v.uri, ""))
		if !ok {
			return nil, nil, nil, false
		}
		exs = append(exs, ans.exchanges...)
		if ans.ok || ans.entry == RedirectURIInsecure {
			found := v
			if ans.entry == RedirectURIInsecure {
				found.how += ", though Spotify calls it insecure"
				found.insecure = true
			}
			return &found, exs, nil, true
		}
		tried = append(tried, v.uri)
	}
	return nil, exs, tried, true
}

// registeredURI is a redirect URI /authorize accepted, for probes that
// need one.
func (r *runner) registeredURI() string {
	for _, u := range r.uris {
		if u.ok == yes {
			return u.raw
		}
	}
	return r.probeURI
}
