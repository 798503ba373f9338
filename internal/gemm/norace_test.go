//go:build !race

package gemm

// raceEnabled: the race detector is on; see race_test.go.
const raceEnabled = false
