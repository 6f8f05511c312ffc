package kube

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// IntOrPercent is maxSurge or maxUnavailable: a number of pods, or a
// percentage of the replicas.
type IntOrPercent struct {
	Value   int32
	Percent bool
}

// resolve is the value for replicas pods, rounded up (maxSurge) or down
// (maxUnavailable), as the deployment controller's ResolveFenceposts.
func (v IntOrPercent) resolve(replicas int32, up bool) int32 {
	if !v.Percent {
		return v.Value
	}
	f := float64(v.Value) * float64(replicas) / 100
	if up {
		return int32(math.Ceil(f))
	}
	return int32(math.Floor(f))
}

// DeploymentSpec is a Deployment and the settings of its pods' life.
type DeploymentSpec struct {
	Name     string
	Replicas int32
	// Template is the pod template; pods are copies named NAME-REV-K.
	Template *Pod
	// Recreate selects the Recreate strategy; otherwise RollingUpdate with
	// MaxSurge and MaxUnavailable (zero values: Kubernetes' 25 % each,
	// surge rounded up, unavailable down; both 0 is refused).
	Recreate                 bool
	MaxSurge, MaxUnavailable *IntOrPercent
	// MinReadySeconds: a pod counts as available once Ready that long.
	MinReadySeconds int64
	// Startup is image pull plus container start, from bind to running.
	Startup int64
	// ReadinessDelay and ReadinessPeriod are the readiness probe's
	// initialDelaySeconds and periodSeconds (0: Config.ReadinessPeriod);
	// AppReady is how long the application needs before it answers.
	ReadinessDelay, ReadinessPeriod, AppReady int64
	// CrashAfter, when > 0, makes every container crash that long after
	// it starts (a liveness failure injected by the scenario).
	CrashAfter int64
	// Grace is terminationGracePeriodSeconds (0: Config.Grace).
	Grace int64
}

// Deployment is a Deployment and its ReplicaSets (one per template
// revision, the newest last).
type Deployment struct {
	Spec   DeploymentSpec
	rss    []*ReplicaSet
	queued bool
	// RolloutStart and RolloutEnd are when the latest rollout began and
	// completed (-1: not yet).
	RolloutStart, RolloutEnd int64
	// MinReadyInRollout is the fewest Ready pods seen during the latest
	// rollout (-1 before one).
	MinReadyInRollout int32
	// Restarts counts container restarts of the deployment's pods.
	Restarts int
	// faultAt is when a fault took Ready pods below replicas (-1: none
	// pending); Recoveries are the times from such faults to all replicas
	// Ready again.
	faultAt     int64
	Recoveries  []int64
	terminating int32 // pods in their grace period
}

// ReplicaSet is one revision's pods.
type ReplicaSet struct {
	d        *Deployment
	Name     string
	template *Pod
	Replicas int32
	pods     []*PodState // active: not terminating
	seq      int
	owner    string // "ReplicaSet/NAME", the pods' Owner
}

// AddDeployment creates a Deployment; its ReplicaSet and pods follow at
// the current instant.
func (cp *ControlPlane) AddDeployment(spec DeploymentSpec) (*Deployment, error) {
	if spec.Template == nil || spec.Name == "" || spec.Replicas < 0 {
		return nil, fmt.Errorf("kube: deployment needs a name, a template and replicas >= 0")
	}
	d := &Deployment{Spec: spec, RolloutStart: -1, RolloutEnd: -1, MinReadyInRollout: -1, faultAt: -1}
	if _, u := d.bounds(); !spec.Recreate && d.surge() == 0 && u == 0 {
		return nil, fmt.Errorf("kube: deployment %s: maxSurge and maxUnavailable cannot both be 0", spec.Name)
	}
	cp.deployments = append(cp.deployments, d)
	d.newRS(cp, spec.Template, 0)
	d.changed(cp)
	return d, nil
}

func (d *Deployment) surge() int32 {
	if d.Spec.MaxSurge == nil {
		return IntOrPercent{25, true}.resolve(d.Spec.Replicas, true)
	}
	return d.Spec.MaxSurge.resolve(d.Spec.Replicas, true)
}

// bounds is (maxSurge, maxUnavailable) for the current replicas.
func (d *Deployment) bounds() (int32, int32) {
	u := IntOrPercent{25, true}
	if d.Spec.MaxUnavailable != nil {
		u = *d.Spec.MaxUnavailable
	}
	return d.surge(), u.resolve(d.Spec.Replicas, false)
}

func (d *Deployment) newRS(cp *ControlPlane, tmpl *Pod, replicas int32) *ReplicaSet {
	rs := &ReplicaSet{d: d, Name: fmt.Sprintf("%s-%d", d.Spec.Name, len(d.rss)), template: tmpl, Replicas: replicas}
	d.rss = append(d.rss, rs)
	return rs
}

