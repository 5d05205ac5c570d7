/*
 * Unit tests for the RDATA field iterator of src/wire/rdata.h and what is
 * built on it (wire_rdata_check, wire_rdata_check_flat, wire_rdata_canon,
 * wire_rdata_decompress, the builder's RDATA compression).
 *
 * The expected layout of every type in the descriptor table is written out
 * again below, from each type's RFC, in a form of its own (a line of field
 * kinds with sample contents), so that a wrong descriptor disagrees with it.
 * From each line the test builds a sample RDATA and the items the iterator
 * must yield, then derives the malformed cases mechanically: every
 * truncation (over flat RDATA, and over a message whose bytes go on past
 * RDLENGTH, so that a name can run past it), one octet too many, the first
 * name compressed (a message may, flat RDATA may not), a pointer that
 * points forward.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "wire/build.h"
#include "wire/msg.h"
#include "wire/name.h"
#include "wire/rdata.h"

/*
 * One type's layout: space-separated fields, each a kind letter, a colon
 * and the sample content:
 *   C:name  a name compressed on output, lower-cased in canonical form
 *           (RFC 3597 §4: the RFC 1035 types only)
 *   L:name  a name lower-cased in canonical form, never compressed (the rest
 *           of the RFC 4034 §6.2 list, without NSEC: RFC 6840 §5.1)
 *   N:name  a name kept as it is
 *   F:n     n fixed octets       S:text  one <character-string>
 *   O:text  an optional trailing <character-string>
 *   T:text  one or more <character-string>s to the end (the sample has one)
 *   D:n     a 16-bit length and n octets      R:n  n octets to the end
 * Names end in "Example." with mixed case, so that canonical form and
 * compression against a question for "example." both show.
 */
struct layout {
	uint16_t type;
	const char *fields;
};

