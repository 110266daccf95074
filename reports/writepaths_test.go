package reports_test

import (
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/reports"
)

// These specs put a report on paths that are not regular files. Before
// WriteAll looked at what a path was, every one of them was replaced by a
// regular file: run as root, --report junit=/dev/null replaced the
// machine's /dev/null.
var _ = Describe("WriteAll on paths that are not regular files", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	write := func(path string) []error {
		return reports.WriteAll([]reports.Spec{{Format: reports.FormatJSON, Path: path}}, runDoc(), reports.Options{})
	}
	want := func() []byte { return render(reports.FormatJSON, runDoc(), reports.Options{}) }
	isCharDevice := func(path string) {
		GinkgoHelper()
		fi, err := os.Lstat(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Mode()&fs.ModeCharDevice).NotTo(BeZero(), "%s is %s now, no longer a character device", path, fi.Mode())
	}

	// privateNull makes a null device of its own in dir, so that a spec
	// run before the fix cannot destroy the machine's /dev/null. Only root
	// may make device nodes; others cannot replace /dev/null anyway and
	// use it directly.
	privateNull := func() string {
		GinkgoHelper()
		if os.Geteuid() != 0 {
			return "/dev/null"
		}
		p := filepath.Join(dir, "null")
		Expect(syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3)).To(Succeed())
		return p
	}

	It("writes into a character device and leaves it a device", func() {
		null := privateNull()
		Expect(write(null)).To(BeEmpty())
		isCharDevice(null)
		noTempFiles(filepath.Dir(null))
	})

	It("writes into /dev/null itself and leaves it a device", func() {
		Expect(write("/dev/null")).To(BeEmpty())
		isCharDevice("/dev/null")
	})

	It("writes through a symlink to a character device", func() {
		null := privateNull()
		link := filepath.Join(dir, "to-null")
		Expect(os.Symlink(null, link)).To(Succeed())
		Expect(write(link)).To(BeEmpty())
		isCharDevice(null)
		fi, err := os.Lstat(link)
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Mode()&fs.ModeSymlink).NotTo(BeZero(), "the link was replaced")
	})

	It("writes through a symlink to /dev/null itself", func() {
		link := filepath.Join(dir, "to-dev-null")
		Expect(os.Symlink("/dev/null", link)).To(Succeed())
		Expect(write(link)).To(BeEmpty())
		isCharDevice("/dev/null")
		Expect(os.Readlink(link)).To(Equal("/dev/null"))
	})

	It("writes into a FIFO that has a reader, without a temporary file", func() {
		fifo := filepath.Join(dir, "fifo")
		Expect(syscall.Mkfifo(fifo, 0o600)).To(Succeed())
		// The reader is open before the report is written (as a shell's
		// `cat fifo &` is); the report is smaller than the pipe buffer, so
		// it is read after WriteAll has closed its end.
		r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		Expect(err).NotTo(HaveOccurred())
		defer r.Close()
		Expect(len(want())).To(BeNumerically("<", 64<<10), "the spec needs a report that fits in a pipe buffer")
		Expect(write(fifo)).To(BeEmpty())
		Expect(io.ReadAll(r)).To(Equal(want()))
		fi, err := os.Lstat(fifo)
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Mode()&fs.ModeNamedPipe).NotTo(BeZero(), "the FIFO was replaced by %s", fi.Mode())
		noTempFiles(dir)
	})

	It("says so at once when nothing reads the FIFO, and still writes the other reports", func() {
		fifo := filepath.Join(dir, "fifo")
		Expect(syscall.Mkfifo(fifo, 0o600)).To(Succeed())
		good := filepath.Join(dir, "report.json")
		errs := reports.WriteAll([]reports.Spec{{Format: reports.FormatJUnit, Path: fifo}, {Format: reports.FormatJSON, Path: good}}, runDoc(), reports.Options{})
		Expect(errs).To(HaveLen(1))
		Expect(errs[0]).To(MatchError(fmt.Sprintf("junit report %s: nothing is reading the FIFO (start its reader first)", fifo)))
		Expect(errs[0]).To(MatchError(syscall.ENXIO))
		Expect(os.ReadFile(good)).To(Equal(want()))
		fi, err := os.Lstat(fifo)
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Mode() & fs.ModeNamedPipe).NotTo(BeZero())
		noTempFiles(dir)
	})

	It("replaces a symlink's target atomically and keeps the link", func() {
		real := filepath.Join(dir, "reports", "real.json")
		Expect(os.MkdirAll(filepath.Dir(real), 0o755)).To(Succeed())
		Expect(os.WriteFile(real, []byte(`{"old":true}`), 0o644)).To(Succeed())
		link := filepath.Join(dir, "latest.json")
		Expect(os.Symlink(filepath.Join("reports", "real.json"), link)).To(Succeed())
		Expect(write(link)).To(BeEmpty())
		Expect(os.Readlink(link)).To(Equal(filepath.Join("reports", "real.json")))
		Expect(os.ReadFile(real)).To(Equal(want()))
		noTempFiles(dir)
		noTempFiles(filepath.Dir(real))
	})

	It("follows a chain of symlinks to the file at its end", func() {
		real := filepath.Join(dir, "real.json")
		Expect(os.WriteFile(real, []byte(`{"old":true}`), 0o644)).To(Succeed())
		Expect(os.Symlink(real, filepath.Join(dir, "b"))).To(Succeed())
		Expect(os.Symlink("b", filepath.Join(dir, "a"))).To(Succeed())
		Expect(write(filepath.Join(dir, "a"))).To(BeEmpty())
		Expect(os.Readlink(filepath.Join(dir, "a"))).To(Equal("b"))
		Expect(os.Readlink(filepath.Join(dir, "b"))).To(Equal(real))
		Expect(os.ReadFile(real)).To(Equal(want()))
	})

	It("creates a dangling symlink's target and keeps the link", func() {
		link := filepath.Join(dir, "latest.json")
		target := filepath.Join(dir, "out", "run-1.json")
		Expect(os.Symlink(target, link)).To(Succeed())
		Expect(write(link)).To(BeEmpty())
		Expect(os.Readlink(link)).To(Equal(target))
		Expect(os.ReadFile(target)).To(Equal(want()))
	})

	It("refuses a symlink loop with one line", func() {
		a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		Expect(os.Symlink(b, a)).To(Succeed())
		Expect(os.Symlink(a, b)).To(Succeed())
		errs := write(a)
		Expect(errs).To(HaveLen(1))
		Expect(errs[0]).To(MatchError(fmt.Sprintf("json report %s: too many levels of symbolic links", a)))
	})

	DescribeTable("refuses what a report cannot be written to, with one line, and leaves it alone",
		func(make func(path string) error, kind string, mode fs.FileMode) {
			path := filepath.Join(dir, "target")
			Expect(make(path)).To(Succeed())
			good := filepath.Join(dir, "report.json")
			errs := reports.WriteAll([]reports.Spec{{Format: reports.FormatHTML, Path: path}, {Format: reports.FormatJSON, Path: good}}, runDoc(), reports.Options{})
			Expect(errs).To(HaveLen(1))
			Expect(errs[0]).To(MatchError(fmt.Sprintf("html report %s: the path is %s; write the report to a file, a character device or a FIFO", path, kind)))
			fi, err := os.Lstat(path)
			Expect(err).NotTo(HaveOccurred())
			Expect(fi.Mode().Type()).To(Equal(mode))
			Expect(os.ReadFile(good)).To(Equal(want()))
			noTempFiles(dir)
		},
		Entry("a socket", func(p string) error {
			ln, err := net.Listen("unix", p)
			if err == nil {
				DeferCleanup(ln.Close)
			}
			return err
		}, "a socket", fs.ModeSocket),
		Entry("a block device", func(p string) error {
			if os.Geteuid() != 0 {
				Skip("only root can make a block device node")
			}
			return syscall.Mknod(p, syscall.S_IFBLK|0o600, 7<<8|200)
		}, "a block device", fs.ModeDevice),
		Entry("a symlink to a socket", func(p string) error {
			ln, err := net.Listen("unix", p+".sock")
			if err != nil {
				return err
			}
			DeferCleanup(ln.Close)
			return os.Symlink(p+".sock", p)
		}, "a socket", fs.ModeSymlink),
	)
})
