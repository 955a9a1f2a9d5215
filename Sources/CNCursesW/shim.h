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
#include <poll.h>
#include <time.h>

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

/* Hands the saved terminal state and the restore bytes to the process's signal handlers (CProcess). */
void tm_terminal_restore_set(const void *termios_state, size_t termios_size, const char *seq, size_t len);
static inline void cn_publish_restore(void) {
    cn_restore_state *st = cn_restore();
    tm_terminal_restore_set(st->saved_valid ? &st->saved : NULL, sizeof(st->saved), st->seq, st->len);
}
/* Asks the terminal for its background colour (OSC 11) before the screen starts, followed by a device-attributes
   query (DA1) that every terminal answers, so a terminal that ignores OSC 11 costs one round trip, not the timeout.
   Writes the reply's bytes (up to cap) into buf and returns how many were read; 0 if stdin/stdout are not a
   terminal or nothing came within timeout_ms. The terminal's modes are put back before returning. */
static inline int cn_query_background(char *buf, int cap, int timeout_ms) {
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || cap < 2) return 0;
    struct termios old, raw;
    if (tcgetattr(STDIN_FILENO, &old) != 0) return 0;
    raw = old;
    raw.c_lflag &= ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0) return 0;
    const char q[] = "\033]11;?\033\\\033[c";
    ssize_t w = write(STDOUT_FILENO, q, sizeof q - 1);
    int n = 0;
    if (w == (ssize_t)(sizeof q - 1)) {
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
            if (spent >= timeout_ms || n >= cap - 1) break;
            struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
            if (poll(&p, 1, (int)(timeout_ms - spent)) <= 0) break;
            ssize_t r = read(STDIN_FILENO, buf + n, (size_t)(cap - 1 - n));
            if (r <= 0) break;
            n += (int)r;
            /* The DA1 answer ends in 'c' after "\033[?": everything asked has been answered. */
            char *da = NULL;
            for (int i = 0; i + 2 < n; i++) if (buf[i] == 033 && buf[i + 1] == '[' && buf[i + 2] == '?') da = buf + i;
            if (da != NULL && memchr(da, 'c', (size_t)(buf + n - da)) != NULL) break;
        }
    }
    buf[n] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    return n;
}

#endif
