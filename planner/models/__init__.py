"""Domain and interchange models (pydantic v2, frozen)."""
