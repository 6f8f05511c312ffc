package traces

// Positioner is implemented by the readers of this package: Position
// returns the file name (as given to the reader) and the 1-based line of
// the task last returned by Next, or line 0 before the first one. A caller
// that finds a problem with a task later (a GPU model no node has, an
// arrival out of order) uses it to point at the line that holds the task:
//
//	if p, ok := src.(traces.Positioner); ok {
//		file, line := p.Position()
//		return fmt.Errorf("%s:%d: unknown GPU model %q", file, line, model)
//	}
//
// For a row that spans lines (a quoted field with a line break), it is
// the row's first line.
type Positioner interface {
	Position() (file string, line int)
}

var (
	_ Positioner = (*CSVReader)(nil)
	_ Positioner = (*JSONLReader)(nil)
	_ Positioner = (*OpenbReader)(nil)
	_ Positioner = (*SWFReader)(nil)
	_ Positioner = (*AzureLLMReader)(nil)
	_ Positioner = (*CacheReader)(nil)
)

// Position returns the file and the line of the task last returned by
// Next (see Positioner).
func (rd *CSVReader) Position() (file string, line int) { return rd.file, rd.prevLine }

// Position returns the file and the line of the task last returned by
// Next (see Positioner).
func (rd *JSONLReader) Position() (file string, line int) { return rd.file, rd.prevLine }
