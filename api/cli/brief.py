"""``papi brief``: a province's action brief (docs/brief.md): where it stands, where it
loses points, what it takes to move up, what changed. HTML (en/vi) and JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from survey.errors import PapiError
from survey.rng import DEFAULT_SEED

if TYPE_CHECKING:
    from scoring import IndexScores

EPILOG = (
    "Examples:\n\n"
    "  papi brief --province P20 --year 2018 --out hai-phong-2018.html\n\n"
    "  papi brief --province P31 --year 2023 --lang vi --reference best\n\n"
    "  papi brief scores/ --province P20 --previous scores-2022/\n\n"
    "  papi brief pilot-scores/ --province P01 --year 2024   (a pilot placed among the "
    "published provinces, compared with its province)"
)


class ReferenceChoice(StrEnum):
    next_group = "next_group"
    top10 = "top10"
    best = "best"
    median = "median"


def brief_command(
    scores: Annotated[
        Path | None,
        typer.Argument(help="Scores of `papi score --out DIR` (the directory or scores.json)."),
    ] = None,
    province: Annotated[str, typer.Option(help="Province code, P01…P63.")] = "",
    year: Annotated[
        int | None,
        typer.Option(
            help="Published year: the brief of the published scores, or the field a pilot is "
            "placed in (default for a pilot: the latest year of its questionnaire)."
        ),
    ] = None,
    previous: Annotated[
        Path | None, typer.Option(help="Scores of an earlier survey, for 'what changed'.")
    ] = None,
    previous_year: Annotated[
        int | None,
        typer.Option(help="Published year to compare with (default: the year before --year)."),
    ] = None,
    reference: Annotated[
        ReferenceChoice, typer.Option(help="Reference of 'where the points are lost'.")
    ] = ReferenceChoice.next_group,
    lang: Annotated[str, typer.Option(help="Language: en or vi.")] = "en",
    out: Annotated[
        Path | None, typer.Option(help="HTML file (the JSON goes next to it, .json).")
    ] = None,
    seed: Annotated[
        int, typer.Option(min=0, help="Seed of the draws behind probabilities (printed).")
    ] = DEFAULT_SEED,
) -> None:
    """Write a province's brief: aggregate, rank and group with the distances to the next
    group, the top 10 and the median; the gap to a reference decomposed by dimension,
    sub-dimension and indicator; the smallest improvement that moves it up; the changes
    since the previous year."""
    from api.cli.report import load_scores, published_scores
    from api.reporting.brief import BriefContext, brief_json, render_brief
    from api.reporting.brief_text import text
    from scoring.brief import Field, build_brief
    from scoring.index.groups import MIN_GROUP_UNITS
    from survey.published import YEARS

    text(lang)  # an unknown language fails before any work
    err = Console(stderr=True)
    if not province:
        raise PapiError("give --province (P01…P63), e.g. --province P20", code="usage")
    if scores is None and year is None:
        raise PapiError(
            "give a scores directory (papi score --out DIR) or --year YEAR for the published "
            "scores, e.g. papi brief --province P20 --year 2018",
            code="usage",
        )
    if previous is not None and previous_year is not None:
        raise PapiError("give at most one of --previous and --previous-year", code="usage")
    own = load_scores(scores) if scores is not None else None
    earlier = load_scores(previous) if previous is not None else None
    with err.status(f"building the brief of {province}"):
        if own is None:
            assert year is not None
            current = published_scores(year)
            field = Field.from_scores(current, province)
            source, field_year = "published", year
            if earlier is None:
                py = previous_year if previous_year is not None else year - 1
                if py in YEARS:
                    earlier, previous_label = published_scores(py), str(py)
                else:
                    previous_label = None
            else:
                previous_label = str(previous)
            brief = build_brief(field, scores=current, previous=earlier, rng=seed)
        else:
            scored = own.composite[
                (own.composite["province"] != "VN") & own.composite["est"].notna()
            ]
            if len(scored) >= MIN_GROUP_UNITS:
                field = Field.from_scores(own, province)
                source, field_year = "survey", None
                if earlier is None and previous_year is not None:
                    earlier = published_scores(previous_year)
                previous_label = (
                    str(previous) if previous is not None else str(previous_year or "") or None
                )
                brief = build_brief(
                    field,
                    scores=own,
                    previous=earlier,
                    definitions=_definitions(own, earlier),
                    rng=seed,
                )
            else:
                field_year = year or _latest_year(own.structure)
                published = published_scores(field_year)
                field = Field.pilot_in(published, own, province)
                source = "pilot"
                previous_label = str(field_year)
                brief = build_brief(field, scores=own, previous=published, current=own, rng=seed)
        ctx = BriefContext(
            source=source,
            year=field_year,
            previous=previous_label,
            reference=reference.value,
            structure=own.structure if own is not None else current.structure,
            confidence=(own if own is not None else current).confidence,
        )
        html = render_brief(brief, ctx, lang=lang)
        doc = brief_json(brief, ctx, lang=lang)
    path = out or Path(f"brief-{province}-{field_year or 'survey'}-{lang}.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    json_path = path.with_suffix(".json")
    json_path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    s = brief.standing
    err.print(
        f"{province}: {s.score:.2f}, rank {s.rank} of {s.provinces}, group {s.group or '—'}"
        + (f"; {s.to_next_group:.3f} points to the {s.next_group} group" if s.next_group else "")
        + f" (seed {seed})",
        highlight=False,
    )
    err.print(f"[green]Brief written:[/green] {path} and {json_path} (open the HTML in a browser)")


def _definitions(a: IndexScores, b: IndexScores | None) -> tuple[Any, Any] | None:
    """Indicator code → definition (kind, items, codes, criteria, eligibility, goalposts) of
    both results' questionnaires, so that an indicator whose definition changed between
    questionnaire years is listed as not compared; ``None`` when either is unknown."""
    from survey.questionnaire.loader import load_questionnaire

    if b is None or not a.structure or not b.structure:
        return None
    out = []
    for name in (a.structure, b.structure):
        try:
            q = load_questionnaire(name)
        except PapiError:
            return None
        out.append(
            {
                i.code: i.model_dump(exclude={"code", "name", "description", "source", "meta"})
                for i in q.structure.indicators
            }
        )
    return out[0], out[1]


def _latest_year(structure: str | None) -> int:
    """The latest published year whose structure is the questionnaire ``structure``."""
    from survey.published import QUESTIONNAIRES

    years = [y for y, q in QUESTIONNAIRES.items() if q == structure]
    if not years:
        raise PapiError(
            f"cannot tell which published year to place scores of {structure!r} in; pass "
            "--year YEAR (a published year of the same questionnaire)",
            code="usage",
        )
    return max(years)


def register(app: typer.Typer) -> None:
    app.command("brief", epilog=EPILOG)(brief_command)
