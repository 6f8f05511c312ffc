//go:build !linux

package traces

import (
	"errors"
	"os"
)

const pageSize = 4096

// mapFile does not map files on this system (only on Linux): the rows
// are read.
func mapFile(*os.File) ([]byte, error) { return nil, errors.New("not mapped") }

func (m *mapped) unmap()   { m.b = nil }
func (m *mapped) release() {}
