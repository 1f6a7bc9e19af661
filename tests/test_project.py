"""Project wiring: dependency lists agree, the lock pins what CI uses, CI runs the README's test command."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _requirements(lines: list[str]) -> set[str]:
    return {re.sub(r"\s+", "", line) for line in lines}


def test_environment_yml_names_the_same_dependencies():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_lines = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pip_reqs = {line for line in pip_lines if re.match(r"^[A-Za-z][\w.-]*[<>=!~]", line)}
    project = PYPROJECT["project"]
    expected = set(project["dependencies"]) | set(project["optional-dependencies"]["lab"])
    expected |= set(project["optional-dependencies"]["test"])
    assert _requirements(sorted(pip_reqs)) == _requirements(sorted(expected))
    assert "-c tools/constraints.txt" in pip_lines and "-e ." in pip_lines
    assert "pip" in env["dependencies"] and any(str(d).startswith("python=") for d in env["dependencies"])


def test_runtime_dependencies_have_lower_bounds_only():
    for req in PYPROJECT["project"]["dependencies"]:
        assert ">=" in req and "==" not in req and "<" not in req, req


def test_lock_pins_ci_versions():
    lock = (ROOT / "tools" / "constraints.txt").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", lock, re.M))
    assert pins["tensorflow"] == "2.21.0"
    assert pins["keras"].startswith("3.15.")
    for name in ("numpy", "matplotlib", "nbval", "papermill", "pytest", "jupyterlab", "ipykernel"):
        assert name in pins, f"{name} missing from the lock"
    assert not any(line.startswith("-e") for line in lock.splitlines())


def _readme_command(label: str) -> str:
    match = re.search(rf"<!-- {label} -->\s*```(?:bash|sh)?\n(.+?)\n```", README, re.S)
    assert match, f"README has no <!-- {label} --> block"
    return match.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command():
    test_cmd = _readme_command("test-command")
    ci_lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ci_lines[-1] == test_cmd
    assert "make" in test_cmd


def test_readme_lists_every_notebook_with_its_badge():
    from tools import nbtool

    for path in nbtool.all_notebooks():
        assert f"notebooks/{path.name}" in README, f"README does not list {path.name}"
        assert nbtool.badge_url(path) in README, f"README badge for {path.name} is missing or stale"


WORKFLOW = ROOT / ".github" / "workflows" / "notebooks.yml"
STACKS = {  # CI stack -> (Python, LOCK); README "Tested stacks" has one row per stack
    "lock": ("3.11", "tools/constraints.txt"),
    "oldest": ("3.11", "tools/constraints-min.txt"),
    "colab": ("3.13", "tools/constraints-colab.txt"),
    "newest": ("3.13", ""),
}


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _pins(lock: str) -> dict[str, str]:
    return {
        name.lower(): version
        for name, version in re.findall(r"(?m)^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / lock).read_text(encoding="utf-8"))
    }


def test_github_workflow_runs_the_same_test_command():
    steps = _workflow()["jobs"]["test"]["steps"]
    runs = [s for s in steps if "run" in s]
    assert [s["run"] for s in runs] == [_readme_command("test-command")]
    assert runs[0]["env"] == {"LOCK": "${{ matrix.lock }}"}, "the stack's lock reaches the Makefile, nothing else"
    assert not any("DLWP_MNIST" in s.get("env", {}) for s in steps)  # hermetic default
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "${{ matrix.python }}"
    assert setup["with"]["cache"] == "pip" and "tools/constraints*.txt" in setup["with"]["cache-dependency-path"]


def test_ci_tests_every_stack_on_push_pull_request_and_weekly():
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    cron = triggers["schedule"][0]["cron"].split()
    assert len(cron) == 5 and cron[2:4] == ["*", "*"] and cron[4].isdigit(), "a weekly schedule"
    job = workflow["jobs"]["test"]
    assert job["strategy"]["fail-fast"] is False, "one broken stack must not hide the others"
    stacks = {s["stack"]: (s["python"], s["lock"]) for s in job["strategy"]["matrix"]["include"]}
    assert stacks == STACKS
    for _python, lock in STACKS.values():
        assert not lock or (ROOT / lock).is_file(), lock


def test_makefile_takes_the_lock_from_the_environment(tmp_path):
    # not what a calling make passes down (make test-min runs this suite with LOCK=... in MAKEFLAGS)
    clean_env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "LOCK", "VENV")}

    def install_commands(**env: str) -> str:
        proc = subprocess.run(
            ["make", "-n", "-B", "install", f"VENV={tmp_path / 'venv'}"],
            cwd=ROOT,
            env={**clean_env, **env},
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert "-c tools/constraints.txt " in install_commands()
    assert "-c tools/constraints-min.txt " in install_commands(LOCK="tools/constraints-min.txt")
    assert " -c " not in install_commands(LOCK=""), "newest: no constraints at all"


def test_oldest_lock_pins_exactly_the_lower_bounds():
    pins = _pins("tools/constraints-min.txt")
    for req in PYPROJECT["project"]["dependencies"]:
        name, bound = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([\w.]+)", req).groups()
        assert Version(pins[name.lower()]) == Version(bound), f"{name}: lower bound {bound}, oldest lock {pins[name]}"
    assert not any(line.startswith("-e") or "dlwp" in line.lower() for line in _lines("tools/constraints-min.txt"))


def test_python_bounds_agree():
    requires = SpecifierSet(PYPROJECT["project"]["requires-python"])
    (lowest,) = [spec.version for spec in requires if spec.operator == ">="]
    assert min(Version(python) for python, _ in STACKS.values()) == Version(lowest), "the oldest Python is tested"
    assert all(python in requires for python, _ in STACKS.values())
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    (conda_python,) = [d.removeprefix("python=") for d in env["dependencies"] if str(d).startswith("python=")]
    assert conda_python in requires and conda_python == STACKS["lock"][0]


def test_readme_stack_table_matches_the_locks():
    table = re.search(r"<!-- stacks:start -->\n(.+?)<!-- stacks:end -->", README, re.S)
    assert table, "README has no <!-- stacks:start --> table"
    rows = {row.split("|")[1].strip(): row for row in table.group(1).splitlines() if row.startswith("| ")}
    for stack, (python, lock) in STACKS.items():
        row = next((r for name, r in rows.items() if name.lower().startswith(stack)), None)
        assert row, f"README stack table has no {stack} row"
        assert f"Python {python}" in row or python in row
        if lock:
            pins = _pins(lock)
            assert f"`{lock}`" in row
            for name in ("tensorflow", "keras", "numpy", "matplotlib"):
                assert pins[name] in row, f"{stack} row: {name} {pins[name]} (from {lock})"
    assert any("GPU" in name for name in rows), "the GPU row says whether it was run"


def _lines(path: str) -> list[str]:
    return (ROOT / path).read_text(encoding="utf-8").splitlines()
