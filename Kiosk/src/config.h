/* Kiosk configuration (the public functions are declared in motcua-kiosk.h): defaults, a "key = value" file,
 * MOTCUA_KIOSK_<KEY> environment variables, then options. Pure except for reading the file and environment. */
#ifndef MK_CONFIG_H
#define MK_CONFIG_H

#include "motcua-kiosk.h"

/** Splits "HOST:PORT" or "[v6]:PORT". Returns 0, or -1 when malformed. */
int mk_config_split_server(const char *server, char *host, size_t hostlen, char *port, size_t portlen);

#endif
