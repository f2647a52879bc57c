"""SchedulerService through an independent client (Python grpcio): recommendations with their times and
reasons, bad input with reasons, the city load for managers, and WatchCity cancelled mid-stream."""

from __future__ import annotations

import threading
import time

import grpc
import pytest

from motcua_harness import RPC_TIMEOUT, bearer, expect_rpc_error

Code = grpc.StatusCode

# Cầu Giấy, a few hundred metres from its branch.
CAU_GIAY = (21.0330, 105.7990)


@pytest.fixture(scope="module")
def env(start_server, make_client):
    server = start_server("scheduler")
    client = make_client(server)
    service_id = client.list_services("hn-cau-giay")[0].service_id
    return server, client, service_id, server.token("manager")


def recommend(client, service_id, location=CAU_GIAY, mode=2, metadata=None):
    pb = client.pb.scheduler
    request = pb.RecommendBranchesRequest(
        location=pb.GeoLocation(latitude=location[0], longitude=location[1]), service_id=service_id, mode=mode)
    return client.scheduler.RecommendBranches(request, timeout=RPC_TIMEOUT, metadata=metadata)


def test_recommendations_carry_travel_wait_total_and_reason(env):
    _, client, service_id, _ = env
    response = recommend(client, service_id)
    assert 1 <= len(response.recommendations) <= 3
    ids = [r.branch_id for r in response.recommendations]
    assert len(set(ids)) == len(ids)
    assert "hn-cau-giay" in ids, f"the nearest branch is missing from {ids}"
    for r in response.recommendations:
        assert r.name and r.address and r.reason
        assert r.distance_km > 0 or r.branch_id == "hn-cau-giay"
        assert abs(r.total_minutes - r.travel_minutes - r.predicted_wait_minutes) <= 1
        assert r.expected_arrival.seconds >= int(time.time()) - 5


def test_walking_takes_longer_than_a_motorbike(env):
    _, client, service_id, _ = env
    far = (21.0288, 105.8525)  # Hoàn Kiếm, ~5 km from Cầu Giấy
    walk = {r.branch_id: r.travel_minutes for r in recommend(client, service_id, far, mode=1).recommendations}
    ride = {r.branch_id: r.travel_minutes for r in recommend(client, service_id, far, mode=2).recommendations}
    common = set(walk) & set(ride)
    assert common and all(walk[b] >= ride[b] for b in common)
    assert any(walk[b] > ride[b] for b in common if walk[b] > 0)


@pytest.mark.parametrize("case, needle", [
    ("outside", "outside"),
    ("unknown-service", "not a procedure"),
    ("mode", "not supported"),
])
def test_bad_recommendation_requests_are_invalid_with_a_reason(env, case, needle):
    _, client, service_id, _ = env
    if case == "outside":
        call = lambda: recommend(client, service_id, location=(10.78, 106.70))  # Hồ Chí Minh City
    elif case == "unknown-service":
        call = lambda: recommend(client, "no-such-procedure")
    else:
        call = lambda: recommend(client, service_id, mode=9)
    error = expect_rpc_error(Code.INVALID_ARGUMENT, call)
    assert needle in error.details()


def test_city_load_is_for_managers(env):
    server, client, _, manager = env
    pb = client.pb.scheduler
    load = client.scheduler.GetCityLoad(pb.GetCityLoadRequest(), timeout=RPC_TIMEOUT, metadata=bearer(manager)).load
    assert len(load.branches) == 30
    assert load.alert_threshold_seconds == 45 * 60
    assert load.coverage.total_population > 1_000_000
    assert len(load.coverage.districts) == 30
    kiosk = server.token("kiosk", branch="hn-cau-giay")
    expect_rpc_error(Code.PERMISSION_DENIED, client.scheduler.GetCityLoad, pb.GetCityLoadRequest(),
                     timeout=RPC_TIMEOUT, metadata=bearer(kiosk))
    expect_rpc_error(Code.UNAUTHENTICATED, client.scheduler.GetCityLoad, pb.GetCityLoadRequest(), timeout=RPC_TIMEOUT)


def test_watch_city_starts_with_every_branch_and_can_be_cancelled(env):
    _, client, _, manager = env
    pb = client.pb.scheduler
    call = client.scheduler.WatchCity(pb.WatchCityRequest(alert_threshold_minutes=45), metadata=bearer(manager))
    first = next(call)
    assert len(first.load.branches) == 30 and first.load.HasField("coverage")
    cancel = threading.Timer(0.2, call.cancel)
    cancel.start()
    with pytest.raises(grpc.RpcError) as raised:
        for _ in call:
            pass
    assert raised.value.code() == Code.CANCELLED
    # The server is unaffected.
    assert len(client.scheduler.GetCityLoad(pb.GetCityLoadRequest(), timeout=RPC_TIMEOUT,
                                            metadata=bearer(manager)).load.branches) == 30
