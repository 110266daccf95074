//go:build !unix

package sandbox

import (
	"os"
	"strconv"
	"syscall"
)

// Windows has no SIGUSR1/2: forwarding them is a no-op there.
const (
	usr1 = syscall.SIGINT
	usr2 = syscall.SIGTERM
)

func exitOf(ps *os.ProcessState) Exit { return Exit{Code: ps.ExitCode()} }

func fromTerminal(os.Signal) bool { return false }

// SignalName is the signal's name as shells print it.
func SignalName(s syscall.Signal) string { return "signal " + strconv.Itoa(int(s)) }
