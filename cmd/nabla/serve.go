package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/nabla-go/nabla/playground"
)

func newServeCmd() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080]",
		Short: "Run the web playground: contours, gradient fields, optimiser paths and a small network training live",
		Long: `serve starts nabla's playground, a page in the browser backed by nabla's
engine through a JSON API. Everything it needs is inside the binary, so it
works offline. In the function view, type a function of x and y, see its
contours and gradient field, click a point for its gradient, a directional
derivative and the Hessian's verdict, and race optimisers from it. In the
network view, train a small MLP on toy 2-D data and watch its decision
boundary, loss and per-layer gradient norms.

It listens on 127.0.0.1 (this machine only) unless --addr says otherwise;
every request is bounded in size, work and time. Stop it with Ctrl-C.`,
		Example: `  nabla serve
  nabla serve --addr 127.0.0.1:9000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), addr)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "the address to listen on, host:port")
	return cmd
}

// runServe serves the playground on addr until ctx is done, then shuts down
// gracefully.
func runServe(ctx context.Context, stdout, stderr io.Writer, addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usagef("--addr %q: write host:port, e.g. 127.0.0.1:8080", addr)
	}
	if !playground.IsLoopback(addr) {
		fmt.Fprintf(stderr, "warning: %s is reachable from other machines; the playground has no authentication (use 127.0.0.1 to keep it local)\n", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := playground.NewHTTPServer(addr, playground.New(playground.Limits{}))
	fmt.Fprintf(stdout, "nabla playground on http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