static const struct layout layouts[] = {
    {WIRE_TYPE_A, "F:4"},                                       /* RFC 1035 §3.4.1 */
    {WIRE_TYPE_NS, "C:Ns1.Example."},                           /* RFC 1035 §3.3.11 */
    {WIRE_TYPE_MD, "C:Md.Example."},                            /* RFC 1035 §3.3.4 */
    {WIRE_TYPE_MF, "C:Mf.Example."},                            /* RFC 1035 §3.3.5 */
    {WIRE_TYPE_CNAME, "C:Www.Example."},                        /* RFC 1035 §3.3.1 */
    {WIRE_TYPE_SOA, "C:Ns1.Example. C:Host.Example. F:20"},     /* RFC 1035 §3.3.13 */
    {WIRE_TYPE_MB, "C:Mb.Example."},                            /* RFC 1035 §3.3.3 */
    {WIRE_TYPE_MG, "C:Mg.Example."},                            /* RFC 1035 §3.3.6 */
    {WIRE_TYPE_MR, "C:Mr.Example."},                            /* RFC 1035 §3.3.8 */
    {WIRE_TYPE_NULL, "R:5"},                                    /* RFC 1035 §3.3.10 */
    {WIRE_TYPE_WKS, "F:5 R:3"},                                 /* RFC 1035 §3.4.2 */
    {WIRE_TYPE_PTR, "C:Ptr.Example."},                          /* RFC 1035 §3.3.12 */
    {WIRE_TYPE_HINFO, "S:CPU S:OS"},                            /* RFC 1035 §3.3.2 */
    {WIRE_TYPE_MINFO, "C:Rmail.Example. C:Email.Example."},     /* RFC 1035 §3.3.7 */
    {WIRE_TYPE_MX, "F:2 C:Mail.Example."},                      /* RFC 1035 §3.3.9 */
    {WIRE_TYPE_TXT, "T:hello"},                                 /* RFC 1035 §3.3.14 */
    {WIRE_TYPE_RP, "L:Mbox.Example. L:Txt.Example."},           /* RFC 1183 §2.2 */
    {WIRE_TYPE_AFSDB, "F:2 L:Afs.Example."},                    /* RFC 1183 §1 */
    {WIRE_TYPE_X25, "S:311061700956"},                          /* RFC 1183 §3.1 */
    {WIRE_TYPE_ISDN, "S:150862028003217 O:004"},                /* RFC 1183 §3.2 */
    {WIRE_TYPE_RT, "F:2 L:Relay.Example."},                     /* RFC 1183 §3.3 */
    {WIRE_TYPE_NSAP, "R:20"},                                   /* RFC 1706 §5 */
    {WIRE_TYPE_NSAP_PTR, "N:Host.Example."},                    /* RFC 1706 §6 */
    {WIRE_TYPE_SIG, "F:18 L:Signer.Example. R:32"},             /* RFC 2535 §4.1 */
    {WIRE_TYPE_KEY, "F:4 R:32"},                                /* RFC 2535 §3.1 */
    {WIRE_TYPE_PX, "F:2 L:Map822.Example. L:Mapx400.Example."}, /* RFC 2163 §4 */
    {WIRE_TYPE_GPOS, "S:-32.6882 S:116.8652 S:10.0"},           /* RFC 1712 §3 */
    {WIRE_TYPE_AAAA, "F:16"},                                   /* RFC 3596 §2.2 */
    {WIRE_TYPE_LOC, "R:16"},                                    /* RFC 1876 §2 */
    {WIRE_TYPE_NXT, "L:Next.Example. R:4"},                     /* RFC 2535 §5.2 */
    {WIRE_TYPE_SRV, "F:6 L:Target.Example."},                   /* RFC 2782 */
    {WIRE_TYPE_NAPTR, "F:4 S:u S:E2U+sip S:!^.*$!x! L:Repl.Example."}, /* RFC 3403 §4.1 */
    {WIRE_TYPE_KX, "F:2 L:Kx.Example."},                        /* RFC 2230 §3.1 */
    {WIRE_TYPE_CERT, "F:5 R:20"},                               /* RFC 4398 §2 */
    {WIRE_TYPE_A6, "F:1 R:16"},         /* RFC 2874 §3.1, name kept opaque */
    {WIRE_TYPE_DNAME, "L:Target.Example."},                     /* RFC 6672 §2.1 */
    {WIRE_TYPE_OPT, "R:8"},                                     /* RFC 6891 §6.1.2 */
    {WIRE_TYPE_APL, "R:8"},                                     /* RFC 3123 §4 */
    {WIRE_TYPE_DS, "F:4 R:32"},                                 /* RFC 4034 §5.1 */
    {WIRE_TYPE_SSHFP, "F:2 R:20"},                              /* RFC 4255 §3.1 */
    {WIRE_TYPE_IPSECKEY, "F:3 R:20"},   /* RFC 4025 §2, gateway kept opaque */
    {WIRE_TYPE_RRSIG, "F:18 L:Signer.Example. R:64"},           /* RFC 4034 §3.1 */
    {WIRE_TYPE_NSEC, "N:Next.Example. R:6"},                    /* RFC 4034 §4.1 */
    {WIRE_TYPE_DNSKEY, "F:4 R:32"},                             /* RFC 4034 §2.1 */
    {WIRE_TYPE_DHCID, "R:35"},                                  /* RFC 4701 §3 */
    {WIRE_TYPE_NSEC3, "F:4 S:salt S:next-hashed-owner R:6"},    /* RFC 5155 §3.2 */
    {WIRE_TYPE_NSEC3PARAM, "F:4 S:salt"},                       /* RFC 5155 §4.2 */
    {WIRE_TYPE_TLSA, "F:3 R:32"},                               /* RFC 6698 §2.1 */
    {WIRE_TYPE_SMIMEA, "F:3 R:32"},                             /* RFC 8162 §2 */
    {WIRE_TYPE_HIP, "F:4 R:40"},        /* RFC 8005 §5, names kept opaque */
    {WIRE_TYPE_CDS, "F:4 R:32"},                                /* RFC 7344 §3.1 */
    {WIRE_TYPE_CDNSKEY, "F:4 R:32"},                            /* RFC 7344 §3.2 */
    {WIRE_TYPE_OPENPGPKEY, "R:40"},                             /* RFC 7929 §2.1 */
    {WIRE_TYPE_CSYNC, "F:6 R:4"},                               /* RFC 7477 §2.1 */
    {WIRE_TYPE_ZONEMD, "F:6 R:48"},                             /* RFC 8976 §2.2 */
    {WIRE_TYPE_SVCB, "F:2 N:Svc.Example. R:8"},                 /* RFC 9460 §2.2 */
    {WIRE_TYPE_HTTPS, "F:2 N:Svc.Example. R:8"},                /* RFC 9460 §9 */
    {WIRE_TYPE_SPF, "T:v=spf1"},                                /* RFC 7208 §3.1 */
    {WIRE_TYPE_NID, "F:10"},                                    /* RFC 6742 §2.1 */
    {WIRE_TYPE_L32, "F:6"},                                     /* RFC 6742 §2.2 */
    {WIRE_TYPE_L64, "F:10"},                                    /* RFC 6742 §2.3 */
    {WIRE_TYPE_LP, "F:2 N:L64.Example."},                       /* RFC 6742 §2.4 */
    {WIRE_TYPE_EUI48, "F:6"},                                   /* RFC 7043 §3.1 */
    {WIRE_TYPE_EUI64, "F:8"},                                   /* RFC 7043 §4.1 */
    {WIRE_TYPE_TKEY, "N:Alg.Example. F:12 D:16 D:0"},           /* RFC 2930 §2 */
    {WIRE_TYPE_TSIG, "N:Hmac-sha256. F:8 D:32 F:4 D:6"},        /* RFC 8945 §4.2 */
    {WIRE_TYPE_IXFR, "R:4"},
    {WIRE_TYPE_AXFR, "R:4"},
    {WIRE_TYPE_MAILB, "R:4"},
    {WIRE_TYPE_MAILA, "R:4"},
    {WIRE_TYPE_ANY, "R:4"},
    {WIRE_TYPE_URI, "F:4 R:20"},                                /* RFC 7553 §4.5 */
    {WIRE_TYPE_CAA, "F:1 S:issue R:11"},                        /* RFC 8659 §4.1 */
    {WIRE_TYPE_AMTRELAY, "F:2 R:4"},    /* RFC 8777 §4, relay kept opaque */
    {WIRE_TYPE_TA, "F:4 R:32"},
    {WIRE_TYPE_DLV, "F:4 R:32"},                                /* RFC 4431 §2 */
    {65280, "R:7"},                     /* RFC 3597 §5: unknown, opaque */
};

