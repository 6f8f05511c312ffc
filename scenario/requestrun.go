package scenario

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/fleetsim/fleetsim/scenario/manifest"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
	"github.com/fleetsim/fleetsim/sim/metrics"
	"github.com/fleetsim/fleetsim/traces"
)

// A run with request streams: each Service's requests are served by a
// sim.Endpoints (the node-queueing engine over endpoint slots), advanced
// on the central engine's clock as the control plane is: the kubeRun asks
// the engine to wake it (sim.Waker) at the earliest request event, and
// every change of a pod the control plane makes reaches the endpoints at
// its instant, after the request events before it. At one instant the
// control plane's changes come first when its timers run first; the order
// is the engine's, fixed by the scenario and seed.
//
// Pods enter a Service's endpoint slots when their container starts (one
// slot range per Deployment the Service selects, each pod serving that
// Deployment's concurrency), are listed while Ready, and leave when they
// are gone. From the stop time on, endpoints stay as they are while the
// requests in flight drain.

// wakeRequests is the Wake reference of the request streams' next event.
const wakeRequests int64 = 4 << 40

type requestsRun struct {
	kr      *kubeRun
	svcs    []*serviceRun
	armed   sim.Time // the wake-up armed for the requests (-1: none)
	byName  map[string]*kube.PodState
	scanned int          // cp.Pods() indexed into byName so far
	failed  map[int]bool // nodes whose machine is down
	speeds  []float64    // each node's speed (cluster.nodes; 1 for nodes added later)
	grace   map[string]sim.Time
	lastF   sim.Time // the instant the last fault window opened
	closers []io.Closer
	err     error
	// the engine's next event time (sim.Lookahead), nil until set
	lookahead func() sim.Time
	// late counts pod changes that reached a Service whose requests had
	// run past them (the interleaving broken; tests check it is 0)
	late int
}

type serviceRun struct {
	rr   *requestsRun
	q    *Requests
	svc  *manifest.Service
	sel  *kube.LabelSelector
	deps []*manifest.Deployment
	ep   *sim.Endpoints
	// per slot: its Deployment (index into deps) and pod (nil: empty)
	slotDep []int
	slotPod []*kube.PodState
	free    [][]int // per Deployment: its empty slots, lowest last
	conc    []int
	podSlot map[*kube.PodState]int
	gone    map[*kube.PodState]bool // deleted, waiting for the grace period
	ready   int                     // slots listed
	dead    int                     // slots listed whose container died
	noSlot  int                     // pods that found no empty slot
	windows []*reqWindow
	slo     int64 // requests served within the SLO
	// invariant: starts on a slot whose pod was not Ready and running,
	// of all starts
	notReadyStarts, starts int64
	onRecord               func(*sim.Record) // tests: each request's end
}

type reqWindow struct {
	kind, object     string
	start, end       sim.Time // end -1 while open
	requests, served int64
	failed, slo      int64
	lat              metrics.Histogram
}

