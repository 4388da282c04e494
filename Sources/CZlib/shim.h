// Shim: zlib for gzipped IDX files.
#include <zlib.h>
