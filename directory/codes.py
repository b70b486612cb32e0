"""The directory's controlled vocabularies (docs/spreadsheet-format.md).

Each vocabulary maps a code to a plain-English label. Synonyms let the
validator answer an unknown code with "did you mean" by meaning as well as by
spelling (`jobs` -> `employer`, `college` -> `training`, `rehab` -> `treatment`).
"""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "treatment": "Drug and alcohol treatment",
    "recovery_support": "Recovery support (mutual aid, recovery cafés, peer groups)",
    "health_wellbeing": "Health and well-being",
    "housing": "Housing and tenancy support",
    "money_advice": "Money, debt and benefits advice",
    "basic_skills": "Basic skills (English, maths, ESOL, digital)",
    "training": "Training and education",
    "volunteering": "Volunteering",
    "work_placement": "Work placements and trials",
    "employment_support": "Employment support (job clubs, CVs, interviews)",
    "employer": "Employers",
    "self_employment": "Self-employment and start-up support",
    "peer_mentoring": "Peer mentoring",
    "in_work_support": "In-work support",
}

# Continuum steps in order (the UK Drug Policy Commission's 2008 employment continuum).
STEPS: dict[str, str] = {
    "health": "Treating mental and physical health problems",
    "motivation": "Building motivation and aspirations",
    "stabilising": "Stabilising drug or alcohol use",
    "housing": "Stable accommodation",
    "soft_skills": "Soft skills (for example through volunteering)",
    "training": "Training",
    "financial": "Financial skills",
    "work_trials": "Work trials and job placements",
    "job_search": "Job search, applications and interviews",
    "in_work_support": "In-work support",
}

CATEGORY_DEFAULT_STEPS: dict[str, tuple[str, ...]] = {
    "treatment": ("health", "stabilising"),
    "recovery_support": ("motivation", "stabilising"),
    "health_wellbeing": ("health",),
    "housing": ("housing",),
    "money_advice": ("financial",),
    "basic_skills": ("training",),
    "training": ("training",),
    "volunteering": ("soft_skills",),
    "work_placement": ("work_trials",),
    "employment_support": ("job_search",),
    "employer": ("job_search",),
    "self_employment": ("job_search",),
    "peer_mentoring": ("motivation", "soft_skills"),
    "in_work_support": ("in_work_support",),
}

STAGES: dict[str, str] = {
    "crisis": "In crisis",
    "early": "Early recovery",
    "stabilising": "Stabilising",
    "progressing": "Progressing",
    "sustained": "Sustained recovery",
}

BENEFITS: dict[str, str] = {
    "jsa": "Jobseeker's Allowance",
    "esa": "Employment and Support Allowance",
    "uc": "Universal Credit",
    "is": "Income Support",
    "pip": "Personal Independence Payment",
    "none": "No benefits",
}

# Practical barriers to work, as tags. The first six are the client profile's `other_barriers`; the rest
# are what the "Are you missing out?" screening questions and the profile's other answers bring up. An
# unmet need is recorded with any of them.
BARRIERS: dict[str, str] = {
    "debt": "Debt",
    "benefits_worries": "Worried about benefits",
    "digital_skills": "Digital skills",
    "confidence": "Confidence",
    "transport": "Transport or its cost",
    "no_id_or_bank_account": "No ID or bank account",
    "childcare": "Childcare or dependants",
    "housing": "Housing or homelessness",
    "literacy": "Reading, writing or maths",
    "language": "First language not English",
    "health": "Health condition or disability",
    "convictions": "Criminal record",
}
OTHER_BARRIERS: tuple[str, ...] = ("debt", "benefits_worries", "digital_skills", "confidence", "transport",
                                   "no_id_or_bank_account")

DELIVERY: dict[str, str] = {
    "in_person": "In person",
    "online": "Online",
    "phone": "By phone",
    "outreach": "Outreach (they come to you)",
}

FORMATS: dict[str, str] = {
    "one_to_one": "One-to-one",
    "group": "Small group",
    "informal": "Informal, unlike school",
    "classroom": "Classroom",
    "online": "Online",
    "work_based": "Work-based",
}

CONVICTIONS_ACCEPTED: dict[str, str] = {
    "yes": "Convictions considered",
    "no": "Convictions not accepted",
    "case_by_case": "Convictions considered case by case",
}

DBS_CHECKS: dict[str, str] = {
    "none": "No DBS check",
    "basic": "Basic DBS check",
    "standard": "Standard DBS check",
    "enhanced": "Enhanced DBS check",
}

# Who a service is only for (`for_groups`); empty means open to all. Ages go in min_age/max_age. The client
# profile's facts that decide each group are in planner/groups.py.
FOR_GROUPS: dict[str, str] = {
    "women": "Women",
    "men": "Men",
    "parents": "Parents or carers of children",
    "young_people": "Young people",
    "prison_leavers": "People who have left custody",
    "veterans": "Veterans (ex-armed forces)",
    "care_leavers": "Care leavers",
    "families": "Families",
}

# What a peer-mentoring entry offers the client (`mentoring_role`).
MENTORING_ROLES: dict[str, str] = {
    "receive": "The client gets a peer mentor",
    "become": "The client trains or volunteers as a peer mentor",
    "both": "Both: get a mentor, or train to become one",
}

REFERRAL: dict[str, str] = {
    "self": "Self-referral welcome",
    "professional": "Professional referral needed",
    "either": "Self or professional referral",
}

# ISO 639-1 codes (all 184), so `languages` can be checked offline.
LANGUAGES: frozenset[str] = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co
    cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn
    gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj
    kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr
    ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn
    ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk
    tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)

