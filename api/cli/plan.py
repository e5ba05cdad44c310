"""``papi plan``: how big must a pilot (or a provincial survey) be for a target precision.

The arithmetic is ``scoring.plan`` (docs/planning.md); this module reads the options, picks
where the variance components come from (the simulator by default, ``--from`` a previous
pilot) and prints or writes the proposed designs. ``papi sample --plan plan.json`` draws the
chosen one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from survey.errors import PapiError
from survey.rng import DEFAULT_SEED

if TYPE_CHECKING:
    from scoring.plan import Plan, Prediction
    from survey.sampling import Frame

console = Console()
err_console = Console(stderr=True)
DEFAULT_YEAR = 2023


def _band(pred: Prediction, code: str) -> str:
    return f"{pred.median[code]:.2f} ({pred.low[code]:.2f}-{pred.high[code]:.2f})"


def _table(p: Plan) -> Table:
    from rich import box

    from scoring.index.results import COMPOSITE_CODE

    where = f"district {p.place.code}" if p.place.pilot else f"province {p.place.code}"
    shape = "communes×villages×interviews" if p.place.pilot else "districts×comm.×vill.×interv."
    t = Table(
        title=f"Designs for {where} ({shape}), cheapest first",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    t.add_column("#", justify="right")
    t.add_column("Design")
    for col in ("Interviews", "Days", "df"):
        t.add_column(col, justify="right")
    t.add_column("Aggregate ±")
    t.add_column("Widest dimension ±")
    for i, pred in enumerate(p.designs, 1):
        d = pred.design
        sizes: tuple[int, ...] = (d.communes, d.villages, d.interviews)
        if not p.place.pilot:
            sizes = (d.districts, *sizes)
        dims = [c for c in pred.median if c != COMPOSITE_CODE]
        widest = max(dims, key=lambda c: pred.median[c])
        t.add_row(
            str(i),
            "×".join(map(str, sizes)),
            f"{d.total_interviews:,}",
            f"{pred.enumerator_days:.0f}",
            str(d.df),
            _band(pred, COMPOSITE_CODE),
            f"{_band(pred, widest)} {widest}",
        )
    return t


def plan(
    pilot: Annotated[
        str | None,
        typer.Option(help="Plan a pilot of one district, by code or name, e.g. P01-D03."),
    ] = None,
    province: Annotated[
        str | None, typer.Option(help="Plan a survey of one province, by code or name, e.g. P20.")
    ] = None,
    aggregate: Annotated[
        float | None,
        typer.Option(help="Target 95% CI half-width of the aggregate (8-80 scale), e.g. 1.5."),
    ] = None,
    dimension: Annotated[
        float | None,
        typer.Option(help="Target 95% CI half-width of every dimension (1-10 scale), e.g. 0.5."),
    ] = None,
    from_path: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A previous pilot's respondent table (.parquet or .csv): its commune, village "
            "and respondent variance components (default: the simulator's).",
        ),
    ] = None,
    year: Annotated[
        int,
        typer.Option(help="Published year the simulator is calibrated to (2018-2024)."),
    ] = DEFAULT_YEAR,
    questionnaire: Annotated[
        str | None,
        typer.Option(help="Questionnaire of the --from data (default: the year's)."),
    ] = None,
    frame_path: Annotated[
        Path | None,
        typer.Option(
            "--frame",
            help="Your own frame (.csv/.parquet, papi sample --frame-template): the simulator "
            "runs on its communes and villages, which also set the design's weights (default: "
            "the bundled synthetic frame).",
        ),
    ] = None,
    size_class: Annotated[
        str | None,
        typer.Option(
            help="With --frame: size class of its province, small | medium | large, as for "
            "`papi sample` (a district of Ha Noi: large)."
        ),
    ] = None,
    interviews_per_day: Annotated[
        float,
        typer.Option(min=0.5, help="Completed interviews per enumerator per day."),
    ] = 6.0,
    designs: Annotated[int, typer.Option(min=1, max=20, help="Designs to propose.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the simulated calibration.")] = DEFAULT_SEED,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the plan (.json) for `papi sample --plan`."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Propose designs (communes × villages × interviews) that reach a target precision.

    For each design: the expected 95% CI half-widths of the aggregate and the widest
    dimension (median, and the 10th-90th percentile range over pilots), the design's degrees
    of freedom, interviews and enumerator-days. The variance components come from the
    simulator calibrated to the place's published scores, or from a previous pilot (--from).

    Example: papi plan --pilot P01-D03 --aggregate 1.5 --dimension 0.5 --out plan.json
    """
    from scoring import plan as planning
    from survey.sampling import read_frame

    if (pilot is None) == (province is None):
        raise typer.BadParameter(
            "give the place: --pilot DISTRICT or --province PROVINCE", param_hint="--pilot"
        )
    if out is not None and out.suffix.lower() != ".json":
        raise typer.BadParameter(f"{out}: expected a .json file", param_hint="--out")
    target = planning.Target(aggregate=aggregate, dimension=dimension)
    from api.cli.places import district_code, places_of, province_codes, say_synthetic

    if frame_path is None and size_class is not None:
        raise typer.BadParameter(
            "applies to your own frame; add --frame FILE", param_hint="--size-class"
        )
    frame = read_frame(frame_path, size_class) if frame_path is not None else None
    places = places_of(frame, frame_path)
    if pilot is not None:
        code = district_code(pilot, places)
    else:
        (code,) = province_codes(province or "", places=places)
    place = planning.place_of(code, frame, pilot=pilot is not None)
    with err_console.status("estimating variance components…"):
        if from_path is None:
            comps = planning.simulated_components(
                code, year, rng=seed, pilot=place.pilot, frame=frame
            )
            simulated = True
        else:
            comps, simulated = _from_pilot(
                from_path, questionnaire, year, code, seed, place.pilot, frame
            )
        result = planning.plan(
            place, target, comps, interviews_per_day=interviews_per_day, designs=designs
        )
    if frame is None:
        say_synthetic()
    doc = result.to_json()
    doc["year"] = year
    doc["interviews_per_day"] = interviews_per_day
    doc["seed"] = seed  # of the simulated calibration (printed below)
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            raise PapiError(f"cannot write {out}: {exc.strerror}", code="write_failed") from None
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    own = "" if frame_path is None else f" --frame {frame_path}"
    own += "" if size_class is None else f" --size-class {size_class}"
    _print(result, doc, out, own, simulated)


