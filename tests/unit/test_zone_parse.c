/*
 * test_zone_parse.c - the zone file parser (src/zone/parse.h) and loader.
 *
 * ldns is the oracle: a fixture zone with every fast-path type is read by
 * ldns's own zone reader (ldns_rr_new_frm_fp_l) and by our parser, and the
 * records must agree in owner, type, class, TTL and RDATA; generated random
 * records, and mutations of them, are parsed by the fast path with the
 * cross-check on (each accepted record parsed again by ldns) and by ldns
 * alone, and must agree too.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "util/error.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "zone/load.h"
#include "zone/parse.h"

static const uint8_t origin_com[] = "\7example\3com";

static const char *srcdir(void)
{
	const char *dir = getenv("TOP_SRCDIR");
	return dir != NULL ? dir : TOP_SRCDIR_DEFAULT;
}

static void fixture(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/tests/unit/fixtures/zone/%s", srcdir(), name);
}

/* --- collecting records --- */

struct rec {
	uint8_t owner[WIRE_NAME_MAXLEN];
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlength;
	uint8_t *rdata;
	unsigned line;
	char file[512];
	bool is_fast;
};

struct recs {
	struct rec *v;
	size_t n;
	size_t cap;
	size_t n_fast;
	size_t n_xcheck_bad; /* fast-path records ldns disagrees with */
	char first_bad[256];
};

static void recs_push(struct recs *rs, const uint8_t *owner, size_t owner_len, uint16_t type,
		      uint16_t rclass, uint32_t ttl, const uint8_t *rdata, size_t rdlength)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->v = realloc(rs->v, rs->cap * sizeof(*rs->v));
		assert_non_null(rs->v);
	}
	struct rec *r = &rs->v[rs->n++];
	memset(r, 0, sizeof(*r));
	memcpy(r->owner, owner, owner_len);
	r->type = type;
	r->rclass = rclass;
	r->ttl = ttl;
	r->rdlength = (uint16_t)rdlength;
	r->rdata = malloc(rdlength + 1);
	assert_non_null(r->rdata);
	memcpy(r->rdata, rdata, rdlength);
}

static void recs_free(struct recs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].rdata);
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

static int collect(void *ctx, const struct zone_parse_rr *rr)
{
	struct recs *rs = ctx;

	recs_push(rs, rr->owner, wire_name_len(rr->owner), rr->type, rr->rclass, rr->ttl,
		  rr->rdata, rr->rdlength);
	struct rec *r = &rs->v[rs->n - 1];
	r->line = rr->line;
	r->is_fast = rr->is_fast;
	snprintf(r->file, sizeof(r->file), "%s", rr->file);
	if (rr->is_fast) {
		rs->n_fast++;
		if (rr->xcheck_rdata != NULL &&
		    (rr->xcheck_rc != NIM_OK || rr->xcheck_rdlength != rr->rdlength ||
		     memcmp(rr->xcheck_rdata, rr->rdata, rr->rdlength) != 0)) {
			if (rs->n_xcheck_bad++ == 0)
				snprintf(rs->first_bad, sizeof(rs->first_bad),
					 "line %u type %u: ldns rc %d len %u, fast len %u", rr->line,
					 rr->type, rr->xcheck_rc, rr->xcheck_rdlength, rr->rdlength);
		}
	}
	return NIM_OK;
}

static int parse_text(const char *text, unsigned flags, struct recs *rs,
		      struct nim_diag_list *diags)
{
	struct zone_parse_opts opts = {.origin = origin_com, .default_ttl = 3600, .flags = flags};
	return zone_parse_mem(text, strlen(text), "test.zone", &opts, collect, rs, diags);
}

static bool diag_has(const struct nim_diag_list *diags, unsigned line, const char *needle)
{
	for (const struct nim_diag *d = diags->head; d != NULL; d = d->next)
		if (d->line == line && strstr(d->message, needle) != NULL)
			return true;
	return false;
}

static void assert_recs_equal(const struct recs *a, const struct recs *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct rec *x = &a->v[i], *y = &b->v[i];
		if (!wire_name_equal(x->owner, y->owner) ||
		    memcmp(x->owner, y->owner, wire_name_len(x->owner)) != 0 || x->type != y->type ||
		    x->rclass != y->rclass || x->ttl != y->ttl || x->rdlength != y->rdlength ||
		    memcmp(x->rdata, y->rdata, x->rdlength) != 0) {
			char name[WIRE_NAME_STRLEN];
			wire_name_to_str(x->owner, name, sizeof(name));
			fail_msg("record %zu (%s type %u line %u) differs: ttl %u/%u class %u/%u "
				 "rdlength %u/%u",
				 i, name, x->type, x->line, x->ttl, y->ttl, x->rclass, y->rclass,
				 x->rdlength, y->rdlength);
		}
	}
}

/* --- ldns's own zone reader, the oracle --- */

