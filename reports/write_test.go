package reports_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

const childEnv = "REPORTS_WRITEALL_CHILD_DIR"

// TestWriteAllAsChild is the unprivileged half of the read-only directory
// spec: root ignores directory permissions, so when the suite runs as root
// it re-runs this binary as nobody to write into a directory nobody may not
// write to. It does nothing in a normal run.
func TestWriteAllAsChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		return
	}
	errs := reports.WriteAll(readOnlySpecs(dir), reports.Document{Run: reportstest.Run()}, reports.Options{})
	lines := []string{}
	for _, err := range errs {
		lines = append(lines, fmt.Sprintf("%s|%t", err, errors.Is(err, fs.ErrPermission)))
	}
	if err := json.NewEncoder(os.Stdout).Encode(lines); err != nil {
		t.Fatal(err)
	}
}

func readOnlySpecs(dir string) []reports.Spec {
	return []reports.Spec{
		{Format: reports.FormatJSON, Path: filepath.Join(dir, "ro", "report.json")},
		{Format: reports.FormatJUnit, Path: filepath.Join(dir, "ok", "junit.xml")},
	}
}

// writeUnprivileged runs WriteAll(readOnlySpecs(dir)) as a user that
// directory permissions apply to, and returns "error|isPermission" lines.
func writeUnprivileged(dir string) []string {
	GinkgoHelper()
	if os.Geteuid() != 0 {
		var out []string
		for _, err := range reports.WriteAll(readOnlySpecs(dir), reports.Document{Run: reportstest.Run()}, reports.Options{}) {
			out = append(out, fmt.Sprintf("%s|%t", err, errors.Is(err, fs.ErrPermission)))
		}
		return out
	}
	const nobody = 65534
	self, err := os.Executable()
	Expect(err).NotTo(HaveOccurred())
	// The go tool's build directory is private to root: give nobody a copy.
	bin := filepath.Join(dir, "reports.test")
	src, err := os.Open(self)
	Expect(err).NotTo(HaveOccurred())
	defer src.Close()
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	Expect(err).NotTo(HaveOccurred())
	_, err = io.Copy(dst, src)
	Expect(err).NotTo(HaveOccurred())
	Expect(dst.Close()).To(Succeed())
	Expect(os.Chown(filepath.Join(dir, "ok"), nobody, nobody)).To(Succeed())

	cmd := exec.Command(bin, "-test.run=^TestWriteAllAsChild$")
	cmd.Env = []string{childEnv + "=" + dir, "DISABLE_ROD_FLAG=1", "HOME=" + dir, "TMPDIR=" + filepath.Join(dir, "ok")}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	Expect(cmd.Run()).To(Succeed(), stderr.String()+stdout.String())
	first, _, _ := strings.Cut(stdout.String(), "\n")
	var lines []string
	Expect(json.Unmarshal([]byte(first), &lines)).To(Succeed(), stdout.String())
	return lines
}

func noTempFiles(dir string) {
	GinkgoHelper()
	entries, err := os.ReadDir(dir)
	Expect(err).NotTo(HaveOccurred())
	for _, e := range entries {
		Expect(e.Name()).NotTo(ContainSubstring(".tmp-"), "a temporary file was left in %s", dir)
	}
}

