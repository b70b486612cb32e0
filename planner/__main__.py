"""python -m planner recommend CLIENT.json [--limit N] [--text]; python -m planner referrals --from DATE --to DATE
[--json] (docs/cli.md).

`recommend` prints the planner output JSON (docs/client-profile.md; its reasons keep the format's machine
times), as the command line contract says; with --text, the plan as a keyworker reads it (plain English:
'Tue 11am to 2pm'). Exit codes:
0 done; 1 the profile could not be read, is not valid JSON or breaks the
profile format (the reason, naming the field, on stderr); 2 wrong arguments.
`referrals` prints the referral funnel (directory.referrals.funnel) for referrals sent in the dates
given, as a table or JSON: anonymous counts, no client identifiers.
The directory comes from DATABASE_URL, else the embedded SQLite database;
opening it creates or migrates the schema first. This package holds no SQLAlchemy: the commands
import the directory only when they run.
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


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-12-01") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m planner", description="The Recovery Pathways planner.")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("recommend", help="print the plan for a client profile: the planner output JSON, or --text")
    p.add_argument("profile", metavar="CLIENT.json")
    p.add_argument("--limit", type=_positive_int, default=10, metavar="N", help="at most N recommendations (default 10)")
    p.add_argument("--text", action="store_true", help="print the plan as a keyworker reads it instead of JSON")
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the default; accepted for scripts
    p = commands.add_parser("referrals", help="print the referral funnel for referrals sent between two dates")
    p.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", type=_date, required=True, metavar="DATE", help="last day, included")
    p.add_argument("--by", default="month,from_organisation,to_organisation,category", metavar="GROUPS",
                   help="comma-separated: month, from_organisation, to_organisation, category (default: all four)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
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
    today = dt.date.today()
    plan = recommend(profile, entries, today, limit=args.limit, postcode_locator=default_table().locate)
    if args.text and not args.json:
        sys.stdout.write(plan_text(plan, today))
    else:
        json.dump(plan.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0


def plan_text(plan, today: dt.date) -> str:
    """The plan as a keyworker reads it aloud: each recommendation with why and what to check first, times and
    dates in plain English (planner.wording.plain)."""
    from directory.codes import CATEGORIES, STAGES
    from planner.rules import STEP_RULES
    from planner.wording import plain, plain_all

    rating = plan.readiness
    continuum = plan.continuum
    lines = [f"Plan for {plan.ref}: {STAGES[plan.stage].lower()}, job-readiness {rating.rating} "
             f"({rating.met} of 5 indicators met, {rating.known} known)"]
    if continuum.current:
        lines.append(f"Working on: {STEP_RULES[continuum.current].label}; next: "
                     + ", ".join(STEP_RULES[s].label for s in continuum.next))
    lines.append("")
    if not plan.recommendations:
        lines.append("Nothing in the directory fits yet: see what was ruled out below.")
    for number, rec in enumerate(plan.recommendations, 1):
        lines.append(f"{number}. {rec.name} ({rec.organisation}): {CATEGORIES[rec.category]}")
        lines.append("   Why: " + "; ".join(plain_all(rec.reasons, today)))
        if rec.warnings:
            lines.append("   Check first: " + "; ".join(plain_all(rec.warnings, today)))
    if len(plan.excluded):
        lines += ["", f"Ruled out ({len(plan.excluded)}):"]
        lines += [f"- {e.name}: " + "; ".join(plain_all(e.reasons, today)) for e in plan.excluded]
    if plan.assumptions:
        lines += ["", "Assumed:"] + [f"- {plain(a, today)}" for a in plan.assumptions]
    return "\n".join(lines) + "\n"


def cmd_referrals(args: argparse.Namespace) -> int:
    from directory.api import Directory
    from directory.errors import DirectoryError
    from directory.people import OPERATOR
    from directory.referrals import funnel

    if args.end < args.start:
        print("error: --to is before --from: swap them", file=sys.stderr)
        return 2
    by = [g.strip() for g in args.by.split(",") if g.strip()]
    try:
        result = funnel(Directory(), OPERATOR, args.start, args.end, by=by)
    except DirectoryError as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(funnel_table(result))
    return 0


def funnel_table(result) -> str:
    """The funnel as a plain-text table, one row per group and a total (like the seeds' Table 1)."""
    from directory.referrals import DECLINE_REASONS, FUNNEL_LABELS
    from directory.schedule import describe_day_of_year

    counts = ("sent", "accepted", "started", "completed", "job_start", "in_work_13_weeks", "declined", "withdrawn",
              "no_answer")
    header = [FUNNEL_LABELS[g] for g in result.by] + [FUNNEL_LABELS[c] for c in counts] + ["Median days"]

    def cells(row, total: bool) -> list[str]:
        keys = [("All" if total and i == 0 else "") if total else
                (row.category_label if g == "category" else getattr(row, g)) for i, g in enumerate(result.by)]
        median = "" if row.median_days_to_answer is None else f"{row.median_days_to_answer:.1f}"
        return keys + [str(getattr(row, c)) for c in counts] + [median]

    table = [header] + [cells(r, False) for r in result.rows] + [cells(result.total, True)]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    keys = len(result.by)
    lines = [f"Referrals sent {describe_day_of_year(result.start)} to {describe_day_of_year(result.end)} "
             f"(no answer: none within {result.no_answer_days} working days)", ""]
    for line in table:
        lines.append("  ".join(c.ljust(w) if i < keys else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths)))
                     .rstrip())
    total = result.total
    reasons = ", ".join(f"{DECLINE_REASONS[code]} {n}" for code, n in total.declined_reasons.items()) or "none"
    rate = "" if total.no_answer_rate is None else f"{total.no_answer_rate * 100:.1f}%"
    lines += ["", f"Declined, by reason: {reasons}", f"No answer: {total.no_answer} of {total.sent}"
              + (f" ({rate})" if rate else "")]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"recommend": cmd_recommend, "referrals": cmd_referrals}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
