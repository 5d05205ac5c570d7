/*
 * hash.c - the per-process seed of the name hash (internal.h).
 *
 * The seed comes from getrandom(2) once, in a constructor that runs before
 * main and before any thread exists: the hash functions then read it with
 * no check and no synchronisation on the lookup path, and no caller has to
 * remember to initialise the zone module. Early in boot the kernel's pool
 * may not be ready; rather than block a DNS server's start, the seed then
 * falls back to the clocks, the process id and the address-space layout
 * (ASLR), mixed: weaker, but still unknown outside the process.
 */
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "zone/internal.h"

struct zone_hash_seed zone_hash_seed;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void fallback_seed(uint64_t key[3])
{
	struct timespec rt, mono;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	uint64_t x = (uint64_t)rt.tv_nsec ^ (uint64_t)rt.tv_sec << 30 ^ (uint64_t)mono.tv_nsec << 17 ^
		     (uint64_t)getpid() << 40 ^ (uint64_t)(uintptr_t)&rt ^
		     (uint64_t)(uintptr_t)fallback_seed;
	for (int i = 0; i < 3; i++)
		key[i] ^= splitmix(&x);
}

void zone_hash_seed_set(const struct zone_hash_seed *seed)
{
	zone_hash_seed = *seed;
	zone_hash_seed.k1 |= UINT64_C(1) << 63;
}

__attribute__((constructor)) static void seed_init(void)
{
	uint64_t key[3] = {0, 0, 0};
	if (getrandom(key, sizeof(key), GRND_NONBLOCK) != (ssize_t)sizeof(key))
		fallback_seed(key);
	struct zone_hash_seed seed = {.root = key[0], .k0 = key[1], .k1 = key[2]};
	zone_hash_seed_set(&seed);
}
