package sandbox

import "fmt"

// envMarker tells a re-executed program that it runs inside namespaces
// made for it: the starter's uid, gid and namespaces, comma-separated.
const envMarker = "SPOTCHECK_SANDBOX"

// UnavailableError says that this system cannot make the namespaces.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("this system does not let spotcheck create network namespaces (%v)", e.Err)
}
func (e *UnavailableError) Unwrap() error { return e.Err }

// hostsLine is what the sandbox's /etc/hosts says first.
func hostsLine() string {
	line := "127.0.0.1"
	for _, h := range spotifyHosts {
		line += " " + h
	}
	return line + "\n"
}