// Template returns a copy of the newest revision's pod template (for a
// rollout that changes nothing but the revision, as kubectl rollout
// restart does).
func (d *Deployment) Template() *Pod {
	t := *d.rss[len(d.rss)-1].template
	return &t
}

// ReplicaSets lists the deployment's ReplicaSets, oldest first.
func (d *Deployment) ReplicaSets() []*ReplicaSet { return d.rss }

// Pods lists the ReplicaSet's active pods (not terminating).
func (rs *ReplicaSet) Pods() []*PodState { return rs.pods }

// Counts are a Deployment's pods: Total not terminating, Ready, Available
// (Ready for minReadySeconds), Updated (of the newest template), and
// Terminating.
type Counts struct {
	Total, Ready, Available, Updated, Terminating int32
}

// Counts reports the deployment's pods now.
func (cp *ControlPlane) Counts(d *Deployment) Counts {
	var c Counts
	for k, rs := range d.rss {
		for _, ps := range rs.pods {
			c.Total++
			if ps.Ready() {
				c.Ready++
			}
			if rs.available(cp, ps) {
				c.Available++
			}
			if k == len(d.rss)-1 {
				c.Updated++
			}
		}
	}
	c.Terminating = d.terminating
	return c
}

func (rs *ReplicaSet) available(cp *ControlPlane, ps *PodState) bool {
	return ps.Ready() && cp.Clock.Now()-ps.ReadySince >= rs.d.Spec.MinReadySeconds
}

func (rs *ReplicaSet) availableCount(cp *ControlPlane) int32 {
	var n int32
	for _, ps := range rs.pods {
		if rs.available(cp, ps) {
			n++
		}
	}
	return n
}

func (rs *ReplicaSet) remove(ps *PodState) {
	if k := slices.Index(rs.pods, ps); k >= 0 {
		rs.pods = slices.Delete(rs.pods, k, k+1)
	}
}

// changed queues one sync of the deployment (and its ReplicaSets) at the
// current instant.
func (d *Deployment) changed(cp *ControlPlane) {
	if d.queued {
		return
	}
	d.queued = true
	cp.Clock.At(cp.Clock.Now(), func() {
		d.queued = false
		cp.syncDeployment(d)
	})
}

// UpdateTemplate starts a rollout to a new pod template.
func (cp *ControlPlane) UpdateTemplate(d *Deployment, tmpl *Pod) {
	d.newRS(cp, tmpl, 0)
	d.RolloutStart, d.RolloutEnd = cp.Clock.Now(), -1
	d.MinReadyInRollout = cp.Counts(d).Ready
	cp.event("Deployment/"+d.Spec.Name, "RolloutStarted", "revision %d", len(d.rss)-1)
	d.changed(cp)
}

// Scale sets the deployment's replicas (kubectl scale, or the HPA).
func (cp *ControlPlane) Scale(d *Deployment, replicas int32) {
	d.Spec.Replicas = max(replicas, 0)
	d.changed(cp)
}

