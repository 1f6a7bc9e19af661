"""Key results a notebook reports to `make run` (read back from the executed notebook, not from printed text)."""

from __future__ import annotations

import math
import numbers
from typing import Any

RECORD_MIME = "application/x-dlwp-record+json"


def record(key: str, value: Any) -> None:
    """Store one key result (e.g. test accuracy) in the cell's outputs for the `make run` report (every notebook)."""
    if not isinstance(key, str) or not key.isidentifier():
        raise ValueError(f"record(key=...) must be an identifier-like string, got {key!r}")
    if isinstance(value, bool) or isinstance(value, str):
        pass
    elif isinstance(value, numbers.Integral):
        value = int(value)
    elif isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"record(value=...) for {key!r} must be finite, got {value}")
    else:
        raise TypeError(f"record(value=...) for {key!r} must be a number, bool or str, got {type(value).__name__}")
    display_hidden(RECORD_MIME, {key: value})


def display_hidden(mime: str, payload: dict) -> None:
    """Store `payload` as a cell output of a custom mime type nobody renders (record, the plot-version marker)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python without IPython: no cell output to store
        return
    if get_ipython() is not None:
        display({mime: payload}, raw=True)
