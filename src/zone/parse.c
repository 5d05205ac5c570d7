/*
 * parse.c - the zone file parser: reading, tokens, directives, owner, TTL,
 * class and type; RDATA goes to parse_rdata.c (fast path) or parse_ldns.c.
 *
 * A file is read in chunks (ZONE_PARSE_CHUNK_LEN) into one buffer whose
 * visible text ends after its last whole line, in a sentinel NUL, and a
 * table-driven scanner cuts it into entries (one record or directive: a
 * line, or several joined by parentheses) of tokens that point into the
 * buffer. An entry still open where the visible text ends (parentheses
 * across the cut) is scanned again once the next chunk is in, with the
 * buffer grown if one entry outgrows it. So a large zone file is never
 * resident beside the records made from it (it would be a quarter of the
 * load's peak). Nothing is allocated per record: the token array grows
 * only when an entry has more tokens than any before it. This is what makes
 * the load of a million-record zone take a fraction of a second where
 * ldns_rr_new_frm_fp_l takes three (it copies every token and allocates
 * every field).
 */
#include "zone/parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/error.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "zone/parse_internal.h"

/* Character classes of the scanner. */
enum {
	C_TEXT = 0,
	C_SPACE, /* space, tab, CR */
	C_NL,
	C_SEMI,
	C_OPEN,
	C_CLOSE,
	C_QUOTE,
	C_ESC,
	C_NUL, /* the sentinel, or a NUL octet in the text */
};

static uint8_t cclass[256];

static void cclass_init(void)
{
	/* Idempotent and cheap: several threads may run it at once harmlessly. */
	cclass[' '] = C_SPACE;
	cclass['\t'] = C_SPACE;
	cclass['\r'] = C_SPACE;
	cclass['\n'] = C_NL;
	cclass[';'] = C_SEMI;
	cclass['('] = C_OPEN;
	cclass[')'] = C_CLOSE;
	cclass['"'] = C_QUOTE;
	cclass['\\'] = C_ESC;
	cclass[0] = C_NUL;
}

/*
 * One file (or memory text) being read. The scanner sees [text, end), with
 * *end == '\0' (the sentinel); for a file, buf holds the chunks read so far
 * and end is after the last newline among them until the end of the file.
 */
struct source {
	const char *name;
	const char *text;
	const char *end;
	const char *p;
	unsigned line;
	bool is_eof;     /* nothing to read beyond end: memory text, or the file read to its end */
	bool needs_more; /* next_entry stopped at end before the end of the file */
	int fd;          /* -1 for memory text */
	char *buf;       /* owned, for a file */
	size_t cap;      /* of buf, sentinel included */
	size_t fill;     /* octets read into buf */
	char hidden;     /* the octet the sentinel covers when end < buf + fill */
};

struct parser {
	const struct zone_parse_opts *opts;
	zone_parse_cb cb;
	void *ctx;
	struct nim_diag_list *diags;
	struct zone_ldns *ldns;
	struct zone_tok *tok;
	size_t tok_cap;
	uint8_t *rdata;  /* ZONE_RDATA_MAX + ZONE_RDATA_SLACK */
	uint8_t *xrdata; /* ZONE_RDATA_MAX, for ZONE_PARSE_CROSSCHECK */
	uint8_t origin[WIRE_NAME_MAXLEN];
	uint8_t prev_owner[WIRE_NAME_MAXLEN];
	bool has_prev_owner;
	uint32_t dollar_ttl; /* $TTL (RFC 2308 §4) */
	bool has_dollar_ttl;
	uint32_t last_ttl; /* the last explicit TTL (RFC 1035 §5.1) */
	bool has_last_ttl;
	uint16_t last_class;
	unsigned depth;
	size_t n_errors;
	bool is_stopped; /* too many errors, or the callback said stop */
	int stop_rc;     /* the callback's error, or NIM_ENOMEM */
};

