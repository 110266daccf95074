// Package dotenv reads .env files the way the two loaders most Spotify
// apps use read them: python-dotenv (spotipy apps, load_dotenv) and dotenv
// for Node (require('dotenv').config()). The two disagree on some lines —
// a # inside an unquoted value, ${VAR}, `KEY: value`, escapes in double
// quotes — so every entry carries both readings, and the caller can say
// when an app would see a different value depending on its language.
package dotenv

import (
	"fmt"
	"regexp"
	"strings"
)

// Entry is one variable a .env file sets.
type Entry struct {
	Key string
	// Line is the 1-based line the key is written on.
	Line int
	// Python is python-dotenv's reading (load_dotenv's defaults: ${VAR}
	// expanded against the environment first, then the file's earlier
	// entries); Node is dotenv for Node's (no expansion).
	Python, Node Reading
}

// Reading is what one loader makes of an entry; OK is false when the
// loader skips it.
type Reading struct {
	Value string
	OK    bool
}

// Value is the value an app most likely sees: python-dotenv's, else
// Node's when python-dotenv skips the line.
func (e Entry) Value() string {
	if e.Python.OK {
		return e.Python.Value
	}
	return e.Node.Value
}

// Agree reports whether both loaders read the entry, and the same.
func (e Entry) Agree() bool { return e.Python == e.Node }

// Problem is a line python-dotenv cannot parse (it skips the line with a
// warning; Node's dotenv skips such lines silently).
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) Error() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// File is a parsed .env file.
type File struct {
	Path     string
	Problems []Problem
	python   []binding
	node     []binding
}

// binding is one KEY=value a loader read, at the key's line.
type binding struct {
	key   string
	line  int
	value string
}

// Lookup returns what each loader makes of key: the last line that sets
// it, as both let a later line win. Line is python-dotenv's line, else
// Node's.
func (f *File) Lookup(key string) (Entry, bool) {
	e := Entry{Key: key}
	if b, ok := last(f.node, key); ok {
		e.Node, e.Line = Reading{b.value, true}, b.line
	}
	if b, ok := last(f.python, key); ok {
		e.Python, e.Line = Reading{b.value, true}, b.line
	}
	return e, e.Python.OK || e.Node.OK
}

func last(bs []binding, key string) (binding, bool) {
	for i := len(bs) - 1; i >= 0; i-- {
		if bs[i].key == key {
			return bs[i], true
		}
	}
	return binding{}, false
}

// Keys lists the keys either loader reads, in the order of their first
// line.
func (f *File) Keys() []string {
	var keys []string
	seen := map[string]bool{}
	for _, b := range append(append([]binding(nil), f.python...), f.node...) {
		if !seen[b.key] {
			seen[b.key] = true
			keys = append(keys, b.key)
		}
	}
	return keys
}

// maxSize bounds what Parse reads: a .env file is a few dozen lines, and
// one a hundred times larger is not one.
const maxSize = 1 << 20

// Parse reads data, the contents of the file named path. env looks up
// the process environment for python-dotenv's ${VAR} expansion (nil: no
// variables). It never fails: what it cannot read is a Problem.
func Parse(data []byte, path string, env func(string) (string, bool)) *File {
	f := &File{Path: path}
	if len(data) > maxSize {
		f.Problems = append(f.Problems, Problem{path, 1, fmt.Sprintf("%d bytes; a .env file this large is not read", len(data))})
		return f
	}
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	text := strings.ToValidUTF8(string(data), "\uFFFD")
	f.python, f.Problems = parsePython(text, path)
	expand(f.python, env)
	f.node = parseNode(text)
	return f
}

// posixVariable is python-dotenv's ${NAME} and ${NAME:-default}.
var posixVariable = regexp.MustCompile(`\$\{([^}:]*)(?::-([^}]*))?\}`)

// expand resolves ${VAR} in python-dotenv's readings as load_dotenv does
// by default (override=False): the environment wins over the file's own
// earlier values; an unknown variable without a default is "".
func expand(bs []binding, env func(string) (string, bool)) {
	seen := map[string]string{}
	for i := range bs {
		b := &bs[i]
		b.value = posixVariable.ReplaceAllStringFunc(b.value, func(m string) string {
			sub := posixVariable.FindStringSubmatch(m)
			if v, ok := env(sub[1]); ok {
				return v
			}
			if v, ok := seen[sub[1]]; ok {
				return v
			}
			return sub[2]
		})
		seen[b.key] = b.value
	}
}
