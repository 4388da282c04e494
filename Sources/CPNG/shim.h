// Shim: libpng for the PNG reader and writer.
#include <png.h>
