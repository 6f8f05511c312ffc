package scenario

import (
	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// KubeDefaults are the control loops' settings (workload.kubernetes.
// defaults): Kubernetes' defaults, each overridable. docs/kubernetes.md
// names the source of each.
type KubeDefaults struct {
	// The node lifecycle controller, the kubelet, drains: kube.Config
	// (its Grace is workload.kubernetes.grace).
	NodeMonitorPeriod, NodeMonitorGracePeriod, NodeHeartbeat sim.Time
	UnreachableToleration                                    sim.Time
	ReadinessPeriod, DrainRetry                              sim.Time
	BackoffInitial, BackoffMax, BackoffReset                 sim.Time
	// HorizontalPodAutoscalers: sync period, tolerance, and the scale-down
	// stabilisation window of HPAs whose behavior sets none.
	HPASyncPeriod, HPADownscaleStabilization sim.Time
	HPATolerance                             float64
	// The cluster autoscaler.
	ScanInterval, ScaleDownUnneededTime, ScaleDownDelayAfterAdd sim.Time
	ScaleDownUtilizationThreshold                               float64
}

// DefaultKubeDefaults are Kubernetes' defaults.
func DefaultKubeDefaults() KubeDefaults {
	c := kube.DefaultConfig()
	return KubeDefaults{
		NodeMonitorPeriod: sim.Time(c.NodeMonitorPeriod), NodeMonitorGracePeriod: sim.Time(c.NodeMonitorGracePeriod),
		NodeHeartbeat: sim.Time(c.NodeHeartbeat), UnreachableToleration: sim.Time(c.TolerationSeconds),
		ReadinessPeriod: sim.Time(c.ReadinessPeriod), DrainRetry: sim.Time(c.DrainRetry),
		BackoffInitial: sim.Time(c.BackoffInitial), BackoffMax: sim.Time(c.BackoffMax), BackoffReset: sim.Time(c.BackoffReset),
		HPASyncPeriod: 15 * sim.Second, HPATolerance: 0.1, HPADownscaleStabilization: sim.Time(kube.DefaultScaleDown().StabilizationWindow),
		ScanInterval: 10 * sim.Second, ScaleDownUnneededTime: 10 * sim.Minute, ScaleDownDelayAfterAdd: 10 * sim.Minute,
		ScaleDownUtilizationThreshold: 0.5,
	}
}

// config is the control plane's kube.Config with termination grace g.
func (d *KubeDefaults) config(g sim.Time) kube.Config {
	c := kube.DefaultConfig()
	c.NodeMonitorPeriod, c.NodeMonitorGracePeriod, c.NodeHeartbeat = int64(d.NodeMonitorPeriod), int64(d.NodeMonitorGracePeriod), int64(d.NodeHeartbeat)
	c.TolerationSeconds, c.ReadinessPeriod, c.DrainRetry = int64(d.UnreachableToleration), int64(d.ReadinessPeriod), int64(d.DrainRetry)
	c.BackoffInitial, c.BackoffMax, c.BackoffReset = int64(d.BackoffInitial), int64(d.BackoffMax), int64(d.BackoffReset)
	c.Grace = int64(g)
	return c
}

// kubeDefaultFields are the keys of workload.kubernetes.defaults, in
// the order the docs list them.
var kubeDefaultFields = []string{
	"node_monitor_period", "node_monitor_grace_period", "node_heartbeat", "default_unreachable_toleration",
	"readiness_period", "drain_retry", "backoff_initial", "backoff_max", "backoff_reset",
	"hpa_sync_period", "hpa_tolerance", "hpa_downscale_stabilization",
	"scan_interval", "scale_down_unneeded_time", "scale_down_delay_after_add", "scale_down_utilization_threshold",
}

// kubeDefaults reads workload.kubernetes.defaults.
func (r *reader) kubeDefaults(n *yaml.Node, path string, k *Kubernetes) {
	m := r.mapping(n, path, "a mapping like {node_monitor_grace_period: 40s, hpa_tolerance: 0.2}")
	m.allow(kubeDefaultFields...)
	d := &k.Defaults
	for _, f := range []struct {
		key string
		to  *sim.Time
		b   bound
	}{
		{"node_monitor_period", &d.NodeMonitorPeriod, positive},
		{"node_monitor_grace_period", &d.NodeMonitorGracePeriod, positive},
		{"node_heartbeat", &d.NodeHeartbeat, positive},
		{"default_unreachable_toleration", &d.UnreachableToleration, nonNegative},
		{"readiness_period", &d.ReadinessPeriod, positive},
		{"drain_retry", &d.DrainRetry, positive},
		{"backoff_initial", &d.BackoffInitial, positive},
		{"backoff_max", &d.BackoffMax, positive},
		{"backoff_reset", &d.BackoffReset, positive},
		{"hpa_sync_period", &d.HPASyncPeriod, positive},
		{"hpa_downscale_stabilization", &d.HPADownscaleStabilization, nonNegative},
		{"scan_interval", &d.ScanInterval, positive},
		{"scale_down_unneeded_time", &d.ScaleDownUnneededTime, positive},
		{"scale_down_delay_after_add", &d.ScaleDownDelayAfterAdd, positive},
	} {
		if v := m.get(f.key); v != nil {
			*f.to = r.duration(v, m.field(f.key), f.b)
		}
	}
	if v := m.get("hpa_tolerance"); v != nil {
		if d.HPATolerance = r.float(v, m.field("hpa_tolerance"), positive); r.err == nil && d.HPATolerance >= 1 {
			r.failf(v, m.field("hpa_tolerance"), "expected a number in (0, 1), got %s", describe(v))
		}
	}
	if v := m.get("scale_down_utilization_threshold"); v != nil {
		if d.ScaleDownUtilizationThreshold = r.float(v, m.field("scale_down_utilization_threshold"), positive); r.err == nil && d.ScaleDownUtilizationThreshold > 1 {
			r.failf(v, m.field("scale_down_utilization_threshold"), "expected a number in (0, 1], got %s", describe(v))
		}
	}
	if r.err == nil && d.BackoffMax < d.BackoffInitial {
		key := "backoff_max"
		if !m.has(key) {
			key = "backoff_initial"
		}
		r.failf(m.get(key), m.field(key), "expected backoff_max (%s) >= backoff_initial (%s)", fmtDuration(d.BackoffMax), fmtDuration(d.BackoffInitial))
	}
}
