package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
	"gopkg.in/yaml.v3"
)

// Error is one problem in a configuration file, located by line and by the
// field's path (e.g. "apps[1].mode").
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Field != "" {
		return loc + ": " + e.Field + ": " + e.Msg
	}
	return loc + ": " + e.Msg
}

// Errors is every problem found in one file, in line order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads and parses a configuration file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Errors{{File: path, Msg: "cannot read: " + errors.Unwrap(err).Error()}}
	}
	return Parse(data, path)
}

// Parse decodes YAML, fills defaults and validates. Every problem of the
// file is reported at once, each with its line and field.
func Parse(data []byte, file string) (*Config, error) {
	// The document as a node tree gives problems their lines; a file
	// without problems (the built-in one at every start) never needs it,
	// so it is parsed only when one is found.
	root := sync.OnceValue(func() *yaml.Node {
		var n yaml.Node
		_ = yaml.Unmarshal(data, &n) // the typed decoding below read the same text without a syntax error
		return &n
	})
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var es Errors
	if err := dec.Decode(&cfg); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			if len(bytes.TrimSpace(data)) != 0 {
				return nil, Errors{syntaxError(file, err)}
			}
		} else {
			// yaml.v3 decodes what it can around a type error: go on,
			// so that one run names every problem of the file.
			es = typeErrors(file, root(), te)
		}
	}
	cfg.fillDefaults()
	typed := map[string]bool{}
	for _, e := range es {
		typed[e.Field] = true
	}
	for _, e := range cfg.validate(file, root) {
		// A field of the wrong type decodes as empty: its type error
		// says what is wrong, "is required" would say it twice.
		if !typed[e.Field] {
			es = append(es, e)
		}
	}
	if len(es) > 0 {
		sort.SliceStable(es, func(i, j int) bool { return es[i].Line < es[j].Line })
		return nil, es
	}
	return &cfg, nil
}

var lineRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

