"""Places by name: `papi places search`, names and lower-case codes wherever a province or
district is asked for, nearest names for an unknown one, the synthetic-frame note and the
frame template (survey.places)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from api.cli.main import _assemble
from survey.places import bundled_places, normalise

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    res = runner.invoke(_assemble(), list(args), env={"COLUMNS": "200"})
    return res.exit_code, res.output


def test_normalise_drops_case_and_diacritics() -> None:
    assert normalise("Long Biên") == normalise("long bien") == "long bien"
    assert normalise("Đà Nẵng") == "da nang"


@pytest.mark.parametrize("text", ["Ha Noi", "hanoi", "Hà Nội", "p01", "P01"])
def test_province_by_name_or_code(text: str) -> None:
    assert bundled_places().resolve(text, "province").code == "P01"


def test_search_finds_names_with_or_without_diacritics() -> None:
    for text in ("Thua Thien Hue", "thừa thiên huế", "thua thien"):
        code, out = run("places", "search", text, "--json")
        assert code == 0, out
        found = json.loads(out[out.index("[") :])
        assert [p["code"] for p in found] == ["P31"], out


def test_search_of_a_named_district_in_a_frame(tmp_path: Path) -> None:
    frame = tmp_path / "long-bien.csv"
    pd.DataFrame(
        {
            "province": "P01", "district": "LB", "district_name": "Long Biên",
            "commune": ["C1", "C1", "C2", "C2"], "village": ["V1", "V2", "V3", "V4"],
            "population": [1000, 800, 900, 700], "adults": [700, 500, 600, 400],
            "urban": 1, "district_seat": [1, 1, 0, 0], "commune_seat": [1, 0, 1, 0],
        }
    ).to_csv(frame, index=False)  # fmt: skip
    for text in ("Long Bien", "long bien", "Long Biên"):
        code, out = run("places", "search", text, "--frame", str(frame), "--json")
        assert code == 0, out
        assert [p["code"] for p in json.loads(out)] == ["LB"]
    code, out = run(
        "sample", "--frame", str(frame), "--pilot", "long bien", "--size-class", "large", "--json"
    )
    assert code == 0, out
    assert json.loads(out)["pilot"] == "LB"


def test_search_finds_a_real_district_without_a_frame() -> None:
    """`papi places search "Long Bien"` (any case, with or without diacritics) finds the real
    district in the official list with its code and province, and says the bundled frame's
    districts are synthetic, so it is planned and sampled on its own frame."""
    for text in ("Long Bien", "long bien", "Long Biên"):
        code, out = run("places", "search", text, "--json")
        assert code == 0, out
        (row,) = json.loads(out[out.index("[") :])
        assert (row["gso_code"], row["province"], row["names"]) == (
            "004",
            "P01",
            ["Quận Long Biên"],
        )
        assert row["code"] is None and "--frame-template" in row["note"]
        code, out = run("places", "search", text)
        assert code == 0, out
        line = next(ln for ln in out.splitlines() if ln.startswith("004"))
        assert "Quận Long Biên" in line and "P01 Hanoi" in line
        # the note may be wrapped at the console's width (set when the console was made)
        assert "plan and sample it on its own frame" in " ".join(out.split())


def test_a_real_district_on_the_bundled_frame_says_to_give_its_frame() -> None:
    for command in (["sample"], ["plan", "--aggregate", "1.5"], ["simulate", "--out", "x.csv"]):
        code, out = run(*command, "--pilot", "long biên")
        assert code == 3, (command, out)
        assert (
            out.count("\n") == 1 and "is a real district (Quận Long Biên, GSO 004, in P01)" in out
        )
        assert "--frame" in out and "--frame-template" in out


def test_options_take_names_and_lower_case_codes() -> None:
    code, out = run("sample", "--provinces", "hà nội,hai phong", "--json")
    assert code == 0, out
    doc = json.loads(out[out.index("{") :])
    assert [p["province"] for p in doc["provinces"]] == ["P01", "P20"]
    code, out = run("sample", "--pilot", "p01-d03", "--json")
    assert code == 0, out
    assert json.loads(out[out.index("{") :])["pilot"] == "P01-D03"


def test_unknown_code_suggests_the_nearest_names() -> None:
    code, out = run("sample", "--provinces", "Hai Phng")
    assert code == 3
    assert out.count("\n") == 1 and "did you mean P20 Hai Phong" in out
    assert "P63" not in out  # not the list of every code


def test_the_bundled_frame_says_it_is_synthetic() -> None:
    code, out = run("sample", "--provinces", "P20")
    assert code == 0 and out.count("the bundled frame is synthetic") == 1


def test_frame_template_is_a_frame_to_fill_in(tmp_path: Path) -> None:
    path = tmp_path / "frame.csv"
    code, out = run("sample", "--frame-template", str(path))
    assert code == 0, out
    t = pd.read_csv(path, dtype=str)
    assert len(t) == 1 and {"province", "district", "village", "adults"} <= set(t.columns)
    # filled in with a second commune and village, it draws a pilot by the district's name
    more = t.iloc[[0, 0, 0, 0]].reset_index(drop=True)
    more["commune"] = ["C1", "C1", "C2", "C2"]
    more["village"] = ["V1", "V2", "V3", "V4"]
    more["commune_seat"] = ["1", "0", "1", "0"]
    more["district_seat"] = ["1", "1", "0", "0"]
    more.to_csv(path, index=False)
    code, out = run(
        "sample", "--frame", str(path), "--pilot", "Long Bien", "--size-class", "large", "--json"
    )
    assert code == 0, out
    assert json.loads(out)["villages"] == 4


def test_former_names_say_which_2025_province_they_joined() -> None:
    """A former province or district name resolves across the July 2025 reform."""
    code, out = run("places", "search", "Hai Duong")
    assert code == 0, out
    assert "P19" in out  # the former province, in the 63-province geography
    words = " ".join(out.split())  # as read, whatever the console's width wrapped
    assert "since 1 July 2025" in words and "N31" in words  # ... now part of Hai Phong
    code, out = run("places", "search", "Hai Duong", "--geography", "2025", "--json")
    assert code == 0, out
    (row,) = json.loads(out[out.index("[") :])
    assert row["code"] == "N31" and "Hai Phong" in row["names"]
    assert "Resolution 202/2025/QH15" in row["note"]
    code, out = run("places", "search", "Long Bien", "--geography", "2025", "--json")
    assert code == 0, out
    assert [r["code"] for r in json.loads(out[out.index("[") :])] == ["N01"]  # Hanoi


def test_province_names_resolve_in_the_2025_geography() -> None:
    from api.cli.places import province_codes

    assert province_codes("hai phong, Huế", "2025") == ["N31", "N46"]
    assert province_codes("hai phong", "2018") == ["P20"]
    with pytest.raises(Exception, match="did you mean"):
        province_codes("Hai Phongg", "2025")
