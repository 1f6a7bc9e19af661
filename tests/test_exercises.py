"""The 연습 문제 checkers (right, wrong, partly right, placeholder answers), cell folding and the solution proof."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest

import helpers
from tools import exercise_proof, nbtool


def relu_ref(x):
    return np.maximum(x, 0.0)


def relu_todo(x):
    raise NotImplementedError("write naive_relu here")


def relu_right(x):
    out = [[max(v, 0.0) for v in row] for row in np.asarray(x).tolist()]
    return np.array(out)


def relu_only_on_positive_inputs(x):  # partly right: fine on the fixed case, wrong on random ones
    return np.asarray(x)


def relu_no_return(x):
    relu_ref(x)


FIXED = [(np.array([[1.0, 2.0]]),)]


def random_matrix(rng):
    return (rng.normal(size=(3, 4)),)


# ------------------------------------------------------------------ placeholder -> "not attempted", no failure


@pytest.mark.parametrize(
    "call",
    [
        lambda **kw: helpers.check_value(..., (3, 4), "shape", hint="h", **kw),
        lambda **kw: helpers.check_choice(..., "mse", "loss", hint="h", **kw),
        lambda **kw: helpers.check_function(relu_todo, relu_ref, FIXED, "relu", hint="h", **kw),
        lambda **kw: helpers.check_function(..., relu_ref, FIXED, "relu", hint="h", **kw),
        lambda **kw: helpers.check_model(..., "m", inputs=np.zeros((1, 2)), output_shape=(1, 1), hint="h", **kw),
        lambda **kw: helpers.check_range(..., 1, 3, "epoch", hint="h", **kw),
    ],
)
def test_placeholder_is_not_attempted_and_fails_only_after_the_solution(call, capsys):
    call()
    out = capsys.readouterr().out
    assert "아직 답을 쓰지 않았습니다" in out and "힌트: h" in out and "✓" not in out
    with pytest.raises(helpers.ExerciseError, match="정답 셀을 실행한 뒤에도 답이 비어 있습니다"):
        call(solution=True)


# ------------------------------------------------------------------ right answers


def test_right_answers_print_a_check_mark(capsys):
    helpers.check_value((3, 4), (3, 4), "shape")
    helpers.check_value(0.30000000000000004, 0.3, "sum")
    helpers.check_choice("BinaryCrossentropy", ["binary_crossentropy"], "loss")
    helpers.check_function(relu_right, relu_ref, FIXED, "relu", random_cases=random_matrix)
    helpers.check_range(4, 3, 5, "epoch")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5 and all(line.startswith("✓ ") for line in out)
    assert "입력 6개 모두에서" in out[3]  # 1 fixed + 5 random cases


# ------------------------------------------------------------------ wrong and partly right answers


def test_wrong_shape_says_expected_and_got():
    with pytest.raises(helpers.ExerciseError, match=r"✗ shape: 크기 \(4, 3\).*기대한 크기는 \(3, 4\).*힌트: axes"):
        helpers.check_value((4, 3), (3, 4), "shape", hint="axes")


@pytest.mark.parametrize(
    ("answer", "expected", "message"),
    [
        (np.array([4, 3]), (3, 4), r"크기 \(4, 3\)"),  # an array answer for a shape: compared, never a numpy error
        ("(3, 4)", (3, 4), "정수의 튜플로 쓰세요"),
        (None, 5, "답이 None입니다"),
        ("6464", 6464, "숫자가 아니라 str"),
        (True, 1, "숫자가 아니라 bool"),
        (50_331_648 + 40, 50_331_648, "50,331,688"),  # counts are exact, no relative tolerance
    ],
)
def test_wrong_kinds_of_answers_are_named(answer, expected, message):
    with pytest.raises(helpers.ExerciseError, match=message):
        helpers.check_value(answer, expected, "x")


def test_array_and_list_answers_for_a_shape_are_accepted(capsys):
    helpers.check_value(np.array([3, 4]), (3, 4), "x")
    helpers.check_value([3, 4], (3, 4), "x")
    assert capsys.readouterr().out.count("✓") == 2


def test_choice_never_prints_an_object_repr(capsys):
    helpers.check_choice(relu_ref, "relu_ref", "act")
    assert "0x" not in capsys.readouterr().out


def test_number_uses_the_tolerance():
    helpers.check_value(1.0 + 1e-9, 1.0, "x")
    with pytest.raises(helpers.ExerciseError, match="1.01"):
        helpers.check_value(1.01, 1.0, "x")
    helpers.check_value(1.01, 1.0, "x", rtol=0.02)


def test_partly_right_function_names_the_input_that_broke_it():
    helpers.check_function(relu_only_on_positive_inputs, relu_ref, FIXED, "relu")  # fooled by the fixed case alone
    with pytest.raises(helpers.ExerciseError, match=r"✗ relu: 입력 \(array\(shape=\(3, 4\).*틀렸습니다"):
        helpers.check_function(relu_only_on_positive_inputs, relu_ref, FIXED, "relu", random_cases=random_matrix)


def test_function_errors_and_missing_return_are_reported():
    with pytest.raises(helpers.ExerciseError, match="None을 반환했습니다"):
        helpers.check_function(relu_no_return, relu_ref, FIXED, "relu")
    with pytest.raises(helpers.ExerciseError, match="ZeroDivisionError"):
        helpers.check_function(lambda x: 1 / 0, relu_ref, FIXED, "relu")
    with pytest.raises(helpers.ExerciseError, match="함수가 아니라 int"):
        helpers.check_function(3, relu_ref, FIXED, "relu")


def test_function_input_is_not_shared_with_the_reference():
    def mutating(x):
        x[...] = 0.0
        return relu_ref(x)

    with pytest.raises(helpers.ExerciseError):
        helpers.check_function(mutating, relu_ref, [(np.array([[1.0, -2.0]]),)], "relu")


def test_wrong_choice_gives_the_reason():
    with pytest.raises(helpers.ExerciseError, match="'mse'.*회귀에 씁니다.*힌트: 두 클래스"):
        helpers.check_choice(
            "mse",
            "binary_crossentropy",
            "loss",
            why_not={"mean_squared_error": "x", "MSE": "회귀에 씁니다."},
            hint="두 클래스",
        )


def test_range_says_too_small_or_too_large():
    with pytest.raises(helpers.ExerciseError, match="너무 작습니다"):
        helpers.check_range(1, 3, 5, "epoch")
    with pytest.raises(helpers.ExerciseError, match="너무 큽니다"):
        helpers.check_range(9, 3, 5, "epoch")
    with pytest.raises(helpers.ExerciseError, match="숫자가 아니라 str"):
        helpers.check_range("4", 3, 5, "epoch")


def test_model_is_checked_by_behaviour_not_name():
    import keras

    x = np.zeros((2, 8), dtype="float32")
    right = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
    helpers.check_model(right, "model", inputs=x, output_shape=(2, 1), n_params=8 * 4 + 4 + 4 + 1)
    wrong_out = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3)], name="exactly_the_expected_name")
    with pytest.raises(helpers.ExerciseError, match=r"출력 크기가 \[\(2, 3\)\]"):
        helpers.check_model(wrong_out, "model", inputs=x, output_shape=(2, 1))
    partly = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])  # right output, wrong structure
    with pytest.raises(helpers.ExerciseError, match="파라미터가 9개"):
        helpers.check_model(partly, "model", inputs=x, output_shape=(2, 1), n_params=41)
    with pytest.raises(helpers.ExerciseError, match="층 구성이"):
        helpers.check_model(partly, "model", inputs=x, output_shape=(2, 1), layer_types=["Dense", "Dense"])
    residual = keras.Input((8,))
    h = keras.layers.Dense(8)(residual)
    no_skip = keras.Model(residual, keras.layers.Dense(1)(keras.layers.Add()([h, h])))  # Add() of h with itself
    skip = keras.Model(residual, keras.layers.Dense(1)(keras.layers.Add()([h, residual])))

    def wired(m, inputs):  # the residual wiring, computed from the model's own layers
        d = [layer for layer in m.layers if isinstance(layer, keras.layers.Dense)]
        return d[1](d[0](inputs) + inputs)

    rng_x = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    helpers.check_model(skip, "model", inputs=rng_x, output_shape=(4, 1), reference=wired)
    with pytest.raises(helpers.ExerciseError, match="설명한 연결과 다릅니다"):
        helpers.check_model(no_skip, "model", inputs=rng_x, output_shape=(4, 1), reference=wired)
    with pytest.raises(helpers.ExerciseError, match="설명한 구조로 계산할 수 없습니다"):
        helpers.check_model(partly, "model", inputs=x, output_shape=(2, 1), reference=wired)
    with pytest.raises(helpers.ExerciseError, match="keras.Model이 아니라 str"):
        helpers.check_model("model", "model", inputs=x, output_shape=(2, 1))


# ------------------------------------------------------------------ folding and the emptied-solution proof


def _nb(*cells):
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": i + 1,
                "id": f"c{i}",
                "metadata": {"tags": tags},
                "outputs": [],
                "source": src,
            }
            for i, (tags, src) in enumerate(cells)
        ],
        "metadata": {"kernelspec": nbtool.KERNELSPEC},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_tooling_folds_solution_and_check_cells_for_jupyterlab_and_colab():
    nb = nbtool.clean(_nb((["exercise"], "x = ..."), (["solution"], "x = 1"), (["check"], "print(x)")))
    exercise, solution, check = nb["cells"]
    assert "jupyter" not in exercise["metadata"] and "cellView" not in exercise["metadata"]
    for cell, title in ((solution, "정답 보기"), (check, "확인하기")):
        assert cell["metadata"]["jupyter"]["source_hidden"] is True and cell["metadata"]["cellView"] == "form"
        assert "".join(cell["source"]).startswith(f"# @title {title}\n")
    assert nbtool.clean(json.loads(json.dumps(nb))) == nb  # idempotent: the title is not added twice


CHECK = "import helpers\nhelpers.check_value(answer, 42, 'answer', solution=True)"


@pytest.mark.parametrize(
    ("solution", "check", "passes"),
    [
        ("answer = 42", CHECK, True),  # the check needs the solution: proof passes
        ("answer = 42", "print('always fine')", False),  # a check that cannot fail: proof fails
    ],
)
def test_emptied_solution_proof(tmp_path, solution, check, passes):
    nb = _nb(([], "answer = ..."), (["solution"], solution), (["check"], check))
    path = tmp_path / "exercise.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(nbtool.ROOT)}
    proc = subprocess.run(
        [*nbtool.nbval_command(), "--nbval-lax", "-p", "tools.exercise_proof", str(path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert exercise_proof.PROOF_SUFFIX in proc.stdout or "passed" in proc.stdout, proc.stdout[-2000:]
    if passes:
        assert proc.returncode == 0, proc.stdout[-2000:]
        assert "4 passed" in proc.stdout  # 3 cells + 1 proof item
    else:
        assert proc.returncode == 1 and "its check passed without it" in proc.stdout, proc.stdout[-2000:]


def test_a_wrong_answer_shows_one_line_in_jupyter_not_a_traceback():
    with pytest.raises(helpers.ExerciseError) as err:
        helpers.check_value((4, 3), (3, 4), "shape")
    lines = err.value._render_traceback_()  # what IPython shows instead of a traceback
    assert len(lines) == 1 and "ExerciseError" in lines[0] and "✗ shape: 크기 (4, 3)" in lines[0]
