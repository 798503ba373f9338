// Package safetensors reads and writes the safetensors tensor file format used by
// Hugging Face and readable from PyTorch, NumPy and JAX through the `safetensors`
// Python package (https://huggingface.co/docs/safetensors).
//
// # Format
//
//	bytes [0, 8)      N, a little-endian uint64: the length of the JSON header
//	bytes [8, 8+N)    UTF-8 JSON object, optionally padded with trailing spaces:
//	                    {"__metadata__": {"key": "value", …},       (optional)
//	                     "name": {"dtype": "F32", "shape": [2, 3],
//	                              "data_offsets": [begin, end]}, …}
//	bytes [8+N, EOF)  the byte buffer; tensor "name" is buffer[begin:end],
//	                  little-endian, contiguous, row-major (C order)
//
// The data_offsets of all tensors, sorted by begin, must tile the buffer exactly:
// the first begins at 0, each begins where the previous one ends, and the last ends
// at the end of the file. end-begin must equal the element count (product of the
// shape; 1 for the empty shape of a scalar) times the size of the dtype.
//
// This package supports the dtypes F32 and F64 fully. Files holding any other dtype
// (BF16, F16, I64, …) are rejected with an error naming the tensor and the dtype.
//
// # Output layout
//
// Write produces the same layout as the reference implementation (the Rust crate
// behind the Python package): the header is compact JSON with "__metadata__" first
// (its keys sorted, for determinism) and the tensors in data order; tensors are
// ordered by dtype size, largest first (so F64 before F32), then by name, which keeps
// every tensor aligned to its element size; the header is padded with spaces to a
// multiple of 8 bytes. The output is therefore a deterministic function of the input.
//
// # Bad input
//
// Read never panics on bad input. Every problem in a file — truncation, a header
// length beyond the file or the 100 MB header limit, invalid JSON or UTF-8, an
// unknown or unsupported dtype, a shape that disagrees with the offsets, overlapping
// or gapped offsets, trailing bytes — is reported as an error that wraps
// ErrInvalid and names the tensor and the problem.
package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/nabla-go/nabla/internal/atomicfile"
)

// MaxHeaderSize is the largest JSON header accepted by Read, 100 MB, the same limit
// as the reference implementation.
const MaxHeaderSize = 100_000_000

// metadataKey is the reserved header key holding the string→string metadata.
const metadataKey = "__metadata__"

// ErrInvalid is wrapped by every error that reports a malformed file or an invalid
// tensor passed to Write; test for it with errors.Is.
var ErrInvalid = errors.New("invalid safetensors data")

// ErrUnsupportedDType is wrapped (together with ErrInvalid) by errors about a dtype
// that the format defines but this package does not decode, such as BF16.
var ErrUnsupportedDType = errors.New("unsupported dtype")

// Tensor is one named array in a safetensors file.
//
// Exactly one of F32 and F64 holds the data, matching DType; its length equals the
// product of Shape (1 for the empty shape, a scalar). Data is row-major.
type Tensor struct {
	// DType is "F32" or "F64". When writing, an empty DType is inferred from
	// whichever of F32 and F64 is non-nil.
	DType string
	// Shape lists the dimensions, outermost first. Entries are non-negative; a
	// zero entry makes an empty tensor.
	Shape []int
	// F32 holds the elements when DType is "F32".
	F32 []float32
	// F64 holds the elements when DType is "F64".
	F64 []float64
}

// File is the decoded content of a safetensors file.
type File struct {
	// Tensors maps each tensor name to its value.
	Tensors map[string]Tensor
	// Metadata is the free-form "__metadata__" object; nil when the file has none.
	Metadata map[string]string
}

// dtypeSize gives the element size in bytes of the supported dtypes.
var dtypeSize = map[string]int{"F32": 4, "F64": 8}

