/*
 * tree.c - libyaml events to a tree of located nodes; see tree.h.
 */
#include "conf/tree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/error.h"

#define YAML_STR_TAG "tag:yaml.org,2002:str"

struct builder {
	const char *file;
	struct nim_diag_list *diags;
	struct conf_node *root;
	struct conf_node *open; /* innermost sequence or mapping not yet ended */
	unsigned depth;
};

void conf_tree_free(struct conf_node *node)
{
	if (node == NULL)
		return;
	/* Recursion is bounded by CONF_TREE_MAX_DEPTH. */
	for (size_t i = 0; i < node->n_items; i++)
		conf_tree_free(node->items[i]);
	free(node->items);
	free(node->text);
	free(node);
}

/* libyaml marks are 0-based; diagnostics are 1-based. */
static unsigned mark_line(yaml_mark_t mark)
{
	return mark.line < UINT32_MAX ? (unsigned)mark.line + 1 : UINT32_MAX;
}

static unsigned mark_col(yaml_mark_t mark)
{
	return mark.column < UINT32_MAX ? (unsigned)mark.column + 1 : UINT32_MAX;
}

static struct conf_node *node_new(enum conf_node_type type, yaml_mark_t mark)
{
	struct conf_node *node = calloc(1, sizeof(*node));
	if (node == NULL)
		return NULL;
	node->type = type;
	node->line = mark_line(mark);
	node->col = mark_col(mark);
	return node;
}

/* Adds node under the open collection (or as the root); takes ownership. */
static int attach(struct builder *b, struct conf_node *node)
{
	struct conf_node *parent = b->open;
	if (parent == NULL) {
		b->root = node;
		return NIM_OK;
	}
	if (parent->n_items == parent->items_cap) {
		size_t cap = parent->items_cap ? parent->items_cap * 2 : 8;
		struct conf_node **items = realloc(parent->items, cap * sizeof(*items));
		if (items == NULL) {
			conf_tree_free(node);
			return NIM_ENOMEM;
		}
		parent->items = items;
		parent->items_cap = cap;
	}
	parent->items[parent->n_items++] = node;
	node->parent = parent;
	return NIM_OK;
}

static int add_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct conf_node *node = node_new(CONF_NODE_SCALAR, ev->start_mark);
	if (node == NULL)
		return NIM_ENOMEM;
	size_t len = ev->data.scalar.length;
	node->text = malloc(len + 1);
	if (node->text == NULL) {
		free(node);
		return NIM_ENOMEM;
	}
	memcpy(node->text, ev->data.scalar.value, len);
	node->text[len] = '\0';
	node->text_len = len;
	const char *tag = (const char *)ev->data.scalar.tag;
	bool is_str_tag = tag != NULL && (strcmp(tag, YAML_STR_TAG) == 0 || strcmp(tag, "!") == 0);
	node->is_plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !is_str_tag;
	/* A "\0" escape would silently cut every C string made from this scalar. */
	if (memchr(node->text, '\0', len) != NULL)
		nim_diag_add(b->diags, NIM_DIAG_ERROR, b->file, node->line, node->col,
			     "text may not contain a NUL character");
	return attach(b, node);
}

static int open_collection(struct builder *b, enum conf_node_type type, const yaml_event_t *ev)
{
	if (b->depth == CONF_TREE_MAX_DEPTH) {
		nim_diag_add(b->diags, NIM_DIAG_ERROR, b->file, mark_line(ev->start_mark),
			     mark_col(ev->start_mark), "nesting is deeper than %d levels",
			     CONF_TREE_MAX_DEPTH);
		return NIM_ECONFIG;
	}
	struct conf_node *node = node_new(type, ev->start_mark);
	if (node == NULL)
		return NIM_ENOMEM;
	int ret = attach(b, node);
	if (ret != NIM_OK)
		return ret;
	b->open = node;
	b->depth++;
	return NIM_OK;
}

static void close_collection(struct builder *b)
{
	/* libyaml guarantees that start and end events are balanced. */
	if (b->open != NULL) {
		b->open = b->open->parent;
		b->depth--;
	}
}

/* An alias is reported and stands in the tree as a null, so checking goes on. */
static int add_alias(struct builder *b, const yaml_event_t *ev)
{
	nim_diag_add(b->diags, NIM_DIAG_ERROR, b->file, mark_line(ev->start_mark),
		     mark_col(ev->start_mark), "aliases (*%s) are not supported",
		     (const char *)ev->data.alias.anchor);
	struct conf_node *node = node_new(CONF_NODE_SCALAR, ev->start_mark);
	if (node == NULL)
		return NIM_ENOMEM;
	node->text = strdup("");
	if (node->text == NULL) {
		free(node);
		return NIM_ENOMEM;
	}
	node->is_plain = true;
	return attach(b, node);
}

