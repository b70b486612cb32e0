"""The accessibility statement page (public-sector bodies must publish one)."""

from __future__ import annotations

from tests.apptest import open_signed_in
from tests.test_app_find import app_db  # noqa: F401  (a small directory, as the Find page tests use)


def test_the_statement_says_how_accessible_what_is_not_and_whom_to_tell(app_db):
    at = open_signed_in("pages/accessibility.py")
    assert not at.exception
    assert [t.value for t in at.title] == ["Accessibility statement"]
    assert [h.value for h in at.header] == ["How accessible it is", "What is not accessible yet",
                                            "Tell us about a problem", "How we test"]
    text = " ".join(m.value for m in at.markdown)
    assert "WCAG) 2.2 at level AA" in text and "**partially meets**" in text
    assert "tell the coordinator of your local provision forum" in text
    assert "The PDF action plan (16 point body text) is not tagged for screen readers" in text
