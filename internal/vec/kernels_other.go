//go:build !amd64 || purego

package vec

// impls lists the implementations this platform runs, fastest first; without
// assembly that is the plain Go loops.
var impls = []*impl{goImpl}
