package external

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// Operations a strategy may implement, as named in its hello.
const (
	OpPick  = "pick"  // node queueing: choose a node per arriving task
	OpScore = "score" // filter and score the candidate nodes of a task
	OpPlace = "place" // central queueing: choose node and GPUs
	OpKey   = "key"   // central queueing: the task's sort key (queue order)
)

// View parts a strategy may ask for in its hello.
const (
	PartLoad   = "load"   // active and queued tasks per node
	PartHealth = "health" // healthy (up as health checks report) and member of the pool
	PartAlloc  = "alloc"  // allocated CPU and memory per node
	PartGPUs   = "gpus"   // free share of each GPU per node
)

// Event kinds a strategy may ask for in its hello.
const (
	EvStarted  = "started"
	EvFinished = "finished"
	EvFailed   = "failed"
)

// Spec is what Start needs besides the Config: the run's cluster, its
// queueing model, the seed and the name of the strategy's random stream.
type Spec struct {
	Nodes   []sim.NodeSpec
	Central bool   // central queueing (job placement) rather than node queueing
	Seed    uint64 // the run's seed
	Stream  string // the stream fleetsim would give a built-in strategy, e.g. "strategy/p2c"
}

// Strategy is an external strategy: the sim interfaces, answered by a
// process over the decision protocol. It implements sim.Picker (node
// queueing), sim.Placer (central queueing) and sim.Observer; Start returns
// a sim.Ticker as well when the strategy asked for ticks, and QueueOrder a
// sim.QueueSorter when it orders the queue.
//
// A protocol failure cannot be returned through the sim interfaces, so the
// Strategy records the first one, answers every later call at once with a
// neutral value (drop, does not fit), and reports it through Err; the run
// loop must check Err after each Step and stop (scenario.Start wraps the
// engine so that it does). Close stops the process.
type Strategy struct {
	cfg     Config
	spec    Spec
	p       *proc
	label   string
	ops     map[string]bool
	parts   [4]bool // load, health, alloc, gpus
	events  [3]bool // started, finished, failed
	every   sim.Time
	err     error
	closed  bool
	seq     int64
	buf     []byte
	pending []byte // buffered events, JSON array elements
	nPend   int

	// What the strategy last saw of each node, to send only changes.
	sent  []nodeState
	first bool
	cand  []int
	keys  map[int64]float64

	vlog     *sim.ChangeLog // load and health changes since the last message
	vlogView *sim.View      // the View vlog tracks
	scan     []int          // the nodes appendView compares
	reply    reply

	// Batching (batch.go).
	batchMax   int
	look       *Lookahead
	bt         batch
	batchTasks []sim.Task
	discard    int
	stats      Stats
}

type nodeState struct {
	active, queued  int32
	healthy, member bool
	cpu, mem        int64
	gpus            []int32
}

// ticking is a Strategy that also implements sim.Ticker.
type ticking struct{ *Strategy }

// Every implements sim.Ticker.
func (t ticking) Every() sim.Time { return t.every }

// Tick implements sim.Ticker.
func (t ticking) Tick(v *sim.View) { t.tick(v) }

var (
	_ sim.Picker   = (*Strategy)(nil)
	_ sim.Placer   = (*Strategy)(nil)
	_ sim.Observer = (*Strategy)(nil)
	_ sim.Ticker   = ticking{}
)

// helloIn is the strategy's answer to the hello.
type helloIn struct {
	Type     string   `json:"type"`
	Protocol *int     `json:"protocol"`
	Ops      []string `json:"ops"`
	View     []string `json:"view"`
	Events   []string `json:"events"`
	Tick     int64    `json:"tick"`
	Batch    int      `json:"batch"`
	Error    string   `json:"error"`
}