static void ldns_read(const char *path, struct recs *out)
{
	FILE *f = fopen(path, "r");
	ldns_rdf *origin = ldns_dname_new_frm_str("example.com.");
	ldns_rdf *prev = NULL;
	uint32_t ttl = 3600;
	int line = 1;
	ldns_buffer *buf = ldns_buffer_new(65536);

	assert_non_null(f);
	for (;;) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_OK) {
			ldns_buffer_clear(buf);
			assert_int_equal(ldns_rr_rdata2buffer_wire(buf, rr), LDNS_STATUS_OK);
			ldns_rdf *owner = ldns_rr_owner(rr);
			recs_push(out, ldns_rdf_data(owner), ldns_rdf_size(owner),
				  (uint16_t)ldns_rr_get_type(rr), (uint16_t)ldns_rr_get_class(rr),
				  ldns_rr_ttl(rr), ldns_buffer_begin(buf), ldns_buffer_position(buf));
			out->v[out->n - 1].line = (unsigned)line;
			ldns_rr_free(rr);
		} else if (feof(f)) {
			break; /* ldns reports the end of the file as an empty line or an error */
		} else if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
			   st == LDNS_STATUS_SYNTAX_ORIGIN) {
			continue;
		} else {
			fail_msg("ldns cannot read %s line %d: %s", path, line,
				 ldns_get_errorstr_by_id(st));
		}
	}
	ldns_buffer_free(buf);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(f);
}

static void fixture_agrees_with_ldns_reader(void **state)
{
	(void)state;
	char path[512];
	struct recs ours = {0}, theirs = {0};
	struct nim_diag_list diags;
	struct zone_parse_opts opts = {.origin = origin_com, .default_ttl = 3600,
				       .flags = ZONE_PARSE_CROSSCHECK};

	nim_diag_list_init(&diags);
	fixture(path, sizeof(path), "oracle.zone");
	assert_int_equal(zone_parse_file(path, &opts, collect, &ours, &diags), NIM_OK);
	assert_null(diags.head);
	ldns_read(path, &theirs);
	assert_recs_equal(&ours, &theirs);
	assert_int_equal(ours.n_xcheck_bad, 0);
	/* Every record up to the ldns-only section went through the fast path,
	 * and every fast-path type is in the file. */
	static const uint16_t fast_types[] = {
		WIRE_TYPE_A, WIRE_TYPE_AAAA, WIRE_TYPE_NS, WIRE_TYPE_CNAME, WIRE_TYPE_DNAME,
		WIRE_TYPE_PTR, WIRE_TYPE_MX, WIRE_TYPE_TXT, WIRE_TYPE_SOA, WIRE_TYPE_SRV,
		WIRE_TYPE_CAA, WIRE_TYPE_DS, WIRE_TYPE_DNSKEY, WIRE_TYPE_RRSIG, WIRE_TYPE_NSEC,
		WIRE_TYPE_NSEC3, WIRE_TYPE_NSEC3PARAM, WIRE_TYPE_TLSA, WIRE_TYPE_SSHFP,
		WIRE_TYPE_SPF, WIRE_TYPE_CDS, WIRE_TYPE_CDNSKEY};
	for (size_t t = 0; t < sizeof(fast_types) / sizeof(fast_types[0]); t++) {
		bool seen = false;
		for (size_t i = 0; i < ours.n; i++) {
			if (ours.v[i].type == fast_types[t]) {
				seen = true;
				if (!ours.v[i].is_fast)
					fail_msg("type %u line %u not parsed by the fast path",
						 fast_types[t], ours.v[i].line);
			}
		}
		if (!seen)
			fail_msg("type %u missing from oracle.zone", fast_types[t]);
	}
	assert_true(ours.n > ours.n_fast); /* and some went to ldns */

	/* Our parser with ldns alone gives the same again. */
	struct recs alone = {0};
	opts.flags = ZONE_PARSE_LDNS_ONLY;
	assert_int_equal(zone_parse_file(path, &opts, collect, &alone, &diags), NIM_OK);
	assert_int_equal(alone.n_fast, 0);
	assert_recs_equal(&ours, &alone);
	recs_free(&ours);
	recs_free(&theirs);
	recs_free(&alone);
	nim_diag_list_clear(&diags);
}

/* --- directives, owners, TTLs, classes --- */

static void directives_and_owners(void **state)
{
	(void)state;
	struct recs rs = {0};
	struct nim_diag_list diags;
	static const char text[] =
		"a 200 A 192.0.2.1\n"          /* no $TTL yet */
		"b A 192.0.2.2\n"              /* RFC 1035: the last explicit TTL */
		"$TTL 1h ; comment\n"
		"@ IN SOA ns1 host 1 2 3 4 5\n"
		"\tIN 300 A 192.0.2.3\n"       /* blank owner: @; class before TTL */
		"c 400 IN A 192.0.2.4\n"
		"  A 192.0.2.5\n"              /* c, $TTL */
		"; a comment line\n"
		"\n"
		"   \t\n"
		"$ORIGIN sub\n"                /* relative to the current origin */
		"d CH A 192.0.2.6\n"
		"e.example.net. A 192.0.2.7\n"
		"f ( A\n"
		"   192.0.2.8 ) ; parentheses\n"
		"g\\.h A 192.0.2.9\n"
		"$ORIGIN example.org.\n"
		"@ 1d2h A 192.0.2.10\n"
		"i 2W CLASS1 A 192.0.2.11";     /* no final newline */

	nim_diag_list_init(&diags);
	assert_int_equal(parse_text(text, 0, &rs, &diags), NIM_OK);
	assert_int_equal(rs.n, 12);
	struct {
		const char *owner;
		uint32_t ttl;
		uint16_t rclass;
		unsigned line;
	} want[] = {
		{"a.example.com.", 200, 1, 1},       {"b.example.com.", 200, 1, 2},
		{"example.com.", 3600, 1, 4},        {"example.com.", 300, 1, 5},
		{"c.example.com.", 400, 1, 6},       {"c.example.com.", 3600, 1, 7},
		{"d.sub.example.com.", 3600, 3, 12}, {"e.example.net.", 3600, 3, 13},
		{"f.sub.example.com.", 3600, 3, 14}, {"g\\.h.sub.example.com.", 3600, 3, 16},
		{"example.org.", 93600, 3, 18},      {"i.example.org.", 1209600, 1, 19},
	};
	for (size_t i = 0; i < rs.n; i++) {
		char name[WIRE_NAME_STRLEN];
		wire_name_to_str(rs.v[i].owner, name, sizeof(name));
		assert_string_equal(name, want[i].owner);
		assert_int_equal(rs.v[i].ttl, want[i].ttl);
		assert_int_equal(rs.v[i].rclass, want[i].rclass);
		assert_int_equal(rs.v[i].line, want[i].line);
	}
	assert_memory_equal(rs.v[8].rdata, "\xc0\x00\x02\x08", 4);
	recs_free(&rs);

	/* Without $TTL or any TTL: the caller's default. */
	assert_int_equal(parse_text("x A 192.0.2.1\n", 0, &rs, &diags), NIM_OK);
	assert_int_equal(rs.v[0].ttl, 3600);
	recs_free(&rs);
	nim_diag_list_clear(&diags);
}

