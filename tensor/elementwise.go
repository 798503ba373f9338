package tensor

import (
	"math"
	"slices"
	"unsafe"

	"github.com/nabla-go/nabla/internal/vec"
)

// Map returns a new tensor with f applied to every element of a.
func Map[T Float](a *Tensor[T], f func(T) T) *Tensor[T] {
	out := arenaOf(a, nil).Scratch(a.shape...)
	if a.isBroadcastScalar() { // one element seen everywhere: compute it once
		v := f(a.data[a.offset])
		for i := range out.data {
			out.data[i] = v
		}
		return out
	}
	if a.IsContiguous() {
		src := a.data[a.offset : a.offset+len(out.data)]
		for i, x := range src {
			out.data[i] = f(x)
		}
		return out
	}
	i := 0
	a.each(func(off int) { out.data[i] = f(a.data[off]); i++ })
	return out
}

// Zip returns f(a, b) elementwise, with a and b broadcast to a common shape.
// op names the operation in shape errors.
func Zip[T Float](op string, a, b *Tensor[T], f func(x, y T) T) *Tensor[T] {
	return zip(nil, op, a, b, f, nil)
}

// zip is Zip with an optional flat kernel used when both operands are
// contiguous and either equal in shape or one is a single element; the kernel
// gets len(x) or len(y) == 1 in the latter case. It writes into out when out
// is not nil (which must then be contiguous with the broadcast shape; it may
// be a or b), else into a new tensor: one implementation serves both the
// allocating and the destination-passing forms.
func zip[T Float](out *Tensor[T], op string, a, b *Tensor[T], f func(x, y T) T, flat func(dst, x, y []T)) *Tensor[T] {
	ar := arenaOf(a, b)
	var buf [maxStackDims]int
	var shape []int
	switch {
	case sameShape(a.shape, b.shape):
		shape = a.shape
	case len(b.shape) == 0:
		shape = a.shape
	case len(a.shape) == 0:
		shape = b.shape
	default:
		shape = broadcastInto(scratchInts(&buf, max(len(a.shape), len(b.shape))), op, a.shape, b.shape)
	}
	if out == nil {
		out = ar.Scratch(shape...) // every element is written below
	} else {
		out.live()
		if !sameShape(out.shape, shape) || !out.IsContiguous() {
			panic(shapeErr(op, "the destination must be contiguous with the shape of the result", out.shape, a.shape, b.shape))
		}
	}
	data := out.data[out.offset : out.offset+out.Size()]
	n := len(data)
	an, bn := a.Size(), b.Size()
	if a.isBroadcastScalar() {
		an = 1
	}
	if b.isBroadcastScalar() {
		bn = 1
	}
	if (an == n || an == 1) && (bn == n || bn == 1) && (an == 1 || a.IsContiguous()) && (bn == 1 || b.IsContiguous()) {
		x, y := a.data[a.offset:a.offset+an], b.data[b.offset:b.offset+bn]
		switch {
		case an == 1 && bn == 1: // also two scalars expanded to one shape
			v := f(x[0], y[0])
			for i := range data {
				data[i] = v
			}
		case flat != nil:
			flat(data, x, y)
		case an == n && bn == n:
			for i := range data {
				data[i] = f(x[i], y[i])
			}
		case an == n:
			for i := range data {
				data[i] = f(x[i], y[0])
			}
		default:
			for i := range data {
				data[i] = f(x[0], y[i])
			}
		}
		return out
	}
	if flat != nil && zipRows(data, shape, a, b, an, bn, flat) {
		return out
	}
	nd := len(shape)
	var asb, bsb, ib [maxStackDims]int
	as, bs := a.broadcastStridesInto(scratchInts(&asb, nd), shape), b.broadcastStridesInto(scratchInts(&bsb, nd), shape)
	idx := scratchInts(&ib, nd)
	ao, bo := a.offset, b.offset
	for k := 0; k < n; k++ {
		data[k] = f(a.data[ao], b.data[bo])
		for d := nd - 1; d >= 0; d-- {
			idx[d]++
			ao += as[d]
			bo += bs[d]
			if idx[d] < shape[d] {
				break
			}
			ao -= idx[d] * as[d]
			bo -= idx[d] * bs[d]
			idx[d] = 0
		}
	}
	return out
}

