package traces

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/fleetsim/fleetsim/sim"
)

// MaxJSONLLine is the longest line, in bytes, the JSONL reader accepts.
const MaxJSONLLine = 16 << 20

// JSONLReader reads the native JSONL format: one JSON object per line with
// the CSV format's columns as keys. It implements sim.Source.
type JSONLReader struct {
	file     string
	sc       *bufio.Scanner
	line     int
	seq      int64
	prev     sim.Time
	prevLine int
	err      error
	in       interner
	dag      dagCheck // workflow rows: parents before children
}

var _ sim.Source = (*JSONLReader)(nil)

// NewJSONLReader returns a reader of the JSONL trace r; file names it in
// errors. The error is always nil today; it is there so a reader can check
// the input up front later without an API change.
func NewJSONLReader(r io.Reader, file string) (*JSONLReader, error) {
	sc := bufio.NewScanner(newLineReader(r, file, MaxJSONLLine))
	sc.Buffer(make([]byte, 0, 64<<10), MaxJSONLLine)
	return &JSONLReader{file: file, sc: sc}, nil
}

// Next reads the next object into t. Blank lines are skipped. It returns
// io.EOF after the last line and an *Error for bad input; after an error it
// keeps returning it.
func (rd *JSONLReader) Next(t *sim.Task) error {
	if rd.err != nil {
		return rd.err
	}
	for rd.sc.Scan() {
		rd.line++
		b := rd.sc.Bytes()
		if rd.line == 1 {
			b = bytes.TrimPrefix(b, []byte("\uFEFF")) // a byte-order mark, as CSV and SWF accept
		}
		if len(skipWS(b, 0)) == 0 {
			continue
		}
		// The line as a string without a copy: numbers and strings are
		// substrings of it, stored only through setText's interner (which
		// copies) or copied into an error, so nothing outlives the
		// scanner's buffer.
		if err := rd.parse(t, view(b)); err != nil {
			rd.err = err
			return err
		}
		return nil
	}
	err := rd.sc.Err()
	var le *Error
	switch {
	case err == nil:
		rd.err = io.EOF
	case errors.As(err, &le):
		rd.err = le
	case errors.Is(err, bufio.ErrTooLong):
		rd.err = &Error{File: rd.file, Line: rd.line + 1, Err: err,
			Msg: fmt.Sprintf("line longer than %d bytes", MaxJSONLLine)}
	default:
		msg := "read failed: " + err.Error()
		if rd.line > 0 {
			msg = fmt.Sprintf("read failed after line %d: %v", rd.line, err)
		}
		rd.err = &Error{File: rd.file, Msg: msg, Err: err}
	}
	return rd.err
}

func skipWS(b []byte, i int) []byte {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return b[i:]
}

// JSON value kinds, as named in errors.
type jsonKind uint8

const (
	jsonString jsonKind = iota
	jsonNumber
	jsonBool
	jsonNull
	jsonObject
	jsonArray
)

var jsonKindNames = [...]string{"a string", "a number", "a boolean", "null", "an object", "an array"}

// jsonLine scans one line. It accepts exactly the JSON objects whose values
// are scalars; anything else is reported where it goes wrong.
type jsonLine struct {
	b string
	i int
}

func (s *jsonLine) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// errAt describes a syntax error at the current position.
func (s *jsonLine) errAt(what string) string {
	if s.i >= len(s.b) {
		return "invalid JSON: line ends early, " + what
	}
	return fmt.Sprintf("invalid JSON at byte %d: %s, found %s", s.i+1, what, quote(s.b[s.i:s.i+1]))
}

// str scans a string token starting at its opening quote and returns its
// bytes between the quotes, and whether it has escapes or invalid UTF-8
// (and so needs decoding).
func (s *jsonLine) str() (raw string, decode bool, msg string) {
	s.i++ // opening quote
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, decode || !utf8.ValidString(raw), ""
		case c == '\\':
			decode = true
			s.i++
			if s.i >= len(s.b) {
				return "", false, s.errAt("expected an escape sequence")
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				s.i++
				for k := 0; k < 4; k++ {
					if s.i >= len(s.b) || !isHex(s.b[s.i]) {
						return "", false, s.errAt("expected 4 hex digits after \\u")
					}
					s.i++
				}
			default:
				return "", false, s.errAt("invalid escape sequence")
			}
		case c < 0x20:
			return "", false, s.errAt("control character in string")
		default:
			s.i++
		}
	}
	return "", false, "invalid JSON: line ends inside a string"
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// number scans a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *jsonLine) number() (raw string, msg string) {
	start := s.i
	if s.b[s.i] == '-' {
		s.i++
	}
	digits := func() bool {
		n := s.i
		for s.i < len(s.b) && isDigit(s.b[s.i]) {
			s.i++
		}
		return s.i > n
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case !digits():
		return "", s.errAt("expected a digit")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !digits() {
			return "", s.errAt("expected a digit after the decimal point")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !digits() {
			return "", s.errAt("expected a digit in the exponent")
		}
	}
	return s.b[start:s.i], ""
}

