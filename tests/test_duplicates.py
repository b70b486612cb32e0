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


def test_the_blocked_check_finds_exactly_what_comparing_with_every_neighbour_finds():
    # The finder looks names up in C and by bisecting sorted names; comparing a row with every candidate of the
    # nine cells around it (and the organisation's unpositioned ones), one by one with the rule, is the reference.
    import random

    from directory.duplicates import Match, distance_m, grid_cell, likely_duplicate, name_similarity
    from directory.text import fold

    rng = random.Random(18)
    words = ("esol", "drop-in", "for", "women", "café", "job", "club")
    organisations = ("Tees Recovery", "Tees Recovery Ltd", "Tees Works", "Hope Trust")

    def described():
        name = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4))).title()
        if rng.random() < 0.2:
            return name, rng.choice(organisations), None, None
        return name, rng.choice(organisations), 54.57 + rng.uniform(0, 0.03), -1.23 + rng.uniform(0, 0.03)

    held = [(f"e{i}", *described()) for i in range(600)]
    finder = DuplicateFinder()
    for key, name, organisation, latitude, longitude in held:
        finder.add(key, name, organisation, latitude, longitude)

    def neighbours(a, b):
        if a[2] is None or b[2] is None:
            return a[2] is None and b[2] is None and organisation_block(a[1]) == organisation_block(b[1])
        (r1, c1), (r2, c2) = grid_cell(a[2], a[3]), grid_cell(b[2], b[3])
        return abs(r1 - r2) <= 1 and abs(c1 - c2) <= 1

    with_matches = begun = 0
    for _ in range(300):
        row = described()
        expected = []
        for key, *candidate in held:
            if not neighbours(row, candidate):
                continue
            a, b = fold(row[0]), fold(candidate[0])
            metres = distance_m(row[2], row[3], candidate[2], candidate[3]) if row[2] is not None else None
            scores = likely_duplicate(a, b, fold(row[1]), fold(candidate[1]), metres, name_score=name_similarity(a, b))
            if scores is not None:
                expected.append(Match(key, candidate[0], round(scores[0] / 100, 2),
                                      None if metres is None else round(metres)))
        expected.sort(key=lambda m: (-m.similarity, m.distance_m or 0, m.key))
        assert finder.find(*row) == expected
        with_matches += bool(expected)
        begun += any(m.similarity < 0.85 for m in expected)  # only a name beginning the other is let in so
    assert (with_matches, begun) == (132, 47)  # the rule had work of both kinds to do
