package traces

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/sim"
)

func readAzure(in, file string, m TokenModel) ([]sim.Task, error) {
	r, err := NewAzureLLMReader(strings.NewReader(in), file, m)
	if err != nil {
		return nil, err
	}
	return readAll(r)
}

// azureFixtureTasks are the tasks of testdata/azure_llm.csv (CRLF line
// ends, no final newline) under DefaultTokenModel, worked out by hand.
// Arrivals count from the first row, 2023-11-16 23:59:58.9999999:
//
//	row 3  23:59:59.0000001            0.0000002 s later
//	row 4  2023-11-17 00:00:00.5       1.5000001 s
//	row 5  2023-11-30 23:59:59.9999999 14 days and 1 s: 1209601 s
//	row 6  2023-12-01 00:00:00         1209601.0000001 s
//	row 7  2024-03-01 00:00:00         + 31 (Dec) + 31 (Jan) + 29 (Feb 2024) days
//	                                   = 1209601.0000001 + 7862400 s
//
// Work is 0.2 ms per context token plus 20 ms per generated token:
// 4808·0.2 + 10·20 = 1161.6 ms; 3180·0.2 + 8·20 = 796 ms; 110·0.2 + 27·20
// = 562 ms; 0 + 20 ms; 7437·0.2 + 1899·20 = 39467.4 ms; 3·0.2 + 6·20 =
// 120.6 ms; 1·0.2 ms.
var azureFixtureTasks = []sim.Task{
	{ID: 0, Arrival: 0, Work: 1_161_600_000, PromptTokens: 4808, OutputTokens: 10},
	{ID: 1, Arrival: 0, Work: 796_000_000, PromptTokens: 3180, OutputTokens: 8},
	{ID: 2, Arrival: 200, Work: 562_000_000, PromptTokens: 110, OutputTokens: 27},
	{ID: 3, Arrival: 1_500_000_100, Work: 20_000_000, PromptTokens: 0, OutputTokens: 1},
	{ID: 4, Arrival: 1_209_601_000_000_000, Work: 39_467_400_000, PromptTokens: 7437, OutputTokens: 1899},
	{ID: 5, Arrival: 1_209_601_000_000_100, Work: 120_600_000, PromptTokens: 3, OutputTokens: 6},
	{ID: 6, Arrival: 9_072_001_000_000_100, Work: 200_000, PromptTokens: 1, OutputTokens: 0},
}

// TestAzureLLMFixture reads the fixture through Open by format name, field
// by field, with the line of each task.
func TestAzureLLMFixture(t *testing.T) {
	const path = "testdata/azure_llm.csv"
	src := mustOpen(t, path, "azure-llm")
	if _, ok := src.(*AzureLLMReader); !ok {
		t.Fatalf("Open gave a %T, want *AzureLLMReader", src)
	}
	var task sim.Task
	for i, want := range azureFixtureTasks {
		// A stale task must be overwritten entirely.
		task = sim.Task{CPU: 7, Tenant: "stale", Estimate: 9, GPUs: 1}
		if err := src.Next(&task); err != nil {
			t.Fatalf("task %d: %v", i, err)
		}
		for _, f := range []struct {
			name      string
			got, want int64
		}{
			{"ID", task.ID, want.ID},
			{"Arrival", int64(task.Arrival), int64(want.Arrival)},
			{"Work", int64(task.Work), int64(want.Work)},
			{"PromptTokens", int64(task.PromptTokens), int64(want.PromptTokens)},
			{"OutputTokens", int64(task.OutputTokens), int64(want.OutputTokens)},
		} {
			if f.got != f.want {
				t.Errorf("task %d: %s %d, want %d", i, f.name, f.got, f.want)
			}
		}
		if !reflect.DeepEqual(task, want) {
			t.Errorf("task %d: got %+v, want %+v", i, task, want)
		}
		if file, line := src.(Positioner).Position(); file != path || line != i+2 {
			t.Errorf("task %d: Position() = %s:%d, want %s:%d", i, file, line, path, i+2)
		}
	}
	if err := src.Next(&task); err != io.EOF {
		t.Fatalf("after the last row: %v, want io.EOF", err)
	}
	if err := src.Next(&task); err != io.EOF {
		t.Fatalf("io.EOF is not sticky: %v", err)
	}
	if got := DefaultTokenModel.Work(4808, 10); got != azureFixtureTasks[0].Work {
		t.Errorf("DefaultTokenModel.Work(4808, 10) = %d, want %d", got, azureFixtureTasks[0].Work)
	}
}

