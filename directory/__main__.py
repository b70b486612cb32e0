"""Command line: python -m directory import | export | search | harvest | users | orgs | backup | restore | seed-demo
(docs/cli.md).

Exit codes: 0 done (an import may still have rejected rows); 1 nothing was
imported because the file could not be read (reason on stderr); 2 wrong arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from directory import cli_people, codes
from directory.io import harvest
from directory.io.spreadsheet import UnreadableFile

CLI_USER = "cli"


def _open():
    from directory.api import Directory

    return Directory()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m directory", description="The Recovery Pathways directory.")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("import", help="import a spreadsheet (CSV/XLSX) or an Open Referral (HSDS) JSON file")
    p.add_argument("file")
    p.add_argument("--format", choices=["csv", "xlsx", "hsds"])
    p.add_argument("--report", metavar="REPORT.json", help="write the import report as JSON here")
    p.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
    p.add_argument("--as", dest="author", metavar="USER", help="the account the changes are attributed to")
    p.add_argument("--default-category", choices=sorted(codes.CATEGORIES), metavar="CODE",
                   help="category for HSDS services that name none of ours")
    p.add_argument("--allow-duplicates", action="store_true", help="create likely duplicates instead of holding them back")

    p = commands.add_parser("export", help="write the whole directory (archived entries left out)")
    p.add_argument("--format", required=True, choices=["csv", "xlsx", "geojson", "hsds"])
    p.add_argument("--out", required=True, metavar="FILE")

    p = commands.add_parser("search", help="the same search as the app")
    p.add_argument("query", nargs="?", default="")
    p.add_argument("--near", metavar="PLACE", help="a full postcode (TS1 3BA), a postcode district (TS1) or a town (Thornaby)")
    p.add_argument("--within-km", type=float, metavar="N")
    p.add_argument("--category", action="append", default=[], choices=sorted(codes.CATEGORIES), metavar="CODE")
    p.add_argument("--day", choices=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    p.add_argument("--free", action="store_true", help="free provision only")
    p.add_argument("--stage", choices=sorted(codes.STAGES))
    p.add_argument("--benefit", choices=sorted(codes.BENEFITS))
    p.add_argument("--for", dest="group", choices=sorted(codes.FOR_GROUPS),
                   help="the client is in this group: leaves out services only for other groups")
    p.add_argument("--delivery", action="append", default=[], choices=sorted(codes.DELIVERY))
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true", help="print JSON")

    cli_people.add_parsers(commands)  # users, orgs
    harvest.add_parser(commands)
    commands.add_parser("seed-demo", help="load the demo area into an empty database")
    commands.add_parser("build-postcodes", help="build the offline postcode table under data/ (done on first use otherwise)")

    p = commands.add_parser("backup", help="write a consistent copy of the whole database (safe while the app runs)")
    p.add_argument("--out", required=True, metavar="FILE", help="the backup file to write")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p = commands.add_parser("restore", help="replace the whole database with a backup made by 'backup'")
    p.add_argument("file", metavar="FILE")
    return parser


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def cmd_import(args) -> int:
    from directory.accounts import ensure_user, get_account
    from directory.io.importer import import_file
    from directory.errors import NotAllowed

    directory = _open()
    author = args.author or CLI_USER
    if args.author is None:
        ensure_user(directory, CLI_USER, "Command line import", "editor")
    elif get_account(directory, author) is None:
        return _fail(f"no account '{author}': create it in the app first, or leave out --as", 2)

    def progress(done: int, total: int) -> None:
        if total >= 1000:
            print(f"checked {done} of {total} rows", file=sys.stderr)

    def write_progress(done: int, total: int) -> None:
        if total >= 1000:
            print(f"written {done} of {total} rows", file=sys.stderr)

    try:
        report = import_file(directory, args.file, format=args.format, author=author, dry_run=args.dry_run,
                             default_category=args.default_category, allow_duplicates=args.allow_duplicates,
                             progress=progress, write_progress=write_progress)
    except UnreadableFile as error:
        return _fail(f"{args.file}: {error}. Nothing was imported.", 1)
    except NotAllowed as error:  # --as a viewer
        return _fail(f"{error}. Nothing was imported.", 2)
    if args.report:
        Path(args.report).write_text(report.to_json() + "\n", encoding="utf-8")
    print(report.summary())
    for item in report.rejected:
        print(f"  row {item['row']}, {item['column'] or 'row'}: {item['reason']}")
    for item in report.possible_duplicates:
        print(f"  row {item['row']} looks like '{item['name']}' ({item['entry_id']}, similarity {item['similarity']})")
    return 0


def cmd_export(args) -> int:
    from directory.io.export import export_bytes

    directory = _open()
    data = export_bytes(directory.entries(), args.format, directory=directory)
    Path(args.out).write_bytes(data)
    print(f"wrote {directory.count()} entries to {args.out}")
    return 0


def cmd_search(args) -> int:
    from directory.areas import COVERS_YOUR_AREA, entries_serving
    from directory.geo import locate_place
    from directory.postcodes import PostcodeError
    from directory.schedule import DAYS
    from directory.search import Filters

    near, place = None, None
    if args.near:
        try:  # a full postcode, or a district (TS1) measured from its middle, as on the Find page
            place = locate_place(args.near)
            near = place.position
        except PostcodeError as error:
            return _fail(str(error), 2)
    elif args.within_km is not None:
        return _fail("--within-km needs --near POSTCODE", 2)
    directory = _open()
    filters = Filters(
        categories=tuple(args.category), near=near, within_km=args.within_km, stage=args.stage,
        day=DAYS.index(args.day) if args.day else None, free_only=args.free, benefit=args.benefit,
        delivery=tuple(args.delivery), group=args.group,
        # As on the Find page: area-wide services whose area holds the place, whatever the distance.
        serving=frozenset(entries_serving(directory, place.label).items()) if place else frozenset(),
    )
    hits = directory.search(args.query, filters, limit=args.limit)
    if hits.notice:  # a query too long to search whole was shortened: say so, and answer what was searched
        print(hits.notice, file=sys.stderr)
    if args.json:
        results = []
        for hit in hits:
            item = {"entry_id": hit.entry.id, "name": hit.entry.name, "organisation": hit.entry.organisation,
                    "category": hit.entry.category, "postcode": hit.entry.postcode}
            if near is not None:
                item["distance_km"] = None if hit.distance_km is None else round(hit.distance_km, 2)
                if hit.covers_area is not None:  # an area-wide service: the area of it that holds the place
                    item["covers_area"] = hit.covers_area
            if args.query:
                item["score"] = round(hit.score, 3)
            results.append(item)
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return 0
    if not hits:
        print("No matches. Try fewer words, a wider distance or fewer filters.")
    for hit in hits:
        distance = "" if hit.distance_km is None else f"{hit.distance_km:5.1f} km  "
        if hit.covers_area is not None:
            distance = f"{COVERS_YOUR_AREA} ({hit.covers_area})  "
        print(f"{distance}{hit.entry.name} — {hit.entry.organisation} [{hit.entry.category}] ({hit.entry.id})")
    return 0


def cmd_seed_demo(args) -> int:
    from directory.demo import seed_demo
    from directory.errors import DirectoryError

    try:
        report = seed_demo(_open())
    except DirectoryError as error:
        return _fail(str(error), 1)
    print(f"demo area loaded: {report.summary()}")
    return 0


def cmd_build_postcodes(args) -> int:
    from directory.postcodes import PostcodeTable

    path = PostcodeTable.build()
    print(f"postcode table written to {path}")
    return 0


def cmd_backup(args) -> int:
    from directory.backup import BackupRefused, backup

    try:
        outcome = backup(_open(), args.out, force=args.force)
    except BackupRefused as error:
        return _fail(f"{error}. No backup was written.", 1)
    print(outcome.summary("backed up"))
    return 0


def cmd_restore(args) -> int:
    from directory.backup import BackupRefused, restore

    try:
        outcome = restore(_open(), args.file)
    except BackupRefused as error:
        return _fail(f"{error}. Nothing was changed.", 1)
    print(outcome.summary("restored"))
    return 0


COMMANDS = {"import": cmd_import, "export": cmd_export, "search": cmd_search,
            "seed-demo": cmd_seed_demo, "build-postcodes": cmd_build_postcodes,
            "backup": cmd_backup, "restore": cmd_restore,
            "users": lambda args: cli_people.cmd_users(args, _open()),
            "orgs": lambda args: cli_people.cmd_orgs(args, _open()),
            "harvest": lambda args: harvest.cmd_harvest(args, _open())}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
