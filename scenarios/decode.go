package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
	"gopkg.in/yaml.v3"
)

// decoder turns one YAML document into a Scenario, collecting every problem
// instead of stopping at the first, and remembering where each field was
// written so that the checks after decoding can point at it.
type decoder struct {
	file     string
	problems []Problem
	keyPos   map[any]Pos // field address → position of its key
	sites    []site      // every Template found, for the reference checks
	step     int         // index of the step being decoded, -1 outside steps
	inExpect bool
	inVars   bool
	visits   int
}

// site is one Template as written.
type site struct {
	t        Template
	pos      Pos
	path     string
	step     int
	inExpect bool
	inVars   bool
}

// maxVisits bounds the nodes one document may expand to, so that YAML
// aliases cannot blow a small file up into an endless decode.
const maxVisits = 200_000

func newDecoder(file string) *decoder {
	return &decoder{file: file, keyPos: map[any]Pos{}, step: -1}
}

func (d *decoder) at(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line, Column: n.Column} }

// maxProblems bounds what one document reports: past it, more lines help
// nobody and cost time.
const maxProblems = 200

func (d *decoder) problem(p Pos, format string, args ...any) {
	switch {
	case len(d.problems) < maxProblems:
		d.problems = append(d.problems, Problem{Pos: p, Msg: fmt.Sprintf(format, args...)})
	case len(d.problems) == maxProblems:
		d.problems = append(d.problems, Problem{Pos: p, Msg: fmt.Sprintf("too many problems (more than %d); stopping here", maxProblems)})
	}
}

func (d *decoder) full() bool { return len(d.problems) > maxProblems }

// fieldPos is where a field's key was written, or fallback when the field
// was not written (a default).
func (d *decoder) fieldPos(addr any, fallback Pos) Pos {
	if p, ok := d.keyPos[addr]; ok {
		return p
	}
	return fallback
}

func (d *decoder) given(addr any) bool {
	_, ok := d.keyPos[addr]
	return ok
}

// nodeDecoder is implemented by types with their own YAML shape.
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

// fieldOpts are the `schema` struct tag's options: they drive both the
// checks while decoding and the JSON Schema.
type fieldOpts struct {
	required bool
	enum     []string
	min, max *int
	pattern  *regexp.Regexp
}

// wirePkg is the package of the typed policies.
var wirePkg = reflect.TypeOf(wire.Refresh2026).PkgPath()

func parseOpts(tag string) fieldOpts {
	var o fieldOpts
	for _, part := range splitTag(tag) {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "required":
			o.required = true
		case "enum":
			o.enum = strings.Split(v, "|")
		case "min", "max":
			n, err := strconv.Atoi(v)
			if err != nil {
				panic("scenarios: bad schema tag " + tag)
			}
			if k == "min" {
				o.min = &n
			} else {
				o.max = &n
			}
		case "pattern":
			o.pattern = regexp.MustCompile(v)
		case "":
		default:
			panic("scenarios: unknown schema tag option " + part)
		}
	}
	return o
}

// splitTag splits on commas, except inside a pattern (which ends the tag).
func splitTag(tag string) []string {
	var parts []string
	for tag != "" {
		if strings.HasPrefix(tag, "pattern=") {
			return append(parts, tag)
		}
		p, rest, _ := strings.Cut(tag, ",")
		parts = append(parts, p)
		tag = rest
	}
	return parts
}

type field struct {
	name  string
	index []int
	opts  fieldOpts
}

type structInfo struct {
	fields []field
	byName map[string]*field
	pos    []int // index of the Pos field, if any
}

var structCache sync.Map // reflect.Type → *structInfo

var posType = reflect.TypeOf(Pos{})

func infoOf(t reflect.Type) *structInfo {
	if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{byName: map[string]*field{}}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			idx := append(append([]int{}, prefix...), i)
			tag := f.Tag.Get("yaml")
			if tag == "-" {
				if f.Type == posType {
					si.pos = idx
				}
				continue
			}
			name, flags, _ := strings.Cut(tag, ",")
			if flags == "inline" {
				walk(f.Type, idx)
				continue
			}
			if !f.IsExported() || name == "" {
				continue
			}
			opts := parseOpts(f.Tag.Get("schema"))
			if pol, ok := wire.LookupPolicy(name); ok && f.Type.PkgPath() == wirePkg {
				// A policy's values are wire's, listed once there.
				opts.enum = pol.ValueNames()
			}
			si.fields = append(si.fields, field{name: name, index: idx, opts: opts})
		}
	}
	walk(t, nil)
	for i := range si.fields {
		si.byName[si.fields[i].name] = &si.fields[i]
	}
	structCache.Store(t, si)
	return si
}

