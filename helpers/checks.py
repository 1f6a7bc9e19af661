"""Self-check functions for the exercise cells at the end of every notebook."""

from __future__ import annotations

from typing import Any

import numpy as np


def _shape_of(value: Any) -> tuple[int, ...]:
    shape = getattr(value, "shape", None)
    if shape is None:
        shape = np.shape(value)
    return tuple(int(d) if d is not None else -1 for d in shape)


def check_shape(value: Any, expected: tuple[int, ...], name: str = "value") -> None:
    """Assert `value.shape == expected` and print a Korean ✓ line (self-check cells)."""
    if not isinstance(expected, tuple):
        raise TypeError(f"check_shape(expected=...) must be a tuple, got {type(expected).__name__}")
    if any(not isinstance(d, int) or d < 0 for d in expected):
        raise ValueError(f"check_shape(expected=...) must hold non-negative ints, got {expected}")
    got = _shape_of(value)
    if got != tuple(expected):
        raise AssertionError(
            f"✗ {name}의 크기(shape)가 {got}입니다. {tuple(expected)}이어야 합니다. "
            "힌트: reshape이나 축의 순서를 확인해 보세요."
        )
    print(f"✓ {name}의 크기(shape)가 {got}로 맞습니다.")


def check_close(actual: Any, expected: Any, name: str = "value", *, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Assert `actual` ≈ `expected` elementwise within rtol/atol and print a ✓ line (self-check cells)."""
    if rtol < 0 or atol < 0:
        raise ValueError(f"check_close(rtol=..., atol=...) must be >= 0, got rtol={rtol}, atol={atol}")
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        raise AssertionError(f"✗ {name}: 크기가 다릅니다 ({a.shape} vs {e.shape}). 힌트: 계산한 축을 확인해 보세요.")
    if np.isnan(a).any():
        raise AssertionError(f"✗ {name}: NaN이 들어 있습니다. 힌트: 0으로 나누거나 너무 큰 학습률이 없는지 보세요.")
    if not np.allclose(a, e, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(a - e)))
        raise AssertionError(
            f"✗ {name}: 기대한 값과 다릅니다(최대 차이 {worst:.3g}, 허용 오차 rtol={rtol}, atol={atol}). "
            "힌트: 식과 부호를 다시 확인해 보세요."
        )
    print(f"✓ {name}: 기대한 값과 일치합니다.")


def check_true(condition: Any, message: str, hint: str = "") -> None:
    """Assert a condition; `message` says (in Korean) what should hold (self-check cells)."""
    if not isinstance(message, str) or not message:
        raise TypeError("check_true(message=...) must be a non-empty string")
    if not bool(condition):
        raise AssertionError(f"✗ {message} — 성립하지 않습니다." + (f" 힌트: {hint}" if hint else ""))
    print(f"✓ {message}")
