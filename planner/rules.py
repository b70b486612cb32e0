"""The planner's rules as data: one place to read (and argue about) what it does.

Every table entry carries a plain-English description and the seed paragraph
it comes from; `tests/test_planner_rules.py` fails if a category, recovery
stage or continuum step is missing here or undocumented. The code elsewhere
only applies these tables.

Seed references: 000 DWP proof-of-concept summary; 001 Jobcentre Intensive
Activity trial (appendix C, "Are you missing out?"); 002 Drug and Alcohol
Findings hot topic (UK Drug Policy Commission 2008 employment continuum);
003 NTA/Jobcentre Plus good-practice guide; 004 PHE North West ETE forum.
"""

from __future__ import annotations

from dataclasses import dataclass

from directory.codes import CATEGORIES, CATEGORY_DEFAULT_STEPS, STAGES, STEPS

STAGE_ORDER: tuple[str, ...] = tuple(STAGES)
STEP_ORDER: tuple[str, ...] = tuple(STEPS)
CATEGORY_ORDER: tuple[str, ...] = tuple(CATEGORIES)
ALL_CATEGORIES = frozenset(CATEGORIES)
ALL_STEPS = frozenset(STEPS)


# -- recovery stages ----------------------------------------------------------------------


@dataclass(frozen=True)
class StageRule:
    description: str  # what is on the table at this stage (docs/client-profile.md)
    categories: frozenset[str]  # categories that may be recommended at all
    steps: frozenset[str]  # continuum steps that may be recommended at all
    favoured: frozenset[str]  # categories that suit the stage best: `stage_fit` 1.0, others 0.5
    source: str


_CRISIS_CATEGORIES = frozenset({"treatment", "housing", "health_wellbeing", "recovery_support"})

STAGE_RULES: dict[str, StageRule] = {
    "crisis": StageRule(
        "In acute crisis or chaotic use: safety, treatment, housing and health only; no ETE activity yet, "
        "only hope and information.",
        categories=_CRISIS_CATEGORIES,
        steps=ALL_STEPS,
        favoured=_CRISIS_CATEGORIES,
        source="004 §1.20-1.21 (ETE once out of crisis)",
    ),
    "early": StageRule(
        "Recently engaged with treatment: treatment, health, housing, recovery support and motivation; "
        "ETE is introduced as a goal, but no employers and no job search yet.",
        categories=ALL_CATEGORIES - {"employer"},
        steps=ALL_STEPS - {"job_search"},
        favoured=frozenset({"treatment", "health_wellbeing", "housing", "recovery_support", "peer_mentoring"}),
        source="004 §1.20 (introduce ETE as soon as out of crisis), §1.21 (stages of recovery)",
    ),
    "stabilising": StageRule(
        "Attending consistently, use stable or reducing: soft skills, basic skills, volunteering, money "
        "advice and low-impact training.",
        categories=ALL_CATEGORIES,
        steps=ALL_STEPS,
        favoured=frozenset({"volunteering", "basic_skills", "money_advice", "training", "peer_mentoring"}),
        source="004 §1.2-1.3 (basic and social skills, money management), §1.7 (volunteering), §1.37 (low-impact training)",
    ),
    "progressing": StageRule(
        "Stable recovery, building skills and confidence: training, work placements, and job search for "
        "those ready.",
        categories=ALL_CATEGORIES,
        steps=ALL_STEPS,
        favoured=frozenset({"training", "work_placement", "employment_support", "volunteering"}),
        source="004 §1.9 (work placements), §1.10 (job applications and interviews), §1.15 (shadowing)",
    ),
    "sustained": StageRule(
        "Long-term stable recovery: job search, employment, self-employment and in-work support.",
        categories=ALL_CATEGORIES,
        steps=ALL_STEPS,
        favoured=frozenset({"employment_support", "employer", "self_employment", "in_work_support"}),
        source="004 §1.8 (straight into employment), §1.19 (self-employment), §1.28 (support once in work)",
    ),
}

