// Shim: libjpeg-turbo; jpeglib.h needs stdio.h (FILE) and size_t first.
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
