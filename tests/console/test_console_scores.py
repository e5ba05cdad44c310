"""The survey-scores pages and the what-if without a browser (TestClient, SQLite): every
number the pages show equals what ``scoring`` returns for the same choices, the frame cache
follows new submissions, bad choices are a 422 naming them, and the rights are the API's."""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.console import whatif
from api.console.explorer import scores as published_scores
from api.db.engine import Database
from api.db.migrate import upgrade
from api.exports.service import survey_frame
from scoring import IndexScores, compare, score
from scoring.index.groups import group_labels, ranks_and_groups
from scoring.sensitivity import Design, Spec, microdata_input
from scoring.sensitivity.nominal import nominal_uncertainty
from scoring.sensitivity.spec import Aggregation
from scoring.sensitivity.spec import WeightSchemes as SpecWeights
from survey.questionnaire.schema import Questionnaire
from tests.api.support import admin_token, make_settings
from tests.console.scores_seed import PILOT, PROVINCES, add_simulated

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@dataclass
class Scored:
    client: TestClient
    settings: Any
    admin: dict[str, str]
    survey: int
    pilot: int
    job: str
    pilot_job: str
    csrf: str


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def _wait(client: TestClient, path: str) -> str:
    for _ in range(600):
        html = client.get(path).text
        if "data-status-url" not in html:
            return html
        time.sleep(0.2)
    raise AssertionError(f"{path} did not finish")


@pytest.fixture(scope="module")
def scored() -> Iterator[Scored]:
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'scores.db'}"
    upgrade(url)
    settings = make_settings(url)
    admin = {"Authorization": f"Bearer {admin_token(settings)}"}
    whatif.clear_caches()
    with TestClient(create_app(settings)) as client:
        sid, _ = add_simulated(client, admin, "Five provinces", provinces=PROVINCES)
        pid, _ = add_simulated(client, admin, "Pilot", pilot=PILOT, interviews=10)
        client.post("/console/sign-in", data={"token": admin["Authorization"][7:]})
        csrf = _csrf(client.get(f"/console/surveys/{sid}/scores").text)
        jobs = []
        for s in (sid, pid):
            r = client.post(
                f"/console/surveys/{s}/scores",
                data={"csrf": csrf, "variance": "taylor"},
                follow_redirects=False,
            )
            assert r.status_code == 303, r.text
            jobs.append(r.headers["location"].rsplit("/", 1)[1])
            _wait(client, r.headers["location"])
        yield Scored(client, settings, admin, sid, pid, jobs[0], jobs[1], csrf)


def _result(s: Scored, survey: int, job: str) -> IndexScores:
    doc = s.client.get(f"/api/v1/surveys/{survey}/scores/{job}", headers=s.admin).json()
    assert doc["status"] == "succeeded", doc
    return IndexScores.from_dict(doc["results"])


def _frame(s: Scored, survey: int) -> tuple[pd.DataFrame, Questionnaire]:
    db = Database(s.settings)
    with db.session() as session:
        return survey_frame(session, survey)


def _rows(html: str, table: str) -> list[dict[str, str]]:
    """The data-* attributes and the cell texts of every body row of ``<table id=table>``."""
    found = re.search(rf'<table id="{table}">(.*?)</table>', html, re.S)
    assert found, f"no table {table}"
    out = []
    for attrs, body in re.findall(r"<tr ([^>]*data-[^>]*)>(.*?)</tr>", found.group(1), re.S):
        row = {k: unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', attrs)}
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
        row["cells"] = "|".join(re.sub(r"<[^>]+>", "", unescape(c)).strip() for c in cells)
        out.append(row)
    return out


def _close(shown: str, value: Any, places: int = 6) -> bool:
    if shown == "":
        return value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value)
    return abs(float(shown) - float(value)) <= 0.5 * 10**-places


def _level(table: pd.DataFrame, code: str) -> pd.DataFrame:
    if "dimension" in table.columns:
        table = table[table["dimension"] == code]
    return table.set_index("province")