// syncDeployment reconciles: the deployment controller's step (rolling
// or recreate), then each ReplicaSet's pods to its replicas, repeated
// while either changes something (kube-controller-manager would take one
// sync per watch event; at one instant the outcome is the same).
func (cp *ControlPlane) syncDeployment(d *Deployment) {
	for range 1000 {
		changed := false
		if d.Spec.Recreate {
			changed = cp.recreate(d)
		} else {
			changed = cp.rolling(d)
		}
		for _, rs := range d.rss {
			if cp.syncReplicaSet(rs) {
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	ready := cp.Counts(d).Ready
	if d.faultAt >= 0 && ready >= d.Spec.Replicas {
		d.Recoveries = append(d.Recoveries, cp.Clock.Now()-d.faultAt)
		d.faultAt = -1
	}
	if d.RolloutStart >= 0 && d.RolloutEnd < 0 {
		d.MinReadyInRollout = min(d.MinReadyInRollout, ready)
		nrs := d.rss[len(d.rss)-1]
		done := nrs.Replicas == d.Spec.Replicas && nrs.availableCount(cp) == d.Spec.Replicas
		for _, rs := range d.rss[:len(d.rss)-1] {
			done = done && rs.Replicas == 0 && len(rs.pods) == 0
		}
		if done {
			d.RolloutEnd = cp.Clock.Now()
			cp.event("Deployment/"+d.Spec.Name, "RolloutComplete", "revision %d available", len(d.rss)-1)
		}
	}
}

func (cp *ControlPlane) scaleRS(rs *ReplicaSet, n int32) bool {
	if rs.Replicas == n {
		return false
	}
	dir := "up"
	if n < rs.Replicas {
		dir = "down"
	}
	cp.event("Deployment/"+rs.d.Spec.Name, "ScalingReplicaSet", "Scaled %s replica set %s from %d to %d", dir, rs.Name, rs.Replicas, n)
	rs.Replicas = n
	return true
}

// rolling is rolloutRolling (pkg/controller/deployment/rolling.go): scale
// the new ReplicaSet up within replicas+maxSurge; else scale old ones down
// keeping replicas-maxUnavailable available, unhealthy old pods first.
func (cp *ControlPlane) rolling(d *Deployment) bool {
	surge, unavail := d.bounds()
	want := d.Spec.Replicas
	nrs := d.rss[len(d.rss)-1]
	var total int32
	for _, rs := range d.rss {
		total += rs.Replicas
	}
	switch {
	case nrs.Replicas > want:
		return cp.scaleRS(nrs, want)
	case nrs.Replicas < want:
		if up := min(want+surge-total, want-nrs.Replicas); up > 0 {
			return cp.scaleRS(nrs, nrs.Replicas+up)
		}
	}
	if len(d.rss) == 1 {
		return false
	}
	minAvail := want - unavail
	newUnavail := nrs.Replicas - nrs.availableCount(cp)
	maxDown := total - minAvail - newUnavail
	if maxDown <= 0 {
		return false
	}
	changed := false
	// cleanupUnhealthyReplicas: old pods that are not available go first.
	for _, rs := range d.rss[:len(d.rss)-1] {
		if maxDown <= 0 {
			break
		}
		unhealthy := rs.Replicas - rs.availableCount(cp)
		if k := min(maxDown, unhealthy); k > 0 {
			changed = cp.scaleRS(rs, rs.Replicas-k) || changed
			maxDown -= k
			total -= k
		}
	}
	// scaleDownOldReplicaSetsForRollingUpdate.
	var avail int32
	for _, rs := range d.rss {
		avail += rs.availableCount(cp)
	}
	down := min(avail-minAvail, maxDown)
	for _, rs := range d.rss[:len(d.rss)-1] {
		if down <= 0 {
			break
		}
		if k := min(rs.Replicas, down); k > 0 {
			changed = cp.scaleRS(rs, rs.Replicas-k) || changed
			down -= k
		}
	}
	return changed
}

// recreate is rolloutRecreate: old ReplicaSets to 0, and the new one up
// only once no old pod is left (terminating ones included).
func (cp *ControlPlane) recreate(d *Deployment) bool {
	nrs := d.rss[len(d.rss)-1]
	changed := false
	for _, rs := range d.rss[:len(d.rss)-1] {
		changed = cp.scaleRS(rs, 0) || changed
	}
	for _, rs := range d.rss[:len(d.rss)-1] {
		if len(rs.pods) > 0 {
			return changed
		}
	}
	if d.terminating > 0 {
		return changed // old pods still in their grace period
	}
	return cp.scaleRS(nrs, d.Spec.Replicas) || changed
}

// syncReplicaSet creates or deletes pods to match replicas. Deleted
// first: pods not bound, then not Ready, then Ready for the shortest
// time, newest first (the ReplicaSet controller's ActivePods ranking,
// abridged).
func (cp *ControlPlane) syncReplicaSet(rs *ReplicaSet) bool {
	n := int32(len(rs.pods))
	switch {
	case n < rs.Replicas:
		for ; n < rs.Replicas; n++ {
			b := &podAndState{pod: *rs.template}
			b.pod.Name = rs.Name + "-" + strconv.Itoa(rs.seq) // NAME-REV-K
			if rs.owner == "" {
				rs.owner = "ReplicaSet/" + rs.Name
			}
			b.pod.Owner = rs.owner
			rs.seq++
			ps := cp.createPod(b, rs)
			rs.pods = append(rs.pods, ps)
		}
		return true
	case n > rs.Replicas:
		victims := slices.Clone(rs.pods)
		rank := func(ps *PodState) int {
			switch {
			case ps.Phase == PodPending:
				return 0
			case !ps.Ready():
				return 1
			}
			return 2
		}
		slices.SortStableFunc(victims, func(a, b *PodState) int {
			if ra, rb := rank(a), rank(b); ra != rb {
				return ra - rb
			}
			if a.ReadySince != b.ReadySince {
				return int(b.ReadySince - a.ReadySince)
			}
			return int(b.Created - a.Created)
		})
		for _, ps := range victims[:n-rs.Replicas] {
			cp.deletePod(ps, "Killing")
		}
		return true
	}
	return false
}
