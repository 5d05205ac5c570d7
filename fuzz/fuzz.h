/*
 * fuzz.h - what every fuzz target shares: the libFuzzer entry point, the
 * LeakSanitizer suppression for the ldns oracle, and CHECK.
 *
 * Include it exactly once per target, after defining FUZZ_TARGET to the
 * target's name (it is printed with every failed check).
 */
#ifndef NIM_FUZZ_FUZZ_H
#define NIM_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * ldns 1.8.3 leaks the first TSIG record of a message that carries two
 * (ldns_pkt_set_tsig replaces it without freeing it). That leak is in the
 * oracle, not in nimbus, so LeakSanitizer ignores allocations made inside
 * libldns and keeps watching the rest.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libldns.so\n";
}

/* A failed check is a finding: say where, then abort so the fuzzer keeps the input. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, FUZZ_TARGET ": %s:%d: check failed: %s\n", __FILE__,       \
				__LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
