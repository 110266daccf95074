package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// A fake under load allocates a few KiB per request (most of it
// net/http's) and keeps little: its request log holds 1,024 entries per
// app. With Go's default pacing (GOGC=100: the next collection when the
// heap has doubled) a live heap of a few MiB means a collection every few
// thousand requests, and their fixed costs were the largest single item
// of a request's CPU time under hey (issue 13). The fake therefore lets
// the heap grow by at least gcHeadroom before collecting: GOGC is raised
// while the live heap is small and is 100 once the live heap is larger
// than gcHeadroom, so a fake whose log fills its byte budget is paced
// exactly as before. Memory stays flat either way: the goal follows the
// live heap. A GOGC in the environment is the user's choice and wins.
const (
	gcHeadroom = 16 << 20
	gcRepace   = time.Second // how often the live heap is read again
)

// gcPercentFor is the GOGC that gives a live heap of live bytes at least
// headroom bytes to grow by, and never less than Go's default 100.
//
// A live heap under Go's smallest heap goal (4 MiB) counts as that much:
// before the first collection the runtime reports none live, and a GOGC
// made for nothing would let the heap grow without bound until then.
func gcPercentFor(live, headroom uint64) int {
	live = max(live, minHeap)
	pct := headroom * 100 / live
	if pct < 100 {
		return 100
	}
	// In steps of 50, so that a live heap that wavers a little does not
	// set it anew every second.
	return int(pct) / 50 * 50
}

const minHeap = 4 << 20

// paceGC keeps GOGC at gcPercentFor(the live heap) until ctx ends,
// unless getenv("GOGC") is set. It returns at once; the pacing runs in a
// goroutine that reads one runtime metric a second.
func paceGC(ctx context.Context, getenv func(string) string) {
	if getenv("GOGC") != "" {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	last := 0
	repace := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		if pct := gcPercentFor(sample[0].Value.Uint64(), gcHeadroom); pct != last {
			debug.SetGCPercent(pct)
			last = pct
		}
	}
	repace()
	go func() {
		t := time.NewTicker(gcRepace)
		defer t.Stop()
		defer debug.SetGCPercent(100)
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				repace()
			}
		}
	}()
}
