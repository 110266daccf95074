package reports

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spotcheck/spotcheck/checks/result"
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
// previous report intact. Missing parent directories are created. A
// symlink's target is replaced the same way and the link kept; a character
// device or a FIFO is written into; any other kind of file is refused. A spec
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
	// A document that cannot be rendered must not create directories or
	// temporary files.
	if err := doc.validate(); err != nil {
		return &WriteError{Spec: spec, Reason: err.Error(), Err: err}
	}
	return WriteFunc(spec, func(w io.Writer) error { return Write(w, spec.Format, doc, opts) })
}

// WriteFunc writes what render writes to spec.Path as WriteAll writes a
// report there (atomically, through symlinks, into a FIFO or a device,
// refusing other kinds of file), for output that is not a Document:
// `spotcheck explain --report`. A failure is a *WriteError.
func WriteFunc(spec Spec, render func(io.Writer) error) error {
	return writeFile(spec, render)
}

// writeFile writes one report to a path, by what the path is: a regular
// file or nothing is replaced atomically; a symlink's target is (the link
// stays a link, a dangling link's target is created); a character device or
// a FIFO is written into directly (there is nothing to replace: renaming
// over /dev/null as root replaces the machine's /dev/null); anything else
// is refused.
func writeFile(spec Spec, render func(io.Writer) error) error {
	fail := func(why string, err error) error {
		return &WriteError{Spec: spec, Reason: why, Err: err}
	}
	dest, mode, err := destination(spec.Path)
	if err != nil {
		return fail(reason(err), err)
	}
	switch {
	case mode.IsRegular():
		return replaceFile(dest, spec, render)
	case mode&fs.ModeNamedPipe != 0, mode&fs.ModeCharDevice != 0:
		// The path as given, not dest: /proc/self/fd/1 and /dev/stdout are
		// links the kernel resolves on open and readlink cannot.
		return writeInto(spec.Path, mode, spec, render)
	case mode.IsDir():
		return fail("the path is a directory", syscall.EISDIR)
	}
	return fail("the path is "+result.FileKind(mode)+"; write the report to a file, a character device or a FIFO", syscall.EINVAL)
}

// destination says where a report for path goes and what is there: the
// path itself, or the file a symlink resolves to (a missing file is
// reported as regular: it is created). Only the last element's links are
// followed by hand; the directories on the way are the kernel's business.
func destination(path string) (string, fs.FileMode, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		// Creating its directories says best what is in the way.
		return path, 0, nil
	case err != nil:
		return "", 0, err
	case fi.Mode()&fs.ModeSymlink == 0:
		return path, fi.Mode(), nil
	}
	target, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dest, err := danglingTarget(path)
		return dest, 0, err
	case err != nil:
		return "", 0, err
	case !target.Mode().IsRegular():
		return path, target.Mode(), nil
	}
	dest, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", 0, err
	}
	// A link the kernel resolves differently from its text (a
	// /proc/self/fd link to a deleted file) must not send the report to a
	// file of the same name.
	if again, err := os.Stat(dest); err != nil || !os.SameFile(again, target) {
		return "", 0, errors.New("the symlink's target cannot be named: write the report to the file itself")
	}
	return dest, target.Mode(), nil
}

// danglingTarget follows a chain of symlinks to the missing path at its
// end.
func danglingTarget(path string) (string, error) {
	for range 40 { // Linux's MAXSYMLINKS
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		next, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(next) {
			next = filepath.Join(filepath.Dir(path), next)
		}
		path = next
	}
	return "", syscall.ELOOP
}

// writeInto writes a report into a character device or a FIFO as it is:
// no temporary file, no truncation. A FIFO is opened without waiting for
// a reader; with none, the open fails at once (ENXIO) instead of hanging
// the command, and the writes that follow wait in Go's poller.
func writeInto(path string, mode fs.FileMode, spec Spec, render func(io.Writer) error) error {
	fail := func(why string, err error) error {
		return &WriteError{Spec: spec, Reason: why, Err: err}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		if errors.Is(err, syscall.ENXIO) && mode&fs.ModeNamedPipe != 0 {
			return fail("nothing is reading the FIFO (start its reader first)", err)
		}
		return fail("cannot open: "+reason(err), err)
	}
	werr := render(f)
	cerr := f.Close()
	if werr != nil {
		return fail("cannot write: "+reason(werr), werr)
	}
	if cerr != nil {
		return fail("cannot close: "+reason(cerr), cerr)
	}
	return nil
}

// replaceFile writes a report to a temporary file in path's directory and
// renames it onto path.
func replaceFile(path string, spec Spec, render func(io.Writer) error) (err error) {
	fail := func(why string, err error) error {
		return &WriteError{Spec: spec, Reason: why, Err: err}
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
	if err := render(tmp); err != nil {
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
