package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// The idx format (LeCun's MNIST files): a 4-byte magic number 0x00 0x00
// TYPE NDIMS, then NDIMS big-endian uint32 sizes, then the data in row-major
// order. nabla reads TYPE 0x08 (unsigned bytes), which is what MNIST and
// Fashion-MNIST use: images have magic 0x00000803 (count × rows × cols) and
// labels 0x00000801 (count).
const (
	idxMagicImages = 0x00000803
	idxMagicLabels = 0x00000801
	// maxIDXBytes bounds the data an idx header may promise (4 GiB), so a
	// corrupt header cannot make the loader try an absurd allocation.
	maxIDXBytes = 1 << 32
)

// LoadIDX reads images and labels in the idx format (optionally
// gzip-compressed; detected from the first bytes) into a classification data
// set with one row per image, pixels as float64 in 0–255 in row-major order,
// and classes "0" … "K-1" where K-1 is the largest label.
//
// Errors name the stream ("images" or "labels"): a wrong magic number,
// truncated data, or a different number of images and labels.
func LoadIDX(images, labels io.Reader) (*Dataset, error) {
	return loadIDX(images, "images", labels, "labels")
}

// LoadIDXFiles is LoadIDX on two files; errors name the paths.
func LoadIDXFiles(imagesPath, labelsPath string) (*Dataset, error) {
	fi, err := os.Open(imagesPath)
	if err != nil {
		return nil, err
	}
	defer fi.Close()
	fl, err := os.Open(labelsPath)
	if err != nil {
		return nil, err
	}
	defer fl.Close()
	ds, err := loadIDX(fi, imagesPath, fl, labelsPath)
	if err != nil {
		return nil, err
	}
	ds.Name = imagesPath
	return ds, nil
}

func loadIDX(images io.Reader, imgName string, labels io.Reader, lblName string) (*Dataset, error) {
	idims, pix, err := readIDX(images, imgName, idxMagicImages, "images")
	if err != nil {
		return nil, err
	}
	ldims, lab, err := readIDX(labels, lblName, idxMagicLabels, "labels")
	if err != nil {
		return nil, err
	}
	if len(idims) < 2 {
		return nil, &ParseError{File: imgName, Msg: fmt.Sprintf("image file has %d dimension(s); want at least 2 (count, pixels…)", len(idims))}
	}
	if len(ldims) != 1 {
		return nil, &ParseError{File: lblName, Msg: fmt.Sprintf("label file has %d dimensions; want 1 (count)", len(ldims))}
	}
	n := idims[0]
	if ldims[0] != n {
		return nil, &ParseError{File: lblName, Msg: fmt.Sprintf("count mismatch: %d labels but %s has %d images", ldims[0], imgName, n)}
	}
	if n == 0 {
		return nil, &ParseError{File: imgName, Msg: "no images (count is 0)"}
	}
	d := 1
	for _, s := range idims[1:] {
		d *= s
	}
	names := make([]string, d)
	for i := range names {
		if len(idims) == 3 {
			names[i] = "pixel_" + strconv.Itoa(i/idims[2]) + "_" + strconv.Itoa(i%idims[2])
		} else {
			names[i] = "pixel_" + strconv.Itoa(i)
		}
	}
	x := make([]float64, len(pix))
	for i, p := range pix {
		x[i] = float64(p)
	}
	k := 0
	for _, l := range lab {
		k = max(k, int(l)+1)
	}
	classes := make([]string, k)
	for i := range classes {
		classes[i] = strconv.Itoa(i)
	}
	ds := &Dataset{
		Name:         imgName,
		FeatureNames: names,
		TargetName:   "label",
		Task:         Classify,
		X:            Matrix{Rows: n, Cols: d, Data: x},
		Y:            make([]float64, n),
		Labels:       make([]int, n),
		Classes:      classes,
	}
	for i, l := range lab {
		ds.Labels[i] = int(l)
		ds.Y[i] = float64(l)
	}
	return ds, nil
}

// readIDX reads one idx stream of unsigned bytes with the wanted magic.
func readIDX(r io.Reader, name string, wantMagic uint32, what string) (dims []int, data []byte, err error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, &ParseError{File: name, Msg: "bad gzip header: " + err.Error(), Err: err}
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	fail := func(format string, args ...any) error {
		return &ParseError{File: name, Msg: fmt.Sprintf(format, args...)}
	}
	var hdr [4]byte
	if n, err := io.ReadFull(br, hdr[:]); err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return nil, nil, fail("empty %s file: want an idx header", what)
		}
		return nil, nil, fail("truncated header: read %d of 4 magic bytes", n)
	}
	magic := binary.BigEndian.Uint32(hdr[:])
	if magic != wantMagic {
		hint := ""
		switch magic {
		case idxMagicImages:
			hint = " (that is an image file: are images and labels swapped?)"
		case idxMagicLabels:
			hint = " (that is a label file: are images and labels swapped?)"
		}
		return nil, nil, fail("wrong magic number 0x%08x for %s; want 0x%08x%s", magic, what, wantMagic, hint)
	}
	nd := int(hdr[3])
	dims = make([]int, nd)
	total := uint64(1)
	for i := range dims {
		var b [4]byte
		if n, err := io.ReadFull(br, b[:]); err != nil {
			return nil, nil, fail("truncated header: dimension %d of %d missing (read %d of 4 bytes at byte %d)", i+1, nd, n, 4+4*i)
		}
		s := binary.BigEndian.Uint32(b[:])
		dims[i] = int(s)
		total *= uint64(s)
		if total > maxIDXBytes {
			return nil, nil, fail("dimensions %v promise more than %d bytes; the header is corrupt", dims[:i+1], uint64(maxIDXBytes))
		}
	}
	// ReadAll grows with the data actually present, so a lying header costs
	// no more memory than the stream holds.
	data, err = io.ReadAll(io.LimitReader(br, int64(total)))
	if err != nil {
		return nil, nil, &ParseError{File: name, Msg: "reading data: " + err.Error(), Err: err}
	}
	if uint64(len(data)) < total {
		return nil, nil, fail("truncated data: dimensions %v need %d bytes after the %d-byte header, found %d", dims, total, 4+4*nd, len(data))
	}
	return dims, data, nil
}
