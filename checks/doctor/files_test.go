package doctor_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
)

var _ = Describe("a token cache that is not a plain file", func() {
	DescribeTable("is refused before it is read, in one line, without waiting",
		func(make func(dir string) string, what string) {
			path := make(GinkgoT().TempDir())
			_, err := doctor.ReadTokenCache(path)
			var ie *doctor.InputError
			Expect(errors.As(err, &ie)).To(BeTrue(), "%v", err)
			Expect(err).To(MatchError(path + ": " + what + ", not a regular file: a token cache is a file"))
		},
		Entry("a FIFO (opening it would wait for a writer)", func(dir string) string {
			p := filepath.Join(dir, "cache")
			Expect(syscall.Mkfifo(p, 0o600)).To(Succeed())
			return p
		}, "a FIFO"),
		Entry("a symlink to a FIFO", func(dir string) string {
			Expect(syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600)).To(Succeed())
			Expect(os.Symlink("fifo", filepath.Join(dir, "cache"))).To(Succeed())
			return filepath.Join(dir, "cache")
		}, "a FIFO"),
		Entry("a character device", func(string) string { return "/dev/zero" }, "a character device"),
		Entry("a directory", func(dir string) string { return dir }, "a directory"),
	)

	It("stops a run that is cancelled, with what ran and the rest not run", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		o := s.opts
		o.Credentials = s.credentials()
		res, err := doctor.Run(ctx, o)
		Expect(err).To(MatchError(context.Canceled))
		Expect(res).NotTo(BeNil())
		Expect(res.Checks).NotTo(BeEmpty())
		for _, c := range res.Checks {
			Expect(c.Status).To(Equal(checks.StatusSkip), c.ID)
			Expect(c.Message).To(Equal(doctor.NotRun), c.ID)
		}
	})
})

var _ = Describe("a symlinked token cache", func() {
	It("keeps the link and writes a rotated refresh token into the file it points to, with its mode", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{Policies: config.Policies{Refresh: config.RefreshAlwaysRotate}})
		// The cache lives in a dotfiles directory; the app's path is a link.
		s.cachePath = filepath.Join(s.dir, "dotfiles", "spotify-cache.json")
		real := s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
		Expect(os.Chmod(real, 0o640)).To(Succeed())
		link := filepath.Join(s.dir, "app", ".cache")
		Expect(os.MkdirAll(filepath.Dir(link), 0o755)).To(Succeed())
		Expect(os.Symlink(filepath.Join("..", "dotfiles", "spotify-cache.json"), link)).To(Succeed())
		s.opts.TokenCache = link
		old := redact.Fingerprint(s.refresh)

		f := finding(s.mustRun(), "refresh-token-rotated")

		fi, err := os.Lstat(link)
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Mode()&fs.ModeSymlink).NotTo(BeZero(), "the link was replaced by a %s file", fi.Mode())
		tc, err := doctor.ReadTokenCache(real)
		Expect(err).NotTo(HaveOccurred())
		saved := redact.Fingerprint(tc.RefreshToken)
		Expect(saved).NotTo(Equal(old), "the file the link points to still holds the revoked refresh token")
		Expect(f.Evidence).To(ContainElement(ContainSubstring("new refresh_token " + saved)))
		Expect(f.Evidence).To(ContainElement(HaveSuffix("the doctor wrote it to " + real + " (where the symlink " + link + " points)")))
		st, err := os.Stat(real)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Mode().Perm()).To(Equal(fs.FileMode(0o640)))
		entries, err := os.ReadDir(filepath.Dir(real))
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(1), "no temporary file is left next to the cache")
	})
})
