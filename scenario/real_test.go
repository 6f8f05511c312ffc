package scenario

import (
	"reflect"
	"testing"
)

// TestRealSection reads the real section: defaults, socket paths turned into
// unix:// URLs, per-node overrides, one entry per node of the expanded
// cluster (an autoscaled group counting its max), under both queueing
// models.
func TestRealSection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cluster string
		real    string
		want    *Real
	}{
		{"no section", okCluster, "", nil},
		{"defaults", okCluster, "real: {}", &Real{Namespace: "fleetsim", Line: 9}},
		{"namespace and snapshotter", okCluster, "real: {namespace: fleetsim.test-1, snapshotter: overlayfs}",
			&Real{Namespace: "fleetsim.test-1", Snapshotter: "overlayfs", Line: 9}},
		{"snapshotter fallback", okCluster, `real: {snapshotter: ""}`, &Real{Namespace: "fleetsim", Line: 9}},
		{"one node", okCluster, "real:\n  nodes:\n    - address: /run/containerd/containerd.sock",
			&Real{Namespace: "fleetsim", Line: 9, Nodes: []RealNode{{Address: "unix:///run/containerd/containerd.sock", Line: 11}}}},
		{"overrides", "cluster:\n  nodes: [{group: web, count: 2, cpu: 8, memory: 8Gi}]",
			"real:\n  nodes:\n    - {address: unix:///a.sock, namespace: n0, cpu: 1.5, memory: 512Mi, gpus: 0, slots: 3}\n    - {address: unix:///b.sock, gpus: 2}",
			&Real{Namespace: "fleetsim", Line: 8, Nodes: []RealNode{
				{Address: "unix:///a.sock", Namespace: "n0", CPU: 1500, Memory: 512 << 20, HasGPUs: true, Slots: 3, Line: 10},
				{Address: "unix:///b.sock", GPUs: 2, HasGPUs: true, Line: 11},
			}}},
		{"autoscaled group counts max", "cluster:\n  nodes:\n    - {group: web, count: 1, autoscale: {max: 2}}",
			"real:\n  nodes: [{address: /a.sock}, {address: /b.sock}]",
			&Real{Namespace: "fleetsim", Line: 9, Nodes: []RealNode{{Address: "unix:///a.sock", Line: 10}, {Address: "unix:///b.sock", Line: 10}}}},
		{"queueing central", "cluster:\n  queueing: central\n  nodes: [{group: web, cpu: 4}]",
			"real: {nodes: [{address: /a.sock}]}",
			&Real{Namespace: "fleetsim", Line: 9, Nodes: []RealNode{{Address: "unix:///a.sock", Line: 9}}}},
	} {
		strats := okStrats
		if tc.name == "queueing central" {
			strats = "strategies: [first-fit]"
		}
		text := lines(okStop, tc.cluster, okWorkload, strats)
		if tc.real != "" {
			text += tc.real + "\n"
		}
		s, err := Parse("t.yaml", []byte(text), "")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(s.Real, tc.want) {
			t.Errorf("%s: Real\n got %+v\nwant %+v", tc.name, s.Real, tc.want)
		}
	}
}
