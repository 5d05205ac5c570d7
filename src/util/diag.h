/*
 * diag.h - located diagnostics for configuration and zone loaders.
 *
 * Purpose: loaders never print. They append one nim_diag per problem (file,
 * line, column, severity, message) to a list the caller owns, keep going so
 * that every problem is reported, and the caller renders each entry as
 * "file:line:col: severity: message".
 * Threads: a list belongs to one thread at a time. Allocates: each entry and
 * its strings on the heap; nim_diag_list_clear() frees them all.
 */
#ifndef NIM_UTIL_DIAG_H
#define NIM_UTIL_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum nim_diag_severity {
	NIM_DIAG_ERROR,
	NIM_DIAG_WARNING,
	NIM_DIAG_NOTE,
};

struct nim_diag {
	struct nim_diag *next;
	char *file;    /* owned; may be NULL when the input has no file name */
	unsigned line; /* 1-based; 0 when unknown */
	unsigned col;  /* 1-based; 0 when unknown */
	enum nim_diag_severity severity;
	char *message; /* owned */
};

struct nim_diag_list {
	struct nim_diag *head;
	struct nim_diag *tail;
	size_t n_errors;
	size_t n_warnings;
	int is_oom; /* set when an entry could not be recorded */
};

/* Initialises an empty list. */
void nim_diag_list_init(struct nim_diag_list *list);

/* Frees every entry; the list is empty and reusable afterwards. */
void nim_diag_list_clear(struct nim_diag_list *list);

/*
 * Appends a diagnostic. file is copied. On allocation failure the entry is
 * lost but counted and list->is_oom is set, so an error is never forgotten.
 */
void nim_diag_add(struct nim_diag_list *list, enum nim_diag_severity severity, const char *file,
		  unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

void nim_diag_addv(struct nim_diag_list *list, enum nim_diag_severity severity, const char *file,
		   unsigned line, unsigned col, const char *fmt, va_list ap);

/* Writes one diagnostic as "file:line:col: severity: message" (no newline). */
int nim_diag_format(const struct nim_diag *diag, char *out, size_t out_cap);

/*
 * Logs every diagnostic (util/log.h), errors at level error and the rest at
 * level warning, and a line of its own if some were lost to memory.
 */
void nim_diag_list_log(const struct nim_diag_list *list);

/* Writes every diagnostic, one per line, to stream. */
void nim_diag_list_print(const struct nim_diag_list *list, FILE *stream);

#endif
