"""The published PAPI explorer without a browser: every number a page shows equals what
``scoring`` returns (``score_published`` for scores, ranks and groups; ``build_brief`` for
"what it takes"), the downloads carry the same numbers, and any signed-in role may browse."""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.console import CONSOLE_PATH
from api.console.i18n import STRINGS
from scoring import score_published
from scoring.brief import Field, build_brief
from survey.published import YEARS, provinces, subdimensions
from tests.api.support import Api

GROUP_KEY = {
    "high": "group_high",
    "high-average": "group_high_average",
    "low-average": "group_low_average",
    "low": "group_low",
}


def _scores(year: int) -> Any:
    return score_published(subdimensions(year))


def _sign_in(client: TestClient, token: str) -> None:
    r = client.post(f"{CONSOLE_PATH}/sign-in", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text


@pytest.fixture
def client(api: Api) -> Any:
    api.client.cookies.clear()
    _sign_in(api.client, api.admin["Authorization"].split(" ", 1)[1])
    yield api.client
    api.client.cookies.clear()


def _table(html: str, table_id: str) -> list[tuple[str, list[str]]]:
    """(data-* key, cell texts) of each body row of ``table_id``."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-[a-z]+="([^"]+)">(.*?)</tr>', body, flags=re.S)
    out = []
    for key, row in rows:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        out.append((key, [unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in cells]))
    return [(k, [" ".join(c) for c in cells]) for k, cells in out]


def _group(label: str | None) -> str:
    return STRINGS[GROUP_KEY[label]][0] if label else STRINGS["no_group"][0]


@pytest.mark.parametrize("year", YEARS)
def test_the_ranking_shows_what_score_published_returns(client: TestClient, year: int) -> None:
    s = _scores(year)
    levels = [("AGG", s.composite)] + [
        (d, s.dimensions[s.dimensions["dimension"] == d])
        for d in sorted(set(s.dimensions["dimension"]))
    ]
    for level, frame in levels:
        html = client.get(f"{CONSOLE_PATH}/published?year={year}&level={level}").text
        rows = dict(_table(html, "ranking"))
        assert len(rows) == len(frame) == 63
        for p, est, rank, group in frame[["province", "est", "rank", "group"]].itertuples(
            index=False
        ):
            rank_text, _name, score_text, group_text = rows[p]
            if pd.isna(est):
                assert (rank_text, score_text) == ("—", "—")
                continue
            assert score_text == f"{est:.2f}", (level, p)
            assert rank_text == str(int(rank)), (level, p)
            assert group_text == _group(group), (level, p)
        tiles = dict(re.findall(r'data-province="(P\d\d)" data-score="([^"]*)"', html))
        expect = {
            p: "" if pd.isna(e) else f"{e:.2f}"
            for p, e in zip(frame["province"], frame["est"], strict=True)
        }
        assert tiles == expect


def test_2023_has_thua_thien_hue_first_at_46_04(client: TestClient) -> None:
    html = client.get(f"{CONSOLE_PATH}/published?year=2023").text
    key, cells = _table(html, "ranking")[0]
    assert key == "P31" and cells[:3] == ["1", "Thua Thien Hue", "46.04"]
    assert 'data-province="P31" data-score="46.04" data-rank="1" data-group="high"' in html


def test_the_profile_shows_each_year_as_score_published_returns(client: TestClient) -> None:
    html = client.get(f"{CONSOLE_PATH}/published/provinces/P20?year=2018").text
    rows = dict(_table(html, "history"))
    assert sorted(rows) == [str(y) for y in YEARS]
    for year in YEARS:
        s = _scores(year)
        agg = s.composite.set_index("province").loc["P20"]
        cells = rows[str(year)]
        assert cells[1:4] == [f"{agg['est']:.2f}", str(int(agg["rank"])), _group(agg["group"])]
        dims = s.dimensions[s.dimensions["province"] == "P20"].set_index("dimension")
        for i, d in enumerate(f"D{j}" for j in range(1, 9)):
            assert cells[4 + i] == f"{dims.loc[d, 'est']:.2f} #{int(dims.loc[d, 'rank'])}"
    subs = dict(_table(html, "subdimensions"))
    published = _scores(2018).subdimensions
    mine = published[published["province"] == "P20"].set_index("subdimension")["est"]
    assert {k: v[-1] for k, v in subs.items()} == {k: f"{v:.3f}" for k, v in mine.items()}


@pytest.mark.parametrize(("province", "year"), [("P20", 2018), ("P31", 2023), ("P01", 2024)])
def test_what_it_takes_shows_the_brief(client: TestClient, province: str, year: int) -> None:
    html = client.get(f"{CONSOLE_PATH}/published/provinces/{province}?year={year}").text
    brief = build_brief(Field.from_scores(_scores(year), province))
    st = brief.standing
    section = html.split('id="takes"', 1)[1]
    assert f"<strong>{st.score:.2f}</strong>" in section
    assert f"<strong>{st.rank}</strong> / {st.provinces}" in section
    if st.next_group:
        assert f"<strong>{st.to_next_group:.3f}</strong>" in section.split('id="to-next"')[1]
    else:
        assert f"<strong>{st.group_cushion:.3f}</strong>" in section.split('id="cushion"')[1]
    assert len(brief.plans) == section.count('class="plan"')
    dims = dict(_table(section, "takes-dimensions"))
    assert len(dims) == len(st.dimensions)
    for d in st.dimensions:
        cells = dims[d.dimension]
        assert cells[1:4] == [f"{d.score:.2f}", str(int(d.rank)), _group(d.group)]
        if d.target:
            star = "" if d.feasible else " *"
            assert cells[4] == f"{d.points:.3f}{star} → {_group(d.target)}"
        else:
            assert cells[4] == "—"
    codes = list(brief.field.structure.subdimensions)
    for plan in brief.plans:
        rows = dict(_table(section, f"plan-{plan.target}"))
        for code, cells in rows.items():
            j = codes.index(code)
            assert cells[3] == (f"+{plan.focused[j]:.3f}" if plan.focused[j] > 0 else "")
            assert cells[4] == f"+{plan.balanced[j]:.3f}"
        assert set(rows) == {
            c for j, c in enumerate(codes) if plan.balanced[j] > 0 or plan.focused[j] > 0
        }


def test_hai_phong_2018_needs_0_258_points_to_leave_the_low_group(client: TestClient) -> None:
    html = client.get(f"{CONSOLE_PATH}/published/provinces/P20?year=2018").text
    section = html.split('id="to-next"', 1)[1]
    assert STRINGS["group_low_average"][0] in section.split("</p>")[0]
    assert "<strong>0.258</strong>" in section


def test_the_downloads_carry_the_library_numbers(client: TestClient) -> None:
    r = client.get(f"{CONSOLE_PATH}/published/ranking.csv?year=2023&level=D4")
    assert r.headers["content-type"].startswith("text/csv")
    got = pd.read_csv(io.StringIO(r.text)).set_index("province")
    s = _scores(2023).dimensions
    want = s[s["dimension"] == "D4"].set_index("province")
    got = got.loc[want.index]
    pd.testing.assert_series_equal(got["score"], want["est"], check_names=False, rtol=1e-12)
    assert (got["rank"] == want["rank"]).all()
    assert got["group"].fillna("").tolist() == want["group"].fillna("").tolist()
    r = client.get(f"{CONSOLE_PATH}/published/provinces/P31.csv")
    hist = pd.read_csv(io.StringIO(r.text))
    assert len(hist) == 9 * len(YEARS)
    row = hist[(hist["year"] == 2023) & (hist["level"] == "AGG")].iloc[0]
    assert (row["rank"], round(row["score"], 2), row["group"]) == (1, 46.04, "high")
    for path in (
        "/published/chart.svg?kind=map&year=2023",
        "/published/chart.svg?kind=bars&year=2023&level=D2",
        "/published/provinces/P31/trend.svg?chart=dimensions",
    ):
        r = client.get(CONSOLE_PATH + path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert (
            r.text.startswith('<?xml version="1.0"')
            and 'xmlns="http://www.w3.org/2000/svg"' in r.text
        )
        assert "attachment" in r.headers["content-disposition"]


def test_two_provinces_side_by_side(client: TestClient) -> None:
    html = client.get(f"{CONSOLE_PATH}/published/compare?a=P31&b=P20&year=2023").text
    rows = dict(_table(html, "side-by-side"))
    agg = _scores(2023).composite.set_index("province")["est"]
    assert rows["AGG"][1].startswith(f"{agg['P31']:.2f} #1")
    assert rows["AGG"][3] == f"{agg['P31'] - agg['P20']:+.2f}"
    assert len(rows) == 9


def test_bad_choices_are_clear_errors_not_500(client: TestClient) -> None:
    for path, status in (
        ("/published?year=2017", 404),
        ("/published?level=D9", 404),
        ("/published/provinces/P64", 404),
        ("/published/compare?a=P01&b=XX", 422),
        ("/published/chart.svg?kind=pie", 422),
    ):
        r = client.get(CONSOLE_PATH + path)
        assert r.status_code == status, path
        assert 'id="error-message"' in r.text


def test_any_signed_in_role_may_browse_and_vietnamese_names(api: Api) -> None:
    survey = api.survey()
    token = api.token("enumerator", survey)["Authorization"].split(" ", 1)[1]
    client = api.client
    client.cookies.clear()
    assert client.get(f"{CONSOLE_PATH}/published", follow_redirects=False).status_code == 303
    _sign_in(client, token)
    client.get(f"{CONSOLE_PATH}/lang/vi")
    html = client.get(f"{CONSOLE_PATH}/published/provinces/P31?year=2023").text
    assert '<html lang="vi">' in html
    name_vi = provinces().set_index("province").loc["P31", "name_vi"]
    assert f"<h1>{name_vi}" in html
    english = [en for en, vi in STRINGS.values() if en != vi and len(en) > 12]
    for page in (
        "/published?year=2023",
        "/published/provinces/P20?year=2018",
        "/published/compare",
    ):
        html = client.get(CONSOLE_PATH + page).text
        assert [en for en in english if en in html] == [], page
    client.cookies.clear()
