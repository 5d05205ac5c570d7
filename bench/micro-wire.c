/*
 * micro-wire.c - nanoseconds per call of the wire codec's hot functions.
 *
 * Unlike the other tools here this one links src/wire: it measures the
 * codec itself, in process, where a network benchmark cannot separate a few
 * nanoseconds of parsing from the kernel's share. It exists to compare one
 * build of the codec with another (before and after a change), on the
 * messages of the unit tests' fixtures:
 * - parse: wire_msg_parse of a query with OPT (every RDATA opaque), and of
 *   responses whose RDATA walks the descriptors (MX/SOA compressed, DNSSEC
 *   types, SRV/NAPTR);
 * - build: a referral-sized answer (question, 3 NS, 2 MX, SOA, 3 A) with
 *   compression of RDATA names;
 * - canon: the RFC 4034 §6.2 canonical form of SOA, MX and RRSIG RDATA, as
 *   the zone builder computes it to sort and deduplicate records.
 * Each figure is the minimum over ROUNDS runs of COUNT calls, so that a busy
 * neighbour on a shared core shows as noise in the other runs only.
 *
 *   make -C build bench/micro-wire && build/bench/micro-wire [COUNT [ROUNDS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/unit/fixtures/wire_fixtures.h"
#include "util/error.h"
#include "wire/build.h"
#include "wire/msg.h"
#include "wire/name.h"
#include "wire/rdata.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The compiler must not drop a call whose result nothing reads. */
static volatile size_t sink;

static void parse_loop(const uint8_t *pkt, size_t len, long count)
{
	struct wire_msg m;
	for (long i = 0; i < count; i++) {
		if (wire_msg_parse(pkt, len, &m) != WIRE_PARSE_OK)
			abort();
		sink += m.qtype;
	}
}

static const uint8_t *name(const char *text)
{
	static uint8_t names[16][WIRE_NAME_MAXLEN];
	static unsigned next;
	uint8_t *out = names[next++ % 16];
	size_t len;
	if (wire_name_from_str(text, NULL, out, &len) != NIM_OK)
		abort();
	return out;
}

struct rec {
	const uint8_t *owner;
	uint16_t type;
	uint8_t rdata[128];
	uint16_t rdlength;
};

static struct rec recs[9];
static const uint8_t *qname;

static void rec_name_rdata(struct rec *r, const char *owner, uint16_t type, const uint8_t *head,
			   size_t head_len, const char *target)
{
	const uint8_t *t = name(target);
	size_t t_len = wire_name_len(t);
	r->owner = name(owner);
	r->type = type;
	memcpy(r->rdata, head, head_len);
	memcpy(r->rdata + head_len, t, t_len);
	r->rdlength = (uint16_t)(head_len + t_len);
}

static void build_setup(void)
{
	static const uint8_t pref[2] = {0, 10};
	static const uint8_t addr[4] = {192, 0, 2, 1};
	qname = name("www.example.com.");
	rec_name_rdata(&recs[0], "example.com.", WIRE_TYPE_NS, NULL, 0, "ns1.example.com.");
	rec_name_rdata(&recs[1], "example.com.", WIRE_TYPE_NS, NULL, 0, "ns2.example.com.");
	rec_name_rdata(&recs[2], "example.com.", WIRE_TYPE_NS, NULL, 0, "ns.example.net.");
	rec_name_rdata(&recs[3], "example.com.", WIRE_TYPE_MX, pref, 2, "mail.example.com.");
	rec_name_rdata(&recs[4], "example.com.", WIRE_TYPE_MX, pref, 2, "mx.example.net.");
	/* SOA: MNAME, RNAME and the five 32-bit numbers. */
	struct rec *soa = &recs[5];
	const uint8_t *m = name("ns1.example.com."), *r = name("hostmaster.example.com.");
	size_t m_len = wire_name_len(m), r_len = wire_name_len(r);
	soa->owner = name("example.com.");
	soa->type = WIRE_TYPE_SOA;
	memcpy(soa->rdata, m, m_len);
	memcpy(soa->rdata + m_len, r, r_len);
	memset(soa->rdata + m_len + r_len, 7, 20);
	soa->rdlength = (uint16_t)(m_len + r_len + 20);
	for (unsigned i = 6; i < 9; i++) {
		recs[i].owner = name(i == 6 ? "ns1.example.com." : "ns2.example.com.");
		recs[i].type = WIRE_TYPE_A;
		memcpy(recs[i].rdata, addr, 4);
		recs[i].rdlength = 4;
	}
}

