"""StaffService through an independent client (Python grpcio): listing staff, proposing a rebalance and
applying it once, bad proposals with reasons, and who may do what."""

from __future__ import annotations

import datetime
import json

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from motcua_harness import RPC_TIMEOUT, SEEDS, bearer, expect_rpc_error

Code = grpc.StatusCode


@pytest.fixture(scope="module")
def env(start_server, make_client):
    server = start_server("staff")
    return server, make_client(server), server.token("manager")


def propose(client, token, **fields):
    values = dict(horizon_hours=4, max_moves=5, max_distance_km=15.0)
    values.update(fields)
    return client.staff.ProposeRebalance(client.pb.staff.ProposeRebalanceRequest(**values), timeout=RPC_TIMEOUT,
                                         metadata=bearer(token))


def test_the_city_manager_lists_every_member_of_staff(env):
    _, client, manager = env
    staff = client.staff.ListStaff(client.pb.staff.ListStaffRequest(), timeout=RPC_TIMEOUT,
                                   metadata=bearer(manager)).staff
    assert len(staff) == 262
    assert all(m.skills and m.home_counter_id and m.branch_id == m.home_branch_id for m in staff)


@pytest.mark.parametrize("fields, needle", [
    (dict(horizon_hours=0), "horizon_hours"),
    (dict(max_moves=0), "max_moves"),
    (dict(max_distance_km=-1.0), "max_distance_km"),
])
def test_bad_proposals_are_invalid_with_a_reason(env, fields, needle):
    _, client, manager = env
    error = expect_rpc_error(Code.INVALID_ARGUMENT, propose, client, manager, **fields)
    assert needle in error.details()


def next_working_morning() -> Timestamp:
    """09:00 in Hanoi on the next weekday that is not a public holiday (the branches are staffed then)."""
    hanoi = datetime.timezone(datetime.timedelta(hours=7))
    holidays = {h["date"] for h in json.loads((SEEDS / "holidays.json").read_text())}
    day = datetime.datetime.now(hanoi).date() + datetime.timedelta(days=1)
    while day.weekday() >= 5 or day.isoformat() in holidays:
        day += datetime.timedelta(days=1)
    stamp = Timestamp()
    stamp.FromDatetime(datetime.datetime.combine(day, datetime.time(9), hanoi).astimezone(datetime.timezone.utc))
    return stamp


def test_a_plan_is_applied_once_and_a_retry_returns_the_same_assignments(env):
    server, client, manager = env
    plan = propose(client, manager, horizon_start=next_working_morning())
    assert plan.plan_id and plan.objective <= plan.objective_before and plan.pools
    request = client.pb.staff.ApplyRebalanceRequest(plan_id=plan.plan_id)
    first = client.staff.ApplyRebalance(request, timeout=RPC_TIMEOUT, metadata=bearer(manager))
    again = client.staff.ApplyRebalance(request, timeout=RPC_TIMEOUT, metadata=bearer(manager))
    assert not first.already_applied and again.already_applied
    assert list(first.assignments) == list(again.assignments)
    assert [a.staff_id for a in first.assignments] == [m.staff_id for m in plan.moves]


def test_only_a_city_manager_moves_staff(env):
    server, client, _ = env
    branch_manager = server.token("manager", branch="hn-ba-dinh")
    expect_rpc_error(Code.PERMISSION_DENIED, propose, client, branch_manager)
    expect_rpc_error(Code.UNAUTHENTICATED, propose, client, None)