def _check_score_rows(rows: list[dict[str, str]], table: pd.DataFrame) -> None:
    """Every number of the rendered rows (attributes at full precision, and the text the
    reader sees rounded to 2 decimals) against the library's table."""
    assert {r["province"] for r in rows} == set(table.index)
    for r in rows:
        lib = table.loc[r["province"]]
        for col in ("est", "lci", "uci"):
            assert _close(r[col], lib[col]), (r["province"], col, r[col], lib[col])
        for col, attr in (("rank", "rank"), ("rank_lci", "rank-lci"), ("rank_uci", "rank-uci")):
            value = lib.get(col)
            assert (r[attr] == "") == (value is None or pd.isna(value)), (r, col)
            if r[attr]:
                assert int(r[attr]) == int(value)
        group = lib["group"] if isinstance(lib["group"], str) and lib["group"] != "nan" else ""
        assert r["group"] == group
        if not pd.isna(lib["est"]):
            assert f"{lib['est']:.2f}" in r["cells"].split("|")


def test_the_scores_page_lists_the_jobs_with_their_choices(scored: Scored) -> None:
    html = scored.client.get(f"/console/surveys/{scored.survey}/scores").text
    listed = re.findall(r'<tr data-job="([0-9a-f-]{36})">', html)
    assert listed == [scored.job]
    assert "Taylor linearisation" in html and "done" in html


def test_the_job_page_shows_exactly_the_job_result(scored: Scored) -> None:
    s = _result(scored, scored.survey, scored.job)
    base = f"/console/surveys/{scored.survey}/scores/{scored.job}"
    for code in ("AGG", "D1", "D5"):
        html = scored.client.get(f"{base}?level={code}").text
        table = s.composite.set_index("province") if code == "AGG" else _level(s.dimensions, code)
        _check_score_rows(_rows(html, "scores-table"), table)
        tiles = re.findall(r'<g class="tile" data-province="(P\d\d)" data-score="([^"]*)"', html)
        assert len(tiles) == 63
        for p, shown in tiles:
            if p in table.index and not pd.isna(table.loc[p, "est"]):
                assert float(shown) == pytest.approx(round(table.loc[p, "est"], 2), abs=1e-9)
            else:
                assert shown == ""


@pytest.mark.parametrize("which", ["survey", "pilot"])
def test_the_drill_down_shows_every_level_with_n_and_suppression(
    scored: Scored, which: str
) -> None:
    survey, job = (
        (scored.survey, scored.job) if which == "survey" else (scored.pilot, scored.pilot_job)
    )
    s = _result(scored, survey, job)
    ind = s.indicators[s.indicators["province"] != "VN"]
    province = str(ind.groupby("province")["est"].apply(lambda e: e.isna().sum()).idxmax())
    html = scored.client.get(f"/console/surveys/{survey}/scores/{job}?province={province}").text
    rows = _rows(html, "drill-table")
    libs = {
        "dim": s.dimensions.query(f"province == '{province}'").set_index("dimension"),
        "sub": s.subdimensions.query(f"province == '{province}'").set_index("subdimension"),
        "ind": s.indicators.query(f"province == '{province}'").set_index("indicator"),
    }
    assert len(rows) == sum(len(t) for t in libs.values())
    suppressed = 0
    for r in rows:
        lib = next(t.loc[r["code"]] for t in libs.values() if r["code"] in t.index)
        assert _close(r["est"], lib["est"]), r
        if "n" in r:
            assert r["n"] == ("" if pd.isna(lib["n"]) else str(int(lib["n"])))
        if pd.isna(lib["est"]):
            suppressed += 1
            assert "suppressed" in r["cells"]
    # the pilot's 40 interviews leave some indicators below min_n (and their levels)
    assert (suppressed > 0) == (which == "pilot")


def test_the_comparison_with_a_published_year_is_scoring_compare(scored: Scored) -> None:
    s = _result(scored, scored.survey, scored.job)
    c = compare(s, published_scores(2023), confidence=s.confidence)
    base = f"/console/surveys/{scored.survey}/scores/{scored.job}"
    html = scored.client.get(f"{base}?level=D2&year=2023").text
    rows = _rows(html, "compare-published")
    lib = c.dimensions[c.dimensions["code"] == "D2"].set_index("province")
    assert {r["province"] for r in rows} == set(lib.index)
    for r in rows:
        assert _close(r["diff"], lib.loc[r["province"], "est"])
    assert "fixed reference" in html and "(holm)" in html


