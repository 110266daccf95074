package scenarios

import (
	"errors"
	"strconv"
	"strings"
)

// pathSeg is one step of a JSON path: a member name, an index, or every
// element ([*]).
type pathSeg struct {
	key   string
	index int // -1: key; -2: [*]
}

const (
	segKey  = -1
	segEach = -2
)

// parsePath reads a path such as refresh_token, error.message,
// items[0].name, items[*].name or [0].id. Member names are any characters
// but ".", "[" and "]".
func parsePath(p string) ([]pathSeg, error) {
	if p == "" {
		return nil, errors.New("empty JSON path")
	}
	var segs []pathSeg
	for i, part := range strings.Split(p, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key == "" && (i > 0 || rest == "" && !strings.HasPrefix(part, "[")) {
			return nil, errors.New("JSON path " + strconv.Quote(p) + " has an empty member name")
		}
		if strings.Contains(key, "]") {
			return nil, errors.New("JSON path " + strconv.Quote(p) + ": stray ]")
		}
		if key != "" {
			segs = append(segs, pathSeg{key: key, index: segKey})
		}
		if !strings.HasPrefix(part, key+"[") {
			continue
		}
		idx := part[len(key):]
		for idx != "" {
			if idx[0] != '[' {
				return nil, errors.New("JSON path " + strconv.Quote(p) + ": want [N] or [*] after " + strconv.Quote(key))
			}
			end := strings.IndexByte(idx, ']')
			if end < 0 {
				return nil, errors.New("JSON path " + strconv.Quote(p) + ": unterminated [")
			}
			in := idx[1:end]
			if in == "*" {
				segs = append(segs, pathSeg{index: segEach})
			} else {
				n, err := strconv.Atoi(in)
				if err != nil || n < 0 || in != strconv.Itoa(n) {
					return nil, errors.New("JSON path " + strconv.Quote(p) + ": index " + strconv.Quote(in) + " is not a number >= 0 or *")
				}
				segs = append(segs, pathSeg{index: n})
			}
			idx = idx[end+1:]
		}
	}
	return segs, nil
}

// LookupJSON finds the value at path in doc, a value decoded by
// encoding/json into any (objects map[string]any, arrays []any, numbers
// float64). found is false when a member or index along the path does not
// exist or a value along it has the wrong type. A path with [*] returns a
// []any of the values found under every element (elements without the
// rest of the path are left out); it is found when the array is.
func LookupJSON(doc any, path string) (value any, found bool, err error) {
	segs, err := parsePath(path)
	if err != nil {
		return nil, false, err
	}
	v, ok := lookup(doc, segs)
	return v, ok, nil
}

func lookup(v any, segs []pathSeg) (any, bool) {
	for i, s := range segs {
		switch s.index {
		case segKey:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s.key]; !ok {
				return nil, false
			}
		case segEach:
			arr, ok := v.([]any)
			if !ok {
				return nil, false
			}
			out := []any{}
			for _, e := range arr {
				if ev, ok := lookup(e, segs[i+1:]); ok {
					out = append(out, ev)
				}
			}
			return out, true
		default:
			arr, ok := v.([]any)
			if !ok || s.index >= len(arr) {
				return nil, false
			}
			v = arr[s.index]
		}
	}
	return v, true
}
