package exporter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// The most each file an operator names may hold.
const (
	maxConfigBytes = 1 << 20  // a -config file
	maxSecretBytes = 64 << 10 // a password_file or a bearer_token_file
	maxPEMBytes    = 4 << 20  // a ca_file, cert_file or key_file: a system's CA bundle, several times over
)

// readChunk is how much readFile reads between two looks at its context.
const readChunk = 64 << 10

// readFile is the content of the regular file at path, of at most limit
// bytes, read within ctx. It refuses anything else before reading a byte:
// a directory, a device such as /dev/zero, a named pipe (whose open would
// wait for a writer: it is opened without waiting, then refused), a socket,
// a file over limit; and a file that grows past limit while it is read.
// The error is one line that says what the file is and what is accepted,
// never its content nor its path (the caller names the file).
func readFile(ctx context.Context, path string, limit int64) ([]byte, error) {
	accepts := fmt.Sprintf("accepts a regular file of at most %s", size(limit))
	// Stat first, so that no open of a named pipe or a device is tried;
	// then the opened file's own, in case path was replaced meanwhile.
	info, err := os.Stat(path)
	if err != nil {
		return nil, pathError(err)
	}
	if err := regular(info, limit, accepts); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, pathError(err)
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, pathError(err)
	}
	if err := regular(info, limit, accepts); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(int(min(info.Size(), limit)))
	r := io.LimitReader(f, limit+1)
	for {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("not read: %w", context.Cause(ctx))
		}
		_, err := io.CopyN(&b, r, readChunk)
		if int64(b.Len()) > limit {
			return nil, fmt.Errorf("more than %s: %s", size(limit), accepts)
		}
		if errors.Is(err, io.EOF) {
			return b.Bytes(), nil
		}
		if err != nil {
			return nil, pathError(err)
		}
	}
}

// regular says what info is, unless it is a regular file of at most limit
// bytes.
func regular(info fs.FileInfo, limit int64, accepts string) error {
	m := info.Mode()
	what := ""
	switch {
	case m.IsRegular():
		if info.Size() > limit {
			return fmt.Errorf("%d bytes: %s", info.Size(), accepts)
		}
		return nil
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeCharDevice != 0:
		what = "a character device"
	case m&fs.ModeDevice != 0:
		what = "a block device"
	default:
		what = "not a regular file"
	}
	return fmt.Errorf("%s: %s", what, accepts)
}

// pathError is err without the path an *fs.PathError repeats: the caller
// says which file.
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// size is n bytes in the unit it is a whole number of.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
