// zlib (Debian: zlib1g-dev) and libpng 1.6 (libpng-dev).
// The decoder uses zlib only: chunk CRCs, bounded inflation of compressed PNG text chunks that can carry an
// image's orientation, and the image data itself (InflateCursor), which our own row reader unfilters. zlib
// reports errors by return code, never by longjmp.
// libpng's simplified API (png_image_*, which catches libpng's longjmp errors inside the library) serves only
// as the tests' independent whole-image reference decoder.
#include <png.h>
#include <zlib.h>
