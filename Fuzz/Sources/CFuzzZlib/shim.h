// shim.h: zlib for the IDX fuzz target and the seed writer (the root package does not export its CZlib).
#include <zlib.h>
