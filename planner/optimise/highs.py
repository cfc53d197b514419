"""One way to make a HiGHS instance for the optimisers."""

from __future__ import annotations

import os
import sys

import highspy

__all__ = ["new_highs"]


def new_highs() -> highspy.Highs:
    """A silent single-threaded HiGHS instance (its banner, written to fd 1 on construction, is dropped)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h
