package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/cisafe/cisafetest"
	"github.com/spotcheck/spotcheck/scenarios"
)

// hostileText is what a target can send back: workflow commands behind
// every kind of line break and leading white space.
const hostileText = "ok\n  ::error::pwned\r\n\t::add-mask::s3cret\r##[group]g ::stop-commands::tok"

var _ = Describe("what the CLI prints besides reports", func() {
	It("disarms workflow commands in log lines", func() {
		var out bytes.Buffer
		log, err := newLogger(&out, &out, "debug")
		Expect(err).NotTo(HaveOccurred())
		log.Debug().Str("body", hostileText).Msg(hostileText)
		log.Warn().Msg("\n::warning::" + hostileText)
		Expect(out.String()).To(ContainSubstring("pwned"))
		Expect(cisafetest.Commands(out.String())).To(BeEmpty())
	})

	It("disarms them in progress lines", func() {
		var out bytes.Buffer
		p := newProgress(&out, false, false, []*scenarios.Scenario{{Name: "a"}, {Name: "b"}})
		p.finished(0, checks.ScenarioResult{Name: "a", Status: checks.StatusFail, Message: hostileText, Duration: time.Millisecond})
		p.finished(1, checks.ScenarioResult{Name: "b ##[error]", Status: checks.StatusError, Message: "::error::" + hostileText})
		Expect(strings.Count(out.String(), "\n")).To(Equal(2))
		Expect(cisafetest.Commands(out.String())).To(BeEmpty())
	})

	// The header was written without the lock the live ticker takes, so
	// -race saw the CI-safe writer's state written from two goroutines.
	// Every write and this spec's reads hold progress.mu; without it in
	// header, the race detector fails this spec.
	It("writes the header and the live line under one lock", func() {
		var out bytes.Buffer
		p := newProgress(&out, true, false, []*scenarios.Scenario{{Name: "a"}})
		read := func() string {
			p.mu.Lock()
			defer p.mu.Unlock()
			return out.String()
		}
		go p.header(&checks.Target{Name: "fake ::error::x"}, 1)
		Eventually(read).Should(MatchRegexp(`against fake[^\n]*\n(?s:.*)0/1 done`))
		p.close()
		Expect(cisafetest.Commands(read())).To(BeEmpty())
	})

	It("disarms them in the one-line error", func() {
		missing := filepath.Join(GinkgoT().TempDir(), "##[error]forged.har")
		var out, errb bytes.Buffer
		code := execute([]string{"explain", "--har", missing}, strings.NewReader(""), &out, &errb)
		Expect(code).To(Equal(exitUsage))
		Expect(errb.String()).To(ContainSubstring("forged.har"))
		Expect(cisafetest.Commands(errb.String())).To(BeEmpty())
	})
})
