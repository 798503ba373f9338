package playground

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"time"
)

//go:embed static
var staticFiles embed.FS

// Limits bound the work one request may ask for. The zero value of each
// field means its default, listed beside it.
type Limits struct {
	MaxExprLen    int           // characters of an expression; default 500
	MaxGrid       int           // points per side of a value or probability grid; default 200
	MaxField      int           // points per side of the gradient field; default 40
	MaxSteps      int           // optimiser steps per run; default 5000
	MaxRuns       int           // optimisers run side by side; default 10 (all the page offers)
	MaxEpochs     int           // training epochs; default 2000
	MaxSnapshots  int           // training snapshots returned; default 200
	MaxPoints     int           // training examples; default 1000
	MaxLayers     int           // hidden layers; default 6
	MaxWidth      int           // units per hidden layer; default 64
	MaxTrainWork  float64       // epochs × examples × parameters (≈ 5 s of training); default 1.5e9
	MaxBody       int64         // bytes of a request body; default 64 KiB
	Timeout       time.Duration // time one request may compute for; default 10 s
	MaxConcurrent int           // computations at once; default GOMAXPROCS (at least 2)
	QueueWait     time.Duration // how long a request waits for a free slot before 503; default 200 ms
}

// withDefaults fills the unset fields.
func (l Limits) withDefaults() Limits {
	setInt := func(p *int, def int) {
		if *p <= 0 {
			*p = def
		}
	}
	setInt(&l.MaxExprLen, 500)
	setInt(&l.MaxGrid, 200)
	setInt(&l.MaxField, 40)
	setInt(&l.MaxSteps, 5000)
	setInt(&l.MaxRuns, 10)
	setInt(&l.MaxEpochs, 2000)
	setInt(&l.MaxSnapshots, 200)
	setInt(&l.MaxPoints, 1000)
	setInt(&l.MaxLayers, 6)
	setInt(&l.MaxWidth, 64)
	setInt(&l.MaxConcurrent, max(runtime.GOMAXPROCS(0), 2))
	if l.MaxTrainWork <= 0 {
		l.MaxTrainWork = 1.5e9
	}
	if l.MaxBody <= 0 {
		l.MaxBody = 64 << 10
	}
	if l.Timeout <= 0 {
		l.Timeout = 10 * time.Second
	}
	if l.QueueWait <= 0 {
		l.QueueWait = 200 * time.Millisecond
	}
	return l
}

// Server is the playground: the embedded page and its JSON API.
//
//	GET  /                 the page (index.html, app.js, style.css)
//	GET  /api/info         optimisers, activations, initialisations, data sets and the limits
//	POST /api/surface      f on a grid over a box, contour levels, ∇f on a coarser grid
//	POST /api/point        f, ∇f, a directional derivative and the Hessian's verdict at a point
//	POST /api/optimize     the paths and losses of several optimisers from one start
//	POST /api/train        an MLP trained on toy data: snapshots of its decision boundary,
//	                       the loss curve and per-layer gradient norms
//
// Errors are answered with a JSON object {"error": "…"}: 400 for bad input,
// 413 for a body over Limits.MaxBody, 503 when the server is busy or a
// computation overran Limits.Timeout, 500 for a recovered panic.
type Server struct {
	limits Limits
	sem    chan struct{}
	mux    *http.ServeMux
	// ErrorLog receives recovered panics; nil logs to the standard logger.
	ErrorLog *log.Logger
}

// New returns a playground server with the given limits (zero fields take
// their defaults).
func New(limits Limits) *Server {
	s := &Server{limits: limits.withDefaults(), mux: http.NewServeMux()}
	s.sem = make(chan struct{}, s.limits.MaxConcurrent)
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic("playground: embedded static files missing: " + err.Error())
	}
	s.mux.Handle("GET /", s.recovering(http.FileServerFS(static)))
	s.mux.Handle("GET /api/info", s.recovering(http.HandlerFunc(s.info)))
	for path, h := range endpoints {
		s.mux.Handle("POST "+path, s.compute(h))
	}
	s.mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := endpoints[r.URL.Path]; ok {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, &httpError{status: http.StatusMethodNotAllowed, msg: r.URL.Path + " takes a POST request with a JSON body"})
			return
		}
		writeError(w, &httpError{status: http.StatusNotFound, msg: "no such endpoint: " + r.URL.Path})
	})
	return s
}

// endpoints are the computations of the JSON API, answered to POST.
var endpoints = map[string]computeFunc{
	"/api/surface":  surfaceHandler,
	"/api/point":    pointHandler,
	"/api/optimize": optimizeHandler,
	"/api/train":    trainHandler,
}

// Limits returns the limits in force (defaults filled in).
func (s *Server) Limits() Limits { return s.limits }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// httpError is an error with the status code to answer it with.
type httpError struct {
	status int
	msg    string
	column int // for an expression that does not parse, the 1-based column of the error
}

func (e *httpError) Error() string { return e.msg }

// badRequest returns a 400 error with a formatted message.
func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// errBusy is answered when no computation slot frees up in time.
var errBusy = &httpError{status: http.StatusServiceUnavailable, msg: "the playground is busy with other requests; try again in a moment"}

