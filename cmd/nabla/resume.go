package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/pflag"

	"github.com/nabla-go/nabla/train"
)

// unrecorded are train's flags that a checkpoint does not record: what is
// reported and where the output goes, and how many epochs in all (a resumed
// run asks for more).
var unrecorded = []string{"save", "resume", "json", "help", "epochs", "plot", "plot-grads", "diagnose"}

// hyperFlags are the optimiser flags whose zero value means "the
// optimiser's default" unless given (see minimizeFlags.value), so they are
// recorded only when given.
var hyperFlags = func() []string {
	f := pflag.NewFlagSet("", pflag.ContinueOnError)
	new(minimizeFlags).addHyperFlags(f)
	var names []string
	f.VisitAll(func(fl *pflag.Flag) { names = append(names, fl.Name) })
	return names
}()

// recordFlags returns the flags that define a training run, for the
// checkpoint: every flag's value (defaults included, so a later change of
// a default cannot change a resumed run) except the unrecorded ones and the
// optimiser hyperparameters that were not given.
func recordFlags(f *pflag.FlagSet) map[string]string {
	rec := map[string]string{}
	f.VisitAll(func(fl *pflag.Flag) {
		if slices.Contains(unrecorded, fl.Name) || (slices.Contains(hyperFlags, fl.Name) && !fl.Changed) {
			return
		}
		rec[fl.Name] = fl.Value.String()
	})
	return rec
}

// resumeFlags loads the checkpoint of --resume and sets every flag it
// records that the command line does not give. A flag given with another
// value than the checkpoint's is an error: resuming continues the same run
// (same data, split, model, optimiser and batches); only --epochs (the new
// total) and the reporting flags (--save, --json, --plot, --plot-grads,
// --diagnose) may be chosen afresh.
func resumeFlags(path string, f *pflag.FlagSet) (*train.Checkpoint, error) {
	ck, err := train.Load(path)
	if err != nil {
		return nil, err
	}
	if ck.Meta.Flags == nil {
		return nil, fmt.Errorf("--resume %s: the checkpoint records no training flags (it was not saved by nabla train), so the run cannot be continued", path)
	}
	if ck.Meta.OptimizerState == nil {
		return nil, fmt.Errorf("--resume %s: the checkpoint holds no optimiser state, so the run cannot be continued exactly", path)
	}
	var errs []error
	f.VisitAll(func(fl *pflag.Flag) {
		if slices.Contains(unrecorded, fl.Name) {
			return
		}
		saved, ok := ck.Meta.Flags[fl.Name]
		switch {
		case fl.Changed && (!ok || saved != fl.Value.String()):
			was := "not given"
			if ok {
				was = "--" + fl.Name + " " + saved
			}
			errs = append(errs, fmt.Errorf("--%s %s differs from the checkpoint's run (%s)", fl.Name, fl.Value, was))
		case !fl.Changed && ok:
			if err := f.Set(fl.Name, saved); err != nil {
				errs = append(errs, fmt.Errorf("--resume %s: the recorded --%s %q: %w", path, fl.Name, saved, err))
			}
		}
	})
	for name := range ck.Meta.Flags {
		if f.Lookup(name) == nil {
			errs = append(errs, fmt.Errorf("--resume %s: the checkpoint records a flag --%s that this nabla does not know", path, name))
		}
	}
	if len(errs) > 0 {
		return nil, usagef("%w\nresuming continues the same run: drop those flags (only --epochs, --save, --json, --plot, --plot-grads and --diagnose may change), or train afresh without --resume", errors.Join(errs...))
	}
	return ck, nil
}
