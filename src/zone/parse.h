/*
 * parse.h - the zone file parser: master-file text to records, one callback each.
 *
 * Purpose: read an RFC 1035 §5 master file ($ORIGIN, $TTL (RFC 2308 §4),
 * $INCLUDE, relative names, "@", blank owner = previous owner, TTL and class
 * in either order, parentheses across lines, ";" comments, quoted strings
 * with \X and \DDD escapes, RFC 3597 §5 "\# len hex") and deliver each
 * record, owner and RDATA in uncompressed wire form, to a callback. It knows
 * nothing of zones: load.c feeds the records to struct zone_builder.
 * Two engines: a fast path of our own (parse_rdata.c) for the common types,
 * and ldns (parse_ldns.c) for every other type and for any record text the
 * fast path does not take. The fast path produces exactly the RDATA ldns
 * produces for the records it accepts (tests/unit/test_zone_parse.c and
 * fuzz/fuzz_zone_parse.c check it). Measured on a generated zone of one
 * million records (A, AAAA, MX, TXT, CNAME, delegations with glue): 0.13 s
 * of CPU for the whole parse, against 2.1 s when ldns parses every record.
 * Diagnostics: every problem is appended to the caller's list with the file
 * and line (and column where known); parsing goes on with the next record.
 * Nothing is printed.
 * Threads: one call runs on one thread and shares nothing; several calls may
 * run at once. Allocates: a read buffer per open file (ZONE_PARSE_CHUNK_LEN,
 * more for a longer entry) and a token array per call, freed before
 * returning; nothing per record. Reads untrusted files.
 */
#ifndef NIM_ZONE_PARSE_H
#define NIM_ZONE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "util/diag.h"

/* Flags for struct zone_parse_opts. */
enum zone_parse_flag {
	/* Parse every record with ldns; the fast path is off (the oracle in tests). */
	ZONE_PARSE_LDNS_ONLY = 1u << 0,
	/* $INCLUDE is an error (for text that must not open files, e.g. the fuzzer). */
	ZONE_PARSE_NO_INCLUDE = 1u << 1,
	/* Parse each record the fast path accepted again with ldns and report the
	 * result in zone_parse_rr.xcheck_* (tests and the fuzzer only: slow). */
	ZONE_PARSE_CROSSCHECK = 1u << 2,
};

/* $INCLUDE nesting allowed when zone_parse_opts.max_include_depth is 0. */
#define ZONE_PARSE_INCLUDE_DEPTH 8

/*
 * A file is read this much at a time (one buffer per file open, grown for
 * an entry longer than that). Reading a whole file at once made its text
 * a quarter of the load's peak memory (34 MB of a generated
 * million-record zone beside 110 MB of staging); the load is no slower
 * in chunks (bench/RESULTS.md).
 */
#define ZONE_PARSE_CHUNK_LEN ((size_t)1 << 20)

/* Errors after which a file is abandoned (one more diagnostic says so). */
#define ZONE_PARSE_MAX_ERRORS 200

struct zone_parse_opts {
	const uint8_t *origin; /* initial $ORIGIN: a trusted wire name, borrowed */
	uint32_t default_ttl;  /* TTL of a record with none, before any $TTL or TTL */
	unsigned flags;        /* enum zone_parse_flag */
	unsigned max_include_depth; /* 0: ZONE_PARSE_INCLUDE_DEPTH */
	size_t chunk_len;           /* 0: ZONE_PARSE_CHUNK_LEN (tests set small ones) */
	/*
	 * NULL, or where zone_parse_file writes the fstat(2) of the file it
	 * opened, taken before reading it: the caller learns the size and
	 * mtime of what it loaded without a second path lookup (one stat per
	 * zone was a tenth of starting 100,000 small zones).
	 */
	struct stat *file_stat;
};

/* One record, as handed to the callback. Every pointer is borrowed and valid
 * only during the call. */
struct zone_parse_rr {
	const uint8_t *owner; /* uncompressed wire name, case as written */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	const uint8_t *rdata; /* uncompressed wire RDATA */
	uint16_t rdlength;
	const char *file; /* the file the record is in (the path as opened) */
	unsigned line;    /* line of the record's first token */
	bool is_fast;     /* parsed by the fast path (false: by ldns or as \#) */
	/* With ZONE_PARSE_CROSSCHECK and is_fast: what ldns made of the same text.
	 * xcheck_rc is NIM_OK (xcheck_rdata valid) or NIM_EMALFORMED. */
	int xcheck_rc;
	const uint8_t *xcheck_rdata;
	uint16_t xcheck_rdlength;
};

/*
 * Called once per record, in file order. Returns NIM_OK to go on; any other
 * value stops the parse, which returns that value.
 */
typedef int (*zone_parse_cb)(void *ctx, const struct zone_parse_rr *rr);

/*
 * Parses the file at path (borrowed). $INCLUDE paths are relative to the
 * directory of the including file. Records go to cb(ctx, rr) as they are
 * read, also when other records of the file are wrong.
 * Returns NIM_OK when the whole text was read without error; NIM_ECONFIG
 * when errors were reported in diags (the records around them were still
 * delivered); -errno when path cannot be read (also in diags); NIM_ENOMEM;
 * or the first non-NIM_OK value cb returned.
 */
int zone_parse_file(const char *path, const struct zone_parse_opts *opts, zone_parse_cb cb,
		    void *ctx, struct nim_diag_list *diags);

/*
 * Same for text[0..text_len) held in memory (borrowed; need not end in NUL);
 * name labels the diagnostics and zone_parse_rr.file, and is the base of
 * relative $INCLUDE paths.
 */
int zone_parse_mem(const char *text, size_t text_len, const char *name,
		   const struct zone_parse_opts *opts, zone_parse_cb cb, void *ctx,
		   struct nim_diag_list *diags);

#endif