func syntaxError(file string, err error) *Error {
	msg := err.Error()
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: n, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

var (
	unknownFieldRe = regexp.MustCompile(`^line (\d+): field (\S+) not found in type config\.(\w+)$`)
	trailingIndex  = regexp.MustCompile(`\[\d+\]$`)
	cannotRe       = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
)

// typeErrors turns yaml.v3's messages into ours, naming the field path.
func typeErrors(file string, root *yaml.Node, te *yaml.TypeError) Errors {
	var es Errors
	for _, msg := range te.Errors {
		switch {
		case unknownFieldRe.MatchString(msg):
			m := unknownFieldRe.FindStringSubmatch(msg)
			n, _ := strconv.Atoi(m[1])
			es = append(es, &Error{File: file, Line: n, Field: pathAtLine(root, n, m[2]),
				Msg: fmt.Sprintf("unknown field %q (not a field of %s)", m[2], typeNames[m[3]])})
		case cannotRe.MatchString(msg):
			m := cannotRe.FindStringSubmatch(msg)
			n, _ := strconv.Atoi(m[1])
			what, field := strconv.Quote(m[3]), pathAtLine(root, n, "")
			switch m[2] {
			case "seq":
				// The path found at the line is the list's first item;
				// the problem is the field that holds the list.
				what, field = "a list", trailingIndex.ReplaceAllString(field, "")
			case "map":
				what = "a mapping"
			}
			es = append(es, &Error{File: file, Line: n, Field: field,
				Msg: fmt.Sprintf("%s is not %s", what, goTypeWords(m[4]))})
		default:
			es = append(es, &Error{File: file, Msg: msg})
		}
	}
	return es
}

var typeNames = map[string]string{
	"Config": "the top level", "Lifetimes": "lifetimes", "Policies": "policies", "App": "an app",
	"User": "a user", "ExplicitContent": "explicit_content", "Playlist": "a playlist",
	"Catalog": "catalog", "Artist": "an artist", "Track": "a track", "Device": "a device",
}

func goTypeWords(t string) string {
	switch t {
	case "time.Duration":
		return "a duration (like 10m or 1h)"
	case "time.Time":
		return "a date (like 2024-01-15)"
	case "bool":
		return "true or false"
	case "int":
		return "a whole number"
	case "string":
		return "a string"
	}
	if strings.HasPrefix(t, "[]") {
		return "a list"
	}
	return "a " + strings.TrimPrefix(t, "config.")
}

// pathAtLine finds the path of the mapping key on line n (named key when
// given), so that a message can say "apps[2].mode" rather than just a line.
func pathAtLine(root *yaml.Node, n int, key string) string {
	var best string
	var walk func(node *yaml.Node, path string)
	walk = func(node *yaml.Node, path string) {
		switch node.Kind {
		case yaml.DocumentNode:
			for _, c := range node.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(node.Content); i += 2 {
				k, v := node.Content[i], node.Content[i+1]
				p := joinPath(path, k.Value)
				if k.Line == n && (key == "" || k.Value == key) {
					best = p
				}
				if v.Line == n && best == "" {
					best = p
				}
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range node.Content {
				p := path + "[" + strconv.Itoa(i) + "]"
				if c.Kind == yaml.ScalarNode && c.Line == n {
					best = p
				}
				walk(c, p)
			}
		}
	}
	walk(root, "")
	return best
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lineOf returns the line of the node at a dotted path like "apps[1].mode",
// or of its nearest existing parent, so that an error about a missing field
// points at the entry that lacks it.
func lineOf(root *yaml.Node, path string) int {
	node := root
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		node = node.Content[0]
	}
	line := node.Line
	for _, part := range splitPath(path) {
		var next *yaml.Node
		if idx, err := strconv.Atoi(part); err == nil {
			if node.Kind == yaml.SequenceNode && idx < len(node.Content) {
				next = node.Content[idx]
			}
		} else if node.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(node.Content); i += 2 {
				if node.Content[i].Value == part {
					next = node.Content[i+1]
					line = node.Content[i].Line
					break
				}
			}
			if next == nil {
				return line
			}
			node = next
			continue
		}
		if next == nil {
			return line
		}
		node, line = next, next.Line
	}
	return line
}

func splitPath(path string) []string {
	path = strings.ReplaceAll(path, "[", ".")
	path = strings.ReplaceAll(path, "]", "")
	if path == "" {
		return nil
	}
	return strings.Split(path, ".")
}

func (c *Config) fillDefaults() {
	lt, pol := Defaults()
	if c.Lifetimes.Code == 0 {
		c.Lifetimes.Code = lt.Code
	}
	if c.Lifetimes.AccessToken == 0 {
		c.Lifetimes.AccessToken = lt.AccessToken
	}
	if c.Lifetimes.RefreshToken == 0 {
		c.Lifetimes.RefreshToken = lt.RefreshToken
	}
	c.Policies = c.Policies.Merge(pol)
	if c.Consent == "" {
		c.Consent = ConsentPage
	}
	if c.RequestLog == 0 {
		c.RequestLog = DefaultRequestLog
	}
	if c.RequestLogBytes == 0 {
		c.RequestLogBytes = DefaultRequestLogBytes
	}
	if c.MaxClones == 0 {
		c.MaxClones = DefaultMaxClones
	}
	for i := range c.Apps {
		if c.Apps[i].Mode == "" {
			c.Apps[i].Mode = ModeExtended
		}
	}
}

// validator collects problems with their lines.
type validator struct {
	file string
	root func() *yaml.Node
	errs Errors
}

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, &Error{File: v.file, Line: lineOf(v.root(), field), Field: field, Msg: fmt.Sprintf(format, args...)})
}

func oneOf(v *validator, field, got string, allowed ...string) {
	for _, a := range allowed {
		if got == a {
			return
		}
	}
	v.add(field, "%q is not one of %s", got, strings.Join(allowed, ", "))
}

