package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
)

// spotifyHosts are the names the fake answers for (front.AccountsHost and
// front.APIHost; sandbox stays free of the front's TLS code).
var spotifyHosts = []string{"accounts.spotify.com", "api.spotify.com"}

// Exit is how a command ended.
type Exit struct {
	// Code is its exit status, -1 when a signal ended it.
	Code int
	// Signal is the signal that ended it, 0 when it exited.
	Signal syscall.Signal
}

// Failed reports a non-zero exit or a death by signal.
func (e Exit) Failed() bool { return e.Code != 0 || e.Signal != 0 }

// Status is the exit status a shell would report: the code, or 128 plus
// the signal's number.
func (e Exit) Status() int {
	if e.Signal != 0 {
		return 128 + int(e.Signal)
	}
	return e.Code
}

func (e Exit) String() string {
	if e.Signal != 0 {
		return "was killed by " + SignalName(e.Signal)
	}
	return "exited with status " + strconv.Itoa(e.Code)
}

// NotFoundError is a command that could not be found or started.
type NotFoundError struct {
	Name string
	Err  error
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s: %v", e.Name, e.Err) }
func (e *NotFoundError) Unwrap() error { return e.Err }

// Command builds the command for args with env, attached to the
// terminal's streams. It looks the program up in PATH, as a shell would
// (Env never changes PATH): a missing program is a *NotFoundError.
func Command(args, env []string) (*exec.Cmd, error) {
	if len(args) == 0 {
		return nil, errors.New("no command to run")
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		return nil, &NotFoundError{Name: args[0], Err: err}
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd, nil
}

// forwarded are the signals Run passes on to the command.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, usr1, usr2}

// Run starts cmd, passes the signals the caller receives on to it, and
// waits for it. A terminal's Ctrl-C (SIGINT, SIGQUIT) already reaches
// every process of the foreground group, the command included, so those
// are passed on only when they did not come from the terminal: a command
// is never interrupted twice. A command that cannot start is an error.
func Run(cmd *exec.Cmd) (Exit, error) {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return Exit{}, err
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if !fromTerminal(s) {
					_ = cmd.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return Exit{}, err
	}
	return exitOf(cmd.ProcessState), nil
}