/* Each fast-path type against bytes written by hand from its RFC. */
static void fast_types_exact_bytes(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t len;
		const char *wire;
	} cases[] = {
		{"x A 192.0.2.1", 4, "\xc0\x00\x02\x01"},
		{"x AAAA ::1", 16, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1"},
		{"x NS a", 15, "\1a\7example\3com"},
		{"x CNAME a.b.", 5, "\1a\1b"},
		{"x DNAME @", 13, "\7example\3com"},
		{"x PTR .", 1, ""},
		{"x MX 10 a.", 5, "\0\x0a\1a"},
		{"x TXT \"a b\" c \"\"", 7, "\3a b\1c\0"},
		{"x TXT \"\\065\\\"\"", 3, "\2A\""},
		{"x SOA a. b. 1 2 3 4 5", 26,
		 "\1a\0\1b\0\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5"},
		{"x SRV 1 2 3 a.", 9, "\0\1\0\2\0\3\1a"},
		{"x CAA 0 issue \"ca.example\"", 17, "\0\5issueca.example"},
		{"x DS 1 8 2 ABcd", 6, "\0\1\x08\x02\xab\xcd"},
		{"x DNSKEY 256 3 8 AQID", 7, "\1\0\3\x08\1\2\3"},
		{"x DNSKEY 256 3 8 AQ==", 5, "\1\0\3\x08\1"},
		{"x RRSIG A 8 2 300 19700101000010 1 7 a. AQI=", 23,
		 "\0\1\x08\2\0\0\1\x2c\0\0\0\x0a\0\0\0\1\0\7\1a\0\1\2"},
		{"x NSEC a. A MX TYPE256", 10, "\1a\0\0\2\x40\1\1\1\x80"},
		{"x NSEC3 1 1 10 ab 00000000 A", 15,
		 "\1\1\0\x0a\1\xab\5\0\0\0\0\0\0\1\x40"},
		{"x NSEC3PARAM 1 0 0 -", 5, "\1\0\0\0\0"},
		{"x TLSA 3 1 1 abcd", 5, "\3\1\1\xab\xcd"},
		{"x SSHFP 1 2 ab cd", 4, "\1\2\xab\xcd"},
	};
	struct nim_diag_list diags;

	nim_diag_list_init(&diags);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct recs rs = {0};
		int rc = parse_text(cases[i].text, ZONE_PARSE_CROSSCHECK, &rs, &diags);
		if (rc != NIM_OK || rs.n != 1)
			fail_msg("'%s': rc %d, %zu records", cases[i].text, rc, rs.n);
		if (!rs.v[0].is_fast || rs.v[0].rdlength != cases[i].len ||
		    memcmp(rs.v[0].rdata, cases[i].wire, cases[i].len) != 0)
			fail_msg("'%s': fast %d, length %u", cases[i].text, rs.v[0].is_fast,
				 rs.v[0].rdlength);
		assert_int_equal(rs.n_xcheck_bad, 0);
		recs_free(&rs);
	}
	nim_diag_list_clear(&diags);
}