# From this stage on a client who asks to look for work gets job-search recommendations,
# whatever the readiness rating (client preference as in IPS; 004 §1.8).
WORK_NOW_FROM_STAGE = "stabilising"
# From this stage on at least one recommendation keeps employment in view: ETE belongs on the table
# "as soon as people are out of crisis" (004 §1.20).
EMPLOYMENT_IN_VIEW_FROM_STAGE = "early"


# -- the employment continuum ----------------------------------------------------------------


@dataclass(frozen=True)
class StepRule:
    label: str  # short, for reasons read aloud: "next step: soft skills"
    description: str
    source: str


STEP_RULES: dict[str, StepRule] = {
    "health": StepRule("health", "Treating mental and physical health problems first, or alongside.", "002; 004 §1.4, §1.24"),
    "motivation": StepRule("motivation", "Building motivation and aspirations: hope, goals the client owns.", "002; 004 §1.12, §1.20"),
    "stabilising": StepRule("stabilising use", "Stabilising drug or alcohol use through treatment and recovery support.", "002; 000 (no clashes with treatment)"),
    "housing": StepRule("housing", "Appropriate, stable accommodation.", "002; 001 appendix C (homelessness)"),
    "soft_skills": StepRule("soft skills", "Soft skills, routine and confidence, for example through volunteering.", "002; 004 §1.2, §1.7"),
    "training": StepRule("training", "Training: basic skills, ESOL, digital skills, vocational courses and qualifications.", "002; 004 §1.5, §1.37"),
    "financial": StepRule("money skills", "Financial skills: budgeting, debt, benefits and better-off calculations.", "002; 004 §1.3, §1.18"),
    "work_trials": StepRule("work trials", "Work trials, placements and job shadowing.", "002; 004 §1.9, §1.15"),
    "job_search": StepRule("job search", "Job search, applications and interviews; self-employment.", "004 §1.8, §1.10, §1.19"),
    "in_work_support": StepRule("in-work support", "Support once in work, for the employee and the employer.", "002; 004 §1.28"),
}

# `step_fit` for a step, by where it stands for this client (continuum.step_fits):
STEP_FIT_CURRENT = 1.0  # continuum.current: the step to work on now
STEP_FIT_FOLLOWING = 0.8  # the step after it, also in continuum.next
STEP_FIT_WORK_NOW = 1.0  # job_search added to next because the client wants work now (004 §1.8)
STEP_FIT_LATER = 0.5  # the first not-done step after `next`; each further one 0.1 less ...
STEP_FIT_LATER_FLOOR = 0.2  # ... but never below this: later steps still rank above going back
STEP_FIT_NOT_NEEDED = 0.1  # done, before the current step, or covered by the client's experience

# Paid work history counts as soft skills done (spec): no compulsory volunteering before work (004 §1.7-1.8).
WORK_HISTORY_COVERS_STEP = "soft_skills"
# A client is not sent back to a step for a sector their own assets already cover (004 §1.37 "take
# account of previous skills and learning"): work history in a sector covers a work trial in it
# (shadowing is for getting a feel for a role, 004 §1.15), and a qualification in a sector covers
# training in it once the client is known to be qualified to level 2 or above.
SECTOR_EXPERIENCE_COVERS: dict[str, str] = {"work_history": "work_trials", "qualification": "training"}


# -- categories ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRule:
    description: str
    steps: tuple[str, ...]  # default continuum steps (codes.CATEGORY_DEFAULT_STEPS)
    substance_misuse_sector: bool  # for variety: not every recommendation from here (004 §1.14)
    keeps_employment_in_view: bool  # education, training or employment (ETE) (004 §1.20)
    source: str


def _category(description: str, code: str, *, sector: bool = False, ete: bool = False, source: str) -> CategoryRule:
    return CategoryRule(description, CATEGORY_DEFAULT_STEPS[code], sector, ete, source)