// Start starts the strategy's process and exchanges hellos. The returned
// strategy implements sim.Ticker too when the strategy asked for ticks.
// On error the process has been killed.
func Start(cfg Config, spec Spec) (sim.Strategy, *Strategy, error) {
	s := &Strategy{cfg: cfg, spec: spec, label: cfg.Label(), ops: map[string]bool{}, first: true, keys: map[int64]float64{}}
	if cfg.Timeout <= 0 {
		s.cfg.Timeout = DefaultTimeout
	}
	p, err := start(&s.cfg)
	if err != nil {
		return nil, nil, s.fail("hello", err)
	}
	s.p = p
	if err := s.hello(); err != nil {
		s.p.kill()
		s.closed = true
		return nil, nil, err
	}
	if s.every > 0 {
		return ticking{s}, s, nil
	}
	return s, s, nil
}

// fail records and returns the protocol error of message what.
func (s *Strategy) fail(what string, err error) error {
	e := fmt.Errorf("external strategy %s (%s): message %s: %v", s.label, strings.Join(s.cfg.Command, " "), what, err)
	if s.err == nil {
		s.err = e
	}
	return e
}

func (s *Strategy) hello() error {
	b := s.buf[:0]
	b = append(b, `{"type":"hello","protocol":`...)
	b = strconv.AppendInt(b, Protocol, 10)
	b = append(b, `,"name":`...)
	b = appendString(b, s.label)
	b = append(b, `,"model":`...)
	if s.spec.Central {
		b = append(b, `"central"`...)
	} else {
		b = append(b, `"node"`...)
	}
	b = append(b, `,"seed":`...)
	b = strconv.AppendUint(b, s.spec.Seed, 10)
	b = append(b, `,"stream":`...)
	b = appendString(b, s.spec.Stream)
	b = append(b, `,"nodes":[`...)
	for i, n := range s.spec.Nodes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"index":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `,"name":`...)
		b = appendString(b, n.Name)
		b = append(b, `,"group":`...)
		b = appendString(b, n.Group)
		b = append(b, `,"region":`...)
		b = appendString(b, n.Region)
		b = append(b, `,"slots":`...)
		b = strconv.AppendInt(b, int64(n.Slots), 10)
		b = append(b, `,"speed":`...)
		b = strconv.AppendFloat(b, n.Speed, 'g', -1, 64)
		b = append(b, `,"cpu":`...)
		b = strconv.AppendInt(b, n.CPU, 10)
		b = append(b, `,"memory":`...)
		b = strconv.AppendInt(b, n.Memory, 10)
		b = append(b, `,"gpus":`...)
		b = strconv.AppendInt(b, int64(n.GPUs), 10)
		b = append(b, `,"gpu_model":`...)
		b = appendString(b, n.GPUModel)
		b = append(b, `,"cost_per_hour":`...)
		b = strconv.AppendFloat(b, n.CostPerHour, 'g', -1, 64)
		b = append(b, '}')
	}
	b = append(b, `],"params":`...)
	params := s.cfg.Params
	if params == nil {
		params = map[string]any{}
	}
	pj, err := json.Marshal(params) // sorted keys: deterministic
	if err != nil {
		return s.fail("hello", fmt.Errorf("params: %v", err))
	}
	b = append(b, pj...)
	b = append(b, '}')
	s.buf = b
	if err := s.p.send(b); err != nil {
		return s.fail("hello", err)
	}
	line, err := s.p.recv()
	if err != nil {
		return s.fail("hello", err)
	}
	var h helloIn
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return s.fail("hello", fmt.Errorf("expected a JSON hello answer like {\"type\":\"hello\",\"protocol\":1,\"ops\":[\"pick\"]}, got %s (%v)", quote(line), err))
	}
	switch {
	case h.Error != "":
		return s.fail("hello", fmt.Errorf("the strategy refused: %s", h.Error))
	case h.Type != "hello":
		return s.fail("hello", fmt.Errorf("expected type \"hello\", got %q", h.Type))
	case h.Protocol == nil:
		return s.fail("hello", fmt.Errorf("expected a protocol version, got none"))
	case *h.Protocol != Protocol:
		return s.fail("hello", fmt.Errorf("the strategy speaks protocol %d, fleetsim speaks %d", *h.Protocol, Protocol))
	case h.Tick < 0:
		return s.fail("hello", fmt.Errorf("expected tick >= 0 (nanoseconds), got %d", h.Tick))
	}
	for _, op := range h.Ops {
		allowed := []string{OpPick, OpScore}
		if s.spec.Central {
			allowed = []string{OpPlace, OpScore, OpKey}
		}
		if !contains(allowed, op) {
			model := "node"
			if s.spec.Central {
				model = "central"
			}
			return s.fail("hello", fmt.Errorf("operation %q is not one of %s's (%s)", op, model, strings.Join(allowed, ", ")))
		}
		s.ops[op] = true
	}
	if !s.spec.Central && !s.ops[OpPick] && !s.ops[OpScore] {
		return s.fail("hello", fmt.Errorf("expected ops to hold pick or score under node queueing, got %v", h.Ops))
	}
	if s.spec.Central && !s.ops[OpPlace] && !s.ops[OpScore] {
		return s.fail("hello", fmt.Errorf("expected ops to hold place or score under central queueing, got %v", h.Ops))
	}
	for _, part := range h.View {
		k := index([]string{PartLoad, PartHealth, PartAlloc, PartGPUs}, part)
		if k < 0 {
			return s.fail("hello", fmt.Errorf("view part %q is not one of load, health, alloc, gpus", part))
		}
		s.parts[k] = true
	}
	for _, ev := range h.Events {
		k := index([]string{EvStarted, EvFinished, EvFailed}, ev)
		if k < 0 {
			return s.fail("hello", fmt.Errorf("event %q is not one of started, finished, failed", ev))
		}
		s.events[k] = true
	}
	s.every = sim.Time(h.Tick)
	if h.Batch < 0 || h.Batch > maxBatch {
		return s.fail("hello", fmt.Errorf("expected batch in [0, %d], got %d", maxBatch, h.Batch))
	}
	if h.Batch > 1 {
		if s.spec.Central || !s.ops[OpPick] || s.parts[2] || s.parts[3] {
			return s.fail("hello", fmt.Errorf("batch applies to pick under node queueing, with view parts load and health only"))
		}
		s.batchMax = h.Batch
	}
	s.sent = make([]nodeState, len(s.spec.Nodes))
	return nil
}

