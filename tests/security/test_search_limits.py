"""A query's work is bounded (security finding 2): a pasted page of text is cut, and the person told so,
on the Find page, the command line and the Directory API; a typed request is searched as before.

Timings are not asserted here (they vary with the machine); the bound is, exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from directory.fields import Entry
from directory.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, SearchIndex, bound_query
from tests.test_app_find import app_db  # noqa: F401  (the small directory the Find page tests use)

APP = str(Path(__file__).resolve().parents[2] / "app.py")
WORDS = ("esol conversation club english maths digital skills housing advice peer mentoring volunteering "
         "gardening cooking").split()  # 14 different words


def entry(entry_id: str, name: str, **values) -> Entry:
    return Entry(id=entry_id, name=name, organisation=values.pop("organisation", "Tees Learning"),
                 category=values.pop("category", "basic_skills"), delivery=("online",), **values)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build([
        entry("esol", "ESOL Conversation Club"),
        entry("plumb", "Plumbing Course", category="training"),
        entry("peer", "Peer Mentoring", organisation="Tees Valley Recovery", category="peer_mentoring"),
        entry("pantry", "Community Pantry", organisation="Pantry Network", category="money_advice"),
    ])


# -- the one bound ---------------------------------------------------------------------------------


def test_the_limits_are_far_above_a_typed_request():
    assert (MAX_QUERY_CHARS, MAX_QUERY_WORDS) == (300, 12)


def test_a_pasted_page_is_cut_to_its_first_characters_and_said_so():
    bounded = bound_query("a " * 50_000)
    assert bounded.words == ("a",)
    assert bounded.text == ("a " * 150).strip()
    assert bounded.notice == "Your search was shortened to the first 300 characters: “a”."


def test_a_long_word_list_is_cut_to_its_first_different_words_and_said_so():
    typed = "ESOL esol " + " ".join(WORDS[1:])  # "esol" twice, 14 different words in all
    bounded = bound_query(typed)
    first = ("esol", "conversation", "club", "english", "maths", "digital", "skills", "housing", "advice", "peer",
             "mentoring", "volunteering")
    assert bounded.words == first
    assert bounded.text == "ESOL esol conversation club english maths digital skills housing advice peer mentoring volunteering"
    assert bounded.notice == f"Your search was shortened to the first 12 words: “{' '.join(first)}”."
    assert bound_query(bounded.text) == type(bounded)(bounded.text, first, None)  # cut once, it stays as it is


def test_repeated_words_are_searched_once_and_a_typed_request_is_not_cut():
    bounded = bound_query("ESOL esol, Esol club near the library")
    assert (bounded.words, bounded.notice) == (("esol", "club", "library"), None)
    assert bounded.text == "ESOL esol, Esol club near the library"


def test_one_run_together_word_of_many_is_never_an_empty_search():
    bounded = bound_query("-".join(f"w{i}x" for i in range(40)))
    assert bounded.words == tuple(f"w{i}x" for i in range(12))
    assert bounded.text == " ".join(bounded.words)
    assert bounded.notice.startswith("Your search was shortened to the first 12 words: “w0x w1x")


def test_search_answers_what_was_searched_and_carries_the_notice(index):
    pasted = index.search("p " * 5000)
    assert pasted.notice == "Your search was shortened to the first 300 characters: “p”."
    assert pasted == index.search("p")
    assert [h.entry.id for h in pasted] == [h.entry.id for h in index.search("p")]
    typed = index.search("conversation club")
    assert typed.notice is None and [h.entry.id for h in typed] == ["esol"]
    assert index.search("p " * 5000, limit=0).notice == pasted.notice


def test_one_word_stands_for_at_most_max_word_matches_vocabulary_words(monkeypatch):
    import directory.search as search

    words = SearchIndex.build([entry("1", "cat"), entry("2", "cats"), entry("3", "catalogue"), entry("4", "bat"),
                               entry("5", "car")])._text
    everything = words.expand("cat")
    assert set(everything) == {"cat", "cats", "catalogue", "bat", "car"}
    monkeypatch.setattr(search, "MAX_WORD_MATCHES", 3)
    kept = words.expand("cat")
    assert {t: round(s, 3) for t, s in kept.items()} == {"cat": 1.0, "cats": 0.95, "catalogue": 0.867}


# -- where the notice is shown ---------------------------------------------------------------------


def test_the_directory_api_carries_the_notice(directory):
    directory.create({"id": "esol-1", "name": "ESOL drop-in", "organisation": "Tees Learning",
                      "category": "basic_skills", "postcode": "TS1 3BA"}, "alice")
    hits = directory.search(" ".join(WORDS))
    assert hits.notice == f"Your search was shortened to the first 12 words: “{' '.join(WORDS[:12])}”."
    assert [h.entry.id for h in hits] == ["esol-1"]
    assert directory.search("esol").notice is None


def test_the_command_line_prints_the_notice_on_stderr_and_exits_0(directory, monkeypatch, capsys):
    from directory.__main__ import main

    directory.create({"id": "esol-1", "name": "ESOL drop-in", "organisation": "Tees Learning",
                      "category": "basic_skills", "postcode": "TS1 3BA"}, "alice")
    monkeypatch.setenv("DATABASE_URL", str(directory.engine.url.render_as_string(hide_password=False)))
    assert main(["search", "esol " * 30_000]) == 0
    out, err = capsys.readouterr()
    assert err == "Your search was shortened to the first 300 characters: “esol”.\n"
    assert "ESOL drop-in" in out
    assert main(["search", "esol"]) == 0
    assert capsys.readouterr().err == ""


def test_the_find_page_cuts_a_pasted_query_and_says_so_where_the_results_are(app_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="find_q").input(" ".join(WORDS)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="find_q").value == " ".join(WORDS[:12])
    [notice] = [i.value for i in at.info if "shortened" in i.value]
    assert notice.replace("\\", "") == f"Your search was shortened to the first 12 words: “{' '.join(WORDS[:12])}”."
    assert dict(at.query_params) == {"q": " ".join(WORDS[:12])}

    at.text_input(key="find_q").input("a " * 50_000).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="find_q").value == ("a " * 150).strip()
    [notice] = [i.value for i in at.info if "shortened" in i.value]
    assert notice.replace("\\", "") == "Your search was shortened to the first 300 characters: “a”."
