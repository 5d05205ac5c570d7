/*
 * fuzz_packet.c - libFuzzer target: wire_msg_parse against ldns, then the
 * builder.
 *
 * Every input is parsed by nimbus (wire_msg_parse) and by ldns
 * (ldns_wire2pkt), an independent implementation. Where both accept, they
 * must agree on the header counts, the question (name ignoring case, type,
 * class), EDNS, and every record (owner, type, class, TTL and the RDATA with
 * names expanded). Where only one accepts, the difference must be one of the
 * allowed ones below, each a place where the RFCs let nimbus be stricter than
 * ldns or where ldns reads a type's RDATA with another layout; anything
 * else aborts.
 *
 * nimbus refuses, ldns accepts:
 * - QDCOUNT other than 1 is reported (WIRE_PARSE_BAD_QDCOUNT) only after the
 *   rest of the message was validated, so it is compared as an acceptance.
 * - WIRE_PARSE_TRAILING_DATA: octets after the last counted record. RFC 1035
 *   §4.1 defines a message as the header and the counted records; ldns
 *   ignores whatever follows.
 * - WIRE_PARSE_BAD_OPT: RFC 6891 §6.1.1 (one OPT, in the additional section,
 *   owned by the root) and §6.1.2 (options exactly fill RDLENGTH). ldns takes
 *   OPT from the additional section without these checks and treats one
 *   elsewhere as an ordinary record.
 * - WIRE_PARSE_BAD_TSIG: RFC 8945 §5.1, TSIG is the last record. ldns takes
 *   TSIG from anywhere in the additional section.
 * - Any fault in a record after a TSIG (m.has_tsig): ldns lowers its
 *   additional count when it meets a TSIG, inside the loop that reads the
 *   section, so it never reads the records after it. RFC 8945 §5.1 makes
 *   such records an error in any case.
 * - WIRE_PARSE_BAD_RDATA: RFC 1035 §3.3 and the RFCs of each type fix the
 *   RDATA layout; ldns reads fields only while RDATA octets remain (so it
 *   accepts short RDATA), and reads names in RDATA without holding them to
 *   RDLENGTH.
 * - WIRE_PARSE_BAD_QUESTION or WIRE_PARSE_BAD_RR caused by a compression
 *   pointer that is forward, into the header, or part of a chain of more than
 *   128 pointers: RFC 1035 §4.1.4 says a pointer refers to a prior
 *   occurrence of a name, and the header holds none; ldns follows any
 *   pointer inside the packet. The target checks that such a pointer exists
 *   (lax_walk) before allowing the difference.
 *
 * Either way, and records may differ:
 * - Types whose RDATA ldns reads with another layout than nimbus: types
 *   nimbus has no descriptor for (RFC 3597 §5 lets a server treat RDATA it
 *   does not need as opaque), types whose layout depends on values inside
 *   that nimbus keeps opaque, and NSAP-PTR, which ldns misdescribes; see
 *   ldns_reads_differently(). ldns does not skip to the end of RDATA it has
 *   read enough of, so after such a record it may read the rest of the
 *   message at other offsets, accepting or refusing it for reasons of its
 *   own. Only the header and the question are compared then.
 *
 * When nimbus accepts, the message is also rebuilt with the builder into a
 * buffer whose size comes from the input: the question and every record,
 * RDATA decompressed with wire_rdata_decompress, each record its own RRset,
 * rolled back when it does not fit. The result must parse again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "util/error.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/msg.h"
#include "wire/name.h"
#include "wire/rdata.h"

#define FUZZ_TARGET "fuzz_packet"
#include "fuzz.h"

/*
 * Types whose RDATA ldns 1.8 reads with another layout than nimbus's
 * descriptors; see the top. Types ldns reads as one opaque field (A6, APL,
 * LOC, WKS, IPSECKEY, AMTRELAY) give the same octets and are not listed.
 */
