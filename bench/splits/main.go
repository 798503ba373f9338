// Command splits writes the train and test rows that `nabla train` holds out
// when it is given no --test file, so that peers (scikit-learn, PyTorch) can
// be trained and scored on exactly the same rows.
//
//	go run ./bench/splits -data builtin:iris -seed 0 -o iris-split.json
//	go run ./bench/splits -seed 0               # the five CSV built-ins, to stdout
//
// It loads a built-in data set the way cmd/nabla's loadData does
// (data.BuiltinCSV + data.LoadCSV with default options; fashion-mnist through
// data.Builtin) and splits it with data.SplitAuto(ds, data.Fractions{Test:
// 0.2}, seed): stratified by class for classification, at random for
// regression. Row numbers are 0-based indices into the data rows of the CSV
// (the header excluded) or into the images of the idx file, in the order
// nabla's split returns them.
//
// The output is one JSON object:
//
//	{"seed": 0, "test_fraction": 0.2,
//	 "splits": {"builtin:iris": {"task": "classify", "rows": 150,
//	                             "train": [...], "test": [...]}, ...}}
//
// With -o the file is written atomically (a temporary file in the same
// directory, then a rename), so a reader never sees half of it.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/internal/atomicfile"
)

// testFraction is the share nabla train holds out without --test.
const testFraction = 0.2

// csvBuiltins are the built-ins written when -data is not given.
var csvBuiltins = []string{"iris", "breast_cancer", "wine", "digits", "diabetes"}

// output is the JSON document.
type output struct {
	Seed         uint64            `json:"seed"`
	TestFraction float64           `json:"test_fraction"`
	Splits       map[string]*split `json:"splits"`
}

// split is one data set's division.
type split struct {
	Task  string `json:"task"`
	Rows  int    `json:"rows"`
	Train []int  `json:"train"`
	Test  []int  `json:"test"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "splits:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("splits", flag.ContinueOnError)
	specs := fs.String("data", "", "comma-separated builtin:NAME specs (default: builtin:"+strings.Join(csvBuiltins, ", builtin:")+")")
	seed := fs.Uint64("seed", 0, "the seed given to nabla train --seed")
	out := fs.String("o", "", "write the JSON to this file (atomically) instead of stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var list []string
	if *specs == "" {
		for _, n := range csvBuiltins {
			list = append(list, "builtin:"+n)
		}
	} else {
		for _, s := range strings.Split(*specs, ",") {
			list = append(list, strings.TrimSpace(s))
		}
	}
	doc := output{Seed: *seed, TestFraction: testFraction, Splits: map[string]*split{}}
	for _, spec := range list {
		s, err := splitRows(spec, *seed)
		if err != nil {
			return err
		}
		doc.Splits[spec] = s
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	return atomicfile.Write(*out, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// load reads a built-in as cmd/nabla's loadData does.
func load(spec string) (*data.Dataset, error) {
	name, ok := strings.CutPrefix(spec, "builtin:")
	if !ok {
		return nil, fmt.Errorf("%q: write builtin:NAME", spec)
	}
	if !slices.Contains(data.BuiltinNames(), name) {
		_, err := data.Builtin(name) // for its message listing the names
		return nil, err
	}
	if strings.HasPrefix(name, "fashion-mnist") {
		return data.Builtin(name)
	}
	b, err := data.BuiltinCSV(name)
	if err != nil {
		return nil, err
	}
	return data.LoadCSV(bytes.NewReader(b), spec, data.CSVOptions{})
}

// splitRows loads spec and splits it as nabla train --seed seed does.
func splitRows(spec string, seed uint64) (*split, error) {
	ds, err := load(spec)
	if err != nil {
		return nil, err
	}
	s, err := data.SplitAuto(ds, data.Fractions{Test: testFraction}, seed)
	if err != nil {
		return nil, err
	}
	return &split{Task: ds.Task.String(), Rows: ds.Len(), Train: s.TrainIndex, Test: s.TestIndex}, nil
}
