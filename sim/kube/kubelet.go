package kube

// The kubelet: a bound pod's image pull and container start (the
// workload's Startup), readiness (probes at initialDelaySeconds +
// k·periodSeconds after the container starts; the first one at or after
// the application's own warm-up, AppReady, succeeds), and restarts of a
// crashed container with CrashLoopBackOff: the n-th crash since the last
// reset waits min(BackoffInitial·2^(n-1), BackoffMax); a container that
// ran BackoffReset without crashing starts the count again.

// kubeletStart starts ps's container after its start-up delay.
func (cp *ControlPlane) kubeletStart(ps *PodState) {
	gen := ps.gen
	cp.Clock.After(cp.spec(ps).Startup, func() {
		if ps.gen == gen {
			cp.containerStarted(ps)
		}
	})
}

// spec is the workload settings of ps (zero for a bare pod).
func (cp *ControlPlane) spec(ps *PodState) *DeploymentSpec {
	if ps.rs != nil {
		return &ps.rs.d.Spec
	}
	return &DeploymentSpec{}
}

func (cp *ControlPlane) containerStarted(ps *PodState) {
	now := cp.Clock.Now()
	if ps.Started >= 0 {
		ps.Restarts++
		if ps.rs != nil {
			ps.rs.d.Restarts++
		}
	}
	ps.Phase, ps.Started = PodRunning, now
	ps.gen++
	cp.podEvent(ps, "Started", msgStarted, 0, 0)
	sp := cp.spec(ps)
	period := sp.ReadinessPeriod
	if period <= 0 {
		period = cp.cfg.ReadinessPeriod
	}
	ready := now + sp.ReadinessDelay
	if late := sp.AppReady - sp.ReadinessDelay; late > 0 {
		ready += (late + period - 1) / period * period
	}
	gen := ps.gen
	cp.Clock.At(ready, func() {
		if ps.gen == gen {
			cp.becameReady(ps)
		}
	})
	if sp.CrashAfter > 0 {
		cp.Clock.After(sp.CrashAfter, func() {
			if ps.gen == gen {
				cp.crashed(ps)
			}
		})
	}
}

func (cp *ControlPlane) becameReady(ps *PodState) {
	ps.ReadySince = cp.Clock.Now()
	cp.podEvent(ps, "Ready", msgReady, 0, 0)
	if ps.rs != nil {
		ps.rs.d.changed(cp)
		if m := ps.rs.d.Spec.MinReadySeconds; m > 0 {
			gen := ps.gen
			cp.Clock.After(m, func() {
				if ps.gen == gen && ps.Ready() {
					ps.rs.d.changed(cp)
				}
			})
		}
	}
}

// crashed handles a container crash: not Ready, restart after the back-off.
func (cp *ControlPlane) crashed(ps *PodState) {
	now := cp.Clock.Now()
	if now-ps.Started >= cp.cfg.BackoffReset {
		ps.crashes = 0
	}
	ps.crashes++
	delay := cp.cfg.BackoffInitial
	for k := 1; k < ps.crashes && delay < cp.cfg.BackoffMax; k++ {
		delay *= 2
	}
	delay = min(delay, cp.cfg.BackoffMax)
	wasReady := ps.Ready()
	ps.Phase, ps.ReadySince = PodBackOff, -1
	ps.gen++
	cp.podEvent(ps, "BackOff", msgBackOff, 0, delay/Second)
	if wasReady && ps.rs != nil {
		ps.rs.d.changed(cp)
	}
	gen := ps.gen
	cp.Clock.After(delay, func() {
		if ps.gen == gen {
			cp.containerStarted(ps)
		}
	})
}
