// libjpeg-turbo's TurboJPEG API (Debian: libturbojpeg0-dev, built on libjpeg62-turbo).
// We use TurboJPEG rather than the classic libjpeg API because libjpeg reports fatal errors
// by longjmp from its error_exit callback, which must never unwind across Swift frames;
// TurboJPEG catches those inside the library and returns an error code instead.
#include <turbojpeg.h>
