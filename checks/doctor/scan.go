package doctor

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/spotcheck/spotcheck/checks"
)

// Scan limits. Files are read in chunks of scanChunk bytes, so memory
// does not grow with a file's size; a file larger than MaxScanFile is
// still skipped, with that reason, because time does: at the scan's
// speed (about 600 MB/s per core, BenchmarkScanLargeFile) a 1 GiB file
// costs seconds, and GitHub refuses files over 100 MiB, so a tracked file
// that large is data (a dump, a model), not configuration. At most
// maxScanFindings hits become findings; the rest are counted.
const (
	MaxScanFile     = 1 << 30
	scanChunk       = 1 << 20
	maxScanFindings = 100
	binarySniff     = 8000
	// scanContext is how far back the 32-hex matcher looks for the name
	// a value is assigned to.
	scanContext = 200
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

	chunk int // bytes read at a time; 0 = scanChunk (specs use small ones)
}

// ScanResult is what a scan found.
type ScanResult struct {
	Hits    []Hit
	Files   int // files read
	Skipped []Skipped
	Git     bool // the file list came from git (tracked + not ignored)
}

// Skipped is a listed file the scan did not read, and why. Kind groups
// the reasons for a count ("binary", "symbolic link").
type Skipped struct {
	File   string // slash-separated, relative to the scanned directory
	Kind   SkipKind
	Reason string
}

// SkipKind is why a listed file was not read, in a word or two.
type SkipKind string

const (
	SkipSymlink    SkipKind = "symbolic link"
	SkipOutside    SkipKind = "symbolic link out of the tree"
	SkipSpecial    SkipKind = "not a regular file"
	SkipBinary     SkipKind = "binary"
	SkipLarge      SkipKind = "too large"
	SkipMissing    SkipKind = "missing"
	SkipUnreadable SkipKind = "unreadable"
)

// Scan lists the files git tracks or would commit (`git ls-files -co
// --exclude-standard`; every file when Dir is not in a work tree) and
// looks for the needles and for 32-hex values assigned to secret-like
// names. Files are read in parallel, in chunks. A symlink is never
// followed (git stores only the path it points to), a file whose
// directory leads out of Dir is not opened, and a FIFO or a device is
// never opened for reading. What was not read is in Skipped with the
// reason. Scan stops when ctx is cancelled, between chunks.
func (s *Scanner) Scan(ctx context.Context) (*ScanResult, error) {
	git := s.Git
	if git == "" {
		git = "git"
	}
	files, untracked, isGit, err := listFiles(ctx, git, s.Dir)
	if err != nil {
		return nil, err
	}
	tree, err := newTreeGuard(s.Dir)
	if err != nil {
		return nil, err
	}
	files = s.filter(files)
	res := &ScanResult{Git: isGit}
	m := newMatcher(s.Needles, s.Ignore)
	chunk := s.chunk
	if chunk <= 0 {
		chunk = scanChunk
	}

	workers := 4 * runtime.GOMAXPROCS(0)
	jobs := make(chan string, 256)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := fileReader{ctx: ctx, tree: tree, m: m, chunk: chunk}
			for rel := range jobs {
				hits, skip := r.scan(rel)
				mu.Lock()
				switch {
				case skip != nil:
					res.Skipped = append(res.Skipped, *skip)
				case ctx.Err() == nil:
					res.Files++
				}
				if len(hits) > 0 {
					class := Classify(rel)
					for i := range hits {
						hits[i].Class, hits[i].Untracked = class, untracked[rel]
					}
					res.Hits = append(res.Hits, hits...)
				}
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
	sort.Slice(res.Skipped, func(i, j int) bool { return res.Skipped[i].File < res.Skipped[j].File })
	return res, nil
}

// fileReader reads the files of one scan worker through one buffer.
type fileReader struct {
	ctx   context.Context
	tree  *treeGuard
	m     *matcher
	chunk int
	buf   []byte
}

// scan reads one file (slash-separated, relative to the tree) and returns
// its hits, or why it was not read.
func (r *fileReader) scan(rel string) ([]Hit, *Skipped) {
	name := filepath.Join(r.tree.dir, filepath.FromSlash(rel))
	skip := func(kind SkipKind, reason string) ([]Hit, *Skipped) {
		return nil, &Skipped{File: rel, Kind: kind, Reason: reason}
	}
	if !r.tree.inside(filepath.Dir(name)) {
		return skip(SkipOutside, "its directory is a symbolic link out of the scanned tree (not followed)")
	}
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return skip(SkipMissing, "missing from the work tree")
	case err != nil:
		return skip(SkipUnreadable, "cannot be read: "+describeOSError(err))
	case fi.Mode()&fs.ModeSymlink != 0:
		if !r.tree.inside(name) {
			return skip(SkipOutside, "a symbolic link out of the scanned tree (not followed)")
		}
		return skip(SkipSymlink, "a symbolic link (git stores only the path it points to)")
	case !fi.Mode().IsRegular():
		return skip(SkipSpecial, checks.FileKind(fi.Mode())+", not a regular file")
	case fi.Size() > MaxScanFile:
		return skip(SkipLarge, fmt.Sprintf("larger than %d MiB", MaxScanFile>>20))
	}
	// A file swapped since the Lstat must not be followed (O_NOFOLLOW)
	// nor block the open (O_NONBLOCK, for a FIFO); the open file is
	// checked again.
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW|syscall.O_NOCTTY, 0)
	if err != nil {
		return skip(SkipUnreadable, "cannot be read: "+describeOSError(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return skip(SkipSpecial, "not a regular file")
	}
	return r.read(f, rel)
}

// treeGuard says whether a path, its symlinks resolved, stays inside the
// scanned tree. A directory is resolved once per scan: os.Root would
// resolve every component of every file again, which made a scan of
// 100,000 files use 60% more CPU.
type treeGuard struct {
	dir, real string
	mu        sync.Mutex
	dirs      map[string]bool
}

func newTreeGuard(dir string) (*treeGuard, error) {
	real, err := realPath(dir)
	if err != nil {
		return nil, err
	}
	return &treeGuard{dir: dir, real: real, dirs: map[string]bool{}}, nil
}

// realPath is p with its symlinks resolved, made absolute: a link may
// point by an absolute path back into a tree scanned as ".".
func realPath(p string) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(r)
}

