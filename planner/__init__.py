"""The asset-based planner: a client profile and the directory in, a ranked, explained plan out.

Pure Python (numpy, and the directory's pure modules codes, fields, schedule
and postcodes' normalisation): no Streamlit, no database. Only
`planner/__main__.py` loads entries through the directory's API.

    from planner import parse_profile, recommend
    plan = recommend(parse_profile(data), entries, date.today(), postcode_locator=locate)
    plan.to_dict()  # the output JSON of docs/client-profile.md
"""

from planner.index import PlannerIndex
from planner.match import recommend
from planner.profile import Profile, ProfileError, parse_profile
from planner.result import Exclusion, PlanResult, Recommendation

__all__ = [
    "Exclusion", "PlanResult", "PlannerIndex", "Profile", "ProfileError", "Recommendation",
    "parse_profile", "recommend",
]
