"""The planner's rules as data: one place to read (and argue about) what it does.

Every table entry carries a plain-English description and, in `source`, the
research it rests on and what that says, in a few words; `tests/test_planner_rules.py`
fails if a category, recovery stage or continuum step is missing here or
undocumented. The code elsewhere
only applies these tables.

The research: a DWP proof-of-concept summary; the Jobcentre Intensive Activity
trial and its "Are you missing out?" screening questions; the UK Drug Policy
Commission's (UKDPC, 2008) employment continuum; an NTA/Jobcentre Plus
good-practice guide; and the Public Health England North West forum on education, training
and employment (ETE) in recovery.
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
        source="PHE North West ETE forum: ETE once people are out of crisis",
    ),
    "early": StageRule(
        "Recently engaged with treatment: treatment, health, housing, recovery support and motivation; "
        "ETE is introduced as a goal, but no employers and no job search yet.",
        categories=ALL_CATEGORIES - {"employer"},
        steps=ALL_STEPS - {"job_search"},
        favoured=frozenset({"treatment", "health_wellbeing", "housing", "recovery_support", "peer_mentoring"}),
        source="PHE North West ETE forum: introduce ETE as soon as people are out of crisis, by stage of recovery",
    ),
    "stabilising": StageRule(
        "Attending consistently, use stable or reducing: soft skills, basic skills, volunteering, money "
        "advice and low-impact training.",
        categories=ALL_CATEGORIES,
        steps=ALL_STEPS,
        favoured=frozenset({"volunteering", "basic_skills", "money_advice", "training", "peer_mentoring"}),
        source="PHE North West ETE forum: basic and social skills, money management, volunteering, low-impact training",
    ),
    "progressing": StageRule(
        "Stable recovery, building skills and confidence: training, work placements, and job search for "
        "those ready.",
        categories=ALL_CATEGORIES,
        steps=ALL_STEPS,
        favoured=frozenset({"training", "work_placement", "employment_support", "volunteering"}),
        source="PHE North West ETE forum: work placements, job applications and interviews, shadowing",
    ),
    "sustained": StageRule(
        "Long-term stable recovery: job search, employment, self-employment and in-work support.",
        categories=ALL_CATEGORIES,
        steps=ALL_STEPS,
        favoured=frozenset({"employment_support", "employer", "self_employment", "in_work_support"}),
        source="PHE North West ETE forum: some go straight into employment or self-employment; support once in work",
    ),
}

# From this stage on a client who asks to look for work gets job-search recommendations,
# whatever the readiness rating (client preference, as in IPS: some people are ready to go straight into work).
WORK_NOW_FROM_STAGE = "stabilising"
# From this stage on at least one recommendation keeps employment in view: ETE belongs on the table
# "as soon as people are out of crisis".
EMPLOYMENT_IN_VIEW_FROM_STAGE = "early"


# -- the employment continuum ----------------------------------------------------------------


@dataclass(frozen=True)
class StepRule:
    label: str  # short, for reasons read aloud: "next step: soft skills"
    description: str
    source: str


STEP_RULES: dict[str, StepRule] = {
    "health": StepRule("health", "Treating mental and physical health problems first, or alongside.", "UKDPC continuum; health problems hold people back from work"),
    "motivation": StepRule("motivation", "Building motivation and aspirations: hope, goals the client owns.", "UKDPC continuum; hope and aspirations come first"),
    "stabilising": StepRule("stable use", "Stabilising drug or alcohol use through treatment and recovery support.", "UKDPC continuum; DWP proof of concept: no clashes with treatment"),
    "housing": StepRule("housing", "Appropriate, stable accommodation.", "UKDPC continuum; the screening asks about homelessness"),
    "soft_skills": StepRule("soft skills", "Soft skills, routine and confidence, for example through volunteering.", "UKDPC continuum; volunteering builds social skills and routine"),
    "training": StepRule("training", "Training: basic skills, ESOL, digital skills, vocational courses and qualifications.", "UKDPC continuum; basic, digital and vocational training, low-impact first"),
    "financial": StepRule("money skills", "Financial skills: budgeting, debt, benefits and better-off calculations.", "UKDPC continuum; money management and better-off calculations"),
    "work_trials": StepRule("work trials", "Work trials, placements and job shadowing.", "UKDPC continuum; placements and shadowing give a feel for a job"),
    "job_search": StepRule("job search", "Job search, applications and interviews; self-employment.", "PHE North West ETE forum: applications and interviews; self-employment is an option"),
    "in_work_support": StepRule("in-work support", "Support once in work, for the employee and the employer.", "UKDPC continuum; support continues once in work"),
}

# `step_fit` for a step, by where it stands for this client (continuum.step_fits):
STEP_FIT_CURRENT = 1.0  # continuum.current: the step to work on now
STEP_FIT_FOLLOWING = 0.8  # the step after it, also in continuum.next
STEP_FIT_WORK_NOW = 1.0  # job_search added to next because the client wants work now (client preference)
STEP_FIT_LATER = 0.5  # the first not-done step after `next`; each further one 0.1 less ...
STEP_FIT_LATER_FLOOR = 0.2  # ... but never below this: later steps still rank above going back
STEP_FIT_NOT_NEEDED = 0.1  # done, before the current step, or covered by the client's experience

# Paid work history counts as soft skills done (spec): no compulsory volunteering before work.
WORK_HISTORY_COVERS_STEP = "soft_skills"
# A client is not sent back to a step for a sector their own assets already cover (training should "take
# account of previous skills and learning"): work history in a sector covers a work trial in it
# (shadowing is for getting a feel for a role), and a qualification in a sector covers
# training in it once the client is known to be qualified to level 2 or above.
SECTOR_EXPERIENCE_COVERS: dict[str, str] = {"work_history": "work_trials", "qualification": "training"}


# -- categories ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRule:
    description: str
    steps: tuple[str, ...]  # default continuum steps (codes.CATEGORY_DEFAULT_STEPS)
    substance_misuse_sector: bool  # for variety: not every recommendation from here (open people's horizons)
    keeps_employment_in_view: bool  # education, training or employment (ETE)
    source: str


def _category(description: str, code: str, *, sector: bool = False, ete: bool = False, source: str) -> CategoryRule:
    return CategoryRule(description, CATEGORY_DEFAULT_STEPS[code], sector, ete, source)


CATEGORY_RULES: dict[str, CategoryRule] = {
    "treatment": _category("Drug and alcohol treatment: prescribing, detox, psychosocial support.", "treatment",
                           sector=True, source="UKDPC continuum; DWP proof of concept"),
    "recovery_support": _category("Mutual aid, recovery communities and cafés, peer support groups.", "recovery_support",
                                  sector=True, source="PHE North West ETE forum: recovery champions"),
    "health_wellbeing": _category("Mental and physical health and well-being, community health trainers.", "health_wellbeing",
                                  source="PHE North West ETE forum: health problems hold people back from work"),
    "housing": _category("Accommodation and tenancy support.", "housing", source="UKDPC continuum: stable accommodation"),
    "money_advice": _category("Benefits, debt and budgeting advice, better-off calculations.", "money_advice",
                              source="PHE North West ETE forum: debt, benefits and better-off calculations"),
    "basic_skills": _category("Literacy, numeracy, ESOL and digital skills, informal where possible.", "basic_skills",
                              ete=True, source="PHE North West ETE forum: basic, digital and informal learning"),
    "training": _category("Courses, colleges and vocational qualifications.", "training", ete=True, source="PHE North West ETE forum: training that builds on previous learning"),
    "volunteering": _category("Volunteer roles with a pathway on to work.", "volunteering", ete=True, source="PHE North West ETE forum: volunteering as a step to work"),
    "work_placement": _category("Work trials, placements and job shadowing.", "work_placement", ete=True,
                                source="PHE North West ETE forum: placements and shadowing"),
    "employment_support": _category("Job clubs, Jobcentre Plus, employment programmes, IPS, CV and interview help.",
                                    "employment_support", ete=True, source="IPS (UKDPC); PHE North West ETE forum: help with applications and interviews"),
    "employer": _category("Employers offering jobs to people in recovery, especially small firms and social enterprises.",
                          "employer", ete=True, source="PHE North West ETE forum: recovery-friendly employers, support once in work"),
    "self_employment": _category("Start-up and self-employment support, such as the New Enterprise Allowance.",
                                 "self_employment", ete=True, source="PHE North West ETE forum: self-employment is an option"),
    "peer_mentoring": _category("Employment-focused mentoring by people with lived experience.", "peer_mentoring",
                                ete=True, source="PHE North West ETE forum: lived experience and peer mentors"),
    "in_work_support": _category("Support once in work, for employee and employer.", "in_work_support", ete=True,
                                 source="PHE North West ETE forum: support once in work"),
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
    tags: tuple[str, ...] = ()  # or: an entry carrying one of these tags ...
    tagged_in: frozenset[str] = frozenset()  # ... in one of these categories (empty: any category)
    childcare: bool = False  # or: any entry that offers childcare or a creche
    except_tags: tuple[str, ...] = ()  # but not entries carrying one of these tags
    # Whether meeting it counts for "every barrier met somewhere" (spec): the first ten recommendations hold
    # at least one entry meeting each need the directory can meet.
    covers: bool = True
    need: str = ""  # the profile's barrier it meets (PROFILE_NEEDS), when not the rule's own name
    # Counted in `barrier_fit` and read aloud as a barrier met. Childcare is not: it is a practical factor
    # already (scored and read aloud as "creche or childcare offered"), so it only makes candidates and
    # must be met somewhere among the first recommendations.
    scored: bool = True
    source: str = ""


# Needs that are not screening answers or `other_barriers` codes: where in the profile they come from.
PROFILE_NEEDS: dict[str, str] = {
    "needs_childcare": "needs_childcare: true",
    "unspent_convictions": "convictions: unspent",
}
# Employment support for people with a health condition or disability (spec: "health condition:
# work-and-health or supported-employment support").
WORK_AND_HEALTH_TAGS = ("supported employment", "disability", "disabled", "work and health", "health condition",
                        "health")
WORK_AND_HEALTH_ADVICE_TAGS = ("occupational health", "work and health", "fit note", "fit for work")
# Health and well-being entries that are activities for anyone rather than help with a condition: in crisis
# they come after treatment, housing and support, and they do not meet a health-condition barrier.
GENERAL_WELLBEING_TAGS = ("fitness", "gym", "sport", "sports", "leisure", "walking", "walks", "wellbeing",
                          "well-being", "outdoors", "conservation", "social", "woodwork", "yoga", "swimming",
                          "football", "lifestyle")
# Categories whose `sector` and tags name a line of work (or an activity), where an asset may match through a
# synonym group; elsewhere (a recovery café) only the client's own word, among the entry's tags, matches.
SECTOR_CATEGORIES = frozenset({"basic_skills", "training", "volunteering", "work_placement", "employment_support",
                               "employer", "self_employment", "peer_mentoring", "in_work_support", "health_wellbeing"})
# Services a keyworker cannot send the client to, told by their tags, are never candidates (like the stage rule):
# support for the people around someone who uses drugs or alcohol (family and friends, "affected others"), and
# teams that see patients already on a hospital ward.
NOT_THE_CLIENTS_OWN_TAGS = ("affected others", "affected other", "family and friends", "inpatients",
                            "hospital inpatients")
# Housing entries that get a homeless client a roof, told apart by their tags (whole words): somewhere to stay
# tonight first, then somewhere to live. Housing entries with neither (keeping a tenancy, furniture) do not meet
# homelessness; they are still there for the `housing` step. A housing entry with no such tags is housing support.
ROOF_TONIGHT_TAGS = ("homeless", "homelessness", "housing options", "rough sleeping", "rough sleeper",
                     "rough sleepers", "emergency accommodation", "night shelter", "refuge")
KEEPING_A_HOME_TAGS = ("tenancy", "tenancy sustainment", "furniture", "tenants", "home visits")
ROOF_TAGS = ("hostel", "supported housing", "supported accommodation", "lodgings", "recovery housing",
             "housing register", "deposit", "private rented", "move on")
# What money advice is about, by its tags (whole words).
DEBT_TAGS = ("debt", "debts", "arrears", "rent arrears", "bailiffs", "debt relief", "budgeting", "money management")
BENEFITS_TAGS = ("benefits", "benefit", "welfare rights", "better off", "benefits check", "entitlement")
ID_AND_BANK_TAGS = ("id", "identification", "bank account", "basic bank account", "credit union", "proof of identity")
# Money advice about something else (food, savings, claiming online), with none of the subjects above, meets none
# of them; money advice with no such tags at all is general advice.
MONEY_SUBJECT_TAGS = DEBT_TAGS + BENEFITS_TAGS + ID_AND_BANK_TAGS + (
    "food bank", "savings", "loans", "universal credit", "energy", "course")


def _general_money_advice(description: str, need: str, reason: str) -> BarrierRule:
    """Money advice whose tags name no subject: taken to cover them all, as an unknown never excludes."""
    return BarrierRule(description, reason, frozenset({"money_advice"}), except_tags=MONEY_SUBJECT_TAGS,
                       need=need, source="PHE North West ETE forum: money management, debt and benefits")


CONVICTION_SUPPORT_TAGS = ("convictions", "disclosure", "criminal record", "ex offenders", "ex-offenders")
IPS_TAGS = ("ips", "individual placement and support")
WORK_ROUTE_CATEGORIES = frozenset({"employment_support", "work_placement", "in_work_support", "peer_mentoring"})

BARRIER_RULES: dict[str, BarrierRule] = {
    "reading_writing_maths": BarrierRule(
        "screening: difficulty reading, writing or maths", "help with reading, writing and maths",
        frozenset({"basic_skills"}), subject="literacy", source="'Are you missing out?' screening: reading, writing or maths"),
    "first_language_not_english": BarrierRule(
        "screening: first language not English", "ESOL: English for speakers of other languages",
        frozenset({"basic_skills"}), subject="esol", source="'Are you missing out?' screening: first language"),
    "digital_skills": BarrierRule(
        "other_barriers: digital_skills", "digital skills: email, internet, CVs and job search online",
        frozenset({"basic_skills"}), subject="digital", source="PHE North West ETE forum: digital skills for job search"),
    # Homelessness is met by help to a roof, not by help to keep a home one already has (tenancy sustainment,
    # furniture): first somewhere to stay tonight (the council's housing options, outreach to rough sleepers,
    # emergency accommodation), then somewhere to live (a hostel, supported housing or lodgings, a deposit).
    # Rules meeting the same need go from general to specific: the last that holds is the reason read aloud.
    "homeless_any": BarrierRule(
        "screening: homeless", "housing support", frozenset({"housing"}), except_tags=KEEPING_A_HOME_TAGS,
        need="homeless", source="'Are you missing out?' screening: homelessness; UKDPC continuum"),
    "homeless_housing": BarrierRule(
        "screening: homeless", "a place to live for someone who is homeless", frozenset(), tags=ROOF_TAGS,
        tagged_in=frozenset({"housing"}), need="homeless",
        source="'Are you missing out?' screening: homelessness; UKDPC continuum: appropriate, stable accommodation"),
    "homeless": BarrierRule(
        "screening: homeless", "help with somewhere to stay tonight", frozenset(), tags=ROOF_TONIGHT_TAGS,
        tagged_in=frozenset({"housing"}),
        source="'Are you missing out?' screening: homelessness; UKDPC continuum; councils' duty to help the homeless"),
    # Money advice meets debt, benefits worries or ID and a bank account by what its tags say it does (a benefits
    # drop-in is not debt advice); money advice whose tags name none of these subjects is general advice and
    # meets each of them.
    "debt_general": _general_money_advice("other_barriers: debt", "debt", "money advice for debt"),
    "debt": BarrierRule(
        "other_barriers: debt", "money advice for debt", frozenset(), tags=DEBT_TAGS,
        tagged_in=frozenset({"money_advice"}), source="PHE North West ETE forum: money management and debt"),
    "benefits_worries_general": _general_money_advice(
        "other_barriers: benefits_worries", "benefits_worries", "benefits advice: what working or training means for payments"),
    "benefits_worries": BarrierRule(
        "other_barriers: benefits_worries", "benefits advice: what working or training means for payments",
        frozenset(), tags=BENEFITS_TAGS, tagged_in=frozenset({"money_advice"}),
        source="PHE North West ETE forum: worries about benefits; better-off calculations"),
    "childcare": BarrierRule(
        "needs_childcare: true", "creche or childcare offered", frozenset(), childcare=True, need="needs_childcare",
        scored=False,
        source="'Are you missing out?' screening: children or dependants, lone parent; childcare as a barrier to taking part"),
    "no_id_or_bank_account_general": _general_money_advice(
        "other_barriers: no_id_or_bank_account", "no_id_or_bank_account", "help with ID and a bank account"),
    "no_id_or_bank_account": BarrierRule(
        "other_barriers: no_id_or_bank_account", "help with ID and a bank account", frozenset(), tags=ID_AND_BANK_TAGS,
        tagged_in=frozenset({"money_advice"}), source="PHE North West ETE forum: ID and a bank account come before work"),
    # Health services meet a health condition (scored, read aloud), but general well-being activities (a gym,
    # a walk) do not; for "every barrier met somewhere" the spec asks for work-and-health or supported
    # employment support, the two rules below.
    "health_condition": BarrierRule(
        "screening: health condition affecting work", "health and well-being support",
        frozenset({"health_wellbeing"}), except_tags=GENERAL_WELLBEING_TAGS, covers=False,
        source="'Are you missing out?' screening: health condition"),
    "work_and_health": BarrierRule(
        "screening: health condition affecting work", "work-and-health support for a health condition",
        frozenset(), tags=WORK_AND_HEALTH_TAGS, tagged_in=frozenset({"employment_support", "work_placement", "in_work_support"}),
        need="health_condition", source="DWP proof of concept: work-and-health support; supported employment"),
    "work_and_health_advice": BarrierRule(
        "screening: health condition affecting work", "work-and-health support for a health condition",
        frozenset(), tags=WORK_AND_HEALTH_ADVICE_TAGS, tagged_in=frozenset({"health_wellbeing"}),
        need="health_condition", source="DWP proof of concept: work-and-health support; occupational health"),
    "concerned_about_use": BarrierRule(
        "screening: concerned about own use, and no structured support or treatment yet",
        "treatment for drug or alcohol use", frozenset({"treatment"}), source="'Are you missing out?' screening: own use, and structured support"),
    "confidence": BarrierRule(
        "other_barriers: confidence", "builds confidence", frozenset({"peer_mentoring"}), tags=("confidence",),
        source="PHE North West ETE forum: confidence through peers; DWP proof of concept: volunteering builds self-esteem"),
    "conviction_disclosure": BarrierRule(
        "convictions: unspent", "help with disclosing convictions to employers", frozenset(),
        tags=CONVICTION_SUPPORT_TAGS, tagged_in=WORK_ROUTE_CATEGORIES, need="unspent_convictions",
        source="Rehabilitation of Offenders Act 1974: unspent convictions must be disclosed when asked; PHE North West ETE forum: disclosure support"),
    # Training the client is looking for is training that fits them: it matches their goals, interests, skills or
    # work history, or meets another of their barriers (a reading class for someone who finds reading hard), not
    # every course alike (planner.scoring.client_barrier_masks narrows it per client).
    "looking_for_training": BarrierRule(
        "screening: looking for training opportunities", "training the client is looking for",
        frozenset({"training", "basic_skills"}), source="'Are you missing out?' screening: looking for training"),
}


def need_of(name: str) -> str:
    """The profile barrier a rule meets: its own name unless it says otherwise."""
    return BARRIER_RULES[name].need or name


# -- assets and goals: matching words ---------------------------------------------------------------

# A small curated vocabulary: words in one group mean the same line of work, so an interest in
# "cooking" finds a "catering" placement (asset mapping: people can apply for roles they haven't thought
# of). Entries are matched on their `sector` and `tags` (spec), profile terms on whole words: a group
# word or phrase anywhere in "food hygiene level 2" counts. Exact equality of two terms always matches.
SECTOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "hospitality": ("hospitality", "catering", "kitchen", "kitchens", "cooking", "cookery", "cook", "chef", "chefs",
                    "cafe", "cafes", "barista", "restaurant", "food service", "food hygiene", "front of house",
                    "bar work", "hotel"),
    "construction": ("construction", "building", "builder", "labouring", "labourer", "trades", "trade",
                     "bricklaying", "carpentry", "joinery", "plastering", "plumbing", "decorating", "painting and decorating",
                     "scaffolding", "roofing", "groundwork", "cscs"),
    "care": ("care", "caring", "carer", "care work", "care worker", "support work", "support worker",
             "social care", "health and social care", "care assistant"),
    "horticulture": ("horticulture", "gardening", "garden", "gardens", "landscaping", "grounds",
                     "grounds maintenance", "allotment", "allotments", "parks"),
    "retail": ("retail", "shop", "shops", "shop work", "sales", "checkout"),
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

# How a synonym group is named aloud; a group not listed is named by its key.
SECTOR_LABELS: dict[str, str] = {"it": "IT", "creative": "creative arts", "sport": "sport and fitness",
                                 "care": "care work"}

MAX_ASSET_REASONS = 2  # the best two kinds that matched are read aloud; the score counts the best

# Asset kinds in priority order: `asset_match` is the best weight of any match, and reasons name
# each kind that matched (goals first, then what the client has done, likes and can do).
ASSET_KINDS: dict[str, tuple[float, str]] = {
    # kind: (weight, reason template)
    "goal_sector": (1.0, "matches goal sector: {}"),
    "work_history": (0.9, "builds on work experience: {}"),
    "interest": (0.8, "matches interest: {}"),
    "skill": (0.7, "uses skill: {}"),
    "qualification": (0.6, "builds on qualification: {}"),
}
# When the client's word is not among the entry's sector or tags but shares a line of work with them, the reason
# says only that, naming the group: "same field as interest: music (creative arts)".
ASSET_KIND_NAMES: dict[str, str] = {"goal_sector": "goal sector", "work_history": "work experience",
                                    "interest": "interest", "skill": "skill", "qualification": "qualification"}
SAME_FIELD_TEMPLATE = "same field as {kind}: {term} ({group})"
# Assets that match a category rather than a sector:
SELF_EMPLOYMENT_GOAL = (1.0, "self_employment", "matches goal: self-employment")
# Only where the client would become a mentor (`mentoring_role` become or both), never where they would get one.
LIVED_EXPERIENCE = (0.8, "peer_mentoring", "lived experience is an asset for peer mentoring")
MENTOR_ROLES = ("become", "both")
DRIVING_LICENCE = (0.6, "logistics", "driving licence is an asset here")  # sector group, not category


# -- practical fit -------------------------------------------------------------------------------------

# Formats that make learning "as unlike school as possible" for clients with qualifications below
# level 2 or difficulty reading (informal learning in small groups suits them best).
INFORMAL_FORMATS = ("informal", "group")
# One-to-one first for clients not yet engaging in groups, in withdrawal or rated red: initial support
# is better one-to-one.
ONE_TO_ONE_FORMAT = "one_to_one"

# Waiting time bands (the window of motivation is small; waiting weeks loses people).
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
    "step_fit": 0.30,  # serves the client's next step on the (UKDPC) employment continuum
    "asset_match": 0.20,  # matches goals, work history, interests, skills, qualifications (asset mapping)
    "practical_fit": 0.15,  # free, travel paid, childcare, wait, format, language, hours
    "distance": 0.15,  # nearer ranks higher (travel is a barrier)
    "barrier_fit": 0.10,  # meets a barrier or need from the screening ("Are you missing out?")
    "stage_fit": 0.10,  # the kind of provision the recovery stage puts on the table
}
STAGE_FIT_FAVOURED = 1.0
STAGE_FIT_OTHER = 0.5

# Overload guard (several agencies each adding activities risks overload and relapse): with this many
# current activities or more, at most this many recommendations, each with a warning.
OVERLOAD_ACTIVITIES = 3
OVERLOAD_LIMIT = 3

# Readiness (the five indicators of job-readiness, as a traffic light): an indicator is met when true,
# except in_withdrawal, which is met when false. Green: all five known and met; red: fewer than three met; else amber.
READINESS_INDICATORS: dict[str, tuple[bool, str, str]] = {
    # indicator: (value that counts as met, note when not met, note when not known)
    "attends_appointments": (True, "not yet attending appointments consistently", "attendance at appointments not known"),
    "engages_in_groups": (True, "not yet engaging in group activities", "engagement in groups not known"),
    "in_withdrawal": (False, "still going through withdrawal", "withdrawal not known"),
    "self_care": (True, "not yet looking after appearance and hygiene", "self-care not known"),
    "owns_goals": (True, "not yet suggesting and agreeing their own goals", "ownership of goals not known"),
}
RED_BELOW_MET = 3
