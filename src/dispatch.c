#include "dispatch.h"

#include <string.h>

#include "auth/answer.h"
#include "util/log.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/msg.h"
#include "wire/rdata.h"

enum dispatch_action {
	ACTION_DROP,	/* nothing to answer, or answering would help an attacker */
	ACTION_FORMERR, /* answer FORMERR, echoing what could be parsed */
	ACTION_QDCOUNT, /* well-formed, but QDCOUNT is not 1: the opcode decides */
};

/*
 * The one place where a parse fault becomes an action. Messages too short
 * to carry an ID cannot be answered; every other malformed message gets
 * FORMERR whatever its opcode (RFC 1035 §4.1.1, RFC 6891 §7 for OPT
 * faults): the parser checked the whole message (counts against contents,
 * OPT placement and owner, TSIG position) before dispatch looks at the
 * opcode. Only the question count depends on the opcode: QUERY needs one
 * question, other opcodes define their own (DSO has none, RFC 8490 §5.4),
 * so a well-formed message with an opcode we do not serve gets NOTIMP.
 */
static const enum dispatch_action parse_actions[] = {
	[WIRE_PARSE_OK] = ACTION_FORMERR, /* not used */
	[WIRE_PARSE_SHORT_HEADER] = ACTION_DROP,
	[WIRE_PARSE_BAD_QDCOUNT] = ACTION_QDCOUNT,
	[WIRE_PARSE_BAD_QUESTION] = ACTION_FORMERR,
	[WIRE_PARSE_BAD_RR] = ACTION_FORMERR,
	[WIRE_PARSE_BAD_RDATA] = ACTION_FORMERR,
	[WIRE_PARSE_TRAILING_DATA] = ACTION_FORMERR,
	[WIRE_PARSE_BAD_OPT] = ACTION_FORMERR,
	[WIRE_PARSE_BAD_TSIG] = ACTION_FORMERR,
};

/*
 * An Extended DNS Error (RFC 8914) for an error answer; sent only when the
 * query has EDNS (RFC 8914 §3: EDE travels in OPT). The codes are those NSD
 * 4.6 and Knot 3.2 send for the same answers; the texts are short because
 * they go into every such answer.
 */
struct ede {
	uint16_t code;
	const char *text;
};

/* RFC 8914 §4.21: REFUSED, no zone we serve holds the name (NSD and Knot send it). */
static const struct ede ede_not_auth = { WIRE_EDE_NOT_AUTHORITATIVE, "" };
/* §4.19: refused by policy: zone transfers are not configured (NSD sends 18). */
static const struct ede ede_no_xfr = { WIRE_EDE_PROHIBITED, "zone transfers not configured" };
/* §4.19: refused by policy: the configuration hides this CHAOS value (NSD sends 18). */
static const struct ede ede_hidden = { WIRE_EDE_PROHIBITED, "" };
/* §4.22: a class or CHAOS name we do not serve at all (NSD sends 21). */
static const struct ede ede_not_supported = { WIRE_EDE_NOT_SUPPORTED, "" };
/*
 * §4.15: SERVFAIL, the zone is configured but has no loaded version (its
 * first load failed). NSD sends 14; Knot sends 24 (Invalid Data), which
 * speaks of data that was seen and rejected, so 14 fits better.
 */
static const struct ede ede_not_loaded = { WIRE_EDE_NOT_READY, "zone not loaded" };

/* EDE options are at most this long here: INFO-CODE and a short text. */
#define DISPATCH_EDE_MAX 64

/* One answer being written: what every answer step needs to know. */
struct answer {
	const struct wire_msg *msg;
	const struct conf *conf;
	struct wire_builder b;
	bool has_opt;	       /* the answer carries an OPT record */
	const struct ede *ede; /* written into the OPT record; NULL: none */
	size_t opt_len;	       /* octets reserved for the OPT record */
};

void dispatch_worker_init(struct dispatch_worker *dw, struct conf *_Atomic *conf,
			  struct zone_set *_Atomic *zones)
{
	memset(dw, 0, sizeof(*dw));
	dw->conf = conf;
	dw->zones = zones;
}