/*
 * The reader (encoding) errors of libyaml carry a byte offset instead of a
 * mark; count lines and UTF-8 characters up to it.
 */
static void offset_to_mark(const char *text, size_t text_len, size_t offset, unsigned *line,
			   unsigned *col)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < offset && i < text_len; i++) {
		unsigned char ch = (unsigned char)text[i];
		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static int syntax_error(struct builder *b, const yaml_parser_t *p, const char *text,
			size_t text_len)
{
	const char *problem = p->problem != NULL ? p->problem : "cannot parse";
	unsigned line, col;
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return NIM_ENOMEM;
	case YAML_READER_ERROR:
		offset_to_mark(text, text_len, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			nim_diag_add(b->diags, NIM_DIAG_ERROR, b->file, line, col,
				     "syntax error: %s (byte 0x%02x)", problem,
				     (unsigned)p->problem_value & 0xff);
		else
			nim_diag_add(b->diags, NIM_DIAG_ERROR, b->file, line, col,
				     "syntax error: %s", problem);
		return NIM_ECONFIG;
	default:
		line = mark_line(p->problem_mark);
		col = mark_col(p->problem_mark);
		if (p->context != NULL)
			nim_diag_add(b->diags, NIM_DIAG_ERROR, b->file, line, col,
				     "syntax error: %s (%s at line %u, column %u)", problem,
				     p->context, mark_line(p->context_mark),
				     mark_col(p->context_mark));
		else
			nim_diag_add(b->diags, NIM_DIAG_ERROR, b->file, line, col,
				     "syntax error: %s", problem);
		return NIM_ECONFIG;
	}
}

/* Handles one event; NIM_OK to go on, NIM_EAGAIN when the stream is done. */
static int handle_event(struct builder *b, const yaml_event_t *ev, unsigned *n_docs)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*n_docs > 1) {
			nim_diag_add(b->diags, NIM_DIAG_ERROR, b->file, mark_line(ev->start_mark),
				     mark_col(ev->start_mark),
				     "expected one YAML document, found a second one");
			return NIM_EAGAIN;
		}
		return NIM_OK;
	case YAML_SCALAR_EVENT:
		return add_scalar(b, ev);
	case YAML_ALIAS_EVENT:
		return add_alias(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return open_collection(b, CONF_NODE_SEQ, ev);
	case YAML_MAPPING_START_EVENT:
		return open_collection(b, CONF_NODE_MAP, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		close_collection(b);
		return NIM_OK;
	case YAML_STREAM_END_EVENT:
		return NIM_EAGAIN;
	default:
		return NIM_OK;
	}
}

int conf_tree_parse(const char *text, size_t text_len, const char *file,
		    struct nim_diag_list *diags, struct conf_node **out)
{
	struct builder b = {.file = file, .diags = diags};
	yaml_parser_t parser;
	unsigned n_docs = 0;
	int ret;

	if (!yaml_parser_initialize(&parser))
		return NIM_ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, text_len);
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			ret = syntax_error(&b, &parser, text, text_len);
			break;
		}
		ret = handle_event(&b, &ev, &n_docs);
		yaml_event_delete(&ev);
		if (ret != NIM_OK)
			break;
	}
	yaml_parser_delete(&parser);

	if (ret == NIM_EAGAIN) {
		*out = b.root;
		return NIM_OK;
	}
	conf_tree_free(b.root);
	return ret;
}

bool conf_node_is_null(const struct conf_node *node)
{
	if (node->type != CONF_NODE_SCALAR || !node->is_plain)
		return false;
	const char *t = node->text;
	return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
	       strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

bool conf_node_bool(const struct conf_node *node, bool *out)
{
	if (node->type != CONF_NODE_SCALAR || !node->is_plain)
		return false;
	const char *t = node->text;
	if (strcmp(t, "true") == 0 || strcmp(t, "True") == 0 || strcmp(t, "TRUE") == 0) {
		*out = true;
		return true;
	}
	if (strcmp(t, "false") == 0 || strcmp(t, "False") == 0 || strcmp(t, "FALSE") == 0) {
		*out = false;
		return true;
	}
	return false;
}