/* --- random records: fast path, ldns cross-check, ldns alone --- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (uint32_t)(rng_state % n) : 0;
}

struct text_buf {
	char *s;
	size_t len;
	size_t cap;
};

static void put(struct text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text_buf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->s == NULL) {
		b->cap = 256;
		b->s = malloc(b->cap);
		assert_non_null(b->s);
	}
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
}

static void put_name(struct text_buf *b)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyzABC0123456789-_";
	if (rnd(10) == 0) {
		put(b, rnd(2) ? "@" : ".");
		return;
	}
	unsigned labels = 1 + rnd(3);
	for (unsigned l = 0; l < labels; l++) {
		unsigned len = 1 + rnd(12);
		for (unsigned k = 0; k < len; k++) {
			switch (rnd(30)) {
			case 0: put(b, "\\."); break;
			case 1: put(b, "\\%03u", rnd(256)); break;
			default: put(b, "%c", alpha[rnd(sizeof(alpha) - 1)]);
			}
		}
		if (l + 1 < labels)
			put(b, ".");
	}
	if (rnd(2))
		put(b, ".");
}

static void put_string(struct text_buf *b)
{
	unsigned len = rnd(40);
	bool is_quoted = len == 0 || rnd(2);
	put(b, is_quoted ? "\"" : "");
	for (unsigned k = 0; k < len; k++) {
		unsigned c = 33 + rnd(94);
		if (c == '"' || c == '\\' || c == ';' || c == '(' || c == ')' || rnd(20) == 0)
			put(b, "\\%03u", c == 33 ? rnd(256) : c);
		else
			put(b, "%c", c);
		if (is_quoted && rnd(10) == 0)
			put(b, " ");
	}
	put(b, is_quoted ? "\"" : "");
}

static void put_hex(struct text_buf *b, unsigned n, bool may_split)
{
	for (unsigned k = 0; k < n; k++)
		put(b, may_split && rnd(8) == 0 ? "%02X " : "%02x", rnd(256));
}

static void put_b64(struct text_buf *b, unsigned n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t bytes[300];
	for (unsigned k = 0; k < n; k++)
		bytes[k] = (uint8_t)rnd(256);
	for (unsigned k = 0; k < n; k += 3) {
		uint32_t v = (uint32_t)bytes[k] << 16;
		if (k + 1 < n)
			v |= (uint32_t)bytes[k + 1] << 8;
		if (k + 2 < n)
			v |= bytes[k + 2];
		put(b, "%c%c%c%c", a[v >> 18 & 63], a[v >> 12 & 63],
		    k + 1 < n ? a[v >> 6 & 63] : '=', k + 2 < n ? a[v & 63] : '=');
		if (rnd(8) == 0)
			put(b, " ");
	}
}

static void put_types(struct text_buf *b)
{
	static const char *types[] = {"A", "ns", "SOA", "MX", "TXT", "AAAA", "RRSIG", "NSEC",
				      "DNSKEY", "NSEC3PARAM", "CAA", "TYPE1234", "SPF", "DS"};
	unsigned n = 1 + rnd(6);
	for (unsigned k = 0; k < n; k++)
		put(b, " %s", types[rnd(sizeof(types) / sizeof(types[0]))]);
}

static void put_time(struct text_buf *b)
{
	if (rnd(2))
		put(b, "%u", rnd(0x7fffffff));
	else
		put(b, "%04u%02u%02u%02u%02u%02u", 1970 + rnd(130), 1 + rnd(12), 1 + rnd(31),
		    rnd(24), rnd(60), rnd(60));
}

static void put_record(struct text_buf *b)
{
	put_name(b);
	put(b, " %u ", rnd(100000));
	switch (rnd(19)) {
	case 0: put(b, "A %u.%u.%u.%u", rnd(256), rnd(256), rnd(256), rnd(256)); break;
	case 1: put(b, "AAAA %x:%x::%x:%x", rnd(65536), rnd(65536), rnd(65536), rnd(65536)); break;
	case 2: put(b, "NS "); put_name(b); break;
	case 3: put(b, "CNAME "); put_name(b); break;
	case 4: put(b, "DNAME "); put_name(b); break;
	case 5: put(b, "PTR "); put_name(b); break;
	case 6: put(b, "MX %u ", rnd(65536)); put_name(b); break;
	case 7:
		put(b, "TXT");
		for (unsigned k = 1 + rnd(4); k > 0; k--) {
			put(b, " ");
			put_string(b);
		}
		break;
	case 8:
		put(b, "SOA ");
		put_name(b);
		put(b, " ");
		put_name(b);
		put(b, " ( %u %u %u\n %u %u )", rnd(UINT32_MAX), rnd(1 << 20), rnd(1 << 20),
		    rnd(1 << 24), rnd(1 << 16));
		break;
	case 9: put(b, "SRV %u %u %u ", rnd(65536), rnd(65536), rnd(65536)); put_name(b); break;
	case 10:
		put(b, "CAA %u %s \"%s\"", rnd(256), rnd(2) ? "issue" : "iodef",
		    rnd(2) ? "ca.example.net" : "mailto:x@example.com");
		break;
	case 11: put(b, "DS %u %u %u ", rnd(65536), rnd(256), rnd(256)); put_hex(b, 1 + rnd(48), true); break;
	case 12: put(b, "DNSKEY %u 3 %u ", rnd(65536), rnd(256)); put_b64(b, 1 + rnd(200)); break;
	case 13:
		put(b, "RRSIG %s %u %u %u ", rnd(2) ? "A" : "NSEC3", rnd(256), rnd(256),
		    rnd(UINT32_MAX));
		put_time(b);
		put(b, " ");
		put_time(b);
		put(b, " %u ", rnd(65536));
		put_name(b);
		put(b, " ");
		put_b64(b, 1 + rnd(200));
		break;
	case 14: put(b, "NSEC "); put_name(b); put_types(b); break;
	case 15: {
		static const char b32[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
		put(b, "NSEC3 1 %u %u ", rnd(256), rnd(65536));
		if (rnd(3) == 0)
			put(b, "-");
		else
			put_hex(b, 1 + rnd(10), false);
		put(b, " ");
		for (unsigned k = 0; k < 32; k++)
			put(b, "%c", b32[rnd(32)]);
		put_types(b);
		break;
	}
	case 16: put(b, "NSEC3PARAM 1 0 %u ", rnd(65536)); put(b, rnd(2) ? "-" : "abcdef01"); break;
	case 17: put(b, "TLSA %u %u %u ", rnd(256), rnd(256), rnd(256)); put_hex(b, 1 + rnd(64), true); break;
	default: put(b, "SSHFP %u %u ", rnd(256), rnd(256)); put_hex(b, 1 + rnd(32), true); break;
	}
	put(b, "\n");
}

static void random_records_agree_with_ldns(void **state)
{
	(void)state;
	struct text_buf b = {0};
	struct recs fast = {0}, alone = {0};
	struct nim_diag_list diags;

	nim_diag_list_init(&diags);
	put(&b, "$TTL 300\n");
	for (int i = 0; i < 3000; i++)
		put_record(&b);
	if (parse_text(b.s, ZONE_PARSE_CROSSCHECK, &fast, &diags) != NIM_OK) {
		char msg[512];
		nim_diag_format(diags.head, msg, sizeof(msg));
		const char *at = b.s;
		for (unsigned l = 1; l < diags.head->line && at != NULL; l++)
			at = strchr(at, '\n') + 1;
		fail_msg("%s in: %.200s", msg, at);
	}
	assert_int_equal(fast.n, 3000);
	if (fast.n_xcheck_bad != 0)
		fail_msg("%zu disagreements, first %s", fast.n_xcheck_bad, fast.first_bad);
	/* Nearly all of it is fast-path work (names with "\." and the like may be sent on). */
	assert_true(fast.n_fast > 2900);
	assert_int_equal(parse_text(b.s, ZONE_PARSE_LDNS_ONLY, &alone, &diags), NIM_OK);
	assert_recs_equal(&fast, &alone);
	recs_free(&fast);
	recs_free(&alone);
	free(b.s);
	nim_diag_list_clear(&diags);
}