// maxBatch bounds the requests of one message.
const maxBatch = 1 << 16

// Name implements sim.Strategy.
func (s *Strategy) Name() string { return s.label }

// Err is the protocol failure that stopped the strategy, or nil.
func (s *Strategy) Err() error { return s.err }

// Ops reports whether the strategy implements op.
func (s *Strategy) Ops(op string) bool { return s.ops[op] }

// Close tells the strategy the run is over, gives it the timeout to exit
// and kills its process group otherwise. It is safe to call twice.
func (s *Strategy) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.err != nil {
		s.p.kill()
		return nil
	}
	b := s.begin("end", -1)
	b = s.finishEvents(b)
	b = append(b, '}')
	s.buf = b
	s.p.send(b) // an error here changes nothing: the process is stopped anyway
	s.p.stop(s.cfg.Timeout)
	return nil
}

// Kill stops the process at once (after a failure elsewhere).
func (s *Strategy) Kill() {
	if !s.closed {
		s.closed = true
		s.p.kill()
	}
}

// begin starts a message of the given type; seq < 0 for none.
func (s *Strategy) begin(typ string, seq int64) []byte {
	b := s.buf[:0]
	b = append(b, `{"type":"`...)
	b = append(b, typ...)
	b = append(b, '"')
	if seq >= 0 {
		b = append(b, `,"seq":`...)
		b = strconv.AppendInt(b, seq, 10)
	}
	return b
}

// finishEvents appends the buffered events and clears them.
func (s *Strategy) finishEvents(b []byte) []byte {
	if s.nPend > 0 {
		b = append(b, `,"events":[`...)
		b = append(b, s.pending...)
		b = append(b, ']')
		s.pending, s.nPend = s.pending[:0], 0
	}
	return b
}