static bool ldns_reads_differently(uint16_t type)
{
	/*
	 * Types nimbus has no descriptor for are opaque to it (RFC 3597 §5), while
	 * ldns may know them (SINK, NINFO, UINFO, ...), read only the fields it
	 * expects and then misread the next record.
	 */
	if (wire_rdata_desc(type)->mnemonic == NULL)
		return ldns_rr_descript(type) != NULL && ldns_rr_descript(type)->_name != NULL;
	switch (type) {
	case WIRE_TYPE_NSAP_PTR: /* RFC 1706 §6: a name; ldns reads a <character-string> */
	case WIRE_TYPE_HIP:	 /* RFC 8005 §5: ldns decodes the rendezvous names */
	case WIRE_TYPE_SVCB:	 /* RFC 9460 §2.2: ldns does not read the SvcParams */
	case WIRE_TYPE_HTTPS:
		return true;
	default:
		return false;
	}
}

/*
 * Skips a name the way a lenient decoder would: any pointer inside the
 * packet. Sets *is_strict_fault when nimbus's rules (wire_name_parse) refuse
 * a name the lenient rules accept. Returns false when even the lenient rules
 * refuse it.
 */
static bool lax_name(const uint8_t *pkt, size_t len, size_t *pos, bool *is_strict_fault)
{
	size_t p = *pos;
	size_t next = 0;
	size_t total = 1;
	unsigned hops = 0;
	for (;;) {
		if (p >= len)
			return false;
		uint8_t c = pkt[p];
		if (c == 0)
			break;
		if (c >= 0xc0) {
			if (p + 1 >= len || ++hops > 1000)
				return false;
			if (next == 0)
				next = p + 2;
			p = ((size_t)(c & 0x3f) << 8) | pkt[p + 1];
			if (p == 0)
				return false;
			continue;
		}
		if (c > WIRE_LABEL_MAXLEN || p + 1 + c >= len)
			return false;
		total += c + 1u;
		if (total > WIRE_NAME_MAXLEN)
			return false;
		p += c + 1u;
	}
	size_t strict_pos = *pos;
	if (wire_name_parse(pkt, len, &strict_pos, NULL, NULL) != NIM_OK)
		*is_strict_fault = true;
	*pos = next != 0 ? next : p + 1;
	return true;
}

/* Walks the message framing with lax_name; true when some name is refused only by nimbus. */
static bool lax_walk(const uint8_t *pkt, size_t len)
{
	bool is_strict_fault = false;
	size_t pos = WIRE_HEADER_LEN;
	unsigned counts[4];
	for (unsigned i = 0; i < 4; i++)
		counts[i] = (unsigned)(pkt[4 + 2 * i] << 8 | pkt[5 + 2 * i]);
	for (unsigned i = 0; i < counts[0]; i++) {
		if (!lax_name(pkt, len, &pos, &is_strict_fault) || len - pos < 4)
			return is_strict_fault;
		pos += 4;
	}
	for (unsigned s = 1; s < 4; s++) {
		for (unsigned i = 0; i < counts[s]; i++) {
			if (!lax_name(pkt, len, &pos, &is_strict_fault) || len - pos < 10)
				return is_strict_fault;
			size_t rdlength = (size_t)(pkt[pos + 8] << 8 | pkt[pos + 9]);
			pos += 10;
			if (len - pos < rdlength)
				return is_strict_fault;
			pos += rdlength;
		}
	}
	return is_strict_fault;
}

/* True when some record, as nimbus frames them, has a type of ldns_reads_differently(). */
static bool has_different_type(const struct wire_msg *m)
{
	struct wire_rr_iter it;
	struct wire_rr rr;
	wire_rr_iter_init(&it, m);
	while (wire_rr_iter_next(&it, &rr) == NIM_OK) {
		if (ldns_reads_differently(rr.type))
			return true;
	}
	return false;
}

