package doctor_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/doctor"
)

const (
	scanSecret = "9d8c7b6a5f4e3d2c1b0a99887766554f"
	scanID     = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b"
)

var _ = Describe("Classify", func() {
	DescribeTable("says how far a file travels",
		func(path string, want doctor.FileClass) { Expect(doctor.Classify(path)).To(Equal(want)) },
		Entry(nil, "src/app.js", doctor.ClassClient),
		Entry(nil, "web/index.html", doctor.ClassClient),
		Entry(nil, "components/Login.vue", doctor.ClassClient),
		Entry(nil, "src/routes/+page.svelte", doctor.ClassClient),
		Entry(nil, "src/App.tsx", doctor.ClassClient),
		Entry(nil, "dist/assets/index-4f2a.js", doctor.ClassBundle),
		Entry(nil, "static/js/main.min.js", doctor.ClassBundle),
		Entry(nil, "lib/app.bundle.js", doctor.ClassBundle),
		Entry(nil, "build/app.js.map", doctor.ClassBundle),
		Entry(nil, ".next/static/chunks/page.js", doctor.ClassBundle),
		Entry(nil, "public/config.json", doctor.ClassBundle),
		Entry(nil, "app/src/main/res/values/strings.xml", doctor.ClassMobile),
		Entry(nil, "android/app/src/main/AndroidManifest.xml", doctor.ClassMobile),
		Entry(nil, "ios/Runner/Info.plist", doctor.ClassMobile),
		Entry(nil, "ios/App/SpotifyAuth.swift", doctor.ClassMobile),
		Entry(nil, "lib/spotify.dart", doctor.ClassMobile),
		Entry(nil, ".env", doctor.ClassEnv),
		Entry(nil, "deploy/.env.production", doctor.ClassEnv),
		Entry(nil, "config/prod.env", doctor.ClassEnv),
		Entry(nil, "server/auth.py", doctor.ClassSource),
		Entry(nil, "cmd/main.go", doctor.ClassSource),
		Entry(nil, "config.yaml", doctor.ClassSource),
	)
})