/*
 * The largest answer this transport may carry: 64 KiB over TCP; over UDP
 * the client's EDNS payload size (never less than 512, RFC 6891 §6.2.5)
 * capped by our udp-max-payload, or 512 octets without EDNS (RFC 1035 §2.3.4).
 */
static size_t answer_limit(const struct wire_msg *msg, const struct conf *conf, bool is_tcp,
			   size_t out_cap)
{
	size_t limit = WIRE_TCP_MAX;
	if (!is_tcp) {
		limit = WIRE_UDP_LEGACY_MAX;
		if (msg->has_edns) {
			limit = msg->edns.udp_size;
			if (limit < WIRE_UDP_LEGACY_MAX)
				limit = WIRE_UDP_LEGACY_MAX;
			if (limit > conf->server.udp_max_payload)
				limit = conf->server.udp_max_payload;
		}
	}
	return limit < out_cap ? limit : out_cap;
}

/*
 * Starts the answer: header with the query's ID, opcode and RD bit (RFC
 * 1035 §4.1.1), QR and the low 4 bits of rcode; the question when it
 * parsed; space kept for OPT when the query had one. CD is not copied: an
 * authoritative server SHOULD clear it (RFC 4035 §3.1.6).
 */
static void answer_begin(struct answer *a, const struct wire_msg *msg, const struct conf *conf,
			 uint8_t *out, size_t limit, unsigned rcode, bool has_opt,
			 const struct ede *ede)
{
	uint16_t flags = WIRE_FLAG_QR | (msg->flags & (WIRE_OPCODE_MASK | WIRE_FLAG_RD)) |
			 (rcode & WIRE_RCODE_MASK);
	a->msg = msg;
	a->conf = conf;
	a->has_opt = has_opt;
	a->ede = has_opt ? ede : NULL;
	a->opt_len = WIRE_OPT_RR_LEN;
	wire_builder_init(&a->b, out, limit, msg->id, flags);
	if (has_opt) {
		/* The EDE goes into the room kept for OPT, or is left out if even that is short. */
		if (a->ede != NULL) {
			a->opt_len += wire_ede_len(strlen(a->ede->text));
			if (wire_builder_reserve(&a->b, a->opt_len) != 0) {
				a->ede = NULL;
				a->opt_len = WIRE_OPT_RR_LEN;
			}
		}
		if (a->ede == NULL)
			(void)wire_builder_reserve(&a->b, WIRE_OPT_RR_LEN);
	}
	if (msg->has_question && msg->counts[0] == 1)
		(void)wire_builder_question(&a->b, msg->qname, msg->qtype, msg->qclass);
}

/* Writes the OPT record (RFC 6891 §6.1.1: only when the query had one) and ends the message. */
static size_t answer_end(struct answer *a, unsigned rcode)
{
	if (a->has_opt) {
		uint8_t options[DISPATCH_EDE_MAX];
		size_t options_len = 0;
		if (a->ede != NULL)
			(void)wire_edns_ede_write(options, sizeof(options), &options_len,
						  a->ede->code, a->ede->text, strlen(a->ede->text));
		struct wire_edns_out edns = {
			.udp_size = a->conf->server.udp_max_payload,
			.ext_rcode = (uint8_t)(rcode >> 4),
			.is_do = a->msg->edns.is_do,
			.options = options,
			.options_len = (uint16_t)options_len,
		};
		wire_builder_unreserve(&a->b, a->opt_len);
		(void)wire_builder_opt(&a->b, &edns);
	}
	return wire_builder_finish(&a->b);
}

static size_t answer_rcode(struct dispatch_worker *dw, const struct wire_msg *msg,
			   const struct conf *conf, uint8_t *out, size_t limit, unsigned rcode,
			   bool has_opt, const struct ede *ede)
{
	struct answer a;
	answer_begin(&a, msg, conf, out, limit, rcode, has_opt, ede);
	dw->stats.n_rcode[rcode]++;
	return answer_end(&a, rcode);
}

