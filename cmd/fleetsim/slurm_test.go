package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The Slurm test runs deploy/slurm/sweep.sbatch on a real Slurm: Debian's
// slurm-wlm and munge (make test installs them as root), started here as a
// private single-node cluster. docs/slurm.md describes the set-up and the
// commands for a real site.

// Bounds on the private cluster. They are generous: on a loaded 2-core
// machine the daemons come up in about 2 s and the whole array runs in a
// few seconds; the bounds only stop a broken set-up from hanging make test.
const (
	slurmUpWait   = 60 * time.Second // munged, slurmctld, slurmd ready
	slurmJobWait  = 5 * time.Minute  // the array job finished
	slurmStopWait = 20 * time.Second // each daemon and job gone
	slurmPoll     = 250 * time.Millisecond
)

// slurmTools are the commands the test runs; missing ones skip the test
// (or fail it under FLEETSIM_REAL=1).
var slurmTools = []string{"munged", "slurmctld", "slurmd", "sbatch", "scontrol", "squeue", "scancel", "sinfo"}

// slurmBin finds a Slurm or munge command on PATH or in /usr/sbin, where
// Debian puts the daemons and where a non-login root PATH may not look.
func slurmBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s not on PATH nor in /usr/sbin (apt-get install slurm-wlm munge; make test does it as root)", name)
	}
	return p, nil
}

