"""entry text stored before the check loses its bidirectional controls

Since 0006's release every write takes out bidirectional controls (fields.BIDI_CONTROLS: a
right-to-left override shows "Job Club\u202eelif.exe" as something it does not say). Text stored
before then may still hold them, and tables and downloads show stored text as it is; this cleans it
once, so every copy of an entry's text is clean.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 18:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Written out, not imported: a migration must not change when the application's code does.
_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TABLES = ("entries", "organisations", "contacts", "locations")


def _clean(value):
    if isinstance(value, str):
        return value.translate({ord(c): None for c in _CONTROLS})
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def upgrade() -> None:
    bind = op.get_bind()
    metadata = sa.MetaData()
    for name in _TABLES:
        table = sa.Table(name, metadata, autoload_with=bind)
        keys = list(table.primary_key.columns)
        texts = [c for c in table.columns if c not in keys and isinstance(c.type, (sa.String, sa.JSON))]  # Text, JSONB too
        if not texts:
            continue
        for row in bind.execute(sa.select(*keys, *texts)).mappings():
            cleaned = {c.name: _clean(row[c.name]) for c in texts}
            changed = {k: v for k, v in cleaned.items() if v != row[k]}
            if changed:
                bind.execute(table.update().where(*(k == row[k.name] for k in keys)).values(**changed))


def downgrade() -> None:
    pass  # the controls are not put back