func (t *treeGuard) inside(p string) bool {
	t.mu.Lock()
	ok, known := t.dirs[p]
	t.mu.Unlock()
	if known {
		return ok
	}
	resolved, err := realPath(p)
	if err == nil {
		rel, rerr := filepath.Rel(t.real, resolved)
		ok = rerr == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	} else {
		// A dangling link points nowhere it could be read from; a
		// missing directory holds nothing to read. Neither leaves.
		ok = errors.Is(err, fs.ErrNotExist)
	}
	t.mu.Lock()
	t.dirs[p] = ok
	t.mu.Unlock()
	return ok
}

// read matches a file window by window. Each window starts with the last
// bytes of the one before (enough for the longest needle, and for the
// name in front of a 32-hex value), so that nothing is missed at a chunk
// boundary; a hit that the previous window already decided is not
// reported twice.
func (r *fileReader) read(f *os.File, rel string) ([]Hit, *Skipped) {
	overlap := r.m.longest + scanContext + 2
	first := max(r.chunk, binarySniff)
	if size := first + overlap; cap(r.buf) < size {
		r.buf = make([]byte, size)
	}
	buf := r.buf[:cap(r.buf)]
	var hits []Hit
	seen := map[[2]int]bool{}
	w := window{}
	want := first
	for sniffed := false; ; sniffed = true {
		if r.ctx.Err() != nil {
			return nil, nil
		}
		n, err := io.ReadFull(f, buf[w.carry:w.carry+want])
		w.final = errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !w.final {
			return nil, &Skipped{File: rel, Kind: SkipUnreadable, Reason: "cannot be read: " + describeOSError(err)}
		}
		w.buf = buf[:w.carry+n]
		if !sniffed && bytes.IndexByte(w.buf[:min(len(w.buf), binarySniff)], 0) >= 0 {
			return nil, &Skipped{File: rel, Kind: SkipBinary, Reason: fmt.Sprintf("binary (a NUL byte in its first %d bytes)", binarySniff)}
		}
		hits = append(hits, r.m.findWindow(w, rel, seen)...)
		if w.final {
			return hits, nil
		}
		keep := min(overlap, len(w.buf))
		w.line += bytes.Count(w.buf[:len(w.buf)-keep], []byte{'\n'})
		copy(buf, w.buf[len(w.buf)-keep:])
		w.carry, want = keep, r.chunk
	}
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
	longest int // the longest needle, or 32 (a hex value)
}

