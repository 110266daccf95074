package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

// hang is how long a spec waits for a process that should end promptly
// before calling it hung: a bound for a liveness check, not a figure.
const hang = 60 * time.Second

// startDoctorGroup starts `spotcheck doctor` in dir in a process group of its
// own, so that whatever it started (a hung git and its children) is killed
// with it when the spec ends.
func startDoctorGroup(dir string, env map[string]string, args ...string) *gexec.Session {
	GinkgoHelper()
	cmd := exec.Command(binary, append([]string{"doctor"}, args...)...)
	cmd.Dir, cmd.Env = dir, doctorEnv(env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); s.Wait(hang) })
	return s
}

// openFIFO makes a FIFO and opens it for reading and writing: the open
// does not wait, the FIFO has a reader from now on, and reads never see
// end-of-file.
func openFIFO(path string) *os.File {
	GinkgoHelper()
	Expect(syscall.Mkfifo(path, 0o600)).To(Succeed())
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(f.Close)
	// A spec that waits for a line that never comes fails instead of
	// hanging the suite.
	Expect(f.SetReadDeadline(time.Now().Add(hang))).To(Succeed())
	return f
}

// shrinkPipe makes f's pipe buffer one page, so that a report of a few
// kilobytes fills it.
func shrinkPipe(f *os.File) {
	GinkgoHelper()
	const fSetPipeSize = 1031 // F_SETPIPE_SZ
	rc, err := f.SyscallConn()
	Expect(err).NotTo(HaveOccurred())
	var errno syscall.Errno
	Expect(rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, uintptr(os.Getpagesize()))
	})).To(Succeed())
	Expect(errno).To(BeZero())
}

var _ = Describe("doctor and signals", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("refuses a FIFO as --token-cache with one line and exit 2, instead of waiting for a writer", func() {
		fifo := filepath.Join(dir, "cache")
		Expect(syscall.Mkfifo(fifo, 0o600)).To(Succeed())
		s := startDoctorGroup(dir, webEnv(), "--offline", "--no-scan", "--token-cache", fifo)
		Eventually(s).WithTimeout(hang).Should(gexec.Exit(exitUsage))
		Expect(string(s.Err.Contents())).To(Equal(fmt.Sprintf("spotcheck: %s: a FIFO, not a regular file: a token cache is a file\n", fifo)))
	})

	It("stops at the first SIGINT while git hangs, and says it was interrupted", func() {
		// A git that never answers and leaves a child holding its output,
		// as a hung credential helper or fsmonitor daemon can.
		bin, ready := filepath.Join(dir, "bin"), filepath.Join(dir, "ready")
		Expect(os.Mkdir(bin, 0o755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(bin, "git"), []byte("#!/bin/sh\nsleep 3600 &\necho started > \"$READY\"\nwait\n"), 0o755)).To(Succeed())
		r := bufio.NewReader(openFIFO(ready))
		env := webEnv()
		env["PATH"], env["READY"] = bin+":"+os.Getenv("PATH"), ready
		s := startDoctorGroup(dir, env, "--offline")
		Expect(r.ReadString('\n')).To(Equal("started\n"))

		s.Signal(syscall.SIGINT)
		Eventually(s).WithTimeout(hang).Should(gexec.Exit(exitFailed))
		Expect(s.Err).To(gbytes.Say(`spotcheck: interrupt: stopping \(send it again to exit at once\)\n`))
		Expect(s.Err).To(gbytes.Say(`spotcheck: interrupted; the report shows the checks that ran \(\d+ not run\)\n`))
	})

	DescribeTable("exits at once on a second signal while a report write blocks",
		func(sig syscall.Signal, name string, code int) {
			// A reader that takes the first bytes of the report and then
			// stops reading: the doctor blocks in the write, whatever
			// the first signal asked.
			fifo := filepath.Join(dir, "report.html")
			f := openFIFO(fifo)
			shrinkPipe(f)
			s := startDoctorGroup(dir, webEnv(), "--offline", "--no-scan", "--report", "html="+fifo)
			n, err := f.Read(make([]byte, 1))
			Expect(err).NotTo(HaveOccurred())
			Expect(n).To(Equal(1))

			s.Signal(sig)
			Eventually(s.Err).WithTimeout(hang).Should(gbytes.Say(`spotcheck: ` + name + `: stopping \(send it again to exit at once\)\n`))
			s.Signal(sig)
			Eventually(s).WithTimeout(hang).Should(gexec.Exit(code))
			Expect(s.Err).To(gbytes.Say(`spotcheck: ` + name + ` again: exiting now\n`))
		},
		Entry("SIGINT: 130", syscall.SIGINT, "interrupt", 130),
		Entry("SIGTERM: 143", syscall.SIGTERM, "terminated", 143),
	)
})
