package redact

// NaiveString is what String did before the matcher: every registered
// form, longest first, replaced everywhere with strings.ReplaceAll. The
// matcher must give the same text in every case (FuzzMatcher).
func NaiveString(s *Set, text string) string { return s.matcher().naive(text) }

// UsesAutomaton reports whether s scans with the automaton (enough forms).
func UsesAutomaton(s *Set) bool { return !s.matcher().naiveOnly }
