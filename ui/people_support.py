"""What the People, Organisations and set-password pages share: the app's public address (for links),
the SMTP settings, and handing someone their set-password link."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import streamlit as st

from directory import mail
from directory.people import IssuedLink, email_link
from ui.render import md


def _secret(name: str):
    try:
        return st.secrets.get(name)
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return None


def public_url() -> str:
    """The address people open the app at: the `public_url` setting (or RP_PUBLIC_URL), else this browser's."""
    configured = os.environ.get("RP_PUBLIC_URL") or _secret("public_url")
    if configured:
        return str(configured).rstrip("/")
    try:
        parts = urlsplit(st.context.url or "")
    except Exception:
        parts = None
    if parts and parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return "http://localhost:8501"


def mail_settings() -> mail.MailSettings | None:
    return mail.settings(_secret("smtp"))


def email_domain_organisations() -> dict[str, str]:
    """The optional `[email_domains]` setting: "council.example.gov.uk" = "Middlesbrough Council"."""
    table = _secret("email_domains")
    return {str(k): str(v) for k, v in dict(table or {}).items()}


def hand_over_link(link: IssuedLink, sent_by: str) -> None:
    """Show the link to copy (always), and say whether it was emailed."""
    url = link.url(public_url())
    try:
        sent = email_link(mail_settings(), link, public_url(), sent_by)
    except mail.MailNotSent as failure:
        st.warning(f"The email to {md(link.email)} was not sent: {failure}.", icon=":material/mail_lock:")
        sent = False
    if sent:
        st.success(f"The set-password link was emailed to {md(link.email)}. You can also copy it below.",
                   icon=":material/mail:")
    st.markdown(f"**Set-password link for {md(link.display_name)}** (works once, until "
                f"{link.expires_at.astimezone():%a %d %b %H:%M}); send it to them yourself if it was not emailed:")
    st.code(url, language=None, wrap_lines=True)
