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

static int error_class(CURLcode code) {
    switch (code) {
    case CURLE_OK: return TM_HTTP_OK;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        return TM_HTTP_UNREACHABLE;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
        return TM_HTTP_TLS;
    default: return TM_HTTP_OTHER;
    }
}

int tm_http_request(const char *method, const char *url, const char *const *headers, int header_count,
                    const char *body, size_t body_size, long timeout_seconds, long low_speed_floor,
                    const char *ca_file, int insecure, tm_http_chunk on_header, tm_http_chunk on_body, void *user,
                    long *status, int *klass, char *error, size_t error_size) {
    *status = 0;
    *klass = TM_HTTP_OTHER;
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
    int is_get = strcmp(method, "GET") == 0;
    curl.setopt(h, CURLOPT_URL, url);
    curl.setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (strcmp(method, "HEAD") == 0) {
        curl.setopt(h, CURLOPT_NOBODY, 1L);
    } else if (!is_get || body) {
        curl.setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    if (body) {
        curl.setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_size);
        curl.setopt(h, CURLOPT_POSTFIELDS, body);
    }
    // Redirects for plain GETs only: a request with a body or credentials is not replayed elsewhere.
    curl.setopt(h, CURLOPT_FOLLOWLOCATION, is_get && !body ? 1L : 0L);
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
    if (ca_file && ca_file[0]) curl.setopt(h, CURLOPT_CAINFO, ca_file);
    if (insecure) {
        curl.setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl.setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
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
    *klass = error_class(code);
    if (code != CURLE_OK) snprintf(error, error_size, "%s", message[0] ? message : curl.strerror(code));
    curl.cleanup(h);
    curl.slist_free_all(list);
    return (int)code;
}
