package external_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain turns the test binary into a scripted external strategy when
// FLEETSIM_EXT_HELPER names a behaviour: the strategy side of the protocol
// written by hand, line by line, so the tests need no Python.
func TestMain(m *testing.M) {
	if mode := os.Getenv("FLEETSIM_EXT_HELPER"); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

// helper speaks the protocol as mode says:
//
//	script      round robin by pick, asking for load and health and every
//	            event, logging each line both ways to $FLEETSIM_EXT_LOG
//	crash       exits with status 3 at the first decision, after a line on stderr
//	hang        never answers a decision
//	range       answers node 99
//	malformed   answers a line that is not JSON
//	version     answers the hello with protocol 2
//	infeasible  places every task on node 0, GPU 7
//	score       scores node i at 10·i (the last node wins)
//	ticks       round robin, asking for a tick every second (logged like script)
//	keyed       central: scores every fitting node 50, and keys task i at -i (newest first)
func helper(mode string) int {
	if f := os.Getenv("FLEETSIM_EXT_PID"); f != "" {
		os.WriteFile(f, []byte(strconv.Itoa(os.Getpid())), 0o644)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	var log *os.File
	if p := os.Getenv("FLEETSIM_EXT_LOG"); p != "" {
		log, _ = os.Create(p)
		defer log.Close()
	}
	say := func(s string) {
		if log != nil {
			fmt.Fprintf(log, "< %s\n", s)
		}
		out.WriteString(s + "\n")
		out.Flush()
	}
	if !in.Scan() {
		return 1
	}
	if log != nil {
		fmt.Fprintf(log, "> %s\n", in.Text())
	}
	var hello struct {
		Nodes []json.RawMessage `json:"nodes"`
	}
	json.Unmarshal(in.Bytes(), &hello)
	n := len(hello.Nodes)
	switch mode {
	case "version":
		say(`{"type":"hello","protocol":2,"ops":["pick"]}`)
	case "infeasible":
		say(`{"type":"hello","protocol":1,"ops":["place"]}`)
	case "score":
		say(`{"type":"hello","protocol":1,"ops":["score"]}`)
	case "keyed":
		say(`{"type":"hello","protocol":1,"ops":["score","key"]}`)
	case "ticks":
		say(`{"type":"hello","protocol":1,"ops":["pick"],"view":["load"],"tick":1000000000}`)
	case "script":
		say(`{"type":"hello","protocol":1,"ops":["pick"],"view":["load","health"],"events":["started","finished","failed"]}`)
	default:
		say(`{"type":"hello","protocol":1,"ops":["pick"],"view":["load"]}`)
	}
	next := 0
	for in.Scan() {
		if log != nil {
			fmt.Fprintf(log, "> %s\n", in.Text())
		}
		var msg struct {
			Type  string `json:"type"`
			Seq   int64  `json:"seq"`
			Op    string `json:"op"`
			Nodes []int  `json:"nodes"`
			Task  struct {
				ID int64 `json:"id"`
			} `json:"task"`
		}
		if err := json.Unmarshal(in.Bytes(), &msg); err != nil {
			return 1
		}
		if msg.Type != "decide" {
			continue
		}
		switch mode {
		case "crash":
			fmt.Fprintln(os.Stderr, "boom: a deliberate crash")
			return 3
		case "hang":
			time.Sleep(time.Hour)
		case "range":
			say(fmt.Sprintf(`{"seq":%d,"node":99}`, msg.Seq))
		case "malformed":
			say("this is not json")
		case "infeasible":
			say(fmt.Sprintf(`{"seq":%d,"node":0,"gpus":[7]}`, msg.Seq))
		case "keyed":
			if msg.Op == "key" {
				say(fmt.Sprintf(`{"seq":%d,"key":%d}`, msg.Seq, -msg.Task.ID))
				continue
			}
			say(fmt.Sprintf(`{"seq":%d,"scores":[%s]}`, msg.Seq, strings.TrimSuffix(strings.Repeat("50,", len(msg.Nodes)), ",")))
		case "score":
			sc := make([]int, len(msg.Nodes))
			for k, i := range msg.Nodes {
				sc[k] = 10 * i
			}
			b, _ := json.Marshal(sc)
			say(fmt.Sprintf(`{"seq":%d,"scores":%s}`, msg.Seq, b))
		default:
			say(fmt.Sprintf(`{"seq":%d,"node":%d}`, msg.Seq, next))
			next = (next + 1) % n
		}
	}
	return 0
}
