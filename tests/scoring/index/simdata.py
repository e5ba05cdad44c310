"""A seeded, vectorised PAPI-shaped respondent table for tests and the benchmark.

Stratified two-stage shape of docs/method.md "Sampling design": provinces are strata, districts the PSUs,
villages inside them, respondents inside villages; answers depend on a province effect and
a district effect (so designs have real clustering) and respect the questionnaire's skip
logic (evaluated with survey.conditions.frame_eval.evaluate_frame, item by item, in order). Columns
follow docs/data-layout.md. Not a substitute for the survey simulator: no calibration to
published scores, no fieldwork.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.conditions.frame_eval import evaluate_frame
from survey.questionnaire.schema import Item, Questionnaire
from survey.rng import RngLike, as_generator


def _latent(gen: np.random.Generator, prov: np.ndarray, dist: np.ndarray, n: int) -> np.ndarray:
    """Respondent propensity: province + district effects + noise (standard-normal scale)."""
    pe = gen.normal(0, 0.35, prov.max() + 1)[prov]
    de = gen.normal(0, 0.25, dist.max() + 1)[dist]
    out: np.ndarray = pe + de + gen.normal(0, 1, n)
    return out


def _answers(
    gen: np.random.Generator, q: Questionnaire, it: Item, z: np.ndarray
) -> dict[str, np.ndarray]:
    n = z.shape[0]
    if it.type == "yes_no":
        p = float(it.meta.get("sim_p_yes", 0.5))
        thr = np.quantile(gen.normal(size=4000), 1 - p)
        return {it.id: (z > thr).astype(np.float64)}
    if it.type in ("single_choice", "rating"):
        codes = np.array([c.code for c in q.choices_of(it)], dtype=np.float64)
        cut = np.sort(gen.normal(0, 1.0, codes.shape[0] - 1))
        return {it.id: codes[np.searchsorted(cut, z)]}
    if it.type == "multiple_choice":
        codes = [c.code for c in q.choices_of(it)]
        return {
            f"{it.id}_{c}": (gen.random(n) < gen.uniform(0.1, 0.7)).astype(np.float64)
            for c in codes
        }
    if it.type in ("integer", "decimal"):
        low = float(it.min) if isinstance(it.min, int | float) else 0.0
        high = float(it.max) if isinstance(it.max, int | float) else low + 10.0
        high = min(high, low + 50.0)
        v = low + (high - low) * gen.random(n)
        return {it.id: np.floor(v) if it.type == "integer" else v}
    return {}


def simulate_responses(
    q: Questionnaire,
    *,
    provinces: int = 6,
    districts: int = 3,
    villages: int = 2,
    per_village: int = 12,
    special_rate: float = 0.03,
    rng: RngLike = 0,
) -> pd.DataFrame:
    """One row per respondent; design columns, demographics and one column per item."""
    gen = as_generator(rng)
    n = provinces * districts * villages * per_village
    prov = np.repeat(np.arange(provinces), districts * villages * per_village)
    dist = np.repeat(np.arange(provinces * districts), villages * per_village)
    vill = np.repeat(np.arange(provinces * districts * villages), per_village)
    pcode = np.array([f"P{p + 1:02d}" for p in range(provinces)])[prov]
    dcode = np.char.add(pcode, np.array([f"-D{d % districts + 1:02d}" for d in dist]))
    vcode = np.char.add(dcode, np.array([f"-V{v % villages + 1:02d}" for v in vill]))
    weight = np.exp(gen.normal(0, 0.3, n)) * gen.uniform(50, 150, provinces * districts)[dist]
    cols: dict[str, np.ndarray] = {
        "submission_id": np.array([f"s{i:06d}" for i in range(n)]),
        "province": pcode,
        "district": dcode,
        "village": vcode,
        "stratum": pcode,
        "psu": dcode,
        "weight": weight,
        "design_weight": weight,
        "sex": gen.integers(1, 3, n).astype(np.float64),
    }
    frame = pd.DataFrame(cols)
    answers: dict[str, np.ndarray] = {}
    base = _latent(gen, prov, dist, n)
    for it in q.items:
        if it.id in frame.columns:
            continue
        z = 0.6 * base + 0.8 * _latent(gen, prov, dist, n)
        block = _answers(gen, q, it, z)
        if not block:
            continue
        allowed = list(q.allowed_special(it).values())
        special = (gen.random(n) < special_rate) if allowed else np.zeros(n, dtype=bool)
        if it.relevant:
            current = pd.DataFrame(answers, index=frame.index)
            keep = evaluate_frame(q.condition(it.relevant), pd.concat([frame, current], axis=1), q)
        else:
            keep = np.ones(n, dtype=bool)
        for name, values in block.items():
            answers[name] = np.where(keep & ~special, values, np.nan)
        if allowed:
            own = answers.get(it.id, np.full(n, np.nan))
            answers[it.id] = np.where(keep & special, float(allowed[0]), own)
    return pd.concat([frame, pd.DataFrame(answers, index=frame.index)], axis=1)
