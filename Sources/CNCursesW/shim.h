#ifndef TRACEMIND_CNCURSESW_SHIM_H
#define TRACEMIND_CNCURSESW_SHIM_H
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <stdio.h>
#include <unistd.h>
#include <ncurses.h>
#include <term.h>
#include <termios.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>

int wcwidth(wchar_t c);

/* Macros Swift does not import, re-exported from the real header. */
static const attr_t CN_A_BOLD = A_BOLD;
static const attr_t CN_A_DIM = A_DIM;
static const attr_t CN_A_UNDERLINE = A_UNDERLINE;
static const attr_t CN_A_REVERSE = A_REVERSE;
static const attr_t CN_A_ITALIC = A_ITALIC;
static const mmask_t CN_BUTTON1_CLICKED = BUTTON1_CLICKED;
static const mmask_t CN_BUTTON1_PRESSED = BUTTON1_PRESSED;
static const mmask_t CN_BUTTON4_PRESSED = BUTTON4_PRESSED;
static const mmask_t CN_BUTTON5_PRESSED = BUTTON5_PRESSED;
static const mmask_t CN_ALL_MOUSE_EVENTS = ALL_MOUSE_EVENTS;

/* C globals trip Swift 6 strict concurrency: read them through functions. */
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_cols(void) { return COLS; }
static inline int cn_key_f(int n) { return KEY_F(n); }
static inline const char *cn_codeset(void) { return nl_langinfo(CODESET); }

/* Crash-safe restoration: the terminal state saved before ncurses starts, and the capability strings that undo
   its modes, kept in plain C storage so an async-signal handler can use them with write(2) and tcsetattr(3). */
typedef struct {
    struct termios saved;
    int saved_valid;
    char seq[256];
    size_t len;
} cn_restore_state;

/* Function-local storage: the Swift importer emits it with the function (file-scope statics are not emitted). */
static inline cn_restore_state *cn_restore(void) {
    static cn_restore_state state;
    return &state;
}

static inline void cn_save_termios(void) {
    cn_restore()->saved_valid = tcgetattr(STDIN_FILENO, &cn_restore()->saved) == 0;
}

static inline void cn_append_cap(const char *name) {
    char *s = tigetstr((char *)name);
    if (s == NULL || s == (char *)-1) return;
    size_t n = strlen(s);
    cn_restore_state *st = cn_restore();
    if (st->len + n < sizeof(st->seq)) {
        memcpy(st->seq + st->len, s, n);
        st->len += n;
    }
}

/* After newterm: remember how to leave the alternate screen, show the cursor and reset attributes. */
static inline void cn_prepare_restore(void) {
    cn_restore()->len = 0;
    cn_append_cap("sgr0");
    cn_append_cap("cnorm");
    cn_append_cap("rmcup");
    cn_append_cap("rmkx");
    /* Mouse reporting off (xterm protocol, used by ncurses for xterm-likes). */
    const char *mouse_off = "\033[?1000l\033[?1002l\033[?1006l";
    size_t n = strlen(mouse_off);
    cn_restore_state *st = cn_restore();
    if (st->len + n < sizeof(st->seq)) {
        memcpy(st->seq + st->len, mouse_off, n);
        st->len += n;
    }
}

static void cn_fatal_handler(int sig) {
    cn_restore_state *st = cn_restore();
    if (st->saved_valid) tcsetattr(STDIN_FILENO, TCSANOW, &st->saved);
    if (st->len > 0) { ssize_t r = write(STDOUT_FILENO, st->seq, st->len); (void)r; }
    const char *msg = "\r\ntracemind: crashed; the terminal was restored\r\n";
    ssize_t r2 = write(STDERR_FILENO, msg, strlen(msg)); (void)r2;
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Fatal signals (a Swift trap is SIGILL or SIGTRAP) restore the terminal before the process dies. */
static inline void cn_install_fatal_handlers(void) {
    int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) signal(sigs[i], cn_fatal_handler);
}

static inline void cn_remove_fatal_handlers(void) {
    int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) signal(sigs[i], SIG_DFL);
}
#endif
