package explain

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
)

// A pasted log can be megabytes long while the error in it is one line.
// Running every rule's regular expression over all of it costs seconds, so
// each expression is paired with a literal that every match must contain:
// where the literal does not occur the expression is not run at all, and
// where it occurs a few times only the text around each occurrence is
// searched.

// fastRe is a regexp with its required literal. Both are worked out on
// first use, not at package initialisation: every spotcheck command links
// this package, and compiling its expressions up front cost every command,
// `spotcheck version` included, about 10 ms before main ran.
type fastRe struct {
	expr   string
	margin int // how far a match may reach before and after the literal

	once   sync.Once
	re     *regexp.Regexp
	lit    string // lowercase ASCII; "" when the expression has none
	litSet bool   // lit was given by hand (withLiteral)
	// alts, when the expression has no one literal, are literals one of
	// which every match contains (a|b|c): each is looked for like lit.
	alts []string
	// more are other such sets, tried in turn when the first occurs too
	// often in a text ("request" in every line of a log).
	more [][]string
}

// maxWindows is how many occurrences of a literal are searched window by
// window, and maxAnchors how many given positions; beyond that one pass
// over the whole text is cheaper.
const (
	maxWindows = 32
	maxAnchors = 512
)

func newFastRe(re *regexp.Regexp, margin int) *fastRe {
	return &fastRe{expr: re.String(), re: re, margin: margin}
}

// mustFast is a fastRe for a constant expression, compiled on first use.
func mustFast(expr string, margin int) *fastRe { return &fastRe{expr: expr, margin: margin} }

// withLiteral sets the literal by hand, for one too short to be found
// (an arrow).
func withLiteral(f *fastRe, lit string) *fastRe {
	f.lit, f.litSet = lit, true
	return f
}

// compiled returns f with its expression compiled and its literal found.
func (f *fastRe) compiled() *fastRe {
	f.once.Do(func() {
		if f.re == nil {
			f.re = regexp.MustCompile(f.expr)
		}
		if !f.litSet {
			f.lit = requiredLiteral(f.expr)
			sets := requiredSets(f.expr)
			if f.lit == "" && len(sets) > 0 {
				f.alts, sets = sets[0], sets[1:]
			}
			for _, set := range sets {
				if len(set) != 1 || set[0] != f.lit {
					f.more = append(f.more, set)
				}
			}
		}
	})
	return f
}

// requiredLiteral returns the longest literal every match of expr
// contains, lowercased, or "".
func requiredLiteral(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return ""
	}
	lit := longestLiteral(re.Simplify())
	for i := 0; i < len(lit); i++ {
		if lit[i] >= 0x80 {
			return ""
		}
	}
	if len(lit) < 3 {
		return ""
	}
	return strings.ToLower(lit)
}

// requiredSets returns sets of literals, lowercased, such that every match
// of expr contains one literal of each set, best first (the longest
// shortest literal): for an expression with no one literal (the phrases
// people write, a|b|c), and as fallbacks when the best literal is common
// in a text.
func requiredSets(expr string) [][]string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	var out [][]string
	for _, set := range literalSets(re.Simplify()) {
		ok := len(set) <= 16
		var low []string
		for _, a := range set {
			if len(a) < 3 || strings.IndexFunc(a, func(r rune) bool { return r >= 0x80 }) >= 0 {
				ok = false
				break
			}
			if l := strings.ToLower(a); !slices.Contains(low, l) {
				low = append(low, l)
			}
		}
		if ok {
			out = append(out, low)
		}
	}
	slices.SortStableFunc(out, func(a, b []string) int { return shortest(b) - shortest(a) })
	return out[:min(len(out), 4)]
}

func shortest(set []string) int {
	n := 0
	for i, s := range set {
		if i == 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}

// literalSets returns the sets of literals such that every match of re
// contains one of each set: a sequence has one or more per element, an
// alternation one (a literal of each branch).
func literalSets(re *syntax.Regexp) [][]string {
	switch re.Op {
	case syntax.OpLiteral:
		return [][]string{{string(re.Rune)}}
	case syntax.OpCapture, syntax.OpPlus:
		return literalSets(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return literalSets(re.Sub[0])
		}
	case syntax.OpAlternate:
		// One literal of each branch: the best of each, then the second
		// best of each (or its only one), and so on.
		var branches [][][]string
		for _, sub := range re.Sub {
			sets := literalSets(sub)
			if len(sets) == 0 {
				return nil
			}
			slices.SortStableFunc(sets, func(a, b []string) int { return shortest(b) - shortest(a) })
			branches = append(branches, sets)
		}
		var out [][]string
		for k := 0; k < 4; k++ {
			var union []string
			more := false
			for _, sets := range branches {
				union = append(union, sets[min(k, len(sets)-1)]...)
				more = more || k < len(sets)-1
			}
			out = append(out, union)
			if !more {
				break
			}
		}
		return out
	case syntax.OpConcat:
		var out [][]string
		run := ""
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral {
				run += string(sub.Rune)
				continue
			}
			if run != "" {
				out = append(out, []string{run})
				run = ""
			}
			out = append(out, literalSets(sub)...)
		}
		if run != "" {
			out = append(out, []string{run})
		}
		return out
	}
	return nil
}

