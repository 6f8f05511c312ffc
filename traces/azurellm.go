package traces

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// The Azure LLM inference trace 2023 (Azure/AzurePublicDataset,
// AzureLLMInferenceTrace_code.csv and _conv.csv; the data of Patel et al.,
// "Splitwise", ISCA 2024) is a CSV file with one row per inference
// request: its arrival time and its prompt and output sizes in tokens.

// Columns of the Azure LLM inference trace.
const (
	azTime = iota
	azContext
	azGenerated
	numAzureCols
)

var azureColumns = [numAzureCols]string{
	azTime:      "TIMESTAMP",
	azContext:   "ContextTokens",
	azGenerated: "GeneratedTokens",
}

const azureHeader = "TIMESTAMP,ContextTokens,GeneratedTokens"

// azureTimeForm describes a valid TIMESTAMP, for errors.
const azureTimeForm = "a time YYYY-MM-DD HH:MM:SS[.fffffff] (up to 9 fractional digits, no time zone, like 2023-11-16 18:17:03.9799600)"

// AzureLLMReader reads the Azure LLM inference trace 2023 (format
// "azure-llm") as a stream of tasks. It implements sim.Source and
// Positioner.
//
// The header names the columns, found by name (case does not matter) in
// any order:
//
//	TIMESTAMP,ContextTokens,GeneratedTokens
//
// All three are required; other columns are ignored, as the openb reader
// ignores columns it does not use. Each row is one task:
//
//	ID            the row's position among the data rows, from 0
//	Arrival       TIMESTAMP minus the first row's TIMESTAMP, to the nanosecond
//	PromptTokens  ContextTokens
//	OutputTokens  GeneratedTokens
//	Work          from the tokens by the reader's TokenModel:
//	              ContextTokens·PrefillPerToken + GeneratedTokens·DecodePerToken
//
// TIMESTAMP reads YYYY-MM-DD HH:MM:SS with an optional fraction of up to
// 9 digits (the trace has 7: 2023-11-16 18:17:03.9799600), parsed exactly
// with integer arithmetic; it names no time zone and none is assumed (only
// differences matter). Rows must be sorted by time: a TIMESTAMP earlier
// than the previous row's is an error, as is an impossible date or time.
// Token counts are non-negative whole numbers of at most 2147483647
// (int32); a negative count, a fraction, or a larger count is an error.
// CRLF line ends, a missing final newline, a byte-order mark, blank lines
// and spaces around values are accepted. A task's work, ContextTokens and
// GeneratedTokens are all that the trace says about it: CPU, memory and
// GPUs are 0.
type AzureLLMReader struct {
	file    string
	cr      *csv.Reader
	idx     [numAzureCols]int // field of each column
	nfields int
	model   TokenModel
	seq     int64
	sec0    int64  // first row's time: seconds since a fixed origin ...
	ns0     int64  // ... and nanoseconds
	sec, ns int64  // the previous row's
	first   []byte // the first and the previous row's TIMESTAMP, for messages
	prev    []byte
	line    int // line of the last task returned (the previous row)
	err     error
}

var _ sim.Source = (*AzureLLMReader)(nil)

// NewAzureLLMReader reads the header row of an Azure LLM inference trace
// from r and returns a reader for its rows, which derives each task's work
// from its tokens by model (DefaultTokenModel, for instance). file names
// the input in errors. An invalid model is a *ParamError; a bad header an
// *Error.
func NewAzureLLMReader(r io.Reader, file string, model TokenModel) (*AzureLLMReader, error) {
	if err := model.Validate(); err != nil {
		return nil, err
	}
	cr := newOpenbCSV(r, file)
	rd := &AzureLLMReader{file: file, cr: cr, model: model}
	header, line, err := readOpenbHeader(cr, file, "the Azure LLM inference trace's header, "+azureHeader)
	if err != nil {
		return nil, err
	}
	rd.nfields = len(header)
	if err := findColumns(rd.idx[:], azureColumns[:], header, file, line); err != nil {
		return nil, err
	}
	for c, name := range azureColumns {
		if rd.idx[c] < 0 {
			return nil, &Error{File: file, Line: line, Column: name,
				Msg: "missing required column; the Azure LLM inference trace's header is " + azureHeader}
		}
	}
	return rd, nil
}

// Position returns the file and the line of the task last returned by
// Next (see Positioner).
func (rd *AzureLLMReader) Position() (file string, line int) { return rd.file, rd.line }

// Next reads the next row into t. It returns io.EOF after the last row and
// an *Error for bad input; after an error it keeps returning it.
func (rd *AzureLLMReader) Next(t *sim.Task) error {
	if rd.err != nil {
		return rd.err
	}
	if err := rd.next(t); err != nil {
		rd.err = err
		return err
	}
	return nil
}