// deref follows aliases, counting what they expand to.
func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func (d *decoder) budget(n *yaml.Node) bool {
	d.visits++
	if d.visits == maxVisits {
		d.problem(d.at(n), "document too large: it expands to more than %d YAML nodes", maxVisits)
	}
	return d.visits < maxVisits
}

// decode stores n into v (addressable), reporting problems under path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, opts fieldOpts) {
	if !d.budget(n) {
		return
	}
	n = d.deref(n)
	if v.CanAddr() {
		if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
			if isNull(n) {
				return
			}
			nd.decodeNode(d, n, path)
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		e := reflect.New(v.Type().Elem())
		d.decode(n, e.Elem(), path, opts)
		v.Set(e)
	case reflect.Struct:
		if d.want(n, yaml.MappingNode, path, "a mapping") {
			d.decodeStruct(n, v, path, nil)
		}
	case reflect.String:
		if isNull(n) && contains(opts.enum, "null") {
			// type: null reads as YAML's null; it means the word.
			v.SetString("null")
			return
		}
		s, ok := d.scalar(n, path)
		if !ok {
			return
		}
		if len(opts.enum) > 0 && !contains(opts.enum, s) {
			d.problem(d.at(n), "%s: unknown value %q (want %s)", path, s, orList(opts.enum))
			return
		}
		if opts.pattern != nil && !opts.pattern.MatchString(s) {
			d.problem(d.at(n), "%s: %q does not match %s", path, s, opts.pattern)
			return
		}
		if v.Type() == reflect.TypeOf(Template("")) {
			d.template(Template(s), n, path)
		}
		v.SetString(s)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			d.problem(d.at(n), "%s: want true or false, got %s", path, describe(n))
			return
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			d.problem(d.at(n), "%s: want true or false, got %s", path, describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		i, ok := d.integer(n, path)
		if !ok {
			return
		}
		if opts.min != nil && i < int64(*opts.min) || opts.max != nil && i > int64(*opts.max) {
			d.problem(d.at(n), "%s: %d is out of range (%s)", path, i, rangeText(opts))
			return
		}
		v.SetInt(i)
	case reflect.Slice:
		if !d.want(n, yaml.SequenceNode, path, "a list") {
			return
		}
		if opts.min != nil && len(n.Content) < *opts.min {
			d.problem(d.at(n), "%s: want at least %d %s, got %d", path, *opts.min, plural(*opts.min, "entry", "entries"), len(n.Content))
		}
		elem := opts
		elem.min, elem.max = nil, nil
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if v.Type() == reflect.TypeOf([]*Step{}) {
				d.step = i
			}
			d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i), elem)
		}
		if v.Type() == reflect.TypeOf([]*Step{}) {
			d.step = -1
		}
		v.Set(s)
	case reflect.Map:
		if !d.want(n, yaml.MappingNode, path, "a mapping") {
			return
		}
		m := reflect.MakeMap(v.Type())
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn, vn := d.deref(n.Content[i]), n.Content[i+1]
			if kn.Kind != yaml.ScalarNode {
				d.problem(d.at(kn), "%s: keys must be plain values, got %s", path, describe(kn))
				continue
			}
			if first, dup := seen[kn.Value]; dup {
				d.problem(d.at(kn), "%s: duplicate key %q (first at line %d)", path, kn.Value, first.Line)
				continue
			}
			seen[kn.Value] = kn
			key := reflect.New(v.Type().Key()).Elem()
			switch key.Kind() {
			case reflect.String:
				key.SetString(kn.Value)
			case reflect.Int:
				// Keys may be quoted ("200": 1) as JSON would write them.
				i, err := strconv.Atoi(kn.Value)
				if err != nil {
					d.problem(d.at(kn), "%s: want an integer key, got %s", path, describe(kn))
					continue
				}
				key.SetInt(int64(i))
			}
			val := reflect.New(v.Type().Elem()).Elem()
			d.decode(vn, val, path+"."+kn.Value, fieldOpts{})
			m.SetMapIndex(key, val)
		}
		v.Set(m)
	case reflect.Interface:
		if isNull(n) {
			d.problem(d.at(n), "%s: null is not a value here (leave the field out; to expect JSON null write type: null)", path)
			return
		}
		if val, ok := d.generic(n, path); ok && val != nil {
			v.Set(reflect.ValueOf(val))
		}
	default:
		panic("scenarios: cannot decode into " + v.Type().String())
	}
}

