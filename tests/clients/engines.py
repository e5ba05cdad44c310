"""Real ODK form engines for the tests: JavaRosa (inside ODK Collect) and ODK Web Forms.

- JavaRosa: ``javarosa/JavaRosaFiller.java`` is compiled once per test session against the ODK
  Validate jar that pyxform ships (it bundles JavaRosa) and run with the machine's Java 17.
- Web Forms: ``webforms/fill.mjs`` runs ``@getodk/xforms-engine`` in Node on jsdom; its
  dependencies are pinned by ``webforms/package-lock.json`` and installed by the first test
  that needs them (``npm ci``, once per machine, under a file lock so parallel xdist workers
  wait for one install), so the README's test command needs no separate install step.

When a tool is missing the tests skip locally but fail under CI (``CI=true``), so CI never
passes without having run the real engines.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pyxform

HERE = Path(__file__).resolve().parent
JAVAROSA_SOURCE = HERE / "javarosa" / "JavaRosaFiller.java"
WEBFORMS_DIR = HERE / "webforms"
VALIDATE_JAR = (
    Path(pyxform.__file__).parent / "validators" / "odk_validate" / "bin" / "ODK_Validate.jar"
)


class FillRejected(AssertionError):
    """The engine refused the answers (constraint, required, not asked, unknown choice)."""

    def __init__(self, engine: str, errors: list[dict[str, str]]) -> None:
        self.engine = engine
        self.errors = errors
        super().__init__(f"{engine} refused the answers: {errors}")

    @property
    def items(self) -> set[str]:
        return {e["item"] for e in self.errors}


@dataclass(frozen=True)
class Filled:
    """What a client would upload: the instance XML and its attachments by file name."""

    xml: bytes
    attachments: dict[str, bytes] = field(default_factory=dict)


def unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where the engines must run."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"form engine unavailable in CI: {reason}")
    pytest.skip(reason)


@functools.cache
def _javarosa_classes() -> Path:
    build = Path(tempfile.mkdtemp(prefix="javarosa-filler-"))
    atexit.register(shutil.rmtree, build, ignore_errors=True)
    subprocess.run(
        ["javac", "-nowarn", "-cp", str(VALIDATE_JAR), "-d", str(build), str(JAVAROSA_SOURCE)],
        check=True,
        capture_output=True,
    )
    return build


def javarosa_ready() -> None:
    if shutil.which("java") is None or shutil.which("javac") is None:
        unavailable("java/javac (Java 17) not on PATH")
    if not VALIDATE_JAR.exists():
        unavailable(f"pyxform's ODK Validate jar not found at {VALIDATE_JAR}")


WEBFORMS_ENGINE = WEBFORMS_DIR / "node_modules" / "@getodk" / "xforms-engine"


@functools.cache
def _npm_ci() -> str | None:
    """Install the Web Forms engine from the lock once; ``None`` on success, else the reason."""
    with (WEBFORMS_DIR / ".npm-ci.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another xdist worker may be installing it right now
        if WEBFORMS_ENGINE.exists():
            return None
        run = subprocess.run(
            ["npm", "ci", "--silent", "--no-audit", "--no-fund"],
            cwd=WEBFORMS_DIR,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    if run.returncode != 0 or not WEBFORMS_ENGINE.exists():
        return f"`npm ci` in {WEBFORMS_DIR} failed: {(run.stderr or run.stdout)[-2000:]}"
    return None


def webforms_ready() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("node (20+) and npm not on PATH")
    if not WEBFORMS_ENGINE.exists() and (reason := _npm_ci()) is not None:
        unavailable(reason)


def _spec(answers: Mapping[str, Any], **extra: Any) -> str:
    return json.dumps({"answers": dict(answers), **{k: v for k, v in extra.items() if v}})


def fill_javarosa(
    xform: bytes,
    answers: Mapping[str, Any],
    *,
    instance_id: str | None = None,
    deprecated_id: str | None = None,
    device_id: str | None = None,
) -> Filled:
    """Fill ``xform`` with JavaRosa as ODK Collect would; raise :class:`FillRejected`."""
    javarosa_ready()
    classes = _javarosa_classes()
    with tempfile.TemporaryDirectory() as tmp:
        form, spec = Path(tmp) / "form.xml", Path(tmp) / "fill.json"
        form.write_bytes(xform)
        spec.write_text(
            _spec(answers, instanceID=instance_id, deprecatedID=deprecated_id, deviceID=device_id),
            encoding="utf-8",
        )
        run = subprocess.run(
            [
                "java",
                "-cp",
                f"{classes}{os.pathsep}{VALIDATE_JAR}",
                "JavaRosaFiller",
                str(form),
                str(spec),
            ],
            capture_output=True,
            check=False,
        )
    if run.returncode == 1 and run.stderr.strip().startswith(b"{"):
        raise FillRejected("javarosa", json.loads(run.stderr)["errors"])
    if run.returncode != 0:
        raise RuntimeError(f"JavaRosa filler crashed: {run.stderr.decode(errors='replace')}")
    return Filled(run.stdout)


def fill_webforms(
    xform: bytes, answers: Mapping[str, Any], *, edit_of: bytes | None = None
) -> Filled:
    """Fill ``xform`` with ODK Web Forms' engine; ``edit_of`` opens an earlier submission in
    edit mode (new instanceID, the old one as deprecatedID). Raise :class:`FillRejected`."""
    webforms_ready()
    with tempfile.TemporaryDirectory() as tmp:
        form, spec, out = Path(tmp) / "form.xml", Path(tmp) / "fill.json", Path(tmp) / "out"
        form.write_bytes(xform)
        previous = None
        if edit_of is not None:
            previous = Path(tmp) / "previous.xml"
            previous.write_bytes(edit_of)
        spec.write_text(_spec(answers, edit=str(previous) if previous else None), encoding="utf-8")
        run = subprocess.run(
            ["node", str(WEBFORMS_DIR / "fill.mjs"), str(form), str(spec), str(out)],
            capture_output=True,
            check=False,
            cwd=WEBFORMS_DIR,
        )
        if run.returncode == 1 and run.stderr.strip().startswith(b"{"):
            raise FillRejected("webforms", json.loads(run.stderr)["errors"])
        if run.returncode != 0:
            raise RuntimeError(f"Web Forms filler crashed: {run.stderr.decode(errors='replace')}")
        parts = json.loads((out / "payload.json").read_text(encoding="utf-8"))["parts"]
        files = {p["field"]: (out / p["file"]).read_bytes() for p in parts}
    xml = files.pop("xml_submission_file")
    return Filled(xml, files)


def _javarosa(mode: str, xform: bytes, spec: Mapping[str, Any]) -> Any:
    javarosa_ready()
    classes = _javarosa_classes()
    with tempfile.TemporaryDirectory() as tmp:
        form, path = Path(tmp) / "form.xml", Path(tmp) / "spec.json"
        form.write_bytes(xform)
        path.write_text(json.dumps(spec), encoding="utf-8")
        run = subprocess.run(
            [
                "java",
                "-cp",
                f"{classes}{os.pathsep}{VALIDATE_JAR}",
                "JavaRosaFiller",
                mode,
                str(form),
                str(path),
            ],
            capture_output=True,
            check=False,
        )
    if run.returncode != 0:
        raise RuntimeError(f"JavaRosa filler crashed: {run.stderr.decode(errors='replace')}")
    return json.loads(run.stdout)


def fill_javarosa_batch(
    xform: bytes, fills: list[Mapping[str, Any]]
) -> list[Filled | FillRejected]:
    """Several fills of one form in one JVM (each as :func:`fill_javarosa`, without the
    meta options): the instance, or the engine's refusal."""
    out = _javarosa("--batch", xform, {"fills": [{"answers": dict(a)} for a in fills]})
    return [
        FillRejected("javarosa", r["errors"]) if r["errors"] else Filled(r["xml"].encode())
        for r in out
    ]