/* Random damage to random records: whatever the fast path still accepts,
 * ldns must read the same way. */
static void mutated_records_never_disagree(void **state)
{
	(void)state;
	static const char junk[] = " \\\"();.0189aAzZ-=+/#\t\n@$";
	struct nim_diag_list diags;
	size_t n_fast = 0;

	nim_diag_list_init(&diags);
	for (int round = 0; round < 4000; round++) {
		struct text_buf b = {0};
		struct recs rs = {0};
		put_record(&b);
		for (unsigned m = 1 + rnd(3); m > 0; m--) {
			size_t at = rnd((uint32_t)b.len);
			b.s[at] = junk[rnd(sizeof(junk) - 1)];
		}
		parse_text(b.s, ZONE_PARSE_CROSSCHECK | ZONE_PARSE_NO_INCLUDE, &rs, &diags);
		if (rs.n_xcheck_bad != 0)
			fail_msg("'%s': %s", b.s, rs.first_bad);
		n_fast += rs.n_fast;
		recs_free(&rs);
		free(b.s);
		nim_diag_list_clear(&diags);
	}
	assert_true(n_fast > 400); /* the property was really exercised */
}

/* --- errors --- */

static void syntax_errors_with_lines(void **state)
{
	(void)state;
	char path[512];
	struct recs rs = {0};
	struct nim_diag_list diags;
	struct zone_parse_opts opts = {.origin = origin_com, .default_ttl = 3600};

	nim_diag_list_init(&diags);
	fixture(path, sizeof(path), "errors.zone");
	assert_int_equal(zone_parse_file(path, &opts, collect, &rs, &diags), NIM_ECONFIG);
	/* The good records around the bad ones all arrive. */
	assert_int_equal(rs.n, 5);
	static const unsigned good[] = {3, 6, 10, 12, 15};
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(rs.v[i].line, good[i]);
	assert_true(diag_has(&diags, 4, "bad IPv4 address '192.0.2.256'"));
	assert_true(diag_has(&diags, 5, "MX record: missing name"));
	assert_true(diag_has(&diags, 7, "unknown type 'BOGUSTYPE'"));
	assert_true(diag_has(&diags, 8, "more fields than the type has"));
	assert_true(diag_has(&diags, 9, "quoted string not closed"));
	assert_true(diag_has(&diags, 11, "RDATA incomplete or malformed"));
	assert_true(diag_has(&diags, 13, "unknown type 'IN'"));
	assert_true(diag_has(&diags, 14, "directive '$FOO'"));
	assert_true(diag_has(&diags, 16, "bad TTL"));
	assert_true(diag_has(&diags, 17, "'(' not closed"));
	assert_int_equal(diags.n_errors, 10);
	for (const struct nim_diag *d = diags.head; d != NULL; d = d->next) {
		assert_string_equal(d->file, path);
		assert_true(d->col > 0);
	}
	char line[512];
	assert_true(nim_diag_format(diags.head, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "errors.zone:4:8: "));
	recs_free(&rs);
	nim_diag_list_clear(&diags);
}

