package traces

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fleetsim/fleetsim/sim"
)

// The fuzz targets feed arbitrary bytes to the readers. A reader must
// never panic; it returns tasks that satisfy the format's rules, then
// io.EOF or an *Error naming the file. Every task it returns must survive
// a write and a read in both formats unchanged (strings aside where JSON
// cannot carry them: invalid UTF-8 becomes U+FFFD there).
//
// Seeds: the cases below, plus testdata/fuzz/<target>/, which go test
// always runs as ordinary subtests.

var csvSeeds = []string{
	"",
	"arrival,duration\n",
	"arrival,duration\n0,1\n0.5,2.25\n",
	"id,arrival,duration,cpu,memory,gpus,gpu_milli,priority,tenant,region,class\n1,0,1.5,2,4Gi,0,0,0,alice,us-east,web\n2,0.25,1e-9,0.5,512Mi,1,1000,-10,\"b,ob\",\"eu\nwest\",\"say \"\"hi\"\"\"\n",
	"\uFEFF arrival , duration \r\n1,1\r\n\r\n2,2",
	"arrival,duration\n1.0000000005,9223372036.854775807\n",
	"arrival,duration,arrival\n",
	"arrival,duration\n\"1\"x,1\n",
	"arrival,duration,memory\n0,1,1.5Gi\n0,1,1e-999999999Ki\n",
	"arrival,duration,id\n0,1,-9223372036854775808\n0,1,\n",
	"arrival,duration\n2,1\n1,1\n",
	"arrival,duration\n1,NaN\n",
	"0,1\n",
	"arrival,duration,tenant\n0,1,a\rb\n",
}

var jsonlSeeds = []string{
	"",
	"\n \n",
	`{"arrival":0,"duration":1}`,
	`{"id":3,"arrival":0.25,"duration":12,"cpu":16,"memory":"64G","gpus":1,"gpu_milli":500,"priority":-1,"tenant":"carol, inc","region":"us-east","class":"say \"hi\""}`,
	`{"arrival":1e0,"duration":1.5E-3,"memory":1e9,"id":null,"tenant":"\u00e9\ud83d\ude00\/"}` + "\r\n" + `{"arrival":2,"duration":0}`,
	`{"arrival":1,"duration":2,"arrival":3}`,
	`{"arrival":1,"duration":2`,
	`{"arrival":"1","duration":2}`,
	`{"arrival":1,"duration":2,"tenant":[1,{"a":2}]}`,
	`{"arrival":1,"duration":2} x`,
	`{"arrival":-0,"duration":-0.0e5}`,
	"{\"arrival\":0,\"duration\":1,\"tenant\":\"bad \xff\"}",
	`{"arrival":1,"duration":1,"k\u0065y":1}`,
	`[]`,
}

func FuzzCSVReader(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewCSVReader(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			checkReaderError(t, err, "fuzz.csv")
			return
		}
		checkSource(t, r, "fuzz.csv")
	})
}

func FuzzJSONLReader(f *testing.F) {
	for _, s := range jsonlSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewJSONLReader(strings.NewReader(in), "fuzz.jsonl")
		if err != nil {
			checkReaderError(t, err, "fuzz.jsonl")
			return
		}
		checkSource(t, r, "fuzz.jsonl")
	})
}

func checkReaderError(t *testing.T, err error, file string) {
	t.Helper()
	var te *Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v is a %T, want *traces.Error", err, err)
	}
	if te.File != file || te.Msg == "" || te.Line < 0 || !strings.HasPrefix(err.Error(), file) {
		t.Fatalf("error %#v does not name the file and the problem", te)
	}
}

// checkSource reads src to its end and checks the tasks and the error.
func checkSource(t *testing.T, src sim.Source, file string) {
	t.Helper()
	var tasks []sim.Task
	for {
		var task sim.Task
		err := src.Next(&task)
		if err == io.EOF {
			break
		}
		if err != nil {
			checkReaderError(t, err, file)
			break
		}
		if task.Arrival < 0 || task.Work < 0 || task.CPU < 0 || task.Memory < 0 || task.GPUs < 0 ||
			task.GPUMilli < 0 || task.GPUMilli > 1000 {
			t.Fatalf("task %+v breaks the format's ranges", task)
		}
		if n := len(tasks); n > 0 && task.Arrival < tasks[n-1].Arrival {
			t.Fatalf("task %+v arrives before the previous one, %+v", task, tasks[n-1])
		}
		tasks = append(tasks, task)
	}
	if len(tasks) == 0 {
		return
	}
	cr := false
	for i := range tasks {
		cr = cr || crColumn(&tasks[i]) != ""
	}
	if cr {
		// CSV cannot carry a carriage return in text: the writer must say so.
		for i := range tasks {
			if crColumn(&tasks[i]) == "" {
				continue
			}
			if err := NewCSVWriter(io.Discard).Write(&tasks[i]); err == nil || !strings.Contains(err.Error(), "carriage return") {
				t.Fatalf("the CSV writer took %+v, whose text holds a carriage return (error %v)", tasks[i], err)
			}
		}
	} else if got := writeRead(t, "csv", tasks); !reflect.DeepEqual(got, tasks) {
		t.Fatalf("CSV round trip\n got %+v\nwant %+v", got, tasks)
	}
	for _, task := range tasks {
		if !utf8.ValidString(task.Tenant) || !utf8.ValidString(task.Region) || !utf8.ValidString(task.Class) {
			return
		}
	}
	if got := writeRead(t, "jsonl", tasks); !reflect.DeepEqual(got, tasks) {
		t.Fatalf("JSONL round trip\n got %+v\nwant %+v", got, tasks)
	}
}