// computeFunc answers one decoded request within ctx; req is the raw body.
type computeFunc func(ctx context.Context, lim Limits, body []byte) (any, error)

// compute wraps a computation: panics recovered, the body read with a size
// limit, a slot of the semaphore taken (or 503), a deadline set, and the
// result or error written as JSON.
func (s *Server) compute(f computeFunc) http.Handler {
	return s.recovering(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.limits.MaxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("the request body is over the limit of %d bytes", tooBig.Limit)})
				return
			}
			writeError(w, badRequest("reading the request: %v", err))
			return
		}
		wait := time.NewTimer(s.limits.QueueWait)
		defer wait.Stop()
		select {
		case s.sem <- struct{}{}:
		case <-wait.C:
			writeError(w, errBusy)
			return
		case <-r.Context().Done():
			return
		}
		defer func() { <-s.sem }()
		ctx, cancel := context.WithTimeout(r.Context(), s.limits.Timeout)
		defer cancel()
		out, err := f(ctx, s.limits, body)
		if err == nil {
			err = ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = &httpError{status: http.StatusServiceUnavailable, msg: fmt.Sprintf("the computation took longer than %v and was stopped; ask for fewer steps, epochs or grid points", s.limits.Timeout)}
		}
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}))
}

// recovering answers a panic in h with a 500 JSON error instead of dropping
// the connection, and logs it.
func (s *Server) recovering(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logf := log.Printf
				if s.ErrorLog != nil {
					logf = s.ErrorLog.Printf
				}
				logf("playground: panic serving %s %s: %v", r.Method, r.URL.Path, v)
				writeError(w, &httpError{status: http.StatusInternalServerError, msg: fmt.Sprintf("internal error: %v", v)})
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// decode reads a JSON request body into v, refusing unknown fields so that
// a misspelt setting is reported rather than ignored.
func decode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the request is not valid JSON for this endpoint: %v", err)
	}
	if dec.More() {
		return badRequest("the request has data after its JSON object")
	}
	return nil
}

// errorBody is the JSON form of every error.
type errorBody struct {
	Error  string `json:"error"`
	Column int    `json:"column,omitempty"` // where an expression failed to parse, 1-based
}

func writeError(w http.ResponseWriter, err error) {
	status, column := http.StatusBadRequest, 0
	var he *httpError
	if errors.As(err, &he) {
		status, column = he.status, he.column
	}
	writeJSON(w, status, errorBody{Error: err.Error(), Column: column})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error: the answer could not be encoded"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Floats is a slice of numbers that encodes NaN and ±Inf as JSON null (a
// point where a function is undefined) and others in full precision (the
// shortest decimal that reads back to the same float64).
type Floats []float64

// MarshalJSON implements json.Marshaler.
func (fs Floats) MarshalJSON() ([]byte, error) { return appendList(nil, fs, 'g', -1), nil }

// Grid is Floats for pictures: values on a grid, with 7 significant digits
// to keep a large grid's answer small.
type Grid []float64

// MarshalJSON implements json.Marshaler.
func (g Grid) MarshalJSON() ([]byte, error) { return appendList(nil, g, 'g', 7), nil }

// Probs are probabilities, encoded with 3 decimals to keep the answer small;
// NaN is null.
type Probs []float64

// MarshalJSON implements json.Marshaler.
func (ps Probs) MarshalJSON() ([]byte, error) { return appendList(nil, ps, 'f', 3), nil }

// Float is a number that encodes NaN and ±Inf as JSON null, others in full
// precision.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) { return appendNumber(nil, float64(f), 'g', -1), nil }

// appendList appends vs as a JSON array, each number formatted by
// strconv.AppendFloat(…, format, prec, 64) and NaN and ±Inf as null.
func appendList(b []byte, vs []float64, format byte, prec int) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNumber(b, v, format, prec)
	}
	return append(b, ']')
}

func appendNumber(b []byte, v float64, format byte, prec int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, format, prec, 64)
}

// IsLoopback reports whether addr (host:port) only listens on the loopback
// interface: 127.0.0.0/8, ::1 or "localhost". An empty host (all
// interfaces) is not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewHTTPServer returns an http.Server for s on addr with timeouts that
// suit the playground: a slow client cannot hold a connection open for
// long, and a response has time for a computation of Limits.Timeout.
func NewHTTPServer(addr string, s *Server) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      s.limits.Timeout + 20*time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
}

// info answers GET /api/info: the choices the page offers and the limits.
func (s *Server) info(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"optimizers":  optimizerNames(),
		"activations": activationNames,
		"inits":       initNames,
		"datasets":    datasetNames,
		"limits": map[string]any{
			"expr_len": s.limits.MaxExprLen, "grid": s.limits.MaxGrid, "field": s.limits.MaxField,
			"steps": s.limits.MaxSteps, "runs": s.limits.MaxRuns, "epochs": s.limits.MaxEpochs,
			"snapshots": s.limits.MaxSnapshots, "points": s.limits.MaxPoints,
			"layers": s.limits.MaxLayers, "width": s.limits.MaxWidth,
			"body_bytes": s.limits.MaxBody, "timeout_seconds": s.limits.Timeout.Seconds(),
			"concurrent": s.limits.MaxConcurrent,
		},
	})
}
