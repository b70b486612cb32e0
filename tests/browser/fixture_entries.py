"""A small directory for the app's tests: real Middlesbrough and Stockton postcodes, fictional entries.

`seed(url)` fills an empty database. Positions come from the real postcode
table (data/postcodes.npz), as they do in the app. HOSTILE is an entry whose
name and description are markup, to prove every page shows them as text.
"""

from __future__ import annotations

import datetime as dt

HOSTILE_ID = "hostile-1"
HOSTILE_NAME = "<script>alert(1)</script> Money Help <img src=x onerror=alert(2)> {{ 7*7 }}"
HOSTILE_DESCRIPTION = "Advice <img src=x onerror=alert(2)> and <script>alert(1)</script> **bold** [x](javascript:alert(3))"


def entries(today: dt.date) -> list[dict]:
    recent = today - dt.timedelta(days=20)
    return [
        {"id": "esol-ts1", "name": "ESOL for Beginners", "organisation": "Middlesbrough Community Learning",
         "category": "basic_skills", "postcode": "TS1 3BA", "address": "1 Corporation Road, Middlesbrough",
         "schedule": "Tue,Thu 10:00-12:00", "cost": "free", "waiting_days": 0, "tags": ("esol", "english"),
         "contact_name": "Amira Hussain", "contact_role": "ESOL coordinator", "contact_phone": "01642 000001",
         "contact_email": "amira@example.org", "last_verified": recent, "referral": "self",
         "description": "Friendly English classes for beginners.\n\nNo need to book: just come along."},
        {"id": "esol-ts5", "name": "ESOL Conversation Club", "organisation": "Linthorpe Library",
         "category": "basic_skills", "postcode": "TS5 6PY", "schedule": "Thu 18:00-20:00", "cost": "£2 per session",
         "waiting_days": 7, "tags": ("esol", "conversation"), "contact_name": "Dan Price",
         "contact_phone": "01642 000002", "last_verified": recent},
        {"id": "esol-ts18", "name": "ESOL Entry 1", "organisation": "Stockton Adult Learning",
         "category": "basic_skills", "postcode": "TS18 1AA", "schedule": "Mon,Wed 13:00-15:00", "cost": "free",
         "waiting_days": 21, "tags": ("esol",), "last_verified": recent, "term_time_only": True},
        {"id": "digital-online", "name": "Online Digital Skills", "organisation": "Tees Digital",
         "category": "basic_skills", "delivery": ("online",), "schedule": "Mon-Fri 09:00-17:00", "cost": "free",
         "waiting_days": 0, "tags": ("digital", "email", "cv"), "last_verified": recent},
        {"id": "jobclub-ts1", "name": "Job Club", "organisation": "Tees Works", "category": "employment_support",
         "postcode": "TS1 2AH", "schedule": "Wed 10:00-12:00", "cost": "free", "waiting_days": 0,
         "tags": ("cv", "interviews"), "contact_name": "Sam Lee", "contact_role": "Job coach",
         "contact_phone": "01642 000003", "last_verified": recent},
        {"id": "cafe-ts2", "name": "Tees Recovery Café", "organisation": "Tees Valley Recovery",
         "category": "recovery_support", "postcode": "TS2 1AA", "schedule": "Tue,Thu 10:00-12:00", "cost": "free",
         "waiting_days": 0, "tags": ("cafe", "peer support"), "contact_name": "Jo Bell", "contact_role": "Peer lead",
         "contact_phone": "01642 000004", "last_verified": recent, "stages": ("early", "stabilising")},
        {"id": "employer-ts17", "name": "Warehouse Operative", "organisation": "Second Chance Logistics",
         "category": "employer", "postcode": "TS17 6BG", "schedule": "Mon-Fri 08:00-16:00", "cost": "free",
         "drug_testing": True, "accepts_convictions": "case_by_case", "dbs_check": "basic",
         "sector": "logistics", "last_verified": recent},
        {"id": "garden-ts3", "name": "Community Garden Volunteers", "organisation": "Green Tees",
         "category": "volunteering", "postcode": "TS3 0AA", "schedule": "Sat 10:00-14:00", "cost": "free",
         "waiting_days": 14, "tags": ("gardening", "outdoors"), "last_verified": today - dt.timedelta(days=400)},
    ]


HOSTILE = {
    "id": HOSTILE_ID, "name": HOSTILE_NAME, "organisation": "<b>Org</b> & Co", "category": "money_advice",
    "postcode": "TS1 1AA", "schedule": "Mon 09:00-12:00", "cost": "free", "description": "Plain at first.",
    "contact_name": "<img src=x onerror=alert(4)>", "contact_phone": "01642 000009",
    "contact_email": "x@example.org",
}


def seed(url: str, *, hostile: bool = True, today: dt.date | None = None) -> None:
    from directory.accounts import create_user
    from directory.api import Directory

    directory = Directory(url)
    try:
        create_user(directory, "alice", "Alice Khan", "editor")
        create_user(directory, "bob", "Bob Smith", "editor")
        for values in entries(today or dt.date.today()):
            directory.create(values, "alice")
        if hostile:
            directory.create(HOSTILE, "alice")
            directory.update(HOSTILE_ID, {"description": HOSTILE_DESCRIPTION}, 1, "bob")
    finally:
        directory.engine.dispose()
