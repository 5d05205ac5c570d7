/*
 * fuzz_answer.c - libFuzzer target: queries answered from the example zones,
 * through the same dispatch path nimbusd uses.
 *
 * At the first input the four example zones of zones/ (example.com,
 * sub.example.com, example-nsec.test, example-nsec3.test) are loaded into a
 * zone set, the way src/zones.c does it, and a configuration snapshot is
 * made from a small YAML text; both are published through atomic pointers
 * of our own, as nimbusd publishes them. The zone files are found under
 * $TOP_SRCDIR (set by `make check`), else under the source directory the
 * build was configured in (NIM_SRCDIR).
 *
 * Every input is handed to dispatch_handle() as a UDP query with output
 * buffers of 512, 1232 and 4096 octets (the handler must respect whichever
 * is smaller, the buffer or the query's limit) and as a TCP query with a
 * 65535-octet buffer. Every non-empty answer must:
 * - parse with ldns_wire2pkt (an independent parser) and with our own
 *   wire_msg_parse as WIRE_PARSE_OK, or as WIRE_PARSE_BAD_QDCOUNT with no
 *   question when the query had none to echo (a FORMERR answer to a query
 *   whose question did not parse, RFC 1035 §4.1.1);
 * - have QR set and the query's ID (RFC 1035 §4.1.1);
 * - over UDP, fit the buffer and the limit the query implies: 512 octets
 *   without EDNS (RFC 1035 §2.3.4), else its EDNS payload size, raised to
 *   512 (RFC 6891 §6.2.5) and capped by our udp-max-payload, 1232;
 * - carry OPT exactly when a well-formed query did (RFC 6891 §6.1.1, §7);
 * - repeat the question of a well-formed query with one question.
 * Anything else aborts. Queries nimbusd drops (too short, QR set) must give
 * no answer.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "conf/conf.h"
#include "dispatch.h"
#include "util/diag.h"
#include "util/error.h"
#include "wire/msg.h"
#include "wire/name.h"
#include "zone/load.h"
#include "zone/set.h"

#ifndef NIM_SRCDIR
#define NIM_SRCDIR "."
#endif

/* Our udp-max-payload, written into the configuration below. */
#define FUZZ_UDP_MAX_PAYLOAD 1232

#define FUZZ_TARGET "fuzz_answer"
#include "fuzz.h"

static const char *const zone_names[] = {
    "example.com",
    "sub.example.com",
    "example-nsec.test",
    "example-nsec3.test",
};

static struct conf *_Atomic published_conf;
static struct zone_set *_Atomic published_zones;
static struct dispatch_worker worker;

static void fail_diags(const char *what, struct nim_diag_list *diags, int ret)
{
	nim_diag_list_print(diags, stderr);
	fprintf(stderr, "fuzz_answer: %s: %s\n", what, nim_strerror(ret));
	abort();
}

/* The configuration snapshot: the zones, fixed identity and version, udp-max-payload 1232. */
static struct conf *make_conf(const char *srcdir)
{
	char text[4096];
	int n = snprintf(text, sizeof(text),
			 "server:\n"
			 "  listen: [ \"127.0.0.1@5300\" ]\n"
			 "  identity: \"fuzz.nimbus\"\n"
			 "  version: \"nimbus fuzz\"\n"
			 "  udp-max-payload: %d\n"
			 "zones:\n",
			 FUZZ_UDP_MAX_PAYLOAD);
	for (size_t i = 0; i < sizeof(zone_names) / sizeof(zone_names[0]); i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "  - name: %s\n    file: \"%s/zones/%s.zone\"\n", zone_names[i],
			      srcdir, zone_names[i]);
	CHECK(n > 0 && (size_t)n < sizeof(text));
	struct nim_diag_list diags;
	struct conf *conf = NULL;
	nim_diag_list_init(&diags);
	int ret = conf_load_string(text, (size_t)n, "fuzz_answer", &diags, &conf);
	if (ret != NIM_OK)
		fail_diags("configuration", &diags, ret);
	nim_diag_list_clear(&diags);
	CHECK(conf->server.udp_max_payload == FUZZ_UDP_MAX_PAYLOAD);
	return conf;
}

/* Loads every zone of conf; any zone that fails to load stops the target. */
static struct zone_set *make_zones(const struct conf *conf)
{
	struct zone_set *set = zone_set_new(conf->n_zones);
	CHECK(set != NULL);
	for (size_t i = 0; i < conf->n_zones; i++) {
		uint8_t origin[WIRE_NAME_MAXLEN];
		size_t origin_len;
		struct zone_entry *entry;
		CHECK(wire_name_from_str(conf->zones[i].name, NULL, origin, &origin_len) == NIM_OK);
		CHECK(zone_set_add(set, origin, conf->zones[i].file, &entry) == NIM_OK);
		struct nim_diag_list diags;
		struct zone_version *version = NULL;
		nim_diag_list_init(&diags);
		int ret = zone_load_file(conf->zones[i].file, origin, &diags, &version);
		if (ret != NIM_OK)
			fail_diags(conf->zones[i].file, &diags, ret);
		nim_diag_list_clear(&diags);
		atomic_store(&entry->version, version);
	}
	CHECK(zone_set_seal(set) == NIM_OK);
	return set;
}

