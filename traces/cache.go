package traces

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/fleetsim/fleetsim/sim"
)

// The trace cache (.fsc) is a binary, columnar copy of a converted trace
// that replays without parsing text. Layout, every integer little-endian:
//
//	file   = header block* end
//	header = magic "\x89FSC\r\n\x1a\n" (8 bytes), version uint32 (1), flags uint32 (0)
//	block  = rows uint32 (1..CacheBlockRows), fields uint32 (bit i: field i
//	         is stored), size uint32 (bytes of payload), crc uint32
//	         (CRC-32C of payload), payload
//	end    = rows 0, fields 0, size 8, crc, payload: the total rows uint64
//
// A block's payload holds, for each stored field in bit order, rows values
// of that field's width, then, when a text field is stored, the block's
// string table: a count uint32, count lengths uint32, the bytes. A text
// field's values are indexes into the table. A field not stored in a block
// is zero in all of its rows, except id, which is then the row's number
// in the file (0-based), as the native readers number tasks without one.
// Nothing may follow the end block.
const (
	cacheVersion = 1
	// CacheBlockRows is the most rows a cache block holds.
	CacheBlockRows = 1 << 16
	// cacheMaxBlock bounds a block's payload: the most memory a reader
	// allocates for one block, whatever a header claims.
	cacheMaxBlock   = 32 << 20
	cacheHeaderSize = 16
	cacheBlockHead  = 16
)

var cacheMagic = [8]byte{0x89, 'F', 'S', 'C', '\r', '\n', 0x1a, '\n'}

// IsCache reports whether b starts with the trace cache's magic bytes.
func IsCache(b []byte) bool {
	return len(b) >= len(cacheMagic) && string(b[:8]) == string(cacheMagic[:])
}

// cacheField is one stored field of a task.
type cacheField uint8

const (
	cfID cacheField = iota
	cfArrival
	cfDuration
	cfCPU
	cfMemory
	cfGPUs
	cfGPUMilli
	cfPriority
	cfEstimate
	cfPromptTokens
	cfOutputTokens
	cfOutputBytes
	cfNodes
	cfMemoryUse
	cfMemoryRate
	cfTenant // text fields from here on
	cfRegion
	cfClass
	cfGPUSpec
	numCacheFields

	cfFirstText = cfTenant
)

var cacheFieldNames = [numCacheFields]string{
	"id", "arrival", "duration", "cpu", "memory", "gpus", "gpu_milli", "priority", "estimate",
	"prompt_tokens", "output_tokens", "output_bytes", "nodes", "memory_use", "memory_rate",
	"tenant", "region", "class", "gpu_spec",
}

// width is the bytes one value of f takes in a block.
func (f cacheField) width() int {
	switch f {
	case cfGPUs, cfGPUMilli, cfPriority, cfPromptTokens, cfOutputTokens, cfNodes:
		return 4
	case cfTenant, cfRegion, cfClass, cfGPUSpec:
		return 4 // an index into the string table
	}
	return 8
}

const allCacheFields = 1<<numCacheFields - 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CacheWriter writes tasks as a trace cache (see NewCacheWriter).
type CacheWriter struct {
	w     *bufio.Writer
	check writeCheck
	rows  []sim.Task
	text  int // bytes of text in rows
	total uint64
	buf   []byte
	done  bool
	err   error
}

// NewCacheWriter returns a writer of a trace cache to w: a binary columnar
// copy of a trace that NewCacheReader (and Open, by the extension .fsc or
// the format name "fsc") replays to the same tasks, several times faster
// than the text formats parse. Call Flush once when done: it writes the
// last block and the end of the cache; no Write may follow it.
func NewCacheWriter(w io.Writer) *CacheWriter {
	cw := &CacheWriter{w: bufio.NewWriterSize(w, 1<<16)}
	var h [cacheHeaderSize]byte
	copy(h[:], cacheMagic[:])
	binary.LittleEndian.PutUint32(h[8:], cacheVersion)
	_, cw.err = cw.w.Write(h[:])
	return cw
}

