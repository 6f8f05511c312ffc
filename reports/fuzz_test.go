package reports

import (
	"strings"
	"testing"
)

// FuzzParseResults: any bytes give results or an error naming the file,
// never a panic (check and report read files users hand them).
func FuzzParseResults(f *testing.F) {
	for _, s := range []string{
		`{"results":[{"strategy":"p2c","latency_s":{"p99":1.5}}],"scenario":{"seeds":[1,2]}}`,
		`[{"strategy":"a","tasks":{"completed":3}},{"strategy":"b"}]`,
		`{"strategy":"p2c","placement":{"gpu_alloc_ratio":0.9}}`,
		`{"strategy":"x","latency_s":{"p99":"slow"}}`,
		"{\n\"results\": [\n{\"tasks\": {\"arrived\": -1e999}}]}",
		`{}`, `[`, `nul`, "\xef\xbb\xbf[]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, _, err := ParseResults("f.json", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.json: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for i := range rs {
			Flatten(&rs[i])
		}
		Aggregates(rs)
	})
}

// FuzzReadSeries: series.csv from anywhere gives rows or an error naming
// the file and line, never a panic.
func FuzzReadSeries(f *testing.F) {
	f.Add([]byte(SeriesHeader + "p2c,1,20,*,0.5,3,4\np2c,1,20,node-0,1,1,0\n"))
	f.Add([]byte(SeriesHeader + "\"a,b\",1,2,n,NaN,1,2\n"))
	f.Add([]byte(SeriesHeader + "p2c,-1,20,*,0.5,3,4\n"))
	f.Add([]byte("strategy,seed\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ReadSeries(strings.NewReader(string(data)), "s.csv", nil)
		if err != nil && !strings.HasPrefix(err.Error(), "s.csv") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

// FuzzReadGantt: no input panics the gantt.csv reader, every error names
// the file, and what it accepts draws (one chart per run, as report does).
func FuzzReadGantt(f *testing.F) {
	f.Add([]byte(GanttHeader + "heft,1,w,0,1,a,0,n-0,0,2\nheft,1,w,0,3,\"b,c\",1,n-1,2,3\n"))
	f.Add([]byte(GanttHeader + "heft,1,w,0,1,a,0,n-0,3,2\n"))
	f.Add([]byte(GanttHeader + "heft,1,w,1e308,1,a,2147483647,n,0,1e308\n"))
	f.Add([]byte("strategy,seed\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ReadGantt(strings.NewReader(string(data)), "g.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "g.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(rows) > 0 {
			if _, err := GanttPlot(rows, "t"); err != nil {
				t.Fatalf("accepted rows do not draw: %v", err)
			}
		}
	})
}

// FuzzReadTimeline: no input panics the timeline.csv and windows.csv
// readers, every error names the file, and what they accept draws and
// renders (one chart per run, as report does).
func FuzzReadTimeline(f *testing.F) {
	f.Add([]byte(TimelineHeader+"a,1,0,ready:web,3\na,1,0,pending,0\na,1,60,nodes,4\na,1,60,replicas:web,5\n"), []byte(WindowsHeader+"a,1,30,60,node failure,n-0\na,1,0,1e308,rollout,web\n"))
	f.Add([]byte(TimelineHeader+"a,1,1e308,ready:web,1e308\n"), []byte(WindowsHeader+"a,1,5,5,zone outage,z\n"))
	f.Add([]byte(TimelineHeader+"a,1,0,cost,0.5\n"), []byte(WindowsHeader))
	f.Add([]byte("strategy,seed\n"), []byte(""))
	f.Fuzz(func(t *testing.T, tl, ws []byte) {
		rows, err := ReadTimeline(strings.NewReader(string(tl)), "t.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "t.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		windows, err := ReadWindows(strings.NewReader(string(ws)), "w.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "w.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(rows) == 0 {
			return
		}
		ch, err := TimelinePlot(rows, windows, rows[0].Strategy, rows[0].Seed, "t")
		if err != nil {
			if strings.HasPrefix(rows[0].Series, "cost") || strings.HasPrefix(rows[0].Series, "replicas:") {
				return // nothing this plot draws
			}
			t.Fatalf("accepted rows do not draw: %v", err)
		}
		var b strings.Builder
		if err := WriteFigure(&b, ch, "svg", 200, 120); err != nil {
			t.Fatalf("accepted rows do not render: %v", err)
		}
	})
}
