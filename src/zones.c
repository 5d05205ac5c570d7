#include "zones.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/diag.h"
#include "util/error.h"
#include "util/log.h"
#include "wire/name.h"
#include "zone/load.h"

/* Why a load failed, in words that fit a zone (the details were logged before). */
static const char *load_failure(int ret)
{
	return ret == NIM_ECONFIG ? "the zone file has errors" : nim_strerror(ret);
}

static bool same_file_state(const struct zone_entry *e, const struct stat *st)
{
	return e->file_size == st->st_size && e->file_mtime.tv_sec == st->st_mtim.tv_sec &&
	       e->file_mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/*
 * Gives entry a version: the previous one when its file is unchanged, a
 * freshly loaded one when it loads, else the previous one (or none).
 */
static void load_entry(struct zone_entry *entry, const struct zone_entry *previous,
		       const char *name, const struct zone_load_opts *opts)
{
	struct zone_version *old_version =
		previous != NULL && strcmp(previous->file, entry->file) == 0
			? atomic_load(&((struct zone_entry *)previous)->version)
			: NULL;
	struct stat st;
	memset(&st, 0, sizeof(st));
	/* Without a version to keep, the loader's own fstat tells the file's state: no path lookup here. */
	bool has_stat = old_version != NULL && stat(entry->file, &st) == 0;
	if (has_stat && same_file_state(previous, &st)) {
		atomic_store(&entry->version, old_version);
		entry->file_mtime = previous->file_mtime;
		entry->file_size = previous->file_size;
		return;
	}
	struct nim_diag_list diags;
	struct zone_version *version = NULL;
	nim_diag_list_init(&diags);
	struct zone_load_opts load_opts = *opts;
	load_opts.file_stat = has_stat ? NULL : &st;
	int ret = zone_load_file_opts(entry->file, entry->origin, &load_opts, &diags, &version);
	nim_diag_list_log(&diags);
	nim_diag_list_clear(&diags);
	if (ret == NIM_OK) {
		atomic_store(&entry->version, version);
		entry->file_mtime = st.st_mtim;
		entry->file_size = st.st_size;
		log_info("zone '%s' loaded from '%s', serial %u, %zu records", name, entry->file,
			 version->serial, version->n_records);
		return;
	}
	if (old_version != NULL) {
		atomic_store(&entry->version, old_version);
		entry->file_mtime = previous->file_mtime;
		entry->file_size = previous->file_size;
		log_error("zone '%s' not reloaded: %s; serving serial %u", name,
			  load_failure(ret), old_version->serial);
	} else {
		log_error("zone '%s' not loaded: %s; its queries get SERVFAIL", name,
			  load_failure(ret));
	}
}

int zones_build(const struct conf *conf, const struct zone_set *old,
		const volatile sig_atomic_t *stop, struct zone_set **out)
{
	struct zone_set *set = zone_set_new(conf->n_zones);
	if (set == NULL)
		return NIM_ENOMEM;
	struct zone_load_opts opts = {.nsec3_max_iterations = conf->server.nsec3_max_iterations};
	int ret = NIM_OK;
	for (size_t i = 0; i < conf->n_zones; i++) {
		/*
		 * Between zones is where a shutdown can cut a load short: a
		 * large configuration takes seconds, one zone rarely does.
		 */
		if (stop != NULL && *stop) {
			ret = -ECANCELED;
			goto fail;
		}
		uint8_t origin[WIRE_NAME_MAXLEN];
		size_t origin_len;
		struct zone_entry *entry;
		/* The configuration loader has checked the name already. */
		if (wire_name_from_str(conf->zones[i].name, NULL, origin, &origin_len) != NIM_OK)
			continue;
		int added = zone_set_add(set, origin, conf->zones[i].file, &entry);
		if (added == NIM_ENOMEM) {
			ret = added;
			goto fail;
		}
		if (added != NIM_OK)
			continue;
		const struct zone_entry *previous = old != NULL ? zone_set_get(old, origin) : NULL;
		load_entry(entry, previous, conf->zones[i].name, &opts);
	}
	ret = zone_set_seal(set);
	if (ret != NIM_OK)
		goto fail;
	*out = set;
	return NIM_OK;
fail:
	/*
	 * The entries built so far share the unchanged zones' versions with
	 * `old`, which workers are still reading: free only what this build
	 * loaded, as a normal reload retires a set.
	 */
	zones_retire(set, old);
	return ret;
}

void zones_retire(struct zone_set *old, const struct zone_set *current)
{
	if (old == NULL)
		return;
	for (size_t i = 0; current != NULL && i < old->n_entries; i++) {
		struct zone_entry *e = &old->entries[i];
		const struct zone_entry *now = zone_set_get(current, e->origin);
		if (now != NULL && atomic_load(&((struct zone_entry *)now)->version) ==
					   atomic_load(&e->version))
			atomic_store(&e->version, NULL);
	}
	zone_set_free(old);
}

int zones_check_file(const char *name, const char *path)
{
	uint8_t origin[WIRE_NAME_MAXLEN];
	size_t origin_len;
	if (wire_name_from_str(name, NULL, origin, &origin_len) != NIM_OK) {
		fprintf(stderr, "nimbusd: '%s' is not a valid zone name\n", name);
		return 1;
	}
	struct nim_diag_list diags;
	struct zone_version *version = NULL;
	nim_diag_list_init(&diags);
	int ret = zone_load_file(path, origin, &diags, &version);
	nim_diag_list_print(&diags, stderr);
	nim_diag_list_clear(&diags);
	if (ret != NIM_OK) {
		fprintf(stderr, "%s: zone '%s' not loaded: %s\n", path, name, load_failure(ret));
		return 1;
	}
	printf("%s: zone '%s' is valid, serial %u, %zu records\n", path, name, version->serial,
	       version->n_records);
	zone_version_free(version);
	return 0;
}
