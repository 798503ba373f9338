// Package plot draws the pictures of gradients: contour plots of f(x, y) with
// the gradient field and descent paths over them, a function of one variable
// with its tangent line, and line charts of plain series (loss curves,
// learning-rate schedules, per-layer gradient norms).
//
// Everything takes plain inputs — Go functions, slices and names — so the
// package knows nothing of expressions, optimisers or training; callers adapt
// their results (an optim.Result's Path, a train history) into Path and
// Series values. Drawing uses gonum.org/v1/plot; what it does not do well
// (filled bands between uneven levels, a colour bar labelled with those
// levels, normalised arrows with heads, equal axis scales) is done here.
//
// The output format follows the file name's extension: .svg or .png. Files
// are written atomically: to a temporary file in the same directory, then
// renamed, so a failed call leaves no partial file behind.
package plot
