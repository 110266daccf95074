//go:build !linux

package sandbox

import (
	"errors"
	"os/exec"
)

var errNotLinux = errors.New("network namespaces need Linux")

// Isolate needs Linux: elsewhere it is an *UnavailableError.
func Isolate([]string) (Exit, error) { return Exit{}, &UnavailableError{Err: errNotLinux} }

// Inside is false off Linux.
func Inside() bool { return false }

// Sandbox is the inside of an isolation; there is none off Linux.
type Sandbox struct{}

// Enter fails off Linux.
func Enter() (*Sandbox, error) { return nil, &UnavailableError{Err: errNotLinux} }

// Prepare does nothing off Linux.
func (*Sandbox) Prepare(*exec.Cmd) {}
