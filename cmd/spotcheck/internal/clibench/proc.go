package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// 100 on every Linux architecture Go runs on (sysconf(_SC_CLK_TCK)).
const clockTick = 10 * time.Millisecond

// cpuTime is a process's user + system CPU time so far, all threads.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(string(b))
}

// parseStat reads utime and stime (fields 14 and 15) from a /proc/PID/stat
// line. The command name (field 2) may hold spaces and parentheses, so the
// fields are counted from its last ")".
func parseStat(line string) (time.Duration, error) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 {
		return 0, fmt.Errorf("/proc stat: no command name in %q", line)
	}
	f := strings.Fields(line[end+1:])
	// f[0] is field 3 (state), so field n is f[n-3].
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the name", len(f))
	}
	utime, err1 := strconv.ParseInt(f[14-3], 10, 64)
	stime, err2 := strconv.ParseInt(f[15-3], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc stat: utime %q stime %q", f[11], f[12])
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// server is a process under load: the fake or the empty handler.
type server struct {
	name string
	url  string // http://127.0.0.1:PORT
	cmd  *exec.Cmd
}

// startServer runs cmd and waits for the line on its stdout that names
// its URL: the first field starting with http://.
func startServer(name string, cmd *exec.Cmd) (*server, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &server{name: name, cmd: cmd}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			for _, f := range strings.Fields(sc.Text()) {
				if strings.HasPrefix(f, "http://") {
					select {
					case found <- f:
					default:
					}
				}
			}
		}
		close(found)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			s.stop()
			return nil, fmt.Errorf("%s exited before it printed its address", name)
		}
		s.url = strings.TrimRight(u, ",.;)")
	case <-time.After(30 * time.Second):
		s.stop()
		return nil, fmt.Errorf("%s printed no address in 30 s", name)
	}
	return s, nil
}

func (s *server) cpu() (time.Duration, error) { return cpuTime(s.cmd.Process.Pid) }

// stop ends the process with SIGTERM (so the fake flushes its log) and
// waits for it.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// freePort asks the kernel for a loopback port nobody uses.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