// decodeStruct stores a mapping into struct v. unknown, when set, words
// the problem for a key that is no field.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string, unknown func(key string) string) {
	si := infoOf(v.Type())
	if si.pos != nil {
		v.FieldByIndex(si.pos).Set(reflect.ValueOf(d.at(n)))
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := d.deref(n.Content[i]), n.Content[i+1]
		if kn.Kind != yaml.ScalarNode {
			d.problem(d.at(kn), "%skeys must be plain names, got %s", prefix(path), describe(kn))
			continue
		}
		key := kn.Value
		if first, dup := seen[key]; dup {
			d.problem(d.at(kn), "%sduplicate field %q (first at line %d)", prefix(path), key, first.Line)
			continue
		}
		seen[key] = kn
		f := si.byName[key]
		if f == nil {
			if d.full() {
				continue
			}
			msg := ""
			if unknown != nil {
				msg = unknown(key)
			}
			if msg == "" {
				msg = unknownField(key, v.Type(), si)
			}
			d.problem(d.at(kn), "%s%s", prefix(path), msg)
			continue
		}
		fv := v.FieldByIndex(f.index)
		d.keyPos[fv.Addr().Interface()] = d.at(kn)
		d.enter(v.Type(), key, func() {
			d.decode(vn, fv, join(path, key), f.opts)
		})
	}
	for _, f := range si.fields {
		if f.opts.required {
			if _, ok := seen[f.name]; !ok {
				d.problem(d.at(n), "%smissing required field %q", prefix(path), f.name)
			}
		}
	}
}

// enter sets the context a Template is checked in while decoding a field.
func (d *decoder) enter(t reflect.Type, key string, fn func()) {
	switch {
	case t == reflect.TypeOf(Step{}) && key == "expect":
		d.inExpect = true
		defer func() { d.inExpect = false }()
	case t == reflect.TypeOf(Scenario{}) && key == "vars":
		d.inVars = true
		defer func() { d.inVars = false }()
	}
	fn()
}

func (d *decoder) template(t Template, n *yaml.Node, path string) {
	if _, err := t.Refs(); err != nil {
		d.problem(d.at(n), "%s: %v", path, err)
		return
	}
	if !t.IsLiteral() {
		d.sites = append(d.sites, site{t: t, pos: d.at(n), path: path, step: d.step, inExpect: d.inExpect, inVars: d.inVars})
	}
}

func (d *decoder) want(n *yaml.Node, kind yaml.Kind, path, what string) bool {
	if n.Kind != kind {
		d.problem(d.at(n), "%swant %s, got %s", prefix(path), what, describe(n))
		return false
	}
	return true
}

// scalar reads a string. A number or boolean is refused, as the schema
// refuses it: YAML would turn a client id of zeros into 0 for any other
// reader, so the author is asked to quote it.
func (d *decoder) scalar(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.problem(d.at(n), "%s: want a string, got %s", path, describe(n))
		return "", false
	}
	if n.ShortTag() != "!!str" {
		d.problem(d.at(n), "%s: want a string, got the YAML %s %s; quote it: %q", path, tagWord(n), n.Value, n.Value)
		return "", false
	}
	return n.Value, true
}

func tagWord(n *yaml.Node) string {
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "number"
	case "!!bool":
		return "boolean"
	case "!!timestamp":
		return "timestamp"
	}
	return "value"
}

func (d *decoder) integer(n *yaml.Node, path string) (int64, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		var i int64
		if err := n.Decode(&i); err == nil && i >= math.MinInt32 && i <= math.MaxInt32 {
			return i, true
		}
	}
	d.problem(d.at(n), "%s: want an integer, got %s", path, describe(n))
	return 0, false
}