def fill_webforms_batch(
    xform: bytes, fills: list[Mapping[str, Any]]
) -> list[Filled | FillRejected]:
    """Several fills of one form in one Node process (each as :func:`fill_webforms`)."""
    webforms_ready()
    with tempfile.TemporaryDirectory() as tmp:
        form, spec, out = Path(tmp) / "form.xml", Path(tmp) / "fills.json", Path(tmp) / "out"
        form.write_bytes(xform)
        spec.write_text(json.dumps({"fills": [{"answers": dict(a)} for a in fills]}))
        run = subprocess.run(
            ["node", str(WEBFORMS_DIR / "fill.mjs"), "--batch", str(form), str(spec), str(out)],
            capture_output=True,
            check=False,
            cwd=WEBFORMS_DIR,
        )
        if run.returncode != 0:
            raise RuntimeError(f"Web Forms filler crashed: {run.stderr.decode(errors='replace')}")
        results: list[Filled | FillRejected] = []
        for k, r in enumerate(json.loads((out / "results.json").read_text(encoding="utf-8"))):
            if r["errors"]:
                results.append(FillRejected("webforms", r["errors"]))
                continue
            parts = json.loads((out / str(k) / "payload.json").read_text(encoding="utf-8"))
            files = {p["field"]: (out / str(k) / p["file"]).read_bytes() for p in parts["parts"]}
            xml = files.pop("xml_submission_file")
            results.append(Filled(xml, files))
    return results


@dataclass(frozen=True)
class Probed:
    """One value entered on one question of a filled form: the engine's ``status``
    (``accepted``, ``constraint``, ``required``, ``unrepresentable`` when the widget cannot
    hold it, ``not_asked`` when the question is not shown) and, when accepted, the ``text``
    the instance would carry."""

    item: str
    value: Any
    status: str
    text: str | None = None


def probe(
    engine: str, xform: bytes, base: Mapping[str, Any], probes: list[tuple[str, Any]]
) -> tuple[list[dict[str, str]], list[Probed]]:
    """Fill ``base`` with ``engine`` (``javarosa`` or ``webforms``), then enter each probe
    value on its question (one at a time, the base answer put back after each), in one
    process. Returns the base fill's problems and one :class:`Probed` per probe."""
    spec = {"base": dict(base), "probes": [{"item": i, "value": v} for i, v in probes]}
    if engine == "javarosa":
        out = _javarosa("--probe", xform, spec)
    else:
        webforms_ready()
        with tempfile.TemporaryDirectory() as tmp:
            form, path = Path(tmp) / "form.xml", Path(tmp) / "probe.json"
            form.write_bytes(xform)
            path.write_text(json.dumps(spec), encoding="utf-8")
            run = subprocess.run(
                ["node", str(WEBFORMS_DIR / "fill.mjs"), "--probe", str(form), str(path)],
                capture_output=True,
                check=False,
                cwd=WEBFORMS_DIR,
            )
        if run.returncode != 0:
            raise RuntimeError(f"Web Forms filler crashed: {run.stderr.decode(errors='replace')}")
        out = json.loads(run.stdout)
    results = [
        Probed(i, v, r["status"], r.get("text"))
        for (i, v), r in zip(probes, out["results"], strict=True)
    ]
    return out["base_errors"], results
