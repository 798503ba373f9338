package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve listens on a free loopback port, prints its URL, answers the API,
// and shuts down cleanly when its context ends.
func TestServe(t *testing.T) {
	var stdout, stderr lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, &stdout, &stderr, "127.0.0.1:0") }()
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	deadline := time.Now().Add(10 * time.Second)
	for url.FindString(stdout.String()) == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed: %q %q", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	res, err := http.Get(url.FindString(stdout.String()) + "api/info")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /api/info: %v %v", res, err)
	}
	res.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if stderr.String() != "" {
		t.Errorf("a loopback address should not warn: %q", stderr.String())
	}
}

// A non-loopback address is warned about before listening (192.0.2.1 is a
// documentation address, so the listen itself fails and nothing is exposed).
func TestServeWarnsOffLoopback(t *testing.T) {
	var stdout, stderr lockedBuffer
	err := runServe(context.Background(), &stdout, &stderr, "192.0.2.1:0")
	if err == nil || !strings.Contains(stderr.String(), "warning: 192.0.2.1:0 is reachable from other machines") {
		t.Errorf("err %v, stderr %q", err, stderr.String())
	}
	if _, err := run("serve", "--addr", "8080"); err == nil || !strings.Contains(err.Error(), "host:port") {
		t.Errorf("--addr 8080: %v", err)
	}
}
