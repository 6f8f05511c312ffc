package traces

import (
	"encoding/binary"
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// The native writer's rows (CSVWriter without Workflows) are read by a
// straight-line scanner when the header is exactly the one the writer
// emits: every field in its known place, numbers as the writer spells
// them (plain digits, a point and at most the unit's decimals), text
// without quotes. It takes a row only when every field is of that form
// and the row is valid (arrival not earlier than the previous one), and
// then fills the task exactly as the general path would: each number is
// one that plainFixed accepts, with the same value. Any other row, valid
// or not, goes to the general path (split, per-column parse), which
// therefore says what is wrong with it in the very same words.

// isNativeHeader reports whether cols is the header CSVWriter writes
// without Workflows.
func isNativeHeader(cols []column) bool {
	if len(cols) != int(numWritten) {
		return false
	}
	for i, c := range cols {
		if c != column(i) {
			return false
		}
	}
	return true
}

// uintAt reads 1 to 18 digits at b[i:]: their value and the index
// after them; ok is false for none or more. (Small enough to be inlined;
// for the short runs of ids and whole seconds, a loop costs less than
// reading eight bytes at once.)
func uintAt(b []byte, i int) (v uint64, j int, ok bool) {
	for j = i; j < len(b); j++ {
		d := b[j] - '0'
		if d > 9 {
			break
		}
		v = v*10 + uint64(d)
	}
	n := j - i
	return v, j, n > 0 && n <= 18
}

// digitComma reports whether b[i:] starts with one digit and a comma,
// the common "0" of an unused column.
func digitComma(b []byte, i int) bool {
	return i+1 < len(b) && isDigit(b[i]) && b[i+1] == ','
}

// fixedAt reads at b[i:] digits, then optionally a point and 1 to
// scale (at most 9) more, with at most 18 digits counting the scale, the
// form plainFixed accepts: the value times 10^scale and the index after
// it. Eight fraction digits are read at once.
func fixedAt(b []byte, i, scale int) (v int64, j int, ok bool) {
	end := len(b)
	ip, j, ok := uintAt(b, i)
	if !ok || j-i+scale > 18 {
		return 0, j, false
	}
	v = int64(ip) * pow10[scale]
	if j >= end || b[j] != '.' {
		return v, j, true
	}
	j++
	k := 0
	var f uint64
	x := uint64(0)
	if j+8 <= end {
		x = binary.LittleEndian.Uint64(b[j:])
	}
	if (x&0xf0f0f0f0f0f0f0f0)|(((x+0x0606060606060606)&0xf0f0f0f0f0f0f0f0)>>4) == 0x3333333333333333 {
		// Eight digits (eightDigits, inline, on the bytes), and a ninth
		// if there is one; a tenth is left for the caller to find where
		// it expects the field's end.
		x = (x & 0x0f0f0f0f0f0f0f0f) * 2561 >> 8
		x = (x & 0x00ff00ff00ff00ff) * 6553601 >> 16
		f, k = (x&0x0000ffff0000ffff)*42949672960001>>32, 8
		if j+8 < end && isDigit(b[j+8]) {
			f, k = f*10+uint64(b[j+8]-'0'), 9
		}
	} else {
		for ; j+k < end && isDigit(b[j+k]); k++ {
			f = f*10 + uint64(b[j+k]-'0')
		}
	}
	if k == 0 || k > scale {
		return 0, j, false
	}
	return v + int64(f)*pow10[scale-k], j + k, true
}

// comma reports whether b[i] is the comma ending a field.
func comma(b []byte, i int) bool { return i < len(b) && b[i] == ',' }

// uintCell reads the unsigned cell after the comma at b[i] and the comma
// that ends it: the value and that comma's index; ok false unless the cell
// has the writer's form, is at most max and a comma follows.
func uintCell(b []byte, i int, max uint64) (uint64, int, bool) {
	v, j, ok := uintAt(b, i+1)
	return v, j, ok && comma(b, j) && v <= max
}

// fixedCell reads the fixed-point cell (scale decimals) after the comma at
// b[i] as fixedAt does, a lone digit ("0", most often) at once, and the
// comma that ends it: the value and that comma's index.
func fixedCell(b []byte, i, scale int) (int64, int, bool) {
	if i++; digitComma(b, i) {
		return int64(b[i]-'0') * pow10[scale], i + 1, true
	}
	v, j, ok := fixedAt(b, i, scale)
	return v, j, ok && comma(b, j)
}

// textAt reads a text field at b[i:] up to the next comma: the index
// of that comma (or len(b)), and ok false if the field holds a quote or
// reaches the row's LF (b may hold the rows after it: a row with a field
// too few must not take its end from the next line).
func textAt(b []byte, i int) (j int, ok bool) {
	for j = i; j < len(b); j++ {
		switch b[j] {
		case ',':
			return j, true
		case '"', '\n':
			return j, false
		}
	}
	return j, true
}

// internText returns the text b[i:j] of text column k (0 to 3) as the
// general path stores it ("" for an empty cell, else interned): the
// column's text on the previous row when it is the same (traces often
// repeat a region or class row after row), without a map look-up.
func (rd *CSVReader) internText(k int, b []byte, i, j int) string {
	if i == j {
		return ""
	}
	s := view(b[i:j])
	if s == rd.lastText[k] {
		return rd.lastText[k]
	}
	v, ok := rd.in.m[s]
	if !ok {
		v = rd.in.intern(s)
	}
	rd.lastText[k] = v
	return v
}

// zeroTail is the end of a native row whose columns after duration all
// hold their zero value, as rows of generated workloads do: cpu, memory,
// gpus, gpu_milli, priority 0, no text, estimate and tokens 0.
const zeroTail = ",0,0,0,0,0,,,,,0,0,0\n"

// The zeroTail bytes as three little-endian words, at 0, 8 and 13.
var zeroTailWords = [3]uint64{
	binary.LittleEndian.Uint64([]byte(zeroTail[0:8])),
	binary.LittleEndian.Uint64([]byte(zeroTail[8:16])),
	binary.LittleEndian.Uint64([]byte(zeroTail[13:21])),
}

// isZeroTail reports whether b, len(zeroTail) bytes, is zeroTail (what
// string(b) == zeroTail says, without a call of memequal).
func isZeroTail(b []byte) bool {
	_ = b[20]
	return binary.LittleEndian.Uint64(b[0:8]) == zeroTailWords[0] &&
		binary.LittleEndian.Uint64(b[8:16]) == zeroTailWords[1] &&
		binary.LittleEndian.Uint64(b[13:21]) == zeroTailWords[2]
}

// nativeRow reads the row at the start of b, line ln of a file with the
// native header, into t if it is one line ended by its LF, every field
// has the writer's form and the row is valid, and returns its length with
// the LF; otherwise it returns 0 and changes nothing but t.
func (rd *CSVReader) nativeRow(b []byte, ln int, t *sim.Task) int {
	end := len(b)
	id, i, ok := uintAt(b, 0)
	if !ok || !comma(b, i) {
		return 0
	}
	arrival, i, ok := fixedAt(b, i+1, 9)
	if !ok || !comma(b, i) || sim.Time(arrival) < rd.prev {
		return 0
	}
	work, i, ok := fixedAt(b, i+1, 9)
	if !ok {
		return 0
	}
	*t = sim.Task{} // (then field by field: a literal is built aside and copied)
	if i+len(zeroTail) <= end && isZeroTail(b[i:i+len(zeroTail)]) {
		i += len(zeroTail) - 1 // (three compares for eleven cells)
	} else if i = rd.nativeRest(b, i, t); i < 0 {
		return 0
	}
	t.ID, t.Arrival, t.Work = int64(id), sim.Time(arrival), sim.Time(work)
	rd.prev = t.Arrival
	rd.prevLine = ln
	rd.seq++
	return i + 1
}

// nativeRest reads the cells after duration of a native row, from the
// comma at b[i], into t, which is zero: the index of the row's LF, or -1
// when a cell is not of the writer's form or the row does not end there.
func (rd *CSVReader) nativeRest(b []byte, i int, t *sim.Task) int {
	end := len(b)
	if !comma(b, i) {
		return -1
	}
	// cpu … priority: most often "0" in traces without resources.
	cpu, i, ok := fixedCell(b, i, 3)
	if !ok {
		return -1
	}
	memory, i, ok := uintCell(b, i, math.MaxUint64)
	if !ok {
		return -1
	}
	gpus, i, ok := uintCell(b, i, math.MaxInt32)
	if !ok {
		return -1
	}
	milli, i, ok := uintCell(b, i, 1000)
	if !ok {
		return -1
	}
	prio, i, ok := uintCell(b, i, math.MaxInt32)
	if !ok {
		return -1
	}
	var text [4][2]int // tenant, region, class, gpu_spec: start and end
	hasText := false
	if i+5 <= end && string(b[i+1:i+5]) == ",,,," {
		i += 4 // all four empty, the common case
	} else {
		for k := range text {
			i++
			j, ok := textAt(b, i)
			if !ok || !comma(b, j) {
				return -1
			}
			text[k] = [2]int{i, j}
			hasText = hasText || j > i
			i = j
		}
	}
	estimate, i, ok := fixedCell(b, i, 9)
	if !ok {
		return -1
	}
	prompt, i, ok := uintCell(b, i, math.MaxInt32)
	if !ok {
		return -1
	}
	output, i, ok := uintAt(b, i+1)
	if !ok || i >= end || b[i] != '\n' || output > math.MaxInt32 {
		return -1
	}
	t.CPU, t.Memory, t.GPUs, t.GPUMilli, t.Priority = cpu, int64(memory), int32(gpus), int32(milli), int32(prio)
	t.Estimate, t.PromptTokens, t.OutputTokens = sim.Time(estimate), int32(prompt), int32(output)
	if hasText {
		t.Tenant = rd.internText(0, b, text[0][0], text[0][1])
		t.Region = rd.internText(1, b, text[1][0], text[1][1])
		t.Class = rd.internText(2, b, text[2][0], text[2][1])
		t.GPUSpec = rd.internText(3, b, text[3][0], text[3][1])
	}
	return i
}
