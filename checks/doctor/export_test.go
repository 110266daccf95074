package doctor

// SetScanChunk makes s read files n bytes at a time, so that specs can put
// chunk boundaries anywhere.
func SetScanChunk(s *Scanner, n int) { s.chunk = n }
