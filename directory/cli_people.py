"""Command line for people and organisations (headless set-up): `users` and `orgs` (docs/cli.md).

    python -m directory users add USERNAME --name NAME --org ORG --role ROLE [--email EMAIL]
    python -m directory users list [--json]
    python -m directory users deactivate USERNAME
    python -m directory users reset-link USERNAME
    python -m directory orgs add NAME [--kind KIND]
    python -m directory orgs list [--json]

Exit codes as for the other commands: 0 done, 1 refused with a reason on stderr, 2 wrong arguments.
Changes are recorded in the admin audit log as made by "command line". Set-password links are printed
(and emailed when an SMTP server is configured: directory/mail.py); their address starts with
RP_PUBLIC_URL (default http://localhost:8501).
"""

from __future__ import annotations

import json
import os
import sys

from directory.accounts import ROLES
from directory.organisations import KINDS


def add_parsers(commands) -> None:
    users = commands.add_parser("users", help="add and manage the people who can sign in")
    actions = users.add_subparsers(dest="action", required=True)
    p = actions.add_parser("add", help="add a person: prints their one-time set-password link")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="their name as colleagues will see it")
    p.add_argument("--org", required=True, metavar="ORGANISATION", help="an organisation that exists (orgs list)")
    p.add_argument("--role", required=True, choices=list(ROLES))
    p.add_argument("--email", help="work email: the link is emailed here (when SMTP is set up); matches their "
                                   "sign-in with the identity provider")
    p = actions.add_parser("list", help="everyone, with role, organisation, last sign-in and status")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = actions.add_parser("deactivate", help="stop someone signing in (ends their open sessions at once)")
    p.add_argument("username")
    p = actions.add_parser("reset-link", help="a new set-password link (older ones stop working)")
    p.add_argument("username")

    organisations = commands.add_parser("orgs", help="add and list organisations")
    actions = organisations.add_subparsers(dest="action", required=True)
    p = actions.add_parser("add", help="add an organisation")
    p.add_argument("name")
    p.add_argument("--kind", choices=list(KINDS))
    p = actions.add_parser("list", help="every organisation, with its kind, entries and people")
    p.add_argument("--json", action="store_true", help="print JSON")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _public_url() -> str:
    return os.environ.get("RP_PUBLIC_URL", "http://localhost:8501")


def _print_link(link) -> None:
    from directory import mail
    from directory.people import email_link

    print(f"Set-password link for {link.display_name} ({link.username}), works once until "
          f"{link.expires_at:%Y-%m-%d %H:%M} UTC:")
    print(link.url(_public_url()))
    try:
        if email_link(mail.settings(), link, _public_url(), "Your coordinator"):
            print(f"Emailed to {link.email}.")
    except mail.MailNotSent as failure:
        print(f"warning: {failure}", file=sys.stderr)


def cmd_users(args, directory) -> int:
    from directory import people
    from directory.errors import DirectoryError

    try:
        if args.action == "add":
            _print_link(people.add_person(directory, people.OPERATOR, args.username, args.name, args.org,
                                          args.role, args.email))
        elif args.action == "reset-link":
            _print_link(people.issue_link(directory, people.OPERATOR, args.username))
        elif args.action == "deactivate":
            people.set_active(directory, people.OPERATOR, args.username, False)
            print(f"{args.username} is deactivated and signed out everywhere.")
        else:
            everyone = people.list_people(directory, people.OPERATOR)
            rows = [{"username": p.username, "name": p.display_name, "email": p.email, "role": p.role,
                     "organisations": list(p.organisations), "active": p.active,
                     "last_sign_in": p.last_sign_in.isoformat() if p.last_sign_in else None,
                     "link_expires": p.link_expires.isoformat() if p.link_expires else None} for p in everyone]
            if args.json:
                print(json.dumps(rows, indent=2, ensure_ascii=False))
            else:
                for row in rows:
                    status = "active" if row["active"] else "deactivated"
                    if row["link_expires"]:
                        status += ", link waiting"
                    print(f"{row['username']:<24} {row['role']:<12} {', '.join(row['organisations']) or '-':<32} "
                          f"{status}")
    except DirectoryError as refused:
        return _fail(f"{str(refused).rstrip('.')}. Nothing was changed.")
    return 0


def cmd_orgs(args, directory) -> int:
    from directory import organisations as orgs
    from directory.errors import DirectoryError
    from directory.people import OPERATOR

    try:
        if args.action == "add":
            made = orgs.create_organisation(directory, OPERATOR, args.name, args.kind)
            print(f"Added {made.name}" + (f" ({made.kind_label})" if made.kind else "") + ".")
        else:
            rows = [{"id": o.id, "name": o.name, "kind": o.kind, "entries": o.entries, "people": o.people,
                     "former_names": list(o.former_names)} for o in orgs.list_organisations(directory)]
            if args.json:
                print(json.dumps(rows, indent=2, ensure_ascii=False))
            else:
                for row in rows:
                    print(f"{row['name']:<48} {KINDS.get(row['kind'] or '', '-'):<30} "
                          f"{row['entries']:>5} entries {row['people']:>4} people")
    except DirectoryError as refused:
        return _fail(f"{str(refused).rstrip('.')}. Nothing was changed.")
    return 0

