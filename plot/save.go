package plot

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/nabla-go/nabla/internal/atomicfile"
)

// dpi is the resolution at which pixel sizes become lengths: an SVG of
// Width×Height pixels is Width·0.75 × Height·0.75 points, the size a browser
// shows it at, and a PNG is exactly Width×Height pixels.
const dpi = 96

// MaxPixels is the largest width or height accepted, in pixels.
const MaxPixels = 10000

// Size is a picture's size in pixels. The zero value means the default of
// the picture it belongs to (800×600 for contour plots, 800×500 for charts
// and functions).
type Size struct {
	Width, Height int
}

// or returns s, or def where s is zero.
func (s Size) or(def Size) Size {
	if s.Width == 0 {
		s.Width = def.Width
	}
	if s.Height == 0 {
		s.Height = def.Height
	}
	return s
}

func (s Size) check() error {
	if s.Width < 100 || s.Height < 100 || s.Width > MaxPixels || s.Height > MaxPixels {
		return fmt.Errorf("plot: size %d×%d pixels: width and height must lie in [100, %d]", s.Width, s.Height, MaxPixels)
	}
	return nil
}

// points converts pixels to a length.
func points(px int) vg.Length { return vg.Length(px) * vg.Inch / dpi }

// Formats are the file extensions Save-like functions accept.
var Formats = []string{".svg", ".png"}

// CheckFormat returns an error unless path names a format Save-like
// functions write (see Formats), so a caller can refuse a bad output name
// before doing the work that a picture shows.
func CheckFormat(path string) error {
	_, err := format(path)
	return err
}

// format returns the output format of path, from its extension.
func format(path string) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".svg", ".png":
		return ext, nil
	case "":
		return "", fmt.Errorf("plot: %s has no extension: name it .svg or .png", path)
	}
	return "", fmt.Errorf("plot: %s: unknown extension %q: name it .svg or .png", path, ext)
}

// render draws a picture of size s with drawFn into a canvas of path's
// format and writes it to path atomically (internal/atomicfile): a reader
// never sees half a picture, and a failure leaves path as it was. The
// temporary file is made first, so an unwritable place fails before the
// drawing work.
func render(path string, s Size, drawFn func(c draw.Canvas) error) error {
	ext, err := format(path)
	if err != nil {
		return err
	}
	if err := s.check(); err != nil {
		return err
	}
	var drawErr error
	err = atomicfile.Write(path, func(w io.Writer) error {
		var c vg.CanvasWriterTo
		switch ext {
		case ".png":
			img := image.NewRGBA(image.Rect(0, 0, s.Width, s.Height))
			c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(dpi))}
		default:
			c = vgsvg.New(points(s.Width), points(s.Height))
		}
		if drawErr = drawFn(draw.New(c)); drawErr != nil {
			return drawErr
		}
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		out := buf.Bytes()
		if ext == ".svg" {
			// vgsvg labels the PNG data of embedded images (the filled bands)
			// as JPEG; strict SVG readers refuse that.
			out = bytes.ReplaceAll(out, []byte(`"data:image/jpg;base64,`), []byte(`"data:image/png;base64,`))
		}
		if _, err := w.Write(out); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	})
	switch {
	case drawErr != nil:
		return drawErr
	case err != nil:
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}