// zipRows runs flat row by row when both operands are contiguous and one
// has the full shape while the other repeats along leading axes (a bias
// [f] against [batch, f]: flat on each row with the whole short operand) or
// is constant along trailing axes (a row statistic [batch, 1] against
// [batch, f]: flat on each row with one element). Every element is the same
// f(x, y) as in the strided walk. It reports whether it applied.
func zipRows[T Float](data []T, shape []int, a, b *Tensor[T], an, bn int, flat func(dst, x, y []T)) bool {
	n := len(data)
	if n == 0 || !a.IsContiguous() || !b.IsContiguous() || (an != n && bn != n) {
		return false
	}
	short, sn := b, bn
	if bn == n {
		short, sn = a, an
	}
	if sn == 0 || n%sn != 0 {
		return false
	}
	// Align the short operand's axes with shape's trailing axes.
	lead := len(shape) - len(short.shape)
	dim := func(i int) int {
		if i < lead {
			return 1
		}
		return short.shape[i-lead]
	}
	suffix, prefix := true, true // short = shape with leading / trailing axes set to 1
	k := 0
	for k < len(shape) && dim(k) == 1 && shape[k] != 1 {
		k++
	}
	for i := k; i < len(shape); i++ {
		suffix = suffix && dim(i) == shape[i]
	}
	k = len(shape)
	for k > 0 && dim(k-1) == 1 && shape[k-1] != 1 {
		k--
	}
	for i := 0; i < k; i++ {
		prefix = prefix && dim(i) == shape[i]
	}
	x, y := a.data[a.offset:a.offset+an], b.data[b.offset:b.offset+bn]
	switch {
	case suffix: // rows of length sn, each against the whole short operand
		for r := 0; r < n; r += sn {
			if short == b {
				flat(data[r:r+sn], x[r:r+sn], y)
			} else {
				flat(data[r:r+sn], x, y[r:r+sn])
			}
		}
	case prefix: // runs of n/sn elements, each against one element
		run := n / sn
		for j := 0; j < sn; j++ {
			r := j * run
			if short == b {
				flat(data[r:r+run], x[r:r+run], y[j:j+1])
			} else {
				flat(data[r:r+run], x[j:j+1], y[r:r+run])
			}
		}
	default:
		return false
	}
	return true
}

// flatKernel builds a flat loop for the operator f written three times so the
// compiler can inline f in each: vector∘vector, vector∘scalar, scalar∘vector.
// Each loop first hands the work to the SIMD loop of internal/vec where there
// is one for the element type (see fast).
func flatKernel[T Float](vv func(dst, x, y []T), vs func(dst, x []T, y T), sv func(dst []T, x T, y []T)) func(dst, x, y []T) {
	return func(dst, x, y []T) {
		switch {
		case len(x) == len(dst) && len(y) == len(dst):
			vv(dst, x, y)
		case len(x) == len(dst):
			vs(dst, x, y[0])
		default:
			sv(dst, x[0], y)
		}
	}
}

// Add returns a + b elementwise (broadcasting).
func Add[T Float](a, b *Tensor[T]) *Tensor[T] { return AddInto(nil, a, b) }

// AddInto writes a + b (broadcasting) into dst and returns it: dst must be
// contiguous and have the broadcast shape, and may be a or b (dst += b is
// AddInto(dst, dst, b)). A nil dst means a new tensor, as Add.
func AddInto[T Float](dst, a, b *Tensor[T]) *Tensor[T] {
	return zip(dst, "Add", a, b, func(x, y T) T { return x + y }, flatKernel(
		func(d, x, y []T) {
			if v := fast[T](); v != nil {
				v.add(d, x, y)
				return
			}
			for i := range d {
				d[i] = x[i] + y[i]
			}
		},
		func(d, x []T, y T) {
			if v := fast[T](); v != nil {
				v.addScalar(d, x, y)
				return
			}
			for i := range d {
				d[i] = x[i] + y
			}
		},
		func(d []T, x T, y []T) {
			if v := fast[T](); v != nil {
				v.addScalar(d, y, x)
				return
			}
			for i := range d {
				d[i] = x + y[i]
			}
		}))
}

// Sub returns a − b elementwise (broadcasting).
func Sub[T Float](a, b *Tensor[T]) *Tensor[T] {
	return zip(nil, "Sub", a, b, func(x, y T) T { return x - y }, flatKernel(
		func(d, x, y []T) {
			if v := fast[T](); v != nil {
				v.sub(d, x, y)
				return
			}
			for i := range d {
				d[i] = x[i] - y[i]
			}
		},
		func(d, x []T, y T) {
			for i := range d {
				d[i] = x[i] - y
			}
		},
		func(d []T, x T, y []T) {
			for i := range d {
				d[i] = x - y[i]
			}
		}))
}