/* The RDATA of an ldns record in wire form: its fields, names uncompressed. */
static size_t ldns_rdata(const ldns_rr *rr, uint8_t *out, size_t out_cap)
{
	size_t len = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		CHECK(len + ldns_rdf_size(f) <= out_cap);
		memcpy(out + len, ldns_rdf_data(f), ldns_rdf_size(f));
		len += ldns_rdf_size(f);
	}
	return len;
}

static void same_name(const uint8_t *name, size_t name_len, const ldns_rdf *dname)
{
	CHECK(ldns_rdf_get_type(dname) == LDNS_RDF_TYPE_DNAME);
	CHECK(ldns_rdf_size(dname) == name_len);
	CHECK(wire_name_equal(name, ldns_rdf_data(dname)));
}

/* Both accepted: every record must be the same in both (OPT and TSIG are apart in ldns). */
static void compare_records(const struct wire_msg *m, const ldns_pkt *pkt)
{
	static uint8_t ours[65535 + 8 * WIRE_NAME_MAXLEN];
	static uint8_t theirs[65535 + 8 * WIRE_NAME_MAXLEN];
	const ldns_rr_list *lists[3] = {ldns_pkt_answer(pkt), ldns_pkt_authority(pkt),
					ldns_pkt_additional(pkt)};
	size_t next[3] = {0, 0, 0};
	struct wire_rr_iter it;
	struct wire_rr rr;
	int ret;
	wire_rr_iter_init(&it, m);
	while ((ret = wire_rr_iter_next(&it, &rr)) == NIM_OK) {
		if (rr.section == WIRE_SECTION_ADDITIONAL &&
		    (rr.type == WIRE_TYPE_OPT || rr.type == WIRE_TYPE_TSIG))
			continue;
		const ldns_rr *l = ldns_rr_list_rr(lists[rr.section], next[rr.section]++);
		CHECK(l != NULL);
		same_name(rr.owner, rr.owner_len, ldns_rr_owner(l));
		CHECK(ldns_rr_get_type(l) == rr.type);
		CHECK(ldns_rr_get_class(l) == rr.rclass);
		CHECK(ldns_rr_ttl(l) == rr.ttl);
		size_t our_len;
		CHECK(wire_rdata_decompress(m->pkt, m->pkt_len, rr.rdata_off, rr.rdlength, rr.type,
					    ours, sizeof(ours), &our_len) == NIM_OK);
		if (ldns_reads_differently(rr.type))
			continue;
		size_t their_len = ldns_rdata(l, theirs, sizeof(theirs));
		CHECK(our_len == their_len);
		CHECK(memcmp(ours, theirs, our_len) == 0);
	}
	CHECK(ret == NIM_ENOTFOUND);
	for (unsigned s = 0; s < 3; s++)
		CHECK(next[s] == ldns_rr_list_rr_count(lists[s]));
}

/* The options, walked by wire_edns_option_next, are the OPT RDATA ldns keeps whole. */
static void check_options(const struct wire_msg *m, const ldns_pkt *pkt)
{
	struct wire_edns_option_iter it;
	struct wire_edns_option opt;
	size_t total = 0;
	wire_edns_option_iter_init(&it, m);
	while (wire_edns_option_next(&it, &opt) == NIM_OK) {
		CHECK(opt.data == m->pkt + m->edns.options_off + total + 4);
		total += 4u + opt.len;
	}
	CHECK(total == m->edns.options_len);
	const ldns_rdf *data = ldns_pkt_edns_data(pkt);
	if (total == 0)
		return;
	CHECK(data != NULL && ldns_rdf_size(data) == total);
	CHECK(memcmp(ldns_rdf_data(data), m->pkt + m->edns.options_off, total) == 0);
}

