// libpng 1.6 (Debian: libpng-dev) and zlib (zlib1g-dev, which libpng-dev depends on).
// We use only libpng's simplified read API (png_image_*): the classic API reports fatal errors by
// longjmp from a callback, which must never unwind across Swift frames, while the simplified API
// catches them inside the library and returns an error code.
// zlib is used for chunk CRCs and for bounded inflation of compressed PNG text chunks that can carry
// an image's orientation (ImageMagick's "Raw profile type exif", XMP); it never longjmps.
#include <png.h>
#include <zlib.h>
