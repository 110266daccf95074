package redact

import (
	"sort"
	"strings"
)

// A matcher finds every registered form in a text in one pass, however
// many forms there are: an Aho–Corasick automaton over the forms, built
// once per change of the Set and never modified after (copy-on-write), so
// scans read it without a lock.
//
// Its replacements are exactly those of the rule it replaces (every form,
// longest first and in registration order among equal lengths, replaced
// everywhere with strings.ReplaceAll): a form that overlaps one replaced
// before it is not replaced, and among a form's own overlapping
// occurrences the leftmost wins. Replacing a form inserts its fingerprint,
// and the old rule could then match a form inside or across that
// fingerprint; a matcher that has a form able to (see fingerprintLike)
// hands any text with a match to the old rule itself, so the result is
// the same in every case. FuzzMatcher compares the two.
type matcher struct {
	forms []form // by rank: longest first, then registration order

	root  [256]int32 // the root's transitions, dense: most bytes of a text stay at the root
	nodes []node
	label []byte // the transitions of node i are label/next[nodes[i].edges : nodes[i].edges+nodes[i].n]
	next  []int32

	// naive: too few forms for an automaton to pay, or a form that a
	// fingerprint could contain (see above).
	naiveOnly, fingerprintLike bool
}

// form is one registered encoded form of a secret.
type form struct {
	text, fp string
}

type node struct {
	edges, n uint32
	fail     int32
	out      int32 // rank of the longest form ending here, -1 if none
	dict     int32 // the nearest node down the fail chain with an out, -1 if none
}

// naiveBelow is the number of forms under which scanning for each with
// strings.Contains costs less than building an automaton (a per-request
// Set holds a handful).
const naiveBelow = 8

// maxOccurrences bounds the occurrences one scan collects; a text with
// more (hostile input shaped after registered forms) takes the old rule,
// which costs what redaction always cost.
const maxOccurrences = 256

func newMatcher(forms []form) *matcher {
	m := &matcher{forms: forms}
	for _, f := range forms {
		if fingerprintLike(f.text) {
			m.fingerprintLike = true
		}
	}
	if len(forms) < naiveBelow {
		m.naiveOnly = true
		return m
	}
	m.build()
	return m
}

// build makes the trie of the forms, then the failure and dictionary
// links, breadth first.
func (m *matcher) build() {
	type buildNode struct {
		children []int32 // by label order of insertion
		labels   []byte
	}
	bn := []buildNode{{}}
	out := []int32{-1}
	for rank, f := range m.forms {
		s := int32(0)
		for i := 0; i < len(f.text); i++ {
			c := f.text[i]
			t := int32(-1)
			for k, l := range bn[s].labels {
				if l == c {
					t = bn[s].children[k]
					break
				}
			}
			if t < 0 {
				t = int32(len(bn))
				bn = append(bn, buildNode{})
				out = append(out, -1)
				bn[s].labels = append(bn[s].labels, c)
				bn[s].children = append(bn[s].children, t)
			}
			s = t
		}
		if out[s] < 0 { // equal forms are never registered twice; keep the best rank anyway
			out[s] = int32(rank)
		}
	}
	m.nodes = make([]node, len(bn))
	for i := range bn {
		k := len(m.label)
		idx := make([]int, len(bn[i].labels))
		for j := range idx {
			idx[j] = j
		}
		sort.Slice(idx, func(a, b int) bool { return bn[i].labels[idx[a]] < bn[i].labels[idx[b]] })
		for _, j := range idx {
			m.label = append(m.label, bn[i].labels[j])
			m.next = append(m.next, bn[i].children[j])
		}
		m.nodes[i] = node{edges: uint32(k), n: uint32(len(idx)), out: out[i], dict: -1}
		bn[i] = buildNode{} // free as we go
	}
	for c := range m.root {
		m.root[c] = m.child(0, byte(c))
		if m.root[c] < 0 {
			m.root[c] = 0
		}
	}
	queue := make([]int32, 0, len(m.nodes))
	for e := m.nodes[0].edges; e < m.nodes[0].edges+m.nodes[0].n; e++ {
		v := m.next[e]
		m.nodes[v].fail = 0
		queue = append(queue, v)
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for e := m.nodes[u].edges; e < m.nodes[u].edges+m.nodes[u].n; e++ {
			c, v := m.label[e], m.next[e]
			m.nodes[v].fail = m.step(m.nodes[u].fail, c)
			f := m.nodes[v].fail
			if m.nodes[f].out >= 0 {
				m.nodes[v].dict = f
			} else {
				m.nodes[v].dict = m.nodes[f].dict
			}
			queue = append(queue, v)
		}
	}
}

// child is s's transition on c, or -1.
func (m *matcher) child(s int32, c byte) int32 {
	n := m.nodes[s]
	labels := m.label[n.edges : n.edges+n.n]
	if len(labels) <= 8 {
		for k, l := range labels {
			if l == c {
				return m.next[int(n.edges)+k]
			}
		}
		return -1
	}
	k := sort.Search(len(labels), func(i int) bool { return labels[i] >= c })
	if k < len(labels) && labels[k] == c {
		return m.next[int(n.edges)+k]
	}
	return -1
}

