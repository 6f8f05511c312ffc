package scenario

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
)

// sweep is the scenario the set tests override, lines 1-10.
var sweep = lines(
	"stop: {tasks: 10}",            // 1
	"cluster:",                     // 2
	"  nodes:",                     // 3
	"    - {group: web, count: 2}", // 4
	"    - group: db",              // 5
	"      count: 1",               // 6
	"workload:",                    // 7
	"  arrivals: {process: poisson, rate: 4}",            // 8
	"  service: {dist: exponential, mean: 1s}",           // 9
	"strategies: [test-plain, {name: test-fixed, n: 3}]", // 10
)

func TestParseWithSets(t *testing.T) {
	base, err := Parse("t.yaml", []byte(sweep), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		sets  []Set
		check func(s *Scenario) bool
	}{
		{"rate", []Set{{"workload.arrivals.rate", "40"}},
			func(s *Scenario) bool { return s.Workload.Arrivals.Rate == 40 }},
		{"rate as a float", []Set{{"workload.arrivals.rate", "4.5"}},
			func(s *Scenario) bool { return s.Workload.Arrivals.Rate == 4.5 }},
		{"first group's count, in a flow mapping", []Set{{"cluster.nodes[0].count", "5"}},
			func(s *Scenario) bool { return s.Cluster.Groups[0].Count == 5 && s.Cluster.Groups[1].Count == 1 }},
		{"second group's count, in a block mapping", []Set{{"cluster.nodes[1].count", "3"}},
			func(s *Scenario) bool { return s.Cluster.Groups[0].Count == 2 && s.Cluster.Groups[1].Count == 3 }},
		{"stop", []Set{{"stop.tasks", "1000"}},
			func(s *Scenario) bool { return s.Stop.Tasks == 1000 }},
		{"a list element that is a scalar", []Set{{"strategies[0]", "test-fixed"}},
			func(s *Scenario) bool { return s.Strategies[0].Name == "test-fixed" && s.Strategies[0].Args == nil }},
		{"a strategy parameter", []Set{{"strategies[1].n", "7"}},
			func(s *Scenario) bool { return s.Strategies[1].Args["n"] == 7 }},
		{"a new top-level field", []Set{{"seed", "99"}, {"name", "swept"}},
			func(s *Scenario) bool { return s.Seed == 99 && s.Name == "swept" }},
		{"a duration", []Set{{"workload.service.mean", "250ms"}},
			func(s *Scenario) bool { return s.Workload.Service.Mean.Seconds() == 0.25 }},
		{"the later of two sets wins", []Set{{"workload.arrivals.rate", "40"}, {"workload.arrivals.rate", "50"}},
			func(s *Scenario) bool { return s.Workload.Arrivals.Rate == 50 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseWith("t.yaml", []byte(sweep), "", tc.sets)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(s) {
				t.Errorf("sets %v not applied: %+v", tc.sets, s)
			}
			if !reflect.DeepEqual(s.Sets, tc.sets) {
				t.Errorf("Sets = %v, want %v", s.Sets, tc.sets)
			}
			if string(s.YAML) != sweep {
				t.Errorf("YAML is not the text before the sets:\n%s", s.YAML)
			}
		})
	}
	// The base is untouched: every parse has its own tree.
	if base.Workload.Arrivals.Rate != 4 || base.Sets != nil {
		t.Errorf("Parse after sets: rate %v, sets %v", base.Workload.Arrivals.Rate, base.Sets)
	}
}

func TestParseWithSetErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  Set
		want string
	}{
		{"unknown field", Set{"workload.arival.rate", "1"},
			"t.yaml:8:3: --set workload.arival.rate=1: workload has no field arival (it has: arrivals, service)"},
		{"unknown top field", Set{"warmup.tasks", "1"},
			"t.yaml:1:1: --set warmup.tasks=1: the scenario has no field warmup (it has: stop, cluster, workload, strategies)"},
		{"index out of range", Set{"cluster.nodes[3].count", "4"},
			"t.yaml:4:5: --set cluster.nodes[3].count=4: cluster.nodes has 2 entries (0..1)"},
		{"a mapping", Set{"workload.arrivals", "5"},
			"t.yaml:8:13: --set workload.arrivals=5: workload.arrivals is a mapping; only single values can be set (a field inside it, like workload.arrivals.process)"},
		{"a list", Set{"strategies", "p2c"},
			"t.yaml:10:13: --set strategies=p2c: strategies is a list; only single values can be set (a field inside it, like strategies[0])"},
		{"through a scalar", Set{"stop.tasks.x", "1"},
			"t.yaml:1:15: --set stop.tasks.x=1: stop.tasks is 10, not a mapping of fields"},
		{"an index into a mapping", Set{"workload[0]", "1"},
			"t.yaml:8:3: --set workload[0]=1: workload is a mapping, not a list"},
		{"malformed path", Set{"cluster.nodes[x].count", "1"},
			`t.yaml: --set cluster.nodes[x].count=1: expected a path of field names and [index]es, like workload.arrivals.rate or cluster.nodes[0].count, got "cluster.nodes[x].count" (index "x" is not an integer >= 0)`},

		// Values are checked as if written in the file, at the line of the
		// value they replace, and the error names the set.
		{"invalid value", Set{"workload.arrivals.rate", "-1"},
			"t.yaml:8:38: workload.arrivals.rate: expected a finite number > 0, got -1 (set by --set workload.arrivals.rate=-1)"},
		{"invalid count", Set{"cluster.nodes[0].count", "many"},
			`t.yaml:4:27: cluster.nodes[0].count: expected an integer in [1, 1000000], got "many" (set by --set cluster.nodes[0].count=many)`},
		{"added field that conflicts", Set{"stop.time", "1h"},
			"t.yaml:1:7: stop.time: expected tasks or time, got both (set by --set stop.time=1h)"},
		{"added unknown field", Set{"stop.tsks", "5"},
			"t.yaml:1:7: stop.tsks: unknown field (allowed: tasks, time) (set by --set stop.tsks=5)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWith("t.yaml", []byte(sweep), "", []Set{tc.set})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v (%T), want an *Error", err, err)
			}
			if err.Error() != tc.want {
				t.Errorf("got  %s\nwant %s", err, tc.want)
			}
		})
	}
}

