// Only the header matters: a C target needs a source file. The function is libFuzzer's.
#include "CFuzzerDriver.h"
