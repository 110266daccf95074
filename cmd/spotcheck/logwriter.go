package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// flushEvery is how long a log line may wait in the buffer: short enough
// that a reader never notices, long enough that a fake under load writes
// one batch of lines per system call instead of one line per request.
const flushEvery = 50 * time.Millisecond

// logBuffer holds log lines on their way to stderr. A goroutine writes
// them out every flushEvery; a full buffer is written at once; Close
// writes the rest. Every command ends through execute, which closes it, so
// no line is lost on SIGINT, SIGTERM or any exit that is not a crash.
type logBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// closed: nothing flushes any more, so every line is written at once.
	closed bool
}

func newLogBuffer(w io.Writer) *logBuffer {
	b := &logBuffer{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushLoop()
	return b
}

func (b *logBuffer) flushLoop() {
	defer close(b.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = b.Flush()
		case <-b.stop:
			return
		}
	}
}

// Write buffers p whole: zerolog writes one line per call, and lines from
// concurrent requests must not interleave.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.w.Write(p)
	if err == nil && b.closed {
		err = b.w.Flush()
	}
	return n, err
}

// Flush writes out what is buffered.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

// Close stops the timer and writes out the rest; a line written after it
// is written out at once.
func (b *logBuffer) Close() error {
	b.once.Do(func() {
		close(b.stop)
		<-b.done
	})
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return b.w.Flush()
}
