package scenarios

import (
	"bytes"
	"embed"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// Problem is one thing wrong with a scenario file.
type Problem struct {
	Pos Pos
	Msg string
}

// Error formats the problem as file:line:col: message.
func (p Problem) Error() string { return p.Pos.String() + ": " + p.Msg }

// Problems is every problem found in what was loaded, sorted by file, line
// and column. It is the error Load, Parse and Builtin return.
type Problems []Problem

// Error gives one problem per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Pos, ps[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// DefaultApps and DefaultUsers are the app and user names of the fake's
// built-in configuration (fakespotify/default.yaml), which the built-in
// suite uses. A test holds them to that file.
var (
	DefaultApps  = []string{"web", "other", "dev", "nopremium", "legacy"}
	DefaultUsers = []string{"alice", "bob"}
)

// Loader loads scenarios for a fake with a given set of apps and users.
// The zero Loader knows the built-in configuration's (DefaultApps,
// DefaultUsers).
type Loader struct {
	// Apps and Users are the names a scenario may use on target fake.
	Apps, Users []string
}

// LoaderFor returns a Loader that knows the apps and users of cfg, for
// scenarios run against a fake with that configuration.
func LoaderFor(cfg *config.Config) Loader {
	var l Loader
	for _, a := range cfg.Apps {
		l.Apps = append(l.Apps, a.Name)
	}
	for _, u := range cfg.Users {
		l.Users = append(l.Users, u.ID)
	}
	return l
}

func (l Loader) apps() []string {
	if l.Apps == nil {
		return DefaultApps
	}
	return l.Apps
}

func (l Loader) users() []string {
	if l.Users == nil {
		return DefaultUsers
	}
	return l.Users
}

// Parse reads the scenarios of one file with the zero Loader.
func Parse(data []byte, filename string) ([]*Scenario, error) {
	return Loader{}.Parse(data, filename)
}

// Load reads scenario files with the zero Loader.
func Load(paths ...string) ([]*Scenario, error) { return Loader{}.Load(paths...) }

// Parse reads every scenario (YAML document) of one file. The error is
// Problems, listing everything wrong with the file.
func (l Loader) Parse(data []byte, filename string) ([]*Scenario, error) {
	list, ps := l.parse(data, filename)
	ps = append(ps, duplicates(list)...)
	if len(ps) > 0 {
		ps.sort()
		return nil, ps
	}
	return list, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (l Loader) parse(data []byte, filename string) ([]*Scenario, Problems) {
	var list []*Scenario
	var ps Problems
	dec := yaml.NewDecoder(bytes.NewReader(data))
	docs := 0
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ps = append(ps, syntaxProblem(filename, err))
			return nil, ps
		}
		docs++
		if len(doc.Content) == 0 || isNull(doc.Content[0]) {
			continue
		}
		d := newDecoder(filename)
		root := doc.Content[0]
		s := &Scenario{}
		if root.Kind != yaml.MappingNode {
			d.problem(d.at(root), "a scenario document must be a mapping (name, steps, …), got %s", describe(root))
		} else {
			d.decodeStruct(root, reflectValue(s), "", nil)
			if len(d.problems) == 0 || s.Steps != nil {
				d.check(s, l)
			}
		}
		ps = append(ps, d.problems...)
		if len(d.problems) == 0 {
			list = append(list, s)
		}
	}
	if len(list) == 0 && len(ps) == 0 {
		ps = append(ps, Problem{Pos: Pos{File: filename, Line: 1, Column: 1}, Msg: "no scenario in this file"})
	}
	return list, ps
}

// syntaxProblem turns a yaml.v3 syntax error into a Problem. yaml.v3 gives
// a line but no column, so the column is 1.
func syntaxProblem(file string, err error) Problem {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return Problem{Pos: Pos{File: file, Line: line, Column: 1}, Msg: "YAML syntax: " + msg}
}

// Load reads scenario files. A directory stands for the *.yaml and *.yml
// files under it, recursively, in lexical order. Scenario names must be
// unique across everything loaded. Problems of every file are reported
// together.
func (l Loader) Load(paths ...string) ([]*Scenario, error) {
	var files []string
	var ps Problems
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			ps = append(ps, Problem{Pos: Pos{File: p}, Msg: "cannot read: " + pathErr(err)})
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(f string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !e.IsDir() && isYAML(f) {
				found = append(found, f)
			}
			return nil
		})
		if err != nil {
			ps = append(ps, Problem{Pos: Pos{File: p}, Msg: "cannot read: " + pathErr(err)})
		}
		if len(found) == 0 && err == nil {
			ps = append(ps, Problem{Pos: Pos{File: p}, Msg: "no *.yaml or *.yml file in this directory"})
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	var all []*Scenario
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			ps = append(ps, Problem{Pos: Pos{File: f}, Msg: "cannot read: " + pathErr(err)})
			continue
		}
		list, fps := l.parse(data, f)
		all = append(all, list...)
		ps = append(ps, fps...)
	}
	ps = append(ps, duplicates(all)...)
	if len(ps) > 0 {
		ps.sort()
		return nil, ps
	}
	return all, nil
}

func pathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func isYAML(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

func duplicates(list []*Scenario) Problems {
	var ps Problems
	first := map[string]*Scenario{}
	for _, s := range list {
		if f, ok := first[s.Name]; ok {
			ps = append(ps, Problem{Pos: s.Pos, Msg: "duplicate scenario name " + strconv.Quote(s.Name) + " (first at " + f.Pos.String() + ")"})
			continue
		}
		first[s.Name] = s
	}
	return ps
}

//go:embed builtin/*.yaml
var builtinFS embed.FS

// BuiltinFS is the built-in suite's files, builtin/<theme>.yaml.
func BuiltinFS() fs.FS { return builtinFS }

// Builtin loads the built-in suite. File names in positions are
// builtin/<theme>.yaml.
func Builtin() ([]*Scenario, error) {
	entries, err := fs.Glob(builtinFS, "builtin/*.yaml")
	if err != nil {
		return nil, err
	}
	var all []*Scenario
	var ps Problems
	l := Loader{}
	for _, name := range entries {
		data, err := builtinFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		list, fps := l.parse(data, name)
		all = append(all, list...)
		ps = append(ps, fps...)
	}
	ps = append(ps, duplicates(all)...)
	if len(ps) > 0 {
		ps.sort()
		return nil, ps
	}
	return all, nil
}

//go:embed scenario.schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of one scenario document,
// generated from the Go types, for editors.
func Schema() []byte { return bytes.Clone(schemaJSON) }