// knownDTypes lists the dtypes the format defines that this package does not
// decode, so that they can be told apart from garbage in error messages.
var knownDTypes = map[string]bool{
	"BOOL": true, "U8": true, "I8": true, "F8_E5M2": true, "F8_E4M3": true,
	"F8_E8M0": true, "F4": true, "F6_E2M3": true, "F6_E3M2": true, "I16": true,
	"U16": true, "F16": true, "BF16": true, "I32": true, "U32": true, "I64": true,
	"U64": true, "C64": true,
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("safetensors: %s: %w", fmt.Sprintf(format, args...), ErrInvalid)
}

func tensorErr(name, format string, args ...any) error {
	return fmt.Errorf("safetensors: tensor %q: %s: %w", name, fmt.Sprintf(format, args...), ErrInvalid)
}

// dtypeError explains why dtype cannot be used for the named tensor.
func dtypeError(name, dtype string) error {
	if knownDTypes[dtype] {
		return fmt.Errorf("safetensors: tensor %q: dtype %s is not supported by this package (only F32 and F64): %w: %w",
			name, dtype, ErrUnsupportedDType, ErrInvalid)
	}
	return tensorErr(name, "unknown dtype %q (want F32 or F64)", dtype)
}

// numElements returns the product of shape, or an error naming the tensor when an
// entry is negative or the product exceeds limit (which also prevents overflow).
func numElements(name string, shape []int, limit int64) (int64, error) {
	n := int64(1)
	for i, d := range shape {
		if d < 0 {
			return 0, tensorErr(name, "shape %v has negative dimension %d at index %d", shape, d, i)
		}
	}
	for _, d := range shape {
		if d == 0 {
			return 0, nil
		}
	}
	for _, d := range shape {
		if int64(d) > limit/n {
			return 0, tensorErr(name, "shape %v has more than %d elements", shape, limit)
		}
		n *= int64(d)
	}
	return n, nil
}

// ---------------------------------------------------------------------------
// Writing

type entry struct {
	name   string
	t      Tensor
	size   int // element size in bytes
	nbytes int64
}

// prepare validates the input and returns the tensors in file order and the padded
// header.
func prepare(tensors map[string]Tensor, metadata map[string]string) ([]entry, []byte, error) {
	entries := make([]entry, 0, len(tensors))
	for name, t := range tensors {
		if name == metadataKey {
			return nil, nil, tensorErr(name, "the name %s is reserved for metadata", metadataKey)
		}
		if !utf8.ValidString(name) {
			return nil, nil, tensorErr(name, "name is not valid UTF-8")
		}
		if t.DType == "" {
			switch {
			case t.F32 != nil && t.F64 != nil:
				return nil, nil, tensorErr(name, "both F32 and F64 are set and DType is empty")
			case t.F64 != nil:
				t.DType = "F64"
			default:
				t.DType = "F32"
			}
		}
		size, ok := dtypeSize[t.DType]
		if !ok {
			return nil, nil, dtypeError(name, t.DType)
		}
		n, err := numElements(name, t.Shape, math.MaxInt64/8)
		if err != nil {
			return nil, nil, err
		}
		var have int
		var other bool
		if t.DType == "F32" {
			have, other = len(t.F32), t.F64 != nil
		} else {
			have, other = len(t.F64), t.F32 != nil
		}
		if other {
			return nil, nil, tensorErr(name, "dtype is %s but the other data slice is also set", t.DType)
		}
		if int64(have) != n {
			return nil, nil, tensorErr(name, "shape %v needs %d elements but %s has %d", t.Shape, n, t.DType, have)
		}
		entries = append(entries, entry{name: name, t: t, size: size, nbytes: n * int64(size)})
	}
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, nil, invalidf("metadata entry %q is not valid UTF-8", k)
		}
	}
	// Largest element size first, then by name: the reference layout, which keeps
	// every tensor aligned to its element size.
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].size != entries[j].size {
			return entries[i].size > entries[j].size
		}
		return entries[i].name < entries[j].name
	})

	var h bytes.Buffer
	h.WriteByte('{')
	first := true
	comma := func() {
		if !first {
			h.WriteByte(',')
		}
		first = false
	}
	if metadata != nil {
		comma()
		writeJSONString(&h, metadataKey)
		h.WriteString(":{")
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				h.WriteByte(',')
			}
			writeJSONString(&h, k)
			h.WriteByte(':')
			writeJSONString(&h, metadata[k])
		}
		h.WriteByte('}')
	}
	var off int64
	for _, e := range entries {
		comma()
		writeJSONString(&h, e.name)
		fmt.Fprintf(&h, `:{"dtype":"%s","shape":[`, e.t.DType)
		for i, d := range e.t.Shape {
			if i > 0 {
				h.WriteByte(',')
			}
			fmt.Fprint(&h, d)
		}
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, off, off+e.nbytes)
		off += e.nbytes
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	if h.Len() > MaxHeaderSize {
		return nil, nil, invalidf("header would be %d bytes, more than the limit of %d", h.Len(), MaxHeaderSize)
	}
	return entries, h.Bytes(), nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // cannot fail for a string
	b.Write(enc)
}