def test_a_single_district_is_compared_with_its_province_not_ranked(scored: Scored) -> None:
    s = _result(scored, scored.pilot, scored.pilot_job)
    html = scored.client.get(f"/console/surveys/{scored.pilot}/scores/{scored.pilot_job}").text
    assert 'id="scores-table"' not in html
    rows = _rows(html, "pilot-compare")
    c = compare(s, published_scores(2024), confidence=s.confidence)
    province = PILOT.split("-")[0]
    for r in rows:
        side = (
            c.composite if r["code"] == "AGG" else c.dimensions[c.dimensions["code"] == r["code"]]
        )
        lib = side.set_index("province").loc[province]
        assert _close(r["est-a"], lib["est_a"]) and _close(r["est-b"], lib["est_b"])
        assert _close(r["diff"], lib["est"])
    assert len(rows) == 9


def _whatif(scored: Scored, query: str) -> str:
    base = f"/console/surveys/{scored.survey}/scores/{scored.job}"
    r = scored.client.get(f"{base}/whatif/view?{query}")
    assert r.status_code == 200, r.text[:2000]
    return r.text


def _by_score(frame: pd.DataFrame, q: Questionnaire, drop: tuple[str, ...], **kw: Any) -> Any:
    return score(frame, whatif.reduced(q, drop), rng=0, replicates=1000, min_n=10, psu="psu",
                 lonely_psu="fail", confidence=0.95, **kw)  # fmt: skip


@pytest.mark.parametrize(
    ("query", "drop", "kwargs"),
    [
        ("weighted=0&variance=taylor&drop=SC11&level=AGG", ("SC11",), {"weighted": False}),
        ("weighted=1&variance=taylor&drop=SC23&drop=SC11_02&level=D2", ("SC11_02", "SC23"),
         {"weighted": True}),
        ("weighted=0&variance=bootstrap&level=D6", (), {"weighted": False, "variance": "bootstrap"}),
    ],
)  # fmt: skip
def test_whatif_numbers_are_scoring_score(
    scored: Scored, query: str, drop: tuple[str, ...], kwargs: dict[str, Any]
) -> None:
    frame, q = _frame(scored, scored.survey)
    s = _by_score(frame, q, drop, **kwargs)
    html = _whatif(scored, query)
    code = re.search(r"level=(\w+)", query).group(1)  # type: ignore[union-attr]
    table = s.composite.set_index("province") if code == "AGG" else _level(s.dimensions, code)
    _check_score_rows(_rows(html, "whatif-table"), table)
    # who moved: against score() with the same weighting and CI method, nothing dropped
    nominal = _by_score(frame, q, (), **kwargs)
    before = (nominal.composite if code == "AGG" else nominal.dimensions.query(
        f"dimension == '{code}'")).set_index("province")  # fmt: skip
    moved = (
        {r["province"]: r for r in _rows(html, "whatif-moves")} if "whatif-moves" in html else {}
    )
    for p in table.index.drop("VN"):
        r0, r1 = before.loc[p, "rank"], table.loc[p, "rank"]
        if r0 != r1 or before.loc[p, "group"] != table.loc[p, "group"]:
            assert int(moved[p]["rank-before"]) == r0 and int(moved[p]["rank-after"]) == r1
            assert int(moved[p]["change"]) == r0 - r1
        else:
            assert p not in moved


