package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// Isolate runs this program again with args, in new network and mount
// namespaces, plus a user namespace when it is not root (the user becomes
// root in there, over the new namespaces only), and waits for it. The
// program must call Inside and Enter early. Signals are passed on as Run
// does. A system without namespaces gives an *UnavailableError.
func Isolate(args []string) (Exit, error) {
	uid, gid := os.Getuid(), os.Getgid()
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Args[0] = os.Args[0]
	marker := strconv.Itoa(uid) + "," + strconv.Itoa(gid)
	for _, ns := range namespaces {
		id, _ := os.Readlink("/proc/self/ns/" + ns)
		marker += "," + id
	}
	cmd.Env = append(Env(os.Environ(), Settings{}), envMarker+"="+marker)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	attr := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() != 0 {
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}}
	}
	cmd.SysProcAttr = attr
	exit, err := Run(cmd)
	if err != nil {
		for _, e := range []error{syscall.EPERM, syscall.EACCES, syscall.EINVAL, syscall.ENOSPC, syscall.ENOSYS, syscall.EUSERS} {
			if errors.Is(err, e) {
				return Exit{}, &UnavailableError{Err: e}
			}
		}
		return Exit{}, err
	}
	return exit, nil
}

// namespaces are the ones Isolate makes new and Enter checks.
var namespaces = []string{"net", "mnt"}

// Inside reports whether Isolate started this process.
func Inside() bool { _, ok := os.LookupEnv(envMarker); return ok }

// Sandbox is the inside of an isolation, once entered.
type Sandbox struct {
	uid, gid int // who started it
	userns   bool
}

// Enter makes the namespaces Isolate created into the sandbox: it checks
// they are new (never touching the host's /etc/hosts), brings loopback up,
// makes every mount private, maps Spotify's hosts to 127.0.0.1 in
// /etc/hosts and points DNS at loopback, where nothing answers, so any
// other name fails at once instead of hanging.
func Enter() (*Sandbox, error) {
	v, _ := os.LookupEnv(envMarker)
	_ = os.Unsetenv(envMarker)
	sb := &Sandbox{}
	f := strings.Split(v, ",")
	var err1, err2 error
	if len(f) == 2+len(namespaces) {
		sb.uid, err1 = strconv.Atoi(f[0])
		sb.gid, err2 = strconv.Atoi(f[1])
	}
	if len(f) != 2+len(namespaces) || err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%s=%q: not set by spotcheck", envMarker, v)
	}
	for i, ns := range namespaces {
		// The starter's namespaces, as it recorded them and, where this
		// process may read them, as they are: both must differ from ours.
		mine, err := os.Readlink("/proc/self/ns/" + ns)
		parents, perr := os.Readlink("/proc/" + strconv.Itoa(os.Getppid()) + "/ns/" + ns)
		if err != nil || mine == f[2+i] || (perr == nil && mine == parents) {
			return nil, fmt.Errorf("not in a new %s namespace: refusing to change the system's /etc/hosts", ns)
		}
	}
	self, _ := os.Readlink("/proc/self/ns/user")
	parent, _ := os.Readlink("/proc/" + strconv.Itoa(os.Getppid()) + "/ns/user")
	sb.userns = self != parent
	if err := loopbackUp(); err != nil {
		return nil, fmt.Errorf("bringing up loopback: %w", err)
	}
	if err := syscall.Mount("none", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return nil, fmt.Errorf("making mounts private: %w", err)
	}
	hosts, err := os.ReadFile("/etc/hosts")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := overlay("/etc/hosts", sandboxHosts(hosts)); err != nil {
		return nil, err
	}
	if _, err := os.Stat("/etc/resolv.conf"); err == nil {
		if err := overlay("/etc/resolv.conf", []byte("# spotcheck sandbox: no DNS server answers here\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n")); err != nil {
			return nil, err
		}
	}
	return sb, nil
}

// sandboxHosts puts the Spotify line first and drops Spotify's names from
// the other lines: some resolvers (Go's) merge every line for a name.
func sandboxHosts(orig []byte) []byte {
	var b bytes.Buffer
	b.WriteString("# spotcheck sandbox: Spotify's hosts are the fake\n")
	b.WriteString(hostsLine())
	sc := bufio.NewScanner(bytes.NewReader(orig))
	for sc.Scan() {
		line := sc.Text()
		content, comment, _ := strings.Cut(line, "#")
		fields := strings.Fields(content)
		if len(fields) < 2 || !slices.ContainsFunc(fields[1:], isSpotify) {
			b.WriteString(line + "\n")
			continue
		}
		kept := slices.DeleteFunc(slices.Clone(fields[1:]), isSpotify)
		if len(kept) > 0 {
			b.WriteString(fields[0] + " " + strings.Join(kept, " "))
			if comment != "" {
				b.WriteString(" #" + comment)
			}
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func isSpotify(name string) bool {
	return slices.Contains(spotifyHosts, strings.TrimSuffix(strings.ToLower(name), "."))
}

// overlay bind-mounts a file with content over path, in this mount
// namespace only. The source file is removed at once: the mount keeps it.
func overlay(path string, content []byte) error {
	f, err := os.CreateTemp("", "spotcheck-sandbox-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(content)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := syscall.Mount(f.Name(), path, "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("mounting over %s: %w", path, err)
	}
	return nil
}

// loopbackUp sets IFF_UP on lo, as `ip link set lo up` does; the kernel
// then gives it 127.0.0.1/8 and ::1.
func loopbackUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	var ifr struct {
		name  [syscall.IFNAMSIZ]byte
		flags uint16
		_     [24]byte
	}
	copy(ifr.name[:], "lo")
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCGIFFLAGS, uintptr(unsafe.Pointer(&ifr))); e != 0 {
		return e
	}
	ifr.flags |= syscall.IFF_UP | syscall.IFF_RUNNING
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCSIFFLAGS, uintptr(unsafe.Pointer(&ifr))); e != 0 {
		return e
	}
	return nil
}

// Prepare makes cmd run as the user who started the sandbox: in a nested
// user namespace that maps that user's uid and gid back, so the command
// sees its own ids (files keep their owners) and holds no capabilities.
// As root, nothing changes.
func (sb *Sandbox) Prepare(cmd *exec.Cmd) {
	if !sb.userns || sb.uid == 0 {
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: sb.uid, HostID: 0, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: sb.gid, HostID: 0, Size: 1}},
		Pdeathsig:   syscall.SIGKILL,
	}
}
