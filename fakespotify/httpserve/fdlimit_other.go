//go:build !unix

package httpserve

func openFileLimit() uint64 { return 0 }
