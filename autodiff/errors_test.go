package autodiff_test

// Bad inputs give an error or a panic that says what is wrong — never a
// silent wrong number.

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	. "github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

func zeros(shape ...int) *v64 { return Param(tensor.New[float64](shape...)) }

// expectMentions fails unless msg contains every part.
func expectMentions(t *testing.T, what, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%s: message %q does not mention %q", what, msg, p)
		}
	}
}

// panicMessage runs f and returns the message of its panic ("" if none).
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
			if msg == "" {
				msg = "(empty panic)"
			}
		}
	}()
	f()
	return ""
}

// Mismatched shapes panic with a *tensor.ShapeError naming the operation and
// the shapes of both operands.
func TestShapeMismatchPanics(t *testing.T) {
	cases := []struct {
		name  string
		f     func()
		parts []string // op and shapes the message must name
	}{
		{"Add", func() { Add(zeros(2, 3), zeros(4)) }, []string{"Add", "[2 3]", "[4]"}},
		{"Sub", func() { Sub(zeros(3, 1, 4), zeros(2, 3)) }, []string{"Sub", "[3 1 4]", "[2 3]"}},
		{"Mul", func() { Mul(zeros(2, 3), zeros(3, 2)) }, []string{"Mul", "[2 3]", "[3 2]"}},
		{"Div", func() { Div(zeros(5), zeros(2)) }, []string{"Div", "[5]", "[2]"}},
		{"Pow", func() { Pow(zeros(2, 2), zeros(3)) }, []string{"Pow", "[2 2]", "[3]"}},
		{"Maximum", func() { Maximum(zeros(4), zeros(3)) }, []string{"Maximum", "[4]", "[3]"}},
		{"Minimum", func() { Minimum(zeros(1, 4), zeros(3, 3)) }, []string{"Minimum", "[1 4]", "[3 3]"}},
		{"Where", func() { Where(tensor.New[float64](2, 3), zeros(2, 3), zeros(4)) }, []string{"Where", "[2 3]", "[4]"}},
		{"MatMul", func() { MatMul(zeros(2, 3), zeros(4, 5)) }, []string{"MatMul", "[2 3]", "[4 5]"}},
		{"MatMul/batch", func() { MatMul(zeros(2, 3, 4), zeros(3, 4, 5)) }, []string{"MatMul", "[2 3 4]", "[3 4 5]"}},
		{"MatMul/scalar", func() { MatMul(zeros(), zeros(2, 2)) }, []string{"MatMul", "[]", "[2 2]"}},
		{"MatMul/vectors", func() { MatMul(zeros(3), zeros(4)) }, []string{"MatMul", "[3]", "[4]"}},
		{"MatMul/vec-mat", func() { MatMul(zeros(3), zeros(4, 2)) }, []string{"MatMul", "[3]", "[4 2]"}},
		{"Concat", func() { Concat(1, zeros(2, 3), zeros(3, 3)) }, []string{"Concat", "[2 3]", "[3 3]"}},
		{"Stack", func() { Stack(0, zeros(2), zeros(3)) }, []string{"Stack", "[2]", "[3]"}},
		{"Stack/none", func() { Stack[float64](0) }, []string{"Stack"}},
		{"Concat/none", func() { Concat[float64](0) }, []string{"Concat"}},
		{"Reshape", func() { Reshape(zeros(2, 3), 4) }, []string{"Reshape", "[2 3]", "[4]"}},
		{"Expand", func() { Expand(zeros(2, 3), 4, 3) }, []string{"Expand", "[2 3]", "[4 3]"}},
		{"SumTo", func() { SumTo(zeros(2, 3), 4) }, []string{"SumTo", "[2 3]", "[4]"}},
		{"Slice", func() { Slice(zeros(2, 3), 1, 1, 5) }, []string{"Slice", "[2 3]"}},
		{"Transpose", func() { Transpose(zeros(2, 3), 0, 2) }, []string{"Transpose", "[2 3]"}},
		{"Sum/axis", func() { Sum(zeros(2, 3), false, 2) }, []string{"Sum", "[2 3]"}},
		{"IndexSelect", func() { IndexSelect(zeros(2, 3), 1, []int{0, 3}) }, []string{"IndexSelect", "[2 3]"}},
		{"TakeAlong", func() { TakeAlong(zeros(2, 3), 1, []int{0}) }, []string{"TakeAlong", "[2 3]"}},
		{"Squeeze", func() { Squeeze(zeros(2, 3), 0) }, []string{"Squeeze", "[2 3]"}},
		{"Pad", func() { Pad(zeros(2, 3), 0, -1, 0) }, []string{"Pad", "[2 3]"}},
	}
	for _, c := range cases {
		var se *tensor.ShapeError
		msg := panicMessage(func() {
			defer func() {
				if r := recover(); r != nil {
					if e, ok := r.(error); !ok || !errors.As(e, &se) {
						t.Errorf("%s: panic value %T %v is not a *tensor.ShapeError", c.name, r, r)
					}
					panic(r)
				}
			}()
			c.f()
		})
		if msg == "" {
			t.Errorf("%s: no panic", c.name)
			continue
		}
		expectMentions(t, c.name, msg, c.parts...)
	}
}

