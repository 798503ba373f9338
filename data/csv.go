package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nabla-go/nabla/internal/textdist"
)

// DefaultMaxClasses is the CSVOptions.MaxClasses used when it is zero.
const DefaultMaxClasses = 20

// CSVOptions configures LoadCSV. The zero value reads a comma-separated file
// whose target is the column named "target" (or else the last column), and
// chooses classification or regression automatically.
type CSVOptions struct {
	// Target names the target column. Default: the column named "target"
	// if there is one, otherwise the last column.
	Target string
	// Task says how to read the target. Default Auto: non-numeric labels, or
	// integers with at most MaxClasses distinct values, classify; anything
	// else regresses.
	Task Task
	// MaxClasses bounds the number of distinct integer values that Auto
	// still treats as classes. Default DefaultMaxClasses (20).
	MaxClasses int
	// Comma is the field separator. Default ','.
	Comma rune
	// AllowSingletonClasses accepts a class with a single example. By default
	// that is an error, because such a class cannot be split stratified
	// (it cannot appear in both the training and the test set).
	AllowSingletonClasses bool
}

// ParseError reports malformed input: the file, the 1-based line and column
// (in bytes) where the problem is, and what is wrong. Line and Column are 0
// when the problem has no single place.
type ParseError struct {
	File   string
	Line   int
	Column int
	Msg    string
	Err    error // the underlying error, if any (e.g. from encoding/csv)
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

func (e *ParseError) Unwrap() error { return e.Err }

// LoadCSVFile reads the CSV file at path; see LoadCSV. Errors name the path.
func LoadCSVFile(path string, opts CSVOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return LoadCSV(f, path, opts)
}

// LoadCSV reads a data set from CSV text: a header row naming the columns,
// then one example per row. Every column except the target must hold finite
// numbers. name is used in error messages and as Dataset.Name.
//
// Errors are *ParseError values that name the file, line and column: ragged
// rows, non-numeric cells (quoted), NaN or Inf, empty cells, an empty file, a
// header with no data rows, duplicate or empty column names, a missing target
// column (listing the columns), and a class with a single example (unless
// opts.AllowSingletonClasses).
func LoadCSV(r io.Reader, name string, opts CSVOptions) (*Dataset, error) {
	if name == "" {
		name = "<csv>"
	}
	maxClasses := opts.MaxClasses
	if maxClasses <= 0 {
		maxClasses = DefaultMaxClasses
	}
	perr := func(line, col int, format string, args ...any) error {
		return &ParseError{File: name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
	}

	cr := csv.NewReader(r)
	if opts.Comma != 0 {
		cr.Comma = opts.Comma
	}
	cr.FieldsPerRecord = -1 // we check row lengths ourselves, for a better message
	cr.TrimLeadingSpace = true
	read := func() ([]string, error) {
		rec, err := cr.Read()
		if err == nil || errors.Is(err, io.EOF) {
			return rec, err
		}
		var ce *csv.ParseError
		if errors.As(err, &ce) {
			return nil, &ParseError{File: name, Line: ce.Line, Column: ce.Column, Msg: ce.Err.Error(), Err: err}
		}
		return nil, &ParseError{File: name, Msg: err.Error(), Err: err}
	}

	// Header.
	header, err := read()
	if errors.Is(err, io.EOF) {
		return nil, perr(1, 1, "empty file: expected a header row naming the columns, then data rows")
	}
	if err != nil {
		return nil, err
	}
	headerLine, _ := cr.FieldPos(0)
	cols := make([]string, len(header))
	seen := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF") // byte-order mark
		}
		line, col := cr.FieldPos(i)
		if h == "" {
			return nil, perr(line, col, "column %d has an empty name in the header row", i+1)
		}
		if j, dup := seen[h]; dup {
			return nil, perr(line, col, "duplicate column name %q (columns %d and %d)", h, j+1, i+1)
		}
		seen[h] = i
		cols[i] = h
	}
	if len(cols) < 2 {
		return nil, perr(headerLine, 1, "the header names %d column (%s); need at least one feature column and a target column", len(cols), strings.Join(cols, ", "))
	}

	// Target column.
	target := -1
	switch {
	case opts.Target != "":
		if j, ok := seen[opts.Target]; ok {
			target = j
		} else {
			msg := fmt.Sprintf("no target column %q; the columns are: %s", opts.Target, strings.Join(cols, ", "))
			if c := textdist.Closest(opts.Target, cols, 3); c != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", c)
			}
			return nil, perr(headerLine, 1, "%s", msg)
		}
	default:
		if j, ok := seen["target"]; ok {
			target = j
		} else {
			target = len(cols) - 1
		}
	}
	features := make([]string, 0, len(cols)-1)
	for i, c := range cols {
		if i != target {
			features = append(features, c)
		}
	}

	type pos struct{ line, col int }
	var (
		x        []float64
		rawY     []string
		posY     []pos
		rows     int
		colLabel = func(i int) string { return fmt.Sprintf("column %d (%q)", i+1, cols[i]) }
	)
	for {
		rec, err := read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) != len(cols) {
			last := min(len(rec), len(cols)) - 1
			line, col := cr.FieldPos(max(last, 0))
			if len(rec) > len(cols) {
				line, col = cr.FieldPos(len(cols))
			}
			return nil, perr(line, col, "row has %d fields but the header has %d", len(rec), len(cols))
		}
		for i, cell := range rec {
			line, col := cr.FieldPos(i)
			cell = strings.TrimSpace(cell)
			if i == target {
				rawY = append(rawY, cell)
				posY = append(posY, pos{line, col})
				if cell == "" {
					return nil, perr(line, col, "%s: empty target cell", colLabel(i))
				}
				if v, err := strconv.ParseFloat(cell, 64); err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
					return nil, perr(line, col, "%s: target %q is not finite; remove the row or fill in the value", colLabel(i), cell)
				}
				continue
			}
			if cell == "" {
				return nil, perr(line, col, "%s: empty cell (missing value); fill it in or drop the row", colLabel(i))
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				if errors.Is(err, strconv.ErrRange) {
					return nil, perr(line, col, "%s: %q is out of the float64 range", colLabel(i), cell)
				}
				return nil, perr(line, col, "%s: cannot parse %q as a number", colLabel(i), cell)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, perr(line, col, "%s: %q is not finite; remove the row or fill in the value", colLabel(i), cell)
			}
			x = append(x, v)
		}
		rows++
	}
	if rows == 0 {
		return nil, perr(headerLine, 1, "the file has a header row but no data rows")
	}

	ds := &Dataset{
		Name:         name,
		FeatureNames: features,
		TargetName:   cols[target],
		X:            Matrix{Rows: rows, Cols: len(features), Data: x},
	}

	// Decide the task.
	nums := make([]float64, rows)
	firstNonNum := -1
	allInt := true
	for i, s := range rawY {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			if firstNonNum < 0 {
				firstNonNum = i
			}
			continue
		}
		nums[i] = v
		if v != math.Trunc(v) {
			allInt = false
		}
	}
	task := opts.Task
	if task == Auto {
		switch {
		case firstNonNum >= 0:
			task = Classify
		case allInt && countDistinct(nums) <= maxClasses:
			task = Classify
		default:
			task = Regress
		}
	}
	ds.Task = task

	switch task {
	case Regress:
		if firstNonNum >= 0 {
			p := posY[firstNonNum]
			return nil, perr(p.line, p.col, "%s: cannot parse target %q as a number (regression needs numeric targets)", colLabel(target), rawY[firstNonNum])
		}
		ds.Y = nums
	case Classify:
		keys := rawY
		numeric := firstNonNum < 0
		if numeric {
			// "1" and "1.0" are the same class.
			keys = make([]string, rows)
			for i, v := range nums {
				keys[i] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		}
		first := make(map[string]int) // class key → first row
		count := make(map[string]int)
		for i, k := range keys {
			if _, ok := first[k]; !ok {
				first[k] = i
			}
			count[k]++
		}
		classes := make([]string, 0, len(first))
		for k := range first {
			classes = append(classes, k)
		}
		if numeric {
			slices.SortFunc(classes, func(a, b string) int {
				return cmpFloat(nums[first[a]], nums[first[b]])
			})
		} else {
			slices.Sort(classes)
		}
		if !opts.AllowSingletonClasses {
			for _, k := range classes {
				if count[k] == 1 {
					p := posY[first[k]]
					return nil, perr(p.line, p.col, "%s: class %q has a single example; stratified splitting needs at least two per class (drop the row, merge the class, or set CSVOptions.AllowSingletonClasses)", colLabel(target), k)
				}
			}
		}
		index := make(map[string]int, len(classes))
		for i, k := range classes {
			index[k] = i
		}
		ds.Classes = classes
		ds.Labels = make([]int, rows)
		ds.Y = make([]float64, rows)
		for i, k := range keys {
			ds.Labels[i] = index[k]
			ds.Y[i] = float64(index[k])
		}
	default:
		panic(fmt.Sprintf("data.LoadCSV: invalid CSVOptions.Task %d", int(task)))
	}
	return ds, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func countDistinct(v []float64) int {
	m := make(map[float64]struct{})
	for _, x := range v {
		m[x] = struct{}{}
	}
	return len(m)
}

// Load reads a data set named by spec: "builtin:NAME" for a data set shipped
// with nabla (see Builtin), otherwise the path of a CSV file read with default
// CSVOptions.
func Load(spec string) (*Dataset, error) {
	if name, ok := strings.CutPrefix(spec, "builtin:"); ok {
		return Builtin(name)
	}
	if spec == "" {
		return nil, errors.New("data.Load: empty data set spec; want \"builtin:NAME\" or a CSV file path")
	}
	if _, err := os.Stat(spec); err != nil && !strings.ContainsAny(spec, `/\.`) {
		if slices.Contains(BuiltinNames(), spec) {
			return nil, fmt.Errorf("%w (did you mean \"builtin:%s\"?)", err, spec)
		}
	}
	return LoadCSVFile(filepath.Clean(spec), CSVOptions{})
}
