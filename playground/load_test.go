package playground

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Many clients hammer a real server on loopback for a bounded time with a
// mix of requests, some of them heavy and some bad. The server must keep
// answering: 200 for good requests, 400 for the bad one, 503 when busy, and
// nothing else, no dropped connections; and the heap in use afterwards must
// stay bounded (no goroutine or buffer leaks).
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	const (
		clients  = 32
		duration = 2500 * time.Millisecond
	)
	s := New(Limits{MaxConcurrent: 4, QueueWait: 50 * time.Millisecond, Timeout: 5 * time.Second})
	ts := httptest.NewServer(s)
	defer ts.Close()
	requests := []struct {
		path, body string
		want       int // the status a good answer has
	}{
		{"/api/surface", `{"expr":"(1-x)^2 + 100*(y-x^2)^2","n":150,"field":30}`, 200},
		{"/api/point", `{"expr":"sin(x)*cos(y) + x^2","x":0.3,"y":-1,"dir":[1,2]}`, 200},
		{"/api/optimize", `{"expr":"(x^2+y-11)^2 + (x+y^2-7)^2","start":[0,0],"steps":1000,"runs":[{"name":"adam","lr":0.1},{"name":"momentum","lr":0.001},{"name":"rmsprop","lr":0.01}]}`, 200},
		{"/api/train", `{"dataset":"spirals","points":150,"depth":2,"width":16,"epochs":100,"every":10,"grid":30}`, 200},
		{"/api/surface", `{"expr":"x^2 +* y"}`, 400},
	}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutinesBefore := runtime.NumGoroutine()

	var ok, busy, bad, wrong, failed atomic.Int64
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; time.Now().Before(deadline); i++ {
				r := requests[i%len(requests)]
				res, err := client.Post(ts.URL+r.path, "application/json", strings.NewReader(r.body))
				if err != nil {
					failed.Add(1)
					t.Errorf("request failed: %v", err)
					return
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				switch {
				case res.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(body), `"error"`):
					busy.Add(1)
				case res.StatusCode == r.want && r.want == 200:
					ok.Add(1)
				case res.StatusCode == r.want:
					bad.Add(1)
				default:
					wrong.Add(1)
					t.Errorf("%s: status %d: %.200s", r.path, res.StatusCode, body)
				}
			}
		}()
	}
	wg.Wait()
	client.CloseIdleConnections()

	// Still answering.
	res, err := http.Post(ts.URL+"/api/point", "application/json", strings.NewReader(`{"expr":"x*y","x":1,"y":2}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("after the load: %v %v", res, err)
	}
	res.Body.Close()

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	total := ok.Load() + busy.Load() + bad.Load()
	t.Logf("%d clients for %v: %d answers (%.0f/s): %d ok, %d busy (503), %d bad input (400); heap in use %.1f MB before, %.1f MB after; goroutines %d before, %d after",
		clients, duration, total, float64(total)/duration.Seconds(), ok.Load(), busy.Load(), bad.Load(),
		float64(before.HeapInuse)/1e6, float64(after.HeapInuse)/1e6, goroutinesBefore, runtime.NumGoroutine())
	if ok.Load() == 0 || bad.Load() == 0 || wrong.Load() != 0 || failed.Load() != 0 {
		t.Errorf("ok %d, bad %d, wrong %d, failed %d", ok.Load(), bad.Load(), wrong.Load(), failed.Load())
	}
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 64<<20 {
		t.Errorf("heap in use grew by %.1f MB under load", float64(grown)/1e6)
	}
}