CATEGORY_RULES: dict[str, CategoryRule] = {
    "treatment": _category("Drug and alcohol treatment: prescribing, detox, psychosocial support.", "treatment",
                           sector=True, source="002; 000"),
    "recovery_support": _category("Mutual aid, recovery communities and cafés, peer support groups.", "recovery_support",
                                  sector=True, source="004 §1.11, §1.20 (recovery champions)"),
    "health_wellbeing": _category("Mental and physical health and well-being, community health trainers.", "health_wellbeing",
                                  source="004 §1.4, §1.24"),
    "housing": _category("Accommodation and tenancy support.", "housing", source="002; 004 §1.3"),
    "money_advice": _category("Benefits, debt and budgeting advice, better-off calculations.", "money_advice",
                              source="004 §1.3, §1.18, §1.36"),
    "basic_skills": _category("Literacy, numeracy, ESOL and digital skills, informal where possible.", "basic_skills",
                              ete=True, source="004 §1.2, §1.5, §1.37"),
    "training": _category("Courses, colleges and vocational qualifications.", "training", ete=True, source="004 §1.37"),
    "volunteering": _category("Volunteer roles with a pathway on to work.", "volunteering", ete=True, source="004 §1.7"),
    "work_placement": _category("Work trials, placements and job shadowing.", "work_placement", ete=True,
                                source="004 §1.9, §1.15"),
    "employment_support": _category("Job clubs, Jobcentre Plus, employment programmes, IPS, CV and interview help.",
                                    "employment_support", ete=True, source="002 (IPS); 004 §1.10"),
    "employer": _category("Employers offering jobs to people in recovery, especially small firms and social enterprises.",
                          "employer", ete=True, source="004 §1.28, §1.35"),
    "self_employment": _category("Start-up and self-employment support, such as the New Enterprise Allowance.",
                                 "self_employment", ete=True, source="004 §1.19"),
    "peer_mentoring": _category("Employment-focused mentoring by people with lived experience.", "peer_mentoring",
                                ete=True, source="004 §1.11"),
    "in_work_support": _category("Support once in work, for employee and employer.", "in_work_support", ete=True,
                                 source="004 §1.28"),
}

SUBSTANCE_MISUSE_SECTOR = frozenset(c for c, rule in CATEGORY_RULES.items() if rule.substance_misuse_sector)
KEEPS_EMPLOYMENT_IN_VIEW = frozenset(c for c, rule in CATEGORY_RULES.items() if rule.keeps_employment_in_view)


# -- barriers and needs -------------------------------------------------------------------------

# Basic-skills subjects, told apart by an entry's tags (matched as whole words). A basic-skills entry
# tagged with none of them is taken to teach literacy and numeracy, the core meaning of "basic skills".
BASIC_SKILLS_SUBJECTS: dict[str, tuple[str, ...]] = {
    "literacy": ("literacy", "numeracy", "maths", "math", "reading", "writing", "functional skills", "basic skills"),
    "esol": ("esol", "english for speakers of other languages", "english as a second language"),
    "digital": ("digital", "digital skills", "it", "ict", "computers", "computing", "email", "internet", "online skills"),
}
DEFAULT_BASIC_SKILLS_SUBJECT = "literacy"


@dataclass(frozen=True)
class BarrierRule:
    """A barrier or need from the profile, and the provision that meets it."""

    description: str  # where in the profile it comes from
    reason: str  # read aloud when an entry meets it
    categories: frozenset[str]
    subject: str | None = None  # basic_skills entries must teach this subject (BASIC_SKILLS_SUBJECTS)
    tags: tuple[str, ...] = ()  # or: any entry in `categories` or carrying one of these tags
    source: str = ""