// needSlurm skips the test where a private Slurm cannot run (not root,
// Slurm or munge not installed, no go command to build fleetsim), or fails
// it when FLEETSIM_REAL=1 (make test as root) demands it runs.
func needSlurm(t *testing.T) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "not root: the private slurmd and munged run as root"
	} else if _, err := exec.LookPath("go"); err != nil {
		why = "no go command to build the fleetsim the jobs run"
	} else {
		for _, name := range slurmTools {
			if _, err := slurmBin(name); err != nil {
				why = err.Error()
				break
			}
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("FLEETSIM_REAL") == "1" {
		t.Fatalf("FLEETSIM_REAL=1 but the Slurm test cannot run: %s", why)
	}
	t.Skipf("Slurm not available: %s", why)
}

// slurmCluster is a private single-node Slurm: munged, slurmctld and
// slurmd run in the foreground as children of the test, each in its own
// process group, with their own munge key and socket, state and spool
// folders, ports and slurm.conf, all under one temporary folder. Every
// client command gets SLURM_CONF, so a site's own Slurm is not touched.
type slurmCluster struct {
	dir, conf string
	node      string
	daemons   []*slurmDaemon
	// stepds are the slurmstepd processes that ran before the cluster
	// started; any other one left at the end is this cluster's.
	stepds []int
}

type slurmDaemon struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// slurmConf is a single-node configuration that needs neither systemd nor
// cgroups, nor accounting (Debian 12, Slurm 22.05). %[1]s is the folder,
// %[2]s the short host name, %[3]d and %[4]d the controller and node
// ports, %[5]s the node name, %[6]d its CPUs.
const slurmConf = `# private single-node Slurm of fleetsim's TestSlurmSweepReal
ClusterName=fleetsimtest
SlurmctldHost=%[2]s(127.0.0.1)
SlurmctldPort=%[3]d
SlurmdPort=%[4]d
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=%[1]s/munge/munge.socket
StateSaveLocation=%[1]s/state
SlurmdSpoolDir=%[1]s/spool
SlurmctldPidFile=%[1]s/slurmctld.pid
SlurmdPidFile=%[1]s/slurmd.pid
SlurmctldLogFile=%[1]s/log/slurmctld.log
SlurmdLogFile=%[1]s/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=3600
NodeName=%[5]s NodeHostname=%[2]s NodeAddr=127.0.0.1 CPUs=%[6]d RealMemory=256 State=UNKNOWN
PartitionName=fleetsim Nodes=%[5]s Default=YES MaxTime=INFINITE State=UP
`

// startSlurm starts the private cluster and registers its teardown, which
// cancels every job, stops every daemon and checks that no job, daemon,
// slurmstepd or process of the folder is left, also when the test fails.
func startSlurm(t *testing.T) *slurmCluster {
	t.Helper()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ = strings.Cut(host, ".")
	s := &slurmCluster{dir: t.TempDir(), node: "fleetsim0", stepds: processes("slurmstepd")}
	for _, d := range []string{"munge", "state", "spool", "log"} {
		if err := os.Mkdir(filepath.Join(s.dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	key := make([]byte, 1024)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	// munged wants its key readable by its user alone.
	keyFile := filepath.Join(s.dir, "munge", "munge.key")
	if err := os.WriteFile(keyFile, key, 0o400); err != nil {
		t.Fatal(err)
	}
	s.conf = filepath.Join(s.dir, "slurm.conf")
	conf := fmt.Sprintf(slurmConf, s.dir, host, freePort(t), freePort(t), s.node, runtime.NumCPU())
	if err := os.WriteFile(s.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.stop(t) })

	// --force: without it munged refuses a socket in folders that not
	// everyone may enter, and the test's temporary folders are 0700.
	sock := filepath.Join(s.dir, "munge", "munge.socket")
	s.start(t, "munged", "--foreground", "--force", "--socket="+sock, "--key-file="+keyFile,
		"--pid-file="+filepath.Join(s.dir, "munge", "munged.pid"), "--seed-file="+filepath.Join(s.dir, "munge", "munged.seed"),
		"--log-file="+filepath.Join(s.dir, "log", "munged.log"))
	s.until(t, "munged to create its socket", slurmUpWait, func() (bool, string) {
		_, err := os.Stat(sock)
		return err == nil, fmt.Sprint(err)
	})
	s.start(t, "slurmctld", "-D", "-f", s.conf)
	s.until(t, "slurmctld to answer", slurmUpWait, func() (bool, string) {
		out, err := s.client("scontrol", "ping").CombinedOutput()
		return err == nil && strings.Contains(string(out), "UP"), string(out)
	})
	s.start(t, "slurmd", "-D", "-N", s.node, "-f", s.conf)
	s.until(t, "node "+s.node+" to be idle", slurmUpWait, func() (bool, string) {
		out, err := s.client("sinfo", "-h", "-N", "-n", s.node, "-o", "%T").CombinedOutput()
		return err == nil && strings.TrimSpace(string(out)) == "idle", string(out)
	})
	return s
}

// start runs one daemon in the foreground, in its own process group, its
// output in log/NAME.out. Pdeathsig stops it should the test binary die
// before its cleanup runs (go test's timeout panics skip t.Cleanup).
func (s *slurmCluster) start(t *testing.T, name string, args ...string) {
	t.Helper()
	bin, err := slurmBin(name)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(s.dir, "log", name+".out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "SLURM_CONF="+s.conf)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	d := &slurmDaemon{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { d.err = cmd.Wait(); close(d.done) }()
	s.daemons = append(s.daemons, d)
}

// client is a Slurm client command of this cluster.
func (s *slurmCluster) client(name string, args ...string) *exec.Cmd {
	bin, err := slurmBin(name)
	if err != nil {
		bin = name
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "SLURM_CONF="+s.conf)
	return cmd
}

// until polls ready until it holds, failing the test after wait with its
// last answer, the logs, and any daemon that has exited.
func (s *slurmCluster) until(t *testing.T, what string, wait time.Duration, ready func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		ok, last := ready()
		if ok {
			return
		}
		for _, d := range s.daemons {
			select {
			case <-d.done:
				t.Fatalf("waiting for %s: %s exited (%v)\n%s", what, d.name, d.err, s.logs())
			default:
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not after %v; last: %s\n%s", what, wait, strings.TrimSpace(last), s.logs())
		}
		time.Sleep(slurmPoll)
	}
}

// logs is the last lines of every daemon's log, for a failure message.
func (s *slurmCluster) logs() string {
	var b strings.Builder
	paths, _ := filepath.Glob(filepath.Join(s.dir, "log", "*"))
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		lines = lines[max(0, len(lines)-15):]
		fmt.Fprintf(&b, "--- %s\n%s\n", filepath.Base(p), strings.Join(lines, "\n"))
	}
	return b.String()
}

// jobs is every job id squeue knows in the cluster, pending or running.
func (s *slurmCluster) jobs() ([]string, error) {
	out, err := s.client("squeue", "-h", "-o", "%i").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("squeue: %v: %s", err, out)
	}
	return strings.Fields(string(out)), nil
}

// stop cancels every job, stops the daemons (slurmd, slurmctld, munged:
// SIGTERM, then SIGKILL after slurmStopWait) and checks that nothing of
// the cluster is left: no job, no daemon, no slurmstepd that was not there
// before, no process started from or working in the folder.
func (s *slurmCluster) stop(t *testing.T) {
	t.Helper()
	if ids, err := s.jobs(); err == nil && len(ids) > 0 {
		if out, err := s.client("scancel", ids...).CombinedOutput(); err != nil {
			t.Errorf("scancel %v: %v: %s", ids, err, out)
		}
		deadline := time.Now().Add(slurmStopWait)
		for len(ids) > 0 && time.Now().Before(deadline) {
			time.Sleep(slurmPoll)
			ids, _ = s.jobs()
		}
		if len(ids) > 0 {
			t.Errorf("Slurm jobs left after scancel: %v", ids)
		}
	}
	for _, d := range slices.Backward(s.daemons) {
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(slurmStopWait):
			_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
			<-d.done
			t.Errorf("%s did not stop on SIGTERM within %v; killed", d.name, slurmStopWait)
		}
	}
	var left []string
	deadline := time.Now().Add(slurmStopWait)
	for {
		left = left[:0]
		for _, pid := range processes("slurmstepd") {
			if !slices.Contains(s.stepds, pid) {
				left = append(left, "slurmstepd "+strconv.Itoa(pid))
			}
		}
		left = append(left, processesIn(s.dir)...)
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(slurmPoll)
	}
	if len(left) > 0 {
		t.Errorf("left behind by the private Slurm: %s", strings.Join(left, "; "))
	}
}

// processes is the pids of the processes whose command name is comm.
func processes(comm string) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm")); err == nil && strings.TrimSpace(string(b)) == comm {
			pids = append(pids, pid)
		}
	}
	return pids
}

