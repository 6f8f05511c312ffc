package reports

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// TableWidth is the widest a text table may be, in terminal columns; 0
// means no limit. The CLI sets it from the terminal (or $COLUMNS) unless
// --wide. A wider table is fitted: headers wrap at spaces, long text cells
// wrap at spaces and after commas, and if that is not enough the columns
// are split over several tables, each repeating the first column.
var TableWidth = 0

// cellWidth is the widest line of s, in runes (the tables hold no wide
// characters).
func cellWidth(s string) int {
	w := 0
	for line := range strings.SplitSeq(s, "\n") {
		w = max(w, utf8.RuneCountInString(line))
	}
	return w
}

// boxWidth is the printed width of a table with these column widths: each
// column padded by a space either side, plus a border before each and one
// at the end ("│ a │ b │").
func boxWidth(widths []int) int {
	w := 1
	for _, c := range widths {
		w += c + 3
	}
	return w
}

// columnWidths is the width of each column of head and rows.
func columnWidths(head []string, rows [][]string) []int {
	ws := make([]int, len(head))
	for i, h := range head {
		ws[i] = cellWidth(h)
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(ws) {
				ws[i] = max(ws[i], cellWidth(c))
			}
		}
	}
	return ws
}

// wrapText breaks s into lines of at most width runes at spaces (keeping a
// ", " with the word before it); a word longer than width stays whole.
// Existing line breaks are kept.
func wrapText(s string, width int) string {
	var out []string
	for para := range strings.SplitSeq(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= width:
				line += " " + word
			default:
				out = append(out, line)
				line = word
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// minWrap is the narrowest a text column is wrapped to.
const minWrap = 14

// fitTable fits a table into width columns (see TableWidth): it returns
// the table with headers and text cells wrapped, and the groups of columns
// to print as separate tables (one group of all columns when it fits;
// otherwise each group starts with column 0).
func fitTable(head []string, rows [][]string, width int) (fhead []string, frows [][]string, groups [][]int) {
	all := make([]int, len(head))
	for i := range all {
		all[i] = i
	}
	if width <= 0 || len(head) == 0 || boxWidth(columnWidths(head, rows)) <= width {
		return head, rows, [][]int{all}
	}
	head = append([]string(nil), head...)
	rows = cloneRows(rows)
	// Headers wrap at spaces, to no narrower than their longest word,
	// their column's cells or 10.
	data := columnWidths(make([]string, len(head)), rows)
	for i, h := range head {
		longest := 0
		for _, w := range strings.Fields(h) {
			longest = max(longest, utf8.RuneCountInString(w))
		}
		head[i] = wrapText(h, max(longest, data[i], 10))
	}
	// Text columns wrap, narrowing the widest a column at a time, until
	// the table fits or every text column is down to minWrap.
	orig := cloneRows(rows)
	ws := columnWidths(head, rows)
	target := append([]int(nil), ws...)
	for boxWidth(ws) > width {
		best := -1
		for i, t := range target {
			if t > minWrap && wrappable(orig, i) && (best < 0 || t > target[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		target[best]--
		for k, r := range orig {
			if best < len(r) {
				rows[k][best] = wrapText(r[best], target[best])
			}
		}
		ws = columnWidths(head, rows)
	}
	if boxWidth(ws) <= width || len(head) < 3 {
		return head, rows, [][]int{all}
	}
	// Split the columns after the first over several tables.
	cur := []int{0}
	for i := 1; i < len(head); i++ {
		next := append(append([]int(nil), cur...), i)
		if len(cur) > 1 && boxWidth(pick(ws, next)) > width {
			groups = append(groups, cur)
			cur = []int{0, i}
			continue
		}
		cur = next
	}
	groups = append(groups, cur)
	return head, rows, groups
}

func pick[T any](xs []T, idx []int) []T {
	out := make([]T, len(idx))
	for k, i := range idx {
		out[k] = xs[i]
	}
	return out
}

func cloneRows(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append([]string(nil), r...)
	}
	return out
}

// wrappable reports whether column i holds text with spaces to wrap at.
func wrappable(rows [][]string, i int) bool {
	for _, r := range rows {
		if i < len(r) && strings.ContainsAny(strings.TrimSpace(r[i]), " ") && !isNumericCell(r[i]) {
			return true
		}
	}
	return false
}

// renderFitted renders a table fitted to TableWidth with tables made by
// newTable (given the original indices of the columns it holds), a blank
// line between the parts of a split table.
func renderFitted(w io.Writer, head []string, rows [][]string, newTable func(w io.Writer, cols []int) *tablewriter.Table) error {
	head, rows, groups := fitTable(head, rows, TableWidth)
	for k, g := range groups {
		if k > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		t := newTable(w, g)
		t.Header(pick(head, g))
		for _, r := range rows {
			cells := make([]string, len(g))
			for j, i := range g {
				if i < len(r) {
					cells[j] = r[i]
				}
			}
			if err := t.Append(cells); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	return nil
}

// WriteTextTable writes a table of text (a listing: strategies,
// scenarios), left-aligned, fitted to TableWidth.
func WriteTextTable(w io.Writer, head []string, rows [][]string) error {
	return renderFitted(w, head, rows, func(w io.Writer, _ []int) *tablewriter.Table {
		return tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithHeaderAlignment(tw.AlignLeft),
			tablewriter.WithRowAlignment(tw.AlignLeft))
	})
}

// WrapLine wraps text to lines of at most width runes at spaces, as table
// cells are; width 0 leaves it whole.
func WrapLine(s string, width int) string {
	if width <= 0 {
		return s
	}
	return wrapText(s, width)
}
