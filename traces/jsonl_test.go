package traces

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

func TestJSONLValues(t *testing.T) {
	in := `{"arrival":0,"duration":1}
{"duration":2e0,"arrival":1.0,"id":null,"cpu":0.25,"memory":1e3,"gpus":2.0,"tenant":"t\u00e9\/\"x\"","region":null}
{"arrival":1,"duration":1,"memory":"1.5Ki","class":"caf\u00e9 \ud83d\ude00"}
` + "\t\r\n" + `{"arrival":1,"duration":1,"tenant":"bad ` + "\xff" + ` byte"}` + "\r\n" + `{}`
	got, err := readJSONL(in, "v.jsonl")
	want := []sim.Task{
		{ID: 0, Arrival: 0, Work: sim.Second},
		{ID: 1, Arrival: sim.Second, Work: 2 * sim.Second, CPU: 250, Memory: 1000, GPUs: 2, Tenant: `té/"x"`},
		{ID: 2, Arrival: sim.Second, Work: sim.Second, Memory: 1536, Class: "café 😀"},
		{ID: 3, Arrival: sim.Second, Work: sim.Second, Tenant: "bad \uFFFD byte"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	if err == nil || err.Error() != "v.jsonl:6: column arrival: missing required key" {
		t.Errorf("got error %v", err)
	}
}

func TestJSONLEmpty(t *testing.T) {
	got, err := readJSONL("\n  \n", "e.jsonl")
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want no tasks", got, err)
	}
}

func TestJSONLLongLine(t *testing.T) {
	in := `{"arrival":0,"duration":1}` + "\n" + `{"arrival":0,"duration":1,"class":"` + strings.Repeat("x", MaxJSONLLine) + `"}` + "\n"
	_, err := readJSONL(in, "big.jsonl")
	var te *Error
	if !errors.As(err, &te) || te.Line != 2 || !strings.Contains(err.Error(), "line longer than") {
		t.Fatalf("got %v", err)
	}
}

func TestJSONLWriterOutput(t *testing.T) {
	var b bytes.Buffer
	w := NewJSONLWriter(&b)
	tasks := append(fixtureTasks[:len(fixtureTasks):len(fixtureTasks)],
		sim.Task{ID: 5, Arrival: 4 * sim.Second, Work: 1, Tenant: "tab\there\x01 \xff"})
	for i := range tasks {
		if err := w.Write(&tasks[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `{"id":1,"arrival":0,"duration":1.5,"cpu":2,"memory":4294967296,"tenant":"alice","region":"us-east","class":"web"}
{"id":2,"arrival":0.25,"duration":0.000000001,"cpu":0.5,"memory":536870912,"gpus":1,"priority":10,"tenant":"bob","region":"eu-west","class":"train"}
{"id":3,"arrival":0.25,"duration":12,"cpu":16,"memory":64000000000,"gpu_milli":500,"priority":-1,"tenant":"carol, inc","region":"us-east","class":"say \"hi\""}
{"id":4,"arrival":3.75,"duration":0.001}
{"id":5,"arrival":4,"duration":0.000000001,"tenant":"tab\there\u0001 \ufffd"}
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
