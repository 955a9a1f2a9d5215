#define _GNU_SOURCE 1
#include "cprocess.h"
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <termios.h>
#include <stdlib.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <locale.h>
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

/* Guarded mappings: a file the process maps (its own caches) and that is cut short under the mapping raises SIGBUS on
   the first access past the new end. The fault is turned into a page of zeros and a mark the reader checks. */
#define TM_MAPS 64
static volatile uintptr_t map_lo[TM_MAPS], map_hi[TM_MAPS];
static volatile sig_atomic_t map_damaged[TM_MAPS];
static volatile sig_atomic_t map_reserved[TM_MAPS];
static uintptr_t map_page = 4096;
/* What a SIGBUS outside every guarded mapping gets: the action installed before the guard (the Swift runtime's
   crash report, or the default), or the one `tm_install_signal_handlers` asked for since. */
static struct sigaction bus_next;
static volatile sig_atomic_t bus_guarding = 0;
static pthread_mutex_t bus_lock = PTHREAD_MUTEX_INITIALIZER;

static void bus_handler(int sig, siginfo_t *info, void *context) {
    uintptr_t at = (uintptr_t)info->si_addr;
    for (int i = 0; i < TM_MAPS; i++) {
        uintptr_t lo = map_lo[i];
        if (lo == 0 || at < lo || at >= map_hi[i]) continue;
        void *page = (void *)(at & ~(map_page - 1));
        if (mmap(page, map_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            map_damaged[i] = 1;
            return; /* the access is made again, and reads zeros */
        }
    }
    if (bus_next.sa_flags & SA_SIGINFO) {
        if (bus_next.sa_sigaction != NULL) {
            bus_next.sa_sigaction(sig, info, context);
            return;
        }
    } else if (bus_next.sa_handler != SIG_DFL && bus_next.sa_handler != SIG_IGN) {
        bus_next.sa_handler(sig);
        return;
    }
    /* The default action: on return the access faults again and ends the process. */
    signal(sig, SIG_DFL);
}

int tm_map_guard_add(const void *start, size_t length) {
    pthread_mutex_lock(&bus_lock);
    if (!bus_guarding) {
        long page = sysconf(_SC_PAGESIZE);
        if (page > 0) map_page = (uintptr_t)page;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sigemptyset(&sa.sa_mask);
        sa.sa_sigaction = bus_handler;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
        if (sigaction(SIGBUS, &sa, &bus_next) != 0) {
            pthread_mutex_unlock(&bus_lock);
            return -1;
        }
        bus_guarding = 1;
    }
    pthread_mutex_unlock(&bus_lock);
    for (int i = 0; i < TM_MAPS; i++) {
        if (!__sync_bool_compare_and_swap(&map_reserved[i], 0, 1)) continue;
        map_damaged[i] = 0;
        map_hi[i] = (uintptr_t)start + length;
        __sync_synchronize();
        map_lo[i] = (uintptr_t)start;
        __sync_synchronize();
        return i;
    }
    return -1;
}

int tm_map_guard_damaged(int slot) {
    if (slot < 0 || slot >= TM_MAPS) return 0;
    __sync_synchronize();
    return map_damaged[slot] != 0;
}

void tm_map_guard_remove(int slot) {
    if (slot < 0 || slot >= TM_MAPS) return;
    map_lo[slot] = 0;
    __sync_synchronize();
    map_hi[slot] = 0;
    map_damaged[slot] = 0;
    __sync_synchronize();
    map_reserved[slot] = 0;
}

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
        for (unsigned i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++) {
            /* With mappings guarded, SIGBUS stays with the guard, which passes on the faults that are not its own. */
            pthread_mutex_lock(&bus_lock);
            if (crashes[i] == SIGBUS && bus_guarding) bus_next = sa;
            else sigaction(crashes[i], &sa, NULL);
            pthread_mutex_unlock(&bus_lock);
        }
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

int tm_thread_attr_elsewhere(void *attr) {
#ifdef __GLIBC__
    cpu_set_t mine;
    CPU_ZERO(&mine);
    if (pthread_getaffinity_np(pthread_self(), sizeof(mine), &mine) != 0) return 0;
    int here = sched_getcpu();
    if (here < 0 || here >= CPU_SETSIZE || !CPU_ISSET(here, &mine) || CPU_COUNT(&mine) < 2) return 0;
    cpu_set_t others = mine;
    CPU_CLR(here, &others);
    return pthread_attr_setaffinity_np((pthread_attr_t *)attr, sizeof(others), &others) == 0;
#else
    (void)attr;
    return 0;
#endif
}

void tm_thread_anywhere(void) {
#ifdef __GLIBC__
    /* The process's CPUs: its first thread's, which never narrows its own. */
    cpu_set_t all;
    CPU_ZERO(&all);
    if (sched_getaffinity(getpid(), sizeof(all), &all) == 0) pthread_setaffinity_np(pthread_self(), sizeof(all), &all);
#endif
}

int tm_thread_cpu_count(void) {
#ifdef __GLIBC__
    cpu_set_t mine;
    CPU_ZERO(&mine);
    return pthread_getaffinity_np(pthread_self(), sizeof(mine), &mine) == 0 ? CPU_COUNT(&mine) : 0;
#else
    return 0;
#endif
}

/* A number's text read as C reads it in the "C" locale, whatever locale the process took (the browser takes the
   user's: a decimal comma would stop `strtod` at the point). */
double tm_strtod_c(const char *text) {
    static locale_t c_locale = (locale_t)0;
    locale_t loc = __atomic_load_n(&c_locale, __ATOMIC_ACQUIRE);
    if (loc == (locale_t)0) {
        locale_t made = newlocale(LC_ALL_MASK, "C", (locale_t)0);
        if (made == (locale_t)0) return strtod(text, NULL);
        locale_t expected = (locale_t)0;
        if (__atomic_compare_exchange_n(&c_locale, &expected, made, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            loc = made;
        } else {
            freelocale(made);
            loc = expected;
        }
    }
    return strtod_l(text, NULL, loc);
}