func TestBackwardMisuse(t *testing.T) {
	x := Param(tensor.FromSlice([]float64{1, 2, 3}))
	err := Exp(x).Backward()
	if err == nil {
		t.Fatal("Backward of a [3] output without a seed succeeded")
	}
	expectMentions(t, "non-scalar output", err.Error(), "non-scalar", `"exp"`, "[3]", "Seed")

	err = Exp(x).BackwardWith(BackwardOptions[float64]{Seed: Const(tensor.Ones[float64](2))})
	if err == nil {
		t.Fatal("Backward with a [2] seed of a [3] output succeeded")
	}
	expectMentions(t, "seed shape", err.Error(), "seed", "[2]", "[3]")

	_, err = Gradients(Exp(x), []*v64{x}, BackwardOptions[float64]{Seed: Const(tensor.Ones[float64](3, 1))})
	if err == nil {
		t.Fatal("Gradients with a [3 1] seed of a [3] output succeeded")
	}
	expectMentions(t, "Gradients seed shape", err.Error(), "[3 1]", "[3]")

	err = Sum(Exp(Const(tensor.Ones[float64](2))), false).Backward()
	if err == nil {
		t.Fatal("Backward of an output with no Param succeeded")
	}
	expectMentions(t, "no Param", err.Error(), "does not depend on any Param")

	if x.Grad() != nil {
		t.Errorf("failed Backward calls left a gradient %v", x.Grad())
	}
	if msg := panicMessage(func() { Exp(x).SetRequiresGrad(false) }); msg == "" {
		t.Error("SetRequiresGrad on the result of an operation did not panic")
	} else {
		expectMentions(t, "SetRequiresGrad", msg, `"exp"`, "Detach")
	}
}

// A backward rule that turns a finite upstream gradient into NaN or Inf is
// reported as an error naming the op, the input and the element — through
// Backward and through the functional API — and no gradient is stored.
func TestNonFiniteBackward(t *testing.T) {
	cases := []struct {
		name string
		f    func(x *v64) *v64
		x    []float64
		op   string
		kind string
		at   int // the element
	}{
		// d√x/dx = 1/(2√x) = +Inf at 0
		{"sqrt at 0", func(x *v64) *v64 { return Sqrt(x) }, []float64{1, 0}, `"sqrt"`, "Inf", 1},
		// 0·Inf: the upstream gradient is 0 but 1/(2√0) is not finite
		{"0·sqrt at 0", func(x *v64) *v64 { return Scale(0, Sqrt(x)) }, []float64{0, 4}, `"sqrt"`, "NaN", 0},
		// d log x/dx = 1/x = +Inf at 0
		{"log at 0", func(x *v64) *v64 { return Log(x) }, []float64{2, 3, 0}, `"log"`, "Inf", 2},
		// d(1/x)/dx = −1/x² = −Inf at 0
		{"1/x at 0", func(x *v64) *v64 { return Div(Scalar(1.0), x) }, []float64{0, 1}, `"div"`, "Inf", 0},
		// d x^0.5/dx = 0.5·x^−0.5 = +Inf at 0
		{"x^0.5 at 0", func(x *v64) *v64 { return PowConst(x, 0.5) }, []float64{0}, `"pow_const"`, "Inf", 0},
		// eˣ overflows at 800: its derivative eˣ = +Inf
		{"exp overflow", func(x *v64) *v64 { return Exp(x) }, []float64{1, 800}, `"exp"`, "Inf", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer noPanic(t, c.name)
			f := func(x *v64) *v64 { return Sum(c.f(x), false) }
			x := Param(tensor.FromSlice(slices.Clone(c.x))).SetName("theta")
			err := f(x).Backward()
			if err == nil {
				t.Fatalf("Backward succeeded with gradient %v", x.Grad())
			}
			expectMentions(t, "Backward", err.Error(), "backward of "+c.op, c.kind, fmt.Sprintf("element %d", c.at), "theta")
			if x.Grad() != nil {
				t.Errorf("the failed pass stored a gradient %v", x.Grad())
			}
			_, err = Grad(f, tensor.FromSlice(slices.Clone(c.x)))
			if err == nil {
				t.Fatal("Grad succeeded")
			}
			expectMentions(t, "Grad", err.Error(), "backward of "+c.op, c.kind)
		})
	}
}

