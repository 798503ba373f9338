package diagnose

import (
	"math"
	"testing"
	"time"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/train"
)

// BenchmarkMonitorOverhead trains the digits MLP (64 → 64 ReLU → 10, Adam,
// mini-batches of 32, 2 epochs) with and without a Monitor (default
// Options, 64 probe rows) and reports the monitored run's time as a ratio
// of the plain run's ("overhead-ratio"; the target is below 1.10). The two
// runs alternate and the ratio is of the fastest of each, which is robust to
// other work on the machine. "hook-share" is the time spent in the
// Monitor's hook over the rest of the monitored runs' time, a less noisy
// estimate of the same overhead.
func BenchmarkMonitorOverhead(b *testing.B) {
	ds := digits(b)
	var inHook, total time.Duration
	fit := func(monitored bool) time.Duration {
		model := nn.MLP[float64](64, []int{64}, 10, nil, false, 0, data.NewRand(1))
		cfg := train.Config{Epochs: 2, BatchSize: 32, Optimizer: adam(1e-3), Seed: 1}
		start := time.Now()
		if monitored {
			mon := NewMonitor(model, probe(ds, 64), Options{})
			mon.Attach(&cfg)
			hook := cfg.OnBatch
			cfg.OnBatch = func(bt train.Batch) {
				t := time.Now()
				hook(bt)
				inHook += time.Since(t)
			}
			_, err := train.Fit(model, nn.CrossEntropy[float64], ds, nil, cfg)
			mon.Finish(err)
		} else if _, err := train.Fit(model, nn.CrossEntropy[float64], ds, nil, cfg); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	plain, monitored := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for b.Loop() {
		plain = min(plain, fit(false))
		d := fit(true)
		monitored = min(monitored, d)
		total += d
	}
	b.ReportMetric(float64(inHook)/float64(total-inHook), "hook-share")
	b.ReportMetric(float64(monitored)/float64(plain), "overhead-ratio")
}
