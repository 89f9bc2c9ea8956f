"""The wheel (what the Docker image installs) carries every template and static file.

Setuptools leaves non-Python files out of a wheel unless told; an editable install
(make venv) would never show it, the image would fail at the first page it renders.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def app_data_files() -> set[str]:
    found = set()
    for kind in ("templates", "static"):
        for path in (ROOT / "rehearse").glob(f"*/{kind}/**/*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_the_wheel_ships_templates_and_static_files(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ into the tree it builds.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "tests")
    for name in ("rehearse", "config"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "--quiet",
            "--wheel-dir",
            str(tmp_path / "dist"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = (tmp_path / "dist").glob("rehearse-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    expected = app_data_files()
    assert {"rehearse/web/templates/web/base.html", "rehearse/web/static/web/site.css"} <= expected
    assert expected - shipped == set()
