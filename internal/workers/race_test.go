//go:build race

package workers

// raceEnabled: the race detector is on; sync.Pool then drops items at random
// and everything runs several times slower.
const raceEnabled = true
