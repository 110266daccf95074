package checks

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/spotcheck/spotcheck/scenarios"
)

// exports is what one step that ran makes available to later steps as
// ${steps.<name>.<field>}: named values (a field that is absent was not
// produced), and for HTTP steps the response that json.<path> and
// header.<Name> read.
type exports struct {
	kind   scenarios.Kind
	values map[string]string
	// why says, per response export the step did not produce, what it got
	// instead, for the error of the step that refers to it.
	why map[string]string

	http   bool
	header http.Header
	body   []byte
	doc    any // body parsed as JSON, lazily
	parsed bool
	docErr error

	redirect *scenarios.Redirect // authorize, consent, callback
}

func newExports(kind scenarios.Kind) *exports {
	return &exports{kind: kind, values: map[string]string{}, why: map[string]string{}}
}

func (e *exports) set(name, value string) { e.values[name] = value }

// setResponse stores an HTTP response: status and body always exist.
func (e *exports) setResponse(r *Response) {
	e.http = true
	e.header = r.Header
	e.body = r.Body
	e.set("status", strconv.Itoa(r.Status))
	e.set("body", string(r.Body))
}

// setRedirect stores a redirect's parameters: url always, code, state,
// error and error_description when it carries them.
func (e *exports) setRedirect(rd *scenarios.Redirect) {
	e.redirect = rd
	if rd == nil {
		return
	}
	e.set("url", rd.URL)
	for _, name := range []string{"code", "state", "error", "error_description"} {
		if rd.Params.Has(name) {
			e.set(name, rd.Params.Get(name))
		} else {
			e.why[name] = "its redirect carried no " + name
		}
	}
}

// setTokenFields stores the members of a token response that are present:
// strings as they are, other JSON values in their compact encoding.
func (e *exports) setTokenFields(body []byte, names ...string) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		for _, n := range names {
			e.why[n] = "its response was not a JSON object"
		}
		return
	}
	for _, n := range names {
		raw, ok := fields[n]
		if !ok {
			e.why[n] = "its response had no " + n
			continue
		}
		e.set(n, jsonString(raw))
	}
}

// jsonString is a JSON value as a reference expands it: a string as it is,
// anything else as compact JSON.
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v) // v came from JSON, so it encodes
	return string(b)
}

// lookup answers one ${steps.<step>.…} reference.
func (e *exports) lookup(step string, r scenarios.Ref) (string, error) {
	switch r.Name {
	case "json":
		if !e.http {
			return "", fmt.Errorf("step %s made no HTTP request", step)
		}
		if !e.parsed {
			e.parsed = true
			e.docErr = json.Unmarshal(e.body, &e.doc)
		}
		if e.docErr != nil {
			return "", fmt.Errorf("the response of step %s is not JSON", step)
		}
		v, found, err := scenarios.LookupJSON(e.doc, r.Arg)
		if err != nil {
			return "", err
		}
		if !found {
			return "", fmt.Errorf("the response of step %s has nothing at %s", step, r.Arg)
		}
		if s, ok := v.(string); ok {
			return s, nil
		}
		b, _ := json.Marshal(v)
		return string(b), nil
	case "header":
		if !e.http {
			return "", fmt.Errorf("step %s made no HTTP request", step)
		}
		vals := e.header.Values(r.Arg)
		if len(vals) == 0 {
			return "", fmt.Errorf("the response of step %s has no %s header", step, r.Arg)
		}
		return strings.Join(vals, ", "), nil
	}
	if v, ok := e.values[r.Name]; ok {
		return v, nil
	}
	if why, ok := e.why[r.Name]; ok {
		return "", fmt.Errorf("step %s did not produce %s: %s", step, r.Name, why)
	}
	return "", fmt.Errorf("step %s did not produce %s", step, r.Name)
}

// errNoValue marks a reference that names something the run does not have
// (an app that was not set up, a var): a runner bug or a scenario Load
// could not check.
var errNoValue = errors.New("no such value")

// lookup resolves a reference for Template.Expand.
func (sr *scenarioRun) lookup(r scenarios.Ref) (string, error) {
	switch r.Kind {
	case scenarios.RefApp:
		return sr.appField(sr.s.App, r.Name)
	case scenarios.RefApps:
		return sr.appField(r.App, r.Name)
	case scenarios.RefVars:
		if v, ok := sr.vars[r.Name]; ok {
			return v, nil
		}
		return "", fmt.Errorf("%w: var %s is not defined", errNoValue, r.Name)
	case scenarios.RefSteps:
		e, ok := sr.exports[r.Step]
		if !ok {
			return "", fmt.Errorf("step %s has not run", r.Step)
		}
		return e.lookup(r.Step, r)
	}
	return "", fmt.Errorf("%w: unknown reference kind %q", errNoValue, r.Kind)
}

// varLookup is the lookup vars are expanded with: they may refer to apps
// only.
func (sr *scenarioRun) varLookup(r scenarios.Ref) (string, error) {
	if r.Kind != scenarios.RefApp && r.Kind != scenarios.RefApps {
		return "", fmt.Errorf("a var may refer to ${app.…} and ${apps.…} only")
	}
	return sr.lookup(r)
}

func (sr *scenarioRun) appField(name, field string) (string, error) {
	a, err := sr.app(name)
	if err != nil {
		return "", err
	}
	switch field {
	case "client_id":
		return a.ClientID, nil
	case "client_secret":
		return a.ClientSecret, nil
	case "redirect_uri":
		if a.RedirectURI == "" {
			return "", fmt.Errorf("app %s has no redirect URI", name)
		}
		return a.RedirectURI, nil
	case "name":
		return a.Name, nil
	}
	return "", fmt.Errorf("%w: app field %s", errNoValue, field)
}

func (sr *scenarioRun) app(name string) (*runApp, error) {
	if name == "" {
		name = sr.s.App
	}
	if sr.spotify {
		// On spotify there is one app, the user's, whatever the name.
		return sr.apps[sr.s.App], nil
	}
	a, ok := sr.apps[name]
	if !ok {
		return nil, fmt.Errorf("%w: app %s was not set up for this scenario", errNoValue, name)
	}
	return a, nil
}

// expand expands a template; nil expands to "".
func (sr *scenarioRun) expand(t *scenarios.Template) (string, error) {
	if t == nil {
		return "", nil
	}
	return t.Expand(sr.lookup)
}
