//go:build unix

package sandbox_test

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"syscall"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/sandbox"
)

var _ = Describe("Run", func() {
	run := func(script string) sandbox.Exit {
		cmd, err := sandbox.Command([]string{"sh", "-c", script}, os.Environ())
		Expect(err).NotTo(HaveOccurred())
		cmd.Stdout, cmd.Stderr = GinkgoWriter, GinkgoWriter
		exit, err := sandbox.Run(cmd)
		Expect(err).NotTo(HaveOccurred())
		return exit
	}

	It("reports the command's own exit status", func() {
		Expect(run("exit 0").Failed()).To(BeFalse())
		e := run("exit 3")
		Expect(e.Code).To(Equal(3))
		Expect(e.Status()).To(Equal(3))
		Expect(e.String()).To(Equal("exited with status 3"))
	})

	It("reports a death by signal as such, with the shell's 128+n", func() {
		e := run("kill -KILL $$")
		Expect(e.Signal).To(Equal(syscall.SIGKILL))
		Expect(e.Status()).To(Equal(137))
		Expect(e.String()).To(Equal("was killed by SIGKILL"))
		Expect(e.Failed()).To(BeTrue())
	})

	It("passes the signals it receives on to the command", func() {
		cmd, err := sandbox.Command([]string{"sh", "-c", "echo ready; exec sleep 600"}, os.Environ())
		Expect(err).NotTo(HaveOccurred())
		r, w, err := os.Pipe()
		Expect(err).NotTo(HaveOccurred())
		cmd.Stdout = w
		exits := make(chan sandbox.Exit, 1)
		go func() {
			defer GinkgoRecover()
			e, err := sandbox.Run(cmd)
			Expect(err).NotTo(HaveOccurred())
			exits <- e
		}()
		line, err := bufio.NewReader(r).ReadString('\n')
		Expect(err).NotTo(HaveOccurred())
		Expect(line).To(Equal("ready\n"))
		Expect(syscall.Kill(os.Getpid(), syscall.SIGUSR1)).To(Succeed())
		var e sandbox.Exit
		Eventually(exits).WithTimeout(60e9).Should(Receive(&e))
		Expect(e.String()).To(Equal("was killed by SIGUSR1"))
		w.Close()
		r.Close()
	})

	It("says which command it could not find", func() {
		_, err := sandbox.Command([]string{"no-such-command-here"}, os.Environ())
		var nf *sandbox.NotFoundError
		Expect(errors.As(err, &nf)).To(BeTrue())
		Expect(err).To(MatchError(ContainSubstring("no-such-command-here: exec: ")))
		Expect(errors.Is(err, exec.ErrNotFound)).To(BeTrue())
	})
})