func (c *Config) validate(file string, root func() *yaml.Node) Errors {
	v := &validator{file: file, root: root}
	oneOf(v, "consent", c.Consent, ConsentPage, ConsentAuto)
	for name, d := range map[string]int64{"lifetimes.code": int64(c.Lifetimes.Code), "lifetimes.access_token": int64(c.Lifetimes.AccessToken), "lifetimes.refresh_token": int64(c.Lifetimes.RefreshToken)} {
		if d < 0 {
			v.add(name, "must be positive")
		}
	}
	if c.RequestLog < 0 {
		v.add("request_log", "must be positive")
	}
	if c.RequestLogBytes < 0 {
		v.add("request_log_bytes", "must be positive")
	}
	if c.MaxClones < 0 {
		v.add("max_clones", "must be positive")
	}
	c.Policies.validate(v, "policies")

	users := map[string]bool{}
	for i, u := range c.Users {
		f := fmt.Sprintf("users[%d]", i)
		switch {
		case u.ID == "":
			v.add(f+".id", "is required")
		case users[u.ID]:
			v.add(f+".id", "duplicate user id %q", u.ID)
		}
		users[u.ID] = true
		if u.Password == "" {
			v.add(f+".password", "is required (the login page checks it)")
		}
		if u.Product != "" {
			oneOf(v, f+".product", u.Product, "premium", "free", "open")
		}
		seen := map[string]bool{}
		for j, p := range u.Playlists {
			if p.ID == "" || seen[p.ID] {
				v.add(fmt.Sprintf("%s.playlists[%d].id", f, j), "missing or duplicate playlist id %q", p.ID)
			}
			seen[p.ID] = true
		}
		validateDevices(v, f, u.Devices)
	}
	needsDefaultUser := c.Consent == ConsentAuto
	if c.DefaultUser != "" && !users[c.DefaultUser] {
		v.add("default_user", "no user with id %q", c.DefaultUser)
	}

	ids := map[string]bool{}
	names := map[string]bool{}
	for i, a := range c.Apps {
		f := fmt.Sprintf("apps[%d]", i)
		switch {
		case a.ClientID == "":
			v.add(f+".client_id", "is required")
		case ids[a.ClientID]:
			v.add(f+".client_id", "duplicate client_id %q", a.ClientID)
		}
		ids[a.ClientID] = true
		if a.Name != "" && names[a.Name] {
			v.add(f+".name", "duplicate app name %q", a.Name)
		}
		names[a.Name] = true
		if a.Created.invalid() {
			v.add(f+".created", "%q is not a date (like 2024-01-15)", a.Created.raw)
		}
		if a.ClientSecret == "" {
			v.add(f+".client_secret", "is required")
		}
		oneOf(v, f+".mode", a.Mode, ModeDevelopment, ModeExtended)
		if a.Consent != "" {
			oneOf(v, f+".consent", a.Consent, ConsentPage, ConsentAuto)
			if a.Consent == ConsentAuto && a.AutoUser == "" {
				needsDefaultUser = true
			}
		}
		if a.AutoUser != "" && !users[a.AutoUser] {
			v.add(f+".auto_user", "no user with id %q", a.AutoUser)
		}
		for j, u := range a.Allowlist {
			if !users[u] {
				v.add(fmt.Sprintf("%s.allowlist[%d]", f, j), "no user with id %q", u)
			}
		}
		if err := a.CheckAllowlistCap(); err != nil {
			v.add(f+".allowlist", "%v", err)
		}
		a.Policies.validateSet(v, f+".policies")
		if len(a.RedirectURIs) == 0 {
			v.add(f+".redirect_uris", "at least one redirect URI is required")
		}
		for j, r := range a.RedirectURIs {
			if err := CheckRedirectURI(r); err != nil {
				v.add(fmt.Sprintf("%s.redirect_uris[%d]", f, j), "%v", err)
			}
		}
	}
	if needsDefaultUser && c.DefaultUser == "" {
		v.add("default_user", "is required when consent is auto")
	}

	artists := map[string]bool{}
	for i, a := range c.Catalog.Artists {
		if a.ID == "" || artists[a.ID] {
			v.add(fmt.Sprintf("catalog.artists[%d].id", i), "missing or duplicate artist id %q", a.ID)
		}
		artists[a.ID] = true
	}
	tracks := map[string]bool{}
	for i, t := range c.Catalog.Tracks {
		f := fmt.Sprintf("catalog.tracks[%d]", i)
		if t.ID == "" || tracks[t.ID] {
			v.add(f+".id", "missing or duplicate track id %q", t.ID)
		}
		tracks[t.ID] = true
		for j, a := range t.Artists {
			if !artists[a] {
				v.add(fmt.Sprintf("%s.artists[%d]", f, j), "no catalog artist with id %q", a)
			}
		}
	}
	for i, u := range c.Users {
		f := fmt.Sprintf("users[%d]", i)
		refs := func(field string, list []string, known map[string]bool, what string) {
			for j, id := range list {
				if !known[id] {
					v.add(fmt.Sprintf("%s.%s[%d]", f, field, j), "no catalog %s with id %q", what, id)
				}
			}
		}
		refs("saved_tracks", u.SavedTracks, tracks, "track")
		refs("top_tracks", u.TopTracks, tracks, "track")
		refs("recently_played", u.RecentlyPlayed, tracks, "track")
		refs("top_artists", u.TopArtists, artists, "artist")
		refs("followed_artists", u.FollowedArtists, artists, "artist")
		for j, p := range u.Playlists {
			refs(fmt.Sprintf("playlists[%d].tracks", j), p.Tracks, tracks, "track")
		}
	}
	sort.SliceStable(v.errs, func(i, j int) bool { return v.errs[i].Line < v.errs[j].Line })
	return v.errs
}