// Write encodes tensors and the optional metadata (nil for none) to w in the
// safetensors format. The input is validated before anything is written, so an
// invalid tensor leaves w untouched; errors name the tensor and the problem.
func Write(w io.Writer, tensors map[string]Tensor, metadata map[string]string) error {
	entries, header, err := prepare(tensors, metadata)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	bw.Write(n[:])
	bw.Write(header)
	var buf [8]byte
	for _, e := range entries {
		if e.t.DType == "F32" {
			for _, v := range e.t.F32 {
				binary.LittleEndian.PutUint32(buf[:4], math.Float32bits(v))
				bw.Write(buf[:4])
			}
		} else {
			for _, v := range e.t.F64 {
				binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
				bw.Write(buf[:])
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("safetensors: write: %w", err)
	}
	return nil
}

// WriteFile writes tensors and metadata to path atomically
// (internal/atomicfile): the data goes to a temporary file in the same
// directory, which is synced and then renamed over path. If anything fails,
// path is left as it was (absent or with its old content) and the temporary
// file is removed. The new file has mode 0644.
func WriteFile(path string, tensors map[string]Tensor, metadata map[string]string) error {
	if _, _, err := prepare(tensors, metadata); err != nil {
		return err
	}
	err := atomicfile.Write(path, func(w io.Writer) error {
		if err := Write(w, tensors, metadata); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Reading

// rawInfo holds the fields of one tensor entry of the header as they appear in the
// JSON; other fields are ignored, as in the reference implementation.
type rawInfo struct {
	DType       string
	Shape       []int64
	DataOffsets []uint64
}

type info struct {
	name       string
	dtype      string
	shape      []int
	begin, end uint64
}

// Read decodes a safetensors file from r, reading at most maxSize bytes in all
// (header length, header and data); maxSize <= 0 means no limit beyond the 100 MB
// header limit. Read checks that r ends exactly where the data ends: it reads one
// byte past the data to detect trailing bytes. Errors wrap ErrInvalid, or are I/O
// errors from r.
func Read(r io.Reader, maxSize int64) (*File, error) {
	var n [8]byte
	got, err := io.ReadFull(r, n[:])
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, invalidf("truncated file: %d bytes, need at least 8 for the header length", got)
		}
		return nil, fmt.Errorf("safetensors: reading header length: %w", err)
	}
	hlen := binary.LittleEndian.Uint64(n[:])
	if hlen > MaxHeaderSize {
		return nil, invalidf("header length %d exceeds the limit of %d bytes", hlen, MaxHeaderSize)
	}
	if maxSize > 0 && int64(hlen) > maxSize-8 {
		return nil, invalidf("truncated file: header length %d is larger than the file (%d bytes in all)", hlen, maxSize)
	}
	header, err := io.ReadAll(io.LimitReader(r, int64(hlen)))
	if err != nil {
		return nil, fmt.Errorf("safetensors: reading header: %w", err)
	}
	if uint64(len(header)) < hlen {
		return nil, invalidf("truncated file: header length %d is larger than the file: only %d bytes follow", hlen, len(header))
	}
	infos, meta, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	// infos is sorted by offset and tiles [0, bufLen) exactly.
	var bufLen uint64
	if len(infos) > 0 {
		bufLen = infos[len(infos)-1].end
	}
	if bufLen > math.MaxInt64-8-hlen {
		return nil, invalidf("data_offsets end at %d, too large", bufLen)
	}
	if maxSize > 0 && bufLen > uint64(maxSize)-8-hlen {
		return nil, truncatedData(infos, uint64(maxSize)-8-hlen)
	}
	data, err := io.ReadAll(io.LimitReader(r, int64(bufLen)+1))
	if err != nil {
		return nil, fmt.Errorf("safetensors: reading data: %w", err)
	}
	if uint64(len(data)) < bufLen {
		return nil, truncatedData(infos, uint64(len(data)))
	}
	if uint64(len(data)) > bufLen {
		return nil, invalidf("trailing bytes after the data buffer: the offsets cover %d bytes but the file continues", bufLen)
	}

	f := &File{Tensors: make(map[string]Tensor, len(infos)), Metadata: meta}
	for _, in := range infos {
		b := data[in.begin:in.end]
		t := Tensor{DType: in.dtype, Shape: in.shape}
		switch in.dtype {
		case "F32":
			t.F32 = make([]float32, len(b)/4)
			for i := range t.F32 {
				t.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		case "F64":
			t.F64 = make([]float64, len(b)/8)
			for i := range t.F64 {
				t.F64[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			}
		}
		f.Tensors[in.name] = t
	}
	return f, nil
}

// truncatedData reports the first tensor (in data order) whose bytes go past the
// avail bytes of data present in the file.
func truncatedData(infos []info, avail uint64) error {
	bufLen := infos[len(infos)-1].end
	for _, in := range infos {
		if in.end > avail {
			return tensorErr(in.name, "truncated file: data_offsets [%d, %d] but the data buffer has only %d of %d bytes",
				in.begin, in.end, avail, bufLen)
		}
	}
	return invalidf("truncated file: the data buffer has only %d of %d bytes", avail, bufLen)
}

// parseHeader decodes and validates the JSON header, returning the tensors sorted
// by data offset and the metadata.
func parseHeader(header []byte) ([]info, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, invalidf("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, invalidf("header does not start with '{'")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	dec.UseNumber()
	jsonErr := func(err error) error {
		return invalidf("invalid JSON header at byte %d: %v", dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != nil { // the '{'
		return nil, nil, jsonErr(err)
	}
	var (
		infos []info
		meta  map[string]string
		seen  = map[string]bool{}
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, jsonErr(err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, nil, invalidf("invalid JSON header: expected a key, got %v", tok)
		}
		if seen[name] {
			return nil, nil, tensorErr(name, "duplicate key in header")
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, jsonErr(err)
		}
		if name == metadataKey {
			if err := json.Unmarshal(raw, &meta); err != nil {
				return nil, nil, invalidf("%s must be an object of string to string: %v", metadataKey, err)
			}
			continue
		}
		in, err := parseInfo(name, raw)
		if err != nil {
			return nil, nil, err
		}
		infos = append(infos, in)
	}
	if _, err := dec.Token(); err != nil { // the '}'
		return nil, nil, jsonErr(err)
	}
	// Only padding may follow the object.
	rest := header[dec.InputOffset():]
	if len(bytes.Trim(rest, " \t\r\n")) != 0 {
		return nil, nil, invalidf("unexpected bytes after the JSON header object at byte %d", dec.InputOffset())
	}

	sort.Slice(infos, func(i, j int) bool {
		if infos[i].begin != infos[j].begin {
			return infos[i].begin < infos[j].begin
		}
		if infos[i].end != infos[j].end {
			return infos[i].end < infos[j].end
		}
		return infos[i].name < infos[j].name
	})
	var pos uint64
	prev := ""
	for _, in := range infos {
		switch {
		case in.begin > pos && prev == "":
			return nil, nil, tensorErr(in.name, "data_offsets [%d, %d] leave a gap: the data buffer starts at 0", in.begin, in.end)
		case in.begin > pos:
			return nil, nil, tensorErr(in.name, "data_offsets [%d, %d] leave a gap after tensor %q, which ends at %d", in.begin, in.end, prev, pos)
		case in.begin < pos:
			return nil, nil, tensorErr(in.name, "data_offsets [%d, %d] overlap tensor %q, which ends at %d", in.begin, in.end, prev, pos)
		}
		pos, prev = in.end, in.name
	}
	return infos, meta, nil
}

// parseInfo decodes one tensor entry and checks it on its own: dtype, shape and
// the size implied by its offsets.
func parseInfo(name string, raw json.RawMessage) (info, error) {
	// Decode field by field rather than into a struct: encoding/json matches
	// struct fields case-insensitively, and "DTYPE" is not "dtype".
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return info{}, tensorErr(name, "invalid entry: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	var ri rawInfo
	for _, f := range []struct {
		key string
		dst any
	}{{"dtype", &ri.DType}, {"shape", &ri.Shape}, {"data_offsets", &ri.DataOffsets}} {
		v, ok := fields[f.key]
		if !ok || string(v) == "null" {
			return info{}, tensorErr(name, "missing %s", f.key)
		}
		if err := json.Unmarshal(v, f.dst); err != nil {
			return info{}, tensorErr(name, "invalid %s %s: %s", f.key, abbrev(v), strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	if len(ri.DataOffsets) != 2 {
		return info{}, tensorErr(name, "data_offsets must be [begin, end], got %d numbers", len(ri.DataOffsets))
	}
	dtype := ri.DType
	size, ok := dtypeSize[dtype]
	if !ok {
		return info{}, dtypeError(name, dtype)
	}
	begin, end := ri.DataOffsets[0], ri.DataOffsets[1]
	if begin > end {
		return info{}, tensorErr(name, "data_offsets [%d, %d] end before they begin", begin, end)
	}
	if end > math.MaxInt64 {
		return info{}, tensorErr(name, "data_offsets [%d, %d] are too large", begin, end)
	}
	shape := make([]int, len(ri.Shape))
	for i, d := range ri.Shape {
		if d < 0 || d > math.MaxInt32 && int64(int(d)) != d {
			return info{}, tensorErr(name, "shape %v has invalid dimension %d at index %d", ri.Shape, d, i)
		}
		shape[i] = int(d)
	}
	nbytes := end - begin
	n, err := numElements(name, shape, int64(nbytes/uint64(size))+1)
	if err != nil {
		return info{}, tensorErr(name, "shape %v does not match data_offsets [%d, %d] (%d bytes of %s)", shape, begin, end, nbytes, dtype)
	}
	if uint64(n)*uint64(size) != nbytes {
		return info{}, tensorErr(name, "shape %v has %d elements of %s = %d bytes but data_offsets [%d, %d] span %d bytes",
			shape, n, dtype, uint64(n)*uint64(size), begin, end, nbytes)
	}
	return info{name: name, dtype: dtype, shape: shape, begin: begin, end: end}, nil
}

// abbrev shortens a JSON value for an error message.
func abbrev(v []byte) string {
	if len(v) > 40 {
		return string(v[:40]) + "…"
	}
	return string(v)
}

// ReadFile reads the safetensors file at path. The whole file is loaded; its size
// bounds what the header may claim.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	// A regular file's size bounds what the header may claim; for anything else
	// (a pipe, a device) only the header limit applies.
	var limit int64
	if st.Mode().IsRegular() {
		limit = st.Size()
	}
	out, err := Read(f, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
