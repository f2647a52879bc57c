"""Fixtures for the MotCua end-to-end tests.

The server binary is $MOTCUA_BIN, else <repo>/.build/debug/motcua. Python stubs are generated from
<repo>/Protos at session start. Every server a test starts is killed at teardown.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # motcua_harness, whatever pytest's import mode

from motcua_harness import Client, Server, generate_stubs, motcua_binary  # noqa: E402


@pytest.fixture(scope="session")
def pb(tmp_path_factory):
    """The generated protobuf/gRPC modules: pb.kiosk.IssueTicketRequest, pb.kiosk_grpc.KioskServiceStub, …"""
    return generate_stubs(tmp_path_factory.mktemp("stubs"))


@pytest.fixture(scope="session")
def motcua_bin() -> Path:
    binary = motcua_binary()
    if not binary.is_file():
        pytest.fail(f"motcua binary not found at {binary}; build it (swift build) or set MOTCUA_BIN", pytrace=False)
    return binary


@pytest.fixture(scope="module")
def start_server(tmp_path_factory, motcua_bin):
    """start_server(name, **Server kwargs) → a running Server on a fresh database; all killed at teardown."""
    servers: list[Server] = []

    def start(name: str, **kwargs) -> Server:
        workdir = tmp_path_factory.mktemp(name)
        server = Server(motcua_bin, workdir / "motcua.sqlite", workdir / "server.log", **kwargs)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.terminate()


@pytest.fixture(scope="module")
def make_client(pb):
    """make_client(server) → a Client on a fresh ready channel to the server's current port."""
    return lambda server: Client(pb, server.channel())


@pytest.fixture(scope="session")
def self_signed_cert(tmp_path_factory) -> tuple[Path, Path]:
    """(cert.pem, key.pem) for CN=localhost with SAN IP:127.0.0.1, DNS:localhost."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key