// processesIn describes the processes whose command line, executable or
// working folder lies under dir.
func processesIn(dir string) []string {
	var found []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil || e.Name() == strconv.Itoa(os.Getpid()) {
			continue
		}
		p := filepath.Join("/proc", e.Name())
		cmdline, _ := os.ReadFile(filepath.Join(p, "cmdline"))
		exe, _ := os.Readlink(filepath.Join(p, "exe"))
		cwd, _ := os.Readlink(filepath.Join(p, "cwd"))
		if bytes.Contains(cmdline, []byte(dir)) || strings.HasPrefix(exe, dir) || strings.HasPrefix(cwd, dir) {
			found = append(found, fmt.Sprintf("pid %s %q (cwd %s)", e.Name(), bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}), cwd))
		}
	}
	return found
}

// arrayTask is one task of an array job as scontrol shows it.
type arrayTask struct {
	id, state, exit string
}

// terminal are the job states a job does not leave.
var terminal = []string{"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE"}

// waitJob waits until job id, or every task of array job id, has ended
// and returns them by array index ("" for a job that is no array). A
// pending remainder of an array shows as one line with a range of
// indexes, so the array has ended once every line has.
func (s *slurmCluster) waitJob(t *testing.T, id string) map[string]arrayTask {
	t.Helper()
	var tasks map[string]arrayTask
	s.until(t, "job "+id+" to end", slurmJobWait, func() (bool, string) {
		out, err := s.client("scontrol", "show", "job", "-o", id).CombinedOutput()
		if err != nil {
			return false, string(out)
		}
		tasks = map[string]arrayTask{}
		done := true
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var a arrayTask
			for _, f := range strings.Fields(line) {
				k, v, _ := strings.Cut(f, "=")
				switch k {
				case "ArrayTaskId":
					a.id = v
				case "JobState":
					a.state = v
				case "ExitCode":
					a.exit = v
				}
			}
			tasks[a.id] = a
			done = done && slices.Contains(terminal, a.state)
		}
		return done, string(out)
	})
	return tasks
}

