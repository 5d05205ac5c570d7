/*
 * conf.c - the configuration schema: keys, types, ranges and defaults, checked
 * over the node tree of tree.c and turned into a struct conf; see conf.h.
 *
 * Every check appends a located error and lets the walk go on, so one run
 * reports every problem of the file. The snapshot is built as the walk goes
 * and discarded at the end when any error was found.
 */
#include "conf/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/tree.h"
#include "util/error.h"
#include "wire/name.h"

struct loader {
	const char *file;
	struct nim_diag_list *diags;
	struct conf *conf;
	bool is_oom;
};

/* A key valid at one place, and what to do with its value. */
struct key_spec {
	const char *name;
	void (*parse)(struct loader *ld, const struct conf_node *key, const struct conf_node *value,
		      void *ctx);
};

/*
 * Room for a quoted, shortened, printable copy of a scalar: the quotes, "..."
 * and the NUL around QUOTE_MAX_BYTES of text.
 */
#define QUOTE_MAX_CHARS 40
#define QUOTE_MAX_BYTES (QUOTE_MAX_CHARS * 4) /* 4: the longest UTF-8 sequence */
#define QUOTE_CAP (QUOTE_MAX_BYTES + 6)

__attribute__((format(printf, 3, 4))) static void
error_at(struct loader *ld, const struct conf_node *node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	/* A missing node is the empty file or an empty document: point at its start. */
	nim_diag_addv(ld->diags, NIM_DIAG_ERROR, ld->file, node != NULL ? node->line : 1,
		      node != NULL ? node->col : 1, fmt, ap);
	va_end(ap);
}

/*
 * Writes 'text' for a scalar, shortened to QUOTE_MAX_CHARS characters and with
 * control characters shown as '?', so that one diagnostic stays one line.
 */