func (rd *AzureLLMReader) next(t *sim.Task) error {
	rec, line, err := readRecord(rd.cr, rd.file, rd.line, rd.nfields)
	if err != nil {
		return err
	}
	c := openbCells{file: rd.file, cr: rd.cr, rec: rec, idx: rd.idx[:], names: azureColumns[:]}

	raw := c.raw(azTime)
	ts := trimSpace(raw)
	sec, ns, why := parseAzureTime(ts)
	switch {
	case ts == "":
		return c.fail(azTime, "expected "+azureTimeForm+", got an empty cell")
	case why != "":
		return c.fail(azTime, fmt.Sprintf("expected %s, got %s (%s)", azureTimeForm, quote(raw), why))
	}
	prompt, ok := c.whole(azContext, "tokens", math.MaxInt32)
	if !ok {
		return c.err
	}
	output, ok := c.whole(azGenerated, "tokens", math.MaxInt32)
	if !ok {
		return c.err
	}

	if rd.seq == 0 {
		rd.sec0, rd.ns0 = sec, ns
		rd.first = append(rd.first[:0], ts...)
	} else if sec < rd.sec || sec == rd.sec && ns < rd.ns {
		return c.fail(azTime, fmt.Sprintf("time %s is earlier than the previous row's %s (line %d); rows must be sorted by time",
			ts, rd.prev, rd.line))
	}
	arrival, ok := sinceFirst(sec-rd.sec0, ns-rd.ns0)
	if !ok {
		return c.fail(azTime, fmt.Sprintf("time %s is more than 9223372036.854775807 seconds after the first row's %s", ts, rd.first))
	}
	work, ok := rd.model.work(int32(prompt), int32(output))
	if !ok {
		return &Error{File: rd.file, Line: line, Msg: fmt.Sprintf(
			"work %d × %s s (ContextTokens × prefill per token) + %d × %s s (GeneratedTokens × decode per token) is more than 9223372036.854775807 seconds",
			prompt, FormatSeconds(rd.model.PrefillPerToken), output, FormatSeconds(rd.model.DecodePerToken))}
	}
	*t = sim.Task{
		ID:           rd.seq,
		Arrival:      arrival,
		Work:         work,
		PromptTokens: int32(prompt),
		OutputTokens: int32(output),
	}
	rd.sec, rd.ns = sec, ns
	rd.prev = append(rd.prev[:0], ts...)
	rd.line = line
	rd.seq++
	return nil
}

// sinceFirst is dsec seconds plus dns nanoseconds (|dns| < 1e9) as a
// sim.Time, with ok false when it does not fit. The sum must not be
// negative.
func sinceFirst(dsec, dns int64) (sim.Time, bool) {
	const maxSec = math.MaxInt64 / int64(sim.Second) // 9223372036
	if dns < 0 {
		dsec--
		dns += int64(sim.Second)
	}
	if dsec > maxSec {
		return 0, false
	}
	v := dsec * int64(sim.Second)
	if dns > 0 && v > math.MaxInt64-dns {
		return 0, false
	}
	return sim.Time(v + dns), true
}

// parseAzureTime parses YYYY-MM-DD HH:MM:SS with an optional fraction of
// 1 to 9 digits into seconds since a fixed origin (not the Unix epoch:
// only differences are used) and nanoseconds. why is empty when s is a
// valid time, else says in a few words what is wrong.
func parseAzureTime(s string) (sec, ns int64, why string) {
	const layout = "dddd-dd-dd dd:dd:dd"
	if len(s) < len(layout) {
		return 0, 0, "too short"
	}
	for i := 0; i < len(layout); i++ {
		if layout[i] == 'd' {
			if !isDigit(s[i]) {
				return 0, 0, fmt.Sprintf("byte %d is not a digit", i+1)
			}
		} else if s[i] != layout[i] {
			return 0, 0, fmt.Sprintf("byte %d is not %q", i+1, layout[i])
		}
	}
	num := func(i, n int) int64 {
		var v int64
		for _, c := range []byte(s[i : i+n]) {
			v = v*10 + int64(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, second := num(11, 2), num(14, 2), num(17, 2)
	switch {
	case month < 1 || month > 12:
		return 0, 0, "no month " + s[5:7]
	case day < 1 || day > daysIn(year, month):
		return 0, 0, "no such date"
	case hour > 23:
		return 0, 0, "hour over 23"
	case minute > 59:
		return 0, 0, "minute over 59"
	case second > 59:
		return 0, 0, "second over 59"
	}
	rest := s[len(layout):]
	if rest != "" && rest[0] == '.' {
		n := 1
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		switch digits := rest[1:n]; {
		case len(digits) == 0:
			return 0, 0, "no digit after the decimal point"
		case len(digits) > 9:
			return 0, 0, "more than 9 fractional digits"
		default:
			for i := 0; i < 9; i++ {
				ns *= 10
				if i < len(digits) {
					ns += int64(digits[i] - '0')
				}
			}
		}
		rest = rest[n:]
	}
	if rest != "" {
		return 0, 0, "unexpected " + quote(rest) + " after the time"
	}
	sec = daysFromCivil(year, month, day)*86400 + hour*3600 + minute*60 + second
	return sec, ns, ""
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(year, month int64) int64 {
	switch month {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil counts the days from an origin before year 0 to the given
// proleptic Gregorian date (year 0 to 9999), by H. Hinnant's algorithm
// with the years shifted by 400 so that nothing is negative.
func daysFromCivil(y, m, d int64) int64 {
	y += 400
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12 // March is 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe
}
