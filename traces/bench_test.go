package traces

import (
	"bytes"
	"io"
	"os"
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

// benchmarkRealTrace reads a real trace (from memory, so the disk does not
// count) with the given reader, and reports tasks per second.
func benchmarkRealTrace(b *testing.B, rel string, open func(r io.Reader) (sim.Source, error)) {
	data, err := os.ReadFile(sharedTrace(b, rel))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var t sim.Task
	var tasks int64
	for b.Loop() {
		src, err := open(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			err := src.Next(&t)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			tasks++
		}
	}
	b.ReportMetric(float64(tasks)/b.Elapsed().Seconds(), "tasks/s")
}

// BenchmarkOpenbPods reads the default pod list of the Alibaba GPU trace
// 2023 (8,152 pods).
func BenchmarkOpenbPods(b *testing.B) {
	benchmarkRealTrace(b, "alibaba-gpu-2023/openb_pod_list_default.csv", func(r io.Reader) (sim.Source, error) {
		return NewOpenbReader(r, "openb_pod_list_default.csv")
	})
}

// BenchmarkSWF reads the KTH SP2 log (28,476 jobs).
func BenchmarkSWF(b *testing.B) {
	benchmarkRealTrace(b, "swf/KTH-SP2-1996-2.1-cln.swf", func(r io.Reader) (sim.Source, error) {
		return NewSWFReader(r, "KTH-SP2-1996-2.1-cln.swf")
	})
}

// BenchmarkAzureLLM reads the Azure LLM inference trace 2023, coding
// service (8,819 requests).
func BenchmarkAzureLLM(b *testing.B) {
	benchmarkRealTrace(b, "azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv", func(r io.Reader) (sim.Source, error) {
		return NewAzureLLMReader(r, "AzureLLMInferenceTrace_code.csv", DefaultTokenModel)
	})
}