@pytest.mark.parametrize(
    ("query", "agg", "norm", "weights", "drop"),
    [
        ("agg=geometric&level=AGG", "geometric", "goalposts", {}, ()),
        ("norm=minmax&w_D1=2&w_D8=0.5&level=AGG", "arithmetic", "minmax", {"D1": 2.0, "D8": 0.5},
         ()),
        ("agg=geometric&norm=rank&drop=SC32&level=D3", "geometric", "rank", {}, ("SC32",)),
    ],
)  # fmt: skip
def test_whatif_numbers_are_the_sensitivity_engine(
    scored: Scored, query: str, agg: str, norm: str, weights: dict[str, float],
    drop: tuple[str, ...],
) -> None:  # fmt: skip
    """Scores, CIs, ranks, rank intervals and groups of a view outside PAPI's arithmetic are
    ``nominal_uncertainty`` of the engine on the job's seed, with the console's replicates."""
    frame, q = _frame(scored, scored.survey)
    data = microdata_input(frame, whatif.reduced(q, drop), replicates=whatif.REPLICATES, rng=0,
                           estimates=("unweighted",), psu="psu", min_n=10)  # fmt: skip
    how = (Aggregation(method=agg),)  # type: ignore[arg-type]
    spec = Spec(
        normalisation=(norm,),  # type: ignore[arg-type]
        aggregation={"subdimension": how, "dimension": how, "index": how},
        weights=SpecWeights(schemes=("user",), user=weights) if weights else SpecWeights(),
    )
    design = Design(data, spec)
    out = design.evaluate(design.nominal())
    values = np.column_stack([out.aggregate[0], out.dimensions[0]])
    rank, groups = ranks_and_groups(values)
    labels = group_labels(groups)
    lib = nominal_uncertainty(design, confidence=0.95, ci_dist="t", draws=1000, rng=0)
    np.testing.assert_array_equal(lib.est, values)  # the engine's own nominal run
    code = re.search(r"level=(\w+)", query).group(1)  # type: ignore[union-attr]
    j = 0 if code == "AGG" else 1 + list(data.dimensions).index(code)
    html = _whatif(scored, "weighted=0&" + query)
    assert "sensitivity engine" in html
    assert f"CIs from {whatif.REPLICATES} bootstrap replicates" in html
    assert "always use the bootstrap" in html
    rows = _rows(html, "whatif-table")
    assert [r["province"] for r in rows] == sorted(
        data.provinces, key=lambda p: rank[data.provinces.index(p), j]
    )
    for r in rows:
        i = data.provinces.index(r["province"])
        assert _close(r["est"], values[i, j])
        assert int(r["rank"]) == rank[i, j]
        assert r["group"] == (labels[i, j] or "")
    table = lib.table()
    table = table[table["code"] == lib.codes[j]].set_index("province")
    assert table["lci"].notna().all() and table["rank_lci"].notna().all()
    _check_score_rows(rows, table)


def test_whatif_bad_choices_are_422_naming_them(scored: Scored) -> None:
    base = f"/console/surveys/{scored.survey}/scores/{scored.job}/whatif"
    for query, words in (
        ("agg=geometric&norm=zscore", "positive inputs"),
        ("drop=SC11&drop=SC12&drop=SC13&drop=SC14", "D1 keeps no sub-dimension"),
        ("w_D1=-3", "expected a number from 0 to 10"),
        ("variance=magic", "expected one of taylor, bootstrap"),
        ("drop=XX9", "neither an indicator nor a sub-dimension"),
    ):
        r = scored.client.get(f"{base}?{query}")
        assert r.status_code == 422, query
        assert words in unescape(r.text), (query, r.text[-3000:])


def _cached_frame(survey: int) -> Any:
    """The what-if's cached (version, frame, questionnaire) of ``survey`` (its process-cache
    key is the database and the survey, without rejected interviews)."""
    from api.console import whatif as w

    entries = w._frames._entries.items()
    hits = [v for (k, rejected), (v, _) in entries if k[1] == survey and not rejected]
    assert len(hits) == 1
    return hits[0]


def test_the_frame_cache_follows_new_submissions(scored: Scored) -> None:
    base = f"/console/surveys/{scored.survey}/scores/{scored.job}"
    first = _rows(_whatif(scored, "level=AGG&drop=SC21"), "whatif-table")
    version, frame, _ = _cached_frame(scored.survey)
    rows_before = len(frame)
    # one more interview arrives: the next what-if reads it
    sid = scored.survey
    from survey.simulate import simulate
    from survey.simulate.submissions import submissions

    sim = simulate(2021, rng=99, provinces=["P12"], interviews=2)
    doc = next(iter(submissions(sim, rng=99)))
    doc["location"] = dict(doc["location"])
    r = scored.client.post(f"/api/v1/surveys/{sid}/submissions", json=doc, headers=scored.admin)
    assert r.status_code == 201, r.text[:500]
    again = _rows(_whatif(scored, "level=AGG&drop=SC21"), "whatif-table")
    assert _cached_frame(sid)[0] != version
    assert len(_cached_frame(sid)[1]) == rows_before + 1
    assert [r["est"] for r in again] != [r["est"] for r in first]
    assert scored.client.get(f"{base}/whatif?level=AGG&drop=SC21").status_code == 200


def test_scores_pages_follow_the_api_rights(scored: Scored) -> None:
    c = scored.client
    r = c.post(
        "/api/v1/tokens",
        json={"name": "sup-scores", "role": "supervisor", "survey_id": scored.survey},
        headers=scored.admin,
    )
    token = r.json()["token"]
    other = TestClient(c.app)
    other.post("/console/sign-in", data={"token": token})
    # a supervisor may not score (Action.score: admin and analyst)
    page = other.get(f"/console/surveys/{scored.survey}/scores/{scored.job}")
    assert page.status_code == 403
    assert other.get(f"/console/surveys/{scored.pilot}/scores").status_code == 404


