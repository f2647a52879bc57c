#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ticket_render.h"

void mk_config_defaults(mk_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  snprintf(cfg->server, sizeof(cfg->server), "127.0.0.1:50051");
  snprintf(cfg->journal, sizeof(cfg->journal), "motcua-kiosk.journal");
  snprintf(cfg->tracking_url, sizeof(cfg->tracking_url), "https://motcua.hanoi.gov.vn/ve");
  snprintf(cfg->font, sizeof(cfg->font), "%s", MK_RENDER_DEFAULT_FONT);
  snprintf(cfg->font_bold, sizeof(cfg->font_bold), "%s", MK_RENDER_DEFAULT_FONT_BOLD);
  cfg->paper_mm = 80;
  cfg->lease_size = 50;
  cfg->lease_max_age_s = 8 * 3600;
  cfg->timeout_ms = 10000;
  cfg->connect_timeout_ms = 3000;
  cfg->retries = 3;
  cfg->retry_delay_ms = 200;
}

static int set_str(char *dst, size_t size, const char *value, const char *key, char *err, size_t errlen) {
  if (strlen(value) >= size) {
    snprintf(err, errlen, "%s is too long (at most %zu bytes)", key, size - 1);
    return MK_ERR_CONFIG;
  }
  snprintf(dst, size, "%s", value);
  return MK_OK;
}

static int set_int(int *dst, const char *value, long lo, long hi, const char *key, char *err, size_t errlen) {
  char *end;
  errno = 0;
  long v = strtol(value, &end, 10);
  if (errno || end == value || *end || v < lo || v > hi) {
    snprintf(err, errlen, "%s must be a whole number from %ld to %ld, not \"%s\"", key, lo, hi, value);
    return MK_ERR_CONFIG;
  }
  *dst = (int)v;
  return MK_OK;
}

static int set_bool(int *dst, const char *value, const char *key, char *err, size_t errlen) {
  if (!strcmp(value, "1") || !strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on")) *dst = 1;
  else if (!strcmp(value, "0") || !strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "off"))
    *dst = 0;
  else {
    snprintf(err, errlen, "%s must be yes or no, not \"%s\"", key, value);
    return MK_ERR_CONFIG;
  }
  return MK_OK;
}

int mk_config_split_server(const char *server, char *host, size_t hostlen, char *port, size_t portlen) {
  const char *colon;
  if (server[0] == '[') {
    const char *close = strchr(server, ']');
    if (close == NULL || close[1] != ':') return -1;
    if ((size_t)(close - server - 1) >= hostlen) return -1;
    memcpy(host, server + 1, (size_t)(close - server - 1));
    host[close - server - 1] = '\0';
    colon = close + 1;
  } else {
    colon = strrchr(server, ':');
    if (colon == NULL || colon == server || (size_t)(colon - server) >= hostlen) return -1;
    memcpy(host, server, (size_t)(colon - server));
    host[colon - server] = '\0';
    if (strchr(host, ':')) return -1;
  }
  const char *p = colon + 1;
  if (!*p || strlen(p) >= portlen) return -1;
  for (const char *q = p; *q; q++)
    if (!isdigit((unsigned char)*q)) return -1;
  long v = strtol(p, NULL, 10);
  if (v < 1 || v > 65535) return -1;
  snprintf(port, portlen, "%s", p);
  return 0;
}

