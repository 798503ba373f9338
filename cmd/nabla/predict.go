package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/train"
)

func newPredictCmd() *cobra.Command {
	var modelPath, dataSpec string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "predict --model FILE --data PATH",
		Short: "Predict with a model saved by nabla train",
		Long: `predict loads a checkpoint written by nabla train --save, applies its saved
scaler to the rows of a CSV file (or builtin:NAME) and prints, per row, the
predicted class with the class probabilities, or the predicted value.

Columns are matched by name, in any order; the file may lack the target
column (if it has it, the metrics are printed too) and may hold extra
columns, which are ignored.`,
		Example: `  nabla train --data builtin:iris --model softmax --save iris.safetensors
  nabla predict --model iris.safetensors --data new-flowers.csv --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPredict(cmd.OutOrStdout(), modelPath, dataSpec, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelPath, "model", "", "a checkpoint written by nabla train --save (required)")
	f.StringVar(&dataSpec, "data", "", "a CSV file with a header, or builtin:NAME (required)")
	f.BoolVar(&asJSON, "json", false, "print one JSON object instead of a table")
	_ = cmd.MarkFlagRequired("model")
	_ = cmd.MarkFlagRequired("data")
	return cmd
}

// predictOutput is the --json form of predict.
type predictOutput struct {
	Model       string         `json:"model"`
	Kind        string         `json:"kind"`
	Task        string         `json:"task"`
	Classes     []string       `json:"classes,omitempty"`
	Rows        int            `json:"rows"`
	Predictions []predictedRow `json:"predictions"`
	Metrics     *metricsOutput `json:"metrics,omitempty"`
}

// predictedRow is one row's prediction: Label (and Class, Probabilities or
// the SVM's Score) for classification, Value for regression.
type predictedRow struct {
	Label         string    `json:"label,omitempty"`
	Class         *int      `json:"class,omitempty"`
	Probabilities []float64 `json:"probabilities,omitempty"`
	Score         *float64  `json:"score,omitempty"`
	Value         *float64  `json:"value,omitempty"`
}

func runPredict(w io.Writer, modelPath, spec string, asJSON bool) error {
	ck, err := train.Load(modelPath)
	if err != nil {
		return err
	}
	a := ck.Meta.Arch
	x, target, err := readFeatures(spec, a.Features, a.Target)
	if err != nil {
		return err
	}
	p := predictRows(ck, ck.Meta.Scaling.Transform(x))
	out := predictOutput{Model: modelPath, Kind: a.Kind, Task: a.Task, Classes: a.Classes, Rows: x.Rows}
	for i := range x.Rows {
		var r predictedRow
		switch {
		case p.values != nil:
			r.Value = &p.values[i]
		default:
			c := p.classes[i]
			r.Class, r.Label = &c, a.Classes[c]
			if p.probs.Data != nil {
				r.Probabilities = p.probs.Row(i)
			} else {
				r.Score = &p.scores[i]
			}
		}
		out.Predictions = append(out.Predictions, r)
	}
	if target != nil {
		out.Metrics = targetMetrics(a, p, target)
	}
	if asJSON {
		return writeJSON(w, out)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if p.values != nil {
		fmt.Fprintln(tw, "row\tprediction")
	} else if p.probs.Data != nil {
		fmt.Fprintf(tw, "row\tprediction\tp(%s)\n", strings.Join(a.Classes, ")\tp("))
	} else {
		fmt.Fprintln(tw, "row\tprediction\tscore")
	}
	for i, r := range out.Predictions {
		switch {
		case r.Value != nil:
			fmt.Fprintf(tw, "%d\t%.6g\n", i+1, *r.Value)
		case r.Probabilities != nil:
			ps := make([]string, len(r.Probabilities))
			for j, v := range r.Probabilities {
				ps[j] = fmt.Sprintf("%.4f", v)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\n", i+1, r.Label, strings.Join(ps, "\t"))
		default:
			fmt.Fprintf(tw, "%d\t%s\t%.4f\n", i+1, r.Label, *r.Score)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if out.Metrics != nil {
		fmt.Fprintf(w, "against the %q column: %s\n", a.Target, out.Metrics)
	}
	return nil
}

// targetMetrics compares the predictions with the target column, or returns
// nil if a label is unknown to the model or a value is not a number.
func targetMetrics(a train.Arch, p prediction, target []string) *metricsOutput {
	var m metricsOutput
	if p.values != nil {
		y := make([]float64, len(target))
		for i, s := range target {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil
			}
			y[i] = v
		}
		m.MSE, m.R2 = finite(train.MSE(p.values, y)), finite(train.R2(p.values, y))
		return &m
	}
	labels := make([]int, len(target))
	for i, s := range target {
		j := slices.Index(a.Classes, strings.TrimSpace(s))
		if j < 0 {
			return nil
		}
		labels[i] = j
	}
	m.Accuracy = finite(train.Accuracy(p.classes, labels))
	if p.probs.Data != nil {
		m.LogLoss = finite(train.LogLoss(p.probs, labels))
	}
	return &m
}

// readFeatures reads the named feature columns (in that order) of a CSV file
// or builtin:NAME, and the target column as text if the file has it.
func readFeatures(spec string, features []string, targetName string) (data.Matrix, []string, error) {
	var src []byte
	var err error
	if name, ok := strings.CutPrefix(spec, "builtin:"); ok && strings.HasPrefix(name, "fashion-mnist") {
		return builtinImages(spec, features)
	} else if ok {
		if src, err = data.BuiltinCSV(name); err != nil {
			return data.Matrix{}, nil, usageError{err}
		}
	} else if src, err = os.ReadFile(spec); err != nil {
		return data.Matrix{}, nil, err
	}
	r := csv.NewReader(bytes.NewReader(src))
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		return data.Matrix{}, nil, fmt.Errorf("%s: reading the header: %w", spec, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	idx := make([]int, len(features))
	var missing []string
	for j, f := range features {
		i, ok := col[f]
		if !ok {
			missing = append(missing, f)
		}
		idx[j] = i
	}
	if len(missing) > 0 {
		return data.Matrix{}, nil, fmt.Errorf("%s lacks the feature columns %s that the model was trained on", spec, strings.Join(missing, ", "))
	}
	ti, hasTarget := col[targetName]
	hasTarget = hasTarget && targetName != ""
	var x []float64
	var target []string
	rows := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return data.Matrix{}, nil, fmt.Errorf("%s: %w", spec, err)
		}
		line, _ := r.FieldPos(0)
		for j, i := range idx {
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return data.Matrix{}, nil, fmt.Errorf("%s:%d: column %q: %q is not a finite number", spec, line, features[j], rec[i])
			}
			x = append(x, v)
		}
		if hasTarget {
			target = append(target, rec[ti])
		}
		rows++
	}
	if rows == 0 {
		return data.Matrix{}, nil, fmt.Errorf("%s has no data rows", spec)
	}
	return data.Matrix{Rows: rows, Cols: len(features), Data: x}, target, nil
}

// builtinImages reads a built-in image set (Fashion-MNIST) for a model
// trained on its pixels, and the labels as text.
func builtinImages(spec string, features []string) (data.Matrix, []string, error) {
	ds, err := loadData(spec, data.CSVOptions{})
	if err != nil {
		return data.Matrix{}, nil, err
	}
	if !slices.Equal(ds.FeatureNames, features) {
		return data.Matrix{}, nil, fmt.Errorf("%s has %d pixel columns; the model was trained on %d other features", spec, ds.NumFeatures(), len(features))
	}
	target := make([]string, ds.Len())
	for i, l := range ds.Labels {
		target[i] = ds.Classes[l]
	}
	return ds.X, target, nil
}
