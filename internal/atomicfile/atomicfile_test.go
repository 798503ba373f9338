package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// failingWriter passes n bytes on, then fails.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return w.n, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

// names lists the files in dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.bin")
	if err := os.WriteFile(path, []byte("previous content"), 0o644); err != nil {
		t.Fatal(err)
	}

	// A failure in the middle of writing, after part of the data is on disk:
	// the writer's error, the old content, no temporary file.
	err := Write(path, func(w io.Writer) error {
		_, err := io.MultiWriter(w, &failingWriter{n: 5}).Write([]byte("new content"))
		return err
	})
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("got %v, want the writer's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "previous content" {
		t.Errorf("existing file changed to %q", got)
	}
	if n := names(t, dir); !slices.Equal(n, []string{"model.bin"}) {
		t.Errorf("files left: %v", n)
	}

	// A failure when there is no existing file leaves no file at all.
	fresh := filepath.Join(dir, "new.bin")
	if err := Write(fresh, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return errors.New("boom")
	}); err == nil {
		t.Fatal("Write ignored the error")
	}
	if n := names(t, dir); !slices.Equal(n, []string{"model.bin"}) {
		t.Errorf("files left: %v", n)
	}

	// Success replaces the content, with mode 0644.
	if err := Write(path, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if !bytes.Equal(got, []byte("new")) || fi.Mode().Perm() != 0o644 {
		t.Errorf("content %q, mode %v", got, fi.Mode().Perm())
	}

	// A directory that does not exist fails before write runs.
	ran := false
	if err := Write(filepath.Join(dir, "missing", "x"), func(io.Writer) error { ran = true; return nil }); err == nil || ran {
		t.Errorf("missing directory: error %v, write ran %v", err, ran)
	}
}