# Words people type for a category, mapped to our code ("did you mean" by meaning).
CATEGORY_SYNONYMS: dict[str, str] = {
    "jobs": "employer", "job": "employer", "work": "employer", "vacancy": "employer",
    "vacancies": "employer", "employment": "employment_support", "jobclub": "employment_support",
    "job_club": "employment_support", "jobcentre": "employment_support", "ips": "employment_support",
    "cv": "employment_support", "college": "training", "course": "training", "courses": "training",
    "education": "training", "nvq": "training", "qualification": "training",
    "rehab": "treatment", "detox": "treatment", "drugs": "treatment", "alcohol": "treatment",
    "substance_misuse": "treatment", "recovery": "recovery_support", "mutual_aid": "recovery_support",
    "aa": "recovery_support", "na": "recovery_support", "smart": "recovery_support",
    "recovery_cafe": "recovery_support", "health": "health_wellbeing", "wellbeing": "health_wellbeing",
    "mental_health": "health_wellbeing", "gp": "health_wellbeing", "accommodation": "housing",
    "homeless": "housing", "homelessness": "housing", "hostel": "housing", "tenancy": "housing",
    "debt": "money_advice", "benefits": "money_advice", "money": "money_advice",
    "welfare_rights": "money_advice", "budgeting": "money_advice", "esol": "basic_skills",
    "literacy": "basic_skills", "numeracy": "basic_skills", "english": "basic_skills",
    "maths": "basic_skills", "digital": "basic_skills", "it": "basic_skills",
    "volunteer": "volunteering", "voluntary": "volunteering", "placement": "work_placement",
    "work_trial": "work_placement", "work_experience": "work_placement", "shadowing": "work_placement",
    "job_shadowing": "work_placement", "start_up": "self_employment", "startup": "self_employment",
    "business": "self_employment", "enterprise": "self_employment", "nea": "self_employment",
    "mentor": "peer_mentoring", "mentoring": "peer_mentoring", "peer_support": "peer_mentoring",
    "in_work": "in_work_support", "job_retention": "in_work_support",
}

VOCABULARIES: dict[str, dict[str, str]] = {
    "category": CATEGORIES,
    "stages": STAGES,
    "continuum_steps": STEPS,
    "eligible_benefits": BENEFITS,
    "delivery": DELIVERY,
    "format": FORMATS,
    "accepts_convictions": CONVICTIONS_ACCEPTED,
    "dbs_check": DBS_CHECKS,
    "referral": REFERRAL,
    "for_groups": FOR_GROUPS,
    "mentoring_role": MENTORING_ROLES,
}

# What each code means, for those whose label alone does not say enough: published with the taxonomy of the
# Open Referral export and read API (directory/io/oruk.py). Codes not listed here are described by their label.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "category": {
        "treatment": "Drug and alcohol treatment services.",
        "recovery_support": "Mutual aid, recovery communities and cafés, peer support groups.",
        "health_wellbeing": "Mental and physical health, well-being, community health trainers.",
        "housing": "Accommodation and tenancy support.",
        "money_advice": "Benefits, debt, budgeting and better-off calculations.",
        "basic_skills": "Literacy, numeracy, ESOL (English for speakers of other languages) and digital skills.",
        "training": "Courses, colleges and vocational qualifications.",
        "volunteering": "Volunteer roles.",
        "work_placement": "Work trials, placements and job shadowing.",
        "employment_support": "Job clubs, Jobcentre Plus, employment programmes, IPS (Individual Placement and "
                              "Support), CV and interview help.",
        "employer": "Employers offering jobs to people in recovery.",
        "self_employment": "Start-up and self-employment support.",
        "peer_mentoring": "Mentoring by people with lived experience of recovery.",
        "in_work_support": "Support once in work, for the employee and the employer.",
    },
    "stages": {
        "crisis": "In acute crisis or chaotic use; not engaged with treatment.",
        "early": "Recently engaged with treatment; use or attendance not yet stable.",
        "stabilising": "Attending consistently; use stable or reducing.",
        "progressing": "Stable recovery, building skills and confidence.",
        "sustained": "Long-term stable recovery.",
    },
}

# Words people type for a group, mapped to our code.
FOR_GROUP_SYNONYMS: dict[str, str] = {
    "woman": "women", "female": "women", "females": "women", "ladies": "women", "mothers": "parents",
    "mums": "parents", "man": "men", "male": "men", "males": "men", "fathers": "parents", "dads": "parents",
    "parent": "parents", "carers": "parents", "young_person": "young_people", "youth": "young_people",
    "young_adults": "young_people", "prison_leaver": "prison_leavers", "ex_offenders": "prison_leavers",
    "offenders": "prison_leavers", "prison_release": "prison_leavers", "veteran": "veterans",
    "ex_forces": "veterans", "armed_forces": "veterans", "forces": "veterans", "care_leaver": "care_leavers",
    "care_experienced": "care_leavers", "family": "families",
}
MENTORING_ROLE_SYNONYMS: dict[str, str] = {
    "mentee": "receive", "get_a_mentor": "receive", "receiving": "receive", "mentor": "become",
    "train": "become", "training": "become", "becoming": "become", "either": "both",
}

SYNONYMS: dict[str, dict[str, str]] = {
    "category": CATEGORY_SYNONYMS, "for_groups": FOR_GROUP_SYNONYMS, "mentoring_role": MENTORING_ROLE_SYNONYMS,
}


def steps_for(category: str, continuum_steps: list[str] | tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The continuum steps an entry serves: its own list, else its category's defaults."""
    if continuum_steps:
        return tuple(continuum_steps)
    return CATEGORY_DEFAULT_STEPS.get(category, ())
