//go:build linux

package sandbox_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// isolated runs this test binary, as the given user, in its
// SANDBOX_TEST_ISOLATE mode: it calls sandbox.Isolate with args.
func isolated(uid int, args ...string) string {
	exe, err := os.Executable()
	Expect(err).NotTo(HaveOccurred())
	bin := exe
	if uid != os.Getuid() {
		// The test binary lives in a private build directory: give the
		// other user a copy it can run.
		dir := GinkgoT().TempDir()
		Expect(os.Chmod(dir, 0o755)).To(Succeed())
		bin = filepath.Join(dir, "sandbox.test")
		b, err := os.ReadFile(exe)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(bin, b, 0o755)).To(Succeed())
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "SANDBOX_TEST_ISOLATE=1")
	if uid != os.Getuid() {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	out, err := cmd.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
	return string(out)
}

var _ = Describe("Isolate", func() {
	check := func(out string, uid int) {
		Expect(out).To(ContainSubstring(`hosts-first-lines: "# spotcheck sandbox: Spotify's hosts are the fake|127.0.0.1 accounts.spotify.com api.spotify.com"`))
		Expect(out).To(ContainSubstring("api.spotify.com: [127.0.0.1] <nil>"))
		Expect(out).To(ContainSubstring("www.example.com resolves: false"))
		Expect(out).To(ContainSubstring("dial api.spotify.com:443: <nil>"))
		Expect(out).To(ContainSubstring("dial accounts.spotify.com:80 refused: true"))
		Expect(out).To(ContainSubstring("command uid: " + strconv.Itoa(uid) + " <nil>"))
	}

	It("gives the command loopback only, Spotify's names on the fake, DNS that fails at once, and its own uid", func() {
		before, err := os.ReadFile("/etc/hosts")
		Expect(err).NotTo(HaveOccurred())
		check(isolated(os.Getuid(), "probe"), os.Getuid())
		after, err := os.ReadFile("/etc/hosts")
		Expect(err).NotTo(HaveOccurred())
		Expect(after).To(Equal(before), "the host's /etc/hosts is untouched")
	})

	It("works for a user who is not root, through a user namespace", func() {
		if os.Getuid() != 0 {
			check(isolated(os.Getuid(), "probe"), os.Getuid())
			return
		}
		check(isolated(65534, "probe"), 65534)
	})

	It("refuses to enter when the namespaces are not new, changing nothing", func() {
		exe, err := os.Executable()
		Expect(err).NotTo(HaveOccurred())
		// unshare enters the namespaces itself, so the test binary's parent
		// shares them: Enter must refuse (and if it did not, only a
		// throwaway namespace would be touched).
		cmd := exec.Command("unshare", "--mount", "--net", "--fork", exe, "probe")
		cmd.Env = append(os.Environ(), "SPOTCHECK_SANDBOX=0,0,net:[1],mnt:[1]")
		out, err := cmd.CombinedOutput()
		Expect(err).To(HaveOccurred())
		Expect(string(out)).To(ContainSubstring("enter: not in a new net namespace: refusing to change the system's /etc/hosts"))
	})
})
