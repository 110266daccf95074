package doctor

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// ScanHistory looks for the needles and assigned 32-hex values in the
// lines the last n commits added (`git log -p`), paths relative to dir.
// It streams git's output, so a large history costs no memory.
func (s *Scanner) ScanHistory(ctx context.Context, n int) ([]Hit, error) {
	git := s.Git
	if git == "" {
		git = "git"
	}
	cmd := exec.CommandContext(ctx, git, "-C", s.Dir, "log", "-p", "-n", strconv.Itoa(n), "--relative", "--no-color", "--no-ext-diff",
		"--no-renames", "--unified=0", "--format=%x00commit %H", "--", ".")
	cmd.Env = append(cmd.Environ(), "GIT_PAGER=cat", "LC_ALL=C")
	cmd.WaitDelay = gitWaitDelay
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", git, err)
	}
	hits, perr := parseLog(out, newMatcher(s.Needles, s.Ignore), s.filter)
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git log: %s", strings.TrimSpace(errb.String()))
	}
	return hits, perr
}

// maxHistoryLine is the longest added line the history scan reads; a
// longer one (minified code) ends the scan of the log there.
const maxHistoryLine = 16 << 20

// parseLog reads `git log -p --unified=0` and matches every added line.
func parseLog(r io.Reader, m *matcher, filter func([]string) []string) ([]Hit, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxHistoryLine)
	var hits []Hit
	var commit, file string
	skip := false
	line := 0
	for sc.Scan() {
		b := sc.Bytes()
		switch {
		case bytes.HasPrefix(b, []byte("\x00commit ")):
			commit, file = string(b[len("\x00commit "):]), ""
		case bytes.HasPrefix(b, []byte("+++ ")):
			name := string(b[4:])
			file, skip = "", true
			if name != "/dev/null" {
				name = strings.TrimPrefix(name, "b/")
				if len(filter([]string{name})) == 1 {
					file, skip = name, false
				}
			}
		case bytes.HasPrefix(b, []byte("@@ ")):
			line = hunkStart(b)
		case bytes.HasPrefix(b, []byte("+")) && !skip && file != "":
			for _, h := range m.find(b[1:], file) {
				h.Line, h.Commit, h.Class = line, commit, Classify(file)
				hits = append(hits, h)
			}
			line++
		case bytes.HasPrefix(b, []byte(" ")):
			line++
		}
	}
	if err := sc.Err(); err != nil && err != bufio.ErrTooLong {
		return hits, err
	}
	return hits, nil
}

// hunkStart reads the new-file start line of "@@ -a,b +c,d @@".
func hunkStart(b []byte) int {
	i := bytes.Index(b, []byte(" +"))
	if i < 0 {
		return 0
	}
	rest := b[i+2:]
	end := bytes.IndexAny(rest, ", ")
	if end < 0 {
		end = len(rest)
	}
	n, _ := strconv.Atoi(string(rest[:end]))
	return n
}

func (c *checkRun) secretHistory() {
	r := c.r
	switch {
	case r.o.NoScan:
		c.skip("--no-scan")
		return
	case r.o.ScanDir == "":
		c.skip("no --scan directory")
		return
	case r.o.ScanHistory <= 0:
		c.skip("--scan-history N scans the last N commits too")
		return
	}
	top, err := r.workTree(r.o.ScanDir)
	if err != nil {
		c.fail("%v", err)
		return
	}
	if top == "" {
		c.skip("%s is not in a git work tree", r.o.ScanDir)
		return
	}
	if _, code, err := r.gitRun(r.o.ScanDir, "rev-parse", "-q", "--verify", "HEAD"); err == nil && code != 0 {
		c.note("the repository has no commits yet")
		return
	}
	s := &Scanner{Dir: r.o.ScanDir, Needles: r.scanNeedles(), Exclude: r.o.ScanExclude, Git: r.git, Ignore: []string{r.cred.id.clean}}
	hits, err := s.ScanHistory(r.ctx, r.o.ScanHistory)
	if err != nil {
		c.fail("%s", r.set.String(err.Error()))
		return
	}
	done := map[string]bool{}
	for _, h := range hits {
		r.set.Add(h.Value)
		key := h.File + "\x00" + h.Value
		if done[key] {
			continue
		}
		done[key] = true
		if f, ok := r.scanHits[key]; ok {
			f.Evidence = append(f.Evidence, fmt.Sprintf("in the history too: commit %s added it at %s:%d", shortHash(h.Commit), h.File, h.Line))
			continue
		}
		r.scanTotal++
		if r.scanTotal > maxScanFindings {
			continue
		}
		id, ev := hitFinding(h)
		c.add(id, "history:"+key, ev+"; it is no longer in the files, but every clone has the commit")
	}
	c.note("scanned the lines added by the last %d commit(s)", r.o.ScanHistory)
}
