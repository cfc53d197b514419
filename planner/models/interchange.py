"""The JSON round trip every interchange model (problems and results) shares."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict


class Interchange(BaseModel):
    """Base of the interchange formats' problem and result models.

    Frozen, unknown fields rejected; ``to_json`` writes JSON keys by alias
    (``from`` for edges) and leaves out optional fields that are unset.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """Parse and validate a JSON document (raises pydantic ``ValidationError``)."""
        return cls.model_validate_json(text)

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """Read and validate a JSON file (raises ``OSError`` or ``ValidationError``)."""
        return cls.from_json(Path(path).read_bytes())

    def to_json(self, indent: int | None = 2) -> str:
        """Serialise to JSON text; optional fields that are unset (None) are left out."""
        return self.model_dump_json(by_alias=True, exclude_none=True, indent=indent)
