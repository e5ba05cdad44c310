"""The README's commands run exactly as written, so the README cannot rot.

The first two commands are the install-and-demo and install-and-test lines: the second is
what .ci/run runs (checked here), and the demo runs at full scale in tests/cli/test_demo.py.
The tour's shell block and Python blocks run here verbatim, in a scratch directory that
looks like the repository root (``fixtures`` and ``tests`` linked in), in order; so does the
collection API's curl session, against a server it starts on a free port.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.sessions import run_session

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(section: str, lang: str) -> list[str]:
    start = README.index(f"## {section}")
    end = README.find("\n## ", start + 1)
    body = README[start : end if end != -1 else None]
    return re.findall(rf"```{lang}\n(.*?)```", body, flags=re.S)


def test_top_commands_are_install_demo_and_install_test() -> None:
    first = re.findall(r"```bash\n(.*?)```", README, flags=re.S)[0]
    commands = [ln for ln in first.splitlines() if ln and not ln.startswith("#")]
    install = "python3 -m venv .venv && . .venv/bin/activate && pip install -c constraints.txt -e '.[dev]'"
    assert commands == [f"{install} && papi demo", f"{install} && python -m pytest -n auto"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_tour_runs_as_written(tmp_path: Path) -> None:
    for name in ("fixtures", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    shell = blocks("A five-minute tour", "bash")
    assert len(shell) == 1 and shell[0].count("papi ") >= 5
    bin_dir = Path(sys.executable).parent
    env_path = f"{bin_dir}:/usr/bin:/bin"
    res = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", shell[0]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": env_path, "HOME": str(tmp_path), "LANG": "C.UTF-8"},
        check=False,
        timeout=900,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    # the abridged output the README shows is what the commands print
    shown = blocks("A five-minute tour", "text")[0]
    printed = " ".join((res.stdout + res.stderr).split())
    for line in shown.splitlines():
        if line.startswith((" P", " VN", "wrote survey.parquet", "note:")):
            cells = line.split()
            name = " ".join(c for c in cells[1:] if not c[0].isdigit() and c not in ("–", "—"))
            assert name.split()[0] in printed, line
    assert ("all respondents" in printed) == ("all respondents (pooled)" in shown)
    assert "wrote survey.parquet: 1344 interviews in 4 provinces, 72 villages" in printed
    for produced in (
        "survey.parquet",
        "truth.csv",
        "scores/scores.json",
        "sensitivity.json",
        "report.html",
        "plots",
    ):
        assert (tmp_path / produced).exists(), produced
    assert "132 indicators" in res.stdout + res.stderr
    printed = ""
    for code in blocks("A five-minute tour", "python"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        assert out.returncode == 0, out.stderr[-3000:]
        printed += out.stdout
        for comment in re.findall(r"# (est [\d.]+, se [\d.]+)", code):
            est, se = re.findall(r"[\d.]+", comment)
            assert est[:6] in out.stdout and se[:5] in out.stdout
    # the outputs the README shows are what the code prints
    assert "4-4-3-4-3-4-3-3 132 indicators" in printed
    assert re.search(r"P31\s+46\.04154\d*\s+1\s+high", printed)
    assert "644.169399" in printed and "23.542241" in printed


def test_curl_session_runs_as_written(tmp_path: Path) -> None:
    """The collection API section: a server, a token, a survey, one interview sent twice,
    a simulated backlog in batches, progress, the export and its scores. Run verbatim
    (only the port is changed, to a free one); the server is stopped afterwards."""
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    session = blocks("The collection API in one curl session", "bash")[0]
    code, out, err = run_session(session, tmp_path, timeout=600)
    assert code == 0, err[-3000:]
    lines = out.splitlines()
    assert lines.count("201") == 1 and lines.count("200") == 1, out[-2000:]
    assert [ln.split()[-1] for ln in lines if ln.startswith("backlog/batch-")] == ["200", "200"]
    total = next(ln for ln in lines if ln.startswith("{'quota'"))
    assert "'submitted': 193" in total
    assert re.search(r"P20\s+│\s+Hai Phong\s+│\s+\d\d\.\d\d\s+│\s+\d\d\.\d\d – \d\d\.\d\d", out)
    session_dir = tmp_path / "api-session"  # the session's own folder, not the tour's
    for produced in ("survey.parquet", "survey-1.zip", "scores/scores.json"):
        assert (session_dir / produced).exists(), produced
        assert not (tmp_path / produced).exists(), produced
    with zipfile.ZipFile(session_dir / "survey-1.zip") as media:
        assert {"survey-1.csv", "media/manifest.csv"} <= set(media.namelist())
    assert "Quality flags" in out or "quality flags" in out  # papi progress's table