// A pass that fails half-way leaves nothing behind: a later pass over the
// same nodes gives the right gradient.
func TestFailedPassLeavesGraphUsable(t *testing.T) {
	xs := []float64{0, 1}
	x := Param(tensor.FromSlice(slices.Clone(xs)))
	h := Exp(x)
	bad := Sum(Mul(Sqrt(AddConst(h, -1)), h), false) // √(eˣ − 1) has an infinite slope at x = 0
	if err := bad.Backward(); err == nil {
		t.Fatal("Backward through √0 succeeded")
	}
	if err := Sum(h, false).Backward(); err != nil { // ∇ Σ eˣ = eˣ
		t.Fatal(err)
	}
	expectSame(t, "∇ Σ eˣ after a failed pass", x.Grad(), tensor.Apply(tensor.FromSlice(xs), math.Exp))
}

// Every entry point of the functional API reports a shape error raised inside
// f, or an output of the wrong kind, as an error.
func TestFunctionalErrors(t *testing.T) {
	x := tensor.FromSlice([]float64{1, 2, 3})
	u := tensor.Ones[float64](3)
	bad := func(v *v64) *v64 { return Sum(Add(v, Const(tensor.New[float64](4))), false) } // [3] + [4]
	vector := func(v *v64) *v64 { return Exp(v) }
	scalar := func(v *v64) *v64 { return Sum(Square(v), false) }
	constant := func(*v64) *v64 { return Const(tensor.Ones[float64](2)) }
	nilFunc := func(*v64) *v64 { return nil }

	calls := map[string]func(f Func[float64], x, u *tensor.Tensor[float64]) error{
		"Grad":         func(f Func[float64], x, _ *tensor.Tensor[float64]) error { _, err := Grad(f, x); return err },
		"ValueAndGrad": func(f Func[float64], x, _ *tensor.Tensor[float64]) error { _, _, err := ValueAndGrad(f, x); return err },
		"VJP":          func(f Func[float64], x, w *tensor.Tensor[float64]) error { _, _, err := VJP(f, x, w); return err },
		"JVP":          func(f Func[float64], x, u *tensor.Tensor[float64]) error { _, _, err := JVP(f, x, u); return err },
		"Jacobian":     func(f Func[float64], x, _ *tensor.Tensor[float64]) error { _, err := Jacobian(f, x); return err },
		"Hessian":      func(f Func[float64], x, _ *tensor.Tensor[float64]) error { _, err := Hessian(f, x); return err },
		"HVP":          func(f Func[float64], x, v *tensor.Tensor[float64]) error { _, err := HVP(f, x, v); return err },
		"DirectionalDerivative": func(f Func[float64], x, u *tensor.Tensor[float64]) error {
			_, err := DirectionalDerivative(f, x, u)
			return err
		},
		"GradCheck": func(f Func[float64], x, _ *tensor.Tensor[float64]) error { _, err := GradCheck(f, x, nil); return err },
	}
	scalarOnly := map[string]bool{"Grad": true, "ValueAndGrad": true, "Hessian": true, "HVP": true, "DirectionalDerivative": true, "GradCheck": true}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			defer noPanic(t, name)
			w := u // VJP's w has the output's shape: [] for the scalar functions
			if name == "VJP" {
				w = tensor.Scalar(1.0)
			}
			err := call(bad, x, w)
			var se *tensor.ShapeError
			if !errors.As(err, &se) {
				t.Errorf("f with [3]+[4]: error %v does not wrap a *tensor.ShapeError", err)
			} else {
				expectMentions(t, "shape error in f", err.Error(), "Add", "[3]", "[4]")
			}
			if err := call(nilFunc, x, w); err == nil {
				t.Error("f returning nil: no error")
			}
			if msg := panicMessage(func() { _ = call(func(*v64) *v64 { panic("not a shape error") }, x, w) }); msg != "not a shape error" {
				t.Errorf("a panic in f that is not a shape error: got %q, want it passed on", msg)
			}
			if scalarOnly[name] {
				if err := call(vector, x, u); err == nil {
					t.Error("a [3]-valued f: no error")
				}
			}
			switch name {
			case "VJP":
				if err := call(vector, x, tensor.Ones[float64](2)); err == nil {
					t.Error("w of shape [2] for an output of shape [3]: no error")
				}
				if err := call(constant, x, tensor.Ones[float64](3)); err == nil {
					t.Error("w of shape [3] for a constant output of shape [2]: no error (silently zero)")
				}
			case "JVP", "DirectionalDerivative", "HVP":
				if err := call(scalar, x, tensor.Ones[float64](2)); err == nil {
					t.Errorf("a direction of shape [2] for x of shape [3]: no error")
				}
			}
		})
	}
}