// literal scans true, false or null.
func (s *jsonLine) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && s.b[s.i:s.i+len(word)] == word {
		s.i += len(word)
		return true
	}
	return false
}

// value scans a scalar value, or reports the kind of a composite one
// without scanning it (it is a type error for every key).
func (s *jsonLine) value() (kind jsonKind, raw string, decode bool, msg string) {
	if s.i >= len(s.b) {
		return 0, "", false, s.errAt("expected a value")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		raw, decode, msg = s.str()
		return jsonString, raw, decode, msg
	case c == '-' || isDigit(c):
		raw, msg = s.number()
		return jsonNumber, raw, false, msg
	case c == '{':
		return jsonObject, "", false, ""
	case c == '[':
		return jsonArray, "", false, ""
	case s.literal("true"), s.literal("false"):
		return jsonBool, "", false, ""
	case s.literal("null"):
		return jsonNull, "", false, ""
	}
	return 0, "", false, s.errAt("expected a value")
}

// decodeString decodes a validated string token (escapes, invalid UTF-8
// replaced by U+FFFD, as encoding/json does).
func decodeString(raw string) (string, bool) {
	q := make([]byte, 0, len(raw)+2)
	q = append(q, '"')
	q = append(q, raw...)
	q = append(q, '"')
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return "", false
	}
	return s, true
}

func (rd *JSONLReader) fail(col, msg string) error {
	return &Error{File: rd.file, Line: rd.line, Column: strings.Clone(col), Msg: strings.Clone(msg)}
}

// parse fills t from one line.
func (rd *JSONLReader) parse(t *sim.Task, b string) error {
	s := jsonLine{b: b}
	s.ws()
	if s.i >= len(b) || b[s.i] != '{' {
		return rd.fail("", s.errAt("expected a JSON object, '{'"))
	}
	s.i++
	*t = sim.Task{ID: rd.seq}
	var seen [numColumns]bool
	s.ws()
	if s.i < len(b) && b[s.i] == '}' {
		s.i++
	} else {
		for {
			s.ws()
			if s.i >= len(b) || b[s.i] != '"' {
				return rd.fail("", s.errAt("expected a key in double quotes"))
			}
			rawKey, dec, msg := s.str()
			if msg != "" {
				return rd.fail("", msg)
			}
			key := rawKey
			if dec {
				var ok bool
				if key, ok = decodeString(rawKey); !ok {
					return rd.fail("", "invalid JSON: bad key string")
				}
			}
			s.ws()
			if s.i >= len(b) || b[s.i] != ':' {
				return rd.fail("", s.errAt("expected ':' after key "+quote(key)))
			}
			s.i++
			s.ws()
			kind, raw, dec, msg := s.value()
			if msg != "" {
				return rd.fail("", msg)
			}
			c, ok := lookupColumn(key)
			if !ok {
				return rd.fail(key, "unknown key; allowed keys: "+allowedColumns)
			}
			if seen[c] {
				return rd.fail(key, "duplicate key")
			}
			seen[c] = true
			if err := rd.set(t, c, kind, raw, dec); err != nil {
				return err
			}
			s.ws()
			if s.i < len(b) && b[s.i] == ',' {
				s.i++
				continue
			}
			if s.i < len(b) && b[s.i] == '}' {
				s.i++
				break
			}
			return rd.fail("", s.errAt("expected ',' or '}' after the value of "+quote(key)))
		}
	}
	s.ws()
	if s.i < len(b) {
		return rd.fail("", s.errAt("expected the end of the line after the JSON object"))
	}
	for _, c := range []column{colArrival, colDuration} {
		if !seen[c] {
			return rd.fail(c.String(), "missing required key")
		}
	}
	if t.Arrival < rd.prev {
		return rd.fail(colArrival.String(), orderMessage(t.Arrival, rd.prev, rd.prevLine))
	}
	if col, msg := rd.dag.check(t); msg != "" {
		return rd.fail(col, msg)
	}
	rd.prev = t.Arrival
	rd.prevLine = rd.line
	rd.seq++
	return nil
}

