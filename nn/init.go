package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nabla-go/nabla/tensor"
)

// Initializer draws the initial values of a parameter tensor. The fans are
// those of torch.nn.init: for a shape [out, in, k…], with receptive field
// r = Π k…, fan_in = in·r and fan_out = out·r (a Linear weight [out, in] has
// fan_in = in, fan_out = out). Initialisers that need fans panic on tensors
// with fewer than two axes, as PyTorch does.
type Initializer interface {
	// Sample returns Π shape values in row-major order, drawn with rng.
	Sample(rng *rand.Rand, shape []int) []float64
}

// NewTensor returns a tensor of the given shape filled by init from rng.
func NewTensor[T Float](init Initializer, rng *rand.Rand, shape ...int) *tensor.Tensor[T] {
	if rng == nil {
		panic("nn: NewTensor: nil *rand.Rand (pass a seeded generator, e.g. rand.New(rand.NewPCG(1, 2)))")
	}
	v := init.Sample(rng, shape)
	data := make([]T, len(v))
	for i, x := range v {
		data[i] = T(x)
	}
	return tensor.FromSlice(data, shape...)
}

// Fans returns fan_in and fan_out of a weight shape, as
// torch.nn.init._calculate_fan_in_and_fan_out.
func Fans(shape []int) (fanIn, fanOut int) {
	if len(shape) < 2 {
		panic(fmt.Sprintf("nn: fan in and fan out need a tensor with at least 2 axes, got shape %v", shape))
	}
	r := 1
	for _, d := range shape[2:] {
		r *= d
	}
	return shape[1] * r, shape[0] * r
}

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func uniform(rng *rand.Rand, shape []int, lo, hi float64) []float64 {
	v := make([]float64, size(shape))
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float64()
	}
	return v
}

func normal(rng *rand.Rand, shape []int, std float64) []float64 {
	v := make([]float64, size(shape))
	for i := range v {
		v[i] = std * rng.NormFloat64()
	}
	return v
}

func orOne(g float64) float64 {
	if g == 0 {
		return 1
	}
	return g
}

// XavierUniform (Glorot & Bengio 2010) draws from U(−b, b) with
// b = gain·√(6 / (fan_in + fan_out)), as torch.nn.init.xavier_uniform_.
type XavierUniform struct {
	Gain float64 // default 1 (use Gain("tanh") = 5/3 before tanh, …)
}

// Sample implements Initializer.
func (x XavierUniform) Sample(rng *rand.Rand, shape []int) []float64 {
	in, out := Fans(shape)
	b := orOne(x.Gain) * math.Sqrt(6/float64(in+out))
	return uniform(rng, shape, -b, b)
}

// XavierNormal draws from N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)),
// as torch.nn.init.xavier_normal_.
type XavierNormal struct {
	Gain float64 // default 1
}

// Sample implements Initializer.
func (x XavierNormal) Sample(rng *rand.Rand, shape []int) []float64 {
	in, out := Fans(shape)
	return normal(rng, shape, orOne(x.Gain)*math.Sqrt(2/float64(in+out)))
}

// KaimingUniform (He et al. 2015) draws from U(−b, b) with
// b = gain·√(3 / fan), gain = √(2 / (1 + a²)) and fan = fan_in (or fan_out
// with FanOut), as torch.nn.init.kaiming_uniform_ with
// nonlinearity='leaky_relu'. The zero value (a = 0) is He's initialisation for
// relu: b = √(6 / fan_in). With A = √5 it is PyTorch's default Linear weight
// init, b = 1/√fan_in.
type KaimingUniform struct {
	A      float64 // negative slope of the leaky relu that follows; default 0 (relu)
	FanOut bool    // scale by fan_out (preserves gradient magnitudes in the backward pass); default fan_in
}

// Sample implements Initializer.
func (k KaimingUniform) Sample(rng *rand.Rand, shape []int) []float64 {
	b := kaimingGain(k.A) * math.Sqrt(3/float64(pickFan(shape, k.FanOut)))
	return uniform(rng, shape, -b, b)
}

// KaimingNormal draws from N(0, σ²) with σ = gain / √fan,
// gain = √(2 / (1 + a²)), as torch.nn.init.kaiming_normal_; the zero value is
// He's relu initialisation σ = √(2 / fan_in).
type KaimingNormal struct {
	A      float64 // negative slope of the following leaky relu; default 0 (relu)
	FanOut bool    // scale by fan_out; default fan_in
}

// Sample implements Initializer.
func (k KaimingNormal) Sample(rng *rand.Rand, shape []int) []float64 {
	return normal(rng, shape, kaimingGain(k.A)/math.Sqrt(float64(pickFan(shape, k.FanOut))))
}

func kaimingGain(a float64) float64 { return math.Sqrt(2 / (1 + a*a)) }

func pickFan(shape []int, out bool) int {
	in, o := Fans(shape)
	if out {
		return o
	}
	return in
}

// SmallRandom draws from N(0, Std²), the classic "small random numbers"
// initialisation (torch.nn.init.normal_(std=Std)).
type SmallRandom struct {
	Std float64 // default 0.01
}

// Sample implements Initializer.
func (s SmallRandom) Sample(rng *rand.Rand, shape []int) []float64 {
	std := s.Std
	if std == 0 {
		std = 0.01
	}
	return normal(rng, shape, std)
}

// Uniform draws from U(Low, High), as torch.nn.init.uniform_. The zero value
// is U(0, 1), PyTorch's default.
type Uniform struct {
	Low, High float64
}

// Sample implements Initializer.
func (u Uniform) Sample(rng *rand.Rand, shape []int) []float64 {
	lo, hi := u.Low, u.High
	if lo == 0 && hi == 0 {
		hi = 1
	}
	return uniform(rng, shape, lo, hi)
}

// Zeros fills with 0 (torch.nn.init.zeros_); it draws nothing from rng.
type Zeros struct{}

// Sample implements Initializer.
func (Zeros) Sample(_ *rand.Rand, shape []int) []float64 { return make([]float64, size(shape)) }

// Gain returns the recommended gain of torch.nn.init.calculate_gain for a
// nonlinearity: "linear", "sigmoid" → 1, "tanh" → 5/3, "relu" → √2,
// "selu" → 3/4, "leaky_relu" → √(2/(1+0.01²)) (PyTorch's default slope).
// It panics on other names.
func Gain(nonlinearity string) float64 {
	switch nonlinearity {
	case "linear", "identity", "sigmoid":
		return 1
	case "tanh":
		return 5.0 / 3
	case "relu":
		return math.Sqrt2
	case "selu":
		return 0.75
	case "leaky_relu":
		return kaimingGain(0.01)
	}
	panic(fmt.Sprintf("nn: Gain: unknown nonlinearity %q", nonlinearity))
}
