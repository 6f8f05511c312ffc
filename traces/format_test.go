package traces

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

func TestFormats(t *testing.T) {
	if got := Formats(); !reflect.DeepEqual(got, []string{"azure-llm", "csv", "fsc", "jsonl", "openb", "swf"}) {
		t.Errorf("Formats() = %v", got)
	}
}

func TestOpenByName(t *testing.T) {
	// A CSV file with a misleading extension, read as named.
	dir := t.TempDir()
	path := filepath.Join(dir, "jobs.txt")
	if err := os.WriteFile(path, []byte("arrival,duration\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, c, err := Open(path, "csv")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := readAll(src)
	if err != nil || len(got) != 1 || got[0].Work != 2*sim.Second {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		path, format, want string
	}{
		{"jobs.txt", "", "traces: cannot tell the format of jobs.txt from its extension; name one of: azure-llm, csv (.csv), fsc (.fsc), jsonl (.jsonl, .ndjson), openb, swf (.swf)"},
		{"jobs.csv", "xml", `traces: unknown trace format "xml"; known formats: azure-llm, csv (.csv), fsc (.fsc), jsonl (.jsonl, .ndjson), openb, swf (.swf)`},
		{"testdata/minimal.csv.gz", "", "testdata/minimal.csv.gz: open testdata/minimal.csv.gz: no such file or directory"},
		{"testdata/minimal.csv", "csv", ""},
		{"testdata/minimal.csv", "CSV", ""},
	} {
		src, c, err := Open(tc.path, tc.format)
		if tc.want == "" {
			if err != nil {
				t.Errorf("Open(%q, %q): %v", tc.path, tc.format, err)
			} else {
				c.Close()
			}
			continue
		}
		if err == nil {
			c.Close()
			t.Errorf("Open(%q, %q) = %v, want an error", tc.path, tc.format, src)
			continue
		}
		if strings.Contains(tc.want, "no such file") {
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open(%q): %v, want fs.ErrNotExist", tc.path, err)
			}
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("Open(%q, %q):\n got %v\nwant %s", tc.path, tc.format, err, tc.want)
		}
	}

	// A file that is not gzip despite its name, and a bad header: both
	// *Error, naming the path.
	notGz := filepath.Join(dir, "a.csv.gz")
	os.WriteFile(notGz, []byte("arrival,duration\n"), 0o644)
	if _, _, err := Open(notGz, ""); err == nil || !strings.HasPrefix(err.Error(), notGz+": not a valid gzip file") {
		t.Errorf("got %v", err)
	}
	badHeader := filepath.Join(dir, "b.ndjson")
	os.WriteFile(badHeader, []byte(`{"arrival":1}`+"\n"), 0o644)
	src, c, err := Open(badHeader, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := readAll(src); err == nil || err.Error() != badHeader+":1: column duration: missing required key" {
		t.Errorf("got %v", err)
	}
}

// TestOpenTruncatedGzip checks that a damaged compressed file is an
// *Error naming the file, not a silent short trace.
func TestOpenTruncatedGzip(t *testing.T) {
	data, err := os.ReadFile("testdata/jobs.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.csv.gz")
	os.WriteFile(path, data[:len(data)-10], 0o644)
	src, c, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = readAll(src)
	var te *Error
	if !errors.As(err, &te) || te.File != path || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v", err)
	}
}

func TestRegisterFormat(t *testing.T) {
	newSrc := func(r io.Reader, file string) (sim.Source, error) { return NewCSVReader(r, file) }
	for _, tc := range []struct {
		f    Format
		want string
	}{
		{Format{Name: "csv", New: newSrc}, `traces: format "csv" is already registered`},
		{Format{Name: "tsv", Extensions: []string{".CSV"}, New: newSrc}, `traces: extension ".CSV" of format "tsv" is already format "csv"'s`},
		{Format{Name: "", New: newSrc}, "traces: RegisterFormat needs a name and a New function"},
		{Format{Name: "x"}, "traces: RegisterFormat needs a name and a New function"},
	} {
		if err := RegisterFormat(tc.f); err == nil || err.Error() != tc.want {
			t.Errorf("RegisterFormat(%q) = %v, want %s", tc.f.Name, err, tc.want)
		}
	}
	if got := Formats(); !reflect.DeepEqual(got, []string{"azure-llm", "csv", "fsc", "jsonl", "openb", "swf"}) {
		t.Errorf("failed registrations changed the table: %v", got)
	}
}