static void more_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		unsigned line;
		const char *needle;
	} cases[] = {
		{" A 192.0.2.1\n", 1, "no previous owner"},
		{"a..b A 192.0.2.1\n", 1, "bad owner name"},
		{"a\n", 1, "record without type"},
		{"a 300 IN\n", 1, "record without type"},
		{"a A\n", 1, "A record without RDATA"},
		{"\n\na ) A 192.0.2.1\n", 3, "')' without '('"},
		{"a MX 65536 b.\n", 1, "number out of range"},
		{"a MX -1 b.\n", 1, "bad number"},
		{"a DS 1 8 2 abc\n", 1, "odd number of hexadecimal digits"},
		{"a TXT \"x\" (\n  \"y\" \"z\n", 2, "quoted string not closed"},
		{"a OPT \\# 0\n", 1, "not allowed in zone data"},
		{"a TYPE65534 \\# 2 ab\n", 1, "RDATA has 1 octets"},
		{"a TYPE65534 \\# 1 abcd\n", 1, "more RDATA than the length"},
		{"a TYPE65534 \\# 70000\n", 1, "above 65535"},
		{"a TYPE65534 \\# x\n", 1, "bad RDATA length"},
		{"a TYPE65534 \\#\n", 1, "without a length"},
		{"a TYPE65534 \\# 1 zz\n", 1, "bad hexadecimal"},
		/*
		 * RNAME a pointer to offset 12, the root that ends MNAME: it would
		 * pass as message RDATA, but zone RDATA is never compressed (RFC 3597 §4).
		 */
		{"a SOA \\# 35 0b6162636465666768696a6b00c00c"
		 "0000000000000000000000000000000000000000\n",
		 1, "RDATA incomplete or malformed"},
		{"$TTL\n", 1, "$TTL takes one TTL"},
		{"$TTL 1x\n", 1, "bad $TTL"},
		{"$ORIGIN a..b\n", 1, "bad $ORIGIN"},
		{"$ORIGIN\n", 1, "$ORIGIN takes one name"},
		{"$INCLUDE x.zone\n", 1, "not allowed here"},
		{"$GENERATE 1-2 a$ A 192.0.2.1\n", 1, "unsupported directive"},
		{"a 1h30 A 192.0.2.1\n", 1, "bad TTL"},
		{"a A 1.2.3.4\0b A 1.2.3.5\n", 1, "NUL octet"},
	};
	struct nim_diag_list diags;

	nim_diag_list_init(&diags);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct recs rs = {0};
		struct zone_parse_opts opts = {.origin = origin_com, .default_ttl = 3600,
					       .flags = ZONE_PARSE_NO_INCLUDE};
		size_t len = strlen(cases[i].text);
		if (strcmp(cases[i].text, "a A 1.2.3.4") == 0)
			len = sizeof("a A 1.2.3.4\0b A 1.2.3.5\n") - 1;
		int rc = zone_parse_mem(cases[i].text, len, "t.zone", &opts, collect, &rs, &diags);
		if (rc != NIM_ECONFIG || !diag_has(&diags, cases[i].line, cases[i].needle)) {
			char msg[256] = "(none)";
			if (diags.head)
				nim_diag_format(diags.head, msg, sizeof(msg));
			fail_msg("'%s': rc %d, first diagnostic %s", cases[i].text, rc, msg);
		}
		recs_free(&rs);
		nim_diag_list_clear(&diags);
	}
}

static void too_many_errors_stop(void **state)
{
	(void)state;
	struct text_buf b = {0};
	struct recs rs = {0};
	struct nim_diag_list diags;

	nim_diag_list_init(&diags);
	for (int i = 0; i < 1000; i++)
		put(&b, "a A bad\n");
	assert_int_equal(parse_text(b.s, 0, &rs, &diags), NIM_ECONFIG);
	assert_int_equal(diags.n_errors, ZONE_PARSE_MAX_ERRORS + 1);
	assert_true(diag_has(&diags, ZONE_PARSE_MAX_ERRORS, "giving up"));
	free(b.s);
	recs_free(&rs);
	nim_diag_list_clear(&diags);
}

static int stop_at_second(void *ctx, const struct zone_parse_rr *rr)
{
	(void)rr;
	return ++*(int *)ctx == 2 ? NIM_ENOMEM : NIM_OK;
}

static void callback_error_stops(void **state)
{
	(void)state;
	int calls = 0;
	struct nim_diag_list diags;
	struct zone_parse_opts opts = {.origin = origin_com, .default_ttl = 3600};
	static const char text[] = "a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n";

	nim_diag_list_init(&diags);
	assert_int_equal(zone_parse_mem(text, strlen(text), "t", &opts, stop_at_second, &calls,
					&diags),
			 NIM_ENOMEM);
	assert_int_equal(calls, 2);
	nim_diag_list_clear(&diags);
}

/* --- RFC 3597 --- */

static void generic_rdata(void **state)
{
	(void)state;
	struct recs rs = {0};
	struct nim_diag_list diags;
	static const char text[] = "a TYPE65534 \\# 3 abcdef\n"
				   "b CLASS1 TYPE65535 \\# 0\n"
				   "c A \\# 4 C0000201\n"
				   "d TYPE1 \\# 4 c0 00 02 01\n"
				   "e type28 ( \\# 16 20010db8000000000000\n 000000000001 )\n"
				   "f MX \\# 3 000a00\n";

	nim_diag_list_init(&diags);
	assert_int_equal(parse_text(text, 0, &rs, &diags), NIM_OK);
	assert_int_equal(rs.n, 6);
	assert_int_equal(rs.v[0].type, 65534);
	assert_int_equal(rs.v[0].rdlength, 3);
	assert_memory_equal(rs.v[0].rdata, "\xab\xcd\xef", 3);
	assert_int_equal(rs.v[1].type, 65535);
	assert_int_equal(rs.v[1].rdlength, 0);
	for (int i = 2; i < 4; i++) {
		assert_int_equal(rs.v[i].type, WIRE_TYPE_A);
		assert_int_equal(rs.v[i].rdlength, 4);
		assert_memory_equal(rs.v[i].rdata, "\xc0\x00\x02\x01", 4);
	}
	assert_int_equal(rs.v[4].type, WIRE_TYPE_AAAA);
	assert_int_equal(rs.v[4].rdata[15], 1);
	assert_int_equal(rs.v[5].type, WIRE_TYPE_MX);
	recs_free(&rs);

	/* A generic text that does not fit the known type's layout. */
	assert_int_equal(parse_text("x MX \\# 3 000a01\n", 0, &rs, &diags), NIM_ECONFIG);
	assert_int_equal(rs.n, 0);
	nim_diag_list_clear(&diags);
}

/* --- files --- */