// generic decodes any YAML value into JSON-like Go values: maps with
// string keys, []any, string, int64, float64, bool, nil.
func (d *decoder) generic(n *yaml.Node, path string) (any, bool) {
	if !d.budget(n) {
		return nil, false
	}
	n = d.deref(n)
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, true
		case "!!bool":
			var b bool
			_ = n.Decode(&b)
			return b, true
		case "!!int":
			var i int64
			if err := n.Decode(&i); err != nil {
				d.problem(d.at(n), "%s: integer %s is out of range", path, n.Value)
				return nil, false
			}
			return i, true
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				d.problem(d.at(n), "%s: %s is not a JSON number", path, n.Value)
				return nil, false
			}
			return f, true
		case "!!str":
			d.template(Template(n.Value), n, path)
			return n.Value, true
		}
		d.problem(d.at(n), "%s: unsupported YAML value %s", path, describe(n))
		return nil, false
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, ok := d.generic(c, fmt.Sprintf("%s[%d]", path, i))
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
		return out, true
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn := d.deref(n.Content[i])
			if kn.Kind != yaml.ScalarNode {
				d.problem(d.at(kn), "%s: keys must be plain values, got %s", path, describe(kn))
				return nil, false
			}
			if _, dup := out[kn.Value]; dup {
				d.problem(d.at(kn), "%s: duplicate key %q", path, kn.Value)
				return nil, false
			}
			v, ok := d.generic(n.Content[i+1], path+"."+kn.Value)
			if !ok {
				return nil, false
			}
			out[kn.Value] = v
		}
		return out, true
	}
	d.problem(d.at(n), "%s: unsupported YAML node %s", path, describe(n))
	return nil, false
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// describe names a node's kind for "want X, got Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str":
			return strconv.Quote(n.Value)
		}
		return n.Value
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

func rangeText(o fieldOpts) string {
	switch {
	case o.min != nil && o.max != nil:
		return fmt.Sprintf("%d to %d", *o.min, *o.max)
	case o.min != nil:
		return fmt.Sprintf("at least %d", *o.min)
	case o.max != nil:
		return fmt.Sprintf("at most %d", *o.max)
	}
	return ""
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// prefix starts a message with the field's path; the scenario itself has
// none.
func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

// unknownField words a key that is no field of t, suggesting a close one.
func unknownField(key string, t reflect.Type, si *structInfo) string {
	names := make([]string, len(si.fields))
	for i, f := range si.fields {
		names[i] = f.name
	}
	what := typeWord(t)
	if s := suggest(key, names); s != "" {
		return fmt.Sprintf("unknown field %q in %s; did you mean %q?", key, what, s)
	}
	return fmt.Sprintf("unknown field %q in %s (fields: %s)", key, what, strings.Join(names, ", "))
}

func typeWord(t reflect.Type) string {
	switch t {
	case reflect.TypeOf(Scenario{}):
		return "scenario"
	case reflect.TypeOf(Step{}):
		return "step"
	case reflect.TypeOf(Expect{}):
		return "expect"
	case reflect.TypeOf(Match{}):
		return "matcher"
	}
	for _, k := range Kinds {
		if actionTypes[k] == t {
			return string(k)
		}
	}
	return strings.ToLower(t.Name())
}

var actionTypes = map[Kind]reflect.Type{
	KindAuthorize:         reflect.TypeOf(Authorize{}),
	KindConsent:           reflect.TypeOf(Consent{}),
	KindCallback:          reflect.TypeOf(Callback{}),
	KindExchange:          reflect.TypeOf(Exchange{}),
	KindRefresh:           reflect.TypeOf(Refresh{}),
	KindClientCredentials: reflect.TypeOf(ClientCredentials{}),
	KindAPI:               reflect.TypeOf(API{}),
	KindAdvanceClock:      reflect.TypeOf(AdvanceClock{}),
	KindRevoke:            reflect.TypeOf(Revoke{}),
	KindInject:            reflect.TypeOf(Inject{}),
	KindSetPolicy:         reflect.TypeOf(SetPolicy{}),
	KindRotateSecret:      reflect.TypeOf(RotateSecret{}),
}

// suggest returns the name closest to key when it is close enough to be a
// typo.
func suggest(key string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if dist := editDistance(strings.ToLower(key), n); dist < bestD {
			best, bestD = n, dist
		}
	}
	if best != "" && bestD <= max(1, len(key)/4) {
		return best
	}
	return ""
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and swaps of neighbours ("stauts") cost 1.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// Custom shapes.

// decodeNode reads a step, wording unknown keys as unknown actions and
// insisting on exactly one action.
func (s *Step) decodeNode(d *decoder, n *yaml.Node, path string) {
	if !d.want(n, yaml.MappingNode, path, "a mapping (a step: one action and its expect)") {
		return
	}
	var first *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn := d.deref(n.Content[i])
		if _, isAction := actionTypes[Kind(kn.Value)]; !isAction {
			continue
		}
		if vn := n.Content[i+1]; isNull(vn) {
			// "- authorize:" with nothing after it is the action with its
			// defaults, checked like "{}" (required fields included).
			n.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: vn.Line, Column: vn.Column}
		}
		if first == nil {
			first = kn
			continue
		}
		d.problem(d.at(kn), "%s: a step has exactly one action, got %s and %s", path, first.Value, kn.Value)
	}
	actions := make([]string, len(Kinds))
	for i, k := range Kinds {
		actions[i] = string(k)
	}
	unknownKey := false
	d.decodeStruct(n, reflect.ValueOf(s).Elem(), path, func(key string) string {
		unknownKey = true
		if sug := suggest(key, append(actions, "name", "expect")); sug != "" {
			if _, isAction := actionTypes[Kind(sug)]; isAction {
				return fmt.Sprintf("unknown action %q; did you mean %q?", key, sug)
			}
			return fmt.Sprintf("unknown field %q in step; did you mean %q?", key, sug)
		}
		return fmt.Sprintf("unknown action %q (actions: %s)", key, strings.Join(actions, ", "))
	})
	if first == nil && !unknownKey {
		d.problem(d.at(n), "%s: step has no action (want one of %s)", path, strings.Join(actions, ", "))
	}
	// Keep only the first action written, so that the checks after
	// decoding talk about the action the author meant first.
	if first != nil {
		v := reflect.ValueOf(s).Elem()
		si := infoOf(v.Type())
		for k := range actionTypes {
			if string(k) != first.Value {
				v.FieldByIndex(si.byName[string(k)].index).SetZero()
			}
		}
	}
}

