//go:build race

package vec

// strictNaN: whether the tests compare the payloads of NaN results. The race
// detector's instrumentation changes which operand Go's compiler puts first
// in y[i] += a*x[i], and so which NaN wins when both are NaN; only NaN-ness
// is compared then.
const strictNaN = false
