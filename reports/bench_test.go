package reports_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// BenchmarkWrite renders 1,000 scenario results (four steps of two
// exchanges with bodies, a failure in every tenth, a screenshot in every
// fiftieth) to each format; BenchmarkWriteEveryFormat to all five in turn,
// which is what a run with every --report pays. The target is under a
// second for all five.
func BenchmarkWrite(b *testing.B) {
	doc := reports.Document{Run: reportstest.LargeRun(1000)}
	for _, f := range reports.Formats {
		b.Run(string(f), func(b *testing.B) {
			var size bytes.Buffer
			if err := reports.Write(&size, f, doc, reports.Options{}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size.Len()))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := reports.Write(io.Discard, f, doc, reports.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteEveryFormat(b *testing.B) {
	doc := reports.Document{Run: reportstest.LargeRun(1000)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range reports.Formats {
			if err := reports.Write(io.Discard, f, doc, reports.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkWriteFindings(b *testing.B) {
	doc := reports.Document{Findings: reportstest.Findings()}
	for _, f := range reports.Formats {
		b.Run(string(f), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := reports.Write(io.Discard, f, doc, reports.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
