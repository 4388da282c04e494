// Shim: the OpenBLAS CBLAS interface plus the OpenBLAS extras DRAW uses (threads, core name).
#include <cblas.h>
