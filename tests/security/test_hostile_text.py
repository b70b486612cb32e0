"""Hostile text in entries (security finding 7, in part): bidirectional controls are neutralised, text that
looks like a web or email address in a name is not made a link, and an email field holds one address.

Streamlit's Markdown is GitHub-flavoured: it links "www.x.org", "http://x.org" and "jo@x.org" found in text,
after resolving backslash escapes (remark-gfm issue #33). AppTest sees the Markdown, not the browser's HTML,
so `autolinks` below applies the same rules to the text a page sends.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from directory.fields import BIDI_CONTROLS, without_bidi_controls
from directory.validation import ValidationError, parse_cell, parse_row

APP = str(Path(__file__).resolve().parents[2] / "app.py")
RLO = "\u202e"
EVERY_BIDI_CONTROL = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
ADDRESS_LIKE_NAME = "Visit www.evil.example now"
ADDRESS_LIKE_ORGANISATION = "http://evil.example Ltd (jo@evil.example)"

# The rules of GFM's literal autolinks (mdast-util-gfm-autolink-literal), as Streamlit's bundle has them.
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.I)
_GFM_EMAIL = re.compile(r"(?<![^\s\W])([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")


def autolinks(markdown: str) -> list[str]:
    """What GitHub-flavoured Markdown would make links of in `markdown`, escapes resolved first as it does."""
    text = re.sub(r"\\(.)", r"\1", markdown)
    return [m.group(0) for m in (*_GFM_URL.finditer(text), *_GFM_EMAIL.finditer(text))]


# -- bidirectional controls ---------------------------------------------------------------------------


def test_every_bidi_control_is_listed_and_taken_out():
    assert set(EVERY_BIDI_CONTROL) <= BIDI_CONTROLS
    assert without_bidi_controls(f"Job{EVERY_BIDI_CONTROL} Club{RLO}exe.gnp") == "Job Clubexe.gnp"
    assert without_bidi_controls("مرحبا Café") == "مرحبا Café"  # right-to-left letters themselves stay


def test_validation_takes_bidi_controls_out_of_typed_and_imported_text():
    assert parse_cell("name", f"Recovery Café{RLO}gnp.exe") == "Recovery Cafégnp.exe"
    assert parse_cell("organisation", f"\u2066Tees\u2069 Learning\u200f") == "Tees Learning"
    assert parse_cell("tags", f"esol{RLO};english") == ("esol", "english")
    assert parse_cell("contact_email", f"jo{RLO}@example.org") == "jo@example.org"
    values, problems = parse_row({"name": f"{RLO}ESOL", "description": f"Every {RLO}Thursday"})
    assert (values["name"], values["description"], problems) == ("ESOL", "Every Thursday", [])


def test_the_store_keeps_no_bidi_control_whichever_way_text_comes_in(directory):
    created = directory.create({"name": f"Job Club{RLO}", "organisation": f"\u202dTees Works",
                                "category": "employment_support", "postcode": "TS1 3BA",
                                "tags": (f"cv{RLO}",)}, "alice")
    assert (created.name, created.organisation, created.tags) == ("Job Club", "Tees Works", ("cv",))
    saved = directory.update(created.id, {"description": f"Drop in{RLO} any time"}, created.version, "alice")
    assert directory.get(saved.id).description == "Drop in any time"


def test_the_display_helpers_take_bidi_controls_out_of_text_already_stored():
    from ui.maps import map_text
    from ui.render import esc, md

    assert esc(f"<b>Job{RLO} Club</b>") == "&lt;b&gt;Job Club&lt;/b&gt;"
    assert md(f"Job{RLO} Club") == "Job Club"
    assert map_text(f"{{{{Job{EVERY_BIDI_CONTROL} Club}}}}") == "&#123;&#123;Job Club&#125;&#125;"


# -- text that looks like an address ----------------------------------------------------------------


def test_md_keeps_address_like_text_plain_and_shows_it_as_typed():
    from ui.render import WORD_JOINER, md

    for text in (ADDRESS_LIKE_NAME, ADDRESS_LIKE_ORGANISATION, "See HTTPS://Evil.Example or WWW.EVIL.EXAMPLE"):
        shown = md(text)
        assert autolinks(shown) == [], shown
        assert re.sub(r"\\(.)", r"\1", shown).replace(WORD_JOINER, "") == text


# -- email fields hold one plain address ----------------------------------------------------------


@pytest.mark.parametrize("text", [
    "<x@example.org>", "mailto:x@example.org?subject=hello", "x@example.org?bcc=y", "javascript:alert(1)//@evil.example",
    "x@example.org<script>", "x@y.z",
])
def test_an_email_field_refuses_anything_but_a_plain_address(text):
    with pytest.raises(ValidationError) as caught:
        parse_cell("contact_email", text)
    [problem] = caught.value.problems
    assert problem.reason == f"Contact's email must be one plain email address, e.g. name@example.org, not '{text}'"


@pytest.mark.parametrize("text", ["a@b.com, c@d.com", "a@b.com;c@d.com", "a@b.com c@d.com"])
def test_an_email_field_refuses_several_addresses_naming_the_field(text):
    with pytest.raises(ValidationError) as caught:
        parse_cell("email", text)
    [problem] = caught.value.problems
    assert problem.reason == f"Email holds more than one address ('{text}'): give just one, e.g. a@b.com"


def test_an_email_field_takes_a_real_address_and_only_that():
    for text, stored in [("o'brien@example.org", "o'brien@example.org"), ("zoë@café.example", "zoë@café.example"),
                         ("Jo.Bloggs+work@Example.co.uk", "Jo.Bloggs+work@Example.co.uk"),
                         ("MAILTO:info@example.org", "info@example.org"), ('"info@example.org"', "info@example.org")]:
        assert parse_cell("contact_email", text) == stored
    for text in ("jo@example.org (Jo)", "Jo <jo@example.org>", "jo@example.org?cc=boss"):
        with pytest.raises(ValidationError):
            parse_cell("contact_email", text)


# -- on the pages -------------------------------------------------------------------------------------


@pytest.fixture
def stored_hostile(tmp_path, monkeypatch):
    """A directory whose entry was saved before these rules: a right-to-left override and web addresses in its
    name and organisation, written straight to the database."""
    from sqlalchemy import update

    from directory.api import Directory
    from directory.models import EntryRow, Organisation
    from tests.browser.fixture_entries import seed

    url = f"sqlite:///{tmp_path / 'directory.db'}"
    seed(url, hostile=False)
    directory = Directory(url)
    entry = directory.create({"id": "addr-1", "name": "placeholder", "organisation": "Placeholder Org",
                              "category": "money_advice", "postcode": "TS1 1AA", "url": "www.real.example",
                              "contact_email": "jo@real.example"}, "alice")
    with directory.engine.begin() as connection:
        connection.execute(update(EntryRow).where(EntryRow.id == entry.id).values(name=f"{ADDRESS_LIKE_NAME}{RLO}"))
        organisation_id = connection.execute(
            EntryRow.__table__.select().where(EntryRow.id == entry.id)).mappings().one()["organisation_id"]
        connection.execute(update(Organisation).where(Organisation.id == organisation_id)
                           .values(name=f"{RLO}{ADDRESS_LIKE_ORGANISATION}"))
    assert directory.get(entry.id).name == f"{ADDRESS_LIKE_NAME}{RLO}"
    directory.engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("RP_TILES_URL", raising=False)
    yield entry.id
    import ui.bootstrap

    ui.bootstrap._open_directory.clear()


def test_entry_page_shows_a_stored_name_neutralised_and_unlinked(stored_hostile):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/entry.py")
    at.query_params["id"] = stored_hostile
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    title, caption = at.title[0].value, at.caption[0].value
    for markdown in (title, caption):
        assert RLO not in markdown and "](" not in markdown and "<a" not in markdown
        assert autolinks(markdown) == [], markdown
    assert "www" in title and "evil" in title and "http" in caption
    bodies = " ".join(h.proto.body for h in at.html)
    assert RLO not in bodies
    # The entry's own website and email are still links.
    assert '<a href="https://www.real.example" target="_blank" rel="noopener noreferrer">www.real.example</a>' in bodies
    assert '<a href="mailto:jo@real.example">jo@real.example</a>' in bodies
    [place_map] = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    assert RLO not in place_map.proto.json_args


def test_find_page_cards_and_map_show_a_stored_name_neutralised(stored_hostile):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["q"] = "visit"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [card] = [h.proto.body for h in at.html if 'class="rp-card"' in h.proto.body]
    assert f"{ADDRESS_LIKE_NAME}<" in card and RLO not in card and "<a " not in card.split("Contact:")[0]
    [results_map] = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    assert "Visit www.evil.example now" in results_map.proto.json_args and RLO not in results_map.proto.json_args
    for element in [*at.markdown, *at.caption, *at.info, *at.warning]:
        assert RLO not in element.value and autolinks(element.value) == [], element.value
