// Package realexec will run the same strategies on live containerd nodes and
// compare them with the simulator (issue: real execution). It is empty for
// now: nothing here is implemented yet.
package realexec
