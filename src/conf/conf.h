/*
 * conf.h - the YAML configuration file as an immutable snapshot.
 *
 * Purpose: read one YAML file (libyaml) into a struct conf that nobody
 * modifies after conf_load returns. Unknown keys and wrong types are errors;
 * every problem is appended to the caller's diagnostics list with file, line
 * and column (1-based), and loading goes on to report them all.
 * Threads: a loaded snapshot is read-only and may be read by any thread; it is
 * published by the main thread through one atomic pointer (see
 * docs/ARCHITECTURE.md) and freed only after every worker has passed a
 * quiescent point. Allocates: the snapshot and everything in it, freed by
 * conf_free(). Reads untrusted input (the file), never prints.
 * Layout: tree.c turns libyaml events into located nodes (aliases refused,
 * nesting bounded), conf.c checks the schema and builds the snapshot,
 * listen.c parses addresses. The keys are documented in docs/CONFIG.md.
 */
#ifndef NIM_CONF_CONF_H
#define NIM_CONF_CONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/diag.h"
#include "util/log.h"

#define CONF_DEFAULT_PORT 53
#define CONF_DEFAULT_UDP_MAX_PAYLOAD 1232 /* DNS Flag Day 2020 */
#define CONF_DEFAULT_TCP_IDLE_TIMEOUT_MS 10000
#define CONF_DEFAULT_TCP_MAX_CLIENTS 1000

/* Limits checked by the loader; docs/CONFIG.md lists them for users. */
#define CONF_MAX_LISTEN 256
#define CONF_MAX_WORKERS 256
#define CONF_MAX_TCP_IDLE_TIMEOUT_MS 3600000 /* one hour */
#define CONF_MAX_TCP_MAX_CLIENTS 1000000
#define CONF_MIN_UDP_MAX_PAYLOAD 512  /* RFC 1035 §2.3.4 */
#define CONF_MAX_UDP_MAX_PAYLOAD 4096 /* RFC 6891 §6.2.5: larger sizes invite fragmentation */
#define CONF_MAX_TEXT_LEN 255         /* identity and version: one TXT string (RFC 1035 §3.3) */
#define CONF_MAX_FILE_LEN (16u << 20) /* conf_load_file refuses larger files */

/*
 * nsec3-max-iterations: zones whose NSEC3PARAM asks for more extra SHA-1
 * iterations are refused, so that the hashing an NXDOMAIN costs is bounded
 * (RFC 9276 §3.2 names 150; the field has 16 bits, RFC 5155 §4.1.3).
 */
#define CONF_DEFAULT_NSEC3_MAX_ITERATIONS 150
#define CONF_MAX_NSEC3_MAX_ITERATIONS 65535

enum conf_log_target {
	CONF_LOG_STDERR,
	CONF_LOG_SYSLOG,
};

/* One "address@port" entry of server.listen. */
struct conf_listen {
	struct sockaddr_storage addr; /* AF_INET or AF_INET6, port set */
	socklen_t addr_len;
	char text[64]; /* as written, for logs */
};

struct conf_server {
	struct conf_listen *listen; /* at least one, no two equal (conf_listen_equal) */
	size_t n_listen;
	unsigned workers;        /* default: number of online CPUs */
	char *user;              /* NULL: keep the current user */
	char *pid_file;          /* NULL: write none */
	enum log_level log_level;
	enum conf_log_target log_target;
	char *identity;          /* NULL when hidden (identity: false); default: host name */
	char *version;           /* NULL when hidden (version: false); default: "nimbus <version>" */
	uint32_t tcp_idle_timeout_ms;
	uint32_t tcp_max_clients;
	uint16_t udp_max_payload; /* our EDNS payload size and UDP answer limit */
	uint16_t nsec3_max_iterations; /* zones above this NSEC3PARAM iteration count are refused */
};

/* One entry of the zones list; names are valid domain names, unique ignoring case. */
struct conf_zone {
	char *name;  /* presentation form, as written */
	char *file;  /* as written; relative paths are relative to the working directory */
	unsigned line; /* where the entry starts, for later diagnostics */
};

struct conf {
	char *path; /* the file this snapshot came from */
	struct conf_server server;
	struct conf_zone *zones;
	size_t n_zones;
};

/*
 * Loads and checks the file at path. On success returns NIM_OK and *out is a
 * new snapshot (caller frees with conf_free). On failure returns NIM_ECONFIG
 * (details in diags), -errno when the file cannot be read (also noted in
 * diags), or NIM_ENOMEM; *out is untouched. Warnings may be appended even
 * on success.
 */
int conf_load_file(const char *path, struct nim_diag_list *diags, struct conf **out);

/*
 * The same for text[0..text_len) in memory (text need not be NUL-terminated
 * and may be NULL when text_len is 0); name (borrowed, may be NULL) is the
 * file name in diagnostics and becomes conf->path. Existing entries of diags
 * are kept; only errors added by this call make it fail.
 */
int conf_load_string(const char *text, size_t text_len, const char *name,
		     struct nim_diag_list *diags, struct conf **out);

/* Frees a snapshot; NULL is allowed. */
void conf_free(struct conf *conf);

/*
 * Parses "address@port" or "address" (port 53) where address is an IPv4 or
 * IPv6 literal (IPv6 optionally in brackets, "[::1]@53"; IPv4 never) and the
 * port 1..65535. Returns NIM_OK or NIM_EINVAL; *out is written only on
 * success, with text set to a copy of the input.
 */
int conf_listen_parse(const char *text, struct conf_listen *out);

/* True when both name the same address family, address and port. */
bool conf_listen_equal(const struct conf_listen *a, const struct conf_listen *b);

#endif
