"""The store's tables (SQLAlchemy 2): a scenario by name, and its saved versions.

A version is never changed once written: saving under a name adds the next version, with
the scenario's inputs (its file as JSON), the run's result (``ScenarioResult`` JSON), the
time it was created (UTC), the planner's version and the schema revision it was written
under. ``summary`` holds the headline figures, so that lists and comparisons need not read
every result.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ScenarioRow(Base):
    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)


class VersionRow(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("scenario_id", "number", name="uq_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", name="fk_versions_scenario"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    planner_version: Mapped[str] = mapped_column(String(50), nullable=False)
    schema_revision: Mapped[str] = mapped_column(String(50), nullable=False)
    inputs: Mapped[str] = mapped_column(Text, nullable=False)
    result: Mapped[str] = mapped_column(Text, nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, server_default="{}")
