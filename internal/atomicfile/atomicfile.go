// Package atomicfile writes files so that a reader, or a crash, never sees
// half of one: the data goes to a temporary file beside the destination,
// which is synced and renamed over it only when everything succeeded.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write runs write against a temporary file in path's directory and renames
// it to path only when write, sync and close all succeed. If anything fails,
// path is left as it was (absent, or with its old content), the temporary
// file is removed, and the error is returned: write's own, unchanged, or the
// operating system's, which names the file. The new file has mode 0644.
//
// The temporary file is created before write runs, so an unwritable
// directory fails before any work is done.
func Write(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename durable; not every platform can sync a directory, so a
	// failure here is ignored.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
