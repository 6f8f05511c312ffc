package traces

import (
	"io"

	"github.com/fleetsim/fleetsim/sim"
)

// ForEach reads src to its end, calling fn with each task (valid only
// during the call). It returns nil at the end of the source, else the
// first error of the source or of fn.
func ForEach(src sim.Source, fn func(*sim.Task) error) error {
	var t sim.Task
	for {
		if err := src.Next(&t); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if err := fn(&t); err != nil {
			return err
		}
	}
}
