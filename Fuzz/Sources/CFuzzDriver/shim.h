// shim.h: libFuzzer's driver entry, so a harness's own main (SwiftPM names it <Module>_main) can hand over to it.
#include <stddef.h>
#include <stdint.h>

/* Parses libFuzzer's flags from argc/argv and fuzzes `callback`; defined in libclang_rt.fuzzer (-sanitize=fuzzer). */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