// CheckRedirectURI says what is wrong with a redirect URI an app
// registers: it must be absolute (a scheme, then the rest), as the
// dashboard requires.
func CheckRedirectURI(r string) error {
	if u, err := url.Parse(r); err != nil || u.Scheme == "" {
		return fmt.Errorf("%q is not an absolute URI", r)
	}
	return nil
}

// validateDevices checks a user's devices: an id and a name each, ids
// unique, a volume in 0..100, at most one active (Spotify plays on one
// device at a time).
func validateDevices(v *validator, f string, ds []Device) {
	ids := map[string]bool{}
	active := 0
	for j, d := range ds {
		df := fmt.Sprintf("%s.devices[%d]", f, j)
		if d.ID == "" || ids[d.ID] {
			v.add(df+".id", "missing or duplicate device id %q", d.ID)
		}
		ids[d.ID] = true
		if d.Name == "" {
			v.add(df+".name", "is required")
		}
		if d.VolumePercent < 0 || d.VolumePercent > 100 {
			v.add(df+".volume_percent", "%d is not a percentage (0 to 100)", d.VolumePercent)
		}
		if d.Active {
			active++
			if active > 1 {
				v.add(df+".active", "only one device can be active")
			}
		}
	}
}

// CheckAllowlistCap says when a development-mode app's allowlist is
// longer than Spotify lets it be (wire.DevModeUserCap), in the words of
// the dashboard's User Management; the config file, CloneApp and the
// control API all check with it.
func (a App) CheckAllowlistCap() error {
	if a.Mode != ModeDevelopment {
		return nil
	}
	limit := wire.DevModeUserCap(a.Created.Time)
	if len(a.Allowlist) <= limit {
		return nil
	}
	msg := fmt.Sprintf("%d users: %s", len(a.Allowlist), wire.DevModeUserCapMessage(limit))
	if limit < wire.DevModeUsersBefore {
		msg += fmt.Sprintf(" (apps created before %s keep up to %d)", wire.DevModeUsersSince.Format("2006-01-02"), wire.DevModeUsersBefore)
	}
	return errors.New(msg)
}

// validateSet checks the fields that are set, as an override has them.
func (p Policies) validateSet(v *validator, f string) {
	for _, pol := range wire.Policies {
		if got := p.Get(pol.Name); got != "" {
			oneOf(v, f+"."+pol.Name, got, pol.ValueNames()...)
		}
	}
}

func (p Policies) validate(v *validator, f string) {
	for _, pol := range wire.Policies {
		oneOf(v, f+"."+pol.Name, p.Get(pol.Name), pol.ValueNames()...)
	}
}

// ValidatePolicies checks a policy override (all fields optional), as sent
// to a running fake, and names the first bad field.
func ValidatePolicies(p Policies) error {
	_, base := Defaults()
	v := &validator{file: "policy", root: func() *yaml.Node { return &yaml.Node{} }}
	p.Merge(base).validate(v, "policies")
	if len(v.errs) > 0 {
		return fmt.Errorf("%s: %s", v.errs[0].Field, v.errs[0].Msg)
	}
	return nil
}