int mk_config_set(mk_config *cfg, const char *key, const char *value, char *err, size_t errlen) {
  if (!strcmp(key, "server")) {
    char h[256], p[16];
    if (mk_config_split_server(value, h, sizeof(h), p, sizeof(p)) != 0) {
      snprintf(err, errlen, "server must be HOST:PORT, not \"%s\"", value);
      return MK_ERR_CONFIG;
    }
    return set_str(cfg->server, sizeof(cfg->server), value, key, err, errlen);
  }
  if (!strcmp(key, "tls")) return set_bool(&cfg->tls, value, key, err, errlen);
  if (!strcmp(key, "ca_file")) return set_str(cfg->ca_file, sizeof(cfg->ca_file), value, key, err, errlen);
  if (!strcmp(key, "branch")) return set_str(cfg->branch, sizeof(cfg->branch), value, key, err, errlen);
  if (!strcmp(key, "token")) return set_str(cfg->token, sizeof(cfg->token), value, key, err, errlen);
  if (!strcmp(key, "printer")) return set_str(cfg->printer, sizeof(cfg->printer), value, key, err, errlen);
  if (!strcmp(key, "preview")) return set_str(cfg->preview, sizeof(cfg->preview), value, key, err, errlen);
  if (!strcmp(key, "journal")) return set_str(cfg->journal, sizeof(cfg->journal), value, key, err, errlen);
  if (!strcmp(key, "tracking_url"))
    return set_str(cfg->tracking_url, sizeof(cfg->tracking_url), value, key, err, errlen);
  if (!strcmp(key, "font")) return set_str(cfg->font, sizeof(cfg->font), value, key, err, errlen);
  if (!strcmp(key, "font_bold")) return set_str(cfg->font_bold, sizeof(cfg->font_bold), value, key, err, errlen);
  if (!strcmp(key, "paper")) {
    int v;
    if (set_int(&v, value, 58, 80, key, err, errlen) || (v != 58 && v != 80)) {
      snprintf(err, errlen, "paper must be 58 or 80 (mm), not \"%s\"", value);
      return MK_ERR_CONFIG;
    }
    cfg->paper_mm = v;
    return MK_OK;
  }
  if (!strcmp(key, "lease_size")) return set_int(&cfg->lease_size, value, 1, 200, key, err, errlen);
  if (!strcmp(key, "lease_max_age")) return set_int(&cfg->lease_max_age_s, value, 1, 86400, key, err, errlen);
  if (!strcmp(key, "timeout_ms")) return set_int(&cfg->timeout_ms, value, 1, 600000, key, err, errlen);
  if (!strcmp(key, "connect_timeout_ms"))
    return set_int(&cfg->connect_timeout_ms, value, 1, 600000, key, err, errlen);
  if (!strcmp(key, "retries")) return set_int(&cfg->retries, value, 0, 20, key, err, errlen);
  if (!strcmp(key, "retry_delay_ms")) return set_int(&cfg->retry_delay_ms, value, 0, 60000, key, err, errlen);
  snprintf(err, errlen, "unknown setting \"%s\"", key);
  return MK_ERR_CONFIG;
}

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
  return s;
}

int mk_config_load_file(mk_config *cfg, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    snprintf(err, errlen, "cannot read the configuration %s: %s", path, strerror(errno));
    return MK_ERR_CONFIG;
  }
  char buf[2048];
  int lineno = 0, rc = MK_OK;
  while (rc == MK_OK && fgets(buf, sizeof(buf), f)) {
    lineno++;
    char *line = trim(buf);
    if (!*line || *line == '#') continue;
    char *eq = strchr(line, '=');
    if (eq == NULL) {
      snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
      rc = MK_ERR_CONFIG;
      break;
    }
    *eq = '\0';
    char *key = trim(line), *value = trim(eq + 1);
    size_t vl = strlen(value);
    if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
      value[vl - 1] = '\0';
      value++;
    }
    char why[300];
    rc = mk_config_set(cfg, key, value, why, sizeof(why));
    if (rc != MK_OK) snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
  }
  fclose(f);
  return rc;
}

int mk_config_load_env(mk_config *cfg, char *err, size_t errlen) {
  static const char *const keys[] = {"server", "tls", "ca_file", "branch", "token", "printer", "preview",
                                     "journal", "tracking_url", "paper", "font", "font_bold", "lease_size",
                                     "lease_max_age", "timeout_ms", "connect_timeout_ms", "retries",
                                     "retry_delay_ms"};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    char name[64] = "MOTCUA_KIOSK_";
    size_t n = strlen(name);
    for (const char *k = keys[i]; *k && n < sizeof(name) - 1; k++) name[n++] = (char)toupper((unsigned char)*k);
    name[n] = '\0';
    const char *v = getenv(name);
    if (v == NULL) continue;
    char why[300];
    if (mk_config_set(cfg, keys[i], v, why, sizeof(why)) != MK_OK) {
      snprintf(err, errlen, "%s: %s", name, why);
      return MK_ERR_CONFIG;
    }
  }
  return MK_OK;
}
