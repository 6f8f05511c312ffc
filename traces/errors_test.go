package traces

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// readAll reads every task of src, stopping at the first error.
func readAll(src sim.Source) ([]sim.Task, error) {
	var tasks []sim.Task
	for {
		var t sim.Task
		err := src.Next(&t)
		if err == io.EOF {
			return tasks, nil
		}
		if err != nil {
			return tasks, err
		}
		tasks = append(tasks, t)
	}
}

func readCSV(in, file string) ([]sim.Task, error) {
	r, err := NewCSVReader(strings.NewReader(in), file)
	if err != nil {
		return nil, err
	}
	return readAll(r)
}

func readJSONL(in, file string) ([]sim.Task, error) {
	r, err := NewJSONLReader(strings.NewReader(in), file)
	if err != nil {
		return nil, err
	}
	return readAll(r)
}

const allowed = "id, arrival, duration, cpu, memory, gpus, gpu_milli, priority, tenant, region, class, gpu_spec, estimate, prompt_tokens, output_tokens, workflow, parents, output_bytes, nodes"

// TestErrorMessages lists every kind of error the native readers report,
// with the full text: file, line, column and what was expected.
func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		name, format, in, want string
	}{
		// Header problems (CSV).
		{"empty file", "csv", "",
			`jobs.csv:1: empty file: expected a header row naming at least the columns arrival and duration`},
		{"missing required column", "csv", "arrival,cpu\n1,2\n",
			`jobs.csv:1: column duration: missing required column`},
		{"unknown column", "csv", "arrival,duration,colour\n",
			`jobs.csv:1: column colour: unknown column; allowed columns: ` + allowed},
		{"unknown column with a space", "csv", "arrival,duration,run time\n",
			`jobs.csv:1: column "run time": unknown column; allowed columns: ` + allowed},
		{"no header", "csv", "0,1.5\n1,2\n",
			`jobs.csv:1: column 0: unknown column; the first row must be a header naming the columns (allowed: ` + allowed + `)`},
		{"empty column name", "csv", "arrival,,duration\n",
			`jobs.csv:1: field 2 of the header is empty; allowed columns: ` + allowed},
		{"duplicate column", "csv", "arrival,duration,arrival\n",
			`jobs.csv:1: column arrival: duplicate column (fields 1 and 3 of the header)`},

		// Row shape (CSV).
		{"too many fields", "csv", "arrival,duration\n0,1\n1,1,3\n",
			`jobs.csv:3: expected 2 fields, as in the header, got 3`},
		{"too few fields", "csv", "arrival,duration\n0\n",
			`jobs.csv:2: expected 2 fields, as in the header, got 1`},
		{"bad quoting", "csv", "arrival,duration\n\"1\"x,1\n",
			`jobs.csv:2: malformed CSV at byte 3 of the line: extraneous or missing " in quoted-field`},

		// Values (the same messages in both formats).
		{"not a number", "csv", "arrival,duration\n0,abc\n",
			`jobs.csv:2: column duration: expected a non-negative number of seconds, got "abc"`},
		{"empty required cell", "csv", "arrival,duration\n,1\n",
			`jobs.csv:2: column arrival: expected a non-negative number of seconds, got an empty cell`},
		{"negative", "csv", "arrival,duration\n0,-2\n",
			`jobs.csv:2: column duration: expected a non-negative number of seconds, got "-2"`},
		{"NaN", "csv", "arrival,duration\nNaN,1\n",
			`jobs.csv:2: column arrival: expected a non-negative number of seconds, got "NaN" (not a finite number)`},
		{"Inf", "csv", "arrival,duration\n0,+Inf\n",
			`jobs.csv:2: column duration: expected a non-negative number of seconds, got "+Inf" (not a finite number)`},
		{"seconds overflow", "csv", "arrival,duration\n0,1e10\n",
			`jobs.csv:2: column duration: value "1e10" is out of range (at most 9223372036.854775807 seconds)`},
		{"cpu negative", "csv", "arrival,duration,cpu\n0,1,-0.5\n",
			`jobs.csv:2: column cpu: expected a non-negative number of cores, got "-0.5"`},
		{"gpu_milli over 1000", "csv", "arrival,duration,gpu_milli\n0,1,1001\n",
			`jobs.csv:2: column gpu_milli: expected an integer from 0 to 1000 (thousandths of one GPU), got "1001"`},
		{"gpus fraction", "csv", "arrival,duration,gpus\n0,1,1.5\n",
			`jobs.csv:2: column gpus: expected a non-negative whole number of GPUs, got "1.5"`},
		{"priority overflow", "csv", "arrival,duration,priority\n0,1,3000000000\n",
			`jobs.csv:2: column priority: value "3000000000" is out of range (from -2147483648 to 2147483647)`},
		{"id not an integer", "csv", "id,arrival,duration\nx7,0,1\n",
			`jobs.csv:2: column id: expected an integer, got "x7"`},
		{"bad memory suffix", "csv", "arrival,duration,memory\n0,1,12Gb\n",
			`jobs.csv:2: column memory: expected a non-negative number of bytes, optionally with a suffix K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024), got "12Gb"`},
		{"memory not whole bytes", "csv", "arrival,duration,memory\n0,1,1.3Ki\n",
			`jobs.csv:2: column memory: value "1.3Ki" is not a whole number of bytes`},
		{"memory overflow", "csv", "arrival,duration,memory\n0,1,9000000Ti\n",
			`jobs.csv:2: column memory: value "9000000Ti" is out of range (at most 9223372036854775807 bytes)`},
		{"estimate negative", "csv", "arrival,duration,estimate\n0,1,-60\n",
			`jobs.csv:2: column estimate: expected a non-negative number of seconds, got "-60"`},
		{"prompt_tokens negative", "csv", "arrival,duration,prompt_tokens\n0,1,-3\n",
			`jobs.csv:2: column prompt_tokens: expected a non-negative whole number of tokens, got "-3"`},
		{"output_tokens fraction", "csv", "arrival,duration,output_tokens\n0,1,2.5\n",
			`jobs.csv:2: column output_tokens: expected a non-negative whole number of tokens, got "2.5"`},
		{"prompt_tokens overflow", "csv", "arrival,duration,prompt_tokens\n0,1,2147483648\n",
			`jobs.csv:2: column prompt_tokens: value "2147483648" is out of range (at most 2147483647)`},
		{"estimate not a number", "csv", "arrival,duration,estimate\n0,1,1h\n",
			`jobs.csv:2: column estimate: expected a non-negative number of seconds, got "1h"`},
		{"arrival going backwards", "csv", "arrival,duration\n2,1\n\n1.5,1\n",
			`jobs.csv:4: column arrival: arrival 1.5 is earlier than the previous task's 2 (line 2); tasks must be sorted by arrival`},
		{"long value cut", "csv", "arrival,duration\n0," + strings.Repeat("9", 100) + "x\n",
			`jobs.csv:2: column duration: expected a non-negative number of seconds, got "` + strings.Repeat("9", 64) + `"... (101 bytes)`},

		// JSONL.
		{"bad JSON", "jsonl", `{"arrival":1,"duration":2` + "\n",
			`jobs.jsonl:1: invalid JSON: line ends early, expected ',' or '}' after the value of "duration"`},
		{"bad JSON token", "jsonl", "\n" + `{"arrival":1,"duration":tru}` + "\n",
			`jobs.jsonl:2: invalid JSON at byte 25: expected a value, found "t"`},
		{"not an object", "jsonl", "[1,2]\n",
			`jobs.jsonl:1: invalid JSON at byte 1: expected a JSON object, '{', found "["`},
		{"trailing data", "jsonl", `{"arrival":1,"duration":2} 3` + "\n",
			`jobs.jsonl:1: invalid JSON at byte 28: expected the end of the line after the JSON object, found "3"`},
		{"unknown JSON key", "jsonl", `{"arrival":1,"duration":2,"gpu":1}` + "\n",
			`jobs.jsonl:1: column gpu: unknown key; allowed keys: ` + allowed},
		{"duplicate JSON key", "jsonl", `{"arrival":1,"duration":2,"arrival":3}` + "\n",
			`jobs.jsonl:1: column arrival: duplicate key`},
		{"missing JSON key", "jsonl", `{"arrival":1}` + "\n",
			`jobs.jsonl:1: column duration: missing required key`},
		{"wrong JSON type string", "jsonl", `{"arrival":"1","duration":2}` + "\n",
			`jobs.jsonl:1: column arrival: expected a number (a non-negative number of seconds), got a string "1"`},
		{"wrong JSON type number", "jsonl", `{"arrival":1,"duration":2,"tenant":7}` + "\n",
			`jobs.jsonl:1: column tenant: expected a string, got a number "7"`},
		{"wrong JSON type bool", "jsonl", `{"arrival":1,"duration":2,"gpus":true}` + "\n",
			`jobs.jsonl:1: column gpus: expected a number (a non-negative whole number of GPUs), got a boolean`},
		{"wrong JSON type object", "jsonl", `{"arrival":1,"duration":2,"memory":{"gi":1}}` + "\n",
			`jobs.jsonl:1: column memory: expected a number or a size string (a non-negative number of bytes, optionally with a suffix K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024)), got an object`},
		{"wrong JSON type gpu_spec", "jsonl", `{"arrival":1,"duration":2,"gpu_spec":["T4"]}` + "\n",
			`jobs.jsonl:1: column gpu_spec: expected a string, got an array`},
		{"wrong JSON type estimate", "jsonl", `{"arrival":1,"duration":2,"estimate":"60"}` + "\n",
			`jobs.jsonl:1: column estimate: expected a number (a non-negative number of seconds), got a string "60"`},
		{"wrong JSON type tokens", "jsonl", `{"arrival":1,"duration":2,"output_tokens":"7"}` + "\n",
			`jobs.jsonl:1: column output_tokens: expected a number (a non-negative whole number of tokens), got a string "7"`},
		{"null required", "jsonl", `{"arrival":1,"duration":null}` + "\n",
			`jobs.jsonl:1: column duration: expected a non-negative number of seconds, got null`},
		{"JSON negative", "jsonl", `{"arrival":1,"duration":-1e-9}` + "\n",
			`jobs.jsonl:1: column duration: expected a non-negative number of seconds, got "-1e-9"`},
		{"JSON bad size string", "jsonl", `{"arrival":1,"duration":1,"memory":"lots"}` + "\n",
			`jobs.jsonl:1: column memory: expected a non-negative number of bytes, optionally with a suffix K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024), got "lots"`},
		{"JSON backwards", "jsonl", `{"arrival":2,"duration":1}` + "\n\n" + `{"arrival":1,"duration":1}` + "\n",
			`jobs.jsonl:3: column arrival: arrival 1 is earlier than the previous task's 2 (line 1); tasks must be sorted by arrival`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.format == "csv" {
				_, err = readCSV(tc.in, "jobs.csv")
			} else {
				_, err = readJSONL(tc.in, "jobs.jsonl")
			}
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("error %v is a %T, want *traces.Error", err, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestErrorIsSticky checks that a reader keeps returning its first error.
func TestErrorIsSticky(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("arrival,duration\nx,1\n1,1\n"), "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	var task sim.Task
	first := r.Next(&task)
	if first == nil || r.Next(&task) != first {
		t.Fatalf("errors %v then %v, want the same error twice", first, r.Next(&task))
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.csv", Line: 3, Column: "cpu", Msg: "m"}, "a.csv:3: column cpu: m"},
		{Error{File: "a.csv", Line: 3, Msg: "m"}, "a.csv:3: m"},
		{Error{File: "a.swf", Line: 3, Col: 7, Column: "run_time", Msg: "m"}, "a.swf:3:7: column run_time: m"},
		{Error{File: "a.swf", Col: 7, Msg: "m"}, "a.swf: m"},
		{Error{File: "a.csv", Msg: "m"}, "a.csv: m"},
		{Error{File: "a.csv", Line: 1, Column: "a\nb", Msg: "m"}, `a.csv:1: column "a\nb": m`},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	cause := errors.New("disk on fire")
	if err := error(&Error{File: "a", Msg: "m", Err: cause}); !errors.Is(err, cause) {
		t.Errorf("errors.Is does not reach the cause")
	}
}
