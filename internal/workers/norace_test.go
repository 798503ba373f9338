//go:build !race

package workers

// raceEnabled: the race detector is on; see race_test.go.
const raceEnabled = false