static void build_loop(long count)
{
	static uint8_t buf[1232];
	static const enum wire_section sec[9] = {
	    WIRE_SECTION_ANSWER,     WIRE_SECTION_ANSWER,     WIRE_SECTION_ANSWER,
	    WIRE_SECTION_ANSWER,     WIRE_SECTION_ANSWER,     WIRE_SECTION_AUTHORITY,
	    WIRE_SECTION_ADDITIONAL, WIRE_SECTION_ADDITIONAL, WIRE_SECTION_ADDITIONAL,
	};
	struct wire_builder b;
	for (long i = 0; i < count; i++) {
		wire_builder_init(&b, buf, sizeof(buf), 1, WIRE_FLAG_QR);
		if (wire_builder_question(&b, qname, WIRE_TYPE_A, WIRE_CLASS_IN) != NIM_OK)
			abort();
		for (unsigned k = 0; k < 9; k++) {
			wire_builder_rrset_begin(&b, sec[k]);
			if (wire_builder_rr(&b, recs[k].owner, recs[k].type, WIRE_CLASS_IN, 300,
					    recs[k].rdata, recs[k].rdlength) != NIM_OK)
				abort();
			wire_builder_rrset_end(&b);
		}
		sink += wire_builder_finish(&b);
	}
}

#ifdef MICRO_OLD_ZONE_API
/* The zone builder's functions before the walkers were merged (src/zone/rdata.c). */
void zone_rdata_canon(uint16_t type, const uint8_t *rdata, size_t len, uint8_t *out);
#define CANON(type, rdata, len, out) zone_rdata_canon(type, rdata, len, out)
#else
#define CANON(type, rdata, len, out) wire_rdata_canon(type, rdata, len, out)
#endif

static uint8_t rrsig[128];
static size_t rrsig_len;

static void canon_loop(long count)
{
	uint8_t out[128];
	for (long i = 0; i < count; i++) {
		CANON(WIRE_TYPE_SOA, recs[5].rdata, recs[5].rdlength, out);
		CANON(WIRE_TYPE_MX, recs[3].rdata, recs[3].rdlength, out);
		CANON(WIRE_TYPE_RRSIG, rrsig, rrsig_len, out);
		sink += out[0];
	}
}

static void canon_setup(void)
{
	const uint8_t *signer = name("Example.COM.");
	size_t s_len = wire_name_len(signer);
	memset(rrsig, 1, 18);
	memcpy(rrsig + 18, signer, s_len);
	memset(rrsig + 18 + s_len, 0xab, 64);
	rrsig_len = 18 + s_len + 64;
}

int main(int argc, char **argv)
{
	long count = argc > 1 ? atol(argv[1]) : 2000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	static const struct {
		const char *what;
		const uint8_t *pkt;
		size_t len;
	} parses[] = {
	    {"parse query+OPT", fx_query_edns, sizeof(fx_query_edns)},
	    {"parse MX/SOA response", fx_response_mx_soa, sizeof(fx_response_mx_soa)},
	    {"parse DNSSEC response", fx_response_dnssec, sizeof(fx_response_dnssec)},
	    {"parse SRV/NAPTR response", fx_response_srv_naptr_compressed,
	     sizeof(fx_response_srv_naptr_compressed)},
	};
	build_setup();
	canon_setup();
	for (size_t w = 0; w < sizeof(parses) / sizeof(parses[0]) + 2; w++) {
		double best = 1e30;
		for (int r = 0; r < rounds; r++) {
			double t0 = now_ns();
			if (w < sizeof(parses) / sizeof(parses[0]))
				parse_loop(parses[w].pkt, parses[w].len, count);
			else if (w == sizeof(parses) / sizeof(parses[0]))
				build_loop(count / 4);
			else
				canon_loop(count);
			double t =
			    (now_ns() - t0) /
			    (double)(w == sizeof(parses) / sizeof(parses[0]) ? count / 4 : count);
			if (t < best)
				best = t;
		}
		const char *what = w < sizeof(parses) / sizeof(parses[0]) ? parses[w].what
				   : w == sizeof(parses) / sizeof(parses[0])
				       ? "build answer (9 RRs)"
				       : "canon SOA+MX+RRSIG";
		printf("%-28s %8.1f ns\n", what, best);
	}
	return 0;
}
