// One HTTP(S) GET through the system's libcurl, for the Hub client.
//
// libcurl is opened with dlopen on first use, not linked: linking it puts libcurl and its ~30 dependent libraries
// (TLS, Kerberos, LDAP, ...) on the start-up path of every `tracemind` command (about 12 ms measured), though only
// hf:// sources ever make a request. Its option numbers and function types come from curl's own header
// (libcurl4-openssl-dev), and its variadic curl_easy_setopt is called from C, with the argument types curl expects.
#ifndef TRACEMIND_CCURL_H
#define TRACEMIND_CCURL_H

#include <stddef.h>

/// A callback for header lines or body bytes; returns 0 to stop the transfer, anything else to go on.
typedef int (*tm_http_chunk)(const char *bytes, size_t count, void *user);

/// NULL once libcurl is open and initialised, else why it cannot be had (a static string).
const char *tm_http_open(void);

/// GETs `url` with `header_count` request headers (`Name: value`), following up to 10 redirects over http(s) only.
/// `timeout_seconds` bounds connecting, and any stretch of that many seconds under `low_speed_floor` bytes a second.
/// Returns 0 on success, else curl's error code with a message in `error` (`error_size` bytes, NUL-terminated);
/// `status` gets the final response's status code (0 when none arrived).
int tm_http_get(const char *url, const char *const *headers, int header_count, long timeout_seconds,
                long low_speed_floor, tm_http_chunk on_header, tm_http_chunk on_body, void *user, long *status,
                char *error, size_t error_size);

#endif
