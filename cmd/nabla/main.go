// Command nabla computes, checks and explains gradients.
//
//	nabla demo    gradients computed three ways (reverse mode, forward mode,
//	              finite differences) on textbook functions and a small network
//
// Run `nabla help` for every command.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "nabla:", err)
		os.Exit(1)
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
	root.AddCommand(newDemoCmd())
	return root
}
