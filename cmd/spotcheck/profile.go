package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// Profiling the binary as users run it (make bench-cli -profile): Go's
// benchmarks measure the fake in process, but what `spotcheck fake` costs
// under an external load generator includes the network, the log writer
// and the scheduler. SPOTCHECK_CPUPROFILE and SPOTCHECK_MEMPROFILE name
// files that the CPU profile and the allocation profile of the whole run
// are written to when the command ends (SIGINT or SIGTERM included: the
// fake returns through execute). Unset, they cost one lookup each.
const (
	cpuProfileEnv = "SPOTCHECK_CPUPROFILE"
	memProfileEnv = "SPOTCHECK_MEMPROFILE"
)

// startProfiles starts what the environment asks for and returns the
// function that writes it out.
func startProfiles(getenv func(string) string, stderr io.Writer) (stop func()) {
	cpuPath, memPath := getenv(cpuProfileEnv), getenv(memProfileEnv)
	if cpuPath == "" && memPath == "" {
		return func() {}
	}
	var cpu *os.File
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "spotcheck: %s: %v\n", cpuProfileEnv, err)
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			_ = cpu.Close()
		}
		if memPath != "" {
			writeHeapProfile(memPath, stderr)
		}
	}
}

func writeHeapProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err == nil {
		runtime.GC() // the live heap as of the end, next to every allocation made
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "spotcheck: %s: %v\n", memProfileEnv, err)
	}
}
