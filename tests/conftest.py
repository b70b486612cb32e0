"""Shared fixtures.

`db_url` gives each test a fresh, empty database on SQLite and, when
TEST_POSTGRES_URL names a server, on PostgreSQL too. With REQUIRE_POSTGRES=1
(set by .ci/run) a missing server fails the run instead of skipping, so a green
CI always means both databases were tested.
"""

from __future__ import annotations

import os
import socket
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
# Deployments show people only the kind of an error (.streamlit/config.toml); a failing test should say everything:
# the environment for the servers the browser tests start, the option for AppTest in this process.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")


@pytest.fixture(autouse=True)
def _full_error_details():
    from streamlit import config

    config.set_option("client.showErrorDetails", "full")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"

# Positions of real Middlesbrough postcodes, so store tests do not need the postcode table.
KNOWN_POSTCODES = {
    "TS1 3BA": (54.572076, -1.234694),
    "TS1 2AH": (54.573489, -1.22783),
    "TS5 6PY": (54.559648, -1.234803),
}


def fake_locator(postcode: str) -> tuple[float, float]:
    if postcode not in KNOWN_POSTCODES:
        raise ValueError(f"postcode {postcode} not found: check it, or give latitude and longitude instead")
    return KNOWN_POSTCODES[postcode]


def _postgres_database():
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    return admin, name, url


def database_params():
    params = [pytest.param("sqlite", id="sqlite")]
    marks = [] if (POSTGRES_URL or REQUIRE_POSTGRES) else [pytest.mark.skip(reason="TEST_POSTGRES_URL not set")]
    params.append(pytest.param("postgresql", id="postgresql", marks=marks))
    return params


@pytest.fixture(params=database_params())
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'directory.db'}"
        return
    if not POSTGRES_URL:
        pytest.fail("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set: start PostgreSQL with .ci/postgres.sh")
    admin, name, url = _postgres_database()
    yield url

    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def directory(db_url):
    from directory.accounts import create_user
    from directory.api import Directory

    d = Directory(db_url, locate_postcode=fake_locator)
    create_user(d, "alice", "Alice Khan", "editor", organisations=("Tees Valley Recovery",))
    create_user(d, "bob", "Bob Smith", "editor")
    create_user(d, "carol", "Carol Jones", "coordinator")
    create_user(d, "victor", "Victor Viewer", "viewer")
    yield d
    d.engine.dispose()


@pytest.fixture(autouse=True)
def _steady_pages(monkeypatch):
    """Every AppTest starts from a running server's steady state (see tests/apptest.steady_pages)."""
    from tests.apptest import steady_pages

    steady_pages(monkeypatch)


@pytest.fixture
def smtp_sink():
    """A local SMTP server that keeps what it is sent (aiosmtpd): no mail leaves the machine."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:  # a free port (the controller checks its own port, so not 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()