static void compare_accepted(const struct wire_msg *m, const ldns_pkt *pkt)
{
	CHECK(ldns_pkt_id(pkt) == m->id);
	CHECK(ldns_pkt_qdcount(pkt) == m->counts[0]);
	CHECK(ldns_pkt_ancount(pkt) == m->counts[1]);
	CHECK(ldns_pkt_nscount(pkt) == m->counts[2]);
	if (m->counts[0] > 0) {
		const ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
		CHECK(q != NULL);
		same_name(m->qname, m->qname_len, ldns_rr_owner(q));
		CHECK(ldns_rr_get_type(q) == m->qtype);
		CHECK(ldns_rr_get_class(q) == m->qclass);
	}
	/* After a record ldns reads differently, it may read all that follows differently. */
	if (has_different_type(m))
		return;
	CHECK((unsigned)ldns_pkt_arcount(pkt) + m->has_edns + m->has_tsig == m->counts[3]);
	CHECK(ldns_pkt_edns(pkt) == m->has_edns);
	if (m->has_edns) {
		CHECK(ldns_pkt_edns_udp_size(pkt) == m->edns.udp_size);
		CHECK(ldns_pkt_edns_extended_rcode(pkt) == m->edns.ext_rcode);
		CHECK(ldns_pkt_edns_version(pkt) == m->edns.version);
		CHECK(ldns_pkt_edns_do(pkt) == m->edns.is_do);
		check_options(m, pkt);
	}
	CHECK((ldns_pkt_tsig(pkt) != NULL) == m->has_tsig);
	compare_records(m, pkt);
}

/* Presentation form and back must give the same octets; canonical order must be consistent. */
static void check_names(const struct wire_msg *m)
{
	char text[WIRE_NAME_STRLEN];
	uint8_t back[WIRE_NAME_MAXLEN];
	size_t back_len;
	struct wire_rr_iter it;
	struct wire_rr rr;
	if (!m->has_question)
		return;
	CHECK(wire_name_to_str(m->qname, text, sizeof(text)) == NIM_OK);
	CHECK(wire_name_from_str(text, NULL, back, &back_len) == NIM_OK);
	CHECK(back_len == m->qname_len && memcmp(back, m->qname, back_len) == 0);
	wire_rr_iter_init(&it, m);
	while (wire_rr_iter_next(&it, &rr) == NIM_OK) {
		int ab = wire_name_canon_cmp(m->qname, rr.owner);
		int ba = wire_name_canon_cmp(rr.owner, m->qname);
		CHECK((ab < 0) == (ba > 0) && (ab == 0) == (ba == 0));
		CHECK((ab == 0) == wire_name_equal(m->qname, rr.owner));
		if (ab == 0)
			CHECK(wire_name_is_subdomain(rr.owner, m->qname));
	}
}

/*
 * Rebuilds an accepted message into cap octets; the result must parse again.
 * Without TSIG (which must stay last), an OPT record is written the way the
 * dispatcher does it: space reserved first, the record written last.
 */
