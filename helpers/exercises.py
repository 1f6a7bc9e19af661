"""Checkers for the 연습 문제 (exercise) cells at the end of every course notebook.

Each exercise has a learner cell pre-filled with a placeholder (`...` for a value, `raise NotImplementedError`
in a function body), a check cell right after it, a collapsed solution cell and the same check once more with
`solution=True`. Every checker prints one line:

- placeholder, `solution=False` -> "… 아직 답을 쓰지 않았습니다" with a hint; nothing fails;
- right answer -> "✓ …";
- wrong answer, or a placeholder when `solution=True` -> raises `ExerciseError` ("✗ …": what was wrong + a hint).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

PLACEHOLDER = Ellipsis  # what a learner cell holds until the learner writes an answer: `answer = ...`


class ExerciseError(AssertionError):
    """A wrong answer in an exercise check (every 연습 문제 check cell)."""

    def _render_traceback_(self) -> list[str]:
        """What IPython/Jupyter shows: the one ✗ line, not a traceback through the checker's code."""
        return [f"\x1b[0;31mExerciseError\x1b[0m: {self}"]


def is_placeholder(value: Any) -> bool:
    """True for the untouched placeholder `...` (every exercise checker)."""
    return value is PLACEHOLDER


def _todo(name: str, hint: str, solution: bool) -> None:
    __tracebackhide__ = True
    if solution:
        raise ExerciseError(f"✗ {name}: 정답 셀을 실행한 뒤에도 답이 비어 있습니다. 정답 셀을 다시 실행해 보세요.")
    line = f"… {name}: 아직 답을 쓰지 않았습니다."
    print(line + (f" 힌트: {hint}" if hint else ""))


def _wrong(name: str, problem: str, hint: str) -> ExerciseError:
    return ExerciseError(f"✗ {name}: {problem}" + (f" 힌트: {hint}" if hint else ""))


def _ok(name: str, praise: str) -> None:
    print(f"✓ {name}: {praise}")


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, threshold=12, edgeitems=2, separator=", ")
        text = f"array(shape={value.shape}, {text})" if value.ndim else text
    elif hasattr(value, "numpy") and callable(value.numpy):  # a TensorFlow tensor
        return _short(np.asarray(value.numpy()), limit)
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _same(got: Any, want: Any, rtol: float, atol: float) -> str | None:
    """None when `got` matches `want`, else what differs (in Korean)."""
    if got is None and want is not None:
        return "답이 None입니다. 값을 대입했는지, 함수라면 return 문을 썼는지 확인하세요."
    if isinstance(want, (str, bool)) or want is None:
        return None if got == want else f"{_short(got)}(을)를 얻었습니다. 기대한 값은 {_short(want)}입니다."
    if isinstance(want, tuple) and all(_is_int(d) for d in want):  # a shape
        if isinstance(got, str):
            return f"크기를 문자열 {got!r}로 썼습니다. {want}처럼 정수의 튜플로 쓰세요."
        if isinstance(got, np.ndarray) and got.ndim == 1 and got.dtype.kind in "iu":
            got = got.tolist()
        got_t = tuple(got) if isinstance(got, (tuple, list)) else got
        if not isinstance(got_t, tuple) or got_t != want:
            return f"크기 {_short(got_t)}(을)를 얻었습니다. 기대한 크기는 {want}입니다."
        return None
    if isinstance(got, (str, bytes, bool, np.bool_)):
        return f"숫자가 아니라 {type(got).__name__} 값 {got!r}입니다. 기대한 값은 {_short(want)}입니다."
    if _is_int(got) and _is_int(want):  # counts are exact: no tolerance
        return None if int(got) == int(want) else f"{int(got):,}(을)를 얻었습니다. 기대한 값은 {int(want):,}입니다."
    try:
        g = np.asarray(got.numpy() if hasattr(got, "numpy") else got, dtype=np.float64)
        w = np.asarray(want.numpy() if hasattr(want, "numpy") else want, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{_short(got)}(은)는 숫자나 배열이 아닙니다. 기대한 값은 {_short(want)}입니다."
    if g.shape != w.shape:
        return f"결과의 크기가 {g.shape}입니다. 기대한 크기는 {w.shape}입니다."
    if np.isnan(g).any() and not np.isnan(w).any():
        return "결과에 NaN이 들어 있습니다."
    if not np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=True):
        if g.ndim == 0:
            return f"{float(g):.6g}(을)를 얻었습니다. 기대한 값은 {float(w):.6g}입니다."
        worst = int(np.argmax(np.abs(g - w)))
        where = tuple(int(i) for i in np.unravel_index(worst, g.shape))
        return f"원소 {where}가 {g.flat[worst]:.6g}입니다. 기대한 값은 {w.flat[worst]:.6g}입니다."
    return None


