// Command nabla computes, checks and explains gradients.
//
//	nabla demo      gradients computed three ways (reverse mode, forward mode,
//	                finite differences) on textbook functions and a small network
//	nabla grad      value, gradient, directional derivative and Hessian of an expression
//	nabla tangent   derivatives and the tangent line of a function of one variable
//	nabla jacobian  the Jacobian of a vector-valued function
//	nabla diff      the symbolic derivative as text, LaTeX or Go
//	nabla minimize  gradient descent and its family on an expression
//	nabla serve     the web playground (contours, optimiser paths, a network training live)
//
// Run `nabla help` for every command.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "nabla:", err)
		os.Exit(exitCode(err))
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "nabla",
		Short: "Gradients for machine learning: compute, check, use and understand them",
		Long: `nabla computes gradients exactly (automatic differentiation, forward and
reverse mode, Hessians) and numerically (finite differences), checks one
against the other, and shows every number.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		if strings.Contains(err.Error(), "unknown shorthand flag") {
			point := "--at"
			if cmd.Name() == "minimize" {
				point = "--from"
			}
			return usagef("%v\nan expression that starts with a minus must come after --, e.g. nabla %s %s x=1 -- \"-x^2\"", err, cmd.Name(), point)
		}
		return usageError{err}
	})
	addProfileFlag(root)
	root.AddCommand(newDemoCmd(), newGradCmd(), newTangentCmd(), newJacobianCmd(), newDiffCmd(), newMinimizeCmd(), newTrainCmd(), newPredictCmd(), newDiagnoseCmd(), newPlotCmd(), newServeCmd())
	return root
}

// addProfileFlag gives every command a hidden --cpuprofile FILE that writes a
// CPU profile of the run for `go tool pprof` (see bench/README.md).
func addProfileFlag(root *cobra.Command) {
	var path string
	var f *os.File
	root.PersistentFlags().StringVar(&path, "cpuprofile", "", "write a CPU profile of the run to this file")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if path == "" {
			return nil
		}
		var err error
		if f, err = os.Create(path); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}
	root.PersistentPostRunE = func(*cobra.Command, []string) error {
		if f == nil {
			return nil
		}
		pprof.StopCPUProfile()
		return f.Close()
	}
}
