package doctor

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/spotcheck/spotcheck/checks"
)

// Scan limits: files larger than maxScanFile are skipped (no config file
// or bundle a secret hides in is that big), and at most maxScanFindings
// hits become findings; the rest are counted.
const (
	maxScanFile     = 16 << 20
	maxScanFindings = 100
	binarySniff     = 8000
)

// Needle is a known secret value the scanner looks for.
type Needle struct {
	Value string
	Label string // "the configured client secret"
}

// Hit is one place a secret was found.
type Hit struct {
	File string // slash-separated, relative to the scanned directory
	Line int
	// Value is the secret found (callers show it only as a fingerprint).
	Value string
	// Label names a known needle; Name is the variable a 32-hex value
	// was assigned to when no needle matched.
	Label, Name string
	Class       FileClass
	Untracked   bool   // listed by git as other (not ignored), not yet tracked
	Commit      string // history hits: the commit that added the line
}

// FileClass says how far a file's contents travel.
type FileClass string

const (
	ClassSource FileClass = "source" // server code, configuration
	ClassEnv    FileClass = "env"    // .env files
	ClassClient FileClass = "client" // code that runs in the browser
	ClassBundle FileClass = "bundle" // built output that is served or shipped
	ClassMobile FileClass = "mobile" // app code and resources that ship in a mobile app
)

// ShipsToUsers reports whether files of the class reach users' devices.
func (c FileClass) ShipsToUsers() bool {
	return c == ClassClient || c == ClassBundle || c == ClassMobile
}

var (
	clientExts = map[string]bool{".js": true, ".mjs": true, ".cjs": true, ".jsx": true, ".ts": true, ".tsx": true, ".html": true,
		".htm": true, ".vue": true, ".svelte": true, ".astro": true}
	mobileExts = map[string]bool{".swift": true, ".m": true, ".mm": true, ".kt": true, ".kts": true, ".dart": true, ".plist": true,
		".xcconfig": true, ".strings": true, ".gradle": true}
	mobileNames = map[string]bool{"androidmanifest.xml": true, "info.plist": true, "google-services.json": true,
		"googleservice-info.plist": true, "gradle.properties": true, "local.properties": true}
	bundleDirs = map[string]bool{"dist": true, "build": true, "out": true, ".next": true, ".nuxt": true, ".output": true,
		".svelte-kit": true, "public": true, "static": true, "www": true, "wwwroot": true}
)

// Classify says where a file (slash-separated relative path) ends up.
func Classify(rel string) FileClass {
	lower := strings.ToLower(rel)
	base := path.Base(lower)
	ext := path.Ext(base)
	dirs := strings.Split(path.Dir(lower), "/")
	switch {
	case base == ".env" || strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env"):
		return ClassEnv
	case mobileNames[base] || mobileExts[ext] || (ext == ".xml" || ext == ".java") && containsAny(dirs, "res", "android"):
		return ClassMobile
	case strings.Contains(base, ".min.") || strings.Contains(base, ".bundle.") || strings.Contains(base, ".chunk.") || ext == ".map":
		return ClassBundle
	}
	for _, d := range dirs {
		if bundleDirs[d] && (clientExts[ext] || ext == ".json" || ext == ".css" || ext == ".txt") {
			return ClassBundle
		}
	}
	if clientExts[ext] {
		return ClassClient
	}
	if ext == ".java" && containsAny(dirs, "app") {
		return ClassMobile
	}
	return ClassSource
}

func containsAny(dirs []string, names ...string) bool {
	for _, d := range dirs {
		for _, n := range names {
			if d == n {
				return true
			}
		}
	}
	return false
}

// Scanner finds secrets in a directory's files.
type Scanner struct {
	Dir     string
	Needles []Needle
	Exclude []string // slash-separated globs (path.Match) on the relative path or the base name; "dir/" prefixes
	Git     string   // git command; "" = "git"
	// Ignore are values a 32-hex hit is not reported for (the client id).
	Ignore []string
}

// ScanResult is what a scan found.
type ScanResult struct {
	Hits  []Hit
	Files int  // files read
	Git   bool // the file list came from git (tracked + not ignored)
}

