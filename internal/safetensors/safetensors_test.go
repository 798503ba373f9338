package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample() (map[string]Tensor, map[string]string) {
	return map[string]Tensor{
			"layer1.weight": {DType: "F32", Shape: []int{2, 3}, F32: []float32{1, -2, 3.5, float32(math.Inf(1)), 0, -0.125}},
			"layer1.bias":   {DType: "F64", Shape: []int{3}, F64: []float64{math.Pi, -1e300, math.SmallestNonzeroFloat64}},
			"scalar":        {DType: "F64", Shape: []int{}, F64: []float64{42}},
			"empty":         {DType: "F32", Shape: []int{0, 4}, F32: []float32{}},
			"nan":           {DType: "F32", Shape: []int{1}, F32: []float32{math.Float32frombits(0x7fc00001)}},
		}, map[string]string{
			"format": "pt", "note": "ünïcode \"quoted\" <tag>",
		}
}

func encode(t testing.TB, tensors map[string]Tensor, meta map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, tensors, meta); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.Bytes()
}

// sameBits reports whether two tensors hold bit-identical data.
func sameBits(a, b Tensor) bool {
	if a.DType != b.DType || len(a.Shape) != len(b.Shape) || len(a.F32) != len(b.F32) || len(a.F64) != len(b.F64) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	for i := range a.F32 {
		if math.Float32bits(a.F32[i]) != math.Float32bits(b.F32[i]) {
			return false
		}
	}
	for i := range a.F64 {
		if math.Float64bits(a.F64[i]) != math.Float64bits(b.F64[i]) {
			return false
		}
	}
	return true
}

