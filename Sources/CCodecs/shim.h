// The system's maintained decompressors (Debian: libzstd-dev, zlib1g-dev, libsnappy-dev), for Parquet pages.
// Only what Swift cannot call directly is wrapped here: zlib's init functions are macros.
#ifndef TRACEMIND_CCODECS_H
#define TRACEMIND_CCODECS_H

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

/// inflateInit2 with automatic gzip/zlib header detection (windowBits 15 + 32).
static inline int tm_inflate_init_auto(z_stream *s) { return inflateInit2(s, 15 + 32); }

/// deflateInit2 writing a gzip member (windowBits 15 + 16) at `level`.
static inline int tm_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

#endif