static const char *quote(const struct conf_node *node, char buf[QUOTE_CAP])
{
	size_t pos = 0, n_chars = 0;
	buf[pos++] = '\'';
	for (size_t i = 0; i < node->text_len; i++) {
		unsigned char c = (unsigned char)node->text[i];
		bool starts_char = (c & 0xc0) != 0x80;
		/* The byte bound holds even for text that is not UTF-8. */
		if ((starts_char && n_chars == QUOTE_MAX_CHARS) || pos == 1 + QUOTE_MAX_BYTES) {
			memcpy(buf + pos, "...", 3);
			pos += 3;
			break;
		}
		n_chars += starts_char;
		buf[pos++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	buf[pos++] = '\'';
	buf[pos] = '\0';
	return buf;
}

/* "a list", "a mapping", "null" or the quoted text, for "got ..." in messages. */
static const char *describe(const struct conf_node *node, char buf[QUOTE_CAP])
{
	if (node->type == CONF_NODE_SEQ)
		return "a list";
	if (node->type == CONF_NODE_MAP)
		return "a mapping";
	if (conf_node_is_null(node))
		return "null";
	return quote(node, buf);
}

static void expected(struct loader *ld, const struct conf_node *node, const char *path,
		     const char *what)
{
	char buf[QUOTE_CAP];
	error_at(ld, node, "%s: expected %s, got %s", path, what, describe(node, buf));
}

static char *dup_text(struct loader *ld, const char *text)
{
	char *copy = strdup(text);
	if (copy == NULL)
		ld->is_oom = true;
	return copy;
}

/* Replaces the string *slot owns with a copy of text (NULL hides). */
static void set_text(struct loader *ld, char **slot, const char *text)
{
	char *copy = NULL;
	if (text != NULL && (copy = dup_text(ld, text)) == NULL)
		return;
	free(*slot);
	*slot = copy;
}

/* --- did you mean ------------------------------------------------------ */

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;
	return m < c ? m : c;
}

static char fold(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

#define SUGGEST_MAX_LEN 32

/*
 * Edit distance with adjacent transpositions (optimal string alignment),
 * ignoring ASCII case: "lsiten" is one step from "listen", "Listen" none.
 */
static unsigned edit_distance(const char *a, size_t a_len, const char *b, size_t b_len)
{
	unsigned d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
	for (size_t i = 0; i <= a_len; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= b_len; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= a_len; i++) {
		for (size_t j = 1; j <= b_len; j++) {
			unsigned cost = fold(a[i - 1]) != fold(b[j - 1]);
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[a_len][b_len];
}

/* The closest valid key, if it is at most two edits away and not a mere guess. */
static const char *suggest(const char *key, size_t key_len, const struct key_spec *specs,
			   size_t n_specs)
{
	const char *best = NULL;
	unsigned best_d = 3;
	if (key_len > SUGGEST_MAX_LEN)
		return NULL;
	for (size_t i = 0; i < n_specs; i++) {
		size_t len = strlen(specs[i].name);
		if (len > SUGGEST_MAX_LEN)
			continue;
		unsigned d = edit_distance(key, key_len, specs[i].name, len);
		/* Two edits on a two-letter key would suggest anything. */
		if (d < best_d && d < key_len) {
			best = specs[i].name;
			best_d = d;
		}
	}
	return best;
}

/* --- mappings ---------------------------------------------------------- */

/*
 * Calls the parser of every known key of map in file order; reports unknown
 * keys (with a suggestion), duplicate keys and keys that are not text.
 * seen[i] is set to the key node of specs[i] when present. place is "in
 * server", "at top level" and so on.
 */
static void walk_mapping(struct loader *ld, const struct conf_node *map, const char *place,
			 const struct key_spec *specs, size_t n_specs,
			 const struct conf_node **seen, void *ctx)
{
	char buf[QUOTE_CAP];
	for (size_t i = 0; i < n_specs; i++)
		seen[i] = NULL;
	if (map == NULL || map->type != CONF_NODE_MAP)
		return;
	for (size_t i = 0; i + 1 < map->n_items; i += 2) {
		const struct conf_node *key = map->items[i];
		const struct conf_node *value = map->items[i + 1];
		if (key->type != CONF_NODE_SCALAR || conf_node_is_null(key)) {
			error_at(ld, key, "expected a key name %s, got %s", place,
				 describe(key, buf));
			continue;
		}
		size_t k = 0;
		while (k < n_specs && strcmp(key->text, specs[k].name) != 0)
			k++;
		if (k == n_specs) {
			const char *hint = suggest(key->text, key->text_len, specs, n_specs);
			if (hint != NULL)
				error_at(ld, key, "unknown key %s %s (did you mean '%s'?)",
					 quote(key, buf), place, hint);
			else
				error_at(ld, key, "unknown key %s %s", quote(key, buf), place);
			continue;
		}
		if (seen[k] != NULL) {
			error_at(ld, key, "duplicate key '%s' %s (first at line %u, column %u)",
				 specs[k].name, place, seen[k]->line, seen[k]->col);
			continue;
		}
		seen[k] = key;
		specs[k].parse(ld, key, value, ctx);
	}
}

/*
 * A section (server, resolver) must be a mapping; a null value (the key with
 * nothing after it) counts as an empty one. Returns the mapping or NULL.
 */
static const struct conf_node *section(struct loader *ld, const struct conf_node *node,
				       const char *path)
{
	if (node->type == CONF_NODE_MAP)
		return node;
	if (!conf_node_is_null(node))
		expected(ld, node, path, "a mapping");
	return NULL;
}

/* --- scalar values ----------------------------------------------------- */

/* Any non-null scalar as text; a plain 53 or true is taken as written. */
static bool get_text(struct loader *ld, const struct conf_node *node, const char *path,
		     const char *what, const char **out)
{
	if (node->type != CONF_NODE_SCALAR || conf_node_is_null(node) || node->text_len == 0) {
		expected(ld, node, path, what);
		return false;
	}
	*out = node->text;
	return true;
}

/* Decimal digits only; false on anything else or above limit. */
static bool parse_decimal(const char *text, size_t len, uint64_t limit, uint64_t *out)
{
	uint64_t value = 0;
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (uint64_t)(text[i] - '0');
		if (value > limit)
			return false;
	}
	*out = value;
	return true;
}

static bool get_uint(struct loader *ld, const struct conf_node *node, const char *path,
		     uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t value;
	if (node->type != CONF_NODE_SCALAR ||
	    !parse_decimal(node->text, node->text_len, max, &value) || value < min) {
		char what[64];
		snprintf(what, sizeof(what), "an integer from %u to %u", min, max);
		expected(ld, node, path, what);
		return false;
	}
	*out = (uint32_t)value;
	return true;
}

/* "500ms", "10s", "2m", "1h" or a plain number of seconds, in milliseconds. */
static bool parse_duration(const char *text, size_t len, uint32_t max_ms, uint32_t *out_ms)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	size_t n_digits = 0;
	while (n_digits < len && text[n_digits] >= '0' && text[n_digits] <= '9')
		n_digits++;
	uint64_t scale = 1000;
	if (n_digits < len) {
		size_t u = 0;
		while (u < sizeof(units) / sizeof(units[0]) &&
		       strcmp(text + n_digits, units[u].suffix) != 0)
			u++;
		if (u == sizeof(units) / sizeof(units[0]))
			return false;
		scale = units[u].ms;
	}
	uint64_t count;
	if (!parse_decimal(text, n_digits, max_ms, &count) || count == 0 || count * scale > max_ms)
		return false;
	*out_ms = (uint32_t)(count * scale);
	return true;
}

static bool get_duration(struct loader *ld, const struct conf_node *node, const char *path,
			 uint32_t max_ms, uint32_t *out_ms)
{
	if (node->type != CONF_NODE_SCALAR ||
	    !parse_duration(node->text, node->text_len, max_ms, out_ms)) {
		char what[96];
		snprintf(what, sizeof(what), "a duration from 1ms to %uh such as 10s, 500ms or 2m",
			 max_ms / 3600000);
		expected(ld, node, path, what);
		return false;
	}
	return true;
}

/*
 * identity and version: text of at most CONF_MAX_TEXT_LEN octets, false to
 * hide (NULL), true for the default already in *slot.
 */
static void parse_text_or_false(struct loader *ld, const struct conf_node *node, const char *path,
				char **slot)
{
	bool flag;
	if (conf_node_bool(node, &flag)) {
		if (!flag)
			set_text(ld, slot, NULL);
		return;
	}
	if (node->type != CONF_NODE_SCALAR || conf_node_is_null(node) ||
	    node->text_len > CONF_MAX_TEXT_LEN) {
		expected(ld, node, path, "a text of at most 255 octets, true or false");
		return;
	}
	set_text(ld, slot, node->text);
}

/* --- server ------------------------------------------------------------ */

static void parse_listen(struct loader *ld, const struct conf_node *key,
			 const struct conf_node *node, void *ctx)
{
	struct conf_server *server = &ld->conf->server;
	char buf[QUOTE_CAP];
	if (node->type != CONF_NODE_SEQ) {
		expected(ld, node, "server.listen", "a list of addresses");
		return;
	}
	if (node->n_items == 0) {
		error_at(ld, node, "server.listen: expected at least one address");
		return;
	}
	if (node->n_items > CONF_MAX_LISTEN) {
		error_at(ld, node, "server.listen: expected at most %d addresses", CONF_MAX_LISTEN);
		return;
	}
	server->listen = calloc(node->n_items, sizeof(*server->listen));
	if (server->listen == NULL) {
		ld->is_oom = true;
		return;
	}
	const struct conf_node *where[CONF_MAX_LISTEN];
	for (size_t i = 0; i < node->n_items; i++) {
		const struct conf_node *item = node->items[i];
		struct conf_listen *l = &server->listen[server->n_listen];
		if (item->type != CONF_NODE_SCALAR || conf_listen_parse(item->text, l) != NIM_OK) {
			expected(ld, item, "server.listen",
				 "address@port with an IPv4 or IPv6 address and a port from 1 to "
				 "65535");
			continue;
		}
		size_t first = 0;
		while (first < server->n_listen && !conf_listen_equal(&server->listen[first], l))
			first++;
		if (first < server->n_listen) {
			error_at(
			    ld, item,
			    "server.listen: duplicate address %s (first at line %u, column %u)",
			    quote(item, buf), where[first]->line, where[first]->col);
			continue;
		}
		where[server->n_listen++] = item;
	}
}

static void parse_workers(struct loader *ld, const struct conf_node *key,
			  const struct conf_node *node, void *ctx)
{
	uint32_t value;
	if (get_uint(ld, node, "server.workers", 1, CONF_MAX_WORKERS, &value))
		ld->conf->server.workers = value;
}

static void parse_user(struct loader *ld, const struct conf_node *key, const struct conf_node *node,
		       void *ctx)
{
	const char *text;
	if (get_text(ld, node, "server.user", "a user name", &text))
		set_text(ld, &ld->conf->server.user, text);
}

static void parse_pid_file(struct loader *ld, const struct conf_node *key,
			   const struct conf_node *node, void *ctx)
{
	const char *text;
	if (get_text(ld, node, "server.pid-file", "a file name", &text))
		set_text(ld, &ld->conf->server.pid_file, text);
}

static void parse_log_level(struct loader *ld, const struct conf_node *key,
			    const struct conf_node *node, void *ctx)
{
	enum log_level level;
	if (node->type != CONF_NODE_SCALAR || log_level_parse(node->text, &level) != NIM_OK) {
		expected(ld, node, "server.log-level", "error, warning, info or debug");
		return;
	}
	ld->conf->server.log_level = level;
}

static void parse_log_target(struct loader *ld, const struct conf_node *key,
			     const struct conf_node *node, void *ctx)
{
	if (node->type == CONF_NODE_SCALAR && strcmp(node->text, "stderr") == 0)
		ld->conf->server.log_target = CONF_LOG_STDERR;
	else if (node->type == CONF_NODE_SCALAR && strcmp(node->text, "syslog") == 0)
		ld->conf->server.log_target = CONF_LOG_SYSLOG;
	else
		expected(ld, node, "server.log-target", "stderr or syslog");
}

static void parse_identity(struct loader *ld, const struct conf_node *key,
			   const struct conf_node *node, void *ctx)
{
	parse_text_or_false(ld, node, "server.identity", &ld->conf->server.identity);
}

static void parse_version(struct loader *ld, const struct conf_node *key,
			  const struct conf_node *node, void *ctx)
{
	parse_text_or_false(ld, node, "server.version", &ld->conf->server.version);
}

static void parse_tcp_idle_timeout(struct loader *ld, const struct conf_node *key,
				   const struct conf_node *node, void *ctx)
{
	uint32_t ms;
	if (get_duration(ld, node, "server.tcp-idle-timeout", CONF_MAX_TCP_IDLE_TIMEOUT_MS, &ms))
		ld->conf->server.tcp_idle_timeout_ms = ms;
}

static void parse_tcp_max_clients(struct loader *ld, const struct conf_node *key,
				  const struct conf_node *node, void *ctx)
{
	uint32_t value;
	if (get_uint(ld, node, "server.tcp-max-clients", 1, CONF_MAX_TCP_MAX_CLIENTS, &value))
		ld->conf->server.tcp_max_clients = value;
}

static void parse_udp_max_payload(struct loader *ld, const struct conf_node *key,
				  const struct conf_node *node, void *ctx)
{
	uint32_t value;
	if (get_uint(ld, node, "server.udp-max-payload", CONF_MIN_UDP_MAX_PAYLOAD,
		     CONF_MAX_UDP_MAX_PAYLOAD, &value))
		ld->conf->server.udp_max_payload = (uint16_t)value;
}

/* --- nsec3-max-iterations (issue 9, point 10) --------------------------- */

static void parse_nsec3_max_iterations(struct loader *ld, const struct conf_node *key,
				       const struct conf_node *node, void *ctx)
{
	uint32_t value;
	if (get_uint(ld, node, "server.nsec3-max-iterations", 0, CONF_MAX_NSEC3_MAX_ITERATIONS,
		     &value))
		ld->conf->server.nsec3_max_iterations = (uint16_t)value;
}

static const struct key_spec server_keys[] = {
    {"listen", parse_listen},
    {"workers", parse_workers},
    {"user", parse_user},
    {"pid-file", parse_pid_file},
    {"log-level", parse_log_level},
    {"log-target", parse_log_target},
    {"identity", parse_identity},
    {"version", parse_version},
    {"tcp-idle-timeout", parse_tcp_idle_timeout},
    {"tcp-max-clients", parse_tcp_max_clients},
    {"udp-max-payload", parse_udp_max_payload},
    {"nsec3-max-iterations", parse_nsec3_max_iterations},
};
#define N_SERVER_KEYS (sizeof(server_keys) / sizeof(server_keys[0]))

static void parse_server(struct loader *ld, const struct conf_node *key,
			 const struct conf_node *node, void *ctx)
{
	const struct conf_node *seen[N_SERVER_KEYS];
	const struct conf_node *map = section(ld, node, "server");
	walk_mapping(ld, map, "in server", server_keys, N_SERVER_KEYS, seen, NULL);
	/* listen is keys[0]; without it the server would answer nobody. */
	if (seen[0] == NULL && (map != NULL || conf_node_is_null(node)))
		error_at(ld, key, "missing key 'listen' in server");
}

/* --- zones ------------------------------------------------------------- */

/* One zones entry while it is read; name_node locates later duplicate errors. */
struct zone_entry {
	struct conf_zone *zone;
	const struct conf_node *name_node;
};

/*
 * The lower-case wire form of a checked zone name, so that names that differ
 * only in case or in the final dot compare equal (RFC 4343).
 */
static bool zone_wire(const char *text, uint8_t out[WIRE_NAME_MAXLEN], size_t *out_len)
{
	/* "@" would be the root through wire_name_from_str; in a config it is a mistake. */
	if (strcmp(text, "@") == 0 || wire_name_from_str(text, NULL, out, out_len) != NIM_OK)
		return false;
	wire_name_to_lower(out);
	return true;
}

static void parse_zone_name(struct loader *ld, const struct conf_node *key,
			    const struct conf_node *node, void *ctx)
{
	struct zone_entry *entry = ctx;
	uint8_t wire[WIRE_NAME_MAXLEN];
	size_t wire_len;
	const char *text;
	if (!get_text(ld, node, "zone name", "a domain name", &text))
		return;
	if (!zone_wire(text, wire, &wire_len)) {
		expected(ld, node, "zone name", "a domain name");
		return;
	}
	entry->zone->name = dup_text(ld, text);
	entry->name_node = node;
}

static void parse_zone_file(struct loader *ld, const struct conf_node *key,
			    const struct conf_node *node, void *ctx)
{
	struct zone_entry *entry = ctx;
	const char *text;
	if (get_text(ld, node, "zone file", "a file name", &text))
		entry->zone->file = dup_text(ld, text);
}

static const struct key_spec zone_keys[] = {
    {"name", parse_zone_name},
    {"file", parse_zone_file},
};
#define N_ZONE_KEYS (sizeof(zone_keys) / sizeof(zone_keys[0]))

/* Returns true when the entry is complete and valid. */
static bool parse_zone(struct loader *ld, const struct conf_node *node, struct zone_entry *entry)
{
	const struct conf_node *seen[N_ZONE_KEYS];
	size_t errors_before = ld->diags->n_errors;
	if (node->type != CONF_NODE_MAP) {
		expected(ld, node, "zones entry", "a mapping with name and file");
		return false;
	}
	entry->zone->line = node->line;
	walk_mapping(ld, node, "in zones entry", zone_keys, N_ZONE_KEYS, seen, entry);
	for (size_t i = 0; i < N_ZONE_KEYS; i++) {
		if (seen[i] == NULL)
			error_at(ld, node, "missing key '%s' in zones entry", zone_keys[i].name);
	}
	return ld->diags->n_errors == errors_before && entry->zone->name != NULL &&
	       entry->zone->file != NULL;
}

/* A zone name in a shared buffer of wire forms, with the entry it came from. */
struct zone_key {
	const uint8_t *wire;
	size_t wire_len;
	size_t idx;
};

static int zone_key_cmp(const void *pa, const void *pb)
{
	const struct zone_key *a = pa, *b = pb;
	if (a->wire_len != b->wire_len)
		return a->wire_len < b->wire_len ? -1 : 1;
	int c = memcmp(a->wire, b->wire, a->wire_len);
	if (c != 0)
		return c;
	/* Within equal names keep file order, so the first of a group is the first written. */
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static bool same_wire(const struct zone_key *a, const struct zone_key *b)
{
	return a->wire_len == b->wire_len && memcmp(a->wire, b->wire, a->wire_len) == 0;
}

/*
 * Reports every zone named twice, in file order. Sorting keeps this
 * O(n log n): configurations with 100,000 zones exist.
 */
static void check_duplicate_zones(struct loader *ld, const struct zone_entry *entries,
				  size_t n_entries)
{
	char buf[QUOTE_CAP];
	uint8_t wire[WIRE_NAME_MAXLEN];
	uint8_t *bytes = NULL;
	size_t *first = NULL;
	size_t total = 0;
	struct zone_key *keys = NULL;
	if (n_entries < 2)
		return;
	keys = calloc(n_entries, sizeof(*keys));
	if (keys == NULL) {
		ld->is_oom = true;
		goto out;
	}
	/* Two passes, so that the buffer of wire forms has its exact size. */
	for (size_t i = 0; i < n_entries; i++) {
		/* Every name here passed zone_wire once already. */
		if (!zone_wire(entries[i].zone->name, wire, &keys[i].wire_len))
			goto out;
		total += keys[i].wire_len;
	}
	bytes = malloc(total);
	first = calloc(n_entries, sizeof(*first));
	if (bytes == NULL || first == NULL) {
		ld->is_oom = true;
		goto out;
	}
	for (size_t i = 0, pos = 0; i < n_entries; i++) {
		zone_wire(entries[i].zone->name, wire, &keys[i].wire_len);
		memcpy(bytes + pos, wire, keys[i].wire_len);
		keys[i].wire = bytes + pos;
		keys[i].idx = i;
		pos += keys[i].wire_len;
	}
	qsort(keys, n_entries, sizeof(*keys), zone_key_cmp);
	for (size_t i = 0, group = 0; i < n_entries; i++) {
		if (!same_wire(&keys[group], &keys[i]))
			group = i;
		first[keys[i].idx] = keys[group].idx;
	}
	for (size_t i = 0; i < n_entries; i++) {
		if (first[i] == i)
			continue;
		const struct conf_node *dup = entries[i].name_node;
		const struct conf_node *orig = entries[first[i]].name_node;
		error_at(ld, dup, "duplicate zone %s (first at line %u, column %u)",
			 quote(dup, buf), orig->line, orig->col);
	}
out:
	free(keys);
	free(first);
	free(bytes);
}

static void parse_zones(struct loader *ld, const struct conf_node *key,
			const struct conf_node *node, void *ctx)
{
	struct conf *conf = ld->conf;
	struct zone_entry *entries = NULL;
	if (conf_node_is_null(node))
		return;
	if (node->type != CONF_NODE_SEQ) {
		expected(ld, node, "zones", "a list of zones");
		return;
	}
	if (node->n_items == 0)
		return;
	conf->zones = calloc(node->n_items, sizeof(*conf->zones));
	entries = calloc(node->n_items, sizeof(*entries));
	if (conf->zones == NULL || entries == NULL) {
		ld->is_oom = true;
		goto out;
	}
	for (size_t i = 0; i < node->n_items; i++) {
		struct zone_entry *entry = &entries[conf->n_zones];
		entry->zone = &conf->zones[conf->n_zones];
		if (parse_zone(ld, node->items[i], entry)) {
			conf->n_zones++;
			continue;
		}
		free(entry->zone->name);
		free(entry->zone->file);
		memset(entry->zone, 0, sizeof(*entry->zone));
		entry->name_node = NULL;
	}
	check_duplicate_zones(ld, entries, conf->n_zones);
out:
	free(entries);
}

/* --- resolver ---------------------------------------------------------- */

static void parse_resolver(struct loader *ld, const struct conf_node *key,
			   const struct conf_node *node, void *ctx)
{
	/* No keys yet: the resolver issue fills this table. */
	const struct conf_node *map = section(ld, node, "resolver");
	walk_mapping(ld, map, "in resolver", NULL, 0, NULL, NULL);
}

/* --- top level --------------------------------------------------------- */

static const struct key_spec top_keys[] = {
    {"server", parse_server},
    {"zones", parse_zones},
    {"resolver", parse_resolver},
};
#define N_TOP_KEYS (sizeof(top_keys) / sizeof(top_keys[0]))

static void parse_top(struct loader *ld, const struct conf_node *root)
{
	const struct conf_node *seen[N_TOP_KEYS];
	/* An empty file or document is an empty mapping: only 'server' will be missing. */
	if (root != NULL && root->type != CONF_NODE_MAP && !conf_node_is_null(root)) {
		expected(ld, root, "top level", "a mapping with server, zones and resolver");
		return;
	}
	walk_mapping(ld, root, "at top level", top_keys, N_TOP_KEYS, seen, NULL);
	if (seen[0] == NULL)
		error_at(ld, root, "missing key 'server' at top level");
}

/* --- snapshot ---------------------------------------------------------- */

void conf_free(struct conf *conf)
{
	if (conf == NULL)
		return;
	free(conf->path);
	free(conf->server.listen);
	free(conf->server.user);
	free(conf->server.pid_file);
	free(conf->server.identity);
	free(conf->server.version);
	for (size_t i = 0; i < conf->n_zones; i++) {
		free(conf->zones[i].name);
		free(conf->zones[i].file);
	}
	free(conf->zones);
	free(conf);
}

static unsigned default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > CONF_MAX_WORKERS ? CONF_MAX_WORKERS : (unsigned)n;
}

/* The host name, or NULL (identity hidden) when the system has none to give. */
static int default_identity(char **out)
{
	char host[CONF_MAX_TEXT_LEN + 1];
	*out = NULL;
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		return NIM_OK;
	/* POSIX leaves a truncated name unterminated. */
	host[CONF_MAX_TEXT_LEN] = '\0';
	*out = strdup(host);
	return *out != NULL ? NIM_OK : NIM_ENOMEM;
}

/* A snapshot holding every default; NULL when out of memory. */
static struct conf *conf_new_default(const char *name)
{
	struct conf *conf = calloc(1, sizeof(*conf));
	if (conf == NULL)
		return NULL;
	struct conf_server *s = &conf->server;
	s->workers = default_workers();
	s->log_level = LOG_LEVEL_INFO;
	s->log_target = CONF_LOG_STDERR;
	s->tcp_idle_timeout_ms = CONF_DEFAULT_TCP_IDLE_TIMEOUT_MS;
	s->tcp_max_clients = CONF_DEFAULT_TCP_MAX_CLIENTS;
	s->udp_max_payload = CONF_DEFAULT_UDP_MAX_PAYLOAD;
	s->nsec3_max_iterations = CONF_DEFAULT_NSEC3_MAX_ITERATIONS;
	s->version = strdup("nimbus " PACKAGE_VERSION);
	if (s->version == NULL || default_identity(&s->identity) != NIM_OK ||
	    (name != NULL && (conf->path = strdup(name)) == NULL)) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}

int conf_load_string(const char *text, size_t text_len, const char *name,
		     struct nim_diag_list *diags, struct conf **out)
{
	struct conf_node *root = NULL;
	struct conf *conf = NULL;
	size_t errors_before = diags->n_errors;

	/* libyaml refuses a NULL input even when it is empty. */
	int ret = conf_tree_parse(text != NULL ? text : "", text_len, name, diags, &root);
	if (ret != NIM_OK)
		goto out;
	conf = conf_new_default(name);
	if (conf == NULL) {
		ret = NIM_ENOMEM;
		goto out;
	}
	struct loader ld = {.file = name, .diags = diags, .conf = conf};
	parse_top(&ld, root);
	if (ld.is_oom)
		ret = NIM_ENOMEM;
	else if (diags->n_errors > errors_before)
		ret = NIM_ECONFIG;
out:
	conf_tree_free(root);
	if (ret != NIM_OK) {
		conf_free(conf);
		return ret;
	}
	*out = conf;
	return NIM_OK;
}

/* Reads the whole file into a new buffer; -errno or NIM_ECONFIG when too large. */
static int read_file(const char *path, char **out, size_t *out_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int ret = NIM_OK;
	for (;;) {
		if (len == cap) {
			if (cap > CONF_MAX_FILE_LEN) {
				ret = NIM_ECONFIG;
				break;
			}
			size_t new_cap = cap ? cap * 2 : 8192;
			char *bigger = realloc(text, new_cap);
			if (bigger == NULL) {
				ret = NIM_ENOMEM;
				break;
			}
			text = bigger;
			cap = new_cap;
		}
		ssize_t n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (ret == NIM_OK && len > CONF_MAX_FILE_LEN)
		ret = NIM_ECONFIG;
	if (ret != NIM_OK) {
		free(text);
		return ret;
	}
	*out = text;
	*out_len = len;
	return NIM_OK;
}

int conf_load_file(const char *path, struct nim_diag_list *diags, struct conf **out)
{
	char *text = NULL;
	size_t len = 0;
	int ret = read_file(path, &text, &len);
	if (ret == NIM_ECONFIG) {
		nim_diag_add(diags, NIM_DIAG_ERROR, path, 0, 0, "file is larger than %u MiB",
			     CONF_MAX_FILE_LEN >> 20);
		return ret;
	}
	if (ret != NIM_OK) {
		nim_diag_add(diags, NIM_DIAG_ERROR, path, 0, 0, "cannot read file: %s",
			     nim_strerror(ret));
		return ret;
	}
	ret = conf_load_string(text, len, path, diags, out);
	free(text);
	return ret;
}