// Mul returns a · b elementwise (broadcasting).
func Mul[T Float](a, b *Tensor[T]) *Tensor[T] {
	return zip(nil, "Mul", a, b, func(x, y T) T { return x * y }, flatKernel(
		func(d, x, y []T) {
			if v := fast[T](); v != nil {
				v.mul(d, x, y)
				return
			}
			for i := range d {
				d[i] = x[i] * y[i]
			}
		},
		func(d, x []T, y T) {
			if v := fast[T](); v != nil {
				v.mulScalar(d, x, y)
				return
			}
			for i := range d {
				d[i] = x[i] * y
			}
		},
		func(d []T, x T, y []T) {
			if v := fast[T](); v != nil {
				v.mulScalar(d, y, x)
				return
			}
			for i := range d {
				d[i] = x * y[i]
			}
		}))
}

// Div returns a / b elementwise (broadcasting).
func Div[T Float](a, b *Tensor[T]) *Tensor[T] {
	return zip(nil, "Div", a, b, func(x, y T) T { return x / y }, flatKernel(
		func(d, x, y []T) {
			if v := fast[T](); v != nil {
				v.div(d, x, y)
				return
			}
			for i := range d {
				d[i] = x[i] / y[i]
			}
		},
		func(d, x []T, y T) {
			for i := range d {
				d[i] = x[i] / y
			}
		},
		func(d []T, x T, y []T) {
			for i := range d {
				d[i] = x / y[i]
			}
		}))
}

// Pow returns a^b elementwise (broadcasting), as math.Pow.
func Pow[T Float](a, b *Tensor[T]) *Tensor[T] {
	return zip(nil, "Pow", a, b, func(x, y T) T {
		if y == 2 {
			return x * x
		}
		return T(math.Pow(float64(x), float64(y)))
	}, nil)
}

// Maximum returns max(a, b) elementwise (broadcasting); NaN if either is NaN.
func Maximum[T Float](a, b *Tensor[T]) *Tensor[T] {
	return zip(nil, "Maximum", a, b, func(x, y T) T { return T(math.Max(float64(x), float64(y))) }, nil)
}

// Minimum returns min(a, b) elementwise (broadcasting); NaN if either is NaN.
func Minimum[T Float](a, b *Tensor[T]) *Tensor[T] {
	return zip(nil, "Minimum", a, b, func(x, y T) T { return T(math.Min(float64(x), float64(y))) }, nil)
}

func boolT[T Float](c bool) T {
	if c {
		return 1
	}
	return 0
}

// Greater returns 1 where a > b and 0 elsewhere (broadcasting).
func Greater[T Float](a, b *Tensor[T]) *Tensor[T] {
	return zip(nil, "Greater", a, b, func(x, y T) T { return boolT[T](x > y) }, nil)
}

// Less returns 1 where a < b and 0 elsewhere (broadcasting).
func Less[T Float](a, b *Tensor[T]) *Tensor[T] {
	return zip(nil, "Less", a, b, func(x, y T) T { return boolT[T](x < y) }, nil)
}

// Equal returns 1 where a == b and 0 elsewhere (broadcasting).
func Equal[T Float](a, b *Tensor[T]) *Tensor[T] {
	return zip(nil, "Equal", a, b, func(x, y T) T { return boolT[T](x == y) }, nil)
}

// Where returns a where cond ≠ 0 and b elsewhere, all three broadcast together.
func Where[T Float](cond, a, b *Tensor[T]) *Tensor[T] {
	shape := BroadcastShapes("Where", cond.shape, a.shape, b.shape)
	c, x, y := Expand(cond, shape...).Data(), Expand(a, shape...).Data(), Expand(b, shape...).Data()
	out := arenaOf(a, b).New(shape...)
	for i := range out.data {
		if c[i] != 0 {
			out.data[i] = x[i]
		} else {
			out.data[i] = y[i]
		}
	}
	return out
}

