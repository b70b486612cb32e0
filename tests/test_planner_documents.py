"""The action plan as a PDF the client keeps and as DOCX: the text is there, in large type, headings and all."""

from __future__ import annotations

import datetime as dt
import io
import re

from planner.documents import BODY_PT, Contact, PlanDocument, PlanItem, plan_docx, plan_pdf

PLAN = PlanDocument(
    ref="C-0042",
    made_on=dt.date(2026, 11, 3),
    where_now="You are working on: soft skills, for example through volunteering.",
    steps_done=("health", "motivation"),
    steps_next=("soft skills", "training"),
    items=(
        PlanItem("Go to the Job Club", "You", dt.date(2026, 11, 12), "To do", "Bring your CV if you have one",
                 place="Job Club, Tees Works", address="TS1 2AH", times="Wednesdays 10am to 12pm",
                 contact=Contact("Sam Lee", "Job coach", "01642 000003", "sam@example.org")),
        PlanItem("Book a better-off calculation – money advice", "Your keyworker", None, "Doing"),
    ),
    fixed_times=("Supervised consumption: Mon to Sat, 9am to 10am",),
    your_people=(("Keyworker", "Dina Ali"),),
)


def test_pdf_has_the_actions_contacts_and_times():
    from pypdf import PdfReader

    data = plan_pdf(PLAN)
    assert data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for expected in ("My action plan", "C-0042", "Go to the Job Club", "Sam Lee", "01642 000003",
                     "sam@example.org", "Wednesdays 10am to 12pm", "better-off calculation",
                     "Supervised consumption", "Thursday 12 November 2026"):
        assert expected in " ".join(text.split()), expected


def test_pdf_type_is_at_least_14_points():
    import re

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(plan_pdf(PLAN)))
    sizes = set()
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        sizes.update(float(s) for s in re.findall(r"/F\d+ ([\d.]+) Tf", content))
    assert sizes and min(sizes) >= BODY_PT == 16  # clear-print large print


def test_docx_has_the_headings_and_actions():
    from docx import Document

    document = Document(io.BytesIO(plan_docx(PLAN)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "My action plan"
    assert "Where you are now" in headings and "What we agreed to do" in headings
    assert "1. Go to the Job Club" in headings
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Sam Lee, Job coach" in body and "Phone: 01642 000003" in body
    assert "Who: Your keyworker." in body


def test_an_empty_plan_still_makes_documents():
    empty = PlanDocument(ref="C-1", made_on=dt.date(2026, 1, 1), where_now="You are working on: health.")
    assert plan_pdf(empty).startswith(b"%PDF")
    assert plan_docx(empty).startswith(b"PK")


def test_a_heading_or_action_title_never_ends_a_page():
    from pypdf import PdfReader

    headings = ("Where you are now", "What we agreed to do", "Your fixed times (nothing in this plan should clash)",
                "Your support")
    for count in range(1, 10):
        items = tuple(PlanItem(f"Action number {n}", "You", None, "To do", place="Job Club, Tees Works",
                               times="Wednesdays 10am to 12pm", contact=Contact("Sam Lee", "Job coach", "01642 000003"))
                      for n in range(1, count + 1))
        plan = PlanDocument("C-0042", dt.date(2026, 11, 3), "You are working on: training.", items=items,
                            fixed_times=PLAN.fixed_times, your_people=PLAN.your_people)
        pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(plan_pdf(plan))).pages]
        for page in pages[:-1]:
            assert not page.endswith(headings), (count, page[-80:])
            assert not re.search(r"\d+\. Action number \d+$", page), (count, page[-80:])
