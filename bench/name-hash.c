/*
 * name-hash.c - speed of the zone name hash: the old unkeyed FNV-1a against
 * the keyed per-label multiply of src/zone/internal.h.
 *
 * usage: bench/name-hash [-n NAMES] [-r ROUNDS]
 *
 * Both hashes are copied here (the bench tools use no src/ code, see
 * Makefile.inc); keep keyed_label in step with zone_hash_label. For NAMES
 * query names shaped like gen-zone.sh's ("www-01a2b3.example.com",
 * "mail.sub-0a1b.example.com", a few long labels), each round computes the
 * hash of every suffix, as zone_name_hashes does for a lookup, and probes
 * a half-full open-addressing table of the names with the full-name hash,
 * as the version index does; then hashes alone. Prints nanoseconds per
 * name for each hash (best of ROUNDS, twice interleaved), and the longest
 * probe run each hash gave.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXLABELS 128

static uint8_t lower(uint8_t c)
{
	return (uint8_t)((unsigned)c - 'A' < 26u ? c + ('a' - 'A') : c);
}

/* The old hash (before issue 9, point 11). */
static uint64_t fnv_label(uint64_t h, const uint8_t *label)
{
	const uint64_t prime = UINT64_C(0x100000001b3);
	h = (h ^ label[0]) * prime;
	for (unsigned i = 1; i <= label[0]; i++)
		h = (h ^ lower(label[i])) * prime;
	return h;
}

static uint64_t key_root, key0, key1;

static uint64_t lower8(uint64_t w)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t high = ones << 7;
	uint64_t low7 = w & ~high;
	uint64_t ge_a = low7 + ones * (0x80 - 'A');
	uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);
	return w | (ge_a & ~gt_z & ~w & high) >> 2;
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

static uint64_t load32(const uint8_t *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
	return w;
}

static uint64_t mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;
	return (uint64_t)(r >> 64) ^ (uint64_t)r;
}

/* The new hash (zone_hash_label). */
static uint64_t keyed_label(uint64_t h, const uint8_t *label)
{
	unsigned len = label[0];
	const uint8_t *p = label + 1;
	unsigned left = len;
	while (left > 8) {
		h = mum(h ^ key0 ^ lower8(load64(p)), key1);
		p += 8;
		left -= 8;
	}
	uint64_t w;
	if (left == 8)
		w = load64(p);
	else if (left >= 4)
		w = load32(p) << 32 | load32(p + left - 4);
	else
		w = (uint64_t)p[0] << 16 | (uint64_t)p[left >> 1] << 8 | p[left - 1];
	return mum(h ^ key0 ^ lower8(w), key1 ^ len);
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb3fe1a85ec53);
	h ^= h >> 33;
	return h;
}

typedef uint64_t (*label_fn)(uint64_t, const uint8_t *);

/* zone_name_hashes: every suffix's hash; returns the full name's. */
static uint64_t name_hash(label_fn f, uint64_t root, const uint8_t *name)
{
	uint8_t off[MAXLABELS + 1];
	uint64_t hash[MAXLABELS + 1];
	unsigned n = 0;
	size_t p = 0;
	while (name[p] != 0) {
		off[n++] = (uint8_t)p;
		p += name[p] + 1u;
	}
	hash[n] = root;
	for (unsigned i = n; i-- > 0;)
		hash[i] = f(hash[i + 1], name + off[i]);
	return hash[0];
}

