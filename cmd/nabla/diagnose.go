package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/diagnose"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/train"
)

func newDiagnoseCmd() *cobra.Command {
	var modelPath, dataSpec string
	var top int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diagnose --model FILE --data PATH",
		Short: "Rank the features and the examples of a data set by the gradients of a trained model",
		Long: `diagnose loads a checkpoint written by nabla train --save and reads the rows of
a CSV file (or builtin:NAME) with the model's feature columns, scaled by the
saved scaler. It prints:

  feature importance: for each feature j, the mean over the rows of |∂y/∂xⱼ|
    (saliency; y is the predicted class's logit, or the single output) and of
    |∂y/∂xⱼ · xⱼ| (gradient × input), in scaled units, ranked by saliency;
  anomaly scores (when the file has the target column): for each row, the
    norm of the gradient of its own loss with respect to the parameters —
    large for rows the model fits badly: outliers, mislabelled examples —
    and with respect to the input, ranked by the first.

For the training-time diagnostics (vanishing or exploding gradients, dead
ReLUs, saturation, learning rate, plateaus) use nabla train --diagnose.`,
		Example: `  nabla train --data builtin:wine --model mlp --hidden 16 --save wine.safetensors
  nabla diagnose --model wine.safetensors --data builtin:wine --top 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if top < 1 {
				return usagef("--top %d: show at least 1 row", top)
			}
			return runDiagnose(cmd.OutOrStdout(), modelPath, dataSpec, top, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelPath, "model", "", "a checkpoint written by nabla train --save (required)")
	f.StringVar(&dataSpec, "data", "", "a CSV file with the model's feature columns, or builtin:NAME (required)")
	f.IntVar(&top, "top", 10, "how many features and rows to list")
	f.BoolVar(&asJSON, "json", false, "print one JSON object instead of tables")
	_ = cmd.MarkFlagRequired("model")
	_ = cmd.MarkFlagRequired("data")
	return cmd
}

// diagnoseOutput is the --json form of diagnose: every feature, and the
// top anomalies (rows counted from 1, as in the text form).
type diagnoseOutput struct {
	Model      string                `json:"model"`
	Data       string                `json:"data"`
	Rows       int                   `json:"rows"`
	Importance []diagnose.Importance `json:"importance"`
	Anomalies  []diagnose.Anomaly    `json:"anomalies,omitempty"`
	Note       string                `json:"note,omitempty"`
}

func runDiagnose(w io.Writer, modelPath, spec string, top int, asJSON bool) error {
	ck, err := train.Load(modelPath)
	if err != nil {
		return err
	}
	a := ck.Meta.Arch
	raw, target, err := readFeatures(spec, a.Features, a.Target)
	if err != nil {
		return err
	}
	x := ck.Meta.Scaling.Transform(raw)
	out := diagnoseOutput{Model: modelPath, Data: spec, Rows: x.Rows}
	if out.Importance, err = diagnose.FeatureImportance(ck.Model, x, a.Features); err != nil {
		return fmt.Errorf("%s: %w", spec, err)
	}
	if target == nil {
		out.Note = fmt.Sprintf("%s has no %q column, so there are no losses and no anomaly scores", spec, a.Target)
	} else {
		y, err := modelTargets(ck, target, spec)
		if err != nil {
			return err
		}
		ds := &data.Dataset{Name: spec, X: x, Y: y}
		all, err := diagnose.AnomalyScores(ck.Model, ck.Loss, ds)
		if err != nil {
			return fmt.Errorf("%s: %w", spec, err)
		}
		out.Anomalies = all[:min(top, len(all))]
		for i := range out.Anomalies {
			out.Anomalies[i].Row++ // data rows count from 1
		}
	}
	if asJSON {
		return writeJSON(w, out)
	}
	fmt.Fprintf(w, "feature importance of %s on %d rows of %s (gradients in scaled units)\n", modelPath, x.Rows, spec)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rank\tfeature\tmean |∂y/∂x|\tmean |∂y/∂x·x|")
	for i, im := range out.Importance[:min(top, len(out.Importance))] {
		fmt.Fprintf(tw, "%d\t%s\t%.4g\t%.4g\n", i+1, im.Feature, im.Saliency, im.GradInput)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if out.Note != "" {
		fmt.Fprintf(w, "\n%s\n", out.Note)
		return nil
	}
	fmt.Fprintf(w, "\nmost anomalous rows: the gradient of each row's own loss\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "row\t%s\t‖∇_θ loss‖\t‖∇_x loss‖\tloss\n", a.Target)
	for _, an := range out.Anomalies {
		fmt.Fprintf(tw, "%d\t%s\t%.4g\t%.4g\t%.4g\n", an.Row, strings.TrimSpace(target[an.Row-1]), an.ParamGradNorm, an.InputGradNorm, an.Loss)
	}
	return tw.Flush()
}

// modelTargets turns the target column's text into what the model's loss
// takes: the class index (±1 for svm), or the value standardised by the
// saved target scaler.
func modelTargets(ck *train.Checkpoint, target []string, spec string) ([]float64, error) {
	a := ck.Meta.Arch
	y := make([]float64, len(target))
	for i, s := range target {
		s = strings.TrimSpace(s)
		if a.Task == data.Classify.String() {
			c := -1
			for j, name := range a.Classes {
				if name == s {
					c = j
				}
			}
			if c < 0 {
				return nil, fmt.Errorf("%s: row %d has the class %q, which the model does not know (classes: %s)", spec, i+1, s, strings.Join(a.Classes, ", "))
			}
			y[i] = float64(c)
			if a.Kind == "svm" {
				y[i] = float64(2*c - 1)
			}
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: the target %q is not a number", spec, i+1, s)
		}
		y[i] = v
	}
	if t := ck.Meta.Scaling.Target; t != nil && a.Task != data.Classify.String() {
		y = t.Transform(data.Matrix{Rows: len(y), Cols: 1, Data: y}).Data
	}
	return y, nil
}

// saddleReport classifies the end of a minimisation path by the Hessian's
// eigenvalues and finds where the path passed near a saddle.
type saddleReport struct {
	End     diagnose.Point         `json:"end"`
	Saddles []diagnose.SaddleVisit `json:"saddles,omitempty"`
}

func newSaddleReport(f autodiff.Func[float64], r optim.Result) (*saddleReport, error) {
	end, err := diagnose.Classify(f, r.X)
	if err != nil {
		return nil, err
	}
	visits, err := diagnose.NearSaddles(f, r.Path, 0)
	if err != nil {
		return nil, err
	}
	return &saddleReport{End: end, Saddles: visits}, nil
}

// print writes the report in words.
func (s *saddleReport) print(w io.Writer, vars []string) {
	e := s.End
	fmt.Fprintf(w, "Hessian eigenvalues at the end: %s", formatFloats(e.Eigenvalues))
	switch {
	case e.Kind == diagnose.Flat:
		fmt.Fprintf(w, " (some are zero: the second-order test cannot tell what kind of point this is)\n")
	default:
		fmt.Fprintf(w, " → a %s", e.Kind)
		if e.GradNorm > 1e-6*max(1, math.Abs(e.Value)) {
			fmt.Fprintf(w, " of the local quadratic model, but |∇f| = %.3g is not yet near 0", e.GradNorm)
		}
		fmt.Fprintln(w)
	}
	for _, v := range s.Saddles {
		c := v.Closest
		fmt.Fprintf(w, "passed near a saddle at steps %d–%d: closest at step %d, %s, |∇f| = %.3g, eigenvalues %s\n",
			v.From, v.To, v.Index, pointText(vars, c.X), c.GradNorm, formatFloats(c.Eigenvalues))
	}
}

func formatFloats(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'g', 4, 64)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