#define N_LAYOUTS (sizeof(layouts) / sizeof(layouts[0]))
#define MAX_ITEMS 8

/* A layout turned into sample RDATA and the items the iterator must yield. */
struct sample {
	uint8_t rdata[512];
	size_t len;
	struct wire_rdata_item items[MAX_ITEMS];
	unsigned n_items;
	size_t must_len; /* end of the last field that must be there */
};

static enum wire_rdf kind_of(char c)
{
	switch (c) {
	case 'C': return WIRE_RDF_CNAME;
	case 'L': return WIRE_RDF_LNAME;
	case 'N': return WIRE_RDF_NAME;
	case 'F': return WIRE_RDF_FIXED;
	case 'S': return WIRE_RDF_STRING;
	case 'O': return WIRE_RDF_STRING_OPT;
	case 'T': return WIRE_RDF_STRINGS;
	case 'D': return WIRE_RDF_DATA16;
	case 'R': return WIRE_RDF_REMAINDER;
	default: fail_msg("bad kind letter '%c'", c); return WIRE_RDF_END;
	}
}

static void sample_make(const char *fields, struct sample *s)
{
	char text[256];
	memset(s, 0, sizeof(*s));
	snprintf(text, sizeof(text), "%s", fields);
	for (char *tok = strtok(text, " "); tok != NULL; tok = strtok(NULL, " ")) {
		assert_true(tok[1] == ':' && s->n_items < MAX_ITEMS);
		struct wire_rdata_item *it = &s->items[s->n_items++];
		const char *arg = tok + 2;
		uint8_t *w = s->rdata + s->len;
		size_t n = 0;
		it->kind = kind_of(tok[0]);
		switch (tok[0]) {
		case 'C': case 'L': case 'N':
			assert_int_equal(wire_name_from_str(arg, NULL, w, &n), NIM_OK);
			it->name_len = n;
			break;
		case 'F': case 'R':
			n = (size_t)atoi(arg);
			for (size_t i = 0; i < n; i++)
				w[i] = (uint8_t)(0x41 + i % 26); /* upper case, which no fold may touch */
			break;
		case 'S': case 'O': case 'T':
			n = strlen(arg);
			w[0] = (uint8_t)n;
			memcpy(w + 1, arg, n);
			n++;
			break;
		case 'D': {
			size_t d = (size_t)atoi(arg);
			w[0] = (uint8_t)(d >> 8);
			w[1] = (uint8_t)d;
			memset(w + 2, 0x5a, d);
			n = 2 + d;
			break;
		}
		}
		it->off = s->len;
		it->len = n;
		s->len += n;
		if (tok[0] != 'R' && tok[0] != 'O')
			s->must_len = s->len;
	}
}