static size_t to_wire(const char *text, uint8_t *out)
{
	size_t o = 0;
	while (*text != '\0') {
		const char *dot = strchr(text, '.');
		size_t len = dot != NULL ? (size_t)(dot - text) : strlen(text);
		out[o++] = (uint8_t)len;
		memcpy(out + o, text, len);
		o += len;
		text += len + (dot != NULL);
	}
	out[o++] = 0;
	return o;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct result {
	double best_ns;      /* hash every suffix and probe */
	double hash_only_ns; /* hash every suffix */
	size_t max_run;
	uint64_t sink;
};

static void run(label_fn f, uint64_t root, uint8_t *const *names, size_t n, int rounds,
		struct result *res)
{
	size_t n_slots = 16;
	while (n_slots < n * 2)
		n_slots *= 2;
	uint32_t *slots = calloc(n_slots, sizeof(*slots));
	if (slots == NULL)
		exit(1);
	res->max_run = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = mix(name_hash(f, root, names[i])) & (n_slots - 1);
		size_t run_len = 0;
		while (slots[k] != 0) {
			k = (k + 1) & (n_slots - 1);
			run_len++;
		}
		slots[k] = (uint32_t)i + 1;
		if (run_len > res->max_run)
			res->max_run = run_len;
	}
	res->best_ns = 1e30;
	for (int r = 0; r < rounds; r++) {
		double t0 = now_s();
		for (size_t i = 0; i < n; i++) {
			uint64_t h = name_hash(f, root, names[i]);
			size_t k = mix(h) & (n_slots - 1);
			while (slots[k] != 0 && slots[k] != i + 1)
				k = (k + 1) & (n_slots - 1);
			res->sink += k;
		}
		double ns = (now_s() - t0) * 1e9 / (double)n;
		if (ns < res->best_ns)
			res->best_ns = ns;
		t0 = now_s();
		for (size_t i = 0; i < n; i++)
			res->sink += name_hash(f, root, names[i]);
		ns = (now_s() - t0) * 1e9 / (double)n;
		if (r == 0 || ns < res->hash_only_ns)
			res->hash_only_ns = ns;
	}
	free(slots);
}

int main(int argc, char **argv)
{
	size_t n = 1000000;
	int rounds = 5;
	int opt;
	while ((opt = getopt(argc, argv, "n:r:h")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'r': rounds = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: name-hash [-n NAMES] [-r ROUNDS]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	srand48((long)time(NULL));
	key_root = (uint64_t)mrand48() << 32 ^ (uint64_t)mrand48();
	key0 = (uint64_t)mrand48() << 32 ^ (uint64_t)mrand48();
	key1 = ((uint64_t)mrand48() << 32 ^ (uint64_t)mrand48()) | UINT64_C(1) << 63;
	uint8_t **names = malloc(n * sizeof(*names));
	if (names == NULL)
		return 1;
	for (size_t i = 0; i < n; i++) {
		char text[256];
		switch (i % 4) {
		case 0: snprintf(text, sizeof(text), "www-%06zx.example.com", i); break;
		case 1: snprintf(text, sizeof(text), "mail.sub-%05zx.example.com", i); break;
		case 2: snprintf(text, sizeof(text), "Host-%zu.Example.COM", i); break;
		default:
			snprintf(text, sizeof(text), "a-rather-long-label-%zu.service.eu-west.example.com", i);
		}
		names[i] = malloc(256);
		if (names[i] == NULL)
			return 1;
		to_wire(text, names[i]);
	}
	struct result old_res = {0}, new_res = {0};
	/* Interleaved, so that both see the same machine. */
	for (int r = 0; r < 2; r++) {
		struct result a = {0}, b = {0};
		run(fnv_label, UINT64_C(0xcbf29ce484222325), names, n, rounds, &a);
		run(keyed_label, key_root, names, n, rounds, &b);
		if (r == 0 || a.best_ns < old_res.best_ns)
			old_res = a;
		if (r == 0 || b.best_ns < new_res.best_ns)
			new_res = b;
	}
	printf("names=%zu hash+probe: fnv1a_ns=%.1f keyed_ns=%.1f ratio=%.2f; hash only: fnv1a_ns=%.1f "
	       "keyed_ns=%.1f ratio=%.2f; fnv1a_max_run=%zu keyed_max_run=%zu (sink %llu)\n",
	       n, old_res.best_ns, new_res.best_ns, new_res.best_ns / old_res.best_ns,
	       old_res.hash_only_ns, new_res.hash_only_ns, new_res.hash_only_ns / old_res.hash_only_ns,
	       old_res.max_run, new_res.max_run,
	       (unsigned long long)(old_res.sink ^ new_res.sink) & 1);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}
