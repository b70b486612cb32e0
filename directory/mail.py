"""Email through the partnership's own SMTP server, when one is configured (set-password links; later,
referral notices). Messages never carry client details.

Settings, from environment variables (they win) or the `[smtp]` table of `.streamlit/secrets.toml`:
host, port (587), user, password, from, starttls (true; port 465 means TLS from the start).
Environment names: RP_SMTP_HOST, RP_SMTP_PORT, RP_SMTP_USER, RP_SMTP_PASSWORD, RP_SMTP_FROM,
RP_SMTP_STARTTLS. With no host, nothing is sent and the app shows links to copy instead.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Mapping

log = logging.getLogger(__name__)

SECRETS_FILE = Path(".streamlit") / "secrets.toml"


class MailNotSent(Exception):
    """The message could not be handed to the SMTP server; the message says why, without secrets."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    sender: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 15.0

    @property
    def implicit_tls(self) -> bool:
        return self.port == 465


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() not in {"0", "false", "no", "off", ""}


def settings(table: Mapping[str, Any] | None = None) -> MailSettings | None:
    """The SMTP settings (environment first, then `table`, e.g. st.secrets["smtp"]); None when none is set."""
    table = dict(table or {})
    if table == {} and SECRETS_FILE.is_file():
        try:
            table = tomllib.loads(SECRETS_FILE.read_text(encoding="utf-8")).get("smtp", {})
        except (OSError, tomllib.TOMLDecodeError):
            table = {}
    env = {key: os.environ.get(f"RP_SMTP_{key.upper()}") for key in ("host", "port", "user", "password", "from", "starttls")}
    value = {key: env[key] if env[key] is not None else table.get(key) for key in env}
    if not value["host"]:
        return None
    return MailSettings(
        host=str(value["host"]), sender=str(value["from"] or f"recovery-pathways@{value['host']}"),
        port=int(value["port"] or 587), user=value["user"] or None, password=value["password"] or None,
        starttls=_truthy(value["starttls"]) if value["starttls"] is not None else True)


def send(mail: MailSettings, to: str, subject: str, body: str) -> None:
    """Hand one plain-text message to the SMTP server; raises MailNotSent (logged without the body)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = mail.sender, to, subject
    message.set_content(body)
    context = ssl.create_default_context()
    try:
        if mail.implicit_tls:
            server = smtplib.SMTP_SSL(mail.host, mail.port, timeout=mail.timeout, context=context)
        else:
            server = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
        with server:
            if mail.starttls and not mail.implicit_tls:
                server.starttls(context=context)
            if mail.user:
                server.login(mail.user, mail.password or "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as failure:
        log.warning("email to the SMTP server %s:%s failed: %s", mail.host, mail.port, type(failure).__name__)
        raise MailNotSent(f"the email could not be sent ({type(failure).__name__}): copy the link and send it yourself") from None
