// Shim: giflib for animated GIF output.
#include <gif_lib.h>