// TestAzureLLMTokenModel reads the fixture with a model of its own: work
// follows the model, nothing else changes.
func TestAzureLLMTokenModel(t *testing.T) {
	m := TokenModel{PrefillPerToken: sim.Millisecond, DecodePerToken: 10 * sim.Millisecond}
	src, c, err := openFile("testdata/azure_llm.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := NewAzureLLMReader(src, "azure_llm.csv", m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]sim.Task(nil), azureFixtureTasks...)
	works := []sim.Time{4908 * sim.Millisecond, 3260 * sim.Millisecond, 380 * sim.Millisecond,
		10 * sim.Millisecond, 26427 * sim.Millisecond, 63 * sim.Millisecond, sim.Millisecond}
	for i := range want {
		want[i].Work = works[i]
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	// A zero model: work 0, tokens kept.
	got, err = readAzure("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03,5,6\n", "z.csv", TokenModel{})
	if err != nil || !reflect.DeepEqual(got, []sim.Task{{PromptTokens: 5, OutputTokens: 6}}) {
		t.Errorf("zero model: got %+v, %v", got, err)
	}
}

// TestAzureLLMLeniency lists what the reader accepts besides the trace's
// own layout: other line ends, a byte-order mark, columns in any order and
// of any case, extra columns, blank lines, spaces, quoting, and fractions
// of 0 to 9 digits.
func TestAzureLLMLeniency(t *testing.T) {
	want := []sim.Task{
		{ID: 0, Arrival: 0, Work: DefaultTokenModel.Work(10, 2), PromptTokens: 10, OutputTokens: 2},
		{ID: 1, Arrival: 1_500_000_001, Work: DefaultTokenModel.Work(0, 0)},
	}
	for _, tc := range []struct{ name, in string }{
		{"LF, final newline", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03,10,2\n2023-11-16 18:17:04.500000001,0,0\n"},
		{"CRLF, no final newline", "TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:17:03,10,2\r\n2023-11-16 18:17:04.500000001,0,0"},
		{"byte-order mark", "\uFEFFTIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03,10,2\n2023-11-16 18:17:04.500000001,0,0\n"},
		{"reordered, other case, extra column", "generatedtokens,Note,timestamp,CONTEXTTOKENS\n2,a,2023-11-16 18:17:03.0,10\n0,b,2023-11-16 18:17:04.500000001,0\n"},
		{"blank lines and spaces", "\n TIMESTAMP , ContextTokens , GeneratedTokens \r\n\r\n 2023-11-16 18:17:03.000 , 10 ,\t2\r\n\r\n2023-11-16 18:17:04.500000001,0,0\r\n"},
		{"quoted fields and whole decimals", "\"TIMESTAMP\",\"ContextTokens\",\"GeneratedTokens\"\n\"2023-11-16 18:17:03\",\"1e1\",2.0\n\"2023-11-16 18:17:04.500000001\",0,0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAzure(tc.in, "x.csv", DefaultTokenModel)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
	// A header alone is a trace of no task.
	if got, err := readAzure("TIMESTAMP,ContextTokens,GeneratedTokens", "h.csv", DefaultTokenModel); err != nil || len(got) != 0 {
		t.Errorf("header only: %+v, %v", got, err)
	}
}

// TestAzureLLMTimes checks the timestamp arithmetic across days, months,
// leap years and centuries against differences worked out by hand.
func TestAzureLLMTimes(t *testing.T) {
	const day = 86400 * sim.Second
	for _, tc := range []struct {
		from, to string
		want     sim.Time
	}{
		{"2023-11-16 18:17:03.9799600", "2023-11-16 19:14:19.9280160", 3435948056000},
		{"2023-12-31 23:59:59.9999999", "2024-01-01 00:00:00", 100},
		{"2024-02-28 00:00:00", "2024-03-01 00:00:00", 2 * day},     // 2024 is a leap year
		{"2023-02-28 00:00:00", "2023-03-01 00:00:00", day},         // 2023 is not
		{"1900-02-28 00:00:00", "1900-03-01 00:00:00", day},         // nor 1900
		{"2000-02-28 00:00:00", "2000-03-01 00:00:00", 2 * day},     // but 2000 is
		{"2023-01-01 00:00:00", "2024-01-01 00:00:00", 365 * day},   // a common year
		{"2000-01-01 00:00:00", "2100-01-01 00:00:00", 36525 * day}, // 25 leap years in 100
		{"0000-01-01 00:00:00", "0001-01-01 00:00:00", 366 * day},   // year 0 is a leap year
		{"9999-12-31 23:59:58.000000001", "9999-12-31 23:59:59.1", 1_099_999_999},
		{"1970-01-01 00:00:00", "2262-04-11 23:47:16.854775807", sim.MaxTime}, // the largest span
	} {
		in := "TIMESTAMP,ContextTokens,GeneratedTokens\n" + tc.from + ",1,1\n" + tc.to + ",1,1\n"
		got, err := readAzure(in, "t.csv", DefaultTokenModel)
		if err != nil {
			t.Errorf("%s to %s: %v", tc.from, tc.to, err)
			continue
		}
		if got[1].Arrival != tc.want {
			t.Errorf("%s to %s: %d ns, want %d", tc.from, tc.to, got[1].Arrival, tc.want)
		}
	}
}

// TestAzureTimeAgainstTimePackage compares the timestamp parser with the
// time package on random instants of the years 0000 to 9999, written with
// 9, 7 or no fractional digits: seconds from a reference instant and the
// nanoseconds must agree.
func TestAzureTimeAgainstTimePackage(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ref := time.Date(2023, 11, 16, 18, 17, 3, 0, time.UTC)
	refSec, _, why := parseAzureTime("2023-11-16 18:17:03")
	if why != "" {
		t.Fatal(why)
	}
	lo := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	layouts := []string{"2006-01-02 15:04:05.000000000", "2006-01-02 15:04:05.0000000", "2006-01-02 15:04:05"}
	units := []int{1, 100, 1e9}
	for range 200_000 {
		tm := time.Unix(lo+rng.Int64N(hi-lo), rng.Int64N(1e9)).UTC()
		k := rng.IntN(len(layouts))
		s := tm.Format(layouts[k])
		sec, ns, why := parseAzureTime(s)
		wantNs := int64(tm.Nanosecond() / units[k] * units[k])
		if why != "" || sec-refSec != tm.Unix()-ref.Unix() || ns != wantNs {
			t.Fatalf("%s: %d s from the reference and %d ns (%s), want %d s and %d ns",
				s, sec-refSec, ns, why, tm.Unix()-ref.Unix(), wantNs)
		}
	}
}

// TestAzureLLMErrors lists the reader's errors, each with its full text:
// file, line, byte column, column name and what was expected.
func TestAzureLLMErrors(t *testing.T) {
	const (
		head = "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
		row  = "2023-11-16 18:17:03.9799600,4808,10\r\n"
		form = "expected a time YYYY-MM-DD HH:MM:SS[.fffffff] (up to 9 fractional digits, no time zone, like 2023-11-16 18:17:03.9799600), got "
		toks = "expected a non-negative whole number of tokens, got "
	)
	for _, tc := range []struct {
		name, in string
		model    TokenModel
		want     string
	}{
		// Header.
		{"empty file", "", DefaultTokenModel,
			`a.csv:1: empty file: expected the Azure LLM inference trace's header, TIMESTAMP,ContextTokens,GeneratedTokens`},
		{"missing GeneratedTokens", "TIMESTAMP,ContextTokens\r\n" + "2023-11-16 18:17:03,1\r\n", DefaultTokenModel,
			`a.csv:1: column GeneratedTokens: missing required column; the Azure LLM inference trace's header is TIMESTAMP,ContextTokens,GeneratedTokens`},
		{"missing TIMESTAMP", "time,ContextTokens,GeneratedTokens\r\n", DefaultTokenModel,
			`a.csv:1: column TIMESTAMP: missing required column; the Azure LLM inference trace's header is TIMESTAMP,ContextTokens,GeneratedTokens`},
		{"no header", row, DefaultTokenModel,
			`a.csv:1: column TIMESTAMP: missing required column; the Azure LLM inference trace's header is TIMESTAMP,ContextTokens,GeneratedTokens`},
		{"duplicate column", "TIMESTAMP,ContextTokens,GeneratedTokens,contexttokens\r\n", DefaultTokenModel,
			`a.csv:1: column ContextTokens: duplicate column (fields 2 and 4 of the header)`},

		// Row shape.
		{"too few fields", head + row + "2023-11-16 18:17:04,1\r\n", DefaultTokenModel,
			`a.csv:3: expected 3 fields, as in the header, got 2`},
		{"too many fields", head + "2023-11-16 18:17:04,1,2,3", DefaultTokenModel,
			`a.csv:2: expected 3 fields, as in the header, got 4`},
		{"bad quoting", head + "\"2023-11-16 18:17:04\"x,1,2\r\n", DefaultTokenModel,
			`a.csv:2: malformed CSV at byte 21 of the line: extraneous or missing " in quoted-field`},

		// TIMESTAMP.
		{"empty timestamp", head + ",1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: expected a time YYYY-MM-DD HH:MM:SS[.fffffff] (up to 9 fractional digits, no time zone, like 2023-11-16 18:17:03.9799600), got an empty cell`},
		{"slashes", head + "2023/11/16 18:17:03.9799600,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023/11/16 18:17:03.9799600" (byte 5 is not '-')`},
		{"ISO T", head + "2023-11-16T18:17:03,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-11-16T18:17:03" (byte 11 is not ' ')`},
		{"time zone", head + "2023-11-16 18:17:03.9799600Z,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-11-16 18:17:03.9799600Z" (unexpected "Z" after the time)`},
		{"date only", head + "2023-11-16,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-11-16" (too short)`},
		{"Unix seconds", head + "1700158623.97996,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"1700158623.97996" (too short)`},
		{"letters", head + "2023-11-16 18:1x:03,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-11-16 18:1x:03" (byte 16 is not a digit)`},
		{"month 13", head + "2023-13-01 00:00:00,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-13-01 00:00:00" (no month 13)`},
		{"February 29 of a common year", head + "2023-02-29 00:00:00,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-02-29 00:00:00" (no such date)`},
		{"day 0", head + "2023-11-00 00:00:00,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-11-00 00:00:00" (no such date)`},
		{"hour 24", head + "2023-11-16 24:00:00,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-11-16 24:00:00" (hour over 23)`},
		{"minute 60", head + "2023-11-16 23:60:00,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-11-16 23:60:00" (minute over 59)`},
		{"leap second", head + "2016-12-31 23:59:60,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2016-12-31 23:59:60" (second over 59)`},
		{"point without digits", head + "2023-11-16 18:17:03.,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-11-16 18:17:03." (no digit after the decimal point)`},
		{"ten fractional digits", head + "2023-11-16 18:17:03.9799600000,1,2\r\n", DefaultTokenModel,
			`a.csv:2:1: column TIMESTAMP: ` + form + `"2023-11-16 18:17:03.9799600000" (more than 9 fractional digits)`},
		{"going backwards", head + "2023-11-16 18:17:04.0000000,1,2\r\n\r\n" + row, DefaultTokenModel,
			`a.csv:4:1: column TIMESTAMP: time 2023-11-16 18:17:03.9799600 is earlier than the previous row's 2023-11-16 18:17:04.0000000 (line 2); rows must be sorted by time`},
		{"backwards by 100 ns", head + row + "2023-11-16 18:17:03.9799599,1,2\r\n", DefaultTokenModel,
			`a.csv:3:1: column TIMESTAMP: time 2023-11-16 18:17:03.9799599 is earlier than the previous row's 2023-11-16 18:17:03.9799600 (line 2); rows must be sorted by time`},
		{"more than 292 years", head + "1700-01-01 00:00:00,1,2\r\n2000-01-01 00:00:00,1,2\r\n", DefaultTokenModel,
			`a.csv:3:1: column TIMESTAMP: time 2000-01-01 00:00:00 is more than 9223372036.854775807 seconds after the first row's 1700-01-01 00:00:00`},
		{"one ns more than the largest span", head + "1970-01-01 00:00:00,1,2\r\n2262-04-11 23:47:16.854775808,1,2\r\n", DefaultTokenModel,
			`a.csv:3:1: column TIMESTAMP: time 2262-04-11 23:47:16.854775808 is more than 9223372036.854775807 seconds after the first row's 1970-01-01 00:00:00`},

		// Tokens.
		{"negative tokens", head + "2023-11-16 18:17:03.9799600,-5,10\r\n", DefaultTokenModel,
			`a.csv:2:29: column ContextTokens: ` + toks + `"-5" (negative)`},
		{"fractional tokens", head + "2023-11-16 18:17:03.9799600,4808,1.5\r\n", DefaultTokenModel,
			`a.csv:2:34: column GeneratedTokens: ` + toks + `"1.5" (fractions are not allowed)`},
		{"tokens above int32", head + "2023-11-16 18:17:03.9799600,2147483648,1\r\n", DefaultTokenModel,
			`a.csv:2:29: column ContextTokens: value "2147483648" is out of range (at most 2147483647)`},
		{"huge tokens", head + "2023-11-16 18:17:03.9799600,1,1e400\r\n", DefaultTokenModel,
			`a.csv:2:31: column GeneratedTokens: value "1e400" is out of range (at most 2147483647)`},
		{"tokens not a number", head + "2023-11-16 18:17:03.9799600,many,1\r\n", DefaultTokenModel,
			`a.csv:2:29: column ContextTokens: ` + toks + `"many"`},
		{"tokens NaN", head + "2023-11-16 18:17:03.9799600,1,NaN\r\n", DefaultTokenModel,
			`a.csv:2:31: column GeneratedTokens: ` + toks + `"NaN"`},
		{"empty tokens", head + "2023-11-16 18:17:03.9799600,,1\r\n", DefaultTokenModel,
			`a.csv:2:29: column ContextTokens: ` + toks + `an empty cell`},

		// Work.
		{"work overflows", head + "2023-11-16 18:17:03,2000000000,3\r\n", TokenModel{PrefillPerToken: 5 * sim.Second, DecodePerToken: sim.Millisecond},
			`a.csv:2: work 2000000000 × 5 s (ContextTokens × prefill per token) + 3 × 0.001 s (GeneratedTokens × decode per token) is more than 9223372036.854775807 seconds`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAzure(tc.in, "a.csv", tc.model)
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			var te *Error
			if !errors.As(err, &te) || te.Line < 1 {
				t.Fatalf("error %v (%T), want a *traces.Error with a line", err, err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

// TestAzureLLMStickyError checks that the reader keeps returning its first
// error, and that Position stays at the last good row.
func TestAzureLLMStickyError(t *testing.T) {
	in := "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03,1,2\n2023-11-16 18:17:02,1,2\n2023-11-16 18:17:09,1,2\n"
	r, err := NewAzureLLMReader(strings.NewReader(in), "s.csv", DefaultTokenModel)
	if err != nil {
		t.Fatal(err)
	}
	var task sim.Task
	if err := r.Next(&task); err != nil {
		t.Fatal(err)
	}
	first := r.Next(&task)
	if first == nil || r.Next(&task) != first {
		t.Fatalf("errors %v then %v, want the same error twice", first, r.Next(&task))
	}
	if _, line := r.Position(); line != 2 {
		t.Errorf("Position line %d after the error, want 2", line)
	}
}

// TestTokenModel checks the work formula, its saturation and Validate.
func TestTokenModel(t *testing.T) {
	m := TokenModel{PrefillPerToken: 3, DecodePerToken: 7}
	if got := m.Work(10, 100); got != 730 {
		t.Errorf("Work(10, 100) = %d, want 730", got)
	}
	if got := m.Work(-1, -1); got != 0 {
		t.Errorf("Work(-1, -1) = %d, want 0", got)
	}
	if got := DefaultTokenModel.Work(math.MaxInt32, math.MaxInt32); got != 2147483647*(200_000+20_000_000) {
		t.Errorf("DefaultTokenModel.Work(max, max) = %d", got)
	}
	big := TokenModel{PrefillPerToken: sim.MaxTime / 2, DecodePerToken: sim.MaxTime / 2}
	if got := big.Work(1, 1); got != sim.MaxTime-1 {
		t.Errorf("Work(1, 1) = %d, want %d", got, sim.MaxTime-1)
	}
	for _, in := range [][2]int32{{3, 0}, {0, 3}, {2, 1}, {math.MaxInt32, math.MaxInt32}} {
		if got, ok := big.work(in[0], in[1]); got != sim.MaxTime || ok {
			t.Errorf("work%v = %d, %v; want sim.MaxTime, false", in, got, ok)
		}
	}
	if err := DefaultTokenModel.Validate(); err != nil {
		t.Errorf("DefaultTokenModel: %v", err)
	}
	for _, tc := range []struct {
		m    TokenModel
		want string
	}{
		{TokenModel{PrefillPerToken: -1}, "token model: parameter prefill_per_token: expected a non-negative time per token, got -0.000000001 s"},
		{TokenModel{DecodePerToken: -sim.Millisecond}, "token model: parameter decode_per_token: expected a non-negative time per token, got -0.001 s"},
	} {
		err := tc.m.Validate()
		var pe *ParamError
		if !errors.As(err, &pe) || err.Error() != tc.want {
			t.Errorf("Validate(%+v) = %v, want %s", tc.m, err, tc.want)
		}
		if _, err := NewAzureLLMReader(strings.NewReader(""), "m.csv", tc.m); !errors.As(err, &pe) {
			t.Errorf("NewAzureLLMReader with %+v: %v, want a *ParamError", tc.m, err)
		}
	}
}

// TestAzureLLMNative converts the fixture to each native format and back:
// tokens, arrivals and work survive unchanged.
func TestAzureLLMNative(t *testing.T) {
	for _, format := range []string{"csv", "jsonl"} {
		if got := writeRead(t, format, azureFixtureTasks); !reflect.DeepEqual(got, azureFixtureTasks) {
			t.Errorf("%s: got\n%+v\nwant\n%+v", format, got, azureFixtureTasks)
		}
	}
}

// TestAzureLLMRealTrace reads the whole coding-service trace with the figures
// of the shared README: 8,819 requests from 2023-11-16 18:17:03.9799600
// to 19:14:19.9280160, a span of 57 min 15.948056 s = 3435.948056 s;
// ContextTokens 3 to 7,437 (median 1,469), GeneratedTokens 6 to 1,899
// (median 13); sorted by time, so the reader accepts it whole.
func TestAzureLLMRealTrace(t *testing.T) {
	const rel = "azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv"
	path := sharedTrace(t, rel)
	src := mustOpen(t, path, "azure-llm")
	var (
		n, sumP, sumO int64
		last          sim.Time
		minP, minO    int32 = math.MaxInt32, math.MaxInt32
		maxP, maxO    int32
		prevLine      int
		task          sim.Task
		tasks         []sim.Task
	)
	for {
		err := src.Next(&task)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if task.ID != n {
			t.Fatalf("task %d has id %d, want its row position", n, task.ID)
		}
		if n == 0 && task.Arrival != 0 {
			t.Fatalf("first arrival %v, want 0", task.Arrival)
		}
		if task.Work != DefaultTokenModel.Work(task.PromptTokens, task.OutputTokens) {
			t.Fatalf("task %d: work %v is not the default model's for %d and %d tokens", n, task.Work, task.PromptTokens, task.OutputTokens)
		}
		if _, line := src.(Positioner).Position(); line != int(n)+2 {
			t.Fatalf("task %d on line %d, want %d", n, line, n+2)
		} else {
			prevLine = line
		}
		last = task.Arrival
		minP, maxP = min(minP, task.PromptTokens), max(maxP, task.PromptTokens)
		minO, maxO = min(minO, task.OutputTokens), max(maxO, task.OutputTokens)
		sumP += int64(task.PromptTokens)
		sumO += int64(task.OutputTokens)
		tasks = append(tasks, task)
		n++
	}
	if n != 8819 || prevLine != 8820 {
		t.Errorf("%d tasks, the last on line %d; want 8819 and 8820", n, prevLine)
	}
	if last != 3_435_948_056_000 {
		t.Errorf("last arrival %d ns, want 3435948056000 (3435.948056 s)", last)
	}
	if minP != 3 || maxP != 7437 || minO != 6 || maxO != 1899 {
		t.Errorf("ContextTokens %d to %d, GeneratedTokens %d to %d; want 3 to 7437 and 6 to 1899", minP, maxP, minO, maxO)
	}
	// What trace convert does: the native formats keep every field, tokens
	// included.
	for _, format := range []string{"csv", "jsonl"} {
		if got := writeRead(t, format, tasks); !reflect.DeepEqual(got, tasks) {
			t.Errorf("%s round trip changed the tasks", format)
		}
	}

	st, err := ComputeStats(mustOpen(t, path, "azure-llm"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Count != 8819 || st.TokenTasks != 8819 || st.First != 0 || st.Last != last || st.OutOfOrder != 0 {
		t.Errorf("stats %+v", st)
	}
	// Medians and maxima from the README; the 99th percentiles (nearest
	// rank, the 8731st of 8819) measured independently, by sorting the
	// columns with a short script.
	if p := st.PromptTokens; p.P50 != 1469 || p.P99 != 7436 || p.Max != 7437 || p.Mean != float64(sumP)/8819 {
		t.Errorf("prompt tokens %+v, want median 1469, p99 7436, max 7437, mean %g", p, float64(sumP)/8819)
	}
	if o := st.OutputTokens; o.P50 != 13 || o.P99 != 252 || o.Max != 1899 || o.Mean != float64(sumO)/8819 {
		t.Errorf("output tokens %+v, want median 13, p99 252, max 1899, mean %g", o, float64(sumO)/8819)
	}
	// The README's rate: 8,819 requests over 3,435.9 s, 2.57 per second.
	if math.Abs(st.Rate-8818/3435.948056) > 1e-12 || math.Round(st.Rate*100) != 257 {
		t.Errorf("rate %g per second, want 2.57", st.Rate)
	}
	t.Logf("%d requests over %.6f s (%.4f/s); ContextTokens mean %.2f p50 %d p99 %d max %d; GeneratedTokens mean %.2f p50 %d p99 %d max %d; work mean %.4f s, total %.1f s",
		st.Count, last.Seconds(), st.Rate, st.PromptTokens.Mean, st.PromptTokens.P50, st.PromptTokens.P99, st.PromptTokens.Max,
		st.OutputTokens.Mean, st.OutputTokens.P50, st.OutputTokens.P99, st.OutputTokens.Max, st.DurationMean, st.DurationTotal)
}
