/*
 * load.c - zone_load_file: the parser (parse.h) feeding a zone builder.
 *
 * The builder keeps each record's file name until it is freed, to locate
 * its later diagnostics; the parser's names live only during a callback.
 * So the loader keeps its own copy of every file name it has seen (the
 * zone file and its $INCLUDEs: a handful) until the builder is gone.
 */
#include "zone/load.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "zone/builder.h"
#include "zone/parse.h"

/* TTL of a record that has none, before any $TTL (NSD, Knot and ldns use the same). */
#define LOAD_DEFAULT_TTL 3600

struct load_ctx {
	struct zone_builder *builder;
	struct nim_diag_list *diags;
	char **files; /* owned copies of file names */
	size_t n_files;
	const char *last_parser_file; /* parser's pointer for files[n_files - 1] */
	bool has_errors;
};

/* Our stable copy of the parser's file name. */
static const char *intern_file(struct load_ctx *lc, const char *file)
{
	if (lc->n_files > 0 && file == lc->last_parser_file &&
	    strcmp(file, lc->files[lc->n_files - 1]) == 0)
		return lc->files[lc->n_files - 1];
	for (size_t i = 0; i < lc->n_files; i++)
		if (strcmp(lc->files[i], file) == 0) {
			/* Move it last so that the fast check above hits next time. */
			char *f = lc->files[i];
			lc->files[i] = lc->files[lc->n_files - 1];
			lc->files[lc->n_files - 1] = f;
			lc->last_parser_file = file;
			return f;
		}
	char **files = realloc(lc->files, (lc->n_files + 1) * sizeof(*files));
	if (files == NULL)
		return NULL;
	lc->files = files;
	char *copy = strdup(file);
	if (copy == NULL)
		return NULL;
	lc->files[lc->n_files++] = copy;
	lc->last_parser_file = file;
	return copy;
}

static int on_record(void *ctx, const struct zone_parse_rr *rr)
{
	struct load_ctx *lc = ctx;
	const char *file = intern_file(lc, rr->file);

	if (file == NULL)
		return NIM_ENOMEM;
	int rc = zone_builder_add(lc->builder, rr->owner, rr->type, rr->rclass, rr->ttl, rr->rdata,
				  rr->rdlength, file, rr->line);
	if (rc == NIM_EMALFORMED) {
		/* The parser checks RDATA against the type's layout already; this
		 * stays as a net under a builder with stricter checks. */
		nim_diag_add(lc->diags, NIM_DIAG_ERROR, rr->file, rr->line, 0,
			     "record does not fit its type");
		lc->has_errors = true;
		return NIM_OK;
	}
	return rc;
}

/*
 * Zone-wide problems (no SOA, no apex NS) belong to no record, and an empty
 * zone has no record to point at: name the zone file for them.
 */
static void locate_zone_diags(struct nim_diag_list *diags, struct nim_diag *first,
			      const char *path)
{
	for (struct nim_diag *d = first; d != NULL; d = d->next) {
		if (d->file == NULL)
			d->file = strdup(path); /* on failure the diagnostic stays unlocated */
	}
}

int zone_load_file(const char *path, const uint8_t *origin, struct nim_diag_list *diags,
		   struct zone_version **out)
{
	return zone_load_file_opts(path, origin, NULL, diags, out);
}

int zone_load_file_opts(const char *path, const uint8_t *origin,
			const struct zone_load_opts *load_opts, struct nim_diag_list *diags,
			struct zone_version **out)
{
	struct load_ctx lc = {.diags = diags};
	struct zone_parse_opts opts = {.origin = origin, .default_ttl = LOAD_DEFAULT_TTL};
	struct zone_version *version = NULL;
	int rc;

	lc.builder = zone_builder_new(origin);
	if (lc.builder == NULL)
		return NIM_ENOMEM;
	if (load_opts != NULL) {
		zone_builder_set_nsec3_max_iterations(lc.builder, load_opts->nsec3_max_iterations);
		opts.file_stat = load_opts->file_stat;
	}
	rc = zone_parse_file(path, &opts, on_record, &lc, diags);
	if (rc == NIM_OK && lc.has_errors)
		rc = NIM_ECONFIG;
	if (rc == NIM_OK) {
		struct nim_diag *last = diags->tail;
		rc = zone_builder_finish(lc.builder, diags, &version);
		locate_zone_diags(diags, last != NULL ? last->next : diags->head, path);
	}
	zone_builder_free(lc.builder);
	for (size_t i = 0; i < lc.n_files; i++)
		free(lc.files[i]);
	free(lc.files);
	if (rc == NIM_OK)
		*out = version;
	return rc;
}