BARRIER_RULES: dict[str, BarrierRule] = {
    "reading_writing_maths": BarrierRule(
        "screening: difficulty reading, writing or maths", "help with reading, writing and maths",
        frozenset({"basic_skills"}), subject="literacy", source="001 appendix C q3; 004 §1.2"),
    "first_language_not_english": BarrierRule(
        "screening: first language not English", "ESOL: English for speakers of other languages",
        frozenset({"basic_skills"}), subject="esol", source="001 appendix C q2"),
    "digital_skills": BarrierRule(
        "other_barriers: digital_skills", "digital skills: email, internet, CVs and job search online",
        frozenset({"basic_skills"}), subject="digital", source="004 §1.5"),
    "homeless": BarrierRule(
        "screening: homeless", "housing support", frozenset({"housing"}), source="001 appendix C q7; 002"),
    "debt": BarrierRule(
        "other_barriers: debt", "money advice for debt", frozenset({"money_advice"}), source="004 §1.3"),
    "benefits_worries": BarrierRule(
        "other_barriers: benefits_worries", "benefits advice: what working or training means for payments",
        frozenset({"money_advice"}), source="004 §1.18, §1.36"),
    "no_id_or_bank_account": BarrierRule(
        "other_barriers: no_id_or_bank_account", "help with ID and a bank account",
        frozenset({"money_advice"}), source="004 §1.3"),
    "health_condition": BarrierRule(
        "screening: health condition affecting work", "health and well-being support",
        frozenset({"health_wellbeing"}), source="001 appendix C q1; 004 §1.24"),
    "concerned_about_use": BarrierRule(
        "screening: concerned about own use, and no structured support or treatment yet",
        "treatment for drug or alcohol use", frozenset({"treatment"}), source="001 appendix C q9-10"),
    "confidence": BarrierRule(
        "other_barriers: confidence", "builds confidence", frozenset({"peer_mentoring"}), tags=("confidence",),
        source="004 §1.2, §1.11; 000 (volunteering builds self-esteem)"),
    "looking_for_training": BarrierRule(
        "screening: looking for training opportunities", "training the client is looking for",
        frozenset({"training", "basic_skills"}), source="001 appendix C q12"),
}


# -- assets and goals: matching words ---------------------------------------------------------------

# A small curated vocabulary: words in one group mean the same line of work, so an interest in
# "cooking" finds a "catering" placement (004 §1.13: people can apply for roles they haven't thought
# of). Entries are matched on their `sector` and `tags` (spec), profile terms on whole words: a group
# word or phrase anywhere in "food hygiene level 2" counts. Exact equality of two terms always matches.
SECTOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "hospitality": ("hospitality", "catering", "kitchen", "kitchens", "cooking", "cookery", "cook", "chef", "chefs",
                    "cafe", "cafes", "barista", "restaurant", "food service", "food hygiene", "front of house",
                    "bar work", "hotel", "customer service"),
    "construction": ("construction", "building", "builder", "labouring", "labourer", "trades", "trade",
                     "bricklaying", "carpentry", "joinery", "plastering", "plumbing", "decorating", "painting and decorating",
                     "scaffolding", "roofing", "groundwork", "cscs"),
    "care": ("care", "caring", "carer", "care work", "care worker", "support work", "support worker",
             "social care", "health and social care", "care assistant"),
    "horticulture": ("horticulture", "gardening", "garden", "gardens", "landscaping", "grounds",
                     "grounds maintenance", "allotment", "allotments", "parks"),
    "retail": ("retail", "shop", "shops", "shop work", "sales", "checkout", "customer service"),
    "it": ("it", "computers", "computer", "computing", "digital", "ict", "coding", "tech"),
    "logistics": ("logistics", "warehouse", "warehousing", "driving", "driver", "delivery", "deliveries",
                  "courier", "forklift", "van driver"),
    "admin": ("admin", "administration", "office", "clerical", "reception", "receptionist", "data entry",
              "bookkeeping", "secretarial"),
    "creative": ("creative", "art", "arts", "music", "media", "drama", "theatre", "photography", "film",
                 "design", "crafts"),
    "manufacturing": ("manufacturing", "factory", "production", "assembly", "engineering", "welding", "fabrication"),
    "cleaning": ("cleaning", "cleaner", "housekeeping", "janitorial", "domestic"),
    "security": ("security", "stewarding", "steward", "door supervisor", "door staff"),
    "sport": ("sport", "sports", "fitness", "gym", "football", "leisure", "coaching"),
}

MAX_ASSET_REASONS = 2  # the best two kinds that matched are read aloud; the score counts the best