// set stores one value. Numbers go through the same exact parsers as CSV
// text; memory may also be a size string; null is the zero value (or, for
// id, the sequence number) except for the required keys.
func (rd *JSONLReader) set(t *sim.Task, c column, kind jsonKind, raw string, dec bool) error {
	name := c.String()
	want := "a number"
	switch {
	case c.isString():
		want = "a string"
	case c == colMemory || c == colOutputBytes:
		want = "a number or a size string"
	}
	switch kind {
	case jsonNull:
		if c.required() {
			return rd.fail(name, fmt.Sprintf("expected %s, got null", c.expected()))
		}
		return nil
	case jsonString:
		if !c.isString() && c != colMemory && c != colOutputBytes {
			v := raw
			if dec {
				v, _ = decodeString(raw)
			}
			return rd.fail(name, fmt.Sprintf("expected %s (%s), got a string %s", want, c.expected(), quote(v)))
		}
		var v string
		if dec {
			var ok bool
			if v, ok = decodeString(raw); !ok {
				return rd.fail(name, "invalid JSON string")
			}
		} else {
			v = raw
		}
		if e := setText(t, c, v, &rd.in); e != numOK {
			return rd.fail(name, c.message(e, v))
		}
		return nil
	case jsonNumber:
		if c.isString() {
			return rd.fail(name, fmt.Sprintf("expected %s, got a number %s", want, quote(raw)))
		}
		if e := setText(t, c, raw, &rd.in); e != numOK {
			return rd.fail(name, c.message(e, raw))
		}
		return nil
	}
	if c.isString() {
		return rd.fail(name, fmt.Sprintf("expected %s, got %s", want, jsonKindNames[kind]))
	}
	return rd.fail(name, fmt.Sprintf("expected %s (%s), got %s", want, c.expected(), jsonKindNames[kind]))
}

// JSONLWriter writes tasks in the native JSONL format. Keys with zero
// values are left out, except id, arrival and duration; the workflow and
// gang keys (workflow, parents, output_bytes, nodes) come last. Its output reads
// back to the same tasks (strings that are not valid UTF-8 get U+FFFD in
// place of bad bytes, as JSON requires).
type JSONLWriter struct {
	w     *bufio.Writer
	buf   []byte
	check writeCheck
}

// NewJSONLWriter returns a writer to w. Call Flush when done.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	return &JSONLWriter{w: bufio.NewWriter(w)}
}

// Write writes one task as one line. Like CSVWriter.Write it refuses a
// task the readers would reject.
func (w *JSONLWriter) Write(t *sim.Task) error {
	if err := w.check.task(t); err != nil {
		return err
	}
	b := append(w.buf[:0], `{"id":`...)
	b = appendInt(b, t.ID)
	b = append(b, `,"arrival":`...)
	b = appendFixed(b, int64(t.Arrival), 9)
	b = append(b, `,"duration":`...)
	b = appendFixed(b, int64(t.Work), 9)
	if t.CPU != 0 {
		b = append(b, `,"cpu":`...)
		b = appendFixed(b, t.CPU, 3)
	}
	if t.Memory != 0 {
		b = append(b, `,"memory":`...)
		b = appendInt(b, t.Memory)
	}
	if t.GPUs != 0 {
		b = append(b, `,"gpus":`...)
		b = appendInt(b, int64(t.GPUs))
	}
	if t.GPUMilli != 0 {
		b = append(b, `,"gpu_milli":`...)
		b = appendInt(b, int64(t.GPUMilli))
	}
	if t.Priority != 0 {
		b = append(b, `,"priority":`...)
		b = appendInt(b, int64(t.Priority))
	}
	if t.Tenant != "" {
		b = append(b, `,"tenant":`...)
		b = appendJSONString(b, t.Tenant)
	}
	if t.Region != "" {
		b = append(b, `,"region":`...)
		b = appendJSONString(b, t.Region)
	}
	if t.Class != "" {
		b = append(b, `,"class":`...)
		b = appendJSONString(b, t.Class)
	}
	if t.GPUSpec != "" {
		b = append(b, `,"gpu_spec":`...)
		b = appendJSONString(b, t.GPUSpec)
	}
	if t.Estimate != 0 {
		b = append(b, `,"estimate":`...)
		b = appendFixed(b, int64(t.Estimate), 9)
	}
	if t.PromptTokens != 0 {
		b = append(b, `,"prompt_tokens":`...)
		b = appendInt(b, int64(t.PromptTokens))
	}
	if t.OutputTokens != 0 {
		b = append(b, `,"output_tokens":`...)
		b = appendInt(b, int64(t.OutputTokens))
	}
	if t.Workflow != "" {
		b = append(b, `,"workflow":`...)
		b = appendJSONString(b, t.Workflow)
	}
	if len(t.ParentEdges()) > 0 {
		b = append(b, `,"parents":"`...)
		b = appendParents(b, t)
		b = append(b, '"')
	}
	if t.OutputBytes != 0 {
		b = append(b, `,"output_bytes":`...)
		b = appendInt(b, t.OutputBytes)
	}
	if t.Nodes != 0 {
		b = append(b, `,"nodes":`...)
		b = appendInt(b, int64(t.Nodes))
	}
	b = append(b, "}\n"...)
	w.buf = b
	_, err := w.w.Write(b)
	return err
}

// Flush writes any buffered data.
func (w *JSONLWriter) Flush() error { return w.w.Flush() }

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
