package doctor

// SetScanChunk makes s read files n bytes at a time, so that specs can put
// chunk boundaries anywhere.
func SetScanChunk(s *Scanner, n int) { s.chunk = n }

// Variants lists the spellings findVariant would probe for raw, as
// "uri (how)".
func Variants(raw string) []string {
	var out []string
	for _, v := range variants(raw, "", "") {
		out = append(out, v.uri+" ("+v.how+")")
	}
	return out
}

// MaxProbes bounds Variants.
const MaxProbes = maxProbes
