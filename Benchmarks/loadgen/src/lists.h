/* The lists a run is given: comma-separated option values, the token file (branch or counter id → token) and
 * the counters file (branch, counter, optional token per line). Parsing is pure; the loaders read a file. */
#ifndef LG_LISTS_H
#define LG_LISTS_H

#include <stddef.h>

/* Return codes of the functions below. */
enum {
  LG_LIST_OK = 0,
  LG_LIST_ERR_NOMEM = -1,  /* allocation failed */
  LG_LIST_ERR_SYNTAX = -2, /* a malformed line or item; err says which */
  LG_LIST_ERR_IO = -3      /* the file cannot be read; err says why */
};

/* Key → token. Keys are branch ids (issue) or counter ids (counter-cycle). */
typedef struct lg_tokens {
  char **keys;
  char **values;
  size_t n;
} lg_tokens;

/* One counter a counter-cycle run drives. */
typedef struct lg_counter {
  char *branch;  /* "" when not given */
  char *counter; /* the counter id */
  char *token;   /* NULL: looked up in the token file, then --token */
} lg_counter;

typedef struct lg_counters {
  lg_counter *items;
  size_t n;
} lg_counters;

/** Splits "a,b,c" into *items (empty items are refused). Returns LG_LIST_OK, LG_LIST_ERR_NOMEM or
 *  LG_LIST_ERR_SYNTAX. Free with lg_list_free(). */
int lg_list_split(const char *list, char ***items, size_t *n);

/** Frees what lg_list_split() made. */
void lg_list_free(char **items, size_t n);

/** Parses token-file text: one "KEY TOKEN" per line; blank lines and lines starting with # are skipped.
 *  Returns LG_LIST_OK, LG_LIST_ERR_NOMEM or LG_LIST_ERR_SYNTAX (with the line number in err). */
int lg_tokens_parse(lg_tokens *t, const char *text, char *err, size_t errlen);

/** Reads and parses a token file. Returns what lg_tokens_parse() returns, or LG_LIST_ERR_IO. */
int lg_tokens_load(lg_tokens *t, const char *path, char *err, size_t errlen);

/** The token for key, or NULL. */
const char *lg_tokens_find(const lg_tokens *t, const char *key);

/** Makes "Bearer TOKEN" in *out for the first of key1, key2 (either may be NULL or "") that t names, else for
 *  fallback; *out is NULL when there is no token at all. Returns LG_LIST_OK or LG_LIST_ERR_NOMEM. */
int lg_tokens_bearer(const lg_tokens *t, const char *key1, const char *key2, const char *fallback, char **out);

/** Frees the tokens (t itself may live anywhere). */
void lg_tokens_free(lg_tokens *t);

/** Adds counters from "COUNTER" or "BRANCH/COUNTER" items, comma-separated. Returns LG_LIST_OK,
 *  LG_LIST_ERR_NOMEM or LG_LIST_ERR_SYNTAX. */
int lg_counters_add_spec(lg_counters *c, const char *list, char *err, size_t errlen);

/** Adds counters from counters-file text: "BRANCH COUNTER [TOKEN]" per line, # comments. Returns LG_LIST_OK,
 *  LG_LIST_ERR_NOMEM or LG_LIST_ERR_SYNTAX. */
int lg_counters_parse(lg_counters *c, const char *text, char *err, size_t errlen);

/** Reads and parses a counters file. Returns what lg_counters_parse() returns, or LG_LIST_ERR_IO. */
int lg_counters_load(lg_counters *c, const char *path, char *err, size_t errlen);

/** Frees the counters. */
void lg_counters_free(lg_counters *c);

#endif
