package scenarios

import (
	"fmt"
	"regexp"
	"strings"
)

// Template is a string that may refer to other values with ${…}:
//
//	${steps.<step>.<field>}     an export of an earlier step (see Kind.Exports)
//	${steps.<step>.json.<path>} a value of that step's JSON response body
//	${steps.<step>.header.<Name>} a header of that step's response
//	${app.<field>}              the scenario's app: client_id, client_secret,
//	                            redirect_uri (its first registered URI; on
//	                            spotify SPOTIFY_REDIRECT_URI) or name
//	${apps.<name>.<field>}      another app of the fake (fake-only)
//	${vars.<name>}              a var of the scenario
//
// A reference may be all of the string or part of it
// ("${app.redirect_uri}/"). "$${" stands for a literal "${". Load checks
// every reference it can: the step exists and comes earlier, its action
// exports the field, the app and the var exist.
type Template string

// RefKind is the first part of a reference.
type RefKind string

const (
	RefSteps RefKind = "steps"
	RefApp   RefKind = "app"
	RefApps  RefKind = "apps"
	RefVars  RefKind = "vars"
)

// Ref is one ${…} of a Template.
type Ref struct {
	Kind RefKind
	// Step is the step name (RefSteps).
	Step string
	// App is the app name (RefApps; empty for RefApp).
	App string
	// Name is the field (client_id, code, json, header…) or, for RefVars,
	// the var's name.
	Name string
	// Arg is the JSON path after json., or the header name after header.
	Arg string
}

// String gives the reference as written, with ${ }.
func (r Ref) String() string {
	var b strings.Builder
	b.WriteString("${")
	b.WriteString(string(r.Kind))
	switch r.Kind {
	case RefSteps:
		b.WriteString("." + r.Step)
	case RefApps:
		b.WriteString("." + r.App)
	}
	b.WriteString("." + r.Name)
	if r.Arg != "" {
		b.WriteString("." + r.Arg)
	}
	b.WriteString("}")
	return b.String()
}

// appFields are the fields of ${app.…} and ${apps.<name>.…}.
var appFields = []string{"client_id", "client_secret", "redirect_uri", "name"}

var refName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Refs parses the template and returns its references in order.
func (t Template) Refs() ([]Ref, error) {
	var refs []Ref
	_, err := t.walk(func(r Ref) (string, error) {
		refs = append(refs, r)
		return "", nil
	})
	return refs, err
}

// IsLiteral reports whether the template has no reference (and no "$${").
func (t Template) IsLiteral() bool { return !strings.Contains(string(t), "${") }

// Expand replaces every reference with the value lookup gives it; an error
// from lookup (a value that does not exist) is returned with the reference
// named.
func (t Template) Expand(lookup func(Ref) (string, error)) (string, error) {
	return t.walk(lookup)
}

func (t Template) walk(lookup func(Ref) (string, error)) (string, error) {
	s := string(t)
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated reference %q (want ${…})", s[i:])
		}
		body := s[i+2 : i+end]
		r, err := parseRef(body)
		if err != nil {
			return "", err
		}
		v, err := lookup(r)
		if err != nil {
			return "", fmt.Errorf("%s: %w", r, err)
		}
		b.WriteString(v)
		s = s[i+end+1:]
	}
}

func parseRef(body string) (Ref, error) {
	bad := func(why string) (Ref, error) {
		return Ref{}, fmt.Errorf("bad reference ${%s}: %s", body, why)
	}
	kind, rest, _ := strings.Cut(body, ".")
	switch RefKind(kind) {
	case RefSteps:
		step, field, ok := strings.Cut(rest, ".")
		if !ok || step == "" || field == "" {
			return bad("want ${steps.<step>.<field>}")
		}
		if !refName.MatchString(step) {
			return bad("step names are letters, digits, _ and -")
		}
		r := Ref{Kind: RefSteps, Step: step, Name: field}
		if name, arg, ok := strings.Cut(field, "."); ok && (name == "json" || name == "header") {
			if arg == "" {
				return bad("want " + name + ".<" + map[string]string{"json": "path", "header": "Name"}[name] + ">")
			}
			r.Name, r.Arg = name, arg
			if name == "json" {
				if _, err := parsePath(arg); err != nil {
					return bad(err.Error())
				}
			}
		} else if !refName.MatchString(field) {
			return bad("unknown field syntax " + fmt.Sprintf("%q", field))
		}
		return r, nil
	case RefApp:
		if !refName.MatchString(rest) {
			return bad("want ${app.<field>} with a field of " + orList(appFields))
		}
		return Ref{Kind: RefApp, Name: rest}, nil
	case RefApps:
		app, field, ok := strings.Cut(rest, ".")
		if !ok || !refName.MatchString(app) || !refName.MatchString(field) {
			return bad("want ${apps.<app>.<field>}")
		}
		return Ref{Kind: RefApps, App: app, Name: field}, nil
	case RefVars:
		if !refName.MatchString(rest) {
			return bad("want ${vars.<name>}")
		}
		return Ref{Kind: RefVars, Name: rest}, nil
	}
	return bad("unknown kind " + fmt.Sprintf("%q", kind) + " (want steps, app, apps or vars)")
}

// ExpandValue expands every string inside v (a JSON-like value: maps,
// slices, strings, numbers, booleans, nil) as a Template and returns the
// expanded copy. Map keys are not expanded.
func ExpandValue(v any, lookup func(Ref) (string, error)) (any, error) {
	switch x := v.(type) {
	case string:
		return Template(x).Expand(lookup)
	case Template:
		return x.Expand(lookup)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			ev, err := ExpandValue(e, lookup)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ev, err := ExpandValue(e, lookup)
			if err != nil {
				return nil, err
			}
			out[k] = ev
		}
		return out, nil
	}
	return v, nil
}
