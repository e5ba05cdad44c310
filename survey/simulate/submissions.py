"""Simulated interviews in the API's JSON submission format, for load tests.

    {"submission_id": ..., "location": {"province", "district", "commune", "village"},
     "answers": {item id: value, ...},
     "paradata": {"enumerator", "device", "start", "end", "gps": {"lat", "lon"}},
     "design": {"stratum", "psu", "prob_*", "design_weight"}}

Answers come from the respondent table through ``survey.respondents.table.frame_to_responses`` (the
inverse of the API's export), so they validate against the questionnaire. Paradata are
synthetic: six enumerators per province (one tablet each), interviews of 40-80 minutes
between 07:00 and 18:00 on the interview date, GPS points spread over Viet Nam's latitude
range by province code. The ``design`` block carries the interview's design inputs
(``survey.respondents.analysis_frame.DESIGN_INPUTS``), which the API stores with the submission; the
post-stratified ``weight`` is not sent, because the export derives it over all its rows. Drawn from each province's ``paradata`` stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from survey.errors import PapiError
from survey.respondents.analysis_frame import DESIGN_INPUTS
from survey.respondents.table import frame_to_responses
from survey.rng import RngLike
from survey.sampling import province_streams
from survey.simulate.simulator import SimulatedSurvey

ENUMERATORS_PER_PROVINCE = 6
MAX_BATCH = 1000  # the collection API's batch limit


def _paradata(responses: pd.DataFrame, rng: RngLike) -> pd.DataFrame:
    prov = responses["province"].to_numpy(object)
    codes = list(dict.fromkeys(prov))
    counts = [int((prov == c).sum()) for c in codes]
    u = np.concatenate(
        [
            g.random((4, n))
            for g, n in zip(province_streams(rng, codes, "paradata"), counts, strict=True)
        ],
        axis=1,
    )
    village_no = pd.factorize(responses["village"])[0]
    team = village_no % ENUMERATORS_PER_PROVINCE + 1
    date_col = next((c for c in ("interview_date",) if c in responses.columns), None)
    day = (
        pd.to_datetime(responses[date_col], errors="coerce")
        if date_col
        else pd.Timestamp("2023-09-01")
    )
    start = day + pd.to_timedelta(7 * 60 + np.floor(u[0] * 600), unit="min")
    end = start + pd.to_timedelta(40 + np.floor(u[1] * 40), unit="min")
    number = responses["province"].str.extract(r"P(\d+)")[0].astype(float).fillna(1).to_numpy()
    lat = 23.3 - (number - 1) / 62 * 14.5 + (u[2] - 0.5) * 0.4
    lon = 104.0 + 4.0 * (number - 1) / 62 + (u[3] - 0.5) * 0.6
    enumerator = [f"{p}-E{t:02d}" for p, t in zip(prov, team, strict=True)]
    return pd.DataFrame(
        {
            "enumerator": enumerator,
            "device": [f"tablet-{e}" for e in enumerator],
            "start": pd.Series(start).dt.strftime("%Y-%m-%dT%H:%M:%S+07:00").to_numpy(),
            "end": pd.Series(end).dt.strftime("%Y-%m-%dT%H:%M:%S+07:00").to_numpy(),
            "lat": np.round(lat, 5),
            "lon": np.round(lon, 5),
        },
        index=responses.index,
    )


def submissions(sim: SimulatedSurvey, rng: RngLike = None) -> Iterator[dict[str, Any]]:
    """One API submission document per simulated interview."""
    r = sim.responses
    answers = frame_to_responses(sim.questionnaire, r)
    para = _paradata(r, rng)
    loc = r[["province", "district", "commune", "village"]].to_dict("records")
    design = r.loc[:, [c for c in DESIGN_INPUTS if c in r.columns]].to_dict("records")
    for sid, where, ans, p, d in zip(
        r["submission_id"], loc, answers, para.to_dict("records"), design, strict=True
    ):
        yield {
            "submission_id": sid,
            "location": where,
            "answers": ans,
            "paradata": {
                "enumerator": p["enumerator"],
                "device": p["device"],
                "start": p["start"],
                "end": p["end"],
                "gps": {"lat": float(p["lat"]), "lon": float(p["lon"])},
            },
            "design": {k: (v if isinstance(v, str) else float(v)) for k, v in d.items()},
        }


def write_submissions(
    sim: SimulatedSurvey,
    directory: str | Path,
    rng: RngLike = None,
    *,
    batch_size: int | None = None,
) -> int:
    """Write ``<submission_id>.json`` files into ``directory`` (the body of
    ``POST /surveys/{id}/submissions``), or, with ``batch_size``, ``batch-0001.json``, … of
    up to ``batch_size`` interviews each (the body of ``POST …/submissions/batch``, which
    takes at most 1,000); returns how many interviews were written."""
    if batch_size is not None and not 1 <= batch_size <= MAX_BATCH:
        raise PapiError(
            f"batch_size={batch_size}; a batch holds 1 to {MAX_BATCH:,} submissions",
            code="batch_size_invalid",
        )
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    if batch_size is None:
        for doc in submissions(sim, rng):
            (out / f"{doc['submission_id']}.json").write_text(
                json.dumps(doc, ensure_ascii=False), encoding="utf-8"
            )
            n += 1
        return n
    docs = list(submissions(sim, rng))
    width = max(4, len(str(-(-len(docs) // batch_size))))
    for b, start in enumerate(range(0, len(docs), batch_size), start=1):
        chunk = docs[start : start + batch_size]
        (out / f"batch-{b:0{width}d}.json").write_text(
            json.dumps({"submissions": chunk}, ensure_ascii=False), encoding="utf-8"
        )
        n += len(chunk)
    return n
