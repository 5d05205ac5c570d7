/*
 * replay.c - runs a fuzz target over saved inputs, without libFuzzer.
 *
 * Linked with a fuzz_<target>.c in every build, so that `make check`
 * replays the seed corpus (and every crash input kept there) with any
 * compiler. Arguments are files or directories; without any, the target's
 * corpus under $TOP_SRCDIR/fuzz/corpus/ (FUZZ_CORPUS, set by the build) is
 * replayed. Fails when no input was found, so an empty or misplaced corpus
 * cannot pass silently.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FUZZ_CORPUS
#error "FUZZ_CORPUS must name the target's corpus directory"
#endif

/* Runs the target over one file; returns 1 when it ran, 0 when the file could not be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return 0;
	}
	uint8_t *data = NULL;
	size_t len = 0;
	size_t cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			uint8_t *bigger = realloc(data, cap);
			if (bigger == NULL) {
				free(data);
				fclose(f);
				fprintf(stderr, "%s: out of memory\n", path);
				return 0;
			}
			data = bigger;
		}
		size_t n = fread(data + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	/* An exact-size copy, so that ASan sees a read past the input. */
	uint8_t *exact = malloc(len > 0 ? len : 1);
	if (exact == NULL) {
		free(data);
		return 0;
	}
	memcpy(exact, data, len);
	free(data);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 1;
}

static unsigned replay_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return (unsigned)replay_file(path);
	DIR *dir = opendir(path);
	if (dir == NULL) {
		perror(path);
		return 0;
	}
	unsigned n = 0;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char file[4096];
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
			n += (unsigned)replay_file(file);
	}
	closedir(dir);
	return n;
}

int main(int argc, char **argv)
{
	unsigned n = 0;
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			n += replay_path(argv[i]);
	} else {
		const char *top = getenv("TOP_SRCDIR");
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s", top != NULL ? top : ".",
			 FUZZ_CORPUS);
		n = replay_path(dir);
	}
	printf("replayed %u inputs\n", n);
	return n > 0 ? 0 : 1;
}
