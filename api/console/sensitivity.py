"""The sensitivity audit in the console: run it, watch it, and see its three charts.

Two sources, one view:

- **a survey**: the API's ``sensitivity`` job (``api.jobs``) on the survey's responses, with
  the API's rights (``Action.score``); the result is the job's stored document, so the page,
  the API (``GET /api/v1/surveys/{id}/sensitivity/{job}``) and any worker show the same thing;
- **a published year** (no survey needed): ``scoring.run_sensitivity`` on
  ``published_input(subdimensions(year))`` with the default audit. The jobs table belongs to a
  survey, so these audits run in a one-thread executor of the process and are kept in memory.
  The result is a pure function of (year, runs, seed): the URL names it, and a worker that
  has not computed it yet computes the same document. The executor reports the progress of
  the Monte Carlo and Sobol' stages (``run_sensitivity(progress=...)``).

Every number drawn comes from the audit's JSON document (``SensitivityResult.to_json()``);
this module only lays it out: the median rank with its 5–95% band per province against the
nominal rank, the Sobol' S1/ST with their confidence intervals, and the one-at-a-time
removals. The plain-language sentences of the first two charts are the HTML report's
(``api.reporting.i18n``: one home for that wording).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from api.console.explorer import GROUP_FILLS
from api.problems import Conflict
from api.reporting.i18n import FACTOR_NAMES, labels
from survey.errors import PapiError

RUN_CHOICES = (1000, 2000, 5000, 10000)
"""Monte Carlo runs the console offers (the API accepts any count up to 100,000)."""
SOBOL_N = 512
"""Sobol' base sample of the console's audits (the API's and the CLI's default)."""
KEPT = 16
"""Published audits kept in memory per process (the oldest finished one goes first)."""
WAITING = 4
"""Published audits that may wait or run at once per process; one more is refused (409)."""


# ----------------------------------------------------------------------------------- charts


@dataclass(frozen=True, slots=True)
class Band:
    province: str
    name: str
    nominal: int
    median: float
    q05: float
    q95: float
    shift: float
    group: str | None
    colour: str
    x: float
    y_median: float
    y_low: float
    y_high: float


@dataclass(frozen=True, slots=True)
class Tick:
    value: int
    at: float


@dataclass(frozen=True, slots=True)
class RankChart:
    width: float
    height: float
    n: int
    bands: list[Band]
    ticks: list[Tick]


@dataclass(frozen=True, slots=True)
class SobolBar:
    factor: str
    name: str
    key: str  # "S1" or "ST"
    value: float | None
    low: float | None
    high: float | None
    y: float
    x0: float  # bar from x0 to x1 (x0 <= x1)
    x1: float
    ci0: float | None
    ci1: float | None


@dataclass(frozen=True, slots=True)
class SobolChart:
    width: float
    height: float
    zero: float
    one: float
    label_width: float
    rows: list[tuple[str, float]]  # factor name, y of its label
    bars: list[SobolBar]
    ticks: list[tuple[str, float]]


@dataclass(frozen=True, slots=True)
class Removal:
    level: str
    dropped: str
    name: str
    mean_shift: float
    max_shift: float
    changed: int
    y: float
    width: float


@dataclass(frozen=True, slots=True)
class OatChart:
    width: float
    height: float
    label_width: float
    top: float
    rows: list[Removal]


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def rank_chart(
    provinces: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
    width: float = 600.0,
    height: float = 420.0,
) -> RankChart:
    """Each ranked province at x = its nominal rank, its median rank as a dot and its 5–95%
    rank interval as a vertical bar (rank 1 at the top-left; the diagonal: no move)."""
    ranked = sorted(
        (
            p
            for p in provinces
            if p.get("nominal_rank") is not None and p.get("median_rank") is not None
        ),
        key=lambda p: float(p["nominal_rank"]),
    )
    n = max(len(ranked), 1)

    def at(rank: float, span: float) -> float:
        return span * (rank - 0.5) / n

    bands = []
    for p in ranked:
        code = str(p["province"])
        group = p.get("nominal_group")
        bands.append(
            Band(
                province=code,
                name=names.get(code) or str(p.get("name") or code),
                nominal=int(p["nominal_rank"]),
                median=float(p["median_rank"]),
                q05=float(p["rank_q05"]),
                q95=float(p["rank_q95"]),
                shift=float(p.get("mean_abs_shift") or 0.0),
                group=group,
                colour=GROUP_FILLS.get(group, GROUP_FILLS[None])[0] if group else "#4a4a4a",
                x=at(float(p["nominal_rank"]), width),
                y_median=at(float(p["median_rank"]), height),
                y_low=at(float(p["rank_q05"]), height),
                y_high=at(float(p["rank_q95"]), height),
            )
        )
    marks = [1, *range(10, n + 1, 10)]
    if n - marks[-1] >= 4:
        marks.append(n)
    return RankChart(width, height, n, bands, [Tick(v, at(v, 1.0)) for v in marks])


def sobol_chart(
    sobol: Sequence[Mapping[str, Any]],
    factor_names: Mapping[str, str],
    label_width: float = 270.0,
    plot_width: float = 330.0,
    row: float = 40.0,
) -> SobolChart:
    """S1 and ST of each factor as two horizontal bars with their confidence intervals, on
    a scale from min(0, lowest CI bound) to max(1, highest CI bound)."""
    values = [
        v
        for s in sobol
        for v in (s.get("S1"), s.get("ST"), *(s.get("S1_ci") or ()), *(s.get("ST_ci") or ()))
        if v is not None
    ]
    lo = min([0.0, *map(float, values)])
    hi = max([1.0, *map(float, values)])

    def x(v: float) -> float:
        return label_width + plot_width * (v - lo) / (hi - lo)

    rows: list[tuple[str, float]] = []
    bars: list[SobolBar] = []
    for i, s in enumerate(sobol):
        factor = str(s["factor"])
        name = factor_names.get(factor, factor)
        top = i * row
        rows.append((name, top + row / 2))
        for j, key in enumerate(("S1", "ST")):
            value = _f(s.get(key))
            ci = s.get(f"{key}_ci") or (None, None)
            low, high = _f(ci[0]), _f(ci[1])
            v = 0.0 if value is None else value
            bars.append(
                SobolBar(
                    factor=factor,
                    name=name,
                    key=key,
                    value=value,
                    low=low,
                    high=high,
                    y=top + 4 + j * 16,
                    x0=min(x(0.0), x(v)),
                    x1=max(x(0.0), x(v)),
                    ci0=None if low is None else x(low),
                    ci1=None if high is None else x(high),
                )
            )
    marks = [0.0, 0.5, 1.0] + ([round(hi, 2)] if hi > 1.1 else [])
    ticks = [(f"{v:g}", x(v)) for v in marks]
    return SobolChart(
        width=label_width + plot_width + 20,
        height=max(len(sobol), 1) * row,
        zero=x(0.0),
        one=x(1.0),
        label_width=label_width,
        rows=rows,
        bars=bars,
        ticks=ticks,
    )


def oat_chart(
    oat: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
    label_width: float = 300.0,
    plot_width: float = 300.0,
    row: float = 16.0,
) -> OatChart:
    """One bar per removed element (dimensions first, then sub-dimensions, each by mean
    absolute rank change, largest first)."""
    order = {"dimension": 0, "subdimension": 1, "indicator": 2}
    items = sorted(
        oat, key=lambda o: (order.get(str(o["level"]), 3), -float(o["mean_abs_shift"] or 0.0))
    )
    top = max([1.0, *(float(o["max_abs_shift"] or 0.0) for o in items)])
    rows = []
    for i, o in enumerate(items):
        code = str(o["dropped"])
        mean = float(o["mean_abs_shift"] or 0.0)
        rows.append(
            Removal(
                level=str(o["level"]),
                dropped=code,
                name=f"{code} {names.get(code, '')}".strip(),
                mean_shift=mean,
                max_shift=float(o["max_abs_shift"] or 0.0),
                changed=int(o["n_changed"] or 0),
                y=i * row,
                width=plot_width * mean / top,
            )
        )
    return OatChart(label_width + plot_width + 60, max(len(rows), 1) * row, label_width, top, rows)


def view(doc: Mapping[str, Any], names: Mapping[str, str], lang: str) -> dict[str, Any]:
    """The page context of an audit document: its three charts, their sentences and the
    summary numbers."""
    L = labels(lang)
    factor_names = FACTOR_NAMES.get(lang, {})
    overall = doc.get("overall") or {}
    shift = overall.get("mean_abs_shift")
    runs = doc.get("runs")
    return {
        "runs": runs,
        "seed": doc.get("seed"),
        "summary": (
            L["sens_summary"].format(runs=runs, shift=f"{shift:.2f}") if shift is not None else ""
        ),
        "rank_text": L["sens_rank_text"],
        "sobol_text": L["sens_sobol_text"],
        "ranks": rank_chart(doc.get("provinces") or [], names),
        "sobol": sobol_chart(doc.get("sobol") or [], factor_names),
        "oat": oat_chart(doc.get("oat") or [], names),
        "notes": list(doc.get("notes") or []),
        "fills": GROUP_FILLS,
    }


# ----------------------------------------------------------------------- published audits


@dataclass(frozen=True, slots=True)
class AuditKey:
    year: int
    runs: int
    seed: int


@dataclass
class AuditState:
    """The progress of one published audit (mutated by its worker thread only)."""

    stage: str = "queued"  # queued, monte_carlo, sobol, finishing, done, failed
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.monotonic)
    result: dict[str, Any] | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.stage in ("done", "failed")

    @property
    def percent(self) -> int:
        return 0 if not self.total else int(100 * self.done / self.total)


def check_runs(runs: int) -> int:
    if runs not in RUN_CHOICES:
        raise PapiError(
            f"runs={runs} is not offered here; choose one of {', '.join(map(str, RUN_CHOICES))}",
            code="runs_unknown",
        )
    return runs


class PublishedAudits:
    """Published-year audits of this process: one at a time, the last ``KEPT`` remembered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: OrderedDict[AuditKey, AuditState] = OrderedDict()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="papi-console-audit")

    def get(self, key: AuditKey) -> AuditState | None:
        with self._lock:
            return self._states.get(key)

    def start(self, key: AuditKey) -> AuditState:
        """The audit of ``key``: the one already known (unless it failed), or a new one
        queued on the executor."""
        with self._lock:
            state = self._states.get(key)
            if state is not None and state.stage != "failed":
                self._states.move_to_end(key)
                return state
            busy = sum(not s.finished for s in self._states.values())
            if busy >= WAITING:
                raise Conflict(
                    f"the server already has {busy} audits waiting or running; "
                    "try again when one of them has finished",
                    code="audits_busy",
                )
            state = AuditState()
            self._states[key] = state
            finished = [k for k, s in self._states.items() if s.finished]
            while len(self._states) > KEPT and finished:
                del self._states[finished.pop(0)]
        self._pool.submit(self._run, key, state)
        return state

    @staticmethod
    def _run(key: AuditKey, state: AuditState) -> None:
        from scoring.sensitivity import default_audit, published_input, run_sensitivity
        from survey.published import subdimensions

        def progress(stage: str, done: int, total: int) -> None:
            # after the last Sobol' run: its confidence intervals, the removals, diagnostics
            finishing = stage == "sobol" and done >= total
            state.stage = "finishing" if finishing else stage
            state.done, state.total = (0, 0) if finishing else (done, total)

        try:
            result = run_sensitivity(
                published_input(subdimensions(key.year)),
                default_audit(microdata=False),
                runs=key.runs,
                sobol_n=SOBOL_N,
                rng=key.seed,
                progress=progress,
            )
            doc: dict[str, Any] = result.to_json()
            doc["input"] = {"published": key.year}
            state.result = doc
            state.stage = "done"
        except Exception as exc:  # shown on the page; the executor must live on
            state.error = f"{type(exc).__name__}: {exc}"
            state.stage = "failed"


AUDITS = PublishedAudits()
