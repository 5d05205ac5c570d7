/*
 * tree.h - a YAML document as a small tree of located nodes (conf internal).
 *
 * Purpose: libyaml reports a stream of events; the schema checks in conf.c
 * want to look at a whole mapping at once (to find duplicate and missing
 * keys) and to name the line and column of every node. conf_tree_parse turns
 * the event stream of one document into such a tree and nothing more: it
 * knows no key names. Only conf.c includes this header.
 * Anchors are ignored and aliases are refused: the configuration needs
 * neither, and refusing them keeps the work linear in the size of the file
 * (no "billion laughs" expansion). Nesting is limited to CONF_TREE_MAX_DEPTH
 * so that the recursive walks over the tree are bounded.
 * Threads: stateless; a tree belongs to its caller. Allocates: every node on
 * the heap, freed by conf_tree_free. Reads untrusted input, never prints.
 */
#ifndef NIM_CONF_TREE_H
#define NIM_CONF_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

/* The schema needs four levels (top, server, listen, address). */
#define CONF_TREE_MAX_DEPTH 32

enum conf_node_type {
	CONF_NODE_SCALAR,
	CONF_NODE_SEQ,
	CONF_NODE_MAP,
};

struct conf_node {
	enum conf_node_type type;
	unsigned line; /* 1-based, where the node starts */
	unsigned col;  /* 1-based, in characters */
	/* Scalars: the text, NUL-terminated (never NULL for a scalar). */
	char *text;
	size_t text_len;
	/*
	 * True for a plain scalar without a tag (or with a tag other than
	 * !!str): only such a scalar can mean null or a boolean, so that
	 * `identity: "false"` is the text "false" and not a boolean.
	 */
	bool is_plain;
	/* Sequences: the items in order. Mappings: key, value, key, value... */
	struct conf_node **items;
	size_t n_items;
	size_t items_cap;
	struct conf_node *parent; /* used while building */
};

/*
 * Parses the one YAML document in text[0..text_len). file names the input in
 * diagnostics (borrowed, may be NULL).
 * Returns NIM_OK and sets *out to the root node, or to NULL when the stream
 * holds no document at all; caller frees with conf_tree_free. Problems that
 * leave a usable tree (an alias, a NUL character in a scalar, a second
 * document) are appended to diags as errors and still return NIM_OK, so the
 * caller must compare the error count of diags. A syntax error or too deep a
 * nesting is appended to diags and returns NIM_ECONFIG; an allocation failure
 * returns NIM_ENOMEM. *out is written only on success.
 */
int conf_tree_parse(const char *text, size_t text_len, const char *file,
		    struct nim_diag_list *diags, struct conf_node **out);

/* Frees a tree; NULL is allowed. */
void conf_tree_free(struct conf_node *node);

/* True for a plain null scalar: empty, "~", "null", "Null" or "NULL" (YAML 1.2 core schema). */
bool conf_node_is_null(const struct conf_node *node);

/*
 * For a plain scalar "true"/"True"/"TRUE" or "false"/"False"/"FALSE" (YAML
 * 1.2 core schema) sets *out and returns true; otherwise returns false.
 */
bool conf_node_bool(const struct conf_node *node, bool *out);

#endif
