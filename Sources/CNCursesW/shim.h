#ifndef TRACEMIND_CNCURSESW_SHIM_H
#define TRACEMIND_CNCURSESW_SHIM_H
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <stdio.h>
#include <unistd.h>
#include <ncurses.h>

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
#endif
