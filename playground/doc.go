// Package playground is nabla's local web playground (nabla serve): a page
// in the browser where a person types a function of x and y and sees its
// contours, its gradient field, the gradient, directional derivative and
// Hessian at a point, and the paths of several optimisers racing downhill; and
// where a small MLP trains on 2-D toy data while its decision boundary, loss
// curve and per-layer gradient norms evolve.
//
// # Architecture: a JSON API, not WebAssembly
//
// Every number on the page comes from nabla's Go engine through a small JSON
// API that the page calls (see Server for the endpoints). The alternative,
// compiling the engine to WebAssembly and running it in the page, was
// rejected because:
//
//   - the page stays small (three hand-written files, tens of kilobytes),
//     where a Go WebAssembly binary of the engine weighs several megabytes
//     and would have to be rebuilt and embedded with every change;
//   - the numbers are computed by exactly the code the CLI and library run,
//     natively, in float64, with the same error messages;
//   - every endpoint can be tested with net/http/httptest, no browser needed,
//     and the engine needs no js/wasm build tags;
//   - the server is local (127.0.0.1 by default), so the round trip costs
//     well under a millisecond.
//
// The price is that the playground needs its server running; nabla serve is
// that server, with all assets embedded (go:embed), so it works offline.
//
// # Safe to leave running
//
// The handlers assume hostile input. Limits (see Limits) bound the length of
// an expression, the grid sizes, the optimiser steps, the training epochs and
// the size of a request body; every request runs under a deadline; a
// semaphore bounds the computations running at once (a request that finds it
// full is answered 503 with a JSON error); a panic in a handler is recovered
// and answered 500. Bad input (an expression that does not parse, with the
// column of the error; an unknown optimiser; a function that is undefined at
// the chosen point) is answered 400 with a JSON body {"error": "…"} that the
// page shows.
package playground