def test_a_running_job_shows_its_progress_bar_and_stage(scored: Scored) -> None:
    """The status fragment a job page polls: the stored fraction as a <progress> with its
    percentage as text, and the stage in words (English, then Vietnamese)."""
    import sqlalchemy as sa

    from api.console.i18n import STRINGS
    from api.db.models import JobRow

    engine = sa.create_engine(scored.settings.database_url)
    where = JobRow.id == scored.pilot_job
    with engine.connect() as c:
        before = c.execute(
            sa.select(JobRow.status, JobRow.progress, JobRow.stage, JobRow.finished_at).where(where)
        ).one()
    try:
        with engine.begin() as c:
            c.execute(
                sa.update(JobRow)
                .where(where)
                .values(status="running", progress=0.42, stage="scoring", finished_at=None)
            )
        path = f"/console/surveys/{scored.pilot}/scores/{scored.pilot_job}/status"
        html = scored.client.get(path).text
        bar = re.search(r'<progress id="job-progress" max="100" value="(\d+)"[^>]*>(.*?)<', html)
        assert bar and bar.groups() == ("42", "42%")
        assert STRINGS["job_stage_scoring"][0] + " · " in html
        vi = scored.client.get(path, headers={"Accept-Language": "vi"}).text
        assert STRINGS["job_stage_scoring"][1] + " · " in vi
    finally:
        with engine.begin() as c:
            c.execute(
                sa.update(JobRow)
                .where(where)
                .values(
                    status=before[0], progress=before[1], stage=before[2], finished_at=before[3]
                )
            )
        engine.dispose()


def test_every_job_stage_has_its_words_in_both_languages() -> None:
    from api.console.i18n import STRINGS
    from api.jobs.schemas import JobOut
    from api.jobs.scoring_adapter import STAGES

    description = JobOut.model_fields["stage"].description or ""
    for stage in STAGES:
        en, vi = STRINGS[f"job_stage_{stage}"]
        assert en and vi and en != vi, stage
        assert stage in description, stage


def test_the_pooled_row_is_national_by_scorings_rule(scored: Scored) -> None:
    """The pooled row ``VN`` is called national exactly when scoring says so
    (``scoring.index.results.is_national``, as the CLI and the report): on the job page and
    in the what-if of a five-province survey it is all respondents; on a table of every
    province of the geography, national."""
    from api.console import scores as console_scores
    from api.console.i18n import translator
    from api.console.routes import _env
    from survey.geography import vintage

    assert not _result(scored, scored.survey, scored.job).is_national()
    job = scored.client.get(f"/console/surveys/{scored.survey}/scores/{scored.job}").text
    for html, table in ((job, "scores-table"), (_whatif(scored, "level=AGG"), "whatif-table")):
        (pooled,) = [r for r in _rows(html, table) if r["province"] == "VN"]
        assert pooled["cells"].split("|")[1] == "All respondents (pooled)", table
    codes = [*vintage("2018").codes, "VN"]
    every = pd.DataFrame(
        {
            "province": codes,
            "code": "AGG",
            "est": np.linspace(40.0, 50.0, len(codes)),
            "lci": 35.0,
            "uci": 55.0,
            "rank": [*range(1, len(codes)), None],
            "rank_lci": None,
            "rank_uci": None,
            "group": None,
        }
    )
    choices = whatif.Choices(drop=(), weighted=True, variance="taylor")
    outcome = whatif.Outcome(choices, every, "score", (), len(codes))
    view = console_scores.whatif_view(outcome, outcome, "AGG", {})
    assert view["national"]
    for lang, label in (("en", "National"), ("vi", "Toàn quốc")):
        charts = _env.get_template("_score_charts.html").make_module(
            {"t": translator(lang), "national": view["national"]}
        )
        html = str(charts.score_table("t", view["rows"], "caption", None))  # type: ignore[attr-defined]
        (pooled,) = [r for r in _rows(html, "t") if r["province"] == "VN"]
        assert pooled["cells"].split("|")[1] == label
    few = every[every["province"].isin(["P01", "P02", "VN"])]
    assert not console_scores.whatif_view(
        whatif.Outcome(choices, few, "score", (), 3), outcome, "AGG", {}
    )["national"]
