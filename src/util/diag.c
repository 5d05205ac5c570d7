#include "util/diag.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

void nim_diag_list_init(struct nim_diag_list *list)
{
	memset(list, 0, sizeof(*list));
}

void nim_diag_list_clear(struct nim_diag_list *list)
{
	struct nim_diag *d = list->head;
	while (d != NULL) {
		struct nim_diag *next = d->next;
		free(d->file);
		free(d->message);
		free(d);
		d = next;
	}
	nim_diag_list_init(list);
}

void nim_diag_addv(struct nim_diag_list *list, enum nim_diag_severity severity, const char *file,
		   unsigned line, unsigned col, const char *fmt, va_list ap)
{
	if (severity == NIM_DIAG_ERROR)
		list->n_errors++;
	else if (severity == NIM_DIAG_WARNING)
		list->n_warnings++;

	struct nim_diag *d = calloc(1, sizeof(*d));
	if (d == NULL)
		goto oom;
	if (vasprintf(&d->message, fmt, ap) < 0) {
		d->message = NULL;
		goto oom;
	}
	if (file != NULL && (d->file = strdup(file)) == NULL)
		goto oom;
	d->line = line;
	d->col = col;
	d->severity = severity;
	if (list->tail != NULL)
		list->tail->next = d;
	else
		list->head = d;
	list->tail = d;
	return;
oom:
	if (d != NULL) {
		free(d->message);
		free(d);
	}
	list->is_oom = 1;
}

void nim_diag_add(struct nim_diag_list *list, enum nim_diag_severity severity, const char *file,
		  unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	nim_diag_addv(list, severity, file, line, col, fmt, ap);
	va_end(ap);
}

static const char *severity_name(enum nim_diag_severity s)
{
	switch (s) {
	case NIM_DIAG_ERROR:
		return "error";
	case NIM_DIAG_WARNING:
		return "warning";
	default:
		return "note";
	}
}

int nim_diag_format(const struct nim_diag *d, char *out, size_t out_cap)
{
	const char *file = d->file != NULL ? d->file : "<input>";
	if (d->line > 0 && d->col > 0)
		return snprintf(out, out_cap, "%s:%u:%u: %s: %s", file, d->line, d->col,
				severity_name(d->severity), d->message);
	if (d->line > 0)
		return snprintf(out, out_cap, "%s:%u: %s: %s", file, d->line,
				severity_name(d->severity), d->message);
	return snprintf(out, out_cap, "%s: %s: %s", file, severity_name(d->severity), d->message);
}

void nim_diag_list_print(const struct nim_diag_list *list, FILE *stream)
{
	char line[1024];
	for (const struct nim_diag *d = list->head; d != NULL; d = d->next) {
		nim_diag_format(d, line, sizeof(line));
		fprintf(stream, "%s\n", line);
	}
	if (list->is_oom)
		fprintf(stream, "out of memory: some diagnostics were lost\n");
}

void nim_diag_list_log(const struct nim_diag_list *list)
{
	char line[1024];
	for (const struct nim_diag *d = list->head; d != NULL; d = d->next) {
		nim_diag_format(d, line, sizeof(line));
		if (d->severity == NIM_DIAG_ERROR)
			log_error("%s", line);
		else
			log_warning("%s", line);
	}
	if (list->is_oom)
		log_error("out of memory: some diagnostics were lost");
}
