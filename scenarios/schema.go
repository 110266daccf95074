package scenarios

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// The JSON Schema in scenario.schema.json is generated from the Go types
// by generateSchema, with the doc comments of this package's source as
// descriptions. The suite's schema spec fails when the shipped file is
// stale; `go generate ./scenarios` rewrites it.

const schemaID = "https://github.com/spotcheck/spotcheck/scenarios/scenario.schema.json"

type schemaGen struct {
	defs map[string]any
	docs map[string]string
}

// generateSchema builds the schema of one scenario document.
func generateSchema(docs map[string]string) ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}, docs: docs}
	root := g.typeSchema(reflect.TypeOf(Scenario{}), fieldOpts{})
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         schemaID,
		"title":       "spotcheck scenario",
		"description": "One document of a spotcheck scenario file (a YAML stream: one scenario per document). " + docs["Scenario"],
		"$ref":        root["$ref"],
		"$defs":       g.defs,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var (
	templateType     = reflect.TypeOf(Template(""))
	scopesType       = reflect.TypeOf(Scopes(nil))
	textsType        = reflect.TypeOf(Texts(nil))
	assertionsType   = reflect.TypeOf(Assertions(nil))
	requirementType  = reflect.TypeOf(Requirement{})
	durationType     = reflect.TypeOf(Duration(0))
	stepType         = reflect.TypeOf(Step{})
	stringOrListDesc = "a string, or a list of strings"
)

func (g *schemaGen) typeSchema(t reflect.Type, o fieldOpts) map[string]any {
	switch t {
	case templateType:
		return withOpts(map[string]any{"type": "string"}, o)
	case scopesType:
		return map[string]any{"anyOf": []any{
			map[string]any{"type": "string"},
			map[string]any{"type": "array", "items": map[string]any{"type": "string", "pattern": `^\S+$`}},
		}}
	case textsType:
		return map[string]any{"anyOf": []any{
			map[string]any{"type": "string"},
			map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		}}
	case assertionsType:
		return map[string]any{"type": "object", "additionalProperties": g.typeSchema(reflect.TypeOf(Match{}), fieldOpts{})}
	case requirementType:
		return map[string]any{"type": "string", "enum": requirementForms()}
	case durationType:
		return map[string]any{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.typeSchema(t.Elem(), o)
	case reflect.String:
		return withOpts(map[string]any{"type": "string"}, o)
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int:
		return withOpts(map[string]any{"type": "integer"}, o)
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.typeSchema(t.Elem(), o)}
	case reflect.Map:
		s := map[string]any{"type": "object", "additionalProperties": g.typeSchema(t.Elem(), fieldOpts{})}
		if t.Key().Kind() == reflect.Int {
			s["propertyNames"] = map[string]any{"pattern": "^[1-5][0-9][0-9]$"}
			s["additionalProperties"] = map[string]any{"type": "integer", "minimum": 0}
		}
		return s
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if _, done := g.defs[name]; !done {
			g.defs[name] = true // placeholder against recursion
			g.defs[name] = g.structSchema(t)
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	}
	panic("scenarios: no schema for " + t.String())
}

func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	si := infoOf(t)
	for _, f := range si.fields {
		sf := t.FieldByIndex(f.index)
		s := g.typeSchema(sf.Type, f.opts)
		owner := t
		if len(f.index) > 1 {
			owner = t.FieldByIndex(f.index[:len(f.index)-1]).Type
		}
		if d := g.docs[owner.Name()+"."+sf.Name]; d != "" {
			if _, isRef := s["$ref"]; isRef {
				s = map[string]any{"$ref": s["$ref"], "description": d}
			} else {
				s["description"] = d
			}
		}
		props[f.name] = s
		if f.opts.required {
			required = append(required, f.name)
		}
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if d := g.docs[t.Name()]; d != "" {
		s["description"] = d
	}
	if len(required) > 0 {
		s["required"] = required
	}
	if t == stepType {
		var one []any
		for _, k := range Kinds {
			one = append(one, map[string]any{"required": []string{string(k)}})
		}
		s["oneOf"] = one
	}
	return s
}

func withOpts(s map[string]any, o fieldOpts) map[string]any {
	if len(o.enum) > 0 {
		s["enum"] = o.enum
		if contains(o.enum, "null") {
			// YAML reads a bare null as null, which the decoder takes as the word.
			s["type"] = []any{"string", "null"}
			enum := make([]any, 0, len(o.enum)+1)
			for _, e := range o.enum {
				enum = append(enum, e)
			}
			s["enum"] = append(enum, nil)
		}
	}
	if o.pattern != nil {
		s["pattern"] = o.pattern.String()
	}
	if o.min != nil {
		s["minimum"] = *o.min
	}
	if o.max != nil {
		s["maximum"] = *o.max
	}
	return s
}

// requirementForms lists every string Requires accepts.
func requirementForms() []string {
	forms := []string{string(RequireBrowser), string(RequireControl)}
	count := map[string]int{}
	for _, pol := range wire.Policies {
		for _, v := range pol.ValueNames() {
			forms = append(forms, "policy:"+pol.Name+"="+v)
			count[v]++
		}
	}
	for _, pol := range wire.Policies {
		for _, v := range pol.ValueNames() {
			if count[v] == 1 {
				forms = append(forms, "policy:"+v)
			}
		}
	}
	return forms
}

// sourceDocs reads the doc comments of the package's types and struct
// fields from its Go files in dir: "Type" and "Type.Field" → text.
func sourceDocs(dir string) (map[string]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	docs := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				if text := docText(doc); text != "" {
					docs[ts.Name.Name] = text
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, fl := range st.Fields.List {
					text := docText(fl.Doc)
					if text == "" {
						text = docText(fl.Comment)
					}
					for _, n := range fl.Names {
						if text != "" {
							docs[ts.Name.Name+"."+n.Name] = text
						}
					}
				}
			}
		}
	}
	return docs, nil
}

// docText joins a comment's lines: paragraphs stay apart, indented (code)
// lines keep their line breaks.
func docText(cg *ast.CommentGroup) string {
	if cg == nil {
		return ""
	}
	var out []string
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, strings.Join(para, " "))
			para = nil
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(cg.Text()), "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			flush()
			out = append(out, "")
		case strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "  "):
			flush()
			out = append(out, line)
		default:
			para = append(para, strings.TrimSpace(line))
		}
	}
	flush()
	return strings.TrimSpace(strings.Join(out, "\n"))
}