func checkEqual(t testing.TB, want map[string]Tensor, wantMeta map[string]string, got *File) {
	t.Helper()
	if len(got.Tensors) != len(want) {
		t.Fatalf("got %d tensors, want %d", len(got.Tensors), len(want))
	}
	for name, w := range want {
		g, ok := got.Tensors[name]
		if !ok {
			t.Fatalf("tensor %q missing", name)
		}
		if !sameBits(w, g) {
			t.Errorf("tensor %q: got %+v, want %+v", name, g, w)
		}
	}
	if len(got.Metadata) != len(wantMeta) {
		t.Fatalf("metadata: got %v, want %v", got.Metadata, wantMeta)
	}
	for k, v := range wantMeta {
		if got.Metadata[k] != v {
			t.Errorf("metadata[%q] = %q, want %q", k, got.Metadata[k], v)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	tensors, meta := sample()
	data := encode(t, tensors, meta)
	if n := binary.LittleEndian.Uint64(data); n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	f, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	checkEqual(t, tensors, meta, f)

	// Deterministic: the same input always gives the same bytes.
	for range 5 {
		if again := encode(t, tensors, meta); !bytes.Equal(again, data) {
			t.Fatal("Write is not deterministic")
		}
	}

	// No metadata and no tensors.
	empty := encode(t, nil, nil)
	if want := "\x08\x00\x00\x00\x00\x00\x00\x00{}      "; string(empty) != want {
		t.Errorf("empty file = %q, want %q", empty, want)
	}
	f, err = Read(bytes.NewReader(empty), 0)
	if err != nil || len(f.Tensors) != 0 || f.Metadata != nil {
		t.Errorf("Read(empty) = %+v, %v", f, err)
	}
}

func TestWriteInfersDType(t *testing.T) {
	data := encode(t, map[string]Tensor{
		"a": {Shape: []int{1}, F64: []float64{2}},
		"b": {Shape: []int{2}, F32: []float32{1, 2}},
	}, nil)
	f, err := Read(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Tensors["a"].DType != "F64" || f.Tensors["b"].DType != "F32" {
		t.Errorf("inferred dtypes: %+v", f.Tensors)
	}
}

// golden is a file laid out exactly as the reference implementation (the Rust crate
// behind the Python `safetensors` package, used by safetensors.torch.save_file)
// writes it. The Python package could not be installed in the build environment
// (no apt package, no PyPI access), so the bytes were assembled by hand from the
// specification and the reference serializer's rules: compact JSON, "__metadata__"
// first, tensors ordered by dtype (F64 before F32) then name with offsets in that
// order, header padded with spaces to a multiple of 8 bytes.
//
// Tensors: "a" F32 shape [2] = {1, -2.5}; "b" F64 scalar = 0.5;
// metadata {"format": "pt"} (what safetensors.torch.save_file adds).
var golden = []byte("" +
	"\x90\x00\x00\x00\x00\x00\x00\x00" + // header length 144 = 138 JSON bytes + 6 spaces
	`{"__metadata__":{"format":"pt"},` +
	`"b":{"dtype":"F64","shape":[],"data_offsets":[0,8]},` +
	`"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}` +
	"      " +
	"\x00\x00\x00\x00\x00\x00\xe0\x3f" + // 0.5 as float64, little-endian
	"\x00\x00\x80\x3f" + // 1.0 as float32
	"\x00\x00\x20\xc0") // -2.5 as float32

var goldenTensors = map[string]Tensor{
	"a": {DType: "F32", Shape: []int{2}, F32: []float32{1, -2.5}},
	"b": {DType: "F64", Shape: []int{}, F64: []float64{0.5}},
}

func TestGolden(t *testing.T) {
	meta := map[string]string{"format": "pt"}
	if got := encode(t, goldenTensors, meta); !bytes.Equal(got, golden) {
		t.Errorf("Write:\n got %q\nwant %q", got, golden)
	}
	f, err := Read(bytes.NewReader(golden), int64(len(golden)))
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, goldenTensors, meta, f)
}

// TestReadOtherWriters accepts headers other writers may produce: key order not
// matching the data order, whitespace, no padding, unknown extra fields, null
// metadata.
func TestReadOtherWriters(t *testing.T) {
	h := ` { "a" : {"shape":[2],"data_offsets":[8,16],"dtype":"F32","extra":1},` + "\n" +
		`"__metadata__":null, "b":{"dtype":"F64","shape":[1],"data_offsets":[0,8]} }`
	data := withHeader(h, golden[len(golden)-16:])
	data = append(data[:8], data[8+1:]...) // drop the leading space: header must start with '{'
	binary.LittleEndian.PutUint64(data, uint64(len(h)-1))
	f, err := Read(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Tensors["b"].F64[0] != 0.5 || f.Tensors["a"].F32[1] != -2.5 || f.Metadata != nil {
		t.Errorf("got %+v", f)
	}
}

func withHeader(h string, buf []byte) []byte {
	out := make([]byte, 8, 8+len(h)+len(buf))
	binary.LittleEndian.PutUint64(out, uint64(len(h)))
	out = append(out, h...)
	return append(out, buf...)
}

func TestCorruption(t *testing.T) {
	buf16 := make([]byte, 16)
	hdr := func(h string) []byte { return withHeader(h, buf16) }
	huge := make([]byte, 8)
	binary.LittleEndian.PutUint64(huge, 200_000_000)
	beyond := make([]byte, 8)
	binary.LittleEndian.PutUint64(beyond, 1000)
	beyond = append(beyond, `{}`...)
	max64 := make([]byte, 8)
	binary.LittleEndian.PutUint64(max64, math.MaxUint64)
	f32 := func(offs string) string { return `"dtype":"F32","shape":[2],"data_offsets":` + offs }

	cases := []struct {
		name string
		data []byte
		want []string // substrings of the error
	}{
		{"empty", nil, []string{"truncated", "0 bytes"}},
		{"short length", []byte{1, 2, 3}, []string{"truncated"}},
		{"header beyond file", beyond, []string{"header length 1000", "larger than the file"}},
		{"header beyond limit", huge, []string{"header length 200000000", "limit"}},
		{"header length max uint64", max64, []string{"limit"}},
		{"invalid json", hdr(`{"a":{"dtype":"F32",`), []string{"invalid JSON"}},
		{"not an object", hdr(`[1,2]`), []string{"start with '{'"}},
		{"garbage after object", hdr(`{} x`), []string{"after the JSON header"}},
		{"invalid utf8", hdr("{\"\xff\":1}"), []string{"UTF-8"}},
		{"unknown dtype", hdr(`{"w":{"dtype":"Q7","shape":[4],"data_offsets":[0,16]}}`), []string{`"w"`, `unknown dtype "Q7"`}},
		{"unsupported dtype", hdr(`{"w":{"dtype":"BF16","shape":[8],"data_offsets":[0,16]}}`), []string{`"w"`, "BF16", "not supported"}},
		{"missing dtype", hdr(`{"w":{"shape":[4],"data_offsets":[0,16]}}`), []string{`"w"`, "missing dtype"}},
		{"missing shape", hdr(`{"w":{"dtype":"F32","data_offsets":[0,16]}}`), []string{`"w"`, "missing shape"}},
		{"bad offsets", hdr(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0]}}`), []string{`"w"`, "data_offsets must be"}},
		{"negative offset", hdr(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[-1,16]}}`), []string{`"w"`, "invalid data_offsets [-1,16]"}},
		{"upper-case key", hdr(`{"w":{"DTYPE":"F32","shape":[4],"data_offsets":[0,16]}}`), []string{`"w"`, "missing dtype"}},
		{"entry not object", hdr(`{"w":[1]}`), []string{`"w"`, "invalid entry"}},
		{"negative dim", hdr(`{"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}`), []string{`"w"`, "invalid dimension -4"}},
		{"fractional dim", hdr(`{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,16]}}`), []string{`"w"`, "invalid shape [1.5]"}},
		{"shape mismatch", hdr(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}`), []string{`"w"`, "shape [3]", "span 16 bytes"}},
		{"shape overflow", hdr(`{"w":{"dtype":"F64","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,16]}}`), []string{`"w"`, "does not match"}},
		{"reversed offsets", hdr(`{"w":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}}`), []string{`"w"`, "end before"}},
		{"overlap", hdr(`{"a":{` + f32(`[0,8]`) + `},"b":{` + f32(`[4,12]`) + `},"c":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}`), []string{`"b"`, "overlap", `"a"`}},
		{"gap", hdr(`{"a":{` + f32(`[0,8]`) + `},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}`), []string{`"b"`, "gap", `"a"`}},
		{"gap at start", hdr(`{"a":{` + f32(`[8,16]`) + `}}`), []string{`"a"`, "gap", "starts at 0"}},
		{"duplicate", hdr(`{"a":{` + f32(`[0,8]`) + `},"a":{` + f32(`[8,16]`) + `}}`), []string{`"a"`, "duplicate"}},
		{"trailing bytes", hdr(`{"a":{` + f32(`[0,8]`) + `}}`), []string{"trailing bytes", "8 bytes"}},
		{"truncated data", hdr(`{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}`), []string{`"a"`, "truncated", "16 of 32"}},
		{"metadata not strings", hdr(`{"__metadata__":{"n":1}}`), []string{"__metadata__", "string"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, limit := range []int64{0, int64(len(c.data))} {
				f, err := Read(bytes.NewReader(c.data), limit)
				if err == nil {
					t.Fatalf("Read accepted corrupt data: %+v", f)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("error does not wrap ErrInvalid: %v", err)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("limit %d: error %q does not mention %q", limit, err, w)
					}
				}
			}
		})
	}
}

func TestUnsupportedDTypeIs(t *testing.T) {
	data := withHeader(`{"w":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}`, []byte{0, 0})
	_, err := Read(bytes.NewReader(data), 0)
	if !errors.Is(err, ErrUnsupportedDType) {
		t.Errorf("got %v, want ErrUnsupportedDType", err)
	}
}

func TestLimit(t *testing.T) {
	tensors, meta := sample()
	data := encode(t, tensors, meta)
	if _, err := Read(bytes.NewReader(data), int64(len(data))-1); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("Read with a limit one byte short: %v", err)
	}
}

// TestTruncatedEveryLength cuts a valid file at every length and checks that each
// prefix is refused, both through Read and ReadFile.
func TestTruncatedEveryLength(t *testing.T) {
	tensors, meta := sample()
	data := encode(t, tensors, meta)
	dir := t.TempDir()
	path := filepath.Join(dir, "cut.safetensors")
	for n := 0; n < len(data); n++ {
		if _, err := Read(bytes.NewReader(data[:n]), 0); err == nil {
			t.Fatalf("Read accepted a file truncated to %d of %d bytes", n, len(data))
		} else if !errors.Is(err, ErrInvalid) {
			t.Fatalf("length %d: error does not wrap ErrInvalid: %v", n, err)
		}
		if err := os.WriteFile(path, data[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadFile(path); err == nil {
			t.Fatalf("ReadFile accepted a file truncated to %d of %d bytes", n, len(data))
		}
	}
}

func TestWriteRejectsBadTensors(t *testing.T) {
	cases := []struct {
		name    string
		tensors map[string]Tensor
		meta    map[string]string
		want    string
	}{
		{"length", map[string]Tensor{"w": {DType: "F32", Shape: []int{2, 2}, F32: []float32{1}}}, nil, `"w": shape [2 2] needs 4 elements but F32 has 1`},
		{"negative", map[string]Tensor{"w": {DType: "F32", Shape: []int{-1}}}, nil, "negative dimension"},
		{"dtype", map[string]Tensor{"w": {DType: "I64", Shape: []int{1}}}, nil, "I64 is not supported"},
		{"unknown", map[string]Tensor{"w": {DType: "float", Shape: []int{1}}}, nil, `unknown dtype "float"`},
		{"both", map[string]Tensor{"w": {Shape: []int{1}, F32: []float32{1}, F64: []float64{1}}}, nil, "both F32 and F64"},
		{"other slice", map[string]Tensor{"w": {DType: "F32", Shape: []int{1}, F32: []float32{1}, F64: []float64{1}}}, nil, "other data slice"},
		{"reserved", map[string]Tensor{"__metadata__": {Shape: []int{0}}}, nil, "reserved"},
		{"utf8 name", map[string]Tensor{"\xff": {Shape: []int{0}}}, nil, "UTF-8"},
		{"utf8 meta", nil, map[string]string{"k": "\xff"}, "UTF-8"},
	}
	for _, c := range cases {
		var b bytes.Buffer
		err := Write(&b, c.tensors, c.meta)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
		if b.Len() != 0 {
			t.Errorf("%s: Write wrote %d bytes before failing", c.name, b.Len())
		}
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteReportsWriterError(t *testing.T) {
	tensors, meta := sample()
	err := Write(&failingWriter{n: 20}, tensors, meta)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("got %v, want the writer's error", err)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	tensors, meta := sample()
	if err := WriteFile(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, tensors, meta, f)
	onDisk, _ := os.ReadFile(path)
	if !bytes.Equal(onDisk, encode(t, tensors, meta)) {
		t.Error("file content differs from Write's output")
	}
	// Overwriting an existing file works.
	if err := WriteFile(path, goldenTensors, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	if onDisk, _ := os.ReadFile(path); !bytes.Equal(onDisk, golden) {
		t.Error("overwrite did not replace the content")
	}
	assertOnlyFile(t, dir, "model.safetensors")
}

func assertOnlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("directory holds %v, want %v (a temporary file was left behind?)", got, names)
	}
}

func TestWriteFileFailureLeavesExistingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	old := []byte("previous content")
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	tensors, meta := sample()

	// (A failure in the middle of writing is internal/atomicfile's test.)
	// Invalid input.
	if err := WriteFile(path, map[string]Tensor{"w": {DType: "F32", Shape: []int{3}}}, nil); err == nil {
		t.Fatal("WriteFile accepted an invalid tensor")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Errorf("existing file changed to %q", got)
	}
	assertOnlyFile(t, dir, "model.safetensors")

	// A directory that does not exist.
	if err := WriteFile(filepath.Join(dir, "missing", "x.safetensors"), tensors, meta); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
}

func FuzzRead(f *testing.F) {
	tensors, meta := sample()
	valid := encode(f, tensors, meta)
	f.Add(valid)
	f.Add(golden)
	f.Add(encode(f, nil, nil))
	f.Add(valid[:len(valid)/2])
	f.Add(withHeader(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)))
	f.Add(withHeader(`{"__metadata__":{"k":"v"},"w":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}`, make([]byte, 2)))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		// Whatever is accepted must survive a round trip bit for bit.
		var b bytes.Buffer
		if err := Write(&b, got.Tensors, got.Metadata); err != nil {
			t.Fatalf("accepted file cannot be rewritten: %v", err)
		}
		again, err := Read(bytes.NewReader(b.Bytes()), 0)
		if err != nil {
			t.Fatalf("rewritten file cannot be read: %v", err)
		}
		checkEqual(t, got.Tensors, got.Metadata, again)
	})
}
