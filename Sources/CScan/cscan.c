#include "cscan.h"
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>

/* A bit for each of the 64 bytes at `p` that equals `c` (bit k: byte k). */
static inline uint64_t matches(const unsigned char *p, __m128i c) {
    uint64_t m0 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), c));
    uint64_t m1 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), c));
    uint64_t m2 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), c));
    uint64_t m3 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), c));
    return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
}

size_t tm_json_string_end(const void *bytes, size_t n) {
    const unsigned char *p = bytes;
    size_t i = 0;
    /* Whether the next block's first byte is escaped (this block ended in a backslash that escapes). */
    uint64_t carry = 0;
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const uint64_t odd = 0xAAAAAAAAAAAAAAAAULL;
    for (; i + 64 <= n; i += 64) {
        uint64_t q = matches(p + i, quote), b = matches(p + i, backslash);
        uint64_t escaped;
        if (b == 0) {
            escaped = carry;
            carry = 0;
        } else {
            /* The backslashes not themselves escaped start runs. Subtracting each start from the odd bits carries
               through its run and leaves, just past the run, a bit that differs by the run's length being odd or
               even. `escaped`: the bytes that a backslash which escapes precedes. */
            uint64_t starts = b & ~carry;
            uint64_t code = (((starts << 1) | odd) - starts) ^ odd;
            escaped = code ^ (b | carry);
            carry = (code & b) >> 63;
        }
        uint64_t ends = q & ~escaped;
        if (ends) return i + (size_t)__builtin_ctzll(ends);
    }
    /* The last bytes, fewer than 64, one at a time. */
    for (; i < n; i++) {
        if (carry) {
            carry = 0;
        } else if (p[i] == '\\') {
            carry = 1;
        } else if (p[i] == '"') {
            return i;
        }
    }
    return n;
}
#else
size_t tm_json_string_end(const void *p, size_t n) { return tm_json_string_end_portable(p, n); }
#endif

size_t tm_json_string_end_portable(const void *bytes, size_t n) {
    const unsigned char *p = bytes;
    size_t i = 0;
    while (i < n) {
        const unsigned char *hit = memchr(p + i, '"', n - i);
        if (!hit) return n;
        size_t q = (size_t)(hit - p), run = 0;
        while (run < q && p[q - 1 - run] == '\\') run++;
        if (run % 2 == 0) return q;
        i = q + 1;
    }
    return n;
}