// appendView appends now, the buffered events and the View's changes
// since the strategy's previous message.
func (s *Strategy) appendView(b []byte, v *sim.View) []byte {
	if s.discard > 0 {
		b = append(b, `,"discarded":`...)
		b = strconv.AppendInt(b, int64(s.discard), 10)
		s.discard = 0
	}
	b = append(b, `,"now":`...)
	b = strconv.AppendInt(b, int64(v.Now()), 10)
	b = s.finishEvents(b)
	if !s.parts[0] && !s.parts[1] && !s.parts[2] && !s.parts[3] {
		return b
	}
	b = append(b, `,"view":{`...)
	comma := false
	part := func(name string) {
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":[`...)
	}
	all := s.first
	s.first = false
	// Load and health: only the nodes the View's change log lists can
	// differ from what was sent (every node the first time, or when the
	// log overflowed), visited in index order as a scan of every node would.
	scan := s.loadScan(v, all)
	if s.parts[0] {
		part(PartLoad)
		k := 0
		for _, i := range scan {
			st := &s.sent[i]
			a, q := int32(v.Active(i)), int32(v.Queued(i))
			if all || st.active != a || st.queued != q {
				st.active, st.queued = a, q
				b = sep(b, &k)
				b = append(b, '[')
				b = strconv.AppendInt(b, int64(i), 10)
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(a), 10)
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(q), 10)
				b = append(b, ']')
			}
		}
		b = append(b, ']')
	}
	if s.parts[1] {
		part(PartHealth)
		k := 0
		for _, i := range scan {
			st := &s.sent[i]
			h, m := v.Healthy(i), v.Member(i)
			if all || st.healthy != h || st.member != m {
				st.healthy, st.member = h, m
				b = sep(b, &k)
				b = append(b, '[')
				b = strconv.AppendInt(b, int64(i), 10)
				b = append(b, ',', bit(h), ',', bit(m), ']')
			}
		}
		b = append(b, ']')
	}
	if s.parts[2] {
		part(PartAlloc)
		k := 0
		for i := range s.sent {
			st := &s.sent[i]
			c, m := v.CPUUsed(i), v.MemoryUsed(i)
			if all || st.cpu != c || st.mem != m {
				st.cpu, st.mem = c, m
				b = sep(b, &k)
				b = append(b, '[')
				b = strconv.AppendInt(b, int64(i), 10)
				b = append(b, ',')
				b = strconv.AppendInt(b, c, 10)
				b = append(b, ',')
				b = strconv.AppendInt(b, m, 10)
				b = append(b, ']')
			}
		}
		b = append(b, ']')
	}
	if s.parts[3] {
		part(PartGPUs)
		k := 0
		for i := range s.sent {
			st := &s.sent[i]
			free := v.GPUFree(i)
			if all || !equal32(st.gpus, free) {
				st.gpus = append(st.gpus[:0], free...)
				b = sep(b, &k)
				b = append(b, '[')
				b = strconv.AppendInt(b, int64(i), 10)
				b = append(b, ",["...)
				for g, f := range free {
					if g > 0 {
						b = append(b, ',')
					}
					b = strconv.AppendInt(b, int64(f), 10)
				}
				b = append(b, "]]"...)
			}
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// loadScan returns the nodes whose load or health may differ from what
// the strategy was last sent, in ascending order: those the View's change
// log listed since the previous message, or every node (the first message,
// a log that overflowed, another View). It resets the log.
func (s *Strategy) loadScan(v *sim.View, all bool) []int {
	if !s.parts[0] && !s.parts[1] {
		return nil
	}
	if s.vlogView != v {
		s.vlog, s.vlogView, all = v.TrackChanges(), v, true
	}
	s.scan = s.scan[:0]
	if all || s.vlog.Overflow() {
		for i := range s.sent {
			s.scan = append(s.scan, i)
		}
	} else {
		for _, i := range s.vlog.Nodes() {
			s.scan = append(s.scan, int(i))
		}
		slices.Sort(s.scan)
		s.scan = slices.Compact(s.scan)
	}
	s.vlog.Reset()
	return s.scan
}

// appendTask appends t's fields; zero values are left out. Work (the
// service time) is never sent: a strategy does not see the future.
func appendTask(b []byte, t *sim.Task) []byte {
	return appendTaskObject(append(b, `,"task":`...), t)
}

// appendTaskObject appends t as a JSON object.
func appendTaskObject(b []byte, t *sim.Task) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, t.ID, 10)
	b = append(b, `,"arrival":`...)
	b = strconv.AppendInt(b, int64(t.Arrival), 10)
	num := func(name string, x int64) {
		if x != 0 {
			b = append(b, `,"`...)
			b = append(b, name...)
			b = append(b, `":`...)
			b = strconv.AppendInt(b, x, 10)
		}
	}
	str := func(name, x string) {
		if x != "" {
			b = append(b, `,"`...)
			b = append(b, name...)
			b = append(b, `":`...)
			b = appendString(b, x)
		}
	}
	num("cpu", t.CPU)
	num("memory", t.Memory)
	num("gpus", int64(t.GPUs))
	num("gpu_milli", int64(t.GPUMilli))
	num("priority", int64(t.Priority))
	num("estimate", int64(t.Estimate))
	num("prompt_tokens", int64(t.PromptTokens))
	num("output_tokens", int64(t.OutputTokens))
	str("gpu_spec", t.GPUSpec)
	str("tenant", t.Tenant)
	str("region", t.Region)
	str("class", t.Class)
	return append(b, '}')
}

