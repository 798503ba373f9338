//go:build !race

package vec

// strictNaN: whether the tests compare the payloads of NaN results (see
// race_test.go).
const strictNaN = true
