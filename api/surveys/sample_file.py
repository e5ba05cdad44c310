"""A survey's sample from a table, as ``papi sample --out`` writes it: the columns that make
``SampleUnit`` documents, and the ``POST /api/v1/surveys`` body validated by the API's own
model with a pointer (and the table row) for every invalid field. Used by ``papi sample
--survey-json``, ``papi survey create --sample`` and the console's survey form."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from survey.errors import NotFound, PapiError, Problem

if TYPE_CHECKING:
    import pandas as pd

    from api.surveys.schemas import SurveyCreate

ID_COLUMNS = ("province", "district", "commune", "village")
TEXT_COLUMNS = (*ID_COLUMNS, "stratum", "psu")
# the columns of a sample table that make the survey's sample (api.surveys.schemas.SampleUnit)
UNIT_COLUMNS = (
    "province",
    "district",
    "commune",
    "village",
    "prob_district",
    "prob_commune",
    "prob_village",
    "prob_person",
    "stratum",
    "psu",
    "quota",
    "former_province",  # 2025 geography only
)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def sample_units(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The survey's ``sample`` (``SampleUnit`` documents) from a sample table's columns of
    ``UNIT_COLUMNS``; empty cells are left out. Values are plain Python (JSON) types."""
    import pandas as pd

    cols = [c for c in UNIT_COLUMNS if c in table.columns]
    units: list[dict[str, Any]] = []
    for row in table.loc[:, cols].itertuples(index=False):
        unit: dict[str, Any] = {}
        for col, value in zip(cols, row, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            unit[col] = value.item() if hasattr(value, "item") else value
        units.append(unit)
    return units


def survey_spec(body: dict[str, Any], source: Path | None) -> SurveyCreate:
    """``body`` validated by the API's ``SurveyCreate``; every invalid field is listed with
    its JSON pointer (and, for ``source``, the table row and village it comes from)."""
    from pydantic import ValidationError

    from api.surveys.schemas import SurveyCreate

    try:
        return SurveyCreate.model_validate(body)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [str(p).replace("~", "~0").replace("/", "~1") for p in err.get("loc", ())]
            message = str(err.get("msg", "invalid value"))
            where = err.get("loc", ())
            if source is not None and len(where) >= 2 and where[0] == "sample":
                row = int(where[1])
                village = body["sample"][row].get("village")
                message += f" ({source} row {row + 2}, village {village!r})"
            problems.append(Problem("/" + "/".join(loc), str(err.get("type", "invalid")), message))
        raise PapiError.with_problems(
            f"the survey has {len(problems)} invalid field(s)", problems, code="request_invalid"
        ) from None


def read_sample(path: Path) -> list[dict[str, Any]]:
    """The survey's sample from a table (.csv or .parquet) such as ``papi sample --out``."""
    import pandas as pd

    if not path.is_file():
        raise NotFound(
            f"sample file {path} does not exist; draw one with `papi sample --out {path}`",
            code="sample_not_found",
        )
    try:
        if path.suffix.lower() == ".parquet":
            table = pd.read_parquet(path)
        else:
            table = pd.read_csv(path, dtype=dict.fromkeys(TEXT_COLUMNS, str))
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise PapiError(
            f"cannot read the sample {path}: {_first_line(exc)}", code="sample_invalid"
        ) from None
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in ID_COLUMNS if c not in table.columns]
    if missing:
        raise PapiError(
            f"the sample {path} lacks columns {missing}; it needs {list(ID_COLUMNS)} and may "
            "have prob_district, prob_commune, prob_village, prob_person, stratum, psu, quota "
            "(`papi sample --out` writes them)",
            code="sample_invalid",
        )
    return sample_units(table)