// Write adds one task. It refuses what the readers would reject (see
// CSVWriter.Write) and workflow tasks (a workflow or parents), which the
// cache does not carry: replay those from CSV or JSONL.
func (w *CacheWriter) Write(t *sim.Task) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return errors.New("traces: CacheWriter.Write after Flush")
	}
	if t.Workflow != "" || t.Deps != nil {
		return fmt.Errorf("traces: task %d (id %d): workflow tasks (workflow, parents) cannot be cached; replay the CSV or JSONL trace", w.check.n, t.ID)
	}
	if t.OutputBytes < 0 || t.Nodes < 0 || t.MemoryUse < 0 || t.MemoryRate < 0 {
		return fmt.Errorf("traces: task %d (id %d): negative output_bytes, nodes, memory_use or memory_rate", w.check.n, t.ID)
	}
	if err := w.check.task(t); err != nil {
		return err
	}
	// The block's text stays under half of cacheMaxBlock, so that its
	// payload (at most 112 bytes of fields and 16 of string table a row
	// besides) fits what a reader accepts.
	text := len(t.Tenant) + len(t.Region) + len(t.Class) + len(t.GPUSpec)
	if text > cacheMaxBlock/2 {
		return fmt.Errorf("traces: task %d (id %d): %d bytes of text (tenant, region, class, gpu_spec), more than a cache block holds (%d)", w.check.n-1, t.ID, text, cacheMaxBlock/2)
	}
	if len(w.rows) > 0 && w.text+text > cacheMaxBlock/2 {
		if w.err = w.block(); w.err != nil {
			return w.err
		}
	}
	w.rows = append(w.rows, *t)
	w.text += text
	if len(w.rows) == CacheBlockRows {
		w.err = w.block()
	}
	return w.err
}

// Flush writes the pending rows and the end of the cache, and flushes.
func (w *CacheWriter) Flush() error {
	if w.err != nil || w.done {
		return w.err
	}
	if len(w.rows) > 0 {
		if w.err = w.block(); w.err != nil {
			return w.err
		}
	}
	w.done = true
	var b [cacheBlockHead + 8]byte
	binary.LittleEndian.PutUint32(b[8:], 8)
	binary.LittleEndian.PutUint64(b[16:], w.total)
	binary.LittleEndian.PutUint32(b[12:], crc32.Checksum(b[16:], castagnoli))
	if _, w.err = w.w.Write(b[:]); w.err != nil {
		return w.err
	}
	w.err = w.w.Flush()
	return w.err
}

// block writes the pending rows as one block.
func (w *CacheWriter) block() error {
	rows := w.rows
	var mask uint32
	for i := range rows {
		t := &rows[i]
		if uint64(t.ID) != w.total+uint64(i) {
			mask |= 1 << cfID
		}
		for f := cfArrival; f < numCacheFields; f++ {
			if mask&(1<<f) == 0 && !cacheZero(t, f) {
				mask |= 1 << f
			}
		}
	}
	b := w.buf[:0]
	b = append(b, make([]byte, cacheBlockHead)...)
	var strs []string
	index := map[string]uint32{}
	for f := cfID; f < numCacheFields; f++ {
		if mask&(1<<f) == 0 {
			continue
		}
		for i := range rows {
			t := &rows[i]
			if f >= cfFirstText {
				s := cacheText(t, f)
				k, ok := index[s]
				if !ok {
					k = uint32(len(strs))
					index[s] = k
					strs = append(strs, s)
				}
				b = binary.LittleEndian.AppendUint32(b, k)
			} else if f.width() == 4 {
				b = binary.LittleEndian.AppendUint32(b, uint32(cacheInt(t, f)))
			} else {
				b = binary.LittleEndian.AppendUint64(b, uint64(cacheInt(t, f)))
			}
		}
	}
	if mask>>cfFirstText != 0 {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(strs)))
		for _, s := range strs {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		}
		for _, s := range strs {
			b = append(b, s...)
		}
	}
	payload := b[cacheBlockHead:]
	binary.LittleEndian.PutUint32(b[0:], uint32(len(rows)))
	binary.LittleEndian.PutUint32(b[4:], mask)
	binary.LittleEndian.PutUint32(b[8:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[12:], crc32.Checksum(payload, castagnoli))
	w.buf = b
	w.total += uint64(len(rows))
	w.rows, w.text = w.rows[:0], 0
	_, err := w.w.Write(b)
	return err
}

