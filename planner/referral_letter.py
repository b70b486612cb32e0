"""A referral letter for a partner with no accounts in the app: PDF (fpdf2) and DOCX (python-docx).

Pure Python, no Streamlit and no database: directory.referrals.Referrals.letter builds a
`ReferralLetter` holding only what the client's consent to this referral allows, and these functions
lay it out in large, clear type (body 16 pt, headings 20 pt), as planner/documents.py does the plan.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from planner.documents import _font, _latin1, format_day

BODY_PT = 16
HEADING_PT = 20
TITLE_PT = 24


@dataclass(frozen=True)
class ReferralLetter:
    number: int  # the referral's number, to quote when answering
    sent_on: dt.date
    answer_by: dt.date  # the last working day for an answer before it counts as "no answer"
    to_organisation: str
    to_contact: str | None  # "Sam Lee, Admissions" (the organisation's named contact for partners)
    to_address: str | None
    service: str | None  # the entry referred to, when there is one
    from_organisation: str
    referred_by: str  # the worker's name
    reply_phone: str | None  # how to answer: the referring organisation's phone or the worker's email
    reply_email: str | None
    client_ref: str
    reason: str
    contact_preference: str  # in words
    availability: str | None
    name: str | None  # only when the client agreed, for this referral
    phone: str | None
    consent_given_on: dt.date
    shares: tuple[str, ...]  # what the consent allows, in words


def _sections(letter: ReferralLetter) -> list[tuple[str, list[str]]]:
    to = [letter.to_organisation]
    if letter.to_contact:
        to.insert(0, f"For: {letter.to_contact}")
    if letter.to_address:
        to.append(letter.to_address)
    about = [f"Our reference for them: {letter.client_ref}"]
    if letter.name:
        about.append(f"Name: {letter.name}")
    if letter.phone:
        about.append(f"Phone: {letter.phone}")
    about.append(f"How they would like to be contacted: {letter.contact_preference}")
    if letter.availability:
        about.append(f"When they are available: {letter.availability}")
    reply = [f"Please tell {letter.referred_by} at {letter.from_organisation} by {format_day(letter.answer_by)} "
             "whether you can offer them a place: yes, no (and why), or a waiting list (and when a place is likely)."]
    if letter.reply_phone:
        reply.append(f"Phone: {letter.reply_phone}")
    if letter.reply_email:
        reply.append(f"Email: {letter.reply_email}")
    reply.append(f"Please quote referral number {letter.number}.")
    return [
        ("To", to),
        ("What we are asking", [f"We would like to refer someone to {letter.service or letter.to_organisation}.",
                                f"Why: {letter.reason}"]),
        ("About the person", about),
        ("Their consent", [f"They agreed on {format_day(letter.consent_given_on)} that we may share this with "
                           f"{letter.to_organisation}: {', '.join(letter.shares)}. Nothing else is shared. Please "
                           "keep this letter safe and do not pass it on."]),
        ("Your answer", reply),
    ]


def _title(letter: ReferralLetter) -> tuple[str, str]:
    return (f"Referral from {letter.from_organisation}",
            f"Referral number {letter.number} · sent on {format_day(letter.sent_on)} by {letter.referred_by}")


def letter_pdf(letter: ReferralLetter) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    font = _font(pdf)
    clean = (lambda s: s) if font != "Helvetica" else _latin1
    pdf.set_title(f"Referral {letter.number}")
    pdf.set_creator("Recovery Pathways")
    pdf.add_page()
    title, subtitle = _title(letter)
    pdf.set_font(font, "B", TITLE_PT)
    pdf.multi_cell(0, 12, clean(title), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(font, "", BODY_PT)
    pdf.multi_cell(0, 9, clean(subtitle), new_x="LMARGIN", new_y="NEXT", align="L")
    for heading, lines in _sections(letter):
        pdf.set_font(font, "B", HEADING_PT)
        if pdf.will_page_break(4 + 10 + 2 * 9):
            pdf.add_page()
        else:
            pdf.ln(4)
        pdf.multi_cell(0, 10, clean(heading), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font(font, "", BODY_PT)
        for line in lines:
            pdf.multi_cell(0, 9, clean(line), new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())


def letter_docx(letter: ReferralLetter) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.styles["Normal"].font.size = Pt(BODY_PT)
    title, subtitle = _title(letter)
    document.add_heading(title, level=0)
    document.add_paragraph(subtitle)
    for heading, lines in _sections(letter):
        document.add_heading(heading, level=1)
        for line in lines:
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
