"""python -m planner recommend CLIENT.json [--limit N] (docs/cli.md).

Prints the planner output JSON (docs/client-profile.md) to stdout. Exit codes:
0 done; 1 the profile could not be read, is not valid JSON or breaks the
profile format (the reason, naming the field, on stderr); 2 wrong arguments.
The directory comes from DATABASE_URL, else the embedded SQLite database;
opening it creates or migrates the schema first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from planner.match import recommend
from planner.profile import ProfileError, parse_profile


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m planner", description="The Recovery Pathways planner.")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("recommend", help="print the plan for a client profile (JSON) as JSON")
    p.add_argument("profile", metavar="CLIENT.json")
    p.add_argument("--limit", type=_positive_int, default=10, metavar="N", help="at most N recommendations (default 10)")
    return parser


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_recommend(args: argparse.Namespace) -> int:
    try:
        with open(args.profile, encoding="utf-8") as file:
            data = json.load(file)
    except OSError as error:
        return _fail(f"cannot read {args.profile}: {error.strerror or error}")
    except UnicodeDecodeError:
        return _fail(f"{args.profile} is not UTF-8 text")
    except json.JSONDecodeError as error:
        return _fail(f"{args.profile} is not valid JSON: line {error.lineno} column {error.colno}: {error.msg}")
    try:
        profile = parse_profile(data)
    except ProfileError as error:
        return _fail(f"{args.profile}: {error}")

    # The database and the postcode table are only needed once the profile is known to be good.
    from directory.api import Directory
    from directory.postcodes import default_table

    entries = Directory().entries()
    plan = recommend(profile, entries, dt.date.today(), limit=args.limit, postcode_locator=default_table().locate)
    json.dump(plan.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"recommend": cmd_recommend}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
