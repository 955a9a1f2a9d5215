#include "cprocess.h"
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <termios.h>
#include <stdlib.h>
#include <limits.h>
#include <pthread.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define TM_SLOTS 64
static char partial_paths[TM_SLOTS][PATH_MAX];
static volatile sig_atomic_t partial_used[TM_SLOTS];

static struct termios saved_termios;
static volatile sig_atomic_t termios_valid = 0;
static char restore_seq[512];
static volatile sig_atomic_t restore_len = 0;
static volatile sig_atomic_t termination = 0;

int tm_partial_add(const char *path) {
    size_t n = strlen(path);
    if (n >= PATH_MAX) return -1;
    for (int i = 0; i < TM_SLOTS; i++) {
        if (!__sync_bool_compare_and_swap(&partial_used[i], 0, 2)) continue; /* 2: being written */
        memcpy(partial_paths[i], path, n + 1);
        __sync_synchronize();
        partial_used[i] = 1;
        return i;
    }
    return -1;
}

void tm_partial_remove(int slot) {
    if (slot < 0 || slot >= TM_SLOTS) return;
    partial_used[slot] = 0;
}

void tm_partial_cleanup(void) {
    for (int i = 0; i < TM_SLOTS; i++) {
        if (partial_used[i] == 1) {
            unlink(partial_paths[i]);
            partial_used[i] = 0;
        }
    }
}

void tm_terminal_restore_set(const void *state, size_t size, const char *seq, size_t len) {
    restore_len = 0;
    termios_valid = 0;
    if (state != NULL && size == sizeof(struct termios)) {
        memcpy(&saved_termios, state, size);
        termios_valid = 1;
    }
    if (len > sizeof(restore_seq)) len = sizeof(restore_seq);
    memcpy(restore_seq, seq, len);
    restore_len = (sig_atomic_t)len;
}

void tm_terminal_restore_clear(void) {
    restore_len = 0;
    termios_valid = 0;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

static int is_crash(int sig) {
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGTRAP || sig == SIGABRT || sig == SIGFPE;
}

static void ending_handler(int sig) {
    tm_partial_cleanup();
    if (termios_valid) tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    if (restore_len > 0) {
        write_all(STDOUT_FILENO, restore_seq, (size_t)restore_len);
        const char *msg = is_crash(sig) ? "\r\ntracemind: crashed; the terminal was restored\r\n" : "\r\n";
        write_all(STDERR_FILENO, msg, strlen(msg));
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void graceful_handler(int sig) { termination = sig; }

/* Installs `sa` for `sig` unless the process was started with the signal ignored (`nohup`, a shell's background
   job): an ignored signal stays ignored, as every Unix tool leaves it. */
static void install(int sig, const struct sigaction *sa) {
    struct sigaction old;
    if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN) return;
    sigaction(sig, sa, NULL);
}

int tm_termination_signal(void) { return termination; }

void tm_install_signal_handlers(int graceful) {
    static const int ending[] = {
        SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGPOLL, SIGPWR, SIGSYS,
#ifdef SIGSTKFLT
        SIGSTKFLT,
#endif
    };
    /* Crashes: in the browser the terminal comes back first; a report keeps the Swift runtime's crash report. */
    static const int crashes[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    static const int asking[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = ending_handler;
    for (unsigned i = 0; i < sizeof(ending) / sizeof(ending[0]); i++) install(ending[i], &sa);
    if (graceful)
        for (unsigned i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++) sigaction(crashes[i], &sa, NULL);
    /* A pipe closed by the reader: default action in a report; in the browser, the terminal is put back first. */
    if (graceful) install(SIGPIPE, &sa); else signal(SIGPIPE, SIG_DFL);
    sa.sa_handler = graceful ? graceful_handler : ending_handler;
    for (unsigned i = 0; i < sizeof(asking) / sizeof(asking[0]); i++) install(asking[i], &sa);
    /* A parent may have started us with these blocked (the mask is inherited across exec): they must arrive. */
    sigset_t set;
    sigemptyset(&set);
    for (unsigned i = 0; i < sizeof(ending) / sizeof(ending[0]); i++) sigaddset(&set, ending[i]);
    for (unsigned i = 0; i < sizeof(asking) / sizeof(asking[0]); i++) sigaddset(&set, asking[i]);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void tm_allocator_for_short_lived_work(void) {
#ifdef __GLIBC__
    mallopt(M_TOP_PAD, 64 << 20);
#endif
}
