#ifndef TRACEMIND_CPROCESS_H
#define TRACEMIND_CPROCESS_H
#include <stddef.h>

/* Process-level safety that must work inside a signal handler, so it is C: files to remove if the process is
   killed (partial downloads), bytes that restore the terminal, and handlers for every signal whose default action
   ends the process. Everything a handler touches is plain static storage; it uses only async-signal-safe calls. */

/* Remembers a file to remove if the process ends by a signal or exits; returns its slot, or -1 if all are taken. */
int tm_partial_add(const char *path);
/* Forgets a slot (the file was renamed into place or removed). */
void tm_partial_remove(int slot);
/* Removes every remembered file (async-signal-safe). */
void tm_partial_cleanup(void);

/* The terminal state to put back (saved termios of stdin and the bytes that leave the alternate screen), set by
   the terminal backend after it starts, cleared when it has restored the terminal itself. */
void tm_terminal_restore_set(const void *termios_state, size_t termios_size, const char *seq, size_t len);
void tm_terminal_restore_clear(void);

/* Installs handlers for every signal whose default action ends the process: partial files are removed, the
   terminal (if set) is restored, then the signal's default action runs (so the exit status says which signal).
   `graceful`: SIGINT, SIGTERM, SIGHUP and SIGQUIT only set a flag (`tm_termination_signal`) that the caller polls;
   otherwise they end the process like the others. With `graceful` (the browser), crash signals (SEGV, BUS, ILL,
   TRAP, ABRT, FPE) restore the terminal too, with a note that the program crashed. SIGPIPE takes its default action (a report piped into `head`
   ends quietly with status 141). A signal the process was started with ignored (`nohup`, a shell's background job)
   stays ignored. */
void tm_install_signal_handlers(int graceful);
/* The signal that asked for a graceful end, or 0. */
int tm_termination_signal(void);
/* For a short-lived process that makes hundreds of thousands of small objects on all cores (a report over 10,000
   runs): the allocator grows each arena's heap 64 MB at a time instead of a few pages (2,500 mprotect calls on the
   way, a tenth of a warm leaderboard of 10,000 runs); what it takes is only reserved until written. Not for a
   long-lived process: up to that much freed memory stays with it. Nothing where the C library is not glibc. */
void tm_allocator_for_short_lived_work(void);

/* A thread started beside the calling one, to work while it works (a run's results read while its traces are): the
   scheduler places a new thread on its creator's core and lets it run there first, so the creator waited, ready,
   while the other core idled until the next balancing (0.4-4 ms of a ~35 ms run, in four of six traced runs).
   `tm_thread_attr_elsewhere` sets `attr`'s CPUs to those the caller may run on but its current one (and returns 1),
   or leaves them (0: one CPU, or no way to tell); the thread, once running, calls `tm_thread_anywhere` to take the
   process's CPUs back, so that it moves as any thread does. */
int tm_thread_attr_elsewhere(void *attr /* pthread_attr_t */);
void tm_thread_anywhere(void);
/* How many CPUs the calling thread may run on (0: cannot tell). */
int tm_thread_cpu_count(void);

/* Guards a read-only mapping of a file (`start`, `length` bytes) against the file being cut short under it: an access
   past the file's new end, which would raise SIGBUS and end the process, reads a page of zeros instead and marks the
   mapping damaged. The first call installs the SIGBUS handler; a SIGBUS anywhere else gets the action that was there
   before (or the one `tm_install_signal_handlers` sets since). Returns a slot, or -1 when all 64 are taken (the
   caller reads the file instead). Remove the slot before unmapping. */
int tm_map_guard_add(const void *start, size_t length);
/* Whether an access past the end was turned into zeros since the slot was added. */
int tm_map_guard_damaged(int slot);
void tm_map_guard_remove(int slot);
/* `strtod` in the "C" locale, whatever the process's. */
double tm_strtod_c(const char *text);
#endif
