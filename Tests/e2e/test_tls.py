"""The server over TLS (--tls-cert/--tls-key) with a self-signed certificate the client trusts."""

from __future__ import annotations

import concurrent.futures
import uuid

import grpc
import pytest

from motcua_harness import (
    HOME_BRANCH,
    RPC_TIMEOUT,
    counters_for_service,
    expected_numbers,
    retry_transient,
)

N_TICKETS = 20
N_CALLERS = 5


@pytest.fixture(scope="module")
def tls(start_server, make_client, self_signed_cert):
    server = start_server("tls", tls=self_signed_cert)
    client = make_client(server)  # a secure channel: the server is TLS
    services = sorted(client.list_services(HOME_BRANCH), key=lambda s: s.service_id)
    assert len(services) >= 2, f"{HOME_BRANCH} lists {len(services)} services; the TLS tests use two"
    return server, client, services


def test_issue_over_tls_is_unique_and_replayable(tls):
    server, client, services = tls
    service = services[0]
    token = server.token("kiosk", branch=HOME_BRANCH)
    requests = [client.issue_request(HOME_BRANCH, service.service_id, f"tls-{uuid.uuid4()}")
                for _ in range(N_TICKETS)]

    def issue_and_retry(request):
        first, _ = retry_transient(lambda: client.issue(token, request))
        again, _ = retry_transient(lambda: client.issue(token, request))
        return first, again

    with concurrent.futures.ThreadPoolExecutor(N_CALLERS) as pool:
        replies = list(pool.map(issue_and_retry, requests, timeout=60))

    for first, again in replies:
        assert not first.replayed, f"the first IssueTicket for {first.ticket.number} says replayed"
        assert again.replayed, f"the retry for {first.ticket.number} is not marked replayed"
        assert (again.ticket.ticket_id, again.ticket.number) == (first.ticket.ticket_id, first.ticket.number)
    tickets = [first.ticket for first, _ in replies]
    assert len({t.ticket_id for t in tickets}) == N_TICKETS
    assert {t.number for t in tickets} == expected_numbers(service.prefix, N_TICKETS)


def test_call_and_complete_over_tls(tls, pb):
    server, client, services = tls
    service = services[1]  # nobody else issues for it: the ticket below is the only one waiting
    (counter,) = counters_for_service(client, HOME_BRANCH, service.service_id, 1)
    kiosk = server.token("kiosk", branch=HOME_BRANCH)
    counter_token = server.token("counter", branch=HOME_BRANCH, counter=counter.counter_id)

    issued = client.issue(kiosk, client.issue_request(HOME_BRANCH, service.service_id, f"tls-{uuid.uuid4()}")).ticket
    assert client.open_counter(counter_token, counter.counter_id, [service.service_id]).open

    response = client.call_next(counter_token, counter.counter_id)
    assert response.HasField("ticket"), "CallNext found nobody waiting"
    assert response.ticket.ticket_id == issued.ticket_id
    assert response.ticket.state == pb.common.TICKET_STATE_CALLED

    done = client.complete(counter_token, issued.ticket_id, counter.counter_id)
    assert done.state == pb.common.TICKET_STATE_DONE
    assert client.track(issued.ticket_id, issued.tracking_code).state == pb.common.TICKET_STATE_DONE


def test_plaintext_client_is_refused(tls, pb):
    server, _, _ = tls
    with grpc.insecure_channel(server.address) as channel:
        stub = pb.directory_grpc.DirectoryServiceStub(channel)
        with pytest.raises(grpc.RpcError) as info:
            stub.ListBranches(pb.directory.ListBranchesRequest(), timeout=RPC_TIMEOUT / 2)
    assert info.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                                 grpc.StatusCode.INTERNAL), f"plaintext call failed oddly: {info.value}"
