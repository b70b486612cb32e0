"""What the client should check first about a recommended entry: warnings, never exclusions.

Order: who it is only for, when the facts that decide it are not known ("for women only: check"), then
what could stop an application (drug testing, DBS, convictions), then
getting there (sessions, term time, start date), then the client's load.
"""

from __future__ import annotations

import datetime as dt

from directory.fields import Entry
from planner.client import Client
from planner.fit import ScheduleFit
from planner.groups import check_warning
from planner.wording import short_date

DBS_LEVELS_THAT_SHOW_SPENT = ("standard", "enhanced")


def warnings_for(entry: Entry, client: Client, fit: ScheduleFit, today: dt.date) -> list[str]:
    warnings = []
    if client.groups.verdict(entry.for_groups) == "unknown":  # a fact that would change the advice
        warnings.append(check_warning(entry.for_groups))
    warnings.extend(_application_warnings(entry, client))
    warnings.extend(fit.warnings)
    if entry.term_time_only:
        warnings.append("term-time only")  # education often runs in term time only
    warnings.extend(_timing_warnings(entry, today))
    if client.overloaded:  # several agencies each adding activities risks relapse
        n = client.profile.current_activities
        warnings.append(f"already doing {n} activities: risk of overload, add one thing at a time")
    return warnings


def _timing_warnings(entry: Entry, today: dt.date) -> list[str]:
    """When a course can really be joined: never "soon" for one under way, and never before the wait."""
    if entry.start_date is None:
        return []
    ends = f", ends {short_date(entry.end_date, today)}" if entry.end_date else ""
    if entry.start_date == today:  # not "started" (it has not yet), nor "soon" (too late to wait for)
        return [f"starts today, {short_date(entry.start_date, today)}{ends}: ask about joining this intake"]
    if entry.start_date < today:
        return [f"started {short_date(entry.start_date, today)}{ends}: ask about joining late"]
    if entry.waiting_days is not None and today + dt.timedelta(days=entry.waiting_days) > entry.start_date:
        earliest = today + dt.timedelta(days=entry.waiting_days)
        return [f"starts {short_date(entry.start_date, today)}, but with the usual {entry.waiting_days}-day wait "
                f"the earliest start is about {short_date(earliest, today)}: ask about this intake"]
    return [f"starts {short_date(entry.start_date, today)}"]


def _application_warnings(entry: Entry, client: Client) -> list[str]:
    warnings = []
    # Plans should "take into account ... the drug testing policies of potential employers".
    if entry.drug_testing and client.on_opioid_substitution:
        warnings.append("drug testing: prescribed opioid substitution will show; check the policy before applying")
    elif entry.drug_testing and client.not_abstinent:
        warnings.append("drug testing: check the policy before applying")
    # Rehabilitation of Offenders Act 1974: spent convictions show on standard and enhanced checks.
    if client.has_conviction and entry.dbs_check in DBS_LEVELS_THAT_SHOW_SPENT:
        warnings.append(f"{entry.dbs_check} DBS: convictions will be seen")
    if client.has_conviction and entry.accepts_convictions == "case_by_case":
        warnings.append("convictions considered case by case: suggest a disclosure conversation")
    if client.has_conviction and entry.accepts_convictions == "no" and not client.unspent:
        if client.profile.convictions == "spent":
            warnings.append("does not accept convictions: spent ones need not be disclosed")
        else:
            warnings.append("does not accept unspent convictions: check whether the client's are spent")
    return warnings
