"""The build backend: setuptools' own, plus the prebuilt register graph in the wheel (kg/prebuilt/).

A wheel carries the register already validated, reasoned and checked, so `query`, `sparql`, `serve`, `timeline` and
`docs` answer right after `pipx install` without building anything. setuptools runs no step of a project's own
before it collects package data except through a custom command in a setup.py; this in-tree PEP 517 backend is
the smaller way. It asks for the runtime dependencies (the graph is made with the package's own code), builds the
graph in a child process, then hands over to setuptools. Editable installs and sdists are setuptools' unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403 (every hook this module does not override, as setuptools has it)

ROOT = Path(__file__).resolve().parent.parent


def runtime_dependencies() -> list[str]:
    """The project's dependencies, from pyproject.toml."""
    with (ROOT / "pyproject.toml").open("rb") as stream:
        return tomllib.load(stream)["project"]["dependencies"]


def get_requires_for_build_wheel(config_settings: dict | None = None) -> list[str]:
    """setuptools' requirements and the runtime dependencies that make the prebuilt graph."""
    return [*build_meta.get_requires_for_build_wheel(config_settings), *runtime_dependencies()]


def write_prebuilt_graph() -> None:
    """Write kg/prebuilt/register-<key>.nq with the package's code, in a child process and an empty cache."""
    print("cpsu-kg: validating, reasoning and checking the register for the wheel's prebuilt graph", file=sys.stderr)
    with tempfile.TemporaryDirectory() as cache:
        subprocess.run(
            [sys.executable, "-c", "from kg.query import write_prebuilt; print(write_prebuilt())"],
            cwd=ROOT, env={**os.environ, "CPSU_KG_CACHE": cache}, check=True, stdout=sys.stderr,
        )  # fmt: skip


def build_wheel(
    wheel_directory: str, config_settings: dict | None = None, metadata_directory: str | None = None
) -> str:
    """The wheel, with the prebuilt register graph."""
    write_prebuilt_graph()
    return build_meta.build_wheel(wheel_directory, config_settings, metadata_directory)