// newRequestsRun prepares the request streams of one run.
func (s *Scenario) newRequestsRun(kr *kubeRun, bal StrategySpec, seed uint64, nodes []sim.NodeSpec) (*requestsRun, error) {
	k := s.Workload.Kubernetes
	rr := &requestsRun{kr: kr, armed: -1, byName: map[string]*kube.PodState{}, failed: map[int]bool{}, grace: map[string]sim.Time{}, lastF: -1}
	for _, n := range nodes {
		rr.speeds = append(rr.speeds, n.Speed)
	}
	for _, d := range k.Set.Deployments {
		// As the control plane takes it (ControlPlane.grace): the pod's
		// terminationGracePeriodSeconds, else workload.kubernetes.grace;
		// 0 is the control plane's default.
		g := k.Grace
		if d.Grace >= 0 {
			g = sim.Time(d.Grace)
		}
		if g <= 0 {
			g = sim.Time(kube.DefaultConfig().Grace)
		}
		rr.grace[d.Name] = g
	}
	churn := len(k.Events) > 0 || len(k.Autoscaler) > 0
	for qi, q := range s.Workload.Requests {
		var svc *manifest.Service
		for _, sv := range k.Set.Services {
			if sv.Name == q.Service {
				svc = sv
				break
			}
		}
		sr := &serviceRun{rr: rr, q: q, svc: svc, sel: &kube.LabelSelector{MatchLabels: svc.Selector},
			podSlot: map[*kube.PodState]int{}, gone: map[*kube.PodState]bool{}}
		var specs []sim.NodeSpec
		for _, d := range k.Set.Deployments {
			if d.Namespace != svc.Namespace || !sr.sel.Matches(d.Template.Labels) {
				continue
			}
			di := len(sr.deps)
			sr.deps = append(sr.deps, d)
			cpu := d.CPULimit
			if cpu == 0 {
				cpu = d.Template.Requests.MilliCPU
			}
			if cpu == 0 {
				cpu = 1000
			}
			c := int(max(1, cpu/q.CPUPerRequest))
			sr.conc = append(sr.conc, c)
			speed := float64(min(q.CPUPerRequest, cpu)) / 1000
			// Slots: the most pods the Deployment may have at once, with
			// room for surge and terminating pods when anything can
			// replace one.
			most := d.Replicas
			hpa := false
			for _, h := range k.Set.HPAs {
				if h.Target == d.Name && h.Namespace == d.Namespace {
					most, hpa = max(most, h.Max), true
				}
			}
			for _, e := range k.Events {
				if e.Kind == "scale" && e.Target == d.Name {
					most = max(most, e.Replicas)
				}
			}
			n := int(most)
			if churn || hpa || d.CrashAfter > 0 {
				n = 3*n + 1
			}
			var free []int
			for j := 0; j < n; j++ {
				free = append(free, len(specs)+n-1-j)
			}
			for j := 0; j < n; j++ {
				sr.slotDep = append(sr.slotDep, di)
				specs = append(specs, sim.NodeSpec{Name: fmt.Sprintf("%s/%s-%d", svc.Name, d.Name, j), Slots: c, Speed: speed})
			}
			sr.free = append(sr.free, free)
		}
		sr.slotPod = make([]*kube.PodState, len(specs))
		// The first stream draws from the streams a node-queueing run of
		// the same seed and balancer would (common random numbers); the
		// others from streams named after their Service.
		stream := seed
		st, err := s.Strategy(bal, seed)
		if qi > 0 {
			stream = sim.NewRand(seed, "requests/"+q.Service).Uint64()
			st, err = s.Strategy(bal, stream)
		}
		if err != nil {
			rr.Close()
			return nil, err
		}
		src, closer, err := s.requestSource(q, qi, stream)
		if err != nil {
			rr.Close()
			return nil, err
		}
		rr.closers = append(rr.closers, closer)
		cfg := sim.Config{Nodes: specs, StopTime: s.Stop.Time, Seed: stream, Client: q.Client, OnRecord: sr.record}
		ep, err := sim.NewEndpoints(cfg, src, st, sr.started)
		if err != nil {
			rr.Close()
			return nil, fmt.Errorf("%s:%d: workload.requests[%d]: %w", s.File, q.Line, qi, err)
		}
		sr.ep = ep
		rr.svcs = append(rr.svcs, sr)
	}
	// The control plane's changes reach the endpoints through its events;
	// recovered machines through the scenario's events.
	prev := kr.cp.OnEvent
	kr.cp.OnEvent = func(e kube.Event) {
		if prev != nil {
			prev(e)
		}
		rr.onEvent(e)
	}
	// An HPA whose Deployment has no fleetsim.io/cpu-usage reads the cpu
	// its pods use serving requests.
	for _, d := range k.Set.Deployments {
		if d.Usage != nil {
			continue
		}
		var users []func(int64) float64
		for _, sr := range rr.svcs {
			for di, sd := range sr.deps {
				if sd == d {
					users = append(users, sr.usage(di))
				}
			}
		}
		if len(users) == 0 {
			continue
		}
		name := d.Name
		kr.cp.Clock.At(d.Arrival, func() {
			for _, h := range kr.hpas {
				if h.Target.Spec.Name == name {
					h.Usage = func(t int64) float64 {
						u := 0.0
						for _, f := range users {
							u += f(t)
						}
						return u
					}
				}
			}
		})
	}
	for _, e := range k.Events {
		if e.Kind == "recover_node" {
			i := kr.c.NodeIndex(e.Target)
			kr.cp.Clock.At(int64(e.At), func() { rr.recovered(i) })
		}
	}
	return rr, nil
}