// TestParseWithNotAMapping: a file that is not a mapping gets the reader's
// error, not the set's.
func TestParseWithNotAMapping(t *testing.T) {
	_, err := ParseWith("t.yaml", []byte("- a\n"), "", []Set{{"seed", "1"}})
	want := "t.yaml:1:1: expected a mapping of scenario fields (name, description, seed, stop, warmup, cluster, workload, strategies, network, faults, client, health, real, workflows), got a list"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestLoadAndResolveWith(t *testing.T) {
	sets := []Set{{"workload.arrivals.rate", "40"}}
	s, err := ResolveWith("speeds", sets)
	if err != nil {
		t.Fatal(err)
	}
	if s.File != "embedded:speeds" || s.Workload.Arrivals.Rate != 40 || len(s.YAML) == 0 {
		t.Errorf("ResolveWith(speeds): file %q rate %v, %d bytes of YAML", s.File, s.Workload.Arrivals.Rate, len(s.YAML))
	}
	path := filepath.Join("testdata", "full.yaml")
	s, err = LoadWith(path, []Set{{"seed", "3"}, {"cluster.nodes[1].gpus", "4"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Seed != 3 || s.Cluster.Groups[1].GPUs != 4 {
		t.Errorf("LoadWith(full.yaml): seed %d, gpus %d", s.Seed, s.Cluster.Groups[1].GPUs)
	}
	_, err = ResolveWith(path, []Set{{"cluster.nodes[2].gpus", "4"}})
	want := path + ":14:5: --set cluster.nodes[2].gpus=4: cluster.nodes has 2 entries (0..1)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestParseSetFlag(t *testing.T) {
	for _, tc := range []struct {
		flag   string
		path   string
		values []string
		err    string
	}{
		{flag: "workload.arrivals.rate=40,45,50", path: "workload.arrivals.rate", values: []string{"40", "45", "50"}},
		{flag: "cluster.nodes[0].count=4", path: "cluster.nodes[0].count", values: []string{"4"}},
		{flag: " stop.time = 1h, 2h ", path: "stop.time", values: []string{"1h", "2h"}},
		{flag: "strategies[1]=p2c", path: "strategies[1]", values: []string{"p2c"}},
		{flag: "description=a=b", path: "description", values: []string{"a=b"}},

		{flag: "workload.arrivals.rate", err: `--set "workload.arrivals.rate": expected PATH=VALUE[,VALUE...], like workload.arrivals.rate=40,45,50`},
		{flag: "=40", err: `--set "=40": expected PATH=VALUE[,VALUE...], like workload.arrivals.rate=40,45,50; the path is empty`},
		{flag: "seed=", err: `--set "seed=": expected PATH=VALUE[,VALUE...], like workload.arrivals.rate=40,45,50; no value after =`},
		{flag: "seed=1,,3", err: `--set "seed=1,,3": expected PATH=VALUE[,VALUE...], like workload.arrivals.rate=40,45,50; value 2 is empty`},
		{flag: "seed=1,", err: `--set "seed=1,": expected PATH=VALUE[,VALUE...], like workload.arrivals.rate=40,45,50; value 2 is empty`},
		{flag: "cluster..count=1", err: `--set "cluster..count=1": expected a path of field names and [index]es, like workload.arrivals.rate or cluster.nodes[0].count, got "cluster..count" (a field name is empty)`},
		{flag: "cluster.nodes[0=1", err: `--set "cluster.nodes[0=1": expected a path of field names and [index]es, like workload.arrivals.rate or cluster.nodes[0].count, got "cluster.nodes[0" (unbalanced brackets in "nodes[0")`},
		{flag: "cluster.nodes[-1].count=1", err: `--set "cluster.nodes[-1].count=1": expected a path of field names and [index]es, like workload.arrivals.rate or cluster.nodes[0].count, got "cluster.nodes[-1].count" (index "-1" is not an integer >= 0)`},
		{flag: "[0]=1", err: `--set "[0]=1": expected a path of field names and [index]es, like workload.arrivals.rate or cluster.nodes[0].count, got "[0]" (a field name is empty)`},
	} {
		path, values, err := ParseSetFlag(tc.flag)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseSetFlag(%q): got error %v\nwant %s", tc.flag, err, tc.err)
			}
			continue
		}
		if err != nil || path != tc.path || !reflect.DeepEqual(values, tc.values) {
			t.Errorf("ParseSetFlag(%q) = %q, %q, %v; want %q, %q", tc.flag, path, values, err, tc.path, tc.values)
		}
	}
}