// sbatchCommand reads the fleetsim command of a batch script: the lines
// from "exec fleetsim" to the last continued one, split into words with
// their quotes removed. The script's words are plain (no spaces inside
// quotes), which the test checks by finding the flags it expects.
func sbatchCommand(t *testing.T, script []byte) []string {
	t.Helper()
	var words []string
	in := false
	for _, line := range strings.Split(string(script), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "exec fleetsim ") {
			in = true
			line = strings.TrimPrefix(line, "exec fleetsim ")
		}
		if !in {
			continue
		}
		cont := strings.HasSuffix(line, `\`)
		for _, w := range strings.Fields(strings.TrimSuffix(line, `\`)) {
			words = append(words, strings.Trim(w, `'"`))
		}
		if !cont {
			break
		}
	}
	return words
}

// mergeCmd is the merge command of the script's header (the comment line
// that starts with "fleetsim merge") and the folder it writes (its -o).
func mergeCmd(t *testing.T, script []byte) (cmd, out string) {
	t.Helper()
	for _, line := range strings.Split(string(script), "\n") {
		line = strings.TrimLeft(line, "# ")
		if !strings.HasPrefix(line, "fleetsim merge ") {
			continue
		}
		words := strings.Fields(line)
		if i := slices.Index(words, "-o"); i > 0 && i+1 < len(words) {
			return line, words[i+1]
		}
	}
	t.Fatal("deploy/slurm/sweep.sbatch: no fleetsim merge -o DIR … command in its header")
	return "", ""
}

// sbatchArray is the size of the array the script asks for in its
// "#SBATCH --array=0-N" line.
func sbatchArray(t *testing.T, script []byte) int {
	t.Helper()
	for _, line := range strings.Split(string(script), "\n") {
		if v, ok := strings.CutPrefix(line, "#SBATCH --array=0-"); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				return n + 1
			}
		}
	}
	t.Fatal("deploy/slurm/sweep.sbatch: no #SBATCH --array=0-N line")
	return 0
}

