package reports_test

import (
	"fmt"
	"os"
	"time"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/reports"
)

func ExampleWrite() {
	run := &checks.RunResult{
		Version:  "v0.1.0",
		Target:   checks.TargetInfo{Name: "fake", AccountsURL: "http://127.0.0.1:41234", APIURL: "http://127.0.0.1:41234"},
		Duration: 120 * time.Millisecond,
		Scenarios: []checks.ScenarioResult{
			{Name: "happy path", File: "authorize.yaml", Status: checks.StatusPass, Duration: 80 * time.Millisecond},
			{Name: "premium only", File: "api.yaml", Status: checks.StatusSkip, Message: "needs a Premium user"},
		},
	}
	if err := reports.Write(os.Stdout, reports.FormatText, reports.Document{Run: run}, reports.Options{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// spotcheck v0.1.0 · run against fake (accounts http://127.0.0.1:41234)
	//
	// SKIP   api/premium-only — needs a Premium user
	//
	// PASS   authorize/happy-path  80ms
	//
	// Ran 2 scenarios against fake in 120ms
	// 1 passed, 0 failed, 1 skipped
}

func ExampleParseSpec() {
	for _, v := range []string{"junit=out/junit.xml", "json=-", "xml=out.xml"} {
		spec, err := reports.ParseSpec(v)
		fmt.Printf("%q %q %v\n", spec.Format, spec.Path, err)
	}
	// Output:
	// "junit" "out/junit.xml" <nil>
	// "json" "-" <nil>
	// "" "" report "xml=out.xml": unknown report format "xml" (want text, json, junit, markdown or html)
}
