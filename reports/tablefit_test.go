package reports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// widest is the longest line of s in runes.
func widest(s string) int {
	w := 0
	for line := range strings.SplitSeq(s, "\n") {
		w = max(w, utf8.RuneCountInString(line))
	}
	return w
}

// TestTableFitsWidth: with TableWidth 100, a listing with long text cells
// (wrapped) and a table of 40 numeric columns (split, each part led by the
// strategy column) print no line over 100 characters and lose no cell;
// with TableWidth 0 (--wide) the same table prints on one line a row.
func TestTableFitsWidth(t *testing.T) {
	defer func(w int) { TableWidth = w }(TableWidth)
	long := strings.Repeat("a word or two, ", 20)
	text := [][]string{{"p2c", "balancer", long}, {"fgd", "placement", "short"}}
	head := []string{"strategy", "kind", "description"}
	var nums [][]string
	numHead := []string{"strategy"}
	for c := range 40 {
		numHead = append(numHead, fmt.Sprintf("node-%02d", c))
	}
	for _, s := range []string{"weighted-round-robin", "p2c"} {
		row := []string{s}
		for c := range 40 {
			row = append(row, fmt.Sprint(1000+c))
		}
		nums = append(nums, row)
	}

	TableWidth = 100
	var b bytes.Buffer
	if err := WriteTextTable(&b, head, text); err != nil {
		t.Fatal(err)
	}
	if w := widest(b.String()); w > 100 {
		t.Errorf("listing: a line of %d characters at width 100:\n%s", w, b.String())
	}
	if got := strings.Count(b.String(), "two,"); got != 20 { // phrases may break across lines; words do not
		t.Errorf("listing: %d of the 20 phrases' last words printed, want all", got)
	}
	b.Reset()
	if err := writeRows(&b, numHead, nums, FormatTable); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if w := widest(out); w > 100 {
		t.Errorf("40 columns: a line of %d characters at width 100", w)
	}
	for c := range 40 {
		if !strings.Contains(out, fmt.Sprint(1000+c)) || !strings.Contains(out, fmt.Sprintf("node-%02d", c)) {
			t.Errorf("40 columns: column %d lost", c)
		}
	}
	parts := strings.Count(out, "weighted-round-robin")
	if parts < 2 {
		t.Errorf("40 columns: strategy column printed %d times, want once per part of the split table", parts)
	}

	TableWidth = 0
	b.Reset()
	if err := writeRows(&b, numHead, nums, FormatTable); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 6 || widest(b.String()) < 40*10 {
		t.Errorf("--wide: %d lines, widest %d; want one table of 6 lines, each row whole", n, widest(b.String()))
	}
}
