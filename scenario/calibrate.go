package scenario

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
)

// Calibrate writes measured figures into a scenario's text: cluster.startup
// becomes {mean: D, cv: C} (replaced when the file has one, added after
// the node list when it has none), and every group named in speeds gets
// that speed (replaced or added). Everything else, comments and the order
// of fields included, is kept; the text is re-indented by two spaces, as
// the embedded scenarios are.
//
// The mean is written as a Go duration rounded to the microsecond
// ("83.412ms"), the CV and the speeds to 4 significant digits, so the
// scenario read back holds the figures to that precision. A group of
// speeds that the cluster does not have, a speed that is not a finite
// number > 0, or an invalid startup is an error, and so is text that is
// not a scenario with a cluster.
func Calibrate(yamlText []byte, startup sim.Delay, speeds map[string]float64) ([]byte, error) {
	if err := startup.Validate(); err != nil {
		return nil, fmt.Errorf("calibrate: startup: %w", err)
	}
	for _, g := range slices.Sorted(maps.Keys(speeds)) {
		if v := speeds[g]; !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("calibrate: speed of group %s: expected a finite number > 0, got %v", g, v)
		}
	}
	root, err := parseYAML("scenario", yamlText)
	if err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("calibrate: expected a scenario (a mapping), got %s", describe(root))
	}
	cluster := setLookup(root, "cluster")
	if cluster == nil || cluster.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("calibrate: expected a scenario with a cluster mapping, got cluster: %s", describe(cluster))
	}

	su := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Content: []*yaml.Node{
		strNode("mean"), strNode(time.Duration(startup.Mean).Round(time.Microsecond).String()),
		strNode("cv"), numberNode(startup.CV),
	}}
	setField(cluster, "startup", su, "queueing", "nodes", "nodes_from")

	groups := setLookup(cluster, "nodes")
	var names []string
	done := map[string]bool{}
	if groups != nil && groups.Kind == yaml.SequenceNode {
		for _, g := range groups.Content {
			name := setLookup(g, "group")
			if name == nil || name.Kind != yaml.ScalarNode {
				continue
			}
			names = append(names, name.Value)
			if v, ok := speeds[name.Value]; ok {
				setField(g, "speed", numberNode(v), "group", "count", "region", "slots")
				done[name.Value] = true
			}
		}
	}
	var unknown []string
	for _, g := range slices.Sorted(maps.Keys(speeds)) {
		if !done[g] {
			unknown = append(unknown, strconv.Quote(g))
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("calibrate: speeds: no group %s in cluster.nodes (groups: %s)", strings.Join(unknown, ", "), strings.Join(names, ", "))
	}

	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	return b.Bytes(), nil
}

// setField gives key the value v in mapping m: in place of its value, keeping
// the old value's comments, or, when m has no key, as a new field after the
// last of the keys after that m has (first when it has none).
func setField(m *yaml.Node, key string, v *yaml.Node, after ...string) {
	at := 0
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Value == key {
			old := m.Content[i+1]
			v.HeadComment, v.LineComment, v.FootComment = old.HeadComment, old.LineComment, old.FootComment
			m.Content[i+1] = v
			return
		}
		if slices.Contains(after, k.Value) {
			at = i + 2
		}
	}
	m.Content = slices.Insert(m.Content, at, strNode(key), v)
}

// strNode is a string scalar.
func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// numberNode is f to 4 significant digits, as a YAML number.
func numberNode(f float64) *yaml.Node {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 4, 64), 64)
	n := &yaml.Node{}
	n.Encode(r) // (a float64 always encodes)
	return n
}
