//go:build amd64 || arm64

package sim

// prefetch is prefetchLine's instruction (prefetch_amd64.s, prefetch_arm64.s).
//
//go:noescape
func prefetch(addr uintptr)