static unsigned col_of(const struct source *src, const char *at)
{
	const char *q = at;
	while (q > src->text && q[-1] != '\n')
		q--;
	return (unsigned)(at - q) + 1;
}

static void error_at(struct parser *ps, const struct source *src, unsigned line, const char *at,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void error_at(struct parser *ps, const struct source *src, unsigned line, const char *at,
		     const char *fmt, ...)
{
	va_list ap;

	if (ps->is_stopped)
		return;
	va_start(ap, fmt);
	nim_diag_addv(ps->diags, NIM_DIAG_ERROR, src->name, line, at ? col_of(src, at) : 0, fmt,
		      ap);
	va_end(ap);
	if (++ps->n_errors >= ZONE_PARSE_MAX_ERRORS) {
		nim_diag_add(ps->diags, NIM_DIAG_ERROR, src->name, line, 0,
			     "too many errors, giving up on this zone");
		ps->is_stopped = true;
	}
}

static void error_tok(struct parser *ps, const struct source *src, const struct zone_tok *t,
		      const char *what)
{
	int len = t->len > 64 ? 64 : (int)t->len;
	error_at(ps, src, t->line, t->s - t->is_quoted, "%s '%.*s%s'", what, len, t->s,
		 t->len > 64 ? "..." : "");
}

static bool tok_is(const struct zone_tok *t, const char *word)
{
	size_t n = strlen(word);
	return !t->is_quoted && t->len == n && strncasecmp(t->s, word, n) == 0;
}

/* Grows the token array; false on out of memory. */
static bool tok_grow(struct parser *ps)
{
	size_t cap = ps->tok_cap ? ps->tok_cap * 2 : 64;
	struct zone_tok *t = realloc(ps->tok, cap * sizeof(*t));
	if (t == NULL)
		return false;
	ps->tok = t;
	ps->tok_cap = cap;
	return true;
}

/* Skips to the end of the current line (the newline stays). */
static void skip_line(struct source *src)
{
	const char *nl = memchr(src->p, '\n', (size_t)(src->end - src->p));
	src->p = nl ? nl : src->end;
}

/*
 * Reads the next entry into ps->tok. Returns the token count (0 at the end
 * of the text); *is_blank_owner tells whether it began with white space.
 * A malformed entry is reported and skipped; the next one is read instead.
 */
static size_t next_entry(struct parser *ps, struct source *src, bool *is_blank_owner)
{
	size_t n = 0;
	unsigned depth = 0, open_line = 0;
	const char *p = src->p, *open_at = NULL;
	unsigned start_line = src->line;
	bool is_line_start = true;

	src->needs_more = false;
	for (;;) {
		if (is_line_start && n == 0) {
			*is_blank_owner = (*p == ' ' || *p == '\t');
			is_line_start = false;
		}
		unsigned char c = (unsigned char)*p;
		switch (cclass[c]) {
		case C_SPACE:
			p++;
			continue;
		case C_NL:
			p++;
			src->line++;
			if (depth == 0) {
				if (n > 0)
					goto done;
				is_line_start = true;
			}
			continue;
		case C_SEMI:
			while (*p != '\n' && p < src->end)
				p++;
			continue;
		case C_OPEN:
			if (depth++ == 0) {
				open_line = src->line;
				open_at = p;
			}
			p++;
			continue;
		case C_CLOSE:
			if (depth == 0) {
				src->p = p;
				error_at(ps, src, src->line, p, "')' without '('");
				goto bad;
			}
			depth--;
			p++;
			continue;
		case C_NUL:
			if (p < src->end) {
				src->p = p;
				error_at(ps, src, src->line, p, "NUL octet in the text");
				goto bad;
			}
			if (!src->is_eof) {
				/* The entry may go on in the next chunk: scan it again from its start then. */
				src->needs_more = true;
				if (n > 0 || depth > 0) {
					src->line = start_line;
					return 0;
				}
				goto done;
			}
			if (depth > 0) {
				src->p = p;
				error_at(ps, src, open_line, open_at, "'(' not closed before end of file");
				n = 0;
			}
			goto done;
		default:
			break;
		}
		if (n == ps->tok_cap && !tok_grow(ps)) {
			ps->is_stopped = true;
			ps->stop_rc = NIM_ENOMEM;
			n = 0;
			goto done;
		}
		struct zone_tok *t = &ps->tok[n++];
		t->line = src->line;
		t->has_escape = 0;
		if (c == '"') {
			t->is_quoted = 1;
			t->s = ++p;
			for (;;) {
				c = (unsigned char)*p;
				if (c == '"')
					break;
				if (c == '\\' && p + 1 < src->end && p[1] != '\n') {
					t->has_escape = 1;
					p += 2;
					continue;
				}
				if (c == '\n' || p >= src->end || c == 0) {
					src->p = t->s - 1;
					error_at(ps, src, t->line, t->s - 1,
						 "quoted string not closed on its line");
					goto bad;
				}
				p++;
			}
			t->len = (uint32_t)(p - t->s);
			p++;
			continue;
		}
		t->is_quoted = 0;
		t->s = p;
		for (;;) {
			c = (unsigned char)*p;
			if (cclass[c] == C_TEXT) {
				p++;
			} else if (c == '\\' && p + 1 < src->end && cclass[(unsigned char)p[1]] != C_NL &&
				   p[1] != 0) {
				t->has_escape = 1;
				p += 2;
			} else if (c == '\\') {
				p++; /* a lone backslash at the end of a line: the value checks reject it */
				t->has_escape = 1;
			} else {
				break;
			}
		}
		t->len = (uint32_t)(p - t->s);
	}
bad:
	/* Drop the entry: skip the rest of the line and any parenthesised tail. */
	skip_line(src);
	*is_blank_owner = false;
	return 0;
done:
	src->p = p;
	return n;
}

/* A TTL: decimal seconds, or BIND units (1w2d3h4m5s, any case). */
static bool parse_ttl(const struct zone_tok *t, uint32_t *out)
{
	uint64_t total = 0;
	const char *s = t->s, *e = t->s + t->len;

	if (t->is_quoted || s == e)
		return false;
	while (s < e) {
		uint64_t v = 0;
		const char *d = s;
		while (s < e && *s >= '0' && *s <= '9' && s - d < 11)
			v = v * 10 + (uint64_t)(*s++ - '0');
		if (s == d)
			return false;
		if (s < e) {
			switch (*s | 0x20) {
			case 's': break;
			case 'm': v *= 60; break;
			case 'h': v *= 3600; break;
			case 'd': v *= 86400; break;
			case 'w': v *= 604800; break;
			default: return false;
			}
			s++;
		} else if (d != t->s) {
			return false; /* "1h30": the unit of the last number is missing */
		}
		total += v;
		if (total > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)total;
	return true;
}

/* IN, CH, HS, CS or CLASSnnn (RFC 3597 §5). */
static bool parse_class(const struct zone_tok *t, uint16_t *out)
{
	if (t->is_quoted)
		return false;
	if (t->len == 2) {
		static const struct { char name[3]; uint16_t v; } k[] = {
			{"IN", 1}, {"CS", 2}, {"CH", 3}, {"HS", 4}};
		for (size_t i = 0; i < 4; i++)
			if (strncasecmp(t->s, k[i].name, 2) == 0) {
				*out = k[i].v;
				return true;
			}
		return false;
	}
	if (t->len > 5 && t->len <= 10 && strncasecmp(t->s, "CLASS", 5) == 0) {
		uint32_t v = 0;
		for (size_t i = 5; i < t->len; i++) {
			if (t->s[i] < '0' || t->s[i] > '9')
				return false;
			v = v * 10 + (uint32_t)(t->s[i] - '0');
		}
		if (v > 65535)
			return false;
		*out = (uint16_t)v;
		return true;
	}
	return false;
}

static void emit(struct parser *ps, const struct source *src, struct zone_parse_rr *rr)
{
	if (ps->is_stopped)
		return;
	rr->file = src->name;
	int rc = ps->cb(ps->ctx, rr);
	if (rc != NIM_OK) {
		ps->is_stopped = true;
		ps->stop_rc = rc;
	}
}

/* RFC 3597 §5: "\# <length> <hex>...". rd[0] is the "\#" token. */
static bool parse_generic(struct parser *ps, const struct source *src, const struct zone_tok *rd,
			  size_t n_rd, size_t *out_len)
{
	uint32_t want = 0;
	size_t have = 0;

	if (n_rd < 2) {
		error_at(ps, src, rd[0].line, rd[0].s, "'\\#' without a length");
		return false;
	}
	const struct zone_tok *lt = &rd[1];
	for (size_t i = 0; i < lt->len; i++) {
		if (lt->is_quoted || lt->s[i] < '0' || lt->s[i] > '9' || i >= 5) {
			error_tok(ps, src, lt, "bad RDATA length");
			return false;
		}
		want = want * 10 + (uint32_t)(lt->s[i] - '0');
	}
	if (want > ZONE_RDATA_MAX) {
		error_tok(ps, src, lt, "RDATA length above 65535");
		return false;
	}
	int hi = -1;
	for (size_t k = 2; k < n_rd; k++) {
		for (size_t i = 0; i < rd[k].len; i++) {
			char c = rd[k].s[i];
			int v = (c >= '0' && c <= '9')   ? c - '0'
				: ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') ? (c | 0x20) - 'a' + 10
									     : -1;
			if (v < 0 || rd[k].is_quoted) {
				error_tok(ps, src, &rd[k], "bad hexadecimal RDATA");
				return false;
			}
			if (hi < 0) {
				hi = v;
				continue;
			}
			if (have >= want) {
				error_at(ps, src, rd[k].line, rd[k].s, "more RDATA than the length %u",
					 (unsigned)want);
				return false;
			}
			ps->rdata[have++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0 || have != want) {
		error_at(ps, src, rd[0].line, rd[0].s, "RDATA has %zu%s octets, the length says %u",
			 have, hi >= 0 ? " and a half" : "", (unsigned)want);
		return false;
	}
	*out_len = have;
	return true;
}

static const char *type_str(uint16_t type, char out[16])
{
	wire_type_to_str(type, out, 16);
	return out;
}

/* The RDATA of one record, by whichever engine applies; false if reported bad. */
static bool record_rdata(struct parser *ps, const struct source *src, const struct zone_tok *tt,
			 struct zone_parse_rr *rr, const struct zone_tok *rd, size_t n_rd)
{
	/* The mnemonic, for messages only: written when needed because
	 * snprintf for every record would cost 5% of a load. */
	char tname[16];
	size_t len = 0;
	const char *err = NULL;

	if (n_rd == 0) {
		error_at(ps, src, tt->line, tt->s, "%s record without RDATA", type_str(rr->type, tname));
		return false;
	}
	if (!rd[0].is_quoted && rd[0].len == 2 && rd[0].s[0] == '\\' && rd[0].s[1] == '#') {
		if (!parse_generic(ps, src, rd, n_rd, &len))
			return false;
		goto check;
	}
	struct zone_fast_out fo = {.rdata = ps->rdata};
	enum zone_fast_rc frc = ZONE_FAST_NO;
	if (!(ps->opts->flags & ZONE_PARSE_LDNS_ONLY) && zone_fast_handles(rr->type))
		frc = zone_fast_rdata(rr->type, rd, n_rd, ps->origin, &fo);
	if (frc == ZONE_FAST_OK) {
		rr->is_fast = true;
		rr->rdata = ps->rdata;
		rr->rdlength = (uint16_t)fo.rdlength;
		if (ps->opts->flags & ZONE_PARSE_CROSSCHECK) {
			size_t xlen = 0;
			rr->xcheck_rc = zone_ldns_rdata(ps->ldns, tt, rr->type, rd, n_rd, ps->origin,
							ps->xrdata, &xlen, &err);
			rr->xcheck_rdata = ps->xrdata;
			rr->xcheck_rdlength = (uint16_t)xlen;
		}
		return true;
	}
	if (frc == ZONE_FAST_ERR) {
		const struct zone_tok *at = fo.why_tok < n_rd ? &rd[fo.why_tok] : tt;
		error_at(ps, src, at->line, at->s, "%s record: %s", type_str(rr->type, tname), fo.why);
		return false;
	}
	int rc = zone_ldns_rdata(ps->ldns, tt, rr->type, rd, n_rd, ps->origin, ps->rdata, &len,
				 &err);
	if (rc == NIM_ENOMEM) {
		ps->is_stopped = true;
		ps->stop_rc = rc;
		return false;
	}
	if (rc != NIM_OK) {
		if (fo.why != NULL && fo.why_tok < n_rd) {
			const struct zone_tok *at = &rd[fo.why_tok];
			error_at(ps, src, at->line, at->s, "%s record: %s '%.*s'", type_str(rr->type, tname), fo.why,
				 (int)(at->len > 64 ? 64 : at->len), at->s);
		} else {
			error_at(ps, src, tt->line, rd[0].s, "%s record: bad RDATA (%s)", type_str(rr->type, tname),
				 err ? err : "ldns");
		}
		return false;
	}
check:
	/* ldns accepts missing fields (it reads update prerequisites too), and
	 * \# may hold anything: hold both to the type's layout. */
	if (wire_rdata_check_flat(rr->type, ps->rdata, len) != NIM_OK) {
		error_at(ps, src, tt->line, rd[0].s, "%s record: RDATA incomplete or malformed",
			 type_str(rr->type, tname));
		return false;
	}
	rr->rdata = ps->rdata;
	rr->rdlength = (uint16_t)len;
	return true;
}

static void do_record(struct parser *ps, const struct source *src, const struct zone_tok *t,
		      size_t n, bool is_blank_owner)
{
	uint8_t owner[WIRE_NAME_MAXLEN];
	size_t owner_len, i = 0;
	bool has_ttl = false, has_class = false;
	struct zone_parse_rr rr = {.rclass = ps->last_class, .line = t[0].line};

	if (!is_blank_owner) {
		if (!zone_tok_name(&t[0], ps->origin, owner, &owner_len)) {
			error_tok(ps, src, &t[0], "bad owner name");
			/* Later blank-owner records would silently go to the wrong owner. */
			ps->has_prev_owner = false;
			return;
		}
		memcpy(ps->prev_owner, owner, owner_len);
		ps->has_prev_owner = true;
		i = 1;
	} else if (!ps->has_prev_owner) {
		error_at(ps, src, t[0].line, NULL, "record without owner name and no previous owner");
		return;
	}
	rr.owner = ps->prev_owner;
	for (; i < n && (!has_ttl || !has_class); i++) {
		if (!has_ttl && !t[i].is_quoted && t[i].s[0] >= '0' && t[i].s[0] <= '9') {
			if (!parse_ttl(&t[i], &rr.ttl)) {
				error_tok(ps, src, &t[i], "bad TTL");
				return;
			}
			has_ttl = true;
		} else if (!has_class && parse_class(&t[i], &rr.rclass)) {
			has_class = true;
		} else {
			break;
		}
	}
	if (i >= n) {
		error_at(ps, src, t[0].line, NULL, "record without type");
		return;
	}
	const struct zone_tok *tt = &t[i++];
	if (!zone_tok_type(tt, &rr.type)) {
		/* ldns knows a few mnemonics we do not; but it reads "TYPE65635x"
		 * with atoi, so what wire_type_from_str refused stays refused. */
		bool is_generic = tt->len >= 4 && strncasecmp(tt->s, "TYPE", 4) == 0;
		rr.type = tt->is_quoted || is_generic ? 0 : zone_ldns_type(ps->ldns, tt);
		if (rr.type == 0) {
			error_tok(ps, src, tt, "unknown type");
			return;
		}
	}
	if (wire_type_is_meta(rr.type)) {
		error_tok(ps, src, tt, "type not allowed in zone data");
		return;
	}
	if (has_ttl) {
		ps->last_ttl = rr.ttl;
		ps->has_last_ttl = true;
	} else if (ps->has_dollar_ttl) {
		rr.ttl = ps->dollar_ttl;
	} else if (ps->has_last_ttl) {
		rr.ttl = ps->last_ttl;
	} else {
		rr.ttl = ps->opts->default_ttl;
	}
	ps->last_class = rr.rclass;
	if (record_rdata(ps, src, tt, &rr, t + i, n - i))
		emit(ps, src, &rr);
}

static int parse_source(struct parser *ps, struct source *src);

/*
 * Makes the next chunk visible: the text from src->p on moves to the front
 * of the buffer, and reading goes on until a newline beyond what was
 * visible is read (or the end of the file), growing the buffer when it is
 * full. NIM_OK, -errno or NIM_ENOMEM.
 */
static int source_fill(struct source *src)
{
	size_t done = (size_t)(src->p - src->buf);
	size_t cut = (size_t)(src->end - src->buf);
	if (cut < src->fill)
		src->buf[cut] = src->hidden;
	memmove(src->buf, src->p, src->fill - done);
	src->fill -= done;
	for (;;) {
		if (src->fill + 1 >= src->cap) {
			char *b = src->cap <= SIZE_MAX / 2 ? realloc(src->buf, src->cap * 2) : NULL;
			if (b == NULL)
				return NIM_ENOMEM;
			src->buf = b;
			src->cap *= 2;
		}
		ssize_t r = read(src->fd, src->buf + src->fill, src->cap - 1 - src->fill);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0) {
			/* The end, or the file shrank while it was read: parse what is there. */
			src->is_eof = true;
			cut = src->fill;
			break;
		}
		size_t from = src->fill;
		src->fill += (size_t)r;
		size_t i = src->fill;
		while (i > from && src->buf[i - 1] != '\n')
			i--;
		if (i > from) {
			cut = i;
			break;
		}
	}
	src->hidden = src->buf[cut];
	src->buf[cut] = '\0';
	src->text = src->buf;
	src->p = src->buf;
	src->end = src->buf + cut;
	return NIM_OK;
}

/*
 * Opens path for reading in chunks of chunk_len octets (the buffer grows
 * for longer entries). Read, not mapped: mapping with MAP_POPULATE saves
 * about 0.15 s on a 30 MB zone here, but a mapped file that someone
 * truncates while it is being loaded (an operator writing it in place
 * during a reload) raises SIGBUS, and a broken zone file must never take
 * the server down with it. NIM_OK, -errno (-EINVAL: not a regular file) or
 * NIM_ENOMEM; on success the caller closes src with source_close, and
 * *st_out (unless NULL) holds the fstat(2) of the file opened.
 */
static int source_open(struct source *src, const char *path, size_t chunk_len,
		       struct stat *st_out)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	int rc = fstat(fd, &st) != 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : NIM_OK;
	if (rc != NIM_OK) {
		close(fd);
		return rc;
	}
	*src = (struct source){.name = path, .line = 1, .fd = fd};
	src->cap = (chunk_len != 0 ? chunk_len : ZONE_PARSE_CHUNK_LEN) + 1;
	src->buf = malloc(src->cap);
	rc = src->buf != NULL ? NIM_OK : NIM_ENOMEM;
	if (rc == NIM_OK) {
		src->p = src->buf;
		src->end = src->buf;
		rc = source_fill(src);
	}
	if (rc != NIM_OK) {
		free(src->buf);
		close(fd);
	} else if (st_out != NULL) {
		*st_out = st;
	}
	return rc;
}

static void source_close(struct source *src)
{
	free(src->buf);
	src->buf = NULL;
	close(src->fd);
	src->fd = -1;
}

/* $INCLUDE <file> [<origin>] (RFC 1035 §5.1): the origin and the previous
 * owner are the includer's again afterwards. */
static void do_include(struct parser *ps, const struct source *src, const struct zone_tok *t,
		       size_t n)
{
	unsigned max_depth = ps->opts->max_include_depth ? ps->opts->max_include_depth
							  : ZONE_PARSE_INCLUDE_DEPTH;
	uint8_t saved_origin[WIRE_NAME_MAXLEN], saved_prev[WIRE_NAME_MAXLEN];
	bool saved_has_prev = ps->has_prev_owner;
	size_t len;

	if (ps->opts->flags & ZONE_PARSE_NO_INCLUDE) {
		error_at(ps, src, t[0].line, t[0].s, "$INCLUDE is not allowed here");
		return;
	}
	if (n < 2 || n > 3) {
		error_at(ps, src, t[0].line, t[0].s, "$INCLUDE takes a file name and an optional origin");
		return;
	}
	if (ps->depth >= max_depth) {
		error_at(ps, src, t[0].line, t[0].s, "$INCLUDE nested deeper than %u", max_depth);
		return;
	}
	memcpy(saved_origin, ps->origin, wire_name_len(ps->origin));
	memcpy(saved_prev, ps->prev_owner, sizeof(saved_prev));
	if (n == 3) {
		uint8_t o[WIRE_NAME_MAXLEN];
		if (!zone_tok_name(&t[2], ps->origin, o, &len)) {
			error_tok(ps, src, &t[2], "bad $INCLUDE origin");
			return;
		}
		memcpy(ps->origin, o, len);
	}
	/* Relative to the directory of the including file. */
	const char *slash = strrchr(src->name, '/');
	size_t dir_len = (t[1].s[0] == '/' || slash == NULL) ? 0 : (size_t)(slash - src->name) + 1;
	char *path = malloc(dir_len + t[1].len + 1);
	if (path == NULL) {
		ps->is_stopped = true;
		ps->stop_rc = NIM_ENOMEM;
		return;
	}
	memcpy(path, src->name, dir_len);
	memcpy(path + dir_len, t[1].s, t[1].len);
	path[dir_len + t[1].len] = '\0';

	struct source inc;
	int rc = source_open(&inc, path, ps->opts->chunk_len, NULL);
	if (rc == NIM_ENOMEM) {
		ps->is_stopped = true;
		ps->stop_rc = rc;
	} else if (rc != NIM_OK) {
		error_at(ps, src, t[1].line, t[1].s, "cannot read $INCLUDE file '%s': %s", path,
			 nim_strerror(rc));
	} else {
		ps->depth++;
		parse_source(ps, &inc);
		ps->depth--;
		source_close(&inc);
	}
	free(path);
	memcpy(ps->origin, saved_origin, wire_name_len(saved_origin));
	memcpy(ps->prev_owner, saved_prev, sizeof(saved_prev));
	ps->has_prev_owner = saved_has_prev;
}

static void do_directive(struct parser *ps, const struct source *src, const struct zone_tok *t,
			 size_t n)
{
	uint8_t name[WIRE_NAME_MAXLEN];
	size_t len;

	if (tok_is(&t[0], "$ORIGIN")) {
		if (n != 2) {
			error_at(ps, src, t[0].line, t[0].s, "$ORIGIN takes one name");
		} else if (!zone_tok_name(&t[1], ps->origin, name, &len)) {
			error_tok(ps, src, &t[1], "bad $ORIGIN name");
		} else {
			memcpy(ps->origin, name, len);
		}
	} else if (tok_is(&t[0], "$TTL")) {
		if (n != 2) {
			error_at(ps, src, t[0].line, t[0].s, "$TTL takes one TTL");
		} else if (!parse_ttl(&t[1], &ps->dollar_ttl)) {
			error_tok(ps, src, &t[1], "bad $TTL");
		} else {
			ps->has_dollar_ttl = true;
		}
	} else if (tok_is(&t[0], "$INCLUDE")) {
		do_include(ps, src, t, n);
	} else {
		error_tok(ps, src, &t[0], "unknown or unsupported directive");
	}
}

static int parse_source(struct parser *ps, struct source *src)
{
	bool is_blank_owner = false;

	while (!ps->is_stopped) {
		size_t n = next_entry(ps, src, &is_blank_owner);
		if (n == 0) {
			if (ps->is_stopped)
				break;
			if (src->p < src->end && !src->needs_more)
				continue;
			if (src->is_eof)
				break;
			int rc = source_fill(src);
			if (rc != NIM_OK) {
				/* Reported here, for an $INCLUDE file as for the zone file. */
				nim_diag_add(ps->diags, NIM_DIAG_ERROR, src->name, src->line, 0,
					     "cannot read zone file: %s", nim_strerror(rc));
				ps->is_stopped = true;
				ps->stop_rc = rc;
				break;
			}
			continue;
		}
		if (!is_blank_owner && !ps->tok[0].is_quoted && ps->tok[0].s[0] == '$') {
			/* The include reuses the token array: copy what it needs. */
			struct zone_tok d[3];
			memcpy(d, ps->tok, (n < 3 ? n : 3) * sizeof(d[0]));
			do_directive(ps, src, d, n);
			continue;
		}
		do_record(ps, src, ps->tok, n, is_blank_owner);
	}
	return NIM_OK;
}

static int parse_top(struct source *src, const struct zone_parse_opts *opts, zone_parse_cb cb,
		     void *ctx, struct nim_diag_list *diags)
{
	struct parser ps = {.opts = opts, .cb = cb, .ctx = ctx, .diags = diags, .last_class = 1};
	int rc = NIM_OK;

	cclass_init();
	ps.ldns = zone_ldns_new();
	ps.rdata = malloc(ZONE_RDATA_MAX + ZONE_RDATA_SLACK);
	ps.xrdata = malloc(ZONE_RDATA_MAX + 1);
	if (ps.ldns == NULL || ps.rdata == NULL || ps.xrdata == NULL || !tok_grow(&ps)) {
		rc = NIM_ENOMEM;
		goto out;
	}
	memcpy(ps.origin, opts->origin, wire_name_len(opts->origin));
	parse_source(&ps, src);
	if (ps.stop_rc != NIM_OK)
		rc = ps.stop_rc;
	else if (ps.n_errors > 0)
		rc = NIM_ECONFIG;
out:
	zone_ldns_free(ps.ldns);
	free(ps.rdata);
	free(ps.xrdata);
	free(ps.tok);
	return rc;
}

int zone_parse_file(const char *path, const struct zone_parse_opts *opts, zone_parse_cb cb,
		    void *ctx, struct nim_diag_list *diags)
{
	struct source src;
	int rc = source_open(&src, path, opts->chunk_len, opts->file_stat);

	if (rc != NIM_OK) {
		nim_diag_add(diags, NIM_DIAG_ERROR, path, 0, 0, "cannot read zone file: %s",
			     nim_strerror(rc));
		return rc;
	}
	rc = parse_top(&src, opts, cb, ctx, diags);
	source_close(&src);
	return rc;
}

int zone_parse_mem(const char *text, size_t text_len, const char *name,
		   const struct zone_parse_opts *opts, zone_parse_cb cb, void *ctx,
		   struct nim_diag_list *diags)
{
	/* A copy, for the sentinel the scanner relies on. */
	char *copy = malloc(text_len + 1);
	if (copy == NULL)
		return NIM_ENOMEM;
	memcpy(copy, text, text_len);
	copy[text_len] = '\0';
	struct source src = {.name = name,
			     .text = copy,
			     .end = copy + text_len,
			     .p = copy,
			     .line = 1,
			     .is_eof = true,
			     .fd = -1};
	int rc = parse_top(&src, opts, cb, ctx, diags);
	free(copy);
	return rc;
}
