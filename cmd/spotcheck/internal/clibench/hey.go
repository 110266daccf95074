package main

import (
	"bufio"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// load is one hey run: the request it sends and how hard.
type load struct {
	method, url string
	header      []string // "Name: value", sent with -H (never -a: hey drops it)
	contentType string
	body        string
	proxy       string // -x
	conns       int
	duration    time.Duration
}

// heyArgs is hey's command line for l: keep-alive (hey's default), a fixed
// duration, one request per connection at a time.
func heyArgs(l load) []string {
	args := []string{"-z", l.duration.String(), "-c", strconv.Itoa(l.conns), "-m", l.method}
	for _, h := range l.header {
		args = append(args, "-H", h)
	}
	if l.contentType != "" {
		args = append(args, "-T", l.contentType)
	}
	if l.body != "" {
		args = append(args, "-d", l.body)
	}
	if l.proxy != "" {
		args = append(args, "-x", l.proxy)
	}
	return append(args, l.url)
}

// result is what hey reported.
type result struct {
	rps      float64
	p50, p99 time.Duration
	statuses map[int]int // status code -> responses
	errors   int         // lines under "Error distribution"
}

// total is every response hey counted.
func (r result) total() int {
	n := 0
	for _, c := range r.statuses {
		n += c
	}
	return n
}

// ok is the share of responses that were 200.
func (r result) ok() bool { return r.total() > 0 && r.statuses[200] == r.total() && r.errors == 0 }

func runHey(l load) (result, error) {
	out, err := exec.Command("hey", heyArgs(l)...).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("hey: %v: %s", err, out)
	}
	return parseHey(string(out))
}

// parseHey reads hey's summary: Requests/sec, the 50% and 99% latency
// lines, the status code and error distributions.
func parseHey(out string) (result, error) {
	r := result{statuses: map[int]int{}}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case strings.HasSuffix(line, ":") && !strings.Contains(line, " in "):
			section = line
			continue
		}
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "Requests/sec:") && len(f) == 2:
			r.rps, _ = strconv.ParseFloat(f[1], 64)
		case section == "Latency distribution:" && len(f) == 4 && f[1] == "in":
			secs, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				return r, fmt.Errorf("hey: latency line %q", line)
			}
			d := time.Duration(secs * float64(time.Second))
			switch f[0] {
			case "50%":
				r.p50 = d
			case "99%":
				r.p99 = d
			}
		case section == "Status code distribution:" && len(f) >= 2 && strings.HasPrefix(f[0], "["):
			code, err1 := strconv.Atoi(strings.Trim(f[0], "[]"))
			n, err2 := strconv.Atoi(f[1])
			if err1 != nil || err2 != nil {
				return r, fmt.Errorf("hey: status line %q", line)
			}
			r.statuses[code] += n
		case section == "Error distribution:" && strings.HasPrefix(line, "["):
			n, _ := strconv.Atoi(strings.Trim(f[0], "[]"))
			r.errors += n
		}
	}
	if r.rps == 0 || r.p99 == 0 {
		return r, fmt.Errorf("hey printed no summary:\n%s", out)
	}
	return r, nil
}
