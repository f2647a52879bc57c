#include "lists.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_n(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (p == NULL) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

int lg_list_split(const char *list, char ***items, size_t *n) {
  *items = NULL;
  *n = 0;
  if (list == NULL || *list == '\0') return LG_LIST_ERR_SYNTAX;
  size_t count = 1;
  for (const char *p = list; *p; p++) count += *p == ',';
  char **out = calloc(count, sizeof(*out));
  if (out == NULL) return LG_LIST_ERR_NOMEM;
  const char *start = list;
  for (size_t i = 0; i < count; i++) {
    const char *end = strchr(start, ',');
    size_t len = end ? (size_t)(end - start) : strlen(start);
    if (len == 0) {
      lg_list_free(out, i);
      return LG_LIST_ERR_SYNTAX;
    }
    out[i] = dup_n(start, len);
    if (out[i] == NULL) {
      lg_list_free(out, i);
      return LG_LIST_ERR_NOMEM;
    }
    start = end ? end + 1 : start + len;
  }
  *items = out;
  *n = count;
  return LG_LIST_OK;
}

void lg_list_free(char **items, size_t n) {
  if (items == NULL) return;
  for (size_t i = 0; i < n; i++) free(items[i]);
  free(items);
}

/* Calls fn with the whitespace-separated words of each line that is neither blank nor a comment. */
typedef int (*line_fn)(void *user, char **words, size_t count, size_t line, char *err, size_t errlen);

#define MAX_WORDS 4

static int each_line(const char *text, line_fn fn, void *user, char *err, size_t errlen) {
  size_t line = 0;
  const char *p = text;
  while (*p) {
    line++;
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char *copy = dup_n(p, len);
    if (copy == NULL) return LG_LIST_ERR_NOMEM;
    char *words[MAX_WORDS];
    size_t count = 0;
    char *save = NULL;
    for (char *w = strtok_r(copy, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
      if (count == 0 && w[0] == '#') break;
      if (count == MAX_WORDS) {
        count++;
        break;
      }
      words[count++] = w;
    }
    int rc = LG_LIST_OK;
    if (count > MAX_WORDS) {
      snprintf(err, errlen, "line %zu: too many words", line);
      rc = LG_LIST_ERR_SYNTAX;
    } else if (count > 0) {
      rc = fn(user, words, count, line, err, errlen);
    }
    free(copy);
    if (rc != LG_LIST_OK) return rc;
    p = end ? end + 1 : p + len;
  }
  return LG_LIST_OK;
}

static int read_file(const char *path, char **text, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return LG_LIST_ERR_IO;
  }
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  int rc = buf ? LG_LIST_OK : LG_LIST_ERR_NOMEM;
  while (rc == LG_LIST_OK) {
    if (len + 1 >= cap) {
      char *p = realloc(buf, cap * 2);
      if (p == NULL) {
        rc = LG_LIST_ERR_NOMEM;
        break;
      }
      buf = p;
      cap *= 2;
    }
    size_t got = fread(buf + len, 1, cap - len - 1, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        rc = LG_LIST_ERR_IO;
      }
      break;
    }
  }
  fclose(f);
  if (rc != LG_LIST_OK) {
    free(buf);
    return rc;
  }
  buf[len] = '\0';
  *text = buf;
  return LG_LIST_OK;
}

/* ---- tokens ------------------------------------------------------------------------------------------ */

static int add_token(void *user, char **words, size_t count, size_t line, char *err, size_t errlen) {
  lg_tokens *t = user;
  if (count != 2) {
    snprintf(err, errlen, "line %zu: expected \"KEY TOKEN\"", line);
    return LG_LIST_ERR_SYNTAX;
  }
  char **keys = realloc(t->keys, (t->n + 1) * sizeof(*keys));
  if (keys == NULL) return LG_LIST_ERR_NOMEM;
  t->keys = keys;
  char **values = realloc(t->values, (t->n + 1) * sizeof(*values));
  if (values == NULL) return LG_LIST_ERR_NOMEM;
  t->values = values;
  char *k = strdup(words[0]), *v = strdup(words[1]);
  if (k == NULL || v == NULL) {
    free(k);
    free(v);
    return LG_LIST_ERR_NOMEM;
  }
  t->keys[t->n] = k;
  t->values[t->n] = v;
  t->n++;
  return LG_LIST_OK;
}

int lg_tokens_parse(lg_tokens *t, const char *text, char *err, size_t errlen) {
  return each_line(text, add_token, t, err, errlen);
}

