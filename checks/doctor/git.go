package doctor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// gitWaitDelay is how long a cancelled git's output may stay open.
const gitWaitDelay = 2 * time.Second

// gitRun runs git in dir and returns its stdout and exit code. A missing
// git binary is an error; a non-zero exit is not (callers read the code).
func (r *runner) gitRun(dir string, args ...string) ([]byte, int, error) {
	return runGit(r.ctx, r.git, dir, args...)
}

func runGit(ctx context.Context, git, dir string, args ...string) ([]byte, int, error) {
	cmd := exec.CommandContext(ctx, git, append([]string{"-C", dir}, args...)...)
	// No pager, no prompts, no colour, whatever the user's config says.
	cmd.Env = append(cmd.Environ(), "GIT_PAGER=cat", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	// Cancelling kills git, but a child it left behind (a credential
	// helper, an fsmonitor daemon) can hold its output open: stop waiting
	// for that output soon after.
	cmd.WaitDelay = gitWaitDelay
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.Bytes(), 0, nil
	case errors.As(err, &ee):
		return out.Bytes(), ee.ExitCode(), nil
	}
	return nil, -1, fmt.Errorf("run %s: %w", git, err)
}

// workTree returns the top of the git work tree dir is in, or "" when it
// is in none.
func (r *runner) workTree(dir string) (string, error) {
	out, code, err := r.gitRun(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", err
	}
	if code != 0 {
		return "", nil
	}
	return strings.TrimSpace(string(out)), nil
}

// IsWorkTree reports whether dir is inside a git work tree, for commands
// that scan the current directory by default.
func IsWorkTree(ctx context.Context, git, dir string) bool {
	if git == "" {
		git = "git"
	}
	out, code, err := runGit(ctx, git, dir, "rev-parse", "--is-inside-work-tree")
	return err == nil && code == 0 && strings.TrimSpace(string(out)) == "true"
}
