package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"
)

// interruptGrace is how long a command has, after Ctrl-C or SIGTERM, to
// stop by itself (its context is cancelled) before the process exits.
const interruptGrace = time.Second

// exitAfterInterrupt makes Ctrl-C and SIGTERM end the process within
// interruptGrace even when the command is blocked where it cannot see its
// context (an open or a read of a pipe, a long computation): it then
// says so and exits 130. Outputs are staged, so what is cut short leaves
// the previous result in place, and the next run removes the leftovers.
// A second signal exits at once. real and validate are left to their own
// handling: they must stop containers and daemons before they exit.
func exitAfterInterrupt(args []string, stderr io.Writer) {
	if len(args) > 0 && slices.Contains([]string{"real", "validate"}, args[0]) {
		return
	}
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		select {
		case <-ch:
		case <-time.After(interruptGrace):
		}
		fmt.Fprintln(stderr, "fleetsim: interrupted")
		os.Exit(exitInterrupted)
	}()
}