// cacheInt is numeric field f of t.
func cacheInt(t *sim.Task, f cacheField) int64 {
	switch f {
	case cfID:
		return t.ID
	case cfArrival:
		return int64(t.Arrival)
	case cfDuration:
		return int64(t.Work)
	case cfCPU:
		return t.CPU
	case cfMemory:
		return t.Memory
	case cfGPUs:
		return int64(t.GPUs)
	case cfGPUMilli:
		return int64(t.GPUMilli)
	case cfPriority:
		return int64(t.Priority)
	case cfEstimate:
		return int64(t.Estimate)
	case cfPromptTokens:
		return int64(t.PromptTokens)
	case cfOutputTokens:
		return int64(t.OutputTokens)
	case cfOutputBytes:
		return t.OutputBytes
	case cfNodes:
		return int64(t.Nodes)
	case cfMemoryUse:
		return t.MemoryUse
	case cfMemoryRate:
		return t.MemoryRate
	}
	return 0
}

// cacheText is text field f of t.
func cacheText(t *sim.Task, f cacheField) string {
	switch f {
	case cfTenant:
		return t.Tenant
	case cfRegion:
		return t.Region
	case cfClass:
		return t.Class
	case cfGPUSpec:
		return t.GPUSpec
	}
	return ""
}

func cacheZero(t *sim.Task, f cacheField) bool {
	if f >= cfFirstText {
		return cacheText(t, f) == ""
	}
	return cacheInt(t, f) == 0
}

// CacheReader reads a trace cache as a stream (see NewCacheWriter). It
// implements sim.Source. Its memory is one block, whatever the file.
type CacheReader struct {
	r    io.Reader
	file string
	size int64 // the file's size, -1 when not known (a pipe, gzip)
	off  int64 // bytes read so far

	buf    []byte
	cols   [numCacheFields][]byte // this block's stored fields
	strs   []string               // this block's string table
	n, i   int                    // rows in the block, the next one
	colOff [numCacheFields]int64  // where each field starts in the payload
	rare   uint32                 // stored fields other than id, arrival and duration
	first  uint64                 // file row of the block's first row
	prev   sim.Time
	err    error
}

var _ sim.Source = (*CacheReader)(nil)

// NewCacheReader checks the header of a trace cache read from r and
// returns a reader for its rows; file names the input in errors. When r is
// a regular *os.File (or has a Len method, as bytes.Reader), every size the
// file claims is checked against the bytes left before anything is
// allocated for it; otherwise (a pipe, gzip) a block is at most 32 MiB.
func NewCacheReader(r io.Reader, file string) (*CacheReader, error) {
	rd := &CacheReader{r: r, file: file, size: -1}
	if l, ok := r.(interface{ Len() int }); ok { // bytes.Reader, strings.Reader
		rd.size = int64(l.Len())
	} else if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if pos, err := f.Seek(0, io.SeekCurrent); err == nil {
				rd.size = fi.Size() - pos
			}
		}
	}
	var h [cacheHeaderSize]byte
	if err := rd.readFull(h[:], "the 16-byte header (magic, version, flags)"); err != nil {
		return nil, err
	}
	if !IsCache(h[:]) {
		return nil, rd.errorf(0, -1, "expected the trace cache magic \\x89FSC\\r\\n\\x1a\\n, got %q (is this a .fsc file? convert a trace with fleetsim trace convert IN OUT.fsc)", h[:8])
	}
	if v := binary.LittleEndian.Uint32(h[8:]); v != cacheVersion {
		return nil, rd.errorf(8, -1, "expected version %d, got %d (convert the trace again with this fleetsim)", cacheVersion, v)
	}
	if fl := binary.LittleEndian.Uint32(h[12:]); fl != 0 {
		return nil, rd.errorf(12, -1, "expected flags 0, got %#x", fl)
	}
	return rd, nil
}