// requestSource opens entry qi's requests.
func (s *Scenario) requestSource(q *Requests, qi int, seed uint64) (sim.Source, io.Closer, error) {
	if q.Trace != nil {
		src, c, err := traces.Open(q.Trace.Path, q.Trace.Format)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: workload.requests[%d].trace.path: %w", s.File, q.Trace.Line, qi, err)
		}
		return src, c, nil
	}
	arr, err := arrivals(q.Arrivals)
	if err != nil {
		return nil, nil, fmt.Errorf("%s:%d: workload.requests[%d].arrivals: %w", s.File, q.Line, qi, err)
	}
	svc, err := service(q.ServiceTime)
	if err != nil {
		return nil, nil, fmt.Errorf("%s:%d: workload.requests[%d].service_time: %w", s.File, q.Line, qi, err)
	}
	return traces.NewGenerator(arr, svc, seed), io.NopCloser(nil), nil
}

// Close releases the request traces.
func (rr *requestsRun) Close() error {
	for _, c := range rr.closers {
		c.Close()
	}
	rr.closers = nil
	return nil
}

// next is the earliest request event of any Service.
func (rr *requestsRun) next() (sim.Time, bool) {
	var at sim.Time
	ok := false
	for _, sr := range rr.svcs {
		if t, has := sr.ep.Next(); has && (!ok || t < at) {
			at, ok = t, true
		}
	}
	return at, ok
}

// arm asks the engine to wake the run at the earliest request event.
func (rr *requestsRun) arm() {
	if rr.kr.alarm == nil {
		return
	}
	at, ok := rr.next()
	if !ok || (rr.armed >= 0 && rr.armed <= at) {
		return
	}
	rr.armed = at
	rr.kr.alarm(at, wakeRequests)
}

// wake runs the control plane's timers due now, then every request event
// due now, Service by Service (each Service's events are its own).
func (rr *requestsRun) wake(now sim.Time) {
	if rr.armed == now {
		rr.armed = -1
	}
	rr.kr.kickTimers(now)
	rr.runUntil(now)
	// Then the request events before the engine's next event (and the
	// control plane's next timer, which is one of them before the stop
	// time): nothing else happens in between. Unless the control plane
	// has pods waiting for room: a Job's pod the engine starts at the end
	// of this instant could end before that event, and the room it frees
	// start one of them at once.
	if rr.lookahead != nil && len(rr.kr.cp.Pending()) == 0 {
		h := rr.lookahead()
		if cn, ok := rr.kr.cp.Clock.Next(); ok && sim.Time(cn) < h {
			h = sim.Time(cn)
		}
		for rr.err == nil {
			t, ok := rr.next()
			if !ok || t >= h {
				break
			}
			rr.runUntil(t)
		}
	}
	rr.arm()
}

// runUntil runs every Service's request events due at or before t,
// Service by Service.
func (rr *requestsRun) runUntil(t sim.Time) {
	for _, sr := range rr.svcs {
		if err := sr.ep.RunUntil(t); err != nil && rr.err == nil {
			rr.err = err
		}
	}
}

// SetLookahead implements sim.Lookahead.
func (kr *kubeRun) SetLookahead(next func() sim.Time) {
	if kr.req != nil {
		kr.req.lookahead = next
	}
}

// drain ends the requests still in flight once the engine has stopped.
func (rr *requestsRun) drain() {
	for _, sr := range rr.svcs {
		for {
			t, ok := sr.ep.Next()
			if !ok {
				break
			}
			if err := sr.ep.RunUntil(t); err != nil {
				if rr.err == nil {
					rr.err = err
				}
				break
			}
		}
	}
}