// affine returns c·a + d elementwise with a plain loop (no call per element),
// the kernel behind Neg, Scale and AddScalar.
func affine[T Float](a *Tensor[T], c, d T) *Tensor[T] {
	if !a.IsContiguous() || a.isBroadcastScalar() {
		// The same expression as the loops below, so that a one-element
		// tensor gets the bits a longer one gets (c·x + 0 would turn −0 into +0).
		switch {
		case d == 0:
			return Map(a, func(x T) T { return c * x })
		case c == 1:
			return Map(a, func(x T) T { return x + d })
		}
		return Map(a, func(x T) T { return c*x + d })
	}
	out := arenaOf(a, nil).Scratch(a.shape...)
	src := a.data[a.offset : a.offset+len(out.data)]
	v := fast[T]()
	switch {
	case d == 0 && v != nil:
		v.mulScalar(out.data, src, c)
	case c == 1 && v != nil:
		v.addScalar(out.data, src, d)
	case d == 0:
		for i, x := range src {
			out.data[i] = c * x
		}
	case c == 1:
		for i, x := range src {
			out.data[i] = x + d
		}
	default:
		for i, x := range src {
			out.data[i] = c*x + d
		}
	}
	return out
}

// Neg returns −a.
func Neg[T Float](a *Tensor[T]) *Tensor[T] { return affine(a, -1, 0) }

// Scale returns c·a.
func Scale[T Float](c T, a *Tensor[T]) *Tensor[T] { return affine(a, c, 0) }

// AddScalar returns a + c.
func AddScalar[T Float](a *Tensor[T], c T) *Tensor[T] { return affine(a, 1, c) }

// PowScalar returns a^p elementwise.
func PowScalar[T Float](a *Tensor[T], p T) *Tensor[T] {
	switch p {
	case 2:
		return Mul(a, a)
	case 1:
		return clone(arenaOf(a, nil), a)
	}
	return Map(a, func(x T) T { return PowOf(x, p) })
}

// PowOf is xᵖ for one number, computed as PowScalar computes each element.
func PowOf[T Float](x, p T) T {
	switch p {
	case 2:
		return x * x
	case 1:
		return x
	}
	return T(math.Pow(float64(x), float64(p)))
}

// Apply returns f applied to every element, computed in float64.
func Apply[T Float](a *Tensor[T], f func(float64) float64) *Tensor[T] {
	return Map(a, func(x T) T { return T(f(float64(x))) })
}

// Exp returns eˣ elementwise: math.Exp for named element types, and for
// float32 and float64 internal/vec's Exp (SIMD where the CPU has it), which
// is within 1 ulp of eˣ but not always bit-identical to math.Exp (see
// vec.Exp for its measured error).
func Exp[T Float](a *Tensor[T]) *Tensor[T] {
	return vecOrApply(a, math.Exp, func(v *vecOps[T]) func(dst, x []T) { return v.exp })
}

// Log returns the natural logarithm elementwise (−Inf at 0, NaN below):
// math.Log for named element types, internal/vec's Log for float32 and
// float64 (within 1 ulp; see vec.Log).
func Log[T Float](a *Tensor[T]) *Tensor[T] {
	return vecOrApply(a, math.Log, func(v *vecOps[T]) func(dst, x []T) { return v.log })
}

// vecOrApply is Apply(a, f) for named element types, and for float32 and
// float64 the elementwise kernel of vecOps that kernel picks, on a's
// elements (copied to be contiguous first if they are not).
func vecOrApply[T Float](a *Tensor[T], f func(float64) float64, kernel func(*vecOps[T]) func(dst, x []T)) *Tensor[T] {
	v := fast[T]()
	if v == nil {
		return Apply(a, f)
	}
	k := kernel(v)
	out := arenaOf(a, nil).New(a.shape...)
	if a.isBroadcastScalar() { // one element seen everywhere: compute it once
		k(out.data[:1], a.data[a.offset:a.offset+1])
		for i := range out.data {
			out.data[i] = out.data[0]
		}
		return out
	}
	k(out.data, a.Data())
	return out
}

// Sqrt returns √x elementwise.
func Sqrt[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, math.Sqrt) }

// Abs returns |x| elementwise.
func Abs[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, math.Abs) }

// Sin returns sin x elementwise.
func Sin[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, math.Sin) }

// Cos returns cos x elementwise.
func Cos[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, math.Cos) }

// Tan returns tan x elementwise.
func Tan[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, math.Tan) }

// Tanh returns tanh x elementwise.
func Tanh[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, math.Tanh) }

// Erf returns the error function erf x = 2/√π ∫₀ˣ e^(−t²) dt elementwise.
func Erf[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, math.Erf) }

// SignOf is −1, 0 or 1 by the sign of x (NaN stays NaN).
func SignOf(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x
}

