// Package diagnose looks at gradients to say what is wrong with a model or a
// function, and where:
//
//   - Monitor watches a training run of train.Fit through its OnBatch hook and
//     records, per layer, gradient norms, weight norms, update-to-weight
//     ratios, dead ReLU units, saturated sigmoid/tanh units and NaN/Inf counts;
//     from those series it reports Findings ("vanishing", "exploding",
//     "dead-relu", "saturation", "lr-too-high", "lr-too-low", "plateau",
//     "nan"), each with the evidence in numbers and the remedies that apply.
//   - Classify tells a stationary point of f: Rⁿ → R apart (minimum, maximum,
//     saddle, flat) from the eigenvalues of its exact Hessian, and NearSaddles
//     finds where an optimiser's path passed close to a saddle.
//   - FeatureImportance ranks the input features of a trained model by the
//     mean size of ∂output/∂xⱼ (saliency) and of gradient × input.
//   - AnomalyScores ranks the examples of a data set by the norm of their loss
//     gradient: examples the model finds surprising pull hardest on it.
//
// Everything is float64 and deterministic: the same model, data and options
// give the same numbers. The thresholds are fields of Options with documented
// defaults; each default is explained where it is declared.
package diagnose
