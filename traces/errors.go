package traces

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is what every reader in this package returns for bad input: the
// file, the 1-based line (the header is line 1), the column (a CSV column
// or a JSON key; empty when the problem is not in one field) and what was
// expected. Col, when set, is the 1-based byte column where the bad field
// starts on its line (the openb, SWF and azure-llm readers set it). Err,
// when set, is the underlying cause (an I/O error, for example), reachable
// with errors.Is and errors.As.
//
// Its text reads
//
//	jobs.csv:17: column duration: expected a non-negative number of seconds, got "abc"
//	log.swf:31:22: column run_time: field 4: expected ..., got "x"
type Error struct {
	File   string
	Line   int // 0 when no single line is to blame
	Col    int // 1-based byte column of the field on Line; 0 when not known
	Column string
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Col))
		}
	}
	if e.Column != "" {
		b.WriteString(": column ")
		b.WriteString(columnLabel(e.Column))
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// columnLabel returns name as is when it is a plain word, quoted otherwise,
// so a hostile header cannot make an error message ambiguous.
func columnLabel(name string) string {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return quote(name)
		}
	}
	return name
}

// maxQuoted is how many bytes of a bad value an error message repeats.
const maxQuoted = 64

// quote returns s Go-quoted, cut after maxQuoted bytes (on a rune
// boundary) so a megabyte-long cell does not become a megabyte-long error.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > maxQuoted-utf8.UTFMax && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("... (%d bytes)", len(s))
}

// ParamError reports an invalid parameter of an arrival process or a
// service distribution, so a scenario loader can point at the line that
// set it.
type ParamError struct {
	Kind  string // "poisson", "lognormal", ...
	Param string // as named in a scenario file: "rate", "mean", "cv", ...
	Msg   string // what was expected
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("%s: parameter %s: %s", e.Kind, e.Param, e.Msg)
}