// Sign returns −1, 0 or 1 by the sign of x elementwise (NaN stays NaN).
func Sign[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, SignOf) }

// SigmoidOf is the logistic function σ(x) = 1/(1+e⁻ˣ), computed without
// overflow for large |x|.
func SigmoidOf(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// SoftplusOf is log(1+eˣ), computed as max(x,0) + log1p(e^−|x|) so it neither
// overflows nor loses the small values.
func SoftplusOf(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// GELUOf is the Gaussian error linear unit x·Φ(x) = x/2·(1 + erf(x/√2)), the
// exact form (PyTorch's default, not the tanh approximation).
func GELUOf(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }

// Sigmoid returns σ(x) = 1/(1+e⁻ˣ) elementwise.
func Sigmoid[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, SigmoidOf) }

// Softplus returns log(1+eˣ) elementwise.
func Softplus[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, SoftplusOf) }

// GELU returns x·Φ(x) elementwise (exact erf form).
func GELU[T Float](a *Tensor[T]) *Tensor[T] { return Apply(a, GELUOf) }

// ReLUOf is max(x, 0) (NaN stays NaN).
func ReLUOf(x float64) float64 {
	if x > 0 || x != x {
		return x
	}
	return 0
}

// ReLU returns max(x, 0) elementwise, as Apply(a, ReLUOf).
func ReLU[T Float](a *Tensor[T]) *Tensor[T] {
	if v := fast[T](); v != nil && a.IsContiguous() && !a.isBroadcastScalar() {
		out := arenaOf(a, nil).Scratch(a.shape...)
		v.relu(out.data, a.data[a.offset:a.offset+len(out.data)])
		return out
	}
	return Apply(a, ReLUOf)
}

// LeakyReLU returns x for x > 0 and slope·x otherwise.
func LeakyReLU[T Float](a *Tensor[T], slope T) *Tensor[T] {
	return Map(a, func(x T) T {
		if x > 0 {
			return x
		}
		return slope * x
	})
}

// Step returns 1 where x > 0 and 0 elsewhere: the derivative of ReLU.
func Step[T Float](a *Tensor[T]) *Tensor[T] {
	if v := fast[T](); v != nil && a.IsContiguous() && !a.isBroadcastScalar() {
		out := arenaOf(a, nil).Scratch(a.shape...)
		v.step(out.data, a.data[a.offset:a.offset+len(out.data)])
		return out
	}
	return Map(a, func(x T) T { return boolT[T](x > 0) })
}

// ReLUMask returns g·[a > 0] elementwise for g and a of one shape: the
// backward pass of ReLU in one pass over memory, with the bits of
// Mul(g, Step(a)).
func ReLUMask[T Float](g, a *Tensor[T]) *Tensor[T] {
	if !slices.Equal(g.shape, a.shape) {
		panic(shapeErr("ReLUMask", "g and a must have one shape", g.shape, a.shape))
	}
	if v := fast[T](); v != nil && g.IsContiguous() && a.IsContiguous() && !g.isBroadcastScalar() && !a.isBroadcastScalar() {
		out := arenaOf(g, a).Scratch(g.shape...)
		n := len(out.data)
		v.reluMask(out.data, g.data[g.offset:g.offset+n], a.data[a.offset:a.offset+n])
		return out
	}
	return Zip("ReLUMask", g, a, func(g, x T) T { return g * boolT[T](x > 0) })
}

// allFinite reports whether no element of xs is NaN or ±Inf, with
// internal/vec's AllFinite (SIMD where the CPU has it). Finiteness depends
// on the bits alone, so a named float type is viewed as its underlying one.
func allFinite[T Float](xs []T) bool {
	var zero T
	if unsafe.Sizeof(zero) == 8 {
		return vec.AllFinite(as64(xs))
	}
	return vec.AllFinite(as32(xs))
}

// CountNonFinite returns how many elements are NaN or ±Inf, and the row-major
// index of the first one (−1 if none).
func CountNonFinite[T Float](a *Tensor[T]) (count, first int) {
	first = -1
	if a.Size() > 1 && a.isBroadcastScalar() { // one stored element seen everywhere
		if c, _ := CountNonFinite(Scalar(a.data[a.offset])); c > 0 {
			return a.Size(), 0
		}
		return 0, -1
	}
	data := a.Data()
	if allFinite(data) {
		return 0, -1
	}
	for i, x := range data {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			if first < 0 {
				first = i
			}
			count++
		}
	}
	return count, first
}