// errorf returns an *Error naming the byte offset off and, when row >= 0,
// the 1-based row.
func (rd *CacheReader) errorf(off int64, row int64, format string, args ...any) error {
	where := fmt.Sprintf("byte %d: ", off)
	if row >= 0 {
		where = fmt.Sprintf("byte %d: row %d: ", off, row+1)
	}
	return &Error{File: rd.file, Msg: where + fmt.Sprintf(format, args...)}
}

// readFull reads len(b) bytes, what: what they are, for the error of a
// file that ends early.
func (rd *CacheReader) readFull(b []byte, what string) error {
	n, err := io.ReadFull(rd.r, b)
	rd.off += int64(n)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return rd.errorf(rd.off, -1, "file ends early (truncated?): expected %s", what)
	}
	if err != nil {
		return &Error{File: rd.file, Msg: fmt.Sprintf("byte %d: read failed: %v", rd.off, err), Err: err}
	}
	return nil
}

// Position returns the file and, as the line, the 1-based row of the task
// last returned by Next (0 before the first): a cache has no lines, and
// the row is what its errors name (see Positioner).
func (rd *CacheReader) Position() (file string, line int) { return rd.file, int(rd.first) + rd.i }

// Next reads the next task into t: io.EOF after the last, an *Error for
// bad input, and after an error the same error again.
func (rd *CacheReader) Next(t *sim.Task) error {
	if rd.i == rd.n {
		if rd.err != nil {
			return rd.err
		}
		if rd.err = rd.block(); rd.err != nil {
			return rd.err
		}
	}
	i := rd.i
	rd.i++
	le := binary.LittleEndian
	c := &rd.cols
	*t = sim.Task{ID: int64(rd.first) + int64(i)}
	if b := c[cfID]; b != nil {
		t.ID = int64(le.Uint64(b[8*i:]))
	}
	if b := c[cfArrival]; b != nil {
		t.Arrival = sim.Time(le.Uint64(b[8*i:]))
	}
	if b := c[cfDuration]; b != nil {
		t.Work = sim.Time(le.Uint64(b[8*i:]))
	}
	if rd.rare == 0 {
		return nil
	}
	if b := c[cfCPU]; b != nil {
		t.CPU = int64(le.Uint64(b[8*i:]))
	}
	if b := c[cfMemory]; b != nil {
		t.Memory = int64(le.Uint64(b[8*i:]))
	}
	if b := c[cfGPUs]; b != nil {
		t.GPUs = int32(le.Uint32(b[4*i:]))
	}
	if b := c[cfGPUMilli]; b != nil {
		t.GPUMilli = int32(le.Uint32(b[4*i:]))
	}
	if b := c[cfPriority]; b != nil {
		t.Priority = int32(le.Uint32(b[4*i:]))
	}
	if b := c[cfEstimate]; b != nil {
		t.Estimate = sim.Time(le.Uint64(b[8*i:]))
	}
	if b := c[cfPromptTokens]; b != nil {
		t.PromptTokens = int32(le.Uint32(b[4*i:]))
	}
	if b := c[cfOutputTokens]; b != nil {
		t.OutputTokens = int32(le.Uint32(b[4*i:]))
	}
	if b := c[cfOutputBytes]; b != nil {
		t.OutputBytes = int64(le.Uint64(b[8*i:]))
	}
	if b := c[cfNodes]; b != nil {
		t.Nodes = int32(le.Uint32(b[4*i:]))
	}
	if b := c[cfMemoryUse]; b != nil {
		t.MemoryUse = int64(le.Uint64(b[8*i:]))
	}
	if b := c[cfMemoryRate]; b != nil {
		t.MemoryRate = int64(le.Uint64(b[8*i:]))
	}
	if b := c[cfTenant]; b != nil {
		t.Tenant = rd.strs[le.Uint32(b[4*i:])]
	}
	if b := c[cfRegion]; b != nil {
		t.Region = rd.strs[le.Uint32(b[4*i:])]
	}
	if b := c[cfClass]; b != nil {
		t.Class = rd.strs[le.Uint32(b[4*i:])]
	}
	if b := c[cfGPUSpec]; b != nil {
		t.GPUSpec = rd.strs[le.Uint32(b[4*i:])]
	}
	return nil
}

