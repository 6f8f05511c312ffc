package main

import "io"

// errWriter passes writes to w and keeps the first error, so a command
// whose printing fails (stdout on a full disk, a closed pipe) exits
// non-zero even where the printing code does not look at the error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}
