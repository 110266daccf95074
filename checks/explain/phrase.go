package explain

import (
	"regexp"
	"regexp/syntax"
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
		if isWordRune(r) && !glued(r, t[start:]) && !emphasis(t[:start], false) {
			return false
		}
	}
	if open || end >= len(t) {
		return true
	}
	r, size := utf8.DecodeRuneInString(t[end:])
	if isWordRune(r) && !emphasis(t[end:], true) {
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

// glued reports whether a phrase starting with rest, right after the
// letter prev, is a message glued to the word before it rather than the
// middle of a word: a translated page puts its own words right before
// "INVALID_CLIENT: …" with no space ("请检查INVALID_CLIENT"), and log
// formats glue a lowercase label to an upper-case code ("errorINVALID_CLIENT").
func glued(prev rune, rest string) bool {
	first, _ := utf8.DecodeRuneInString(rest)
	if first >= utf8.RuneSelf {
		return false
	}
	if prev >= utf8.RuneSelf {
		return true // another script: a word boundary without a space
	}
	// A lowercase letter, then an upper-case one: a label glued to a code
	// ("errorINVALID_CLIENT") or a camelCase name ("getAudioFeatures").
	return prev >= 'a' && prev <= 'z' && first >= 'A' && first <= 'Z'
}

// emphasis reports whether the word rune next to a phrase is Markdown's
// emphasis mark (_INVALID_CLIENT: Invalid redirect URI_) rather than part
// of a word: an underscore with no word rune beyond it. after says that
// side is the text after the phrase (else before it).
func emphasis(side string, after bool) bool {
	if after {
		if !strings.HasPrefix(side, "_") {
			return false
		}
		r, _ := utf8.DecodeRuneInString(side[1:])
		return len(side) == 1 || !isWordRune(r)
	}
	if !strings.HasSuffix(side, "_") {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(side[:len(side)-1])
	return len(side) == 1 || !isWordRune(r)
}

// connector reports whether text starts with a word that typically
// follows a complete message in a log or a sentence ("… code in
// /var/www/Request.php", "… code_verifier when exchanging", "… Invalid
// client error"), rather than continuing the phrase.
func connector(text string) bool {
	w := text
	if i := strings.IndexAny(text, " \t\n,.:;()"); i >= 0 {
		w = text[:i]
	}
	switch w {
	case "in", "at", "when", "while", "after", "during", "on", "from", "with", "thrown", "raised",
		// A person's sentence going on after the quoted message.
		"error", "errors", "message", "page", "screen", "response", "exception", "even", "again",
		"every", "each", "but", "and", "so", "because", "if", "although", "though", "which", "whenever", "now",
		"for", "using", "is", "was", "shown", "appears", "then":
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
		if st == 0 && r.NeedStatus {
			st = s.onlyStatus()
		}
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
	if known == "" && otherService(s.line(start, end)) {
		// "GitHub response: API rate limit exceeded": the error is another
		// service's, however Spotify-like its words.
		score *= 0.5
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

// tolerant rewrites a catalog text (a regular expression) so that it also
// matches the text as people retype or rewrap it: any run of white space,
// line breaks included, for a space; a comma, colon or semicolon before a
// space left out; and an article (the, a, an) before a word left out or
// another put in ("user may not be registered" for "the user may not be
// registered"). Only literal text is loosened; the expression's own
// operators stay as written.
func tolerant(src string) string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return src // compile reports the error on the original
	}
	if !loosen(re) {
		return src
	}
	return re.String()
}

// loosen rewrites the literals under re in place and reports whether any
// changed.
func loosen(re *syntax.Regexp) bool {
	if re.Op == syntax.OpLiteral {
		lit := string(re.Rune)
		if !strings.ContainsAny(lit, " ,:;") {
			return false
		}
		flags := syntax.Perl
		if re.Flags&syntax.FoldCase != 0 {
			flags |= syntax.FoldCase
		}
		nre, err := syntax.Parse(looseLiteral(lit), flags)
		if err != nil {
			return false
		}
		*re = *nre
		return true
	}
	changed := false
	for _, sub := range re.Sub {
		changed = loosen(sub) || changed
	}
	return changed
}

// articles may be left out or swapped for one another before a word.
var articles = map[string]bool{"the": true, "a": true, "an": true}

// looseLiteral is the expression for one literal text, loosened as
// tolerant describes.
func looseLiteral(lit string) string {
	var b strings.Builder
	words := strings.Split(lit, " ")
	for i, w := range words {
		last := i == len(words)-1
		if !last && articles[strings.ToLower(w)] && words[i+1] != "" {
			b.WriteString(`(?:(?:the|an?)\s+)?`)
			continue
		}
		if !last {
			if trimmed := strings.TrimRight(w, ",:;"); trimmed != w && trimmed != "" {
				b.WriteString(regexp.QuoteMeta(trimmed) + `[,:;]?`)
			} else {
				b.WriteString(regexp.QuoteMeta(w))
			}
			b.WriteString(`\s+`)
			continue
		}
		b.WriteString(regexp.QuoteMeta(w))
	}
	return b.String()
}

// otherServices are services whose errors reports quote next to Spotify's.
var otherServices = []string{"github", "youtube", "ytmusic", "google", "discord", "twitch", "deezer", "tidal", "soundcloud", "last.fm", "lastfm", "apple music", "musicbrainz"}

// otherService reports whether a line attributes its error to a service
// other than Spotify: it names one and does not name Spotify.
func otherService(line string) bool {
	l := lowerASCII(line)
	if strings.Contains(l, "spotify") {
		return false
	}
	for _, name := range otherServices {
		if strings.Contains(l, name) {
			return true
		}
	}
	return false
}
