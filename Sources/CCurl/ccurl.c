#define CURL_DISABLE_TYPECHECK 1
#define CURL_DISABLE_DEPRECATION 1
#define _GNU_SOURCE
#include "ccurl.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// The entry points used, typed by curl's own prototypes.
static struct {
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_setopt) *setopt;
    __typeof__(curl_easy_perform) *perform;
    __typeof__(curl_easy_getinfo) *getinfo;
    __typeof__(curl_easy_cleanup) *cleanup;
    __typeof__(curl_easy_strerror) *strerror;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
} curl;

static const char *open_error = "libcurl was not opened";
static pthread_once_t opened = PTHREAD_ONCE_INIT;

static void open_curl(void) {
    static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
    void *lib = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !lib; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        open_error = "reading from the Hub needs libcurl, which this machine lacks (Debian/Ubuntu: apt-get install libcurl4)";
        return;
    }
#define LOOKUP(field, name)                                          \
    if (!(*(void **)(&curl.field) = dlsym(lib, name))) {             \
        open_error = "the libcurl on this machine lacks " name;      \
        return;                                                      \
    }
    LOOKUP(global_init, "curl_global_init")
    LOOKUP(easy_init, "curl_easy_init")
    LOOKUP(setopt, "curl_easy_setopt")
    LOOKUP(perform, "curl_easy_perform")
    LOOKUP(getinfo, "curl_easy_getinfo")
    LOOKUP(cleanup, "curl_easy_cleanup")
    LOOKUP(strerror, "curl_easy_strerror")
    LOOKUP(slist_append, "curl_slist_append")
    LOOKUP(slist_free_all, "curl_slist_free_all")
#undef LOOKUP
    if (curl.global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        open_error = "libcurl could not be initialised";
        return;
    }
    open_error = NULL;
}

const char *tm_http_open(void) {
    pthread_once(&opened, open_curl);
    return open_error;
}

struct sink {
    tm_http_chunk fn;
    void *user;
};

static size_t deliver(char *bytes, size_t size, size_t count, void *p) {
    struct sink *s = p;
    return s->fn(bytes, size * count, s->user) ? size * count : 0;
}

int tm_http_get(const char *url, const char *const *headers, int header_count, long timeout_seconds,
                long low_speed_floor, tm_http_chunk on_header, tm_http_chunk on_body, void *user, long *status,
                char *error, size_t error_size) {
    *status = 0;
    if (error_size) error[0] = 0;
    const char *why = tm_http_open();
    if (why) {
        snprintf(error, error_size, "%s", why);
        return CURLE_FAILED_INIT;
    }
    struct curl_slist *list = NULL;
    for (int i = 0; i < header_count; i++) {
        struct curl_slist *next = curl.slist_append(list, headers[i]);
        if (!next) {
            curl.slist_free_all(list);
            snprintf(error, error_size, "out of memory");
            return CURLE_OUT_OF_MEMORY;
        }
        list = next;
    }
    CURL *h = curl.easy_init();
    if (!h) {
        curl.slist_free_all(list);
        snprintf(error, error_size, "libcurl could not start a transfer");
        return CURLE_FAILED_INIT;
    }
    char message[CURL_ERROR_SIZE] = {0};
    struct sink header_sink = {on_header, user}, body_sink = {on_body, user};
    curl.setopt(h, CURLOPT_URL, url);
    curl.setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl.setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl.setopt(h, CURLOPT_MAXREDIRS, 10L);
    // http and https only, on the first request and on every redirect (a newer libcurl takes the names).
#if LIBCURL_VERSION_NUM >= 0x075500
    if (curl.setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        curl.setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK)
#endif
    {
        curl.setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
        curl.setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    }
    curl.setopt(h, CURLOPT_CONNECTTIMEOUT, timeout_seconds);
    // A stall or a trickle: under the floor for `timeout_seconds` ends the transfer; a long download does not.
    curl.setopt(h, CURLOPT_LOW_SPEED_LIMIT, low_speed_floor);
    curl.setopt(h, CURLOPT_LOW_SPEED_TIME, timeout_seconds);
    curl.setopt(h, CURLOPT_HTTPHEADER, list);
    curl.setopt(h, CURLOPT_ERRORBUFFER, message);
    curl.setopt(h, CURLOPT_HEADERFUNCTION, deliver);
    curl.setopt(h, CURLOPT_HEADERDATA, &header_sink);
    curl.setopt(h, CURLOPT_WRITEFUNCTION, deliver);
    curl.setopt(h, CURLOPT_WRITEDATA, &body_sink);
    CURLcode code = curl.perform(h);
    long response = 0;
    if (curl.getinfo(h, CURLINFO_RESPONSE_CODE, &response) == CURLE_OK) *status = response;
    if (code != CURLE_OK) snprintf(error, error_size, "%s", message[0] ? message : curl.strerror(code));
    curl.cleanup(h);
    curl.slist_free_all(list);
    return (int)code;
}