/* RDATA truncated to k octets still fits: every required field is whole, an optional one absent. */
static bool truncation_fits(const struct sample *s, size_t k)
{
	if (k == s->len)
		return true;
	if (k < s->must_len)
		return false;
	for (unsigned i = 0; i < s->n_items; i++) {
		const struct wire_rdata_item *it = &s->items[i];
		if (it->kind == WIRE_RDF_STRING_OPT && k > it->off && k < it->off + it->len)
			return false;
	}
	return true;
}

static bool has_kind(const struct sample *s, enum wire_rdf kind)
{
	for (unsigned i = 0; i < s->n_items; i++) {
		if (s->items[i].kind == kind)
			return true;
	}
	return false;
}

/* Walks it to the end; checks each item against want[0..n_want) (with base added to offsets). */
static int walk_expect(struct wire_rdata_iter *it, const struct wire_rdata_item *want,
		       unsigned n_want, size_t base, uint16_t type)
{
	struct wire_rdata_item got;
	unsigned n = 0;
	while (wire_rdata_iter_next(it, &got)) {
		if (want != NULL) {
			if (n >= n_want)
				fail_msg("type %u: more items than %u", type, n_want);
			if (got.kind != want[n].kind || got.off != want[n].off + base ||
			    got.len != want[n].len || got.name_len != want[n].name_len)
				fail_msg("type %u item %u: kind %d off %zu len %zu name %zu, want "
					 "kind %d off %zu len %zu name %zu",
					 type, n, got.kind, got.off, got.len, got.name_len,
					 want[n].kind, want[n].off + base, want[n].len,
					 want[n].name_len);
		}
		n++;
	}
	if (want != NULL && wire_rdata_iter_end(it) == NIM_OK && n != n_want)
		fail_msg("type %u: %u items, want %u", type, n, n_want);
	return wire_rdata_iter_end(it);
}

/* Every type with a mnemonic has a layout above, and the iterator yields it exactly. */
static void every_type_yields_its_layout(void **state)
{
	(void)state;
	for (unsigned t = 0; t < 65536; t++) {
		bool is_listed = false;
		for (size_t i = 0; i < N_LAYOUTS; i++)
			is_listed = is_listed || layouts[i].type == t;
		if (wire_rdata_desc((uint16_t)t)->mnemonic != NULL && !is_listed)
			fail_msg("type %u has a descriptor but no layout in this test", t);
	}
	for (size_t i = 0; i < N_LAYOUTS; i++) {
		struct sample s;
		struct wire_rdata_iter it;
		uint16_t type = layouts[i].type;
		sample_make(layouts[i].fields, &s);
		wire_rdata_iter_init_flat(&it, s.rdata, s.len, type);
		assert_int_equal(walk_expect(&it, s.items, s.n_items, 0, type), NIM_OK);
		assert_int_equal(wire_rdata_check_flat(type, s.rdata, s.len), NIM_OK);

		uint8_t pkt[600] = {0};
		memcpy(pkt + 12, s.rdata, s.len);
		wire_rdata_iter_init_packet(&it, pkt, 12 + s.len, 12, (uint16_t)s.len, type);
		assert_int_equal(walk_expect(&it, s.items, s.n_items, 12, type), NIM_OK);
		assert_int_equal(wire_rdata_check(pkt, 12 + s.len, 12, (uint16_t)s.len, type),
				 NIM_OK);
		/* What the builder compresses and what canonical form folds follow the kinds. */
		const struct wire_rdata_desc *d = wire_rdata_desc(type);
		assert_int_equal(wire_rdata_has_cname(d), has_kind(&s, WIRE_RDF_CNAME));
		assert_int_equal(wire_rdata_has_lname(d),
				 has_kind(&s, WIRE_RDF_CNAME) || has_kind(&s, WIRE_RDF_LNAME));
	}
}