static void include_relative_to_includer(void **state)
{
	(void)state;
	char path[512];
	struct recs rs = {0};
	struct nim_diag_list diags;
	struct zone_parse_opts opts = {.origin = origin_com, .default_ttl = 3600};

	nim_diag_list_init(&diags);
	fixture(path, sizeof(path), "main.zone");
	assert_int_equal(zone_parse_file(path, &opts, collect, &rs, &diags), NIM_OK);
	assert_int_equal(rs.n, 8);
	static const struct {
		const char *owner;
		const char *file;
		unsigned line;
	} want[] = {
		{"example.com.", "main.zone", 3},
		{"example.com.", "main.zone", 4},
		{"ns1.example.com.", "main.zone", 5},
		{"child.example.com.", "sub/child.zone", 2},
		{"www.child.example.com.", "sub/child.zone", 3},
		{"grand.child.example.com.", "sub/grand.zone", 1},
		{"after.example.com.", "main.zone", 7}, /* the includer's origin again */
		{"after.example.com.", "main.zone", 8}, /* and its previous owner */
	};
	for (size_t i = 0; i < rs.n; i++) {
		char name[WIRE_NAME_STRLEN], file[512];
		wire_name_to_str(rs.v[i].owner, name, sizeof(name));
		assert_string_equal(name, want[i].owner);
		fixture(file, sizeof(file), want[i].file);
		assert_string_equal(rs.v[i].file, file);
		assert_int_equal(rs.v[i].line, want[i].line);
		assert_int_equal(rs.v[i].ttl, 300);
	}
	recs_free(&rs);

	/* A file that includes itself stops at the depth limit. */
	fixture(path, sizeof(path), "loop.zone");
	assert_int_equal(zone_parse_file(path, &opts, collect, &rs, &diags), NIM_ECONFIG);
	assert_int_equal(diags.n_errors, 1);
	assert_true(diag_has(&diags, 3, "nested deeper than 8"));
	assert_int_equal(rs.n, ZONE_PARSE_INCLUDE_DEPTH + 1);
	recs_free(&rs);
	nim_diag_list_clear(&diags);

	/* A missing include is an error at its line; the rest is read. */
	static const char text[] = "a A 192.0.2.1\n$INCLUDE no-such-file.zone\nb A 192.0.2.2\n";
	assert_int_equal(parse_text(text, 0, &rs, &diags), NIM_ECONFIG);
	assert_int_equal(rs.n, 2);
	assert_true(diag_has(&diags, 2, "no-such-file.zone"));
	recs_free(&rs);
	nim_diag_list_clear(&diags);
}

/* --- reading in chunks --- */

/* Parses the file at path read chunk_len octets at a time. */
static int parse_chunked(const char *path, size_t chunk_len, struct recs *rs,
			 struct nim_diag_list *diags)
{
	struct zone_parse_opts opts = {.origin = origin_com, .default_ttl = 3600,
				       .chunk_len = chunk_len};
	return zone_parse_file(path, &opts, collect, rs, diags);
}

/* Same records (lines and files too) and same diagnostics (line, column, text). */
static void assert_same_parse(const struct recs *a, const struct nim_diag_list *da,
			      const struct recs *b, const struct nim_diag_list *db, size_t chunk_len)
{
	assert_recs_equal(a, b);
	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].line != b->v[i].line || strcmp(a->v[i].file, b->v[i].file) != 0)
			fail_msg("chunk %zu: record %zu at %s:%u, not %s:%u", chunk_len, i,
				 b->v[i].file, b->v[i].line, a->v[i].file, a->v[i].line);
	}
	const struct nim_diag *x = da->head, *y = db->head;
	for (; x != NULL && y != NULL; x = x->next, y = y->next) {
		if (x->line != y->line || x->col != y->col || strcmp(x->message, y->message) != 0)
			fail_msg("chunk %zu: diagnostic %u:%u '%s', not %u:%u '%s'", chunk_len,
				 y->line, y->col, y->message, x->line, x->col, x->message);
	}
	assert_true(x == NULL && y == NULL);
}

/*
 * A file read in chunks of any size parses as the same text held in memory:
 * entries in parentheses across chunk ends, a line far longer than a chunk,
 * comments, CRLF, blank owners, errors (with their columns), and a last line
 * without a newline.
 */
