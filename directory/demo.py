"""Load the demo area (fictional provision at real Middlesbrough and Stockton postcodes)."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING

from directory import fields as F
from directory.accounts import COORDINATOR, create_user, get_account
from directory.db import PROJECT_ROOT
from directory.io.importer import ImportReport, Importer
from directory.io.spreadsheet import spreadsheet_safe
from directory.errors import DirectoryError

if TYPE_CHECKING:
    from directory.api import Directory

DEMO_SCRIPT = PROJECT_ROOT / "data" / "demo_area.py"
DEMO_LOADER = "demo-loader"
DEMO_ORGANISATIONS = PROJECT_ROOT / "data" / "demo_organisations.json"


@lru_cache(maxsize=1)
def demo_module() -> ModuleType:
    # data/ holds the generator script beside the data it makes; it is not a package.
    spec = importlib.util.spec_from_file_location("demo_area", DEMO_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_csv(today: dt.date) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(F.COLUMNS), restval="")
    writer.writeheader()
    # Written as every CSV is (the import takes the formula guard off again).
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in demo_module().demo_rows(today))
    return buffer.getvalue().encode("utf-8")


def is_new_database(directory: Directory) -> bool:
    """Nothing in it yet: no entries, people, organisations or client records. Only such a database is ever
    filled with the demo area unasked (a partnership set up on the command line first is not)."""
    with directory.reader() as uow:
        return not any(uow.state.counts().values())


def seed_demo(directory: Directory, today: dt.date | None = None, progress=None) -> ImportReport:
    """Fill an empty directory with the demo area and its demo accounts."""
    existing = directory.count(include_archived=True)
    if existing:
        raise DirectoryError(f"the directory already has {existing} entries: seed-demo only fills an empty database")
    today = today or dt.date.today()
    if get_account(directory, DEMO_LOADER) is None:
        create_user(directory, DEMO_LOADER, "Demo data loader", COORDINATOR)
    for account in demo_module().DEMO_ACCOUNTS:
        if get_account(directory, account["username"]) is None:
            create_user(directory, account["username"], account["display_name"], account["role"],
                        password=account["password"], organisations=(account["organisation"],) if account.get("organisation") else ())
    # Duplicate-looking entries are part of the demo: the coordinator pages need something to find.
    report = Importer(directory, DEMO_LOADER, allow_duplicates=True, progress=progress).run(
        demo_csv(today), "demo_area.csv", "csv"
    )
    _fill_organisation_profiles(directory)
    directory.set_demo(True)
    return report


def _fill_organisation_profiles(directory: Directory) -> None:
    """Kinds, how to refer and the named contact for partners of the demo's main organisations."""
    from directory import organisations as orgs

    loader = get_account(directory, DEMO_LOADER)
    profiles = json.loads(DEMO_ORGANISATIONS.read_text(encoding="utf-8"))["organisations"]
    for profile in profiles:
        organisation_id = orgs.organisation_id(directory, profile["name"])
        if organisation_id is None:
            continue
        values = {k: profile[k] for k in ("kind", "address", "url", "how_to_refer") if k in profile}
        orgs.update_profile(directory, loader, organisation_id, values, profile.get("contact"))
