"""Project wiring: dependency lists agree, the lock pins what CI uses, CI runs the README's test command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

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


def test_github_workflow_runs_the_same_test_command():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "notebooks.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["test"]["steps"]
    assert [s["run"] for s in steps if "run" in s] == [_readme_command("test-command")]
    assert not any("DLWP_MNIST" in s.get("env", {}) for s in steps)  # hermetic default: synthetic digits
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip" and "tools/constraints.txt" in setup["with"]["cache-dependency-path"]