// longestLiteral is the longest literal every match of re contains: the
// longest of literalSets' single-literal sets.
func longestLiteral(re *syntax.Regexp) string {
	best := ""
	for _, set := range literalSets(re) {
		if len(set) == 1 && len(set[0]) > len(best) {
			best = set[0]
		}
	}
	return best
}

// lowerASCII lowercases A–Z only, so that byte offsets stay the same.
func lowerASCII(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for k := i; k < len(b); k++ {
		if c := b[k]; c >= 'A' && c <= 'Z' {
			b[k] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// findAll is FindAllStringSubmatchIndex with the literal prefilter; lower
// is lowerASCII(text). n < 0 means all matches.
func (f *fastRe) findAll(text, lower string, n int) [][]int {
	f.compiled()
	if f.lit == "" && len(f.alts) > 0 {
		return f.findAlts(f.alts, text, lower, n)
	}
	if f.lit == "" {
		return f.re.FindAllStringSubmatchIndex(text, n)
	}
	var pos []int
	for from := 0; ; {
		i := strings.Index(lower[from:], f.lit)
		if i < 0 {
			break
		}
		pos = append(pos, from+i)
		if len(pos) > maxWindows {
			return f.fallback(text, lower, n)
		}
		from += i + len(f.lit)
	}
	return f.around(text, pos, len(f.lit), n)
}

// fallback is findAll when the literal looked for occurs too often: the
// first other set of literals that occurs rarely enough, else one pass
// over the whole text.
func (f *fastRe) fallback(text, lower string, n int) [][]int {
	for _, set := range f.more {
		if count(lower, set, maxWindows+1) <= maxWindows {
			return f.findAlts(set, text, lower, n)
		}
	}
	return f.re.FindAllStringSubmatchIndex(text, n)
}

// count counts the occurrences of the literals in lower, up to limit.
func count(lower string, lits []string, limit int) int {
	total := 0
	for _, lit := range lits {
		for from := 0; total < limit; {
			i := strings.Index(lower[from:], lit)
			if i < 0 {
				break
			}
			total++
			from += i + len(lit)
		}
	}
	return total
}

// findAlts is findAll looking for a set of literals: the windows around
// each occurrence of any of them.
func (f *fastRe) findAlts(lits []string, text, lower string, n int) [][]int {
	first := len(f.alts) > 0 && &lits[0] == &f.alts[0]
	var out [][]int
	total := 0
	for _, lit := range lits {
		var pos []int
		for from := 0; ; {
			i := strings.Index(lower[from:], lit)
			if i < 0 {
				break
			}
			pos = append(pos, from+i)
			if total+len(pos) > maxWindows {
				if first {
					return f.fallback(text, lower, n)
				}
				return f.re.FindAllStringSubmatchIndex(text, n)
			}
			from += i + len(lit)
		}
		total += len(pos)
		out = append(out, f.around(text, pos, len(lit), -1)...)
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	out = slices.CompactFunc(out, func(a, b []int) bool { return a[0] == b[0] })
	if n >= 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// around searches windows around the given positions (each the start of a
// required piece of anchorLen bytes) and keeps the matches that contain
// one. Too many positions make one pass over the text cheaper.
func (f *fastRe) around(text string, pos []int, anchorLen, n int) [][]int {
	f.compiled()
	if len(pos) == 0 {
		return nil
	}
	if len(pos) > maxAnchors {
		return f.re.FindAllStringSubmatchIndex(text, n)
	}
	var out [][]int
	seen := map[int]bool{}
	for _, p := range pos {
		lo := max(0, p-f.margin)
		hi := min(len(text), p+anchorLen+f.margin)
		for _, m := range f.re.FindAllStringSubmatchIndex(text[lo:hi], -1) {
			for k := range m {
				if m[k] >= 0 {
					m[k] += lo
				}
			}
			// Keep the matches of this occurrence; a match that starts at
			// the window's edge may have read a false ^ or \b there.
			if m[0] > p || m[1] < p+anchorLen || m[0] == lo && lo > 0 || seen[m[0]] {
				continue
			}
			seen[m[0]] = true
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	if n >= 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// errorStatusAt returns the positions of standalone three-digit numbers from
// 400 to 599: every error status mention contains one.
func errorStatusAt(text string) []int {
	var out []int
	for i := 0; i+3 <= len(text); i++ {
		c := text[i]
		if c != '4' && c != '5' {
			continue
		}
		if !isDigit(text[i+1]) || !isDigit(text[i+2]) || i > 0 && isDigit(text[i-1]) || i+3 < len(text) && isDigit(text[i+3]) {
			continue
		}
		out = append(out, i)
		i += 2
	}
	return out
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
