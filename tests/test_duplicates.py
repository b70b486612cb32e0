"""The import's duplicate check (directory/duplicates.py) on entries with and without a position."""

from directory.duplicates import DuplicateFinder, organisation_block


def test_organisation_blocks_ignore_legal_form_words():
    assert organisation_block("The Tees Recovery Ltd.") == "tees recovery"
    assert organisation_block("Tees Recovery CIC") == "tees recovery"
    assert organisation_block("Limited") == "limited"


def test_unpositioned_entries_pair_across_legal_forms_and_only_within_their_organisation():
    finder = DuplicateFinder()
    finder.add("a", "Online Peer Support Group", "Tees Recovery Ltd", None, None)
    finder.add("b", "Online Peer Support Group", "Tees Works", None, None)
    matches = finder.find("Online Peer Support Groups", "Tees Recovery CIC", None, None)
    assert [(m.key, m.distance_m) for m in matches] == [("a", None)]
    assert matches[0].similarity >= 0.9


def test_positioned_entries_pair_only_when_close():
    finder = DuplicateFinder()
    finder.add("near", "Recovery Cafe", "Tees Recovery", 54.572076, -1.234694)
    finder.add("far", "Recovery Cafe", "Tees Recovery", 54.559648, -1.234803)  # 1.4 km south
    matches = finder.find("Recovery Café", "Tees Recovery", 54.572200, -1.234700)
    assert [(m.key, m.distance_m) for m in matches] == [("near", 14)]


def test_a_name_beginning_another_pairs_only_within_the_same_organisation():
    finder = DuplicateFinder()
    finder.add("same", "ESOL drop-in for women, with creche", "North Ormesby Women's Centre", 54.569751, -1.215388)
    finder.add("other", "ESOL drop-in for women, with creche", "Tees Valley Learning", 54.569751, -1.215388)
    finder.add("one-word", "ESOL", "North Ormesby Women's Centre", 54.569751, -1.215388)
    finder.add("elsewhere", "Women's Centre: ESOL drop-in for women", "North Ormesby Women's Centre", 54.569751,
               -1.215388)
    matches = finder.find("ESOL drop-in for women", "North Ormesby Women's Centre", 54.571725, -1.216231)
    assert [(m.key, m.similarity, m.distance_m) for m in matches] == [("same", 0.79, 226)]


def test_the_scan_and_the_check_on_adding_apply_one_rule():
    """The coordinators' scan found only pairs similar by spelling; adding an entry also held back a name
    beginning another's from the same organisation nearby. Both now apply `likely_duplicate`."""
    from directory.duplicates import find_duplicate_pairs
    from directory.fields import Entry

    def entry(key, name, organisation, latitude):
        return Entry(id=key, name=name, organisation=organisation, category="basic_skills",
                     latitude=latitude, longitude=-1.215)

    entries = [entry("a", "ESOL drop-in for women", "North Ormesby Women's Centre", 54.5700),
               entry("b", "ESOL drop-in for women, with creche and lunch", "North Ormesby Women's Centre", 54.57012),
               entry("c", "ESOL drop-in for women, with creche", "Tees Valley Learning", 54.5700),
               entry("d", "Job Club", "Tees Valley Learning", 54.5701),
               entry("e", "Jobclub", "Tees Valley Learning", 54.5702)]

    pairs = [(p.ids, p.name_similarity, p.organisation_similarity, p.distance_m) for p in find_duplicate_pairs(entries)]

    assert pairs == [(("d", "e"), 0.93, 1.0, 11), (("a", "b"), 0.67, 1.0, 13)]
    finder = DuplicateFinder.of(entries[1:])
    assert [(m.key, m.similarity, m.distance_m) for m in finder.find(entries[0].name, entries[0].organisation,
                                                                       entries[0].latitude, entries[0].longitude)] == [
        ("b", 0.67, 13)]
