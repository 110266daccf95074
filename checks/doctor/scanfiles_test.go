package doctor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
)

// The scan used to open every listed file as it came: a tracked file that
// had become a FIFO blocked it for good, a tracked symlink was followed out
// of the tree, and binary files and files over 16 MiB were dropped while
// the check counted them as scanned.
var _ = Describe("Scanner and files it must not read as they are", func() {
	var dir string
	needle := []doctor.Needle{{Value: scanSecret, Label: "the client secret"}}
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		gitInit(dir)
	})
	scan := func() *doctor.ScanResult {
		GinkgoHelper()
		// A scan that blocks fails the spec instead of hanging the suite.
		type result struct {
			res *doctor.ScanResult
			err error
		}
		done := make(chan result, 1)
		go func() {
			res, err := (&doctor.Scanner{Dir: dir, Needles: needle}).Scan(context.Background())
			done <- result{res, err}
		}()
		var r result
		Eventually(done).WithTimeout(time.Minute).Should(Receive(&r))
		Expect(r.err).NotTo(HaveOccurred())
		return r.res
	}
	skipped := func(res *doctor.ScanResult) []string {
		out := []string{}
		for _, s := range res.Skipped {
			out = append(out, s.File+": "+s.Reason)
		}
		return out
	}

	It("skips a tracked file that is a FIFO in the work tree, without opening it, and says so", func() {
		write(dir, "a.txt", "x")
		write(dir, "pipe", "y")
		commitAll(dir, "files")
		Expect(os.Remove(filepath.Join(dir, "pipe"))).To(Succeed())
		Expect(syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600)).To(Succeed())
		DeferCleanup(func() {
			// Before the fix the scan is still blocked in open(2): a
			// writer lets it go.
			if f, err := os.OpenFile(filepath.Join(dir, "pipe"), os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
		})
		res := scan()
		Expect(res.Files).To(Equal(1))
		Expect(skipped(res)).To(Equal([]string{"pipe: a FIFO, not a regular file"}))
	})

	It("does not follow a tracked symlink out of the tree, and lists every link it did not read", func() {
		outside := GinkgoT().TempDir()
		write(outside, "secrets.env", "CLIENT_SECRET="+scanSecret+"\n")
		Expect(os.Symlink(filepath.Join(outside, "secrets.env"), filepath.Join(dir, "config.env"))).To(Succeed())
		write(dir, "real.txt", "nothing\n")
		Expect(os.Symlink("real.txt", filepath.Join(dir, "alias.txt"))).To(Succeed())
		commitAll(dir, "links")
		res := scan()
		Expect(res.Hits).To(BeEmpty(), "a file outside the tree was read through the link")
		Expect(res.Files).To(Equal(1))
		Expect(skipped(res)).To(Equal([]string{
			"alias.txt: a symbolic link (git stores only the path it points to)",
			"config.env: a symbolic link out of the scanned tree (not followed)",
		}))
	})

	It("lists binary files as skipped", func() {
		write(dir, "logo.png", "\x89PNG\x00\x00"+scanSecret)
		commitAll(dir, "binary")
		res := scan()
		Expect(res.Files).To(Equal(0))
		Expect(skipped(res)).To(Equal([]string{"logo.png: binary (a NUL byte in its first 8000 bytes)"}))
	})

	It("lists a tracked file deleted from the work tree as skipped", func() {
		write(dir, "gone.txt", "x")
		commitAll(dir, "gone")
		Expect(os.Remove(filepath.Join(dir, "gone.txt"))).To(Succeed())
		Expect(skipped(scan())).To(Equal([]string{"gone.txt: missing from the work tree"}))
	})

	It("streams a file larger than the old 16 MiB limit in bounded memory, and finds a secret at its end on the right line", func() {
		p := filepath.Join(dir, "dump.sql")
		f, err := os.Create(p)
		Expect(err).NotTo(HaveOccurred())
		line := strings.Repeat("INSERT INTO plays VALUES (1, 'a track', 'an artist');", 20) + "\n" // 1,061 bytes
		block := strings.Repeat(line, 1000)
		const blocks = 40 // ~42 MB
		for range blocks {
			_, err := f.WriteString(block)
			Expect(err).NotTo(HaveOccurred())
		}
		_, err = f.WriteString("-- client_secret " + scanSecret + "\n")
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Close()).To(Succeed())
		commitAll(dir, "dump")

		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res := scan()
		runtime.ReadMemStats(&after)
		Expect(res.Skipped).To(BeEmpty())
		Expect(res.Hits).To(HaveLen(1))
		Expect(res.Hits[0].Line).To(Equal(blocks*1000 + 1))
		Expect(after.TotalAlloc-before.TotalAlloc).To(BeNumerically("<", 16<<20), "the file was read into memory whole")
	})

	It("skips a file over the size limit with the reason, without reading it", func() {
		p := filepath.Join(dir, "huge.bin")
		write(dir, "huge.bin", "")
		Expect(os.Truncate(p, doctor.MaxScanFile+1)).To(Succeed()) // sparse: no disk used
		res := scan()
		Expect(skipped(res)).To(Equal([]string{fmt.Sprintf("huge.bin: larger than %d MiB", doctor.MaxScanFile>>20)}))
	})

	It("finds needles and assigned values across every chunk boundary", func() {
		// A small chunk puts boundaries inside the needle, inside the
		// 32-hex value, and between a name and its value. The first
		// window is always as large as the binary sniff (8000 bytes):
		// 100 lines of filler come first.
		var b strings.Builder
		b.WriteString(strings.Repeat(strings.Repeat("f", 99)+"\n", 100))
		want := []string{}
		for i := range 40 {
			b.WriteString(strings.Repeat("x", i) + "\n")
			b.WriteString(strings.Repeat("y", i) + scanSecret + "\n")
			want = append(want, fmt.Sprintf("f.txt:%d the client secret", 100+3*i+2))
			b.WriteString(strings.Repeat("z", i) + " api_secret = " + scanID[:31] + "e\n")
			want = append(want, fmt.Sprintf("f.txt:%d api_secret", 100+3*i+3))
		}
		write(dir, "f.txt", b.String())
		for _, chunk := range []int{7, 31, 32, 33, 64, 100} {
			s := &doctor.Scanner{Dir: dir, Needles: needle}
			doctor.SetScanChunk(s, chunk)
			res, err := s.Scan(context.Background())
			Expect(err).NotTo(HaveOccurred())
			got := []string{}
			for _, h := range res.Hits {
				got = append(got, fmt.Sprintf("%s:%d %s%s", h.File, h.Line, h.Label, h.Name))
			}
			Expect(got).To(Equal(want), "chunk %d", chunk)
		}
	})
})

var _ = Describe("the secret-scan check", func() {
	It("counts what it skipped in its message and lists each file with the reason", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		repo(s, map[string]string{"a.txt": "x", "logo.png": "\x89PNG\x00"})
		Expect(os.Symlink("/etc/hostname", filepath.Join(s.dir, "host"))).To(Succeed())
		commitAll(s.dir, "link")
		s.offline = true
		c := outcome(s.mustRun(), "secret-scan")
		Expect(c.Status).To(Equal(checks.StatusPass))
		Expect(c.Message).To(Equal("1 tracked and not-ignored file scanned in " + s.dir + "; 2 skipped (1 binary, 1 symbolic link out of the tree)"))
		Expect(c.Details).To(Equal([]string{
			"host: skipped: a symbolic link out of the scanned tree (not followed)",
			"logo.png: skipped: binary (a NUL byte in its first 8000 bytes)",
		}))
	})
})
