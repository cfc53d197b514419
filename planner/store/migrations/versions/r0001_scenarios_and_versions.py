"""Scenarios by name and their versions: inputs, result, created time, planner version.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "scenario_id",
            sa.Integer(),
            sa.ForeignKey("scenarios.id", name="fk_versions_scenario"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planner_version", sa.String(50), nullable=False),
        sa.Column("schema_revision", sa.String(50), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.UniqueConstraint("scenario_id", "number", name="uq_versions_number"),
    )
    op.create_index("ix_versions_scenario_id", "versions", ["scenario_id"])


def downgrade() -> None:
    op.drop_index("ix_versions_scenario_id", table_name="versions")
    op.drop_table("versions")
    op.drop_table("scenarios")
