"""Real published PAPI provincial sub-dimension scores, 2018–2024.

The CSV files in ``fixtures/published/`` are verbatim copies of the published workbooks'
sub-dimension scores (fixtures/published/README.md says where they come from): one row per province (P01…P63), one
column per sub-dimension (SC11…SC83) on its published scale [1/k, 10/k]; an empty cell means
the sub-dimension did not exist that year or the province was not scored on it. An installed
wheel carries them as ``survey/data/published/`` (see :mod:`survey.datafiles`).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from survey.datafiles import DATA_ROOT, missing_hint
from survey.errors import NotFound

PUBLISHED_DIR = DATA_ROOT / "published"
PROVINCE_NAMES_VI = DATA_ROOT / "provinces_vi.csv"
YEARS: tuple[int, ...] = (2018, 2019, 2020, 2021, 2022, 2023, 2024)
QUESTIONNAIRES: dict[int, str] = {
    2018: "papi-2018",
    2019: "papi-2019",
    2020: "papi-2019",
    **dict.fromkeys((2021, 2022, 2023, 2024), "papi-2021"),
}
"""The bundled questionnaire whose index structure each published year has (its k per
dimension: 2018 without SC83, 2019–2020 with 29 sub-dimensions, 2021 on without SC52)."""


def _read(name: str) -> pd.DataFrame:
    path = PUBLISHED_DIR / name
    if not path.exists():
        raise NotFound(f"published data file {missing_hint(path)}")
    return pd.read_csv(path)


def questionnaire_of(year: int) -> str:
    """The questionnaire id of a published year's structure (``papi-2021`` for 2023)."""
    if year not in QUESTIONNAIRES:
        raise NotFound(
            f"no published PAPI scores for year {year}; available years: "
            f"{', '.join(map(str, YEARS))}",
            code="year_not_published",
        )
    return QUESTIONNAIRES[year]


@cache
def _subdimensions(year: int) -> pd.DataFrame:
    return _read(f"subdimensions_{year}.csv").rename(columns={"Province": "province"})


def subdimensions(year: int) -> pd.DataFrame:
    """Published sub-dimension scores of ``year``: column ``province`` plus SC11…SC83.

    Columns of sub-dimensions that did not exist that year are dropped.
    """
    if year not in YEARS:
        raise NotFound(
            f"no published PAPI scores for year {year}; available years: "
            f"{', '.join(map(str, YEARS))}",
            code="year_not_published",
        )
    frame = _subdimensions(year)
    keep = ["province", *[c for c in frame.columns[1:] if frame[c].notna().any()]]
    return frame.loc[:, keep].copy()


@cache
def _provinces() -> pd.DataFrame:
    names = _read("provinces.csv").rename(
        columns={"Variable_Code": "province", "Variable_Name": "name"}
    )
    if not PROVINCE_NAMES_VI.exists():
        raise NotFound(f"province names file {missing_hint(PROVINCE_NAMES_VI)}")
    return names.merge(
        pd.read_csv(PROVINCE_NAMES_VI), on="province", how="left", validate="one_to_one"
    )


def provinces() -> pd.DataFrame:
    """Province codes (P01…P63, official GSO order) with English (``name``) and
    Vietnamese (``name_vi``) names."""
    return _provinces().copy()


@cache
def _codebook() -> pd.DataFrame:
    cb = _read("subdimensions_codebook.csv").rename(
        columns={
            "Variable_Code": "subdimension",
            "Variable_Name": "name",
            "Criteria_Name": "dimension_name",
            "Criteria_Code": "criteria_code",
        }
    )
    cb["dimension"] = "D" + cb["subdimension"].str[2]
    return cb


def codebook() -> pd.DataFrame:
    """Sub-dimension code → name → dimension (D1…D8) with the dimension's name."""
    return _codebook().copy()