/* Names answered in class CHAOS; see RFC 4892 for id.server. */
static const uint8_t name_version_bind[] = "\7version\4bind";
static const uint8_t name_version_server[] = "\7version\6server";
static const uint8_t name_id_server[] = "\2id\6server";
static const uint8_t name_hostname_bind[] = "\10hostname\4bind";

/* Writes text as a TXT RDATA of <character-string>s of at most 255 octets. */
static uint16_t txt_rdata(const char *text, uint8_t *rdata, size_t rdata_cap)
{
	size_t text_len = strlen(text);
	size_t pos = 0;
	size_t off = 0;
	do {
		size_t chunk = text_len - off > 255 ? 255 : text_len - off;
		if (pos + 1 + chunk > rdata_cap)
			break;
		rdata[pos++] = (uint8_t)chunk;
		memcpy(rdata + pos, text + off, chunk);
		pos += chunk;
		off += chunk;
	} while (off < text_len);
	return (uint16_t)pos;
}

/*
 * CH TXT version.bind / version.server / id.server / hostname.bind, the
 * way BIND, NSD and Knot answer them; REFUSED for other CHAOS names and when
 * the configuration hides the value.
 */
static size_t answer_chaos(struct dispatch_worker *dw, const struct wire_msg *msg,
			   const struct conf *conf, uint8_t *out, size_t limit, bool has_opt)
{
	const char *text = NULL;
	bool is_known = true;
	if (wire_name_equal(msg->qname, name_version_bind) ||
	    wire_name_equal(msg->qname, name_version_server))
		text = conf->server.version;
	else if (wire_name_equal(msg->qname, name_id_server) ||
		 wire_name_equal(msg->qname, name_hostname_bind))
		text = conf->server.identity;
	else
		is_known = false;
	if (text == NULL)
		return answer_rcode(dw, msg, conf, out, limit, WIRE_RCODE_REFUSED, has_opt,
				    is_known ? &ede_hidden : &ede_not_supported);

	struct answer a;
	answer_begin(&a, msg, conf, out, limit, WIRE_RCODE_NOERROR, has_opt, NULL);
	wire_builder_set_flags(&a.b, WIRE_FLAG_QR | WIRE_FLAG_AA |
					     (msg->flags & (WIRE_OPCODE_MASK | WIRE_FLAG_RD)));
	if (msg->qtype == WIRE_TYPE_TXT || msg->qtype == WIRE_TYPE_ANY) {
		uint8_t rdata[1024];
		uint16_t rdlength = txt_rdata(text, rdata, sizeof(rdata));
		wire_builder_rrset_begin(&a.b, WIRE_SECTION_ANSWER);
		if (wire_builder_rr(&a.b, msg->qname, WIRE_TYPE_TXT, WIRE_CLASS_CH, 0, rdata,
				    rdlength) == 0) {
			wire_builder_rrset_end(&a.b);
		} else {
			wire_builder_rrset_rollback(&a.b);
			wire_builder_set_tc(&a.b);
		}
	}
	dw->stats.n_rcode[WIRE_RCODE_NOERROR]++;
	return answer_end(&a, WIRE_RCODE_NOERROR);
}

/*
 * Class IN: the zone we serve closest to the name answers (SERVFAIL while
 * it has no loaded version); names outside every zone are REFUSED. Zone
 * transfers are refused until transfer support exists (RFC 5936 §5.1 lets a
 * server refuse them).
 */
