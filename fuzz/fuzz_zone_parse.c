/*
 * fuzz_zone_parse.c - libFuzzer target: the zone file parser's fast path
 * against ldns, record by record.
 *
 * The input is zone file text, parsed from memory (zone_parse_mem) with
 * $INCLUDE refused, so no input can open a file. With ZONE_PARSE_CROSSCHECK
 * the parser reads every record the fast path accepted a second time with
 * ldns (ldns_rr_new_frm_str on the same tokens). The property: whatever the
 * fast path accepts, ldns accepts too and writes the very same RDATA.
 * The fast path may refuse what ldns accepts (numbers out of range, which
 * ldns truncates; hex with an odd digit count; "@" inside a name; extra
 * fields), never the other way round.
 * Every record delivered, by either engine, must also be well-formed: the
 * owner a valid wire name, and the RDATA fitting its type's descriptor
 * (wire_rdata_check_flat), as zone_builder_add will demand.
 * Anything else aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/error.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "zone/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_record(void *ctx, const struct zone_parse_rr *rr)
{
	size_t pos = 0, len = 0;
	uint8_t name[WIRE_NAME_MAXLEN];

	(void)ctx;
	if (wire_name_parse(rr->owner, WIRE_NAME_MAXLEN, &pos, name, &len) != NIM_OK ||
	    len != wire_name_len(rr->owner)) {
		fprintf(stderr, "line %u: owner is not a wire name\n", rr->line);
		abort();
	}
	if (wire_rdata_check_flat(rr->type, rr->rdata, rr->rdlength) != NIM_OK) {
		fprintf(stderr, "line %u: type %u RDATA does not fit the type\n", rr->line,
			rr->type);
		abort();
	}
	if (!rr->is_fast)
		return NIM_OK;
	if (rr->xcheck_rc != NIM_OK) {
		fprintf(stderr, "line %u: fast path accepted type %u, ldns refused\n", rr->line,
			rr->type);
		abort();
	}
	if (rr->xcheck_rdlength != rr->rdlength ||
	    memcmp(rr->xcheck_rdata, rr->rdata, rr->rdlength) != 0) {
		fprintf(stderr, "line %u: type %u RDATA differs (fast %u octets, ldns %u)\n",
			rr->line, rr->type, rr->rdlength, rr->xcheck_rdlength);
		abort();
	}
	return NIM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t origin[] = "\7example\3com";
	struct zone_parse_opts opts = {
		.origin = origin,
		.default_ttl = 3600,
		.flags = ZONE_PARSE_CROSSCHECK | ZONE_PARSE_NO_INCLUDE,
	};
	struct nim_diag_list diags;

	nim_diag_list_init(&diags);
	int rc = zone_parse_mem((const char *)data, size, "fuzz.zone", &opts, check_record, NULL,
				&diags);
	/* Every failure is explained, with a location inside the text. */
	if (rc == NIM_ECONFIG) {
		if (diags.n_errors == 0)
			abort();
		for (const struct nim_diag *d = diags.head; d != NULL; d = d->next)
			if (d->line == 0)
				abort();
	} else if (rc != NIM_OK && rc != NIM_ENOMEM) {
		abort();
	}
	nim_diag_list_clear(&diags);
	return 0;
}
