package checks_test

import (
	"context"
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/scenarios"
)

// BenchmarkBuiltinSuite is the figure the README states: the built-in
// suite against the embedded fake, without the browser scenarios (target
// under 1 s) and with them (under 10 s), runtime.NumCPU() scenarios at a
// time. Each iteration starts its own embedded fake, as `spotcheck run`
// does; Chromium is launched once, outside the timing, and its launch is
// reported as launch-s.
//
//	DISABLE_ROD_FLAG=1 go test -run '^$' -bench BuiltinSuite -benchtime 1x ./checks/
func BenchmarkBuiltinSuite(b *testing.B) {
	ctx := context.Background()
	all, err := scenarios.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	var plain []*scenarios.Scenario
	for _, s := range all {
		if !s.NeedsBrowser() {
			plain = append(plain, s)
		}
	}
	suite := func(b *testing.B, list []*scenarios.Scenario, o checks.RunOptions) {
		for b.Loop() {
			t, err := checks.ResolveTarget(ctx, "fake", checks.TargetOptions{})
			if err != nil {
				b.Fatal(err)
			}
			res, err := checks.Run(ctx, list, t, o)
			_ = t.Close()
			if err != nil {
				b.Fatal(err)
			}
			if p, _, _, _ := res.Counts(); p != len(list) {
				b.Fatalf("%d of %d scenarios passed", p, len(list))
			}
		}
		b.ReportMetric(float64(len(list)), "scenarios")
	}
	b.Run("without-browser", func(b *testing.B) { suite(b, plain, checks.RunOptions{}) })
	b.Run("with-browser", func(b *testing.B) {
		t0 := time.Now()
		br, err := browser.Launch(ctx)
		if err != nil {
			b.Skip(err)
		}
		launch := time.Since(t0)
		defer br.Close()
		b.ResetTimer()
		suite(b, all, checks.RunOptions{Browser: br})
		b.ReportMetric(launch.Seconds(), "launch-s")
	})
}