// reply is a decision's answer; fields are those of the operation asked.
type reply struct {
	Seq    *int64            `json:"seq"`
	Node   *int              `json:"node"`
	GPUs   []int             `json:"gpus"`
	Scores []json.RawMessage `json:"scores"`
	Key    *float64          `json:"key"`
	Nodes  []int             `json:"nodes"`
	Error  string            `json:"error"`
}

// decide sends a decide message for op and reads the answer into s.reply.
func (s *Strategy) decide(op string, v *sim.View, t *sim.Task, cand []int) (what string, err error) {
	s.seq++
	what = fmt.Sprintf("%d (%s, task %d at %v)", s.seq, op, t.ID, v.Now())
	b := s.begin("decide", s.seq)
	b = s.appendView(b, v)
	b = append(b, `,"op":"`...)
	b = append(b, op...)
	b = append(b, '"')
	b = appendTask(b, t)
	if cand != nil {
		b = append(b, `,"nodes":[`...)
		for k, i := range cand {
			if k > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(i), 10)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	s.buf = b
	s.stats.Messages++
	return what, s.exchange()
}

// exchange sends s.buf and reads the answer into s.reply.
func (s *Strategy) exchange() error {
	if err := s.p.send(s.buf); err != nil {
		return err
	}
	line, err := s.p.recv()
	if err != nil {
		return err
	}
	s.reply = reply{}
	if err := json.Unmarshal(line, &s.reply); err != nil {
		return fmt.Errorf("expected one JSON object per line, like {\"seq\":%d,...}, got %s (%v)", s.seq, quote(line), err)
	}
	r := &s.reply
	switch {
	case r.Error != "":
		return fmt.Errorf("the strategy reported an error: %s", r.Error)
	case r.Seq == nil:
		return fmt.Errorf("expected the answer to carry seq %d, got %s", s.seq, quote(line))
	case *r.Seq != s.seq:
		return fmt.Errorf("expected the answer to message %d, got one with seq %d", s.seq, *r.Seq)
	}
	return nil
}

// Pick implements sim.Picker. With the pick operation the strategy names
// the node (or -1 to drop); with score the node with the highest score
// among those it did not filter out wins, the lowest index on ties, as
// the engine does for sim.Scorer.
func (s *Strategy) Pick(v *sim.View, t *sim.Task) int {
	if s.err != nil {
		return sim.Drop
	}
	n := v.Len()
	if s.batchMax > 1 && s.look != nil {
		return s.pickBatched(v, t)
	}
	s.stats.Decisions++
	if s.ops[OpScore] && !s.ops[OpPick] {
		s.cand = s.cand[:0]
		for i := 0; i < n; i++ {
			s.cand = append(s.cand, i)
		}
		best, ok := s.best(v, t)
		if !ok {
			return sim.Drop
		}
		return best
	}
	what, err := s.decide(OpPick, v, t, nil)
	if err != nil {
		s.fail(what, err)
		return sim.Drop
	}
	if s.reply.Node == nil {
		s.fail(what, fmt.Errorf("expected a node, like {\"seq\":%d,\"node\":0}; got none", s.seq))
		return sim.Drop
	}
	i := *s.reply.Node
	if i == sim.Drop {
		return sim.Drop
	}
	if i < 0 || i >= n {
		s.fail(what, fmt.Errorf("node %d is out of range: valid nodes are 0..%d, or -1 to drop the task", i, n-1))
		return sim.Drop
	}
	return i
}

// best asks for the scores of s.cand and returns the best candidate.
func (s *Strategy) best(v *sim.View, t *sim.Task) (int, bool) {
	if len(s.cand) == 0 {
		return -1, false
	}
	what, err := s.decide(OpScore, v, t, s.cand)
	if err != nil {
		s.fail(what, err)
		return -1, false
	}
	sc := s.reply.Scores
	if len(sc) != len(s.cand) {
		s.fail(what, fmt.Errorf("expected %d scores (one per node in nodes, null to filter a node out), got %d", len(s.cand), len(sc)))
		return -1, false
	}
	best, bestScore := -1, sim.MinScore-1
	for k, raw := range sc {
		if string(raw) == "null" {
			continue
		}
		x, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil || x < sim.MinScore || x > sim.MaxScore {
			s.fail(what, fmt.Errorf("score %s for node %d: expected an integer in [%d, %d] or null", truncate(string(raw)), s.cand[k], sim.MinScore, sim.MaxScore))
			return -1, false
		}
		if x > bestScore {
			best, bestScore = s.cand[k], x
		}
	}
	return best, best >= 0
}

// Place implements sim.Placer. With the place operation the strategy names
// the node and GPUs (node -1: the task fits nowhere now; GPUs left out:
// fleetsim chooses them as for a scorer); with score it scores the nodes
// the task fits on and the best one wins, lowest index on ties, GPUs chosen
// by sim.View.PickGPUs, as the engine does for sim.Scorer. Every placement
// is checked against the model before it is used.
func (s *Strategy) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	if s.err != nil {
		return false
	}
	if s.ops[OpScore] && !s.ops[OpPlace] {
		s.cand = s.cand[:0]
		for i := 0; i < v.Len(); i++ {
			if v.Fits(i, t) {
				s.cand = append(s.cand, i)
			}
		}
		best, ok := s.best(v, t)
		if !ok {
			return false
		}
		p.Node = best
		p.GPUs = v.PickGPUs(best, t, p.GPUs[:0])
		return true
	}
	what, err := s.decide(OpPlace, v, t, nil)
	if err != nil {
		s.fail(what, err)
		return false
	}
	r := &s.reply
	if r.Node == nil {
		s.fail(what, fmt.Errorf("expected a node, like {\"seq\":%d,\"node\":0,\"gpus\":[0]}, or node -1 when the task fits nowhere now; got none", s.seq))
		return false
	}
	if *r.Node == -1 {
		return false
	}
	if r.GPUs == nil {
		if *r.Node >= 0 && *r.Node < v.Len() {
			r.GPUs = v.PickGPUs(*r.Node, t, nil)
		}
	}
	if err := checkPlacement(v, t, *r.Node, r.GPUs); err != nil {
		s.fail(what, fmt.Errorf("infeasible placement: %v", err))
		return false
	}
	p.Node = *r.Node
	p.GPUs = append(p.GPUs[:0], r.GPUs...)
	return true
}