static size_t answer_authoritative(struct dispatch_worker *dw, const struct wire_msg *msg,
				   const struct conf *conf, uint8_t *out, size_t limit)
{
	const struct zone_set *zones = atomic_load_explicit(dw->zones, memory_order_acquire);
	struct zone_entry *zone = zones != NULL ? zone_set_find(zones, msg->qname) : NULL;
	if (zone == NULL)
		return answer_rcode(dw, msg, conf, out, limit, WIRE_RCODE_REFUSED, msg->has_edns,
				    &ede_not_auth);
	if (msg->qtype == WIRE_TYPE_AXFR || msg->qtype == WIRE_TYPE_IXFR)
		return answer_rcode(dw, msg, conf, out, limit, WIRE_RCODE_REFUSED, msg->has_edns,
				    &ede_no_xfr);
	const struct zone_version *version =
		atomic_load_explicit(&zone->version, memory_order_acquire);
	if (version == NULL)
		return answer_rcode(dw, msg, conf, out, limit, WIRE_RCODE_SERVFAIL, msg->has_edns,
				    &ede_not_loaded);

	/* The common path: no EDE, so the OPT room is the fixed 11 octets. */
	struct answer a;
	answer_begin(&a, msg, conf, out, limit, WIRE_RCODE_NOERROR, msg->has_edns, NULL);
	struct auth_query q = {
		.msg = msg,
		.is_do = msg->has_edns && msg->edns.is_do,
		.is_class_any = msg->qclass == WIRE_CLASS_ANY,
		.zones = zones,
	};
	unsigned rcode = auth_answer(&q, zone, version, &a.b);
	dw->stats.n_rcode[rcode < 24 ? rcode : 0]++;
	return answer_end(&a, rcode);
}

size_t dispatch_handle(void *ctx, const struct net_query *q, uint8_t *out, size_t out_cap)
{
	struct dispatch_worker *dw = ctx;
	/* Never answer a response (QR=1): that is how reflection loops start. */
	if (q->len < WIRE_HEADER_LEN || (q->data[2] & 0x80) != 0) {
		dw->stats.n_dropped++;
		return 0;
	}
	struct wire_msg msg;
	enum wire_parse_status status = wire_msg_parse(q->data, q->len, &msg);
	const struct conf *conf = atomic_load_explicit(dw->conf, memory_order_acquire);
	size_t limit = answer_limit(&msg, conf, q->is_tcp, out_cap);
	dw->stats.n_queries++;

	/* Message checks first, the same for every opcode. */
	enum dispatch_action action = status != WIRE_PARSE_OK ? parse_actions[status] : ACTION_QDCOUNT;
	if (action == ACTION_DROP) {
		dw->stats.n_dropped++;
		return 0;
	}
	if (action == ACTION_FORMERR) {
		/* A broken OPT is not echoed; a good one is (RFC 6891 §7). */
		bool has_opt = msg.has_edns && status != WIRE_PARSE_BAD_OPT;
		return answer_rcode(dw, &msg, conf, out, limit, WIRE_RCODE_FORMERR, has_opt, NULL);
	}
	/* From here on the message is well-formed but for, perhaps, its question count. */
	/* RFC 6891 §6.1.3: a version we do not implement gets BADVERS with our version, 0. */
	if (msg.has_edns && msg.edns.version != WIRE_EDNS_VERSION)
		return answer_rcode(dw, &msg, conf, out, limit, WIRE_RCODE_BADVERS, true, NULL);
	/*
	 * Then the opcode: one we do not implement gets NOTIMP even when its
	 * message has no question (DSO, RFC 8490 §5.1.1; RFC 8906 §3.1.4).
	 */
	if (wire_msg_opcode(&msg) != WIRE_OPCODE_QUERY)
		return answer_rcode(dw, &msg, conf, out, limit, WIRE_RCODE_NOTIMP, msg.has_edns,
				    NULL);
	if (status == WIRE_PARSE_BAD_QDCOUNT)
		return answer_rcode(dw, &msg, conf, out, limit, WIRE_RCODE_FORMERR, msg.has_edns,
				    NULL);
	if (msg.qclass == WIRE_CLASS_CH)
		return answer_chaos(dw, &msg, conf, out, limit, msg.has_edns);
	/* RFC 1034 §3.7.1: class ANY is answered from our class IN zones, not authoritatively. */
	if (msg.qclass == WIRE_CLASS_IN || msg.qclass == WIRE_CLASS_ANY)
		return answer_authoritative(dw, &msg, conf, out, limit);
	/* No zone and no resolver serves this class (NONE outside UPDATE included). */
	return answer_rcode(dw, &msg, conf, out, limit, WIRE_RCODE_REFUSED, msg.has_edns,
			    &ede_not_supported);
}
