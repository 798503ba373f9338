package data

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
)

// rngStream is the second PCG word used by NewRand, fixed so that a seed
// alone reproduces a split or a shuffle.
const rngStream = 0x6e61626c61 // "nabla"

// NewRand returns the generator data uses for a seed: math/rand/v2's PCG
// seeded with (seed, 0x6e61626c61). The same seed gives the same splits,
// shuffles and batches on every platform and Go release that keeps PCG.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, rngStream))
}

// Fractions says how much of a data set goes to validation and to test; the
// rest is for training. The zero value puts everything in training. Each
// must be in [0, 1) and Val + Test < 1.
type Fractions struct {
	Val  float64 // default 0: no validation set
	Test float64 // default 0: no test set
}

func (f Fractions) check() error {
	ok := func(v float64) bool { return v >= 0 && v < 1 && !math.IsNaN(v) }
	if !ok(f.Val) || !ok(f.Test) || f.Val+f.Test >= 1 {
		return fmt.Errorf("split fractions val=%v test=%v: each must be in [0, 1) and their sum below 1", f.Val, f.Test)
	}
	return nil
}

// Split is a data set divided into training, validation and test parts.
// The index slices give each part's rows in the original data set.
type Split struct {
	Train, Val, Test                *Dataset
	TrainIndex, ValIndex, TestIndex []int
}

func makeSplit(ds *Dataset, train, val, test []int) *Split {
	return &Split{
		Train: ds.Subset(train), Val: ds.Subset(val), Test: ds.Subset(test),
		TrainIndex: train, ValIndex: val, TestIndex: test,
	}
}

// StratifiedSplit divides a classification data set so that every class
// keeps its proportions: a class with n examples puts n·f.Test examples
// (rounded, within one) in the test set and n·f.Val in the validation set,
// and the totals are the rounded overall fractions (largest-remainder
// rounding). Every class keeps at least one training example. Examples are
// drawn at random with NewRand(seed), and each part is returned in shuffled
// order; the same seed gives the same split.
//
// It returns an error for a regression data set (use RandomSplit), a class
// with a single example, or invalid fractions.
func StratifiedSplit(ds *Dataset, f Fractions, seed uint64) (*Split, error) {
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", ds.Name, err)
	}
	if ds.Task != Classify {
		return nil, fmt.Errorf("%s: stratified splitting needs a classification target; %q is a regression target (use RandomSplit)", ds.Name, ds.TargetName)
	}
	counts := ds.ClassCounts()
	byClass := make([][]int, len(counts))
	for i, l := range ds.Labels {
		byClass[l] = append(byClass[l], i)
	}
	for c, n := range counts {
		if n == 1 {
			return nil, fmt.Errorf("%s: class %q has a single example (row %d); stratified splitting needs at least two per class", ds.Name, ds.Classes[c], byClass[c][0]+1)
		}
	}
	nTest := allocate(counts, f.Test)
	nVal := allocate(counts, f.Val)
	rng := NewRand(seed)
	var train, val, test []int
	for c, idx := range byClass {
		n := len(idx)
		if n == 0 {
			continue
		}
		// Keep at least one training example per class.
		for nTest[c]+nVal[c] > n-1 {
			if nVal[c] > 0 {
				nVal[c]--
			} else {
				nTest[c]--
			}
		}
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		test = append(test, idx[:nTest[c]]...)
		val = append(val, idx[nTest[c]:nTest[c]+nVal[c]]...)
		train = append(train, idx[nTest[c]+nVal[c]:]...)
	}
	Shuffle(train, rng)
	Shuffle(val, rng)
	Shuffle(test, rng)
	return makeSplit(ds, train, val, test), nil
}

// allocate splits round(total·frac) among classes by largest remainder, so
// each class gets floor or ceil of counts[c]·frac.
func allocate(counts []int, frac float64) []int {
	out := make([]int, len(counts))
	if frac == 0 {
		return out
	}
	total := 0
	rem := make([]float64, len(counts))
	given := 0
	for c, n := range counts {
		total += n
		exact := float64(n) * frac
		out[c] = int(math.Floor(exact))
		rem[c] = exact - float64(out[c])
		given += out[c]
	}
	want := int(math.Round(float64(total) * frac))
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpFloat(rem[b], rem[a]) })
	for k := 0; given < want && k < len(order); k++ {
		if rem[order[k]] > 0 {
			out[order[k]]++
			given++
		}
	}
	return out
}

// RandomSplit divides the rows of any data set (typically regression) at
// random: round(n·f.Test) rows to test, round(n·f.Val) to validation, the
// rest to training, using NewRand(seed).
func RandomSplit(ds *Dataset, f Fractions, seed uint64) (*Split, error) {
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", ds.Name, err)
	}
	n := ds.Len()
	perm := NewRand(seed).Perm(n)
	nTest := int(math.Round(float64(n) * f.Test))
	nVal := int(math.Round(float64(n) * f.Val))
	if nTest+nVal >= n {
		return nil, fmt.Errorf("%s: %d rows are too few to split with val=%v test=%v and keep a training row", ds.Name, n, f.Val, f.Test)
	}
	test := perm[:nTest:nTest]
	val := perm[nTest : nTest+nVal : nTest+nVal]
	train := perm[nTest+nVal:]
	return makeSplit(ds, train, val, test), nil
}

// SplitAuto splits stratified for classification and at random for
// regression.
func SplitAuto(ds *Dataset, f Fractions, seed uint64) (*Split, error) {
	if ds.Task == Classify {
		return StratifiedSplit(ds, f, seed)
	}
	return RandomSplit(ds, f, seed)
}

// Shuffle permutes idx in place (Fisher–Yates) with rng.
func Shuffle(idx []int, rng *rand.Rand) {
	rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
}

// Batches yields the indices 0 … n-1 in batches of batchSize for one epoch:
// shuffled with rng, or in order if rng is nil. The last batch is smaller
// when batchSize does not divide n. batchSize 1 gives stochastic gradient
// descent; batchSize ≥ n, or 0, gives one full batch. Each yielded slice is
// its own; the caller may keep or modify it. It panics if n or batchSize is
// negative.
func Batches(n, batchSize int, rng *rand.Rand) iter.Seq[[]int] {
	if n < 0 || batchSize < 0 {
		panic(fmt.Sprintf("data.Batches: n=%d, batchSize=%d: must not be negative", n, batchSize))
	}
	if batchSize == 0 || batchSize > n {
		batchSize = n
	}
	return func(yield func([]int) bool) {
		if n == 0 {
			return
		}
		var perm []int
		if rng != nil {
			perm = rng.Perm(n)
		} else {
			perm = make([]int, n)
			for i := range perm {
				perm[i] = i
			}
		}
		for lo := 0; lo < n; lo += batchSize {
			hi := min(lo+batchSize, n)
			if !yield(slices.Clone(perm[lo:hi])) {
				return
			}
		}
	}
}
