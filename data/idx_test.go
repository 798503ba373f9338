package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

// idxBytes builds an idx ubyte stream with the given magic, dims and data.
func idxBytes(magic uint32, dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestLoadIDX(t *testing.T) {
	pix := []byte{0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10} // 3 images of 2×2
	img := idxBytes(0x803, []uint32{3, 2, 2}, pix)
	lbl := idxBytes(0x801, []uint32{3}, []byte{2, 0, 2})
	for _, c := range []struct {
		name     string
		img, lbl []byte
	}{{"plain", img, lbl}, {"gzip", gz(img), gz(lbl)}} {
		ds, err := LoadIDX(bytes.NewReader(c.img), bytes.NewReader(c.lbl))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ds.Len() != 3 || ds.NumFeatures() != 4 || !slices.Equal(ds.Labels, []int{2, 0, 2}) {
			t.Errorf("%s: %v labels %v", c.name, ds, ds.Labels)
		}
		if !slices.Equal(ds.Classes, []string{"0", "1", "2"}) || !slices.Equal(ds.X.Row(0), []float64{0, 255, 1, 2}) {
			t.Errorf("%s: classes %q row0 %v", c.name, ds.Classes, ds.X.Row(0))
		}
		if ds.FeatureNames[3] != "pixel_1_1" {
			t.Errorf("feature names %q", ds.FeatureNames)
		}
	}
}

func TestLoadIDXErrors(t *testing.T) {
	img := idxBytes(0x803, []uint32{3, 2, 2}, make([]byte, 12))
	lbl := idxBytes(0x801, []uint32{3}, []byte{0, 1, 0})
	cases := []struct {
		name     string
		img, lbl []byte
		want     string
	}{
		{"swapped", lbl, img, "images: wrong magic number 0x00000801 for images; want 0x00000803 (that is a label file: are images and labels swapped?)"},
		{"bad magic", []byte{1, 2, 3, 4}, lbl, "images: wrong magic number 0x01020304 for images; want 0x00000803"},
		{"bad label magic", img, idxBytes(0x802, []uint32{3}, []byte{0, 1, 0}), "labels: wrong magic number 0x00000802 for labels; want 0x00000801"},
		{"empty", nil, lbl, "images: empty images file: want an idx header"},
		{"short magic", []byte{0, 0}, lbl, "images: truncated header: read 2 of 4 magic bytes"},
		{"truncated dims", img[:9], lbl, "images: truncated header: dimension 2 of 3 missing (read 1 of 4 bytes at byte 8)"},
		{"truncated data", img[:len(img)-1], lbl, "images: truncated data: dimensions [3 2 2] need 12 bytes after the 16-byte header, found 11"},
		{"truncated gzip data", gz(img[:len(img)-5]), lbl, "images: truncated data"},
		{"count mismatch", img, idxBytes(0x801, []uint32{2}, []byte{0, 1}), "labels: count mismatch: 2 labels but images has 3 images"},
		{"huge dims", idxBytes(0x803, []uint32{1 << 31, 1 << 31, 4}, nil), lbl, "images: dimensions [2147483648 2147483648] promise more than 4294967296 bytes; the header is corrupt"},
		{"labels 2-D", img, idxBytes(0x802, []uint32{3, 1}, []byte{0, 1, 0}), "labels: wrong magic"},
		{"images 1-D", idxBytes(0x801, []uint32{3}, []byte{0, 1, 0}), lbl, "images: wrong magic"},
		{"magic says 3 dims, 1 given", idxBytes(0x803, []uint32{3}, []byte{0, 1, 0}), lbl, "images: truncated header: dimension 2 of 3 missing (read 3 of 4 bytes at byte 8)"},
		{"no images", idxBytes(0x803, []uint32{0, 2, 2}, nil), idxBytes(0x801, []uint32{0}, nil), "images: no images (count is 0)"},
	}
	for _, c := range cases {
		_, err := LoadIDX(bytes.NewReader(c.img), bytes.NewReader(c.lbl))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error\n got: %v\nwant: %s…", c.name, err, c.want)
		}
	}
}