var _ = Describe("WriteAll", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("writes every report, creating missing directories, readable by others", func() {
		specs := []reports.Spec{}
		for _, f := range reports.Formats {
			specs = append(specs, reports.Spec{Format: f, Path: filepath.Join(dir, "out", "nested", "report."+string(f))})
		}
		Expect(reports.WriteAll(specs, runDoc(), reports.Options{})).To(BeEmpty())
		for _, s := range specs {
			got, err := os.ReadFile(s.Path)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(render(s.Format, runDoc(), reports.Options{})), s.Path)
			fi, err := os.Stat(s.Path)
			Expect(err).NotTo(HaveOccurred())
			Expect(fi.Mode().Perm()).To(Equal(fs.FileMode(0o644)))
		}
		noTempFiles(filepath.Join(dir, "out", "nested"))
	})

	It("writes - to the given stdout", func() {
		var out bytes.Buffer
		Expect(reports.WriteAll([]reports.Spec{{Format: reports.FormatText, Path: "-"}}, runDoc(), reports.Options{Stdout: &out})).To(BeEmpty())
		Expect(out.Bytes()).To(Equal(render(reports.FormatText, runDoc(), reports.Options{})))
	})

	It("reports a path under a file clearly and still writes the others", func() {
		Expect(os.WriteFile(filepath.Join(dir, "afile"), []byte("x"), 0o644)).To(Succeed())
		bad := reports.Spec{Format: reports.FormatJUnit, Path: filepath.Join(dir, "afile", "sub", "junit.xml")}
		good := reports.Spec{Format: reports.FormatJSON, Path: filepath.Join(dir, "report.json")}
		errs := reports.WriteAll([]reports.Spec{bad, good}, runDoc(), reports.Options{})
		Expect(errs).To(HaveLen(1))
		Expect(errs[0]).To(MatchError(fmt.Sprintf("junit report %s: cannot create directory %s: %s is a file, not a directory",
			bad.Path, filepath.Join(dir, "afile", "sub"), filepath.Join(dir, "afile"))))
		var we *reports.WriteError
		Expect(errors.As(errs[0], &we)).To(BeTrue())
		Expect(we.Spec).To(Equal(bad))
		Expect(good.Path).To(BeAnExistingFile())
	})

	It("reports a read-only directory clearly and still writes the others", func() {
		// Everyone may enter dir; nobody but root may write in ro.
		Expect(os.Chmod(dir, 0o755)).To(Succeed())
		Expect(os.Mkdir(filepath.Join(dir, "ro"), 0o555)).To(Succeed())
		Expect(os.Mkdir(filepath.Join(dir, "ok"), 0o755)).To(Succeed())
		DeferCleanup(os.Chmod, filepath.Join(dir, "ro"), fs.FileMode(0o755))

		lines := writeUnprivileged(dir)
		Expect(lines).To(Equal([]string{fmt.Sprintf("json report %s: cannot create a file in directory %s: permission denied|true",
			filepath.Join(dir, "ro", "report.json"), filepath.Join(dir, "ro"))}))
		Expect(filepath.Join(dir, "ok", "junit.xml")).To(BeAnExistingFile())
		noTempFiles(filepath.Join(dir, "ok"))
		entries, err := os.ReadDir(filepath.Join(dir, "ro"))
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(BeEmpty())
	})

	It("refuses a directory as the path, and a second report to the same path", func() {
		path := filepath.Join(dir, "r.json")
		errs := reports.WriteAll([]reports.Spec{
			{Format: reports.FormatHTML, Path: dir},
			{Format: reports.FormatJSON, Path: path},
			{Format: reports.FormatJUnit, Path: filepath.Join(dir, ".", "r.json")},
		}, runDoc(), reports.Options{})
		Expect(errs).To(HaveLen(2))
		Expect(errs[0]).To(MatchError(fmt.Sprintf("html report %s: the path is a directory", dir)))
		Expect(errs[1]).To(MatchError(ContainSubstring("another report already writes to this path")))
		Expect(os.ReadFile(path)).To(Equal(render(reports.FormatJSON, runDoc(), reports.Options{})))
	})

	It("leaves the previous report in place when a new one cannot be rendered", func() {
		path := filepath.Join(dir, "report.json")
		Expect(os.WriteFile(path, []byte(`{"old":true}`), 0o644)).To(Succeed())
		errs := reports.WriteAll([]reports.Spec{{Format: reports.FormatJSON, Path: path}}, reports.Document{}, reports.Options{})
		Expect(errs).To(HaveLen(1))
		Expect(errs[0]).To(MatchError(reports.ErrEmptyDocument))
		Expect(os.ReadFile(path)).To(Equal([]byte(`{"old":true}`)))
		noTempFiles(dir)
	})

	It("never shows a reader half a report", func() {
		path := filepath.Join(dir, "report.json")
		big := reports.Document{Run: reportstest.LargeRun(150)}
		Expect(reports.WriteAll([]reports.Spec{{Format: reports.FormatJSON, Path: path}}, big, reports.Options{})).To(BeEmpty())

		done := make(chan struct{})
		var wg sync.WaitGroup
		var reads, torn int
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				b, err := os.ReadFile(path)
				if err != nil {
					continue
				}
				reads++
				if !json.Valid(b) {
					torn++
				}
			}
		}()
		for i := 0; i < 15; i++ {
			Expect(reports.WriteAll([]reports.Spec{{Format: reports.FormatJSON, Path: path}}, big, reports.Options{})).To(BeEmpty())
		}
		close(done)
		wg.Wait()
		Expect(reads).To(BeNumerically(">", 0))
		Expect(torn).To(BeZero(), "%d of %d reads saw a partial report", torn, reads)
	})
})
