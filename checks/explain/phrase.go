package explain

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// The phrase scan finds the catalog's texts anywhere in free text: a
// message buried in a stack trace, a plain-text 403 in a curl dump, a page
// text a user typed from a screenshot. Each hit is weighed by the context
// around it (a status code, a path, an OAuth error code nearby).

// phraseSource marks candidates from the phrase scan.
const phraseSource = "plain text"

// closed reports whether a phrase found at [start,end) stands on its own:
// it does not start inside a word, and it does not run on into more words
// ("Invalid client" must not match "Invalid client certificate").
func closed(t string, start, end int, open bool) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(t[:start])
		if isWordRune(r) {
			return false
		}
	}
	if open || end >= len(t) {
		return true
	}
	r, size := utf8.DecodeRuneInString(t[end:])
	if isWordRune(r) {
		return false
	}
	if r == ' ' && end+size < len(t) {
		rest := t[end+size:]
		next, _ := utf8.DecodeRuneInString(rest)
		if next >= 'a' && next <= 'z' && !connector(rest) {
			return false
		}
	}
	return true
}

// connector reports whether text starts with a word that typically
// follows a complete message in a log ("… code in /var/www/Request.php",
// "… code_verifier when exchanging"), rather than continuing the phrase.
func connector(text string) bool {
	w := text
	if i := strings.IndexAny(text, " \t\n,.:;()"); i >= 0 {
		w = text[:i]
	}
	switch w {
	case "in", "at", "when", "while", "after", "during", "on", "from", "with", "thrown", "raised":
		return true
	}
	return false
}

// phrases runs the scan for every rule that has a text to look for.
// known is the place the text comes from, when the caller knows it.
func (s *scan) phrases(known Where) {
	t := s.text
	for _, r := range s.c.rules {
		if len(r.Params) > 0 || r.EmptyBody {
			continue
		}
		re := r.textScan
		if re == nil {
			re = r.descScan
		}
		if re == nil {
			re = r.reasonScan
		}
		if re == nil {
			continue
		}
		if known != "" && !r.appliesTo(known) {
			continue
		}
		for _, m := range re.findAll(t, s.lower, 16) {
			if m[1] == m[0] || !closed(t, m[0], m[1], r.Open) {
				continue
			}
			score, ok := s.weigh(r, m[0], m[1], known)
			if !ok {
				continue
			}
			s.cands = append(s.cands, candidate{
				rule: r, entry: r.entry, score: score, cause: r.Cause,
				evidence: s.line(m[0], m[1]), source: phraseSource, span: [2]int{m[0], m[1]},
			})
		}
	}
}

// weigh scores a phrase hit from the context around it.
func (s *scan) weigh(r *Rule, start, end int, known Where) (float64, bool) {
	score := r.Loose
	switch {
	case known != "":
		score = r.Confidence * 0.98
	case !r.looseSet && strings.TrimSpace(s.text[:start]) == "" && strings.TrimSpace(s.text[end:]) == "":
		// The phrase is the whole input: a bare error string, as exact as
		// a parsed one (unless the catalog marks the text ambiguous).
		score = r.Confidence
	}
	if r.Error != "" {
		codes := s.codesNear(start, end)
		switch {
		case slices.Contains(codes, r.Error):
			score = r.Confidence
		case len(codes) > 0 && !slices.Contains(codes, "invalid_token"):
			return 0, false // next to another OAuth error: not this one
		}
	}
	if len(r.Status) > 0 {
		st := s.nearestStatus(start, end)
		switch {
		case st != 0 && !slices.Contains(r.Status, st):
			return 0, false
		case st == 0 && r.NeedStatus:
			return 0, false
		case st != 0:
			score = max(score, (score+r.Confidence)/2)
		}
	}
	if r.pathRe != nil {
		p := s.nearestPath(start, end)
		if p == "" || !r.pathRe.MatchString(p) {
			return 0, false
		}
	}
	if known == "" {
		if w := s.nearestWhere(start, end); w != "" {
			if r.appliesTo(w) {
				score = max(score, (score+r.Confidence)/2)
			} else {
				score *= 0.7
			}
		}
	}
	return score, true
}

// settle drops phrase hits that other evidence explains better: a hit
// inside a longer hit of another entry ("Invalid client" inside "Invalid
// client secret"), and a hit inside an error the extractors parsed, when
// that error matched a different entry. Structure beats phrases.
func (s *scan) settle(structured []candidate) []candidate {
	phr := s.cands[:0:0]
	var other []candidate
	for _, c := range s.cands {
		if c.source == phraseSource {
			phr = append(phr, c)
		} else {
			other = append(other, c)
		}
	}
	keep := make([]candidate, 0, len(phr))
	for i, a := range phr {
		drop := false
		for j, b := range phr {
			if i == j || a.entry == b.entry {
				continue
			}
			inside := b.span[0] <= a.span[0] && a.span[1] <= b.span[1]
			longer := b.span[1]-b.span[0] > a.span[1]-a.span[0]
			if inside && longer {
				drop = true
				break
			}
		}
		if !drop {
			for _, o := range s.obs {
				if o.span[1] <= o.span[0] || !(o.span[0] <= a.span[0] && a.span[1] <= o.span[1]) {
					continue
				}
				owned := false
				explained := false
				for _, st := range structured {
					if st.span == o.span {
						owned = true
						if st.entry == a.entry {
							explained = true
						}
					}
				}
				if owned && !explained {
					drop = true
					break
				}
				if explained {
					a.evidence = "" // the parsed error already quotes it
					a.source = o.source
				}
			}
		}
		if !drop {
			keep = append(keep, a)
		}
	}
	return append(other, keep...)
}
