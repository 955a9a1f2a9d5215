#ifndef TRACEMIND_CSCAN_H
#define TRACEMIND_CSCAN_H
#include <stddef.h>

/* The scan the JSON reader runs over every string it does not decode, in C for the processor's vector compares.
   A trace's strings are mostly JSON themselves (a prompt's messages, a tool's schema): an escaped quote every few
   bytes, where a search for the next quote stops each time. This looks at 64 bytes at a time, finds the quotes and
   backslashes among them, and which bytes a run of backslashes escapes (the bit arithmetic of simdjson's escape
   scanner), so an escaped quote costs nothing.

   The offset from `p` of the first quote that no backslash escapes, among the `n` bytes at `p` (the bytes just past
   a string's opening quote): the string's closing quote; `n` when there is none. Reads no byte outside the `n`. */
size_t tm_json_string_end(const void *p, size_t n);

/* The same answer 64 bytes at a time in each instruction set: SSE2 (every x86-64 processor), AVX2 (two compares a
   block, not four; `tm_json_string_end` takes it where `tm_scan_has_avx2` says the processor and system have it, and
   nothing else may call it elsewhere: on an x86 processor without AVX2 its instructions fault). Built for a processor
   the compiler has no such set for, each gives the answer of the next one down (the portable one last); the tests
   hold each to the rule. */
size_t tm_json_string_end_sse2(const void *p, size_t n);
size_t tm_json_string_end_avx2(const void *p, size_t n);
int tm_scan_has_avx2(void);

/* The same answer by the C library's search for each quote, the backslashes before it counted: what
   `tm_json_string_end` does where the processor has no SSE2 (and what the tests hold it to). */
size_t tm_json_string_end_portable(const void *p, size_t n);

/* The offset from `p` of the first quote or backslash among the `n` bytes at `p`, `n` when there is none: where a
   string being decoded ends, or has its first escape (one search, 16 bytes at a time, not a search for the quote
   and another for a backslash before it). Reads no byte outside the `n`. */
size_t tm_string_stop(const void *p, size_t n);

/* The same answer a byte at a time (what the tests hold it to). */
size_t tm_string_stop_portable(const void *p, size_t n);

#endif