// kickTimers runs the control plane's timers due now (before the stop
// time: the control plane stops there).
func (kr *kubeRun) kickTimers(now sim.Time) {
	if now < kr.horizon {
		kr.cp.Run(int64(now))
		kr.armControl()
	}
}

// pod finds a pod of the control plane by name.
func (rr *requestsRun) pod(name string) *kube.PodState {
	if ps, ok := rr.byName[name]; ok {
		return ps
	}
	pods := rr.kr.cp.Pods()
	for ; rr.scanned < len(pods); rr.scanned++ {
		rr.byName[pods[rr.scanned].Pod.Name] = pods[rr.scanned]
	}
	return rr.byName[name]
}

// onEvent brings the endpoints up to a change of the control plane.
func (rr *requestsRun) onEvent(e kube.Event) {
	now := sim.Time(e.Time)
	if now >= rr.kr.horizon {
		return // endpoints stay as they are from the stop time on
	}
	kind, name, _ := strings.Cut(e.Object, "/")
	switch kind {
	case "Pod":
		ps := rr.pod(name)
		if ps == nil {
			return
		}
		for _, sr := range rr.svcs {
			sr.sync(ps, now)
		}
	case "Node":
		i := rr.kr.c.NodeIndex(name)
		switch e.Reason {
		case "NodeFailed":
			rr.failed[i] = true
			for _, sr := range rr.svcs {
				for _, ps := range sr.slotPod {
					if ps != nil && ps.Node == i {
						sr.sync(ps, now)
					}
				}
				if rr.lastF != now {
					sr.open("fault", e.Object, now)
				} else if w := sr.lastFault(); w != nil {
					// Machines failing at one instant (a zone outage):
					// one window.
					w.object += ", " + e.Object
					w.end = -1
				}
			}
			rr.lastF = now
		case "NodeReady":
			delete(rr.failed, i)
		}
	case "Deployment":
		for _, sr := range rr.svcs {
			for _, d := range sr.deps {
				if d.Name != name {
					continue
				}
				switch e.Reason {
				case "RolloutStarted":
					sr.open("rollout", e.Object, now)
				case "RolloutComplete":
					sr.close("rollout", e.Object, now)
				}
			}
		}
	}
	for _, sr := range rr.svcs {
		sr.checkFault(now)
	}
	rr.arm()
}

// recovered: machine i is back; its slots follow their pods' state again
// (pods the control plane had not noticed dead are started again by the
// kubelet, SandboxChanged, and serve once Ready).
func (rr *requestsRun) recovered(i int) {
	now := sim.Time(rr.kr.cp.Clock.Now())
	if now >= rr.kr.horizon {
		return
	}
	delete(rr.failed, i)
	for _, sr := range rr.svcs {
		for _, ps := range sr.slotPod {
			if ps != nil && ps.Node == i {
				sr.sync(ps, now)
			}
		}
		sr.checkFault(now)
	}
	rr.arm()
}

// sync sets ps's endpoint slot (if the Service selects it) to the pod's
// state now, taking a slot when its container first starts and giving it
// back once the pod is gone.
func (sr *serviceRun) sync(ps *kube.PodState, now sim.Time) {
	rr := sr.rr
	i, has := sr.podSlot[ps]
	if !has {
		if ps.Phase != kube.PodRunning || ps.Pod.Namespace != sr.svc.Namespace || !sr.sel.Matches(ps.Pod.Labels) {
			return
		}
		di := -1
		for k, d := range sr.deps {
			if d.Selector == nil || d.Selector.Matches(ps.Pod.Labels) {
				di = k
				break
			}
		}
		if di < 0 {
			return
		}
		f := sr.free[di]
		if len(f) == 0 {
			sr.noSlot++
			return
		}
		i = f[len(f)-1]
		sr.free[di] = f[:len(f)-1]
		sr.podSlot[ps] = i
		sr.slotPod[i] = ps
		speed := 1.0
		if ps.Node >= 0 && ps.Node < len(rr.speeds) {
			speed = rr.speeds[ps.Node]
		}
		sr.ep.SetSpeed(i, float64(min(sr.q.CPUPerRequest, sr.cpu(di)))/1000*speed)
	}
	// Request events before now first.
	if sr.ep.Now() > now {
		rr.late++
	}
	if err := sr.ep.RunUntil(now - 1); err != nil && rr.err == nil {
		rr.err = err
	}
	sr.ep.Advance(now)
	alive := ps.Phase == kube.PodRunning && !rr.failed[ps.Node]
	release := false
	switch ps.Phase {
	case kube.PodTerminating:
		// Deleted: a running container serves what it has for the grace
		// period (none on a failed machine).
		alive = sr.ep.Alive(i) && !rr.failed[ps.Node]
		if !sr.gone[ps] {
			sr.gone[ps] = true
			g := rr.grace[sr.deps[sr.slotDep[i]].Name]
			if rr.failed[ps.Node] {
				g = 0
			}
			at := now + g
			rr.kr.cp.Clock.At(int64(at), func() {
				if at < rr.kr.horizon {
					sr.ended(ps, at)
				}
			})
		}
	case kube.PodGone:
		alive, release = false, true
	}
	sr.set(i, alive, ps.Ready() && !release)
	if release {
		sr.releaseSlot(ps, i)
	}
}