static void rebuild(const struct wire_msg *m, size_t cap)
{
	static uint8_t out[65535];
	static uint8_t rdata[65535];
	struct wire_builder b;
	struct wire_rr_iter it;
	struct wire_rr rr;
	size_t rdata_len;
	unsigned n_added[3] = {0, 0, 0};
	struct wire_edns_out edns = {
	    .udp_size = m->edns.udp_size,
	    .ext_rcode = m->edns.ext_rcode,
	    .is_do = m->edns.is_do,
	    .options = m->pkt + m->edns.options_off,
	    .options_len = m->edns.options_len,
	};
	bool is_opt_reserved = false;

	wire_builder_init(&b, out, cap, m->id, m->flags);
	if (m->has_edns && !m->has_tsig)
		is_opt_reserved = wire_builder_reserve(&b, wire_edns_out_len(&edns)) == NIM_OK;
	bool has_question =
	    m->has_question && wire_builder_question(&b, m->qname, m->qtype, m->qclass) == NIM_OK;
	wire_rr_iter_init(&it, m);
	while (wire_rr_iter_next(&it, &rr) == NIM_OK) {
		if (rr.type == WIRE_TYPE_OPT && m->has_edns && !m->has_tsig)
			continue;
		int ret = wire_rdata_decompress(m->pkt, m->pkt_len, rr.rdata_off, rr.rdlength,
						rr.type, rdata, sizeof(rdata), &rdata_len);
		if (ret == NIM_ESPACE)
			continue;
		CHECK(ret == NIM_OK);
		wire_builder_rrset_begin(&b, rr.section);
		ret = wire_builder_rr(&b, rr.owner, rr.type, rr.rclass, rr.ttl, rdata,
				      (uint16_t)rdata_len);
		if (ret == NIM_OK) {
			wire_builder_rrset_end(&b);
			n_added[rr.section]++;
		} else {
			CHECK(ret == NIM_ESPACE);
			wire_builder_rrset_rollback(&b);
			wire_builder_set_tc(&b);
		}
	}
	if (is_opt_reserved) {
		/* Reserved space always suffices, whatever was written before. */
		CHECK(wire_builder_opt(&b, &edns) == NIM_OK);
		n_added[WIRE_SECTION_ADDITIONAL]++;
	}
	size_t len = wire_builder_finish(&b);
	CHECK(len <= cap);

	struct wire_msg again;
	enum wire_parse_status st = wire_msg_parse(out, len, &again);
	CHECK(st == (has_question ? WIRE_PARSE_OK : WIRE_PARSE_BAD_QDCOUNT));
	for (unsigned s = 0; s < 3; s++)
		CHECK(again.counts[s + 1] == n_added[s]);
	if (has_question) {
		CHECK(again.qname_len == m->qname_len);
		CHECK(memcmp(again.qname, m->qname, m->qname_len) == 0);
		CHECK(again.qtype == m->qtype && again.qclass == m->qclass);
	}
	if (is_opt_reserved) {
		CHECK(again.has_edns);
		CHECK(again.edns.udp_size == m->edns.udp_size && again.edns.is_do == m->edns.is_do);
		CHECK(again.edns.ext_rcode == m->edns.ext_rcode && again.edns.version == 0);
		CHECK(again.edns.options_len == m->edns.options_len);
		CHECK(memcmp(again.pkt + again.edns.options_off, edns.options, edns.options_len) ==
		      0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_msg m;
	enum wire_parse_status st = wire_msg_parse(data, size, &m);
	bool is_ours = st == WIRE_PARSE_OK || st == WIRE_PARSE_BAD_QDCOUNT;
	ldns_pkt *pkt = NULL;
	bool is_theirs = ldns_wire2pkt(&pkt, data, size) == LDNS_STATUS_OK;

	if (is_ours && is_theirs) {
		compare_accepted(&m, pkt);
	} else if (is_ours) {
		if (!has_different_type(&m)) {
			fprintf(stderr, "fuzz_packet: only nimbus accepts\n");
			abort();
		}
	} else if (is_theirs) {
		bool is_allowed = st == WIRE_PARSE_TRAILING_DATA || st == WIRE_PARSE_BAD_OPT ||
				  st == WIRE_PARSE_BAD_TSIG || st == WIRE_PARSE_BAD_RDATA ||
				  m.has_tsig || has_different_type(&m) ||
				  ((st == WIRE_PARSE_BAD_QUESTION || st == WIRE_PARSE_BAD_RR) &&
				   lax_walk(data, size));
		if (!is_allowed) {
			fprintf(stderr, "fuzz_packet: only ldns accepts; nimbus says '%s'\n",
				wire_parse_status_str(st));
			abort();
		}
	}
	if (pkt != NULL)
		ldns_pkt_free(pkt);

	if (is_ours) {
		check_names(&m);
		/* The first octet picks the buffer: from a bare header up to a full TCP message. */
		size_t cap = WIRE_HEADER_LEN + (size_t)data[0] * 8;
		rebuild(&m, cap);
		rebuild(&m, WIRE_TCP_MAX);
	}
	return 0;
}
