"""Who a service is only for (`for_groups`) and whether the client is one of them.

The spec's hard rule: an entry whose `for_groups` is not empty is excluded when the client is known not to
belong to any of its groups ("for women; the client is a man"); when the facts that decide it are not known,
the entry stays, with a warning ("for women only: check"). Each group is decided by one profile fact:

| group | the profile fact that decides it |
| --- | --- |
| women, men | `gender` (as the client describes themselves) |
| parents, families | `screening.children_or_dependants` |
| young_people | `age` under 25 |
| prison_leavers | `screening.custodial_sentence` |
| veterans | `veteran` |
| care_leavers | `care_leaver` |
"""

from __future__ import annotations

from dataclasses import dataclass

from directory.codes import FOR_GROUPS
from planner.profile import Profile

GROUP_BITS: dict[str, int] = {code: 1 << i for i, code in enumerate(FOR_GROUPS)}
YOUNG_PEOPLE_UNDER = 25

# How a group is named in a sentence read aloud: "for women only: check".
GROUP_WORDS: dict[str, str] = {
    "women": "women", "men": "men", "parents": "parents", "young_people": "young people",
    "prison_leavers": "prison leavers", "veterans": "veterans", "care_leavers": "care leavers",
    "families": "families",
}


def _membership(profile: Profile, group: str) -> tuple[bool | None, str | None]:
    """(True/False/None, the profile fact in words when the client is known not to belong)."""
    s = profile.screening
    if group in ("women", "men"):
        if profile.gender is None:
            return None, None
        member = profile.gender == {"women": "woman", "men": "man"}[group]
        fact = {"woman": "the client is a woman", "man": "the client is a man",
                "other": "the client describes their gender as other"}[profile.gender]
        return member, None if member else fact
    if group in ("parents", "families"):
        known = s.children_or_dependants
        return known, "the client has no children or dependants" if known is False else None
    if group == "young_people":
        if profile.age is None:
            return None, None
        member = profile.age < YOUNG_PEOPLE_UNDER
        return member, None if member else f"the client is {profile.age}"
    if group == "prison_leavers":
        known = s.custodial_sentence
        return known, "the client has not had a custodial sentence" if known is False else None
    if group == "veterans":
        return profile.veteran, "the client is not a veteran" if profile.veteran is False else None
    if group == "care_leavers":
        return profile.care_leaver, "the client is not a care leaver" if profile.care_leaver is False else None
    raise KeyError(group)


@dataclass(frozen=True)
class ClientGroups:
    """The groups the client is known to be in, and known not to be in, as GROUP_BITS masks."""

    member: int
    not_member: int
    facts: dict[str, str]  # group -> why the client is known not to be in it

    @classmethod
    def of(cls, profile: Profile) -> ClientGroups:
        member = not_member = 0
        facts = {}
        for group, bit in GROUP_BITS.items():
            known, fact = _membership(profile, group)
            if known is True:
                member |= bit
            elif known is False:
                not_member |= bit
                facts[group] = fact
        return cls(member, not_member, facts)

    def verdict(self, groups: tuple[str, ...]) -> str:
        """'open' (no groups), 'in', 'out' (known not in any) or 'unknown'."""
        if not groups:
            return "open"
        mask = group_mask(groups)
        if mask & self.member:
            return "in"
        if mask & ~self.not_member == 0:
            return "out"
        return "unknown"

    def exclusion_reason(self, groups: tuple[str, ...]) -> str:
        """'for women; the client is a man'; 'for parents or families; the client has no children or dependants'."""
        facts = list(dict.fromkeys(self.facts[g] for g in groups if g in self.facts))
        return f"for {group_words(groups)}; {' and '.join(facts)}"


def group_mask(groups: tuple[str, ...]) -> int:
    mask = 0
    for group in groups:
        mask |= GROUP_BITS.get(group, 0)
    return mask


def group_words(groups: tuple[str, ...]) -> str:
    words = [GROUP_WORDS.get(g, g) for g in groups]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def check_warning(groups: tuple[str, ...]) -> str:
    """When the facts that decide it are not known: 'for women only: check'."""
    return f"for {group_words(groups)} only: check"


def member_reason(groups: tuple[str, ...], clients: ClientGroups) -> str:
    """'a service for prison leavers': naming only the groups the client is known to be in."""
    known = tuple(g for g in groups if GROUP_BITS.get(g, 0) & clients.member)
    return f"a service for {group_words(known)}"
