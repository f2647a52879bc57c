"""The gRPC C++ conformance client (Tests/conformance/cpp, Debian's libgrpc++) against a running server: it is
built by `make -C Tests/conformance/cpp` and every line it prints must be "ok <check>"."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from motcua_harness import HOME_BRANCH, REPO

CPP_DIR = REPO / "Tests" / "conformance" / "cpp"
BUILD_TIMEOUT = 900.0  # compiling the generated code takes minutes on a busy 2-CPU machine
RUN_TIMEOUT = 120.0
EXPECTED_CHECKS = {"connect", "list-branches", "list-services", "predict-wait", "issue-ticket",
                   "issue-ticket-replay", "unauthenticated", "not-found", "watch-branch-snapshot",
                   "watch-branch-cancel", "after-cancel"}


@pytest.fixture(scope="module")
def cpp_client() -> str:
    missing = [tool for tool in ("make", "protoc", "grpc_cpp_plugin", "pkg-config") if shutil.which(tool) is None]
    assert not missing, (f"missing {missing}: install the packages in Tests/conformance/debian-packages.txt "
                         "(apt-get install -y libgrpc++-dev protobuf-compiler-grpc)")
    jobs = str(max(1, min(4, os.cpu_count() or 1)))
    result = subprocess.run(["make", "-C", str(CPP_DIR), "-j", jobs], capture_output=True, text=True,
                            timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, f"make failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    binary = CPP_DIR / os.environ.get("BUILD", "build") / "motcua-conformance-client"
    assert binary.is_file(), f"make succeeded but {binary} is missing"
    return str(binary)


def test_cpp_client_checks_all_pass(cpp_client, start_server):
    server = start_server("conformance-cpp")
    token = server.token("kiosk", branch=HOME_BRANCH)
    result = subprocess.run([cpp_client, server.address, token, HOME_BRANCH], capture_output=True, text=True,
                            timeout=RUN_TIMEOUT)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    failed = [line for line in lines if not line.startswith("ok ")]
    report = "\n".join(lines) + (f"\nstderr:\n{result.stderr[-2000:]}" if result.stderr.strip() else "")
    assert not failed, f"C++ client checks failed:\n{report}"
    assert {line[3:] for line in lines} == EXPECTED_CHECKS, f"unexpected set of checks:\n{report}"
    assert result.returncode == 0, f"exit status {result.returncode}:\n{report}"
    assert server.running, f"the server exited:\n{server.log_tail()}"
