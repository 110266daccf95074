package main

import (
	"context"
	"runtime/debug"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the fake's GC pacing", func() {
	DescribeTable("gives a small live heap room to grow, and leaves a large one at Go's default",
		func(live uint64, want int) { Expect(gcPercentFor(live, gcHeadroom)).To(Equal(want)) },
		Entry("4 MiB live: 400 %, a collection every 16 MiB", uint64(4<<20), 400),
		Entry("5 MiB live: rounded down to a step of 50", uint64(5<<20), 300),
		Entry("16 MiB live: the default", uint64(16<<20), 100),
		Entry("a full 64 MiB request log: the default, as before", uint64(64<<20), 100),
		Entry("nothing live yet (before the first collection): as 4 MiB", uint64(0), 400),
		Entry("1 MiB live: as 4 MiB, so the goal stays near 20 MiB", uint64(1<<20), 400),
	)

	It("leaves a GOGC from the environment alone", func() {
		before := debug.SetGCPercent(123)
		defer debug.SetGCPercent(before)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		paceGC(ctx, func(k string) string {
			if k == "GOGC" {
				return "50"
			}
			return ""
		})
		Expect(debug.SetGCPercent(123)).To(Equal(123))
	})
})
