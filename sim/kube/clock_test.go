package kube

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// Timers run in the order of their times, those due at the same instant
// in the order they were set (Clock's documentation), also timers set by
// timers and timers set in the past: checked against a stable sort of the
// timers by time.
func TestClockOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var c Clock
	type set struct{ at, id int64 }
	var sets []set // in the order At was called
	var ran []int64
	var add func(at int64)
	add = func(at int64) {
		id := int64(len(sets))
		sets = append(sets, set{max(at, c.Now()), id})
		c.At(at, func() {
			ran = append(ran, id)
			if len(sets) < 20000 && rng.IntN(3) == 0 {
				add(c.Now() + rng.Int64N(5) - 1) // may be in the past: runs now
			}
		})
	}
	for range 5000 {
		add(rng.Int64N(1000))
	}
	for at := int64(0); at <= 2000; at += 100 {
		c.RunUntil(at)
	}
	if _, ok := c.Next(); ok {
		t.Fatal("timers left after the last RunUntil")
	}
	want := slices.Clone(sets)
	slices.SortStableFunc(want, func(a, b set) int { return cmp.Compare(a.at, b.at) })
	if len(ran) != len(want) {
		t.Fatalf("%d timers ran, %d were set", len(ran), len(want))
	}
	for k := range want {
		if ran[k] != want[k].id {
			t.Fatalf("timer %d ran %d-th; want timer %d (at %d)", ran[k], k, want[k].id, want[k].at)
		}
	}
}