// Scan lists the files git tracks or would commit (`git ls-files -co
// --exclude-standard`; every file when Dir is not in a work tree) and
// looks for the needles and for 32-hex values assigned to secret-like
// names. Files are read in parallel.
func (s *Scanner) Scan(ctx context.Context) (*ScanResult, error) {
	git := s.Git
	if git == "" {
		git = "git"
	}
	files, untracked, isGit, err := listFiles(ctx, git, s.Dir)
	if err != nil {
		return nil, err
	}
	files = s.filter(files)
	res := &ScanResult{Git: isGit, Files: len(files)}
	m := newMatcher(s.Needles, s.Ignore)

	workers := 4 * runtime.GOMAXPROCS(0)
	jobs := make(chan string, 256)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, 64<<10)
			for rel := range jobs {
				data, ok := readSmall(filepath.Join(s.Dir, filepath.FromSlash(rel)), &buf)
				if !ok || bytes.IndexByte(data[:min(len(data), binarySniff)], 0) >= 0 {
					continue
				}
				hits := m.find(data, rel)
				if len(hits) == 0 {
					continue
				}
				class := Classify(rel)
				for i := range hits {
					hits[i].Class, hits[i].Untracked = class, untracked[rel]
				}
				mu.Lock()
				res.Hits = append(res.Hits, hits...)
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Slice(res.Hits, func(i, j int) bool {
		a, b := res.Hits[i], res.Hits[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return res, nil
}

// readSmall reads a regular file up to maxScanFile into buf's storage.
func readSmall(name string, buf *[]byte) ([]byte, bool) {
	f, err := os.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxScanFile {
		return nil, false
	}
	n := int(st.Size())
	if cap(*buf) < n+1 {
		*buf = make([]byte, 0, n+1)
	}
	b := (*buf)[:n+1]
	read, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, false
	}
	return b[:read], true
}

func (s *Scanner) filter(files []string) []string {
	if len(s.Exclude) == 0 {
		return files
	}
	out := files[:0]
outer:
	for _, f := range files {
		for _, pat := range s.Exclude {
			pat = strings.TrimPrefix(filepath.ToSlash(pat), "./")
			if ok, _ := path.Match(pat, f); ok {
				continue outer
			}
			if ok, _ := path.Match(pat, path.Base(f)); ok {
				continue outer
			}
			if d := strings.TrimSuffix(pat, "/"); strings.HasPrefix(f, d+"/") {
				continue outer
			}
		}
		out = append(out, f)
	}
	return out
}

// listFiles lists the files to scan, relative to dir, and which of them
// git does not track yet.
func listFiles(ctx context.Context, git, dir string) ([]string, map[string]bool, bool, error) {
	out, code, err := runGit(ctx, git, dir, "ls-files", "-t", "-c", "-o", "--exclude-standard", "-z")
	if err == nil && code == 0 {
		var files []string
		untracked := map[string]bool{}
		seen := map[string]bool{}
		for _, e := range bytes.Split(out, []byte{0}) {
			if len(e) < 3 {
				continue
			}
			tag, name := e[0], string(e[2:])
			if seen[name] {
				continue
			}
			seen[name] = true
			files = append(files, name)
			if tag == '?' {
				untracked[name] = true
			}
		}
		return files, untracked, true, nil
	}
	// Not a work tree (or no git): every file but .git's.
	var files []string
	walkErr := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if walkErr != nil {
		return nil, nil, false, walkErr
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, nil, false, err
	}
	return files, nil, false, nil
}

// matcher finds needles and assigned 32-hex values in a file's bytes.
type matcher struct {
	needles [][]byte
	labels  []string
	ignore  map[string]bool
}

func newMatcher(needles []Needle, ignore []string) *matcher {
	m := &matcher{ignore: map[string]bool{}}
	for _, n := range needles {
		if len(n.Value) >= 8 {
			m.needles = append(m.needles, []byte(n.Value))
			m.labels = append(m.labels, n.Label)
			m.ignore[n.Value] = true
		}
	}
	for _, v := range ignore {
		m.ignore[v] = true
	}
	return m
}

var hexByte = func() (t [256]bool) {
	for _, c := range "0123456789abcdef" {
		t[c] = true
	}
	return
}()

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// assignRe matches the text before a value: a name, maybe quoted, then
// =, :, := or =>, then maybe a quote.
var (
	assignRe     = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*(?:=>|:=|=|:)\s*["'` + "`" + `]?$`)
	secretNameRe = regexp.MustCompile(`(?i)secret|passw|api[_-]?key|private[_-]?key|client[_-]?key`)
)

// find returns the hits in data, one per value per line.
func (m *matcher) find(data []byte, file string) []Hit {
	var hits []Hit
	lines := lineIndex{data: data}
	seen := map[[2]int]bool{}
	for i, n := range m.needles {
		for off := 0; ; {
			j := bytes.Index(data[off:], n)
			if j < 0 {
				break
			}
			at := off + j
			line := lines.at(at)
			if !seen[[2]int{line, i}] {
				seen[[2]int{line, i}] = true
				hits = append(hits, Hit{File: file, Line: line, Value: string(n), Label: m.labels[i]})
			}
			off = at + len(n)
		}
	}
	run := 0
	for i := 0; i <= len(data); i++ {
		if i < len(data) && hexByte[data[i]] {
			run++
			continue
		}
		if run == 32 {
			start := i - 32
			if (start == 0 || !isWordByte(data[start-1])) && (i == len(data) || !isWordByte(data[i])) {
				if h, ok := m.generic(data, start, &lines, file); ok {
					hits = append(hits, h)
				}
			}
		}
		run = 0
	}
	return hits
}

func (m *matcher) generic(data []byte, start int, lines *lineIndex, file string) (Hit, bool) {
	v := string(data[start : start+32])
	if m.ignore[v] || !strings.ContainsAny(v, "abcdef") || !strings.ContainsAny(v, "0123456789") {
		return Hit{}, false
	}
	from := bytes.LastIndexByte(data[:start], '\n') + 1
	if start-from > 200 {
		from = start - 200
	}
	sub := assignRe.FindSubmatch(data[from:start])
	if sub == nil || !secretNameRe.Match(sub[1]) {
		return Hit{}, false
	}
	return Hit{File: file, Line: lines.at(start), Value: v, Name: string(sub[1])}, true
}

// lineIndex turns offsets into line numbers, counting newlines once.
type lineIndex struct {
	data  []byte
	pos   int
	count int
}

func (l *lineIndex) at(off int) int {
	if off < l.pos {
		l.pos, l.count = 0, 0
	}
	l.count += bytes.Count(l.data[l.pos:off], []byte{'\n'})
	l.pos = off
	return l.count + 1
}

// scanNeedles are the configured secret values to look for.
func (r *runner) scanNeedles() []Needle {
	var out []Needle
	add := func(v, label string) {
		for _, n := range out {
			if n.Value == v {
				return
			}
		}
		if len(v) >= 8 {
			out = append(out, Needle{v, label})
		}
	}
	add(r.cred.secret.clean, "the client secret")
	add(strings.TrimSpace(r.o.Credentials.ClientSecret.Value), "the client secret as configured")
	if r.cred.id.clean != "" && r.cred.secret.clean != "" {
		add(base64.StdEncoding.EncodeToString([]byte(r.cred.id.clean+":"+r.cred.secret.clean)), "base64(client_id:client_secret), a Basic header value")
	}
	return out
}

func (c *checkRun) secretScan() {
	r := c.r
	if r.o.ScanDir == "" {
		c.skip("no --scan directory (and the current directory is not a git work tree)")
		return
	}
	s := &Scanner{Dir: r.o.ScanDir, Needles: r.scanNeedles(), Exclude: r.o.ScanExclude, Git: r.git, Ignore: []string{r.cred.id.clean}}
	res, err := s.Scan(r.ctx)
	if err != nil {
		c.fail("scan %s: %s", r.o.ScanDir, describeOSError(err))
		return
	}
	r.scanHits = map[string]*checks.Finding{}
	how := "tracked and not-ignored files"
	if !res.Git {
		how = "files (not a git work tree: .gitignore cannot be applied)"
	}
	c.note("%d %s scanned in %s", res.Files, how, r.o.ScanDir)
	for _, h := range res.Hits {
		r.set.Add(h.Value)
		key := h.File + "\x00" + h.Value
		if _, dup := r.scanHits[key]; dup {
			continue
		}
		r.scanTotal++
		if r.scanTotal > maxScanFindings {
			continue
		}
		id, ev := hitFinding(h)
		f := c.add(id, fmt.Sprintf("scan:%s:%d:%s", h.File, h.Line, fp(h.Value)), ev)
		r.scanHits[key] = f
	}
	if r.scanTotal > maxScanFindings {
		c.note("%d more hits are not listed", r.scanTotal-maxScanFindings)
	}
}

// hitFinding turns a hit into a finding id and its evidence line.
func hitFinding(h Hit) (string, string) {
	where := fmt.Sprintf("%s:%d", h.File, h.Line)
	if h.Commit != "" {
		where = fmt.Sprintf("commit %s, %s", shortHash(h.Commit), where)
	}
	what := h.Label + " " + fp(h.Value)
	if h.Label == "" {
		what = fmt.Sprintf("%s = %s (32 hex characters)", h.Name, fp(h.Value))
	}
	ev := where + ": " + what
	switch h.Class {
	case ClassClient:
		ev += " — client-side code, which runs in the browser"
	case ClassBundle:
		ev += " — a built bundle, which is served or shipped as is"
	case ClassMobile:
		ev += " — mobile app code or resources, which ship inside the app"
	case ClassEnv:
		ev += " — a .env file"
	}
	if h.Untracked {
		ev += " (not tracked yet, and no .gitignore rule covers it: `git add .` commits it)"
	}
	switch {
	case h.Commit != "" && h.Label != "":
		return "secret-in-history", ev
	case h.Label == "":
		return "secret-like-value", ev
	case h.Class.ShipsToUsers():
		return "secret-in-client-code", ev
	case h.Class == ClassEnv:
		return "secret-in-env-file", ev
	}
	return "secret-in-source", ev
}

func shortHash(h string) string {
	if len(h) > 10 {
		return h[:10]
	}
	return h
}
