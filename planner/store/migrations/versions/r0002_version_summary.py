"""Each version's headline figures, so that lists and comparisons need not read the result.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: The KPIs a summary holds (the result JSON's ``kpis`` keys).
SUMMARY_KEYS = (
    "cost",
    "coverage",
    "dispatch_level",
    "fill_rate",
    "availability",
    "technicians",
    "stations",
    "investment",
)


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("summary", sa.Text(), nullable=False, server_default="{}"))
    # versions saved before this revision: their summary from their result
    bind = op.get_bind()
    versions = sa.table(
        "versions",
        sa.column("id", sa.Integer),
        sa.column("result", sa.Text),
        sa.column("summary", sa.Text),
    )
    for row in bind.execute(sa.select(versions.c.id, versions.c.result)).all():
        kpis = json.loads(row.result).get("kpis", {})
        summary = {key: kpis.get(key) for key in SUMMARY_KEYS}
        bind.execute(
            versions.update().where(versions.c.id == row.id).values(summary=json.dumps(summary))
        )


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("summary")
