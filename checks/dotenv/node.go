package dotenv

import (
	"regexp"
	"strings"
	"sync"
)

// jsWS is JavaScript's \s: white space and line terminators, BOM included.
const jsWS = `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`

// nodeLine is dotenv for Node's LINE (lib/main.js, 16.x and later), with
// \s spelled out. Go's regexp finds the match a backtracking engine
// finds first, so exec in a /g loop and FindAll agree.
var nodeLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^[` + jsWS + `]*(?:export[` + jsWS + `]+)?([\w.-]+)(?:[` + jsWS + `]*=[` + jsWS + `]*?|:[` + jsWS + `]+?)` +
		`([` + jsWS + `]*'(?:\\'|[^'])*'|[` + jsWS + `]*"(?:\\"|[^"])*"|[` + jsWS + "]*`(?:\\\\`|[^`])*`|[^#\\r\\n]+)?" +
		`[` + jsWS + `]*(?:#.*)?$`)
})

// parseNode is dotenv's parse: line breaks normalised to \n, each match a
// key and its value, trimmed, one pair of surrounding quotes removed, and
// \n and \r expanded in double quotes.
func parseNode(text string) []binding {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var out []binding
	for _, m := range nodeLine().FindAllStringSubmatchIndex(text, -1) {
		key := text[m[2]:m[3]]
		value := ""
		if m[4] >= 0 {
			value = text[m[4]:m[5]]
		}
		value = strings.TrimFunc(value, isJSSpace)
		quote := byte(0)
		if len(value) > 0 {
			quote = value[0]
		}
		if len(value) >= 2 && strings.IndexByte("'\"`", quote) >= 0 && value[len(value)-1] == quote {
			value = value[1 : len(value)-1]
		}
		if quote == '"' {
			value = strings.ReplaceAll(strings.ReplaceAll(value, `\n`, "\n"), `\r`, "\r")
		}
		line := 1 + strings.Count(text[:m[2]], "\n")
		out = append(out, binding{key: key, line: line, value: value})
	}
	return out
}

func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