/*
 * Every truncation of every sample. Over a message the full sample stays in
 * the packet after RDLENGTH, so a name cut by RDLENGTH still parses there:
 * the iterator must see that it ends past the RDATA.
 */
static void truncations_and_extra_octets(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_LAYOUTS; i++) {
		struct sample s;
		uint16_t type = layouts[i].type;
		uint8_t pkt[600] = {0};
		sample_make(layouts[i].fields, &s);
		memcpy(pkt + 12, s.rdata, s.len);
		for (size_t k = 0; k <= s.len; k++) {
			int want = truncation_fits(&s, k) ? NIM_OK : NIM_EMALFORMED;
			if (wire_rdata_check_flat(type, s.rdata, k) != want)
				fail_msg("type %u flat, %zu of %zu octets: want %d", type, k,
					 s.len, want);
			if (wire_rdata_check(pkt, 12 + s.len, 12, (uint16_t)k, type) != want)
				fail_msg("type %u packet, %zu of %zu octets: want %d", type, k,
					 s.len, want);
		}
		/* One octet more: only a field that runs to the end can take it. */
		enum wire_rdf last = s.items[s.n_items - 1].kind;
		s.rdata[s.len] = 0; /* also an empty <character-string> */
		int want = last == WIRE_RDF_REMAINDER || last == WIRE_RDF_STRINGS ? NIM_OK
										  : NIM_EMALFORMED;
		if (wire_rdata_check_flat(type, s.rdata, s.len + 1) != want)
			fail_msg("type %u with one octet more: want %d", type, want);
	}
}

/*
 * The first name of each sample as a pointer to a copy earlier in the
 * message: fine over a message (receivers decompress every name field),
 * malformed as flat RDATA; decompression gives the sample back. A pointer
 * forward is malformed.
 */
static void compressed_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_LAYOUTS; i++) {
		struct sample s;
		uint16_t type = layouts[i].type;
		sample_make(layouts[i].fields, &s);
		unsigned first = 0;
		while (first < s.n_items && !wire_rdf_is_name(s.items[first].kind))
			first++;
		if (first == s.n_items)
			continue;
		const struct wire_rdata_item *nm = &s.items[first];

		/* header | copy of the name at 12 | RDATA with c0 0c in its place */
		uint8_t pkt[700] = {0};
		size_t rd = 12 + nm->len;
		memcpy(pkt + 12, s.rdata + nm->off, nm->len);
		memcpy(pkt + rd, s.rdata, nm->off);
		pkt[rd + nm->off] = 0xc0;
		pkt[rd + nm->off + 1] = 12;
		memcpy(pkt + rd + nm->off + 2, s.rdata + nm->off + nm->len,
		       s.len - nm->off - nm->len);
		size_t rdlength = s.len - nm->len + 2;
		size_t pkt_len = rd + rdlength;

		struct wire_rdata_item want[MAX_ITEMS];
		memcpy(want, s.items, sizeof(want));
		want[first].len = 2;
		for (unsigned k = first + 1; k < s.n_items; k++)
			want[k].off -= nm->len - 2;
		struct wire_rdata_iter it;
		wire_rdata_iter_init_packet(&it, pkt, pkt_len, rd, (uint16_t)rdlength, type);
		assert_int_equal(walk_expect(&it, want, s.n_items, rd, type), NIM_OK);
		assert_int_equal(wire_rdata_check_flat(type, pkt + rd, rdlength), NIM_EMALFORMED);

		uint8_t out[600];
		size_t out_len = 0;
		assert_int_equal(wire_rdata_decompress(pkt, pkt_len, rd, (uint16_t)rdlength, type,
						       out, sizeof(out), &out_len),
				 NIM_OK);
		assert_int_equal(out_len, s.len);
		assert_memory_equal(out, s.rdata, s.len);
		/* Too little room for the expanded copy. */
		assert_int_equal(wire_rdata_decompress(pkt, pkt_len, rd, (uint16_t)rdlength, type,
						       out, s.len - 1, &out_len),
				 NIM_ESPACE);

		/* The pointer now leads past itself, to a copy after the RDATA. */
		memcpy(pkt + pkt_len, s.rdata + nm->off, nm->len);
		pkt[rd + nm->off] = (uint8_t)(0xc0 | (pkt_len >> 8));
		pkt[rd + nm->off + 1] = (uint8_t)pkt_len;
		assert_int_equal(wire_rdata_check(pkt, pkt_len + nm->len, rd, (uint16_t)rdlength,
						  type),
				 NIM_EMALFORMED);
	}
}