// block reads and checks the next block; io.EOF after the end block.
func (rd *CacheReader) block() error {
	start := rd.off
	var h [cacheBlockHead]byte
	if err := rd.readFull(h[:], "a 16-byte block header or the end block (rows, fields, size, crc)"); err != nil {
		return err
	}
	le := binary.LittleEndian
	rows, mask, size, sum := le.Uint32(h[0:]), le.Uint32(h[4:]), le.Uint32(h[8:]), le.Uint32(h[12:])
	if rows > CacheBlockRows {
		return rd.errorf(start, -1, "block header: expected at most %d rows, got %d", CacheBlockRows, rows)
	}
	if mask&^allCacheFields != 0 {
		return rd.errorf(start+4, -1, "block header: expected field bits within %#x, got %#x", allCacheFields, mask)
	}
	if size > cacheMaxBlock {
		return rd.errorf(start+8, -1, "block header: expected a payload of at most %d bytes, got %d", cacheMaxBlock, size)
	}
	if rd.size >= 0 && int64(size) > rd.size-rd.off {
		return rd.errorf(start+8, -1, "block header: payload of %d bytes, but only %d bytes follow (truncated?)", size, rd.size-rd.off)
	}
	if rows == 0 {
		if mask != 0 || size != 8 {
			return rd.errorf(start, -1, "end block: expected fields 0 and size 8, got fields %#x and size %d", mask, size)
		}
	} else {
		// Columns first: the payload must hold them before any table.
		need := uint64(0)
		for f := cfID; f < numCacheFields; f++ {
			if mask&(1<<f) != 0 {
				need += uint64(rows) * uint64(f.width())
			}
		}
		if mask>>cfFirstText != 0 {
			need += 4
		}
		if uint64(size) < need {
			return rd.errorf(start+8, -1, "block header: %d rows of fields %#x need at least %d bytes of payload, got %d", rows, mask, need, size)
		}
	}
	if cap(rd.buf) < int(size) {
		rd.buf = make([]byte, size)
	}
	p := rd.buf[:size]
	if err := rd.readFull(p, fmt.Sprintf("a block payload of %d bytes", size)); err != nil {
		return err
	}
	if got := crc32.Checksum(p, castagnoli); got != sum {
		return rd.errorf(start+12, -1, "block checksum: expected CRC-32C %#08x of the payload, got %#08x (corrupted?)", sum, got)
	}
	if rows == 0 {
		if total := le.Uint64(p); total != rd.first+uint64(rd.n) {
			return rd.errorf(start+16, -1, "end block: the file has %d rows, the end block says %d", rd.first+uint64(rd.n), total)
		}
		var one [1]byte
		if n, _ := io.ReadFull(rd.r, one[:]); n > 0 {
			return rd.errorf(rd.off, -1, "expected the end of the file after the end block, got more bytes")
		}
		return io.EOF
	}
	rd.first += uint64(rd.n)
	rd.n, rd.i = 0, 0
	rd.strs = rd.strs[:0]
	off := 0
	for f := cfID; f < numCacheFields; f++ {
		rd.cols[f] = nil
		if mask&(1<<f) != 0 {
			w := int(rows) * f.width()
			rd.cols[f] = p[off : off+w : off+w]
			rd.colOff[f] = int64(off)
			off += w
		}
	}
	if mask>>cfFirstText != 0 {
		if err := rd.table(p[off:], start+cacheBlockHead+int64(off)); err != nil {
			return err
		}
	} else if off != len(p) {
		return rd.errorf(start+cacheBlockHead+int64(off), -1, "expected the block to end after its fields, got %d more bytes", len(p)-off)
	}
	rd.rare = mask &^ (1<<cfID | 1<<cfArrival | 1<<cfDuration)
	if err := rd.check(int(rows), start); err != nil {
		return err
	}
	rd.n = int(rows)
	return nil
}