def check_value(
    answer: Any,
    expected: Any,
    name: str,
    *,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    solution: bool = False,
) -> None:
    """Check a value answer (a number, shape tuple, string or array) against `expected` (every 연습 문제)."""
    __tracebackhide__ = True
    if rtol < 0 or atol < 0:
        raise ValueError(f"check_value(rtol=..., atol=...) must be >= 0, got rtol={rtol}, atol={atol}")
    if is_placeholder(answer):
        return _todo(name, hint, solution)
    problem = _same(answer, expected, rtol, atol)
    if problem:
        raise _wrong(name, problem, hint)
    return _ok(name, "정답입니다.")


def check_choice(
    answer: Any,
    correct: str | Iterable[str],
    name: str,
    *,
    why_not: dict[str, str] | None = None,
    hint: str = "",
    solution: bool = False,
) -> None:
    """Check a pick among named options (a loss, an activation), case- and `_`-insensitive (ch03_6_3 and others)."""
    __tracebackhide__ = True
    if not correct:
        raise ValueError("check_choice(correct=...) must name at least one right option")
    if is_placeholder(answer):
        return _todo(name, hint, solution)

    def norm(s: Any) -> str:
        s = getattr(s, "__name__", None) or getattr(s, "name", None) or s
        return str(s).lower().replace("_", "").replace(" ", "").replace("-", "")

    allowed = {norm(correct)} if isinstance(correct, str) else {norm(c) for c in correct}
    shown = repr(answer) if isinstance(answer, str) else repr(norm(answer))  # never an object's repr (addresses)
    if norm(answer) in allowed:
        return _ok(name, f"{shown}(이)가 맞습니다.")
    reason = {norm(k): v for k, v in (why_not or {}).items()}.get(norm(answer), "")
    raise _wrong(name, f"{shown}(은)는 알맞지 않습니다." + (f" {reason}" if reason else ""), hint)


def check_function(
    fn: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Sequence[tuple],
    name: str,
    *,
    random_cases: Callable[[np.random.Generator], tuple] | None = None,
    n_random: int = 5,
    seed: int = 0,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    solution: bool = False,
) -> None:
    """Compare a learner's function with `reference` on fixed and seeded random argument tuples (every 연습 문제)."""
    __tracebackhide__ = True
    if not callable(reference):
        raise TypeError(f"check_function(reference=...) must be callable, got {type(reference).__name__}")
    if is_placeholder(fn):
        return _todo(name, hint, solution)
    if not callable(fn):
        raise _wrong(name, f"함수가 아니라 {type(fn).__name__} 값입니다.", hint)
    rng = np.random.default_rng(seed)
    all_cases = list(cases) + ([random_cases(rng) for _ in range(n_random)] if random_cases else [])
    if not all_cases:
        raise ValueError("check_function(cases=...) needs at least one argument tuple")
    for args in all_cases:
        shown = ", ".join(_short(a, 40) for a in args)
        try:
            got = fn(*copy.deepcopy(args))
        except NotImplementedError:
            return _todo(name, hint, solution)
        except Exception as e:  # the learner's code raised: say which input broke it
            raise _wrong(name, f"입력 ({shown})에서 {type(e).__name__}: {e}", hint) from None
        if got is None:
            raise _wrong(name, f"입력 ({shown})에서 None을 반환했습니다. return 문을 빠뜨리지 않았나요?", hint)
        problem = _same(got, reference(*copy.deepcopy(args)), rtol, atol)
        if problem:
            raise _wrong(name, f"입력 ({shown})에서 틀렸습니다: {problem}", hint)
    return _ok(name, f"입력 {len(all_cases)}개 모두에서 기대한 결과와 같습니다.")


