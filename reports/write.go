package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// WriteError says which report could not be written, and why, in words a
// user can act on ("cannot create directory out/x: out is a file").
type WriteError struct {
	Spec   Spec
	Reason string
	Err    error // the underlying error, for errors.Is (fs.ErrPermission, …)
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("%s report %s: %s", e.Spec.Format, e.Spec.Path, e.Reason)
}

func (e *WriteError) Unwrap() error { return e.Err }

// WriteAll writes every spec's report. A file is written to a temporary
// file in the same directory and renamed into place, so a reader (a CI
// step, a browser) never sees half a report and a failed write leaves the
// previous report intact. Missing parent directories are created. A spec
// that fails does not stop the others; WriteAll returns one *WriteError per
// failed spec, in spec order, and nil when all were written. Two specs
// naming the same path are an error for the second, not a silent overwrite.
func WriteAll(specs []Spec, doc Document, opts Options) []error {
	var errs []error
	seen := map[string]bool{}
	for _, spec := range specs {
		key := spec.Path
		if key != Stdout {
			if abs, err := filepath.Abs(spec.Path); err == nil {
				key = abs
			}
		}
		if seen[key] {
			errs = append(errs, &WriteError{Spec: spec, Reason: "another report already writes to this path"})
			continue
		}
		seen[key] = true
		if err := writeOne(spec, doc, opts); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func writeOne(spec Spec, doc Document, opts Options) error {
	if spec.Path == Stdout {
		w := opts.Stdout
		if w == nil {
			w = os.Stdout
		}
		if err := Write(w, spec.Format, doc, opts); err != nil {
			return &WriteError{Spec: spec, Reason: "cannot write to stdout: " + reason(err), Err: err}
		}
		return nil
	}
	return writeFile(spec, doc, opts)
}

func writeFile(spec Spec, doc Document, opts Options) (err error) {
	fail := func(why string, err error) error {
		return &WriteError{Spec: spec, Reason: why, Err: err}
	}
	// A document that cannot be rendered must not create directories or
	// temporary files.
	if err := doc.validate(); err != nil {
		return fail(err.Error(), err)
	}
	path := spec.Path
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fail("the path is a directory", syscall.EISDIR)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(fmt.Sprintf("cannot create directory %s: %s", dir, reason(err)), err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fail(fmt.Sprintf("cannot create a file in directory %s: %s", dir, reason(err)), err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := Write(tmp, spec.Format, doc, opts); err != nil {
		return fail("cannot write "+tmp.Name()+": "+reason(err), err)
	}
	// A report that was renamed into place but not yet on disk can vanish
	// in a crash while a CI step already trusts it.
	if err := tmp.Sync(); err != nil {
		return fail("cannot flush "+tmp.Name()+": "+reason(err), err)
	}
	// CreateTemp makes the file private; a report is for others to read.
	if err := tmp.Chmod(0o644); err != nil {
		return fail("cannot set permissions on "+tmp.Name()+": "+reason(err), err)
	}
	if err := tmp.Close(); err != nil {
		return fail("cannot close "+tmp.Name()+": "+reason(err), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fail("cannot move the finished report into place: "+reason(err), err)
	}
	return nil
}

// reason turns an os error into the words a user reads: the errno text,
// and for "not a directory" which part of the path is a file.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, syscall.ENOTDIR) {
			if p := firstFile(pe.Path); p != "" {
				return p + " is a file, not a directory"
			}
		}
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// firstFile returns the first prefix of path that exists and is not a
// directory.
func firstFile(path string) string {
	p := filepath.Clean(path)
	var chain []string
	for {
		chain = append(chain, p)
		parent := filepath.Dir(p)
		if parent == p {
			break
		}
		p = parent
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if fi, err := os.Stat(chain[i]); err == nil && !fi.IsDir() {
			return chain[i]
		}
	}
	return ""
}
