"""A client's action plan as a document they can keep: PDF (fpdf2) and DOCX (python-docx).

Pure Python, no Streamlit and no database: the pages build a `PlanDocument`
from the client record and the directory, and these functions only lay it out.
The PDF is written for the client, not for staff: plain words, large type
(body 14 pt, headings larger), every action with who does it, by when, where,
when and whom to call; no codes and no jargon.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from directory.schedule import describe_long_date

# Clear-print guidance (RNIB, UK Association for Accessible Formats): 16 point body for large print.
BODY_PT = 16
HEADING_PT = 20
TITLE_PT = 26
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None

    def lines(self) -> list[str]:
        who = ", ".join(x for x in (self.name, self.role) if x)
        return [x for x in (who, f"Phone: {self.phone}" if self.phone else "",
                            f"Email: {self.email}" if self.email else "") if x]


@dataclass(frozen=True)
class PlanItem:
    title: str
    who: str  # "You", "Your keyworker", "Your employment specialist"
    due: dt.date | None = None
    status: str = "To do"
    notes: str | None = None
    place: str | None = None  # "Job Club, Tees Works"
    address: str | None = None
    times: str | None = None  # "Wednesdays 10am to 12pm"
    contact: Contact | None = None


@dataclass(frozen=True)
class PlanDocument:
    ref: str
    made_on: dt.date
    where_now: str  # "You are working on: training"
    steps_done: tuple[str, ...] = ()
    steps_next: tuple[str, ...] = ()
    items: tuple[PlanItem, ...] = ()
    fixed_times: tuple[str, ...] = ()  # "Supervised consumption: Mon to Sat, 9am to 10am"
    your_people: tuple[tuple[str, str], ...] = ()  # ("Keyworker", "Dina Ali, Tees Works")
    notes: tuple[str, ...] = field(default=())


def format_day(day: dt.date | None) -> str:
    """'Monday 7 December 2026' (the app's one wording of a date in full), or 'no date set'."""
    return "no date set" if day is None else describe_long_date(day)


def _sections(plan: PlanDocument) -> list[tuple[str, list[tuple[str, str]]]]:
    """The document as (heading, [(style, text)]): styles 'p', 'item' (an action title), 'small'."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    where = [("p", plan.where_now)]
    if plan.steps_done:
        where.append(("p", "Already done: " + "; ".join(plan.steps_done) + "."))
    if plan.steps_next:
        where.append(("p", "After that: " + "; ".join(plan.steps_next) + "."))
    sections.append(("Where you are now", where))
    things: list[tuple[str, str]] = []
    if not plan.items:
        things.append(("p", "Nothing in the plan yet."))
    for number, item in enumerate(plan.items, 1):
        things.append(("item", f"{number}. {item.title}"))
        things.append(("p", f"Who: {item.who}.   By: {format_day(item.due)}.   Now: {item.status}."))
        if item.place:
            things.append(("p", f"Where: {item.place}" + (f", {item.address}" if item.address else "")))
        if item.times:
            things.append(("p", f"When: {item.times}"))
        if item.contact:
            for line in item.contact.lines():
                things.append(("p", f"Contact: {line}" if not line.startswith(("Phone", "Email")) else line))
        if item.notes:
            things.append(("p", f"Notes: {item.notes}"))
    sections.append(("What we agreed to do", things))
    if plan.fixed_times:
        sections.append(("Your fixed times (nothing in this plan should clash)", [("p", t) for t in plan.fixed_times]))
    if plan.your_people:
        sections.append(("Your support", [("p", f"{role}: {who}") for role, who in plan.your_people]))
    if plan.notes:
        sections.append(("Notes", [("p", n) for n in plan.notes]))
    return sections


def _title(plan: PlanDocument) -> tuple[str, str]:
    return "My action plan", f"Reference {plan.ref} · made on {format_day(plan.made_on)}"


# -- PDF -------------------------------------------------------------------------------------------


def _font(pdf) -> str:
    """DejaVu Sans (every character) when the system has it, else Helvetica (Latin-1 only)."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("PlanSans", "", str(regular))
            pdf.add_font("PlanSans", "B", str(bold))
            return "PlanSans"
    return "Helvetica"


def _latin1(text: str) -> str:
    replaced = (text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2018", "'")
                .replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').replace("\u2026", "..."))
    return replaced.encode("latin-1", "replace").decode("latin-1")


def plan_pdf(plan: PlanDocument) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    font = _font(pdf)
    clean = (lambda s: s) if font != "Helvetica" else _latin1
    pdf.set_title("My action plan")
    pdf.set_creator("Recovery Pathways")
    pdf.add_page()
    title, subtitle = _title(plan)
    pdf.set_font(font, "B", TITLE_PT)
    pdf.multi_cell(0, 12, clean(title), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(font, "", BODY_PT)
    pdf.multi_cell(0, 8, clean(subtitle), new_x="LMARGIN", new_y="NEXT", align="L")
    def keep_with_next(text: str, line_height: float, space_before: float) -> None:
        """A heading never ends a page: start a new one unless it fits with two lines of what follows."""
        lines = len(pdf.multi_cell(0, line_height, text, dry_run=True, output="LINES"))
        if pdf.will_page_break(space_before + lines * line_height + 2 * 8):
            pdf.add_page()
        else:
            pdf.ln(space_before)

    for heading, paragraphs in _sections(plan):
        pdf.set_font(font, "B", HEADING_PT)
        keep_with_next(clean(heading), 10, 4)
        pdf.multi_cell(0, 10, clean(heading), new_x="LMARGIN", new_y="NEXT", align="L")
        for style, text in paragraphs:
            if style == "item":
                pdf.set_font(font, "B", BODY_PT + 2)
                keep_with_next(clean(text), 9, 2)
                pdf.multi_cell(0, 9, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
            else:
                pdf.set_font(font, "", BODY_PT)
                pdf.set_x(pdf.l_margin + 6)
                pdf.multi_cell(0, 8, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())


# -- DOCX ------------------------------------------------------------------------------------------


def plan_docx(plan: PlanDocument) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    title, subtitle = _title(plan)
    document.add_heading(title, level=0)
    document.add_paragraph(subtitle)
    for heading, paragraphs in _sections(plan):
        document.add_heading(heading, level=1)
        for style, text in paragraphs:
            if style == "item":
                document.add_heading(text, level=2)
            else:
                document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
