package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// exitNow ends the process; a variable so that specs of the second signal
// can run in the test binary.
var exitNow = os.Exit

// interruptContext returns a context that the first SIGINT or SIGTERM
// cancels: the command stops what it is doing and still reports what it
// did (that is what a first Ctrl-C means). A step that cannot be cut short
// (a report written into a FIFO whose reader stopped reading, a system
// call that ignores signals) would keep the process alive, so a second
// signal exits at once, with 128 + the signal's number as a shell reports
// a process the signal killed: 130 for SIGINT, 143 for SIGTERM. Each
// signal is said on stderr in one line. stop releases the signals.
func interruptContext(parent context.Context, stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		var first os.Signal
		select {
		case first = <-sigs:
		case <-done:
			return
		}
		fmt.Fprintf(stderr, "spotcheck: %s: stopping (send it again to exit at once)\n", first)
		cancel()
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "spotcheck: %s again: exiting now\n", sig)
			exitNow(128 + int(sig.(syscall.Signal)))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