def _from_pilot(
    path: Path,
    questionnaire: str | None,
    year: int,
    code: str,
    seed: int,
    pilot: bool,
    frame: Frame | None,
) -> tuple[Any, bool]:
    """The pilot's components, and whether the simulator's (drawn with ``seed``) filled in
    one the pilot cannot show (a province's district component)."""
    from api.cli.score import read_responses
    from scoring import plan as planning
    from survey.questionnaire.loader import load_questionnaire
    from survey.simulate.simulator import questionnaire_for_year

    data = read_responses(path)
    q = load_questionnaire(questionnaire or questionnaire_for_year(year))
    comps = planning.estimate_components(data, q, source=f"the pilot data in {path}")
    if pilot or not comps.notes:
        return comps, False
    # a province needs the district component, which a one-district pilot cannot show
    fallback = planning.simulated_components(code, year, rng=seed, pilot=False, frame=frame)
    return planning.combine_components(comps, fallback), True


def _print(result: Plan, doc: dict[str, Any], out: Path | None, own: str, simulated: bool) -> None:
    """The plan as a table; ``own``: the --frame (and --size-class) options the sample
    needs too; ``simulated``: the simulator (and so the seed) gave some of the components."""
    t = result.target
    wanted = " and ".join(
        s
        for s in (
            f"aggregate ±{t.aggregate:g}" if t.aggregate is not None else "",
            f"every dimension ±{t.dimension:g}" if t.dimension is not None else "",
        )
        if s
    )
    console.print(f"Target: 95% CI half-width {wanted}.", highlight=False)
    console.print(
        f"Variance components: {escape(result.components.source)}"
        + (f" (simulated with seed {doc['seed']})." if simulated else "."),
        highlight=False,
    )
    for note in (*result.components.notes, *result.notes):
        console.print(f"note: {escape(note)}", highlight=False)
    if not result.designs:
        raise PapiError(
            "no design reaches the target in this place; widen the target (--aggregate, "
            "--dimension) or plan a larger place",
            code="target_unreachable",
        )
    console.print(_table(result))
    console.print(
        "± is the expected half-width: the median over pilots, and in brackets the range 80% "
        "of pilots fall in. Days: enumerator-days at the --interviews-per-day rate.",
        highlight=False,
    )
    if out is not None:
        console.print(f"[green]wrote[/green] plan: {escape(str(out))}", highlight=False)
        console.print(
            f"next: papi sample{own} --plan {out} --design 1 --out sample.csv "
            "--residents residents.csv",
            highlight=False,
            markup=False,
        )
    else:
        console.print("next: write the plan with --out plan.json, then papi sample"
                      f"{own} --plan plan.json --design 1", highlight=False, markup=False)  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
