/*
 * zones.h - the served zones as a whole: building the zone set from the
 * configuration, loading zone files, and replacing it on reload.
 *
 * Purpose: at start and on every SIGHUP the main thread builds a new struct
 * zone_set from the configuration's zone list. A zone whose file did not
 * change keeps the version it had (the same object moves to the new set); a
 * zone whose file changed is loaded aside; a zone whose new file is broken
 * keeps serving its old version and its errors are logged with file and
 * line; a zone that never loaded stays in the set without a version, so
 * that its queries get SERVFAIL rather than REFUSED.
 * Threads: main thread only. The caller publishes the new set and, after
 * every worker has passed a quiescent point, calls zones_retire on the old
 * one.
 */
#ifndef NIM_ZONES_H
#define NIM_ZONES_H

#include <signal.h>

#include "conf/conf.h"
#include "zone/set.h"

/*
 * Builds the set for conf, loading what changed since `old` (NULL at start;
 * borrowed, and left exactly as it was whatever happens). Returns NIM_OK and
 * *out (never NULL on success, even when zones failed to load: those are
 * logged and served as SERVFAIL), NIM_ENOMEM, or -ECANCELED when *stop (a
 * signal flag, NULL for none) was set before all zones were loaded; it is
 * checked before each zone, so a shutdown waits for one zone at most. On
 * failure the versions loaded so far are freed and those shared with `old`
 * are not.
 */
int zones_build(const struct conf *conf, const struct zone_set *old,
		const volatile sig_atomic_t *stop, struct zone_set **out);

/*
 * Frees an old set that no worker can read any more, except for the
 * versions that moved into `current`, which stay alive.
 */
void zones_retire(struct zone_set *old, const struct zone_set *current);

/* `nimbusd --check-zone NAME FILE`: loads and checks one file, prints diagnostics; 0 or 1. */
int zones_check_file(const char *name, const char *path);

#endif