func (s *Scopes) decodeNode(d *decoder, n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.ScalarNode:
		*s = Scopes(strings.Fields(n.Value))
		if *s == nil {
			*s = Scopes{}
		}
	case yaml.SequenceNode:
		out := Scopes{}
		for i, c := range n.Content {
			c = d.deref(c)
			v, ok := d.scalar(c, fmt.Sprintf("%s[%d]", path, i))
			if !ok {
				continue
			}
			if strings.ContainsAny(v, " \t\n") {
				d.problem(d.at(c), "%s[%d]: %q holds several scopes; write one per list entry", path, i, v)
				continue
			}
			out = append(out, v)
		}
		*s = out
	default:
		d.problem(d.at(n), "%s: want a space-separated string or a list of scopes, got %s", path, describe(n))
	}
}

func (t *Texts) decodeNode(d *decoder, n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.ScalarNode:
		d.template(Template(n.Value), n, path)
		*t = Texts{Template(n.Value)}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			c = d.deref(c)
			p := fmt.Sprintf("%s[%d]", path, i)
			if v, ok := d.scalar(c, p); ok {
				d.template(Template(v), c, p)
				*t = append(*t, Template(v))
			}
		}
	default:
		d.problem(d.at(n), "%s: want a string or a list of strings, got %s", path, describe(n))
	}
}

func (a *Assertions) decodeNode(d *decoder, n *yaml.Node, path string) {
	if !d.want(n, yaml.MappingNode, path, "a mapping of name: {matcher}") {
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := d.deref(n.Content[i]), d.deref(n.Content[i+1])
		key, ok := d.scalar(kn, path)
		if !ok {
			continue
		}
		p := path + "." + key
		if seen[strings.ToLower(key)] {
			d.problem(d.at(kn), "%s: duplicate key %q", path, key)
			continue
		}
		seen[strings.ToLower(key)] = true
		as := Assertion{Key: key, Pos: d.at(kn)}
		if vn.Kind == yaml.MappingNode && len(vn.Content) == 0 {
			d.problem(d.at(vn), "%s: empty matcher (want present, absent, equals, matches, contains, omits, length or type)", p)
			continue
		}
		if vn.Kind != yaml.MappingNode {
			d.problem(d.at(vn), "%s: want a matcher such as {equals: …}, {present: true} or {matches: …}, got %s", p, describe(vn))
			continue
		}
		d.decodeStruct(vn, reflect.ValueOf(&as.Match).Elem(), p, nil)
		*a = append(*a, as)
	}
}

func (r *Requirement) decodeNode(d *decoder, n *yaml.Node, path string) {
	s, ok := d.scalar(n, path)
	if !ok {
		return
	}
	req, msg := parseRequirement(s)
	if msg != "" {
		d.problem(d.at(n), "%s: %s", path, msg)
		return
	}
	req.pos = d.at(n)
	*r = req
}

func (du *Duration) decodeNode(d *decoder, n *yaml.Node, path string) {
	s, ok := d.scalar(n, path)
	if !ok {
		return
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		d.problem(d.at(n), "%s: %q is not a duration (write e.g. 10m1s or 4380h)", path, s)
		return
	}
	if v <= 0 {
		d.problem(d.at(n), "%s: the duration must be positive, got %s", path, s)
		return
	}
	*du = Duration(v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// orList words a list as "a, b or c".
func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