// ended: ps's grace period is over; its container stops.
func (sr *serviceRun) ended(ps *kube.PodState, now sim.Time) {
	i, ok := sr.podSlot[ps]
	if !ok {
		return
	}
	if sr.ep.Now() > now {
		sr.rr.late++
	}
	if err := sr.ep.RunUntil(now - 1); err != nil && sr.rr.err == nil {
		sr.rr.err = err
	}
	sr.ep.Advance(now)
	sr.set(i, false, false)
	sr.releaseSlot(ps, i)
	sr.checkFault(now)
	sr.rr.arm()
}

func (sr *serviceRun) releaseSlot(ps *kube.PodState, i int) {
	delete(sr.podSlot, ps)
	delete(sr.gone, ps)
	sr.slotPod[i] = nil
	di := sr.slotDep[i]
	sr.free[di] = append(sr.free[di], i)
}

// set changes slot i's state, keeping the listed and dead counts.
func (sr *serviceRun) set(i int, alive, ready bool) {
	wasReady, wasDead := sr.ep.Ready(i), sr.ep.Ready(i) && !sr.ep.Alive(i)
	sr.ep.Set(i, alive, ready)
	if wasReady {
		sr.ready--
	}
	if wasDead {
		sr.dead--
	}
	if ready {
		sr.ready++
		if !alive {
			sr.dead++
		}
	}
}

func (sr *serviceRun) cpu(di int) int64 {
	d := sr.deps[di]
	cpu := d.CPULimit
	if cpu == 0 {
		cpu = d.Template.Requests.MilliCPU
	}
	if cpu == 0 {
		cpu = 1000
	}
	return cpu
}

// started checks the invariant that a request starts only on a Ready pod
// whose container runs.
func (sr *serviceRun) started(i int) {
	sr.starts++
	ps := sr.slotPod[i]
	if ps == nil || !ps.Ready() || ps.Phase != kube.PodRunning || sr.rr.failed[ps.Node] {
		sr.notReadyStarts++
	}
}

// usage is the cpu (millicores) the pods of Deployment di use serving
// requests, averaged since the previous call (an HPA's sync period, 15 s,
// as metrics-server's 15 s resolution reports it).
func (sr *serviceRun) usage(di int) func(int64) float64 {
	var lastT int64
	var last int64
	return func(t int64) float64 {
		var b int64
		for i, d := range sr.slotDep {
			if d == di {
				b += sr.ep.Busy(i, sim.Time(t))
			}
		}
		u := 0.0
		if t > lastT {
			u = float64(b-last) / float64(t-lastT) * float64(sr.q.CPUPerRequest)
		}
		lastT, last = t, b
		return u
	}
}

// desired is the replicas the Service's Deployments want now.
func (sr *serviceRun) desired() int {
	n := 0
	for _, d := range sr.deps {
		if kd := sr.rr.kr.deps[d.Name]; kd != nil {
			n += int(kd.Spec.Replicas)
		}
	}
	return n
}

