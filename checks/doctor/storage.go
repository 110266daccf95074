package doctor

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// webRoots are directory names that web servers and bundlers publish.
var webRoots = map[string]bool{
	"public": true, "static": true, "www": true, "wwwroot": true, "htdocs": true, "public_html": true,
	"dist": true, "build": true, "_site": true,
}

func (c *checkRun) tokenCacheStorage() {
	r := c.r
	if !c.needCache() {
		return
	}
	path, err := filepath.Abs(r.cache.Path)
	if err != nil {
		c.fail("%v", err)
		return
	}
	st, err := os.Stat(path)
	if err != nil {
		c.fail("%s: %s", r.cache.Path, describeOSError(err))
		return
	}
	if runtime.GOOS != "windows" {
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			who := "group and others"
			switch {
			case perm&0o070 == 0:
				who = "others"
			case perm&0o007 == 0:
				who = "the group"
			}
			f := c.add(TokenCachePermissions, "storage:perm", fmt.Sprintf("%s: mode %04o lets %s read it", r.cache.Path, perm, who))
			f.Fix = fmt.Sprintf("chmod 600 %s (and create it with mode 0600): it holds a refresh token that acts as the user until it expires.", r.cache.Path)
		}
	}

	dir := filepath.Dir(path)
	top, err := r.workTree(dir)
	switch {
	case err != nil:
		c.note("git checks skipped: %v", err)
	case top == "":
		c.note("not inside a git work tree")
	default:
		c.gitStatus(path, top)
	}

	var served []string
	for _, part := range strings.Split(filepath.ToSlash(dir), "/") {
		if webRoots[strings.ToLower(part)] {
			served = append(served, part+"/")
		}
	}
	if len(served) > 0 {
		c.add(TokenCacheWebRoot, "storage:web", fmt.Sprintf("%s lies under %s, a directory web servers and bundlers publish", r.cache.Path, strings.Join(served, " and ")))
	}
	if len(c.added) == 0 {
		c.note("mode %04o", st.Mode().Perm())
	}
}

// gitStatus says whether git tracks the cache or would commit it.
func (c *checkRun) gitStatus(path, top string) {
	r := c.r
	rel, err := filepath.Rel(top, path)
	if err != nil {
		// A symlinked temp dir can make the top differ from the path's
		// spelling; git itself resolves it.
		rel = path
	}
	rel = filepath.ToSlash(rel)
	if _, code, err := r.gitRun(top, "ls-files", "--error-unmatch", "--", rel); err == nil && code == 0 {
		c.add(TokenCacheCommitted, "storage:git", fmt.Sprintf("%s is tracked by git in %s (git ls-files lists %s)", r.cache.Path, top, rel))
		return
	}
	_, code, err := r.gitRun(top, "check-ignore", "-q", "--", rel)
	switch {
	case err != nil:
		c.note("git check-ignore: %v", err)
	case code == 0:
		c.note("git ignores %s", rel)
	case code == 1:
		f := c.add(TokenCacheNotIgnored, "storage:git", fmt.Sprintf("%s is inside the work tree %s and no .gitignore rule covers %s (git check-ignore)", r.cache.Path, top, rel))
		f.Fix = fmt.Sprintf("Add the line /%s to %s (or move the cache out of the work tree, e.g. to the user's cache directory).", rel, filepath.Join(top, ".gitignore"))
	default:
		c.note("git check-ignore exited %d", code)
	}
}
