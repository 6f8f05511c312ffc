package sim

import "unsafe"

// prefetchLine asks the processor to bring the cache line at p into its
// caches without waiting for it (a hint: PREFETCHT0 on amd64, PRFM
// PLDL1KEEP on arm64, nothing elsewhere). The fast path uses it on large
// clusters for state it will read a few events later, so that the misses
// overlap instead of each stalling in turn (docs/performance.md, "Per-node
// records and prefetching").
func prefetchLine(p unsafe.Pointer) { prefetch(uintptr(p)) }