int lg_tokens_load(lg_tokens *t, const char *path, char *err, size_t errlen) {
  char *text;
  int rc = read_file(path, &text, err, errlen);
  if (rc != LG_LIST_OK) return rc;
  char why[200] = "";
  rc = lg_tokens_parse(t, text, why, sizeof(why));
  if (rc == LG_LIST_ERR_SYNTAX) snprintf(err, errlen, "%s: %s", path, why);
  free(text);
  return rc;
}

const char *lg_tokens_find(const lg_tokens *t, const char *key) {
  for (size_t i = t->n; i-- > 0;) /* the last line for a key wins */
    if (strcmp(t->keys[i], key) == 0) return t->values[i];
  return NULL;
}

int lg_tokens_bearer(const lg_tokens *t, const char *key1, const char *key2, const char *fallback, char **out) {
  const char *token = NULL;
  if (key1 && key1[0]) token = lg_tokens_find(t, key1);
  if (token == NULL && key2 && key2[0]) token = lg_tokens_find(t, key2);
  if (token == NULL) token = fallback;
  *out = NULL;
  if (token == NULL) return LG_LIST_OK;
  size_t n = strlen("Bearer ") + strlen(token) + 1;
  *out = malloc(n);
  if (*out == NULL) return LG_LIST_ERR_NOMEM;
  snprintf(*out, n, "Bearer %s", token);
  return LG_LIST_OK;
}

void lg_tokens_free(lg_tokens *t) {
  for (size_t i = 0; i < t->n; i++) {
    free(t->keys[i]);
    free(t->values[i]);
  }
  free(t->keys);
  free(t->values);
  memset(t, 0, sizeof(*t));
}

/* ---- counters ---------------------------------------------------------------------------------------- */

static int add_counter(lg_counters *c, const char *branch, const char *counter, const char *token) {
  lg_counter *items = realloc(c->items, (c->n + 1) * sizeof(*items));
  if (items == NULL) return LG_LIST_ERR_NOMEM;
  c->items = items;
  lg_counter *k = &c->items[c->n];
  k->branch = strdup(branch);
  k->counter = strdup(counter);
  k->token = token ? strdup(token) : NULL;
  if (k->branch == NULL || k->counter == NULL || (token && k->token == NULL)) {
    free(k->branch);
    free(k->counter);
    free(k->token);
    return LG_LIST_ERR_NOMEM;
  }
  c->n++;
  return LG_LIST_OK;
}

int lg_counters_add_spec(lg_counters *c, const char *list, char *err, size_t errlen) {
  char **items;
  size_t n;
  int rc = lg_list_split(list, &items, &n);
  if (rc == LG_LIST_ERR_SYNTAX) snprintf(err, errlen, "empty item in \"%s\"", list ? list : "");
  for (size_t i = 0; rc == LG_LIST_OK && i < n; i++) {
    char *slash = strchr(items[i], '/');
    if (slash && (slash == items[i] || slash[1] == '\0' || strchr(slash + 1, '/'))) {
      snprintf(err, errlen, "\"%s\" is not COUNTER or BRANCH/COUNTER", items[i]);
      rc = LG_LIST_ERR_SYNTAX;
      break;
    }
    if (slash) *slash = '\0';
    rc = add_counter(c, slash ? items[i] : "", slash ? slash + 1 : items[i], NULL);
  }
  lg_list_free(items, n);
  return rc;
}

static int add_counter_line(void *user, char **words, size_t count, size_t line, char *err, size_t errlen) {
  if (count < 2 || count > 3) {
    snprintf(err, errlen, "line %zu: expected \"BRANCH COUNTER [TOKEN]\"", line);
    return LG_LIST_ERR_SYNTAX;
  }
  return add_counter(user, words[0], words[1], count == 3 ? words[2] : NULL);
}

int lg_counters_parse(lg_counters *c, const char *text, char *err, size_t errlen) {
  return each_line(text, add_counter_line, c, err, errlen);
}

int lg_counters_load(lg_counters *c, const char *path, char *err, size_t errlen) {
  char *text;
  int rc = read_file(path, &text, err, errlen);
  if (rc != LG_LIST_OK) return rc;
  char why[200] = "";
  rc = lg_counters_parse(c, text, why, sizeof(why));
  if (rc == LG_LIST_ERR_SYNTAX) snprintf(err, errlen, "%s: %s", path, why);
  free(text);
  return rc;
}

void lg_counters_free(lg_counters *c) {
  for (size_t i = 0; i < c->n; i++) {
    free(c->items[i].branch);
    free(c->items[i].counter);
    free(c->items[i].token);
  }
  free(c->items);
  memset(c, 0, sizeof(*c));
}