# Asset kinds in priority order: `asset_match` is the best weight of any match, and reasons name
# each kind that matched (004 §1.1 goals first, then what the client has done, likes and can do).
ASSET_KINDS: dict[str, tuple[float, str]] = {
    # kind: (weight, reason template)
    "goal_sector": (1.0, "matches goal sector: {}"),
    "work_history": (0.9, "builds on work experience: {}"),
    "interest": (0.8, "matches interest: {}"),
    "skill": (0.7, "uses skill: {}"),
    "qualification": (0.6, "builds on qualification: {}"),
}
# Assets that match a category rather than a sector:
SELF_EMPLOYMENT_GOAL = (1.0, "self_employment", "matches goal: self-employment")  # 004 §1.19
LIVED_EXPERIENCE = (0.8, "peer_mentoring", "lived experience is an asset for peer mentoring")  # 004 §1.11
DRIVING_LICENCE = (0.6, "logistics", "driving licence is an asset here")  # sector group, not category


# -- practical fit -------------------------------------------------------------------------------------

# Formats that make learning "as unlike school as possible" for clients with qualifications below
# level 2 or difficulty reading (004 §1.37-1.38: informal, small groups).
INFORMAL_FORMATS = ("informal", "group")
# One-to-one first for clients not yet engaging in groups, in withdrawal or rated red (004 §1.38).
ONE_TO_ONE_FORMAT = "one_to_one"

# Waiting time bands (004 §1.22: the window of motivation is small; waiting weeks loses people).
# (at most this many days, factor, reason or None)
WAITING_BANDS: tuple[tuple[int, float, str | None], ...] = (
    (0, 1.0, "drop-in: no wait"),
    (7, 0.75, "starts within a week"),
    (28, 0.4, None),
)
WAITING_UNKNOWN = 0.5  # no waiting time given: neither rewarded nor punished

# Distance: 1 at the door, falling linearly to 0 at the client's travel limit (or this many km when
# they gave none). Online or phone-only provision is never too far but is not on the doorstep either.
DEFAULT_TRAVEL_KM = 15.0
REMOTE_DISTANCE_FIT = 0.6
UNKNOWN_DISTANCE_FIT = 0.5


# -- scores ------------------------------------------------------------------------------------------

# score = sum(weight * component), each component in 0..1, so score is in 0..1.
SCORE_WEIGHTS: dict[str, float] = {
    "step_fit": 0.30,  # serves the client's next step on the continuum (002)
    "asset_match": 0.20,  # matches goals, work history, interests, skills, qualifications (004 §1.1, §1.13)
    "practical_fit": 0.15,  # free, travel paid, childcare, wait, format, language, hours (004 §1.22, §1.37-1.40)
    "distance": 0.15,  # nearer ranks higher (004 §1.39-1.40)
    "barrier_fit": 0.10,  # meets a barrier or need from the screening (001 appendix C)
    "stage_fit": 0.10,  # the kind of provision the recovery stage puts on the table (004 §1.21)
}
STAGE_FIT_FAVOURED = 1.0
STAGE_FIT_OTHER = 0.5

# Overload guard (004 §1.25): with this many current activities or more, at most this many
# recommendations, each with a warning.
OVERLOAD_ACTIVITIES = 3
OVERLOAD_LIMIT = 3

# Readiness (004 §1.21; traffic light 003): an indicator is met when true, except in_withdrawal,
# which is met when false. Green: all five known and met; red: fewer than three met; else amber.
READINESS_INDICATORS: dict[str, tuple[bool, str, str]] = {
    # indicator: (value that counts as met, note when not met, note when not known)
    "attends_appointments": (True, "not yet attending appointments consistently", "attendance at appointments not known"),
    "engages_in_groups": (True, "not yet engaging in group activities", "engagement in groups not known"),
    "in_withdrawal": (False, "still going through withdrawal", "withdrawal not known"),
    "self_care": (True, "not yet looking after appearance and hygiene", "self-care not known"),
    "owns_goals": (True, "not yet suggesting and agreeing their own goals", "ownership of goals not known"),
}
RED_BELOW_MET = 3