def check_model(
    model: Any,
    name: str,
    *,
    inputs: Any,
    output_shape: tuple | list[tuple],
    n_params: int | None = None,
    layer_types: Sequence[str] | None = None,
    reference: Callable[[Any, Any], Any] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    hint: str = "",
    solution: bool = False,
) -> None:
    """Check a Keras model by what it does: called on `inputs` it gives `output_shape`; optional params and layers.

    `reference(model, inputs)` returns the output the model must give, computed from the model's own layers
    (e.g. a residual model: `d3(d2(d1(x)) + x)`), so wiring and activations are checked, not just shapes.
    """
    __tracebackhide__ = True
    if not isinstance(output_shape, (tuple, list)) or not output_shape:
        raise TypeError(f"check_model(output_shape=...) must be a shape tuple or a list of them, got {output_shape!r}")
    if is_placeholder(model):
        return _todo(name, hint, solution)
    import keras

    if not isinstance(model, keras.Model):
        raise _wrong(name, f"keras.Model이 아니라 {type(model).__name__}입니다.", hint)
    try:
        out = model(inputs, training=False)
    except Exception as e:
        raise _wrong(
            name, f"입력을 넣어 호출하면 {type(e).__name__}이(가) 납니다: {_short(str(e), 120)}", hint
        ) from None
    outs = out if isinstance(out, (list, tuple)) else [out]
    wanted = output_shape if isinstance(output_shape, list) else [output_shape]
    got_shapes = [tuple(int(d) for d in o.shape) for o in outs]
    if got_shapes != [tuple(s) for s in wanted]:
        raise _wrong(
            name, f"출력 크기가 {got_shapes}입니다. 기대한 출력 크기는 {[tuple(s) for s in wanted]}입니다.", hint
        )
    if n_params is not None and model.count_params() != n_params:
        raise _wrong(name, f"파라미터가 {model.count_params():,}개입니다. 기대한 개수는 {n_params:,}개입니다.", hint)
    if layer_types is not None:
        got_types = [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"]
        if got_types != list(layer_types):
            raise _wrong(name, f"층 구성이 {got_types}입니다. 기대한 구성은 {list(layer_types)}입니다.", hint)
    if reference is not None:
        try:
            want = reference(model, inputs)
        except Exception as e:  # the learner's layers do not fit the described structure
            raise _wrong(name, f"설명한 구조로 계산할 수 없습니다 ({type(e).__name__}).", hint) from None
        wants = want if isinstance(want, (list, tuple)) else [want]
        for i, (o, w) in enumerate(zip(outs, wants)):
            problem = _same(o, w, rtol, atol)
            if problem:
                where = f"출력 {i + 1}" if len(outs) > 1 else "출력"
                raise _wrong(name, f"{where}이 설명한 연결과 다릅니다: {problem}", hint)
    return _ok(name, "구조와 출력 크기가 기대한 대로입니다.")


def check_range(
    answer: Any,
    low: float,
    high: float,
    name: str,
    *,
    hint: str = "",
    solution: bool = False,
) -> None:
    """Check that a number lies in [low, high] (answers read off a plot or a run, e.g. the epoch to stop at)."""
    __tracebackhide__ = True
    if not low <= high:
        raise ValueError(f"check_range(low=..., high=...) needs low <= high, got {low} > {high}")
    if is_placeholder(answer):
        return _todo(name, hint, solution)
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise _wrong(name, f"숫자가 아니라 {type(answer).__name__} 값입니다.", hint)
    if not math.isfinite(float(answer)):
        raise _wrong(name, f"{answer}(은)는 유한한 숫자가 아닙니다.", hint)
    if answer < low or answer > high:
        raise _wrong(name, f"{answer}(은)는 너무 {'작습' if answer < low else '큽'}니다.", hint)
    return _ok(name, "기대한 범위 안에 있습니다.")
