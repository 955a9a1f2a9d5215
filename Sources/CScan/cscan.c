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

/* The scan of `tm_json_string_end` over 64-byte blocks, `MATCHES(p, c)` finding a byte's places in a block (a macro:
   the same loop for each instruction set, compiled for that set). */
#define STRING_END_BLOCKS(MATCHES, QUOTE, BACKSLASH)                                                               \
    size_t i = 0;                                                                                                   \
    /* Whether the next block's first byte is escaped (this block ended in a backslash that escapes). */           \
    uint64_t carry = 0;                                                                                             \
    const uint64_t odd = 0xAAAAAAAAAAAAAAAAULL;                                                                     \
    for (; i + 64 <= n; i += 64) {                                                                                  \
        uint64_t q = MATCHES(p + i, QUOTE), b = MATCHES(p + i, BACKSLASH);                                          \
        uint64_t escaped;                                                                                           \
        if (b == 0) {                                                                                               \
            escaped = carry;                                                                                        \
            carry = 0;                                                                                              \
        } else {                                                                                                    \
            /* The backslashes not themselves escaped start runs. Subtracting each start from the odd bits carries \
               through its run and leaves, just past the run, a bit that differs by the run's length being odd or  \
               even. `escaped`: the bytes that a backslash which escapes precedes. */                              \
            uint64_t starts = b & ~carry;                                                                           \
            uint64_t code = (((starts << 1) | odd) - starts) ^ odd;                                                 \
            escaped = code ^ (b | carry);                                                                           \
            carry = (code & b) >> 63;                                                                               \
        }                                                                                                           \
        uint64_t ends = q & ~escaped;                                                                               \
        if (ends) return i + (size_t)__builtin_ctzll(ends);                                                         \
    }                                                                                                               \
    return i + string_end_tail(p + i, n - i, carry);

/* The last bytes, fewer than 64, one at a time, `carry` saying whether the first is escaped. */
static size_t string_end_tail(const unsigned char *p, size_t n, uint64_t carry) {
    for (size_t i = 0; i < n; i++) {
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

size_t tm_json_string_end_sse2(const void *bytes, size_t n) {
    const unsigned char *p = bytes;
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    STRING_END_BLOCKS(matches, quote, backslash)
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define TM_HAVE_AVX2_SCAN 1

/* `matches` in two 32-byte compares (AVX2). */
__attribute__((target("avx2"))) static inline uint64_t matches_avx2(const unsigned char *p, __m256i c) {
    uint64_t lo = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)p), c));
    uint64_t hi = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + 32)), c));
    return lo | (hi << 32);
}

__attribute__((target("avx2"))) size_t tm_json_string_end_avx2(const void *bytes, size_t n) {
    const unsigned char *p = bytes;
    const __m256i quote = _mm256_set1_epi8('"'), backslash = _mm256_set1_epi8('\\');
    STRING_END_BLOCKS(matches_avx2, quote, backslash)
}

/* Asked once: the processor's and the system's answer (AVX state saved) does not change while the process runs
   (threads asking at once each find the same answer). */
static int has_avx2 = -1;

int tm_scan_has_avx2(void) {
    int known = __atomic_load_n(&has_avx2, __ATOMIC_RELAXED);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&has_avx2, known, __ATOMIC_RELAXED);
    }
    return known;
}
#else
size_t tm_json_string_end_avx2(const void *p, size_t n) { return tm_json_string_end_sse2(p, n); }
int tm_scan_has_avx2(void) { return 0; }
#endif

size_t tm_string_stop(const void *bytes, size_t n) {
    const unsigned char *p = bytes;
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        if (m) return i + (size_t)__builtin_ctz(m);
    }
    return i + tm_string_stop_portable(p + i, n - i);
}

size_t tm_json_string_end(const void *bytes, size_t n) {
#if defined(TM_HAVE_AVX2_SCAN)
    if (tm_scan_has_avx2()) return tm_json_string_end_avx2(bytes, n);
#endif
    return tm_json_string_end_sse2(bytes, n);
}
#else
size_t tm_json_string_end(const void *p, size_t n) { return tm_json_string_end_portable(p, n); }
size_t tm_json_string_end_sse2(const void *p, size_t n) { return tm_json_string_end_portable(p, n); }
size_t tm_json_string_end_avx2(const void *p, size_t n) { return tm_json_string_end_portable(p, n); }
int tm_scan_has_avx2(void) { return 0; }
size_t tm_string_stop(const void *p, size_t n) { return tm_string_stop_portable(p, n); }
#endif

size_t tm_string_stop_portable(const void *bytes, size_t n) {
    const unsigned char *p = bytes;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\') return i;
    }
    return n;
}

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
