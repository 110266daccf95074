package explain

import (
	"fmt"
	"os"
	"runtime"
	"testing"
)

func stats() (uint64, uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.TotalAlloc
}

func TestZZProbe(t *testing.T) {
	path := os.Getenv("PROBE")
	if path == "" {
		t.Skip()
	}
	l0, t0 := stats()
	f, _ := os.Open(path)
	rs, _, err := readHAR(f, "x")
	if err != nil {
		t.Fatal(err)
	}
	l1, t1 := stats()
	fl := rs.flow()
	l2, t2 := stats()
	res := &Result{}
	Default().explainExchanges(rs, fl, Options{}, res)
	l3, t3 := stats()
	mb := func(v uint64) float64 { return float64(v) / 1e6 }
	fmt.Printf("live: base %.1f read +%.1f build +%.1f explain +%.1f; allocated: read %.1f build %.1f explain %.1f MB\n",
		mb(l0), mb(l1-l0), mb(l2-l1), mb(l3-l2), mb(t1-t0), mb(t2-t1), mb(t3-t2))
	runtime.KeepAlive(fl)
	runtime.KeepAlive(rs)
}
