package store

// SweepLen is how many items the sweep heap holds, live or left behind.
func (s *Store) SweepLen() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.sweep)
}