func newMatcher(needles []Needle, ignore []string) *matcher {
	m := &matcher{ignore: map[string]bool{}, longest: 32}
	for _, n := range needles {
		if len(n.Value) >= 8 {
			m.needles = append(m.needles, []byte(n.Value))
			m.labels = append(m.labels, n.Label)
			m.ignore[n.Value] = true
			m.longest = max(m.longest, len(n.Value))
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
	assignRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*(?:=>|:=|=|:)\s*["'` + "`" + `]?$`)
	})
	secretNameRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)secret|passw|api[_-]?key|private[_-]?key|client[_-]?key`)
	})
)

// window is a stretch of a file: buf starts with carry bytes that the
// previous window also held, line is the number of newlines before
// buf[0], and final says buf ends where the file does.
type window struct {
	buf   []byte
	carry int
	line  int
	final bool
}

// find returns the hits in data (a whole file or line), one per value
// per line.
func (m *matcher) find(data []byte, file string) []Hit {
	return m.findWindow(window{buf: data, final: true}, file, map[[2]int]bool{})
}

// findWindow returns the hits that this window decides: a needle that
// does not lie wholly in the carried bytes, and a 32-hex value whose end
// (the byte after it tells whether it is a word of its own) is past them
// and inside the window, unless the file ends there. seen holds (line,
// needle) pairs reported so far, one hit per value per line.
func (m *matcher) findWindow(w window, file string, seen map[[2]int]bool) []Hit {
	var hits []Hit
	data := w.buf
	lines := lineIndex{data: data}
	for i, n := range m.needles {
		for off := 0; ; {
			j := bytes.Index(data[off:], n)
			if j < 0 {
				break
			}
			at := off + j
			off = at + len(n)
			if off <= w.carry {
				continue
			}
			line := w.line + lines.at(at)
			if !seen[[2]int{line, i}] {
				seen[[2]int{line, i}] = true
				hits = append(hits, Hit{File: file, Line: line, Value: string(n), Label: m.labels[i]})
			}
		}
	}
	run := 0
	for i := 0; i <= len(data); i++ {
		if i < len(data) && hexByte[data[i]] {
			run++
			continue
		}
		if run == 32 && i >= w.carry && (i < len(data) || w.final) {
			start := i - 32
			if (start == 0 || !isWordByte(data[start-1])) && (i == len(data) || !isWordByte(data[i])) {
				if h, ok := m.generic(data, start, &lines, file); ok {
					h.Line += w.line
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
	if start-from > scanContext {
		from = start - scanContext
	}
	sub := assignRe().FindSubmatch(data[from:start])
	if sub == nil || !secretNameRe().Match(sub[1]) {
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
	switch {
	case r.o.NoScan:
		c.skip("--no-scan")
		return
	case r.o.ScanDir == "":
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
	how := plural(res.Files, "tracked and not-ignored file", "tracked and not-ignored files")
	if !res.Git {
		how = plural(res.Files, "file", "files") + " (not a git work tree: .gitignore cannot be applied)"
	}
	c.note("%s scanned in %s", how, r.o.ScanDir)
	if len(res.Skipped) > 0 {
		c.note("%d skipped (%s)", len(res.Skipped), skipSummary(res.Skipped))
		for _, sk := range res.Skipped {
			c.details = append(c.details, sk.File+": skipped: "+sk.Reason)
		}
	}
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

// skipSummary counts skipped files by kind: "2 binary, 1 symbolic link".
func skipSummary(skipped []Skipped) string {
	count := map[SkipKind]int{}
	for _, s := range skipped {
		count[s.Kind]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(count)) {
		parts = append(parts, fmt.Sprintf("%d %s", count[k], k))
	}
	return strings.Join(parts, ", ")
}

// plural is "1 file" or "2 files".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// hitFinding turns a hit into a finding id and its evidence line.
func hitFinding(h Hit) (ID, string) {
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
		return SecretInHistory, ev
	case h.Label == "":
		return SecretLikeValue, ev
	case h.Class.ShipsToUsers():
		return SecretInClientCode, ev
	case h.Class == ClassEnv:
		return SecretInEnvFile, ev
	}
	return SecretInSource, ev
}

func shortHash(h string) string {
	if len(h) > 10 {
		return h[:10]
	}
	return h
}
