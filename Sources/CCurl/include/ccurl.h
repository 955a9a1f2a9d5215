// HTTP(S) requests through the system's libcurl, for the remote sources (the Hub, OpenSearch).
//
// libcurl is opened with dlopen on first use, not linked: linking it puts libcurl and its ~30 dependent libraries
// (TLS, Kerberos, LDAP, ...) on the start-up path of every `tracemind` command (about 12 ms measured), though only
// remote sources ever make a request. Its option numbers and function types come from curl's own header
// (libcurl4-openssl-dev), and its variadic curl_easy_setopt is called from C, with the argument types curl expects.
#ifndef TRACEMIND_CCURL_H
#define TRACEMIND_CCURL_H

#include <stddef.h>

/// A callback for header lines or body bytes; returns 0 to stop the transfer, anything else to go on.
typedef int (*tm_http_chunk)(const char *bytes, size_t count, void *user);

/// NULL once libcurl is open and initialised, else why it cannot be had (a static string).
const char *tm_http_open(void);

/// What went wrong, in classes the callers word differently (curl's own code is returned as well).
enum {
    TM_HTTP_OK = 0,
    TM_HTTP_UNREACHABLE = 1,  // name resolution, connection refused, connect or stall timeout
    TM_HTTP_TLS = 2,          // handshake, certificate verification, a CA file that cannot be read
    TM_HTTP_OTHER = 3,
};

/// One request: `method` (GET, POST, PUT, DELETE, HEAD) on `url` with `header_count` request headers
/// (`Name: value`) and `body_size` bytes of `body` (none when NULL). Redirects are followed (up to 10, http(s)
/// only) for GET alone. `timeout_seconds` bounds connecting, and any stretch of that many seconds under
/// `low_speed_floor` bytes a second. TLS peers are verified against the system's CAs, or `ca_file` when given;
/// `insecure` turns verification off (development only). Returns curl's code (0 on success) with a message in
/// `error` and its class in `error_class`; `status` gets the final response's status code (0 when none arrived).
int tm_http_request(const char *method, const char *url, const char *const *headers, int header_count,
                    const char *body, size_t body_size, long timeout_seconds, long low_speed_floor,
                    const char *ca_file, int insecure, tm_http_chunk on_header, tm_http_chunk on_body, void *user,
                    long *status, int *error_class, char *error, size_t error_size);

#endif