var _ = Describe("Scanner", func() {
	var dir string
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		gitInit(dir)
	})
	scan := func(s *doctor.Scanner) *doctor.ScanResult {
		s.Dir = dir
		res, err := s.Scan(context.Background())
		Expect(err).NotTo(HaveOccurred())
		return res
	}
	where := func(res *doctor.ScanResult) []string {
		out := []string{}
		for _, h := range res.Hits {
			out = append(out, fmt.Sprintf("%s:%d %s%s untracked=%v", h.File, h.Line, h.Label, h.Name, h.Untracked))
		}
		return out
	}
	needle := []doctor.Needle{{Value: scanSecret, Label: "the client secret"}}

	It("finds the secret in tracked and not-ignored files, with lines, and skips ignored ones", func() {
		write(dir, ".gitignore", "secrets/\n*.local\n")
		write(dir, "src/a.js", "// one\n// two\nconst s = '"+scanSecret+"'; const t = '"+scanSecret+"';\n")
		write(dir, "b.txt", "x\n"+scanSecret+"\n")
		write(dir, "secrets/c.txt", scanSecret)
		write(dir, "d.local", scanSecret)
		commitAll(dir, "initial")
		write(dir, "new/e.md", "\n\n\n"+scanSecret)
		res := scan(&doctor.Scanner{Needles: needle})
		Expect(res.Git).To(BeTrue())
		Expect(res.Files).To(Equal(4))
		Expect(where(res)).To(Equal([]string{
			"b.txt:2 the client secret untracked=false",
			"new/e.md:4 the client secret untracked=true",
			"src/a.js:3 the client secret untracked=false",
		}))
		Expect(res.Hits[2].Class).To(Equal(doctor.ClassClient))
	})

	It("finds 32-hex values assigned to secret-like names, and only those", func() {
		write(dir, "config.py", strings.Join([]string{
			`CLIENT_SECRET = "0123456789abcdef0123456789abcdef"`,  // yes
			`client_id = "aaaabbbbccccddddeeeeffff00001111"`,      // not a secret name
			`api_key: 11112222333344445555666677778888abcd`,       // 36 hex: not 32
			`password="abcdefabcdefabcdefabcdef12345678"`,         // yes
			`"clientSecret": "fedcba9876543210fedcba9876543210",`, // yes (JSON)
			`commit = "0123456789abcdef0123456789abcdef0123abcd"`, // 40 hex
			`token_secret = x0123456789abcdef0123456789abcdef`,    // part of a word
			`SECRET_HASH = 00000000000000000000000000000000`,      // no letters
			`spotify_secret: ` + scanID,                           // the client id: ignored
			`secret => "99999999aaaaaaaa99999999aaaaaaaa"`,        // yes
		}, "\n")+"\n")
		commitAll(dir, "config")
		res := scan(&doctor.Scanner{Ignore: []string{scanID}})
		Expect(where(res)).To(Equal([]string{
			"config.py:1 CLIENT_SECRET untracked=false",
			"config.py:4 password untracked=false",
			"config.py:5 clientSecret untracked=false",
			"config.py:10 secret untracked=false",
		}))
	})

	It("skips binary and excluded files", func() {
		write(dir, "logo.png", "\x89PNG\x00\x00"+scanSecret)
		write(dir, "testdata/fixture.json", `{"client_secret": "`+scanSecret+`"}`)
		write(dir, "docs/example.env", "SPOTIFY_CLIENT_SECRET="+scanSecret)
		write(dir, "src/real.ts", "const s = '"+scanSecret+"'")
		commitAll(dir, "files")
		res := scan(&doctor.Scanner{Needles: needle, Exclude: []string{"testdata/", "*.env"}})
		Expect(where(res)).To(Equal([]string{"src/real.ts:1 the client secret untracked=false"}))
	})

	It("walks every file of a directory that is not a work tree", func() {
		plain := GinkgoT().TempDir()
		write(plain, "a/b/c.js", "x = '"+scanSecret+"'")
		write(plain, ".git/config", scanSecret)
		res, err := (&doctor.Scanner{Dir: plain, Needles: needle}).Scan(context.Background())
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Git).To(BeFalse())
		Expect(where(res)).To(Equal([]string{"a/b/c.js:1 the client secret untracked=false"}))
	})

	It("finds what recent commits added, with the commit and the line in the new file", func() {
		write(dir, "a.py", "one\ntwo\n")
		commitAll(dir, "first")
		write(dir, "a.py", "one\ntwo\nSECRET = '"+scanSecret+"'\n")
		commitAll(dir, "second")
		write(dir, "a.py", "one\ntwo\nSECRET = os.environ['S']\n")
		commitAll(dir, "third")
		hits, err := (&doctor.Scanner{Dir: dir, Needles: needle}).ScanHistory(context.Background(), 5)
		Expect(err).NotTo(HaveOccurred())
		Expect(hits).To(HaveLen(1))
		Expect(hits[0].File).To(Equal("a.py"))
		Expect(hits[0].Line).To(Equal(3))
		Expect(strings.TrimSpace(git(dir, "log", "-1", "--format=%s", hits[0].Commit))).To(Equal("second"))

		hits, err = (&doctor.Scanner{Dir: dir, Needles: needle}).ScanHistory(context.Background(), 1)
		Expect(err).NotTo(HaveOccurred())
		Expect(hits).To(BeEmpty(), "the last commit only removes it")
	})
})

// FuzzScanMatcher: a file's bytes never crash the matcher, a planted
// secret is always found on its line, and hits point at real lines.
func FuzzScanMatcher(f *testing.F) {
	f.Add([]byte("const s = 'X';\n"), 0)
	f.Add([]byte("SECRET=0123456789abcdef0123456789abcdef\n\n"), 3)
	f.Add([]byte("\x00\x01binary"), 1)
	f.Add([]byte("a:b:c:='\"`"), 2)
	f.Fuzz(func(t *testing.T, data []byte, at int) {
		dir := t.TempDir()
		if at < 0 {
			at = -at
		}
		at %= len(data) + 1
		content := append(append(append([]byte{}, data[:at]...), []byte("\n"+scanSecret+"\n")...), data[at:]...)
		if err := os.WriteFile(filepath.Join(dir, "f.txt"), content, 0o600); err != nil {
			t.Fatal(err)
		}
		res, err := (&doctor.Scanner{Dir: dir, Git: "/nonexistent/git", Needles: []doctor.Needle{{Value: scanSecret, Label: "s"}}}).Scan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(content), "\n")
		found := false
		for _, h := range res.Hits {
			if h.Line < 1 || h.Line > len(lines) || !strings.Contains(lines[h.Line-1], h.Value) {
				t.Fatalf("hit %s:%d does not point at its value", h.File, h.Line)
			}
			found = found || h.Label == "s"
		}
		binary := strings.IndexByte(string(content[:min(len(content), 8000)]), 0) >= 0
		if !found && !binary {
			t.Fatalf("the planted secret was not found")
		}
	})
}

