package main

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// lockedBuffer is a bytes.Buffer the flushing goroutine and a spec can
// share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var _ = Describe("the log buffer", func() {
	It("writes lines out on its timer, without being asked", func() {
		var out lockedBuffer
		b := newLogBuffer(&out)
		DeferCleanup(b.Close)
		_, _ = b.Write([]byte("one line\n"))
		Eventually(out.String).Should(Equal("one line\n"))
	})

	It("loses no line on Close, and writes later lines at once", func() {
		var out lockedBuffer
		b := newLogBuffer(&out)
		var want strings.Builder
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 500 {
					_, _ = fmt.Fprintf(b, "goroutine %d line %d %s\n", g, i, strings.Repeat("x", 200))
				}
			}()
		}
		wg.Wait()
		Expect(b.Close()).To(Succeed())
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		Expect(lines).To(HaveLen(8 * 500))
		for _, l := range lines {
			Expect(l).To(MatchRegexp(`^goroutine \d line \d+ x{200}$`), "lines never interleave")
		}
		want.WriteString("after close\n")
		_, _ = b.Write([]byte("after close\n"))
		Expect(out.String()).To(HaveSuffix(want.String()))
	})

	It("reaches stderr whole when spotcheck fake stops on SIGTERM or SIGINT", func() {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			s := startBinary("fake", "--addr", "127.0.0.1:0")
			base := fakeURL(s)
			const n = 300
			client := &http.Client{}
			for range n {
				resp, err := client.Get(base + "/v1/me")
				Expect(err).NotTo(HaveOccurred())
				resp.Body.Close()
			}
			s.Signal(sig)
			Eventually(s).WithTimeout(20 * time.Second).Should(gexec.Exit(exitOK))
			Expect(strings.Count(string(s.Err.Contents()), `"path":"/v1/me"`)).To(Equal(n), "every request line, after %v", sig)
		}
	})
})
