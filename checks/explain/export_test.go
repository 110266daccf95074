package explain

// SetHARLimits lowers the limits on what explain --har keeps, so a spec
// can pass them with a small file; the returned func restores them.
func SetHARLimits(requests int, kept int64) (restore func()) {
	r, k := maxHARRequests, maxHARKept
	maxHARRequests, maxHARKept = requests, kept
	return func() { maxHARRequests, maxHARKept = r, k }
}