// FuzzScanChunks: reading a file in small chunks finds exactly what
// reading it in one piece finds, wherever the boundaries fall (after the
// first window, which is as large as the binary sniff).
func FuzzScanChunks(f *testing.F) {
	f.Add([]byte("client_secret = '"+scanSecret+"'\n"), 7)
	f.Add([]byte("api_secret: 0123456789abcdef0123456789abcdef"), 33)
	f.Add([]byte(strings.Repeat("a", 300)+scanSecret+strings.Repeat("b", 31)), 32)
	f.Fuzz(func(t *testing.T, data []byte, chunk int) {
		if chunk < 0 {
			chunk = -chunk
		}
		chunk = 1 + chunk%300
		dir := t.TempDir()
		content := append([]byte(strings.Repeat(strings.Repeat("f", 79)+"\n", 101)), data...)
		if err := os.WriteFile(filepath.Join(dir, "f.txt"), content, 0o600); err != nil {
			t.Fatal(err)
		}
		hits := func(chunk int) []string {
			s := &doctor.Scanner{Dir: dir, Git: "/nonexistent/git", Needles: []doctor.Needle{{Value: scanSecret, Label: "s"}}}
			if chunk > 0 {
				doctor.SetScanChunk(s, chunk)
			}
			res, err := s.Scan(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, h := range res.Hits {
				out = append(out, fmt.Sprintf("%d %s%s %x", h.Line, h.Label, h.Name, h.Value))
			}
			return out
		}
		whole, chunked := hits(0), hits(chunk)
		if strings.Join(whole, "\n") != strings.Join(chunked, "\n") {
			t.Fatalf("chunks of %d found\n%s\nbut the whole file\n%s", chunk, strings.Join(chunked, "\n"), strings.Join(whole, "\n"))
		}
	})
}

// TestMain removes the generated benchmark tree, which outlives each
// benchmark round so that it is built only once.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchRepo.dir != "" {
		os.RemoveAll(benchRepo.dir)
	}
	os.Exit(code)
}

var benchRepo struct {
	once sync.Once
	dir  string
	err  error
}

// BenchmarkScan100k scans a git work tree of 100,000 tracked files (about
// 60 MB of source-like text, one secret planted) the way `doctor --scan`
// does. The tree is generated and committed once, outside the timing.
func BenchmarkScan100k(b *testing.B) {
	benchRepo.once.Do(func() { benchRepo.dir, benchRepo.err = generateRepo(b, 100_000) })
	if benchRepo.err != nil {
		b.Fatal(benchRepo.err)
	}
	s := &doctor.Scanner{Dir: benchRepo.dir, Needles: []doctor.Needle{{Value: scanSecret, Label: "the client secret"}}, Ignore: []string{scanID}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := s.Scan(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if res.Files != 100_000 || len(res.Hits) != 2 {
			b.Fatalf("scanned %d files, %d hits", res.Files, len(res.Hits))
		}
	}
}

// BenchmarkScanLargeFile scans one 64 MiB text file (SQL-dump-like
// lines, one secret at the end) in chunks: the MB/s it reports is what
// decides how large a file the scan reads (MaxScanFile).
func BenchmarkScanLargeFile(b *testing.B) {
	dir := b.TempDir()
	line := strings.Repeat("INSERT INTO plays VALUES (1, 'a track', 'an artist');", 20) + "\n"
	content := strings.Repeat(line, (64<<20)/len(line)) + "-- " + scanSecret + "\n"
	if err := os.WriteFile(filepath.Join(dir, "dump.sql"), []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
	s := &doctor.Scanner{Dir: dir, Git: "/nonexistent/git", Needles: []doctor.Needle{{Value: scanSecret, Label: "the client secret"}}}
	b.SetBytes(int64(len(content)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := s.Scan(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Hits) != 1 {
			b.Fatalf("%d hits", len(res.Hits))
		}
	}
}

func generateRepo(b *testing.B, n int) (string, error) {
	dir, err := os.MkdirTemp("", "spotcheck-scan-bench-")
	if err != nil {
		return "", err
	}
	body := strings.Repeat("function handler(req, res) { return res.json({ ok: true, id: req.params.id }) } // padding\n", 6)
	exts := []string{".js", ".ts", ".py", ".go", ".json", ".md", ".yaml", ".html"}
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, fmt.Sprintf("pkg%03d", i%500), fmt.Sprintf("mod%02d", (i/500)%20), fmt.Sprintf("file%06d%s", i, exts[i%len(exts)]))
		if i%500 == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return "", err
			}
		}
		content := body
		switch i {
		case 4242:
			content += "const secret = '" + scanSecret + "'\n"
		case 77777:
			content += "api_secret: 0123456789abcdef0123456789abcdef\n"
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			if os.IsNotExist(err) {
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					return "", err
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					return "", err
				}
				continue
			}
			return "", err
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}} {
		if _, code, err := runGitBench(dir, args...); err != nil || code != 0 {
			return "", fmt.Errorf("git %v: exit %d %v", args, code, err)
		}
	}
	return dir, nil
}

func runGitBench(dir string, args ...string) ([]byte, int, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out, ee.ExitCode(), nil
	}
	return out, 0, err
}