// step is the automaton's move from s on c.
func (m *matcher) step(s int32, c byte) int32 {
	for s != 0 {
		if t := m.child(s, c); t >= 0 {
			return t
		}
		s = m.nodes[s].fail
	}
	return m.root[c]
}

// firstEnd returns where the first occurrence of any form ends, or -1.
func (m *matcher) firstEnd(text string) int {
	s := int32(0)
	for i := 0; i < len(text); i++ {
		if s == 0 {
			s = m.root[text[i]]
			if s == 0 {
				continue
			}
		} else {
			s = m.step(s, text[i])
		}
		if m.nodes[s].out >= 0 || m.nodes[s].dict >= 0 {
			return i + 1
		}
	}
	return -1
}

// occurrence is a form found at text[start:end].
type occurrence struct {
	start, end int
	rank       int32
}

// find appends every occurrence of every form in text (overlapping ones
// included) to occ; ok is false when there were more than maxOccurrences.
func (m *matcher) find(text string, occ []occurrence) ([]occurrence, bool) {
	s := int32(0)
	for i := 0; i < len(text); i++ {
		c := text[i]
		if s == 0 {
			s = m.root[c]
			if s == 0 {
				continue
			}
		} else {
			s = m.step(s, c)
		}
		for o := s; o >= 0; o = m.nodes[o].dict {
			if r := m.nodes[o].out; r >= 0 {
				if len(occ) == maxOccurrences {
					return occ, false
				}
				occ = append(occ, occurrence{start: i + 1 - len(m.forms[r].text), end: i + 1, rank: r})
			}
		}
	}
	return occ, true
}

// replace replaces the forms in text as the old rule did.
func (m *matcher) replace(text string) string {
	if len(m.forms) == 0 || text == "" {
		return text
	}
	if m.naiveOnly {
		return m.naive(text)
	}
	// Most texts hold no secret: find that out without allocating, and
	// collect the occurrences only when there are some.
	at := m.firstEnd(text)
	if at < 0 {
		return text
	}
	from := max(0, at-len(m.forms[0].text)) // no occurrence ends before at, nor is longer than the first form
	occ, ok := m.find(text[from:], nil)
	for i := range occ {
		occ[i].start += from
		occ[i].end += from
	}
	switch {
	case !ok || m.fingerprintLike:
		return m.naive(text)
	case len(occ) == 1:
		f := m.forms[occ[0].rank]
		return text[:occ[0].start] + f.fp + text[occ[0].end:]
	}
	return m.splice(text, m.choose(occ))
}

// choose picks the occurrences the old rule replaces: forms by rank, each
// occurrence that overlaps no occurrence picked before it, leftmost first.
func (m *matcher) choose(occ []occurrence) []occurrence {
	sort.Slice(occ, func(i, j int) bool {
		if occ[i].rank != occ[j].rank {
			return occ[i].rank < occ[j].rank
		}
		return occ[i].start < occ[j].start
	})
	var picked []occurrence
	for _, o := range occ {
		free := true
		for _, p := range picked {
			if o.start < p.end && p.start < o.end {
				free = false
				break
			}
		}
		if free {
			picked = append(picked, o)
		}
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].start < picked[j].start })
	return picked
}

func (m *matcher) splice(text string, picked []occurrence) string {
	var b strings.Builder
	n := len(text)
	for _, p := range picked {
		n += len(m.forms[p.rank].fp) - (p.end - p.start)
	}
	b.Grow(n)
	at := 0
	for _, p := range picked {
		b.WriteString(text[at:p.start])
		b.WriteString(m.forms[p.rank].fp)
		at = p.end
	}
	b.WriteString(text[at:])
	return b.String()
}

// naive is the old rule itself: every form, by rank, replaced everywhere.
func (m *matcher) naive(text string) string {
	for _, f := range m.forms {
		if strings.Contains(text, f.text) {
			text = strings.ReplaceAll(text, f.text, f.fp)
		}
	}
	return text
}

// fingerprintLike reports whether a form could be found in text that a
// replacement made: one that holds a bracket (it could span a
// fingerprint's edge), or one that fits inside a fingerprint's text
// ("redacted 32ch #1a2b3c4d").
func fingerprintLike(p string) bool {
	if strings.ContainsAny(p, "[]") {
		return true
	}
	for digits := 1; digits <= 7; digits++ {
		tmpl := "redacted " + strings.Repeat("9", digits) + "ch #ffffffff"
		for off := 0; off+len(p) <= len(tmpl); off++ {
			if fitsAt(p, tmpl[off:off+len(p)]) {
				return true
			}
		}
	}
	return false
}

// fitsAt reports whether p could be the template slice t, where '9' in t
// stands for any digit and 'f' for any lowercase hex digit.
func fitsAt(p, t string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch t[i] {
		case '9':
			if c < '0' || c > '9' {
				return false
			}
		case 'f':
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		default:
			if c != t[i] {
				return false
			}
		}
	}
	return true
}
