package traces

import (
	"bytes"
	"io"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// benchTrace writes n generated tasks, with a tenant and resources, in the
// given format.
func benchTrace(b *testing.B, format string, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	var w interface {
		Write(*sim.Task) error
		Flush() error
	}
	if format == "csv" {
		w = NewCSVWriter(&buf)
	} else {
		w = NewJSONLWriter(&buf)
	}
	g := NewGenerator(Poisson{Rate: 1000}, Lognormal{Mean: sim.Second, CV: 1}, 1)
	tenants := []string{"alice", "bob", "carol"}
	var t sim.Task
	for i := range n {
		g.Next(&t)
		t.CPU, t.Memory, t.Tenant = 500, 1<<30, tenants[i%3]
		if err := w.Write(&t); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func benchmarkReader(b *testing.B, format string) {
	const n = 10_000
	data := benchTrace(b, format, n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var t sim.Task
	for b.Loop() {
		var src sim.Source
		if format == "csv" {
			src, _ = NewCSVReader(bytes.NewReader(data), "bench.csv")
		} else {
			src, _ = NewJSONLReader(bytes.NewReader(data), "bench.jsonl")
		}
		for {
			err := src.Next(&t)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
}

func BenchmarkCSVReader(b *testing.B)   { benchmarkReader(b, "csv") }
func BenchmarkJSONLReader(b *testing.B) { benchmarkReader(b, "jsonl") }