// checkPlacement reports why task t cannot go to node i on gpus now.
func checkPlacement(v *sim.View, t *sim.Task, i int, gpus []int) error {
	if i < 0 || i >= v.Len() {
		return fmt.Errorf("node %d is out of range: valid nodes are 0..%d, or -1 when the task fits nowhere now", i, v.Len()-1)
	}
	sp := v.Spec(i)
	if t.CPU > v.FreeCPU(i) {
		return fmt.Errorf("task %d asks for %d milli-CPU, node %d (%s) has %d free", t.ID, t.CPU, i, sp.Name, v.FreeCPU(i))
	}
	if t.Memory > v.FreeMemory(i) {
		return fmt.Errorf("task %d asks for %d bytes of memory, node %d (%s) has %d free", t.ID, t.Memory, i, sp.Name, v.FreeMemory(i))
	}
	k, milli := t.GPUDemand()
	if len(gpus) != k {
		return fmt.Errorf("task %d needs %d GPU(s) on node %d (%s), the answer names %d", t.ID, k, i, sp.Name, len(gpus))
	}
	if k > 0 && !sim.ModelAllowed(t.GPUSpec, sp.GPUModel) {
		return fmt.Errorf("task %d may run on GPU models %q, node %d (%s) has %q", t.ID, t.GPUSpec, i, sp.Name, sp.GPUModel)
	}
	free := v.GPUFree(i)
	for j, g := range gpus {
		if g < 0 || g >= len(free) {
			return fmt.Errorf("node %d (%s) has GPUs 0..%d, the answer names GPU %d", i, sp.Name, len(free)-1, g)
		}
		for _, h := range gpus[:j] {
			if h == g {
				return fmt.Errorf("the answer names GPU %d of node %d twice", g, i)
			}
		}
		if free[g] < milli {
			return fmt.Errorf("task %d needs %d milli-GPU on GPU %d of node %d (%s), which has %d free", t.ID, milli, g, i, sp.Name, free[g])
		}
	}
	return nil
}

