/* motcua-probe: a test tool (not installed) that plays the counter side, to check what the kiosk did:
 *   motcua-probe --server H:P counters BRANCH             counter ids and the services each is set up for
 *   motcua-probe --server H:P drain TOKEN COUNTER SERVICE open the counter for SERVICE, then CallNext and
 *                                                         Complete until nobody waits; prints numbers in call
 *                                                         order, one per line
 *   motcua-probe --server H:P slots BRANCH SERVICE FROM TO  free slots (BookingService.ListSlots), one per line:
 *                                                         slot id, start (Unix seconds), free places
 *   motcua-probe --server H:P book TOKEN SLOT NATIONAL_ID PHONE   BookSlot (portal token); prints the booking's
 *                                                         code, branch and start (Unix seconds) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "grpc_status.h"
#include "ids.h"
#include "motcua/v1/booking.pb-c.h"
#include "motcua/v1/counter.pb-c.h"
#include "motcua/v1/directory.pb-c.h"
#include "net.h"

static mk_net *net;

static int call(const char *path, const ProtobufCMessage *req, const char *token, uint8_t **resp, size_t *len) {
  size_t n = protobuf_c_message_get_packed_size(req);
  uint8_t *buf = malloc(n + 1);
  protobuf_c_message_pack(req, buf);
  char bearer[600];
  snprintf(bearer, sizeof(bearer), "Bearer %s", token ? token : "");
  mk_h2_header md[] = {{"authorization", bearer}};
  mk_h2_request r = {path, md, token ? 1 : 0, buf, n, 10000, 0, NULL, NULL};
  mk_h2_call *c;
  if (mk_h2_client_start(mk_net_client(net), &r, &c) != MK_H2_OK) {
    fprintf(stderr, "probe: cannot start %s\n", path);
    exit(2);
  }
  mk_net_wait(net, c, mk_net_now_ms() + 10000);
  const mk_h2_status *st = mk_h2_call_status(c);
  if (st->code != MK_GRPC_OK) {
    fprintf(stderr, "probe: %s: %s: %s\n", path, mk_grpc_code_name(st->code), st->message);
    exit(3);
  }
  const uint8_t *p = mk_h2_call_response(c, len);
  *resp = malloc(*len + 1);
  memcpy(*resp, p, *len);
  mk_h2_call_release(mk_net_client(net), c);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4 || strcmp(argv[1], "--server") != 0) {
    fprintf(stderr, "usage: motcua-probe --server HOST:PORT counters BRANCH | drain TOKEN COUNTER SERVICE\n");
    return 1;
  }
  char host[256], port[16], err[400];
  if (mk_config_split_server(argv[2], host, sizeof(host), port, sizeof(port)) != 0) return 1;
  mk_net_options o = {host, port, 0, NULL, 3000};
  if (mk_net_connect(&o, &net, err, sizeof(err)) != MK_NET_OK) {
    fprintf(stderr, "probe: %s\n", err);
    return 2;
  }
  uint8_t *resp;
  size_t len;
  if (!strcmp(argv[3], "counters") && argc == 5) {
    Motcua__V1__ListCountersRequest req = MOTCUA__V1__LIST_COUNTERS_REQUEST__INIT;
    req.branch_id = argv[4];
    call("/motcua.v1.DirectoryService/ListCounters", &req.base, NULL, &resp, &len);
    Motcua__V1__ListCountersResponse *r = motcua__v1__list_counters_response__unpack(NULL, len, resp);
    for (size_t i = 0; r && i < r->n_counters; i++) {
      printf("%s\t", r->counters[i]->counter_id);
      for (size_t j = 0; j < r->counters[i]->n_service_ids; j++)
        printf("%s%s", j ? "," : "", r->counters[i]->service_ids[j]);
      printf("\n");
    }
    motcua__v1__list_counters_response__free_unpacked(r, NULL);
    free(resp);
  } else if (!strcmp(argv[3], "drain") && argc == 7) {
    const char *token = argv[4], *counter = argv[5];
    char *service = argv[6];
    Motcua__V1__OpenCounterRequest open = MOTCUA__V1__OPEN_COUNTER_REQUEST__INIT;
    open.counter_id = (char *)counter;
    open.n_service_ids = 1;
    open.service_ids = &service;
    call("/motcua.v1.CounterService/OpenCounter", &open.base, token, &resp, &len);
    free(resp);
    for (int i = 0; i < 1000; i++) {
      Motcua__V1__CallNextRequest next = MOTCUA__V1__CALL_NEXT_REQUEST__INIT;
      next.counter_id = (char *)counter;
      call("/motcua.v1.CounterService/CallNext", &next.base, token, &resp, &len);
      Motcua__V1__CallNextResponse *r = motcua__v1__call_next_response__unpack(NULL, len, resp);
      free(resp);
      if (r == NULL || r->ticket == NULL) {
        motcua__v1__call_next_response__free_unpacked(r, NULL);
        break;
      }
      printf("%s\n", r->ticket->number);
      Motcua__V1__CompleteRequest done = MOTCUA__V1__COMPLETE_REQUEST__INIT;
      done.ticket_id = r->ticket->ticket_id;
      done.counter_id = (char *)counter;
      call("/motcua.v1.CounterService/Complete", &done.base, token, &resp, &len);
      free(resp);
      motcua__v1__call_next_response__free_unpacked(r, NULL);
    }
  } else if (!strcmp(argv[3], "slots") && argc == 8) {
    Motcua__V1__ListSlotsRequest req = MOTCUA__V1__LIST_SLOTS_REQUEST__INIT;
    req.branch_id = argv[4];
    req.service_id = argv[5];
    req.date_from = argv[6];
    req.date_to = argv[7];
    req.only_free = 1;
    call("/motcua.v1.BookingService/ListSlots", &req.base, NULL, &resp, &len);
    Motcua__V1__ListSlotsResponse *r = motcua__v1__list_slots_response__unpack(NULL, len, resp);
    free(resp);
    for (size_t i = 0; r && i < r->n_slots; i++)
      printf("%s\t%lld\t%u\n", r->slots[i]->slot_id,
             (long long)(r->slots[i]->start ? r->slots[i]->start->seconds : 0), r->slots[i]->free);
    motcua__v1__list_slots_response__free_unpacked(r, NULL);
  } else if (!strcmp(argv[3], "book") && argc == 8) {
    char key[37];
    if (mk_ids_uuid(key) != 0) return 1;
    Motcua__V1__Citizen who = MOTCUA__V1__CITIZEN__INIT;
    who.national_id = argv[6];
    who.phone = argv[7];
    Motcua__V1__BookSlotRequest req = MOTCUA__V1__BOOK_SLOT_REQUEST__INIT;
    req.slot_id = argv[5];
    req.citizen = &who;
    req.idempotency_key = key;
    call("/motcua.v1.BookingService/BookSlot", &req.base, argv[4], &resp, &len);
    Motcua__V1__BookSlotResponse *r = motcua__v1__book_slot_response__unpack(NULL, len, resp);
    free(resp);
    if (r == NULL || r->booking == NULL || r->booking->start == NULL) {
      fprintf(stderr, "probe: malformed BookSlot response\n");
      return 3;
    }
    printf("%s\t%s\t%lld\n", r->booking->code, r->booking->branch_id, (long long)r->booking->start->seconds);
    motcua__v1__book_slot_response__free_unpacked(r, NULL);
  } else {
    fprintf(stderr, "probe: unknown command\n");
    return 1;
  }
  mk_net_close(net);
  return 0;
}
