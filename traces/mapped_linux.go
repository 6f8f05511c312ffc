package traces

import (
	"errors"
	"math"
	"os"
	"syscall"
)

var pageSize = os.Getpagesize()

// mapFile maps the regular file f read-only, whole.
func mapFile(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() <= 0 || fi.Size() > math.MaxInt/4 {
		return nil, errors.New("not mapped")
	}
	rc, err := f.SyscallConn() // (not Fd, which would change the file's mode)
	if err != nil {
		return nil, err
	}
	var b []byte
	cerr := rc.Control(func(fd uintptr) {
		b, err = syscall.Mmap(int(fd), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	})
	if cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, err
	}
	_ = syscall.Madvise(b, syscall.MADV_SEQUENTIAL) // (a hint)
	return b, nil
}

// unmap releases the mapping.
func (m *mapped) unmap() {
	if m.b != nil {
		_ = syscall.Munmap(m.b)
		m.b = nil
	}
}

// release tells the system that the pages before the next row will not be
// read again: they leave the process's resident set (the file's cache
// keeps them).
func (m *mapped) release() {
	end := m.pos &^ (pageSize - 1)
	if end > m.drop {
		_ = syscall.Madvise(m.b[m.drop:end], syscall.MADV_DONTNEED)
		m.drop = end
	}
}