// QueueOrder returns the strategy's queue order (the key operation) as a
// sim.QueueSorter, or nil when it has none. Tasks are ordered by ascending
// key, asked once per task when it is first compared; equal keys keep
// arrival order (the engine's sort is stable).
func (s *Strategy) QueueOrder() sim.QueueSorter {
	if !s.ops[OpKey] {
		return nil
	}
	return queueOrder{s}
}

// queueOrder implements sim.QueueSorter and nothing else, so the engine
// does not send the strategy's outcomes twice.
type queueOrder struct{ s *Strategy }

// Name implements sim.Strategy.
func (q queueOrder) Name() string { return q.s.label }

// Less implements sim.QueueSorter.
func (q queueOrder) Less(a, b *sim.Task) bool { return q.s.key(a) < q.s.key(b) }

// view is the View the queue order's questions are asked against: the
// one the last decision saw (keys do not depend on it unless the strategy
// asked for view parts).
func (s *Strategy) key(t *sim.Task) float64 {
	if k, ok := s.keys[t.ID]; ok || s.err != nil {
		return k
	}
	what, err := s.decideKey(t)
	if err != nil {
		s.fail(what, err)
		return 0
	}
	if s.reply.Key == nil || math.IsNaN(*s.reply.Key) {
		s.fail(what, fmt.Errorf("expected a number, like {\"seq\":%d,\"key\":1.5}; got none", s.seq))
		return 0
	}
	s.keys[t.ID] = *s.reply.Key
	return *s.reply.Key
}

// decideKey asks for t's key. The queue order is asked outside any View
// (sim.QueueSorter has none), so the message carries the task alone.
func (s *Strategy) decideKey(t *sim.Task) (string, error) {
	s.seq++
	what := fmt.Sprintf("%d (key, task %d)", s.seq, t.ID)
	b := s.begin("decide", s.seq)
	b = append(b, `,"op":"key"`...)
	b = appendTask(b, t)
	b = append(b, '}')
	s.buf = b
	s.stats.Messages++
	return what, s.exchange()
}