static void init_once(void)
{
	static bool is_ready;
	if (is_ready)
		return;
	const char *srcdir = getenv("TOP_SRCDIR");
	if (srcdir == NULL || srcdir[0] == '\0')
		srcdir = NIM_SRCDIR;
	struct conf *conf = make_conf(srcdir);
	struct zone_set *zones = make_zones(conf);
	atomic_store_explicit(&published_conf, conf, memory_order_release);
	atomic_store_explicit(&published_zones, zones, memory_order_release);
	dispatch_worker_init(&worker, &published_conf, &published_zones);
	is_ready = true;
}

/* The largest UDP answer the query allows, independent of dispatch's own computation. */
static size_t udp_limit(const struct wire_msg *query, bool has_edns)
{
	if (!has_edns)
		return WIRE_UDP_LEGACY_MAX;
	size_t limit = query->edns.udp_size;
	if (limit < WIRE_UDP_LEGACY_MAX)
		limit = WIRE_UDP_LEGACY_MAX;
	return limit < FUZZ_UDP_MAX_PAYLOAD ? limit : FUZZ_UDP_MAX_PAYLOAD;
}

static void check_answer(const uint8_t *query, size_t query_len, const uint8_t *ans, size_t ans_len,
			 bool is_tcp, size_t out_cap)
{
	struct wire_msg q;
	enum wire_parse_status qst = wire_msg_parse(query, query_len, &q);
	bool is_query_ok = qst == WIRE_PARSE_OK;

	CHECK(ans_len <= out_cap);
	if (!is_tcp)
		CHECK(ans_len <= udp_limit(&q, q.has_edns));

	ldns_pkt *pkt = NULL;
	ldns_status lst = ldns_wire2pkt(&pkt, ans, ans_len);
	if (lst != LDNS_STATUS_OK)
		fprintf(stderr, "fuzz_answer: ldns: %s\n", ldns_get_errorstr_by_id(lst));
	CHECK(lst == LDNS_STATUS_OK);
	CHECK(ldns_pkt_qr(pkt));
	CHECK(ldns_pkt_id(pkt) == (uint16_t)(query[0] << 8 | query[1]));
	ldns_pkt_free(pkt);

	struct wire_msg m;
	enum wire_parse_status st = wire_msg_parse(ans, ans_len, &m);
	/*
	 * wire_msg_parse reports QDCOUNT 0 after validating the rest; an answer
	 * may have no question only when the query's could not be echoed.
	 */
	bool has_echoable_question = q.has_question && q.counts[0] == 1;
	bool is_parsed = st == WIRE_PARSE_OK || (st == WIRE_PARSE_BAD_QDCOUNT && m.counts[0] == 0 &&
						 !has_echoable_question);
	if (!is_parsed)
		fprintf(stderr, "fuzz_answer: wire_msg_parse: %s\n", wire_parse_status_str(st));
	CHECK(is_parsed);
	CHECK((m.flags & WIRE_FLAG_QR) != 0);
	CHECK(m.id == (uint16_t)(query[0] << 8 | query[1]));
	if (is_query_ok) {
		CHECK(m.has_edns == q.has_edns);
		if (q.counts[0] == 1) {
			CHECK(m.counts[0] == 1);
			CHECK(m.qname_len == q.qname_len);
			CHECK(memcmp(m.qname, q.qname, q.qname_len) == 0);
			CHECK(m.qtype == q.qtype && m.qclass == q.qclass);
		}
	}
}

static void run(const uint8_t *data, size_t size, bool is_tcp, size_t out_cap)
{
	static uint8_t out[WIRE_TCP_MAX];
	struct net_query q = {
	    .data = data,
	    .len = size,
	    .is_tcp = is_tcp,
	};
	/* Poisoned, so that a length covering octets never written is unlikely to parse. */
	memset(out, 0xa5, out_cap);
	size_t len = dispatch_handle(&worker, &q, out, out_cap);
	if (size < WIRE_HEADER_LEN || (data[2] & 0x80) != 0) {
		CHECK(len == 0);
		return;
	}
	if (len == 0)
		return;
	check_answer(data, size, out, len, is_tcp, out_cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_once();
	run(data, size, false, 512);
	run(data, size, false, 1232);
	run(data, size, false, 4096);
	run(data, size, true, WIRE_TCP_MAX);
	return 0;
}
