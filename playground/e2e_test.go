package playground

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// findBrowser returns the path of a Chromium or Chrome binary, or "".
func findBrowser() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// The page in a real headless browser: it plots a typed expression, runs
// two optimisers whose paths and loss curves appear, shows the Hessian's
// verdict at the start point, reports a bad expression with the caret, and
// trains a network. Screenshots go to the test's temporary directory and to
// /tmp/playground.png and /tmp/playground-network.png for a person to look
// at.
func TestPageEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end browser test skipped in -short mode")
	}
	browser := findBrowser()
	if browser == "" {
		t.Skip("no Chromium found (looked for /usr/bin/chromium, chromium-browser, google-chrome); install it, e.g. apt-get install chromium, to run the end-to-end test")
	}
	ts := httptest.NewServer(New(Limits{}))
	defer ts.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.WindowSize(1440, 1000),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	// The first Run starts the browser and must not carry a timeout.
	if err := chromedp.Do(browserCtx, chromedp.Navigate(ts.URL)); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	ctx, cancel := context.WithTimeout(browserCtx, 90*time.Second)
	defer cancel()
	wait := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			t.Fatalf("waiting for %s (%s): %v", what, js, err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluating %s: %v", js, err)
		}
		return v
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+quoteJS(sel)+`).length`))
		if err != nil {
			t.Fatalf("counting %s: %v", sel, err)
		}
		return n
	}
	screenshot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		for _, p := range []string{filepath.Join(t.TempDir(), name), filepath.Join("/tmp", name)} {
			if err := os.WriteFile(p, png, 0o644); err != nil {
				t.Errorf("writing %s: %v", p, err)
			}
		}
		t.Logf("screenshot: /tmp/%s (%d bytes)", name, len(png))
	}

	wait("the page to start", `window.nabla && window.nabla.ready === true && window.nabla.surface !== null`)
	if n := count("#optimizers tbody tr"); n != len(pageOptimizers) {
		t.Errorf("%d optimiser rows, want %d", n, len(pageOptimizers))
	}

	// Type an expression and plot it.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#expr"), "x^2 + 4*y^2 + x*y"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#expr").dispatchEvent(new Event("input"))`),
		chromedp.Click(chromedp.CSS("#plot")),
	); err != nil {
		t.Fatal(err)
	}
	wait("the new surface", `window.nabla.surface.expr === "x^2 + 4*y^2 + x*y"`)
	if n := count("#overlay path.contour"); n < 5 {
		t.Errorf("%d contour paths", n)
	}
	if d := eval(`document.querySelector("#overlay path.field").getAttribute("d")`); len(d) < 1000 {
		t.Errorf("gradient field path has only %d characters", len(d))
	}

	// Exactly gd and adam: untick momentum (ticked by default).
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`for (const cb of document.querySelectorAll("#optimizers input[type=checkbox]")) cb.checked = ["gd", "adam"].includes(cb.id.slice(4))`),
		chromedp.SetValue(chromedp.CSS("#steps"), "150"),
		chromedp.Click(chromedp.CSS("#run")),
	); err != nil {
		t.Fatal(err)
	}
	wait("the animation to finish", `window.nabla.animDone === true`)
	if n := count("#overlay path.run"); n != 2 {
		t.Errorf("%d optimiser paths on the plot, want 2", n)
	}
	if n := count("#loss path.run"); n != 2 {
		t.Errorf("%d loss curves, want 2", n)
	}
	for _, sel := range []string{"#overlay path.run", "#loss path.run"} {
		if d := eval(`[...document.querySelectorAll("` + sel + `")].map(p => p.getAttribute("d")).join("|")`); strings.Count(d, "L") < 100 {
			t.Errorf("%s: the paths have too few points: %.200s", sel, d)
		}
	}
	if got := eval(`window.nabla.runs.map(r => r.name).join(",")`); got != "gd,adam" {
		t.Errorf("runs %q", got)
	}
	if legend := eval(`document.querySelector("#run-legend").textContent`); !strings.Contains(legend, "gd (lr") || !strings.Contains(legend, "adam (lr") {
		t.Errorf("legend %q", legend)
	}
	wait("the point analysis", `window.nabla.point !== null`)
	if p := eval(`document.querySelector("#preset").value`); p != "custom" {
		t.Errorf("typing an expression left the examples menu at %q", p)
	}
	if v := eval(`document.querySelector("#verdict").textContent`); !strings.Contains(v, "positive definite") {
		t.Errorf("verdict %q: x² + 4y² + xy has a positive definite Hessian everywhere", v)
	}
	// Press at the centre of the plot, (0, 1), and drag up and to the right:
	// the point moves there and the direction becomes (1, 1)/√2, along which
	// f = x² + 4y² + xy, with ∇f(0, 1) = (1, 8), has slope 9/√2.
	rect, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(r => [r.left, r.top, r.width])(document.querySelector("#overlay").getBoundingClientRect())`))
	if err != nil {
		t.Fatal(err)
	}
	cx, cy := rect[0]+rect[2]/2, rect[1]+rect[2]/2
	if err := chromedp.Do(ctx,
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, cx, cy, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, cx+40, cy-40, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, cx+80, cy-80, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, cx+80, cy-80, chromedp.ButtonLeft),
	); err != nil {
		t.Fatal(err)
	}
	wait("the point after the drag", `window.nabla.point !== null && Math.abs(window.nabla.point.y - 1) < 0.05 && window.nabla.point.dir[1] > 0.5`)
	if got := eval(`(p => [p.x, p.y, p.dir[0], p.dir[1], p.directional].map(v => v.toFixed(2)).join(" "))(window.nabla.point)`); got != "0.00 1.00 0.71 0.71 6.36" {
		t.Errorf("after the drag: x y û D_û f = %s, want 0.00 1.00 0.71 0.71 6.36", got)
	}
	if row := eval(`document.querySelector("#point-info").textContent`); !strings.Contains(row, "D_û f") {
		t.Errorf("point table %q", row)
	}
	screenshot("playground.png")

	// A bad expression: the error with its caret is shown, nothing crashes.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#expr"), "x^2 + * y"),
		chromedp.Click(chromedp.CSS("#plot")),
	); err != nil {
		t.Fatal(err)
	}
	wait("the error", `window.nabla.error !== ""`)
	msg := eval(`document.querySelector("#fn-error").textContent`)
	if hidden := eval(`String(document.querySelector("#fn-error").hidden)`); hidden != "false" || !strings.Contains(msg, "column 7") || !strings.Contains(msg, "^") {
		t.Errorf("error box hidden=%s with %q", hidden, msg)
	}
	screenshot("playground-error.png")

	// The network view: train, and the boundary, loss and gradient norms appear.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#tab-network")),
		chromedp.SetValue(chromedp.CSS("#nn-epochs"), "200"),
		chromedp.Click(chromedp.CSS("#train")),
	); err != nil {
		t.Fatal(err)
	}
	wait("training to play through", `window.nabla.train !== null && window.nabla.trainShown === window.nabla.train.snapshots.length - 1`)
	if n := count("#nn-loss path.run"); n != 1 {
		t.Errorf("%d training loss curves", n)
	}
	if n := count("#nn-grads path.run"); n != 3 {
		t.Errorf("%d gradient-norm curves, want one per layer (3)", n)
	}
	if acc := eval(`String(window.nabla.train.snapshots.at(-1).accuracy)`); acc < "0.9" {
		t.Errorf("final accuracy %s", acc)
	}
	screenshot("playground-network.png")
}

// quoteJS returns s as a JavaScript string literal.
func quoteJS(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