static void chunked_reading_matches_whole_text(void **state)
{
	(void)state;
	struct text_buf b = {0};
	char path[] = "/tmp/nimbus-chunk-XXXXXX";

	put(&b, "$TTL 300\n@ IN SOA ns1 hostmaster ( ; the apex\n  1 ; serial\n\n  7200 3600\n"
		"  1209600 300 ) ; done\n\t NS ns1\r\nns1 A 192.0.2.1 ; comment\n; only a comment\n\n");
	put(&b, "long TXT");
	for (int i = 0; i < 300; i++)
		put(&b, " \"%0200d\"", i);
	put(&b, "\n");
	for (int i = 0; i < 1500; i++) {
		put_record(&b);
		if (i % 97 == 0)
			put(&b, "bad%d A 192.0.2.300\n", i);
		if (i % 131 == 0)
			put(&b, "q%d TXT \"unterminated\n", i);
	}
	put(&b, "last ( A\n 192.0.2.9 )\n; tail\nend A 192.0.2.10");

	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b.s, b.len), (ssize_t)b.len);
	close(fd);

	struct recs whole = {0};
	struct nim_diag_list dw;
	nim_diag_list_init(&dw);
	struct zone_parse_opts opts = {.origin = origin_com, .default_ttl = 3600};
	assert_int_equal(zone_parse_mem(b.s, b.len, path, &opts, collect, &whole, &dw),
			 NIM_ECONFIG);
	assert_int_equal(whole.n, 1500 + 6);
	assert_int_equal(dw.n_errors, 16 + 12);
	assert_int_equal(whole.v[whole.n - 1].line, whole.v[whole.n - 2].line + 3);

	static const size_t chunks[] = {1, 2, 3, 5, 8, 13, 64, 200, 1000, 4096, 65536, 0};
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct recs rs = {0};
		struct nim_diag_list d;
		nim_diag_list_init(&d);
		assert_int_equal(parse_chunked(path, chunks[c], &rs, &d), NIM_ECONFIG);
		assert_same_parse(&whole, &dw, &rs, &d, chunks[c]);
		recs_free(&rs);
		nim_diag_list_clear(&d);
	}
	/* A file with an entry open at its end says so, whatever the chunk. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	static const char open_end[] = "a A 192.0.2.1\nb ( A\n 192.0.2.2\n";
	assert_int_equal(write(fd, open_end, strlen(open_end)), (ssize_t)strlen(open_end));
	close(fd);
	for (size_t chunk = 1; chunk < 40; chunk++) {
		struct recs rs = {0};
		struct nim_diag_list d;
		nim_diag_list_init(&d);
		assert_int_equal(parse_chunked(path, chunk, &rs, &d), NIM_ECONFIG);
		assert_int_equal(rs.n, 1);
		assert_int_equal(d.n_errors, 1);
		assert_true(diag_has(&d, 2, "'(' not closed before end of file"));
		assert_int_equal(d.head->col, 3);
		recs_free(&rs);
		nim_diag_list_clear(&d);
	}
	unlink(path);
	recs_free(&whole);
	nim_diag_list_clear(&dw);
	free(b.s);
}

/* $INCLUDE files are read in chunks too, each in its own buffer. */
static void include_read_in_chunks(void **state)
{
	(void)state;
	char path[512];
	struct recs whole = {0};
	struct nim_diag_list dw;

	nim_diag_list_init(&dw);
	fixture(path, sizeof(path), "main.zone");
	assert_int_equal(parse_chunked(path, 0, &whole, &dw), NIM_OK);
	assert_int_equal(whole.n, 8);
	for (size_t chunk = 1; chunk < 48; chunk++) {
		struct recs rs = {0};
		struct nim_diag_list d;
		nim_diag_list_init(&d);
		assert_int_equal(parse_chunked(path, chunk, &rs, &d), NIM_OK);
		assert_same_parse(&whole, &dw, &rs, &d, chunk);
		recs_free(&rs);
		nim_diag_list_clear(&d);
	}
	recs_free(&whole);
	nim_diag_list_clear(&dw);
}

static void missing_file_gives_errno(void **state)
{
	(void)state;
	struct recs rs = {0};
	struct nim_diag_list diags;
	struct zone_parse_opts opts = {.origin = origin_com, .default_ttl = 3600};
	struct zone_version *v = NULL;

	nim_diag_list_init(&diags);
	assert_int_equal(zone_parse_file("/nonexistent/x.zone", &opts, collect, &rs, &diags),
			 -ENOENT);
	assert_int_equal(diags.n_errors, 1);
	assert_string_equal(diags.head->file, "/nonexistent/x.zone");
	nim_diag_list_clear(&diags);
	assert_int_equal(zone_load_file("/nonexistent/x.zone", origin_com, &diags, &v), -ENOENT);
	assert_null(v);
	assert_int_equal(diags.n_errors, 1);
	nim_diag_list_clear(&diags);
}

static void load_file_builds_a_version(void **state)
{
	(void)state;
	char path[512];
	struct nim_diag_list diags;
	struct zone_version *v = NULL;

	nim_diag_list_init(&diags);
	fixture(path, sizeof(path), "main.zone");
	int rc = zone_load_file(path, origin_com, &diags, &v);
	if (rc != NIM_OK) {
		char msg[512] = "(none)";
		if (diags.head != NULL)
			nim_diag_format(diags.head, msg, sizeof(msg));
		fail_msg("zone_load_file: %d, %s", rc, msg);
	}
	assert_non_null(v);
	const struct zone_node *node = zone_version_find(v, (const uint8_t *)"\5grand\5child\7example\3com");
	assert_non_null(node);
	assert_non_null(zone_node_rrset(node, WIRE_TYPE_TXT));
	zone_version_free(v);
	nim_diag_list_clear(&diags);

	/* Syntax errors: no version, the errors in the list. */
	v = NULL;
	fixture(path, sizeof(path), "errors.zone");
	assert_int_equal(zone_load_file(path, origin_com, &diags, &v), NIM_ECONFIG);
	assert_null(v);
	assert_true(diag_has(&diags, 4, "bad IPv4 address"));
	nim_diag_list_clear(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fixture_agrees_with_ldns_reader),
	    cmocka_unit_test(directives_and_owners),
	    cmocka_unit_test(fast_types_exact_bytes),
	    cmocka_unit_test(random_records_agree_with_ldns),
	    cmocka_unit_test(mutated_records_never_disagree),
	    cmocka_unit_test(syntax_errors_with_lines),
	    cmocka_unit_test(more_errors),
	    cmocka_unit_test(too_many_errors_stop),
	    cmocka_unit_test(callback_error_stops),
	    cmocka_unit_test(generic_rdata),
	    cmocka_unit_test(include_relative_to_includer),
	    cmocka_unit_test(chunked_reading_matches_whole_text),
	    cmocka_unit_test(include_read_in_chunks),
	    cmocka_unit_test(missing_file_gives_errno),
	    cmocka_unit_test(load_file_builds_a_version),
	};
	return cmocka_run_group_tests_name("zone_parse", tests, NULL, NULL);
}