// TestSlurmSweepReal submits deploy/slurm/sweep.sbatch to a private
// single-node Slurm as written (its own array size and sweep), with two
// changes a CI machine needs, --cpus-per-task=1 and --mem=100M, and a small
// sweep through the flags the script passes on (--tasks 2000 --seeds 2
// --no-plots). Then, as docs/slurm.md tells a site, it submits the merge
// command of the script's header as a job that depends on the array's
// success. Every array task and the merge must complete with exit 0, and
// the merged sweep.csv and sweep.json must equal an unsharded run of the
// script's own fleetsim command byte for byte. Every command runs the
// fleetsim binary a site would install, built here, not the test's
// in-process CLI.
func TestSlurmSweepReal(t *testing.T) {
	needSlurm(t)
	script, err := filepath.Abs("../../deploy/slurm/sweep.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	text := mustRead(t, script)
	n := sbatchArray(t, text)
	words := sbatchCommand(t, text)
	if len(words) < 2 || words[0] != "sweep" || !slices.Contains(words, "--shard") || !slices.Contains(words, "$@") {
		t.Fatalf("deploy/slurm/sweep.sbatch: want exec fleetsim sweep \"$scenario\" … \"$@\" … --shard …, got %q", words)
	}
	small := []string{"--tasks", "2000", "--seeds", "2", "--no-plots"}

	// Everything the jobs touch lies in the cluster's folder, so the
	// teardown's check for processes left there covers them too.
	start := time.Now()
	s := startSlurm(t)
	t.Logf("private Slurm up in %.1f s (conf %s)", time.Since(start).Seconds(), s.conf)
	work := filepath.Join(s.dir, "work")
	bin := filepath.Join(work, "bin")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "fleetsim"), "github.com/fleetsim/fleetsim/cmd/fleetsim")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build fleetsim: %v\n%s", err, out)
	}
	scen := filepath.Join(work, "scenario.yaml")
	k8s := readK8s(t, "../../deploy/k8s/sweep-job.yaml")["ConfigMap/fleetsim-scenario"].Data["scenario.yaml"]
	if err := os.WriteFile(scen, []byte(k8s), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "FLEETSIM_SHARDS=")
	fleet := func(args ...string) {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, "fleetsim"), args...)
		cmd.Dir, cmd.Env = work, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("fleetsim %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	sbatch := func(args ...string) string {
		t.Helper()
		cmd := s.client("sbatch", append([]string{"--parsable"}, args...)...)
		cmd.Dir, cmd.Env = work, append(env, "SLURM_CONF="+s.conf)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sbatch %s: %v: %s\n%s", strings.Join(args, " "), err, out, s.logs())
		}
		id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
		return id
	}
	// The array, then the merge as docs/slurm.md submits it: a job that
	// runs once every array task has succeeded, with the merge command
	// of the script's header.
	start = time.Now()
	id := sbatch(append([]string{"--cpus-per-task=1", "--mem=100M", script, scen}, small...)...)
	merge, mergeOut := mergeCmd(t, text)
	mergeID := sbatch("--dependency=afterok:"+id, "--job-name=fleetsim-merge", "--wrap", merge)
	tasks := s.waitJob(t, id)
	t.Logf("array job %s (%d tasks) ended %.1f s after sbatch", id, len(tasks), time.Since(start).Seconds())
	for i := range n {
		a := tasks[strconv.Itoa(i)]
		if a.state != "COMPLETED" || a.exit != "0:0" {
			log, _ := os.ReadFile(filepath.Join(work, fmt.Sprintf("slurm-%s_%d.out", id, i)))
			t.Fatalf("array task %s_%d: state %q exit %q, want COMPLETED 0:0\n%s\n%s", id, i, a.state, a.exit, log, s.logs())
		}
	}
	if len(tasks) != n {
		t.Fatalf("array job %s has %d tasks, want %d (the script's --array): %v", id, len(tasks), n, tasks)
	}
	if m := s.waitJob(t, mergeID)[""]; m.state != "COMPLETED" || m.exit != "0:0" {
		log, _ := os.ReadFile(filepath.Join(work, "slurm-"+mergeID+".out"))
		t.Fatalf("merge job %s: state %q exit %q, want COMPLETED 0:0\n%s", mergeID, m.state, m.exit, log)
	}

	// The unsharded sweep: the script's command less --shard and -o, with
	// "$scenario" and "$@" filled in.
	var whole []string
	for k := 0; k < len(words); k++ {
		switch words[k] {
		case "--shard", "-o":
			k++
		case "$scenario":
			whole = append(whole, scen)
		case "$@":
			whole = append(whole, small...)
		default:
			whole = append(whole, words[k])
		}
	}
	fleet(append(whole, "-o", "whole")...)
	for _, f := range []string{sweepFile, sweepManifest} {
		a, b := mustRead(t, filepath.Join(work, "whole", f)), mustRead(t, filepath.Join(work, mergeOut, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the merged Slurm shards differ from the unsharded sweep", f)
		}
	}
	if rows := bytes.Count(mustRead(t, filepath.Join(work, "whole", sweepFile)), []byte("\n")); rows < n+1 {
		t.Errorf("sweep.csv has %d lines, want at least one run per shard plus the header", rows)
	}
}
