"""`python -m directory users` and `orgs`: a three-agency partnership set up from the command line, in a
subprocess as docs/cli.md describes it; set-password links emailed through a local SMTP server."""

from __future__ import annotations

import json
import re

import pytest

from tests.test_cli import run


def test_a_three_agency_partnership_from_the_command_line(db_url, smtp_sink, monkeypatch):
    port, received = smtp_sink
    for name, kind in [("Middlesbrough Jobcentre", "jobcentre"), ("Tees Recovery Service", "treatment_provider"),
                       ("Teesside College", "college")]:
        assert run("orgs", "add", name, "--kind", kind, url=db_url).stdout == \
            f"Added {name} ({dict(jobcentre='Jobcentre', treatment_provider='Treatment provider', college='College or training provider')[kind]}).\n"
    monkeypatch.setenv("RP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RP_SMTP_PORT", str(port))
    monkeypatch.setenv("RP_SMTP_STARTTLS", "false")
    monkeypatch.setenv("RP_SMTP_FROM", "directory@partnership.example")
    monkeypatch.setenv("RP_PUBLIC_URL", "https://rp.partnership.example")
    added = run("users", "add", "lead", "--name", "Forum Lead", "--org", "Tees Recovery Service",
                "--role", "coordinator", "--email", "Lead@TRS.example", url=db_url).stdout.splitlines()
    assert added[0].startswith("Set-password link for Forum Lead (lead), works once until ")
    token = re.fullmatch(r"https://rp\.partnership\.example/set_password\?token=([\w-]{43})", added[1])[1]
    assert added[2:] == ["Emailed to lead@trs.example."]
    [message] = received
    assert (message["To"], message["From"], message["Subject"]) == (
        "lead@trs.example", "directory@partnership.example", "Your Recovery Pathways account: set your password")
    body = message.get_payload(decode=True).decode()
    assert f"https://rp.partnership.example/set_password?token={token}" in body and "Your username is: lead" in body
    # When the link stops working, in words and in UK time (it was "07 December 2026 14:30 UTC").
    assert re.search(r"the link works once, until (Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day [1-3]?\d [A-Z][a-z]+ 20\d\d "
                     r"at (1?\d(:[0-5]\d)?(am|pm)|midnight), UK time\):", body)

    monkeypatch.delenv("RP_SMTP_HOST")
    run("users", "add", "wcoach", "--name", "Wendy Coach", "--org", "middlesbrough jobcentre", "--role", "editor",
        url=db_url)
    run("users", "add", "tutor", "--name", "Tom Tutor", "--org", "Teesside College", "--role", "viewer", url=db_url)
    listed = json.loads(run("users", "list", "--json", url=db_url).stdout)
    assert [(p["username"], p["role"], p["organisations"], p["active"], p["link_expires"] is not None)
            for p in listed] == [
        ("lead", "coordinator", ["Tees Recovery Service"], True, True),
        ("tutor", "viewer", ["Teesside College"], True, True),
        ("wcoach", "editor", ["Middlesbrough Jobcentre"], True, True)]

    assert run("users", "deactivate", "tutor", url=db_url).stdout == "tutor is deactivated and signed out everywhere.\n"
    refused = run("users", "deactivate", "lead", url=db_url, check_code=1)
    assert refused.stderr == ("error: Forum Lead is the only active coordinator: make someone else a coordinator "
                              "before deactivating them. Nothing was changed.\n")
    assert run("users", "reset-link", "wcoach", url=db_url).stdout.startswith("Set-password link for Wendy Coach")
    orgs = json.loads(run("orgs", "list", "--json", url=db_url).stdout)
    assert [(o["name"], o["kind"], o["people"]) for o in orgs] == [
        ("Middlesbrough Jobcentre", "jobcentre", 1), ("Tees Recovery Service", "treatment_provider", 1),
        ("Teesside College", "college", 0)]


@pytest.mark.parametrize("args, code, error", [
    (("users", "add", "x1", "--name", "X", "--org", "Teeside Colege", "--role", "viewer"), 1,
     "error: there is no organisation called 'Teeside Colege'. Did you mean 'Teesside College'? A coordinator can "
     "add it on the Organisations page (or: python -m directory orgs add NAME). Nothing was changed.\n"),
    (("users", "deactivate", "nobody"), 1,
     "error: there is no account 'nobody': check the username in the list of people. Nothing was changed.\n"),
    (("orgs", "add", "teesside   college"), 1,
     "error: 'Teesside College' exists already: open its page instead. Nothing was changed.\n"),
    (("users", "add", "x1", "--name", "X", "--org", "Teesside College", "--role", "boss"), 2, None),
    (("users", "add", "x1", "--org", "Teesside College", "--role", "viewer"), 2, None),
])
def test_refusals_change_nothing_and_say_why(db_url, args, code, error):
    run("orgs", "add", "Teesside College", "--kind", "college", url=db_url)
    result = run(*args, url=db_url, check_code=code)
    if error is not None:
        assert result.stderr == error
    assert json.loads(run("users", "list", "--json", url=db_url).stdout) == []