/* RFC 4034 §6.2: lower case for C and L names only, every other octet as it was. */
static void canonical_form(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_LAYOUTS; i++) {
		struct sample s;
		uint16_t type = layouts[i].type;
		sample_make(layouts[i].fields, &s);
		uint8_t want[512];
		memcpy(want, s.rdata, s.len);
		for (unsigned k = 0; k < s.n_items; k++) {
			const struct wire_rdata_item *it = &s.items[k];
			if (it->kind != WIRE_RDF_CNAME && it->kind != WIRE_RDF_LNAME)
				continue;
			for (size_t j = it->off; j < it->off + it->len; j++)
				want[j] = (uint8_t)(want[j] >= 'A' && want[j] <= 'Z' ? want[j] + 32
										    : want[j]);
		}
		uint8_t out[512];
		assert_int_equal(wire_rdata_canon(type, s.rdata, s.len, out), NIM_OK);
		if (memcmp(out, want, s.len) != 0)
			fail_msg("type %u: canonical form differs", type);
		/* In place too. */
		assert_int_equal(wire_rdata_canon(type, s.rdata, s.len, s.rdata), NIM_OK);
		assert_memory_equal(s.rdata, want, s.len);
	}
	uint8_t out[8];
	assert_int_equal(wire_rdata_canon(WIRE_TYPE_MX, (const uint8_t *)"\0\1\3Ab", 5, out),
			 NIM_EMALFORMED);
}

/*
 * The builder compresses C names only (RFC 3597 §4): with "example." in the
 * question, a record's RDATA is shorter than the sample exactly when the
 * layout has a C field, and reads back as the sample (case aside: a pointer
 * takes the case of the question).
 */
static void builder_compresses_c_names_only(void **state)
{
	(void)state;
	static uint8_t buf[2048];
	uint8_t qname[WIRE_NAME_MAXLEN];
	size_t qname_len;
	assert_int_equal(wire_name_from_str("example.", NULL, qname, &qname_len), NIM_OK);
	for (size_t i = 0; i < N_LAYOUTS; i++) {
		struct sample s;
		uint16_t type = layouts[i].type;
		if (wire_type_is_meta(type))
			continue; /* OPT and TSIG have places of their own in a message */
		sample_make(layouts[i].fields, &s);
		struct wire_builder b;
		wire_builder_init(&b, buf, sizeof(buf), 1, WIRE_FLAG_QR);
		assert_int_equal(wire_builder_question(&b, qname, WIRE_TYPE_A, WIRE_CLASS_IN),
				 NIM_OK);
		wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
		assert_int_equal(wire_builder_rr(&b, qname, type, WIRE_CLASS_IN, 60, s.rdata,
						 (uint16_t)s.len),
				 NIM_OK);
		wire_builder_rrset_end(&b);
		size_t len = wire_builder_finish(&b);

		struct wire_msg m;
		struct wire_rr_iter rit;
		struct wire_rr rr;
		assert_int_equal(wire_msg_parse(buf, len, &m), WIRE_PARSE_OK);
		wire_rr_iter_init(&rit, &m);
		assert_int_equal(wire_rr_iter_next(&rit, &rr), NIM_OK);
		if ((rr.rdlength < s.len) != has_kind(&s, WIRE_RDF_CNAME))
			fail_msg("type %u: RDATA %u octets of %zu", type, rr.rdlength, s.len);
		uint8_t out[600];
		size_t out_len;
		assert_int_equal(wire_rdata_decompress(buf, len, rr.rdata_off, rr.rdlength, type,
						       out, sizeof(out), &out_len),
				 NIM_OK);
		assert_int_equal(out_len, s.len);
		assert_true(wire_equal_nocase(out, s.rdata, s.len));
		/* RDATA that does not fit its descriptor is refused, not copied blindly. */
		if (has_kind(&s, WIRE_RDF_CNAME)) {
			wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
			assert_int_equal(wire_builder_rr(&b, qname, type, WIRE_CLASS_IN, 60, s.rdata,
							 (uint16_t)(s.must_len - 1)),
					 NIM_EMALFORMED);
		}
	}
}