func (sr *serviceRun) open(kind, object string, now sim.Time) {
	sr.windows = append(sr.windows, &reqWindow{kind: kind, object: object, start: now, end: -1})
}

// lastFault is the fault window opened last (nil: none).
func (sr *serviceRun) lastFault() *reqWindow {
	for k := len(sr.windows) - 1; k >= 0; k-- {
		if sr.windows[k].kind == "fault" {
			return sr.windows[k]
		}
	}
	return nil
}

func (sr *serviceRun) close(kind, object string, now sim.Time) {
	for _, w := range sr.windows {
		if w.end < 0 && w.kind == kind && (object == "" || w.object == object) {
			w.end = now
		}
	}
}

// checkFault closes the open fault windows once no listed endpoint is
// dead and every replica the Deployments want is Ready.
func (sr *serviceRun) checkFault(now sim.Time) {
	if sr.dead == 0 && sr.ready >= sr.desired() {
		sr.close("fault", "", now)
	}
}

// record counts a request's end in the totals and its windows.
func (sr *serviceRun) record(r *sim.Record) {
	if sr.onRecord != nil {
		sr.onRecord(r)
	}
	lat := r.Finish - r.Task.Arrival
	inSLO := r.Status == sim.Completed && sr.q.SLO > 0 && lat <= sr.q.SLO
	if inSLO {
		sr.slo++
	}
	for _, w := range sr.windows {
		if r.Task.Arrival < w.start || (w.end >= 0 && r.Task.Arrival >= w.end) {
			continue
		}
		w.requests++
		switch r.Status {
		case sim.Completed:
			w.served++
			w.lat.Record(int64(lat))
			if inSLO {
				w.slo++
			}
		default:
			w.failed++
		}
	}
}

// summary is the services block.
func (rr *requestsRun) summary() map[string]kube.ServiceSummary {
	rr.drain()
	out := map[string]kube.ServiceSummary{}
	for _, sr := range rr.svcs {
		res := sr.ep.Result()
		ss := kube.ServiceSummary{Requests: res.Tasks.Arrived, Served: res.Tasks.Completed, Failed: res.Tasks.Failed + res.Tasks.Dropped,
			LatencyS:   kube.RequestLatency{Mean: res.Latency.Mean, P50: res.Latency.P50, P99: res.Latency.P99},
			NoEndpoint: res.Tasks.Dropped, Concurrency: map[string]int{}, EndpointSlots: sr.ep.Len(), Windows: []kube.RequestWindow{}}
		if f := res.Faults; f != nil {
			ss.LostAttempts, ss.Retries, ss.Timeouts = f.LostAttempts+f.Refused, f.Retries, f.Timeouts
		}
		ss.Availability = share(ss.Served, ss.Requests)
		ss.PodsWithoutSlot = sr.noSlot
		if sr.q.SLO > 0 {
			ss.SLOS = sr.q.SLO.Seconds()
			a := share(sr.slo, ss.Requests)
			ss.SLOAttainment = &a
		}
		for k, d := range sr.deps {
			ss.Concurrency[d.Name] = sr.conc[k]
		}
		for _, w := range sr.windows {
			rw := kube.RequestWindow{Kind: w.kind, Object: w.object, StartS: w.start.Seconds(), EndS: -1, Requests: w.requests,
				Served: w.served, Failed: w.failed, Availability: share(w.served, w.requests),
				LatencyS: kube.RequestLatency{Mean: w.lat.Mean() / float64(sim.Second), P50: secsNs(w.lat.Quantile(0.5)), P99: secsNs(w.lat.Quantile(0.99))}}
			if w.end >= 0 {
				rw.EndS = w.end.Seconds()
			}
			if sr.q.SLO > 0 {
				a := share(w.slo, w.requests)
				rw.SLOAttainment = &a
			}
			ss.Windows = append(ss.Windows, rw)
		}
		out[sr.q.Service] = ss
	}
	return out
}

// share is a/b, 1 when b is 0 (nothing asked, nothing missed).
func share(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func secsNs(v int64) float64 {
	if v == math.MinInt64 {
		return 0
	}
	return float64(v) / float64(sim.Second)
}
