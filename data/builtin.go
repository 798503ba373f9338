package data

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nabla-go/nabla/internal/textdist"
)

// The CSV files come from scikit-learn's bundled copies of the UCI data sets;
// builtin/SOURCES.md gives their origins and licences.
//
//go:embed builtin/*.csv
var builtinFS embed.FS

// builtinTasks lists the embedded data sets and how their targets are read.
var builtinTasks = map[string]Task{
	"iris":          Classify,
	"digits":        Classify,
	"breast_cancer": Classify,
	"wine":          Classify,
	"diabetes":      Regress,
}

// FashionMNISTDir is where the Debian package dataset-fashion-mnist installs
// its idx files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// BuiltinNames lists the names Builtin accepts.
func BuiltinNames() []string {
	return []string{"iris", "digits", "breast_cancer", "wine", "diabetes", "fashion-mnist", "fashion-mnist-test"}
}

// BuiltinCSV returns the raw embedded CSV text of a built-in data set (not
// fashion-mnist, which is read from disk).
func BuiltinCSV(name string) ([]byte, error) {
	if _, ok := builtinTasks[name]; !ok {
		return nil, unknownBuiltin(name)
	}
	return fs.ReadFile(builtinFS, "builtin/"+name+".csv")
}

// Builtin returns a data set shipped with nabla:
//
//	iris           150 × 4,    3 classes
//	wine           178 × 13,   3 classes
//	breast_cancer  569 × 30,   2 classes (0 = malignant, 1 = benign)
//	digits         1797 × 64,  10 classes (8×8 pixels, values 0–16)
//	diabetes       442 × 10,   regression (disease progression)
//	fashion-mnist       60000 × 784, 10 classes (training set)
//	fashion-mnist-test  10000 × 784, 10 classes (test set)
//
// The first five are embedded in the binary. The Fashion-MNIST sets are read
// from FashionMNISTDir and need `apt-get install dataset-fashion-mnist`; their
// pixels are 0–255 as float64, so the training set takes about 376 MB.
func Builtin(name string) (*Dataset, error) {
	switch name {
	case "fashion-mnist", "fashion-mnist-train":
		return FashionMNIST(FashionMNISTDir, "train")
	case "fashion-mnist-test":
		return FashionMNIST(FashionMNISTDir, "test")
	}
	task, ok := builtinTasks[name]
	if !ok {
		return nil, unknownBuiltin(name)
	}
	b, err := fs.ReadFile(builtinFS, "builtin/"+name+".csv")
	if err != nil {
		return nil, err
	}
	return LoadCSV(bytes.NewReader(b), "builtin:"+name, CSVOptions{Target: "target", Task: task})
}

func unknownBuiltin(name string) error {
	msg := fmt.Sprintf("unknown built-in data set %q; the built-in data sets are: %s", name, strings.Join(BuiltinNames(), ", "))
	if c := textdist.Closest(name, BuiltinNames(), 4); c != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", c)
	}
	return errors.New(msg)
}

// FashionMNISTClasses names the ten Fashion-MNIST classes, by label.
var FashionMNISTClasses = []string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

// FashionMNIST reads the "train" or "test" part of Fashion-MNIST from the idx
// files in dir (gzip-compressed or not), e.g. train-images-idx3-ubyte.gz and
// train-labels-idx1-ubyte.gz. The Classes are FashionMNISTClasses.
func FashionMNIST(dir, part string) (*Dataset, error) {
	prefix := map[string]string{"train": "train", "test": "t10k"}[part]
	if prefix == "" {
		return nil, fmt.Errorf("data.FashionMNIST: part %q: want \"train\" or \"test\"", part)
	}
	find := func(kind string) (string, error) {
		base := filepath.Join(dir, prefix+"-"+kind)
		for _, p := range []string{base + ".gz", base} {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		return "", fmt.Errorf("fashion-mnist: %s(.gz) not found; install it with `apt-get install dataset-fashion-mnist`", base)
	}
	imgPath, err := find("images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	lblPath, err := find("labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	ds, err := LoadIDXFiles(imgPath, lblPath)
	if err != nil {
		return nil, err
	}
	ds.Name = "builtin:fashion-mnist-" + part
	if len(ds.Classes) == len(FashionMNISTClasses) {
		ds.Classes = append([]string(nil), FashionMNISTClasses...)
	}
	return ds, nil
}