// event buffers an outcome for the next message.
func (s *Strategy) event(kind int, v *sim.View, t *sim.Task, i int, latency sim.Time) {
	if kind != 0 && len(s.keys) > 0 {
		delete(s.keys, t.ID) // its key is asked again if it ever queues again
	}
	if s.err != nil || !s.events[kind] {
		return
	}
	b := s.pending
	if s.nPend > 0 {
		b = append(b, ',')
	}
	b = append(b, `["`...)
	b = append(b, [...]string{EvStarted, EvFinished, EvFailed}[kind]...)
	b = append(b, `",`...)
	b = strconv.AppendInt(b, int64(v.Now()), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, t.ID, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(i), 10)
	if kind == 1 {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(latency), 10)
	}
	b = append(b, ']')
	s.pending = b
	s.nPend++
}

// Started implements sim.Observer.
func (s *Strategy) Started(v *sim.View, t *sim.Task, i int) { s.event(0, v, t, i, 0) }

// Finished implements sim.Observer.
func (s *Strategy) Finished(v *sim.View, t *sim.Task, i int, latency sim.Time) {
	s.event(1, v, t, i, latency)
}

// Failed implements sim.Observer.
func (s *Strategy) Failed(v *sim.View, t *sim.Task, i int) { s.event(2, v, t, i, 0) }

// tick sends a tick: the View's changes and the buffered events; no answer.
func (s *Strategy) tick(v *sim.View) {
	if s.err != nil {
		return
	}
	b := s.begin("tick", -1)
	b = s.appendView(b, v)
	b = append(b, '}')
	s.buf = b
	if err := s.p.send(b); err != nil {
		s.fail(fmt.Sprintf("tick at %v", v.Now()), err)
	}
}

func appendString(b []byte, s string) []byte {
	j, _ := json.Marshal(s)
	return append(b, j...)
}

func sep(b []byte, k *int) []byte {
	if *k > 0 {
		b = append(b, ',')
	}
	*k++
	return b
}

func bit(x bool) byte {
	if x {
		return '1'
	}
	return '0'
}

func equal32(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(list []string, x string) bool { return index(list, x) >= 0 }

func index(list []string, x string) int {
	for i, y := range list {
		if y == x {
			return i
		}
	}
	return -1
}

// quote shows a received line in an error, shortened.
func quote(line []byte) string {
	if len(line) == 0 {
		return "an empty line"
	}
	return strconv.Quote(truncate(string(line)))
}

func truncate(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// keyed is a Strategy that also implements sim.QueueSorter.
type keyed struct{ *Strategy }

// Less implements sim.QueueSorter.
func (k keyed) Less(a, b *sim.Task) bool { return k.key(a) < k.key(b) }

// tickingKeyed is a Strategy that implements sim.Ticker and
// sim.QueueSorter.
type tickingKeyed struct{ *Strategy }

// Every implements sim.Ticker.
func (t tickingKeyed) Every() sim.Time { return t.every }

// Tick implements sim.Ticker.
func (t tickingKeyed) Tick(v *sim.View) { t.tick(v) }

// Less implements sim.QueueSorter.
func (t tickingKeyed) Less(a, b *sim.Task) bool { return t.key(a) < t.key(b) }

// Composite returns the strategy as one value that implements every sim
// interface it answers: sim.Picker, sim.Placer and sim.Observer, and
// sim.Ticker when it asked for ticks and sim.QueueSorter when it orders
// the queue (the key operation). It is for an executor that finds a
// strategy's extension points by type assertion on one value, as real
// execution does; the simulator takes the queue order through its
// configuration instead (QueueOrder), which sees the outcomes once.
func (s *Strategy) Composite() sim.Strategy {
	switch {
	case s.every > 0 && s.ops[OpKey]:
		return tickingKeyed{s}
	case s.every > 0:
		return ticking{s}
	case s.ops[OpKey]:
		return keyed{s}
	}
	return s
}
