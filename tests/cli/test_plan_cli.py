"""`papi plan` through the CLI: designs that reach a target, from a previous pilot's data
(`--from`) or the simulator; the plan file feeds `papi sample --plan`; bad input is a usage
error that says what to give."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli.main import _assemble
from survey.sampling import PAPI_RULES
from survey.simulate import simulate

runner = CliRunner()


def doc_of(out: str) -> dict[str, Any]:
    """The JSON document printed on stdout (stderr's one-line notes come first)."""
    parsed: dict[str, Any] = json.loads(out[out.index("{") :])
    return parsed


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(_assemble(), list(args))
    return result.exit_code, result.output  # stdout and stderr


@pytest.fixture(scope="module")
def pilot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A previous pilot of P01-D03: 8 communes × 2 villages × 24 interviews."""
    rules = PAPI_RULES.with_sizes(communes=8, villages=2)
    sim = simulate(2023, rng=3, pilot="P01-D03", rules=rules)
    path = tmp_path_factory.mktemp("pilot") / "pilot.parquet"
    sim.responses.to_parquet(path)
    return path


def test_plan_from_a_pilot_feeds_the_sample(pilot_file: Path, tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.json"
    code, out = run(
        "plan", "--pilot", "P01-D03", "--aggregate", "1.5", "--dimension", "0.5",
        "--from", str(pilot_file), "--out", str(plan_path), "--json",
    )  # fmt: skip
    assert code == 0, out
    doc = doc_of(out)
    assert doc == json.loads(plan_path.read_text())
    assert doc["place"] == "P01-D03" and doc["level"] == "district"
    assert str(pilot_file) in doc["components"]["source"]
    designs = doc["designs"]
    assert 1 <= len(designs) <= 5
    for d in designs:
        hw = d["half_width"]
        assert hw["PAPI"]["median"] <= 1.5
        assert max(v["median"] for k, v in hw.items() if k != "PAPI") <= 0.5
        assert hw["PAPI"]["p10"] < hw["PAPI"]["median"] < hw["PAPI"]["p90"]
        assert d["df"] == d["communes"] - 1 >= 3
        assert d["interviews"] == d["communes"] * d["villages"] * d["interviews_per_village"]
        assert d["enumerator_days"] == pytest.approx(d["interviews"] / 6, abs=0.05)
    assert [d["interviews"] for d in designs] == sorted(d["interviews"] for d in designs)
    # the sample takes design 2 as it is
    code, out = run("sample", "--plan", str(plan_path), "--design", "2", "--json")
    assert code == 0, out
    drawn = doc_of(out)
    chosen = designs[1]
    assert drawn["pilot"] == "P01-D03"
    assert drawn["villages"] == chosen["communes"] * chosen["villages"]
    assert drawn["interviews"] == chosen["interviews"]


def test_a_tighter_target_asks_for_more(pilot_file: Path) -> None:
    def cheapest(target: str) -> int:
        code, out = run(
            "plan", "--pilot", "P01-D03", "--aggregate", target, "--from", str(pilot_file),
            "--json", "--interviews-per-day", "8",
        )  # fmt: skip
        assert code == 0, out
        first = doc_of(out)["designs"][0]
        assert first["enumerator_days"] == pytest.approx(first["interviews"] / 8, abs=0.05)
        return int(first["interviews"])

    assert cheapest("1.0") > cheapest("2.0")


def test_plan_table_names_its_source(pilot_file: Path) -> None:
    code, out = run("plan", "--pilot", "P01-D03", "--aggregate", "1.5", "--from", str(pilot_file))
    assert code == 0, out
    said = " ".join(out.split())
    source = said.split("Variance components: ")[1].split(" note:")[0].split(" Designs")[0]
    assert source.startswith("the pilot data in") and source.endswith(".")
    assert "seed" not in source  # the simulator's seed plays no part in a district's pilot data
    assert "Designs for district P01-D03" in out


@pytest.mark.slow
def test_plan_from_the_simulator_names_its_seed() -> None:
    code, out = run("plan", "--pilot", "P01-D03", "--aggregate", "1.5", "--seed", "3")
    assert code == 0, out
    said = " ".join(out.split())
    assert "Variance components: the simulator calibrated to P01's" in said
    assert "(simulated with seed 3)." in said


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--aggregate", "1"], "--pilot DISTRICT or --province PROVINCE"),
        (["--pilot", "P01-D03", "--province", "P01", "--aggregate", "1"], "--pilot DISTRICT"),
    ],
)
def test_plan_needs_one_place(args: list[str], message: str) -> None:
    code, out = run("plan", *args)
    assert code == 2
    assert out.count("\n") == 1 and message in out  # one line (README: errors are one line)
    assert out.rstrip().endswith("see `papi plan --help`")


def test_plan_needs_a_target(pilot_file: Path) -> None:
    code, out = run("plan", "--pilot", "P01-D03", "--from", str(pilot_file))
    assert code == 1
    assert out.count("\n") == 1 and out.startswith("error: no target")


def test_sample_plan_rejects_a_missing_design(pilot_file: Path, tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.json"
    code, out = run(
        "plan", "--pilot", "P01-D03", "--aggregate", "1.5", "--from", str(pilot_file),
        "--designs", "2", "--out", str(plan_path),
    )  # fmt: skip
    assert code == 0, out
    code, out = run("sample", "--plan", str(plan_path), "--design", "3")
    assert code == 2 and "choose --design 1 to 2" in " ".join(out.split())
    code, out = run("sample", "--plan", str(plan_path), "--communes", "4")
    assert code == 2 and "leave --communes out" in " ".join(out.split())


@pytest.mark.slow
def test_plan_from_the_simulator() -> None:
    code, out = run("plan", "--pilot", "P01-D03", "--aggregate", "1.5", "--json")
    assert code == 0, out
    doc = doc_of(out)
    assert doc["components"]["source"].startswith("the simulator calibrated to P01's")
    assert doc["designs"]


@pytest.mark.slow
def test_plan_on_an_own_frame(tmp_path: Path) -> None:
    """The simulator runs on the example frame (the template filled in for Long Bien): its
    14 communes bound the designs, and the sample takes the plan with the same frame."""
    frame = Path(__file__).resolve().parents[2] / "fixtures" / "examples" / "long-bien.csv"
    plan_path = tmp_path / "plan.json"
    code, out = run(
        "plan", "--frame", str(frame), "--size-class", "large", "--pilot", "long bien",
        "--aggregate", "1.5", "--out", str(plan_path),
    )  # fmt: skip
    assert code == 0, out
    doc = json.loads(plan_path.read_text())
    assert doc["place"] == "P01-D04"
    assert doc["components"]["source"].endswith(
        "(30 simulated surveys of district P01-D04 in your frame)"
    )
    assert doc["designs"] and all(4 <= d["communes"] <= 14 for d in doc["designs"])
    assert f"next: papi sample --frame {frame} --size-class large --plan" in " ".join(out.split())
    code, out = run(
        "sample", "--frame", str(frame), "--size-class", "large", "--plan", str(plan_path),
        "--design", "1", "--json",
    )  # fmt: skip
    assert code == 0, out
    assert doc_of(out)["interviews"] == doc["designs"][0]["interviews"]


def test_plan_on_an_own_frame_needs_a_papi_province(tmp_path: Path) -> None:
    frame = tmp_path / "frame.csv"
    frame.write_text(
        "province,district,district_name,commune,village,population,adults,urban,"
        "district_seat,commune_seat\n"
        "HN,LB,Long Bien,C1,V1,1000,700,1,1,1\nHN,LB,Long Bien,C1,V2,800,500,1,1,0\n"
        "HN,LB,Long Bien,C2,V3,900,600,1,0,1\nHN,LB,Long Bien,C2,V4,700,400,1,0,0\n",
        encoding="utf-8",
    )
    code, out = run("plan", "--frame", str(frame), "--pilot", "Long Bien", "--aggregate", "2")
    assert code == 1 and "put the province's PAPI code, P01-P63" in " ".join(out.split())
    code, out = run("plan", "--pilot", "P01-D03", "--size-class", "large", "--aggregate", "2")
    assert code == 2 and "add --frame FILE" in out