// table reads a block's string table from p, which starts at byte off.
func (rd *CacheReader) table(p []byte, off int64) error {
	le := binary.LittleEndian
	count := uint64(le.Uint32(p))
	if count*4 > uint64(len(p)-4) {
		return rd.errorf(off, -1, "string table: %d lengths do not fit in the %d bytes left of the block", count, len(p)-4)
	}
	lens, text := p[4:4+4*count], p[4+4*count:]
	for k := range count {
		l := uint64(le.Uint32(lens[4*k:]))
		if l > uint64(len(text)) {
			return rd.errorf(off+4+4*int64(k), -1, "string table: string %d of %d bytes, but %d bytes are left", k, l, len(text))
		}
		rd.strs = append(rd.strs, string(text[:l]))
		text = text[l:]
	}
	if len(text) != 0 {
		return rd.errorf(off, -1, "string table: %d bytes left over after %d strings", len(text), count)
	}
	return nil
}

// check refuses a block whose values the native readers would refuse:
// negative sizes and times, gpu_milli outside 0..1000, string indexes
// outside the table, arrivals out of order. It reports the first bad row.
func (rd *CacheReader) check(rows int, start int64) error {
	le := binary.LittleEndian
	bad := func(f cacheField, i int, format string, args ...any) error {
		off := start + cacheBlockHead + rd.colOff[f] + int64(i*f.width())
		return rd.errorf(off, int64(rd.first)+int64(i), "column %s: "+format, append([]any{cacheFieldNames[f]}, args...)...)
	}
	for f := cfID; f < numCacheFields; f++ {
		b := rd.cols[f]
		if b == nil {
			continue
		}
		switch {
		case f == cfID || f == cfPriority:
		case f >= cfFirstText:
			for i := range rows {
				if k := le.Uint32(b[4*i:]); int(k) >= len(rd.strs) {
					return bad(f, i, "expected an index into the block's %d strings, got %d", len(rd.strs), k)
				}
			}
		case f.width() == 4:
			for i := range rows {
				v := int32(le.Uint32(b[4*i:]))
				if v < 0 {
					return bad(f, i, "expected a non-negative value, got %d", v)
				}
				if f == cfGPUMilli && v > 1000 {
					return bad(f, i, "expected a value in 0..1000, got %d", v)
				}
			}
		default:
			for i := range rows {
				if v := int64(le.Uint64(b[8*i:])); v < 0 {
					return bad(f, i, "expected a non-negative value, got %d", v)
				}
			}
		}
	}
	if b := rd.cols[cfArrival]; b != nil {
		prev := rd.prev
		for i := range rows {
			a := sim.Time(le.Uint64(b[8*i:]))
			if a < prev {
				return bad(cfArrival, i, "expected arrivals in order: %s is earlier than the previous row's %s", FormatSeconds(a), FormatSeconds(prev))
			}
			prev = a
		}
		rd.prev = prev
	} else if rd.prev > 0 {
		rd.colOff[cfArrival] = 0
		return bad(cfArrival, 0, "expected arrivals in order: 0 is earlier than the previous row's %s", FormatSeconds(rd.prev))
	}
	return nil
}