/* The first fault sticks; an item is written only when one is yielded. */
static void faults_are_sticky(void **state)
{
	(void)state;
	/* SRV with a name that runs past the RDATA. */
	static const uint8_t srv[] = {0, 1, 0, 2, 0, 3, 4, 'h', 'o', 's', 't', 3, 'c', 'o'};
	struct wire_rdata_iter it;
	struct wire_rdata_item item = {.kind = WIRE_RDF_END, .off = 99, .len = 99};
	wire_rdata_iter_init_flat(&it, srv, sizeof(srv), WIRE_TYPE_SRV);
	assert_true(wire_rdata_iter_next(&it, &item));
	assert_int_equal(item.kind, WIRE_RDF_FIXED);
	assert_int_equal(item.len, 6);
	assert_false(wire_rdata_iter_next(&it, &item));
	assert_int_equal(item.kind, WIRE_RDF_FIXED);
	assert_false(wire_rdata_iter_next(&it, &item));
	assert_int_equal(wire_rdata_iter_end(&it), NIM_EMALFORMED);

	/* A label over 63, and a name over 255 octets, are not names. */
	uint8_t bad[300] = {0, 1, 64};
	assert_int_equal(wire_rdata_check_flat(WIRE_TYPE_MX, bad, 70), NIM_EMALFORMED);
	size_t n = 2;
	for (int k = 0; k < 4; k++) {
		bad[n] = 63;
		memset(bad + n + 1, 'a', 63);
		n += 64;
	}
	bad[n++] = 0; /* 4 x 64 + 1 = 257 octets */
	assert_int_equal(wire_rdata_check_flat(WIRE_TYPE_MX, bad, n), NIM_EMALFORMED);

	/* TXT: several strings are one field; none at all is malformed. */
	wire_rdata_iter_init_flat(&it, (const uint8_t *)"\2ab\0\1c", 6, WIRE_TYPE_TXT);
	assert_true(wire_rdata_iter_next(&it, &item));
	assert_int_equal(item.kind, WIRE_RDF_STRINGS);
	assert_int_equal(item.len, 6);
	assert_false(wire_rdata_iter_next(&it, &item));
	assert_int_equal(wire_rdata_iter_end(&it), NIM_OK);
	assert_int_equal(wire_rdata_check_flat(WIRE_TYPE_TXT, NULL, 0), NIM_EMALFORMED);
	assert_int_equal(wire_rdata_check_flat(WIRE_TYPE_TXT, (const uint8_t *)"\2ab\3c", 5),
			 NIM_EMALFORMED);

	/* TSIG: a MAC length larger than what is left. */
	static const uint8_t tsig[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 1, 2};
	assert_int_equal(wire_rdata_check_flat(WIRE_TYPE_TSIG, tsig, sizeof(tsig)),
			 NIM_EMALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_type_yields_its_layout),
	    cmocka_unit_test(truncations_and_extra_octets),
	    cmocka_unit_test(compressed_names),
	    cmocka_unit_test(canonical_form),
	    cmocka_unit_test(builder_compresses_c_names_only),
	    cmocka_unit_test(faults_are_sticky),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
