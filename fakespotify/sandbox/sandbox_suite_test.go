package sandbox_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/sandbox"
)

// TestMain doubles as the program that sandbox.Isolate re-executes: with
// the marker set it enters the sandbox and reports what it sees there.
func TestMain(m *testing.M) {
	if sandbox.Inside() {
		os.Exit(inside(os.Args[1:]))
	}
	if os.Getenv("SANDBOX_TEST_ISOLATE") != "" {
		exit, err := sandbox.Isolate(os.Args[1:])
		if err != nil {
			fmt.Println("isolate:", err)
			os.Exit(2)
		}
		os.Exit(exit.Status())
	}
	os.Exit(m.Run())
}

func inside(args []string) int {
	sb, err := sandbox.Enter()
	if err != nil {
		fmt.Println("enter:", err)
		return 2
	}
	switch args[0] {
	case "probe":
		hosts, _ := os.ReadFile("/etc/hosts")
		fmt.Printf("hosts-first-lines: %q\n", strings.Join(strings.SplitN(string(hosts), "\n", 3)[:2], "|"))
		addrs, err := net.LookupHost("api.spotify.com")
		fmt.Println("api.spotify.com:", addrs, err)
		_, err = net.LookupHost("www.example.com")
		fmt.Println("www.example.com resolves:", err == nil)
		ln, err := net.Listen("tcp", "127.0.0.1:443")
		if err != nil {
			fmt.Println("listen 443:", err)
			return 1
		}
		defer ln.Close()
		c, err := net.Dial("tcp", "api.spotify.com:443")
		fmt.Println("dial api.spotify.com:443:", err)
		if c != nil {
			c.Close()
		}
		_, err = net.Dial("tcp", "accounts.spotify.com:80")
		fmt.Println("dial accounts.spotify.com:80 refused:", err != nil && strings.Contains(err.Error(), "refused"))
		cmd := exec.Command("id", "-u")
		sb.Prepare(cmd)
		out, err := cmd.Output()
		fmt.Printf("command uid: %s %v\n", strings.TrimSpace(string(out)), err)
		return 0
	}
	return 3
}

func TestSandbox(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "fakespotify/sandbox")
}
