"""A user's villages table for the simulator: ``with_default_margins`` fills what the table
does not carry (post-stratification targets, Kinh share) from its province in the bundled
frame, scaled to the table's adults, and keeps what a frame already has; ``Frame.replicated``
copies a frame whose ids do not start with the province code."""

from __future__ import annotations

import pandas as pd
import pytest

from survey.errors import SamplingError
from survey.sampling import frame_from_table, load_frame, with_default_margins


def own_table() -> pd.DataFrame:
    return load_frame().pilot("P31-D02").villages.drop(columns="capital")


def test_margins_are_the_provinces_scaled_to_the_frames_adults() -> None:
    own = frame_from_table(own_table(), size_class="small")
    assert own.poststrata.empty and own.provinces["kinh_share"].isna().all()
    done = with_default_margins(own)
    bundled = load_frame().pilot("P31-D02")  # scales the province's margins the same way
    key = ["province", "sex", "age_group"]
    got = done.poststrata.sort_values(key).reset_index(drop=True)
    want = bundled.poststrata.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.loc[:, want.columns], want, check_dtype=False)
    assert got["population"].sum() == pytest.approx(own.villages["adults"].sum())
    assert done.provinces["kinh_share"].tolist() == bundled.provinces["kinh_share"].tolist()
    assert with_default_margins(bundled) is bundled  # a complete frame is kept as it is


def test_a_province_the_bundled_frame_does_not_know_says_what_to_do() -> None:
    table = own_table().assign(province="HUE")
    with pytest.raises(SamplingError, match="use the province's PAPI code"):
        with_default_margins(frame_from_table(table, size_class="small"))


def test_copies_of_a_frame_with_its_own_ids() -> None:
    table = own_table()
    for col in ("district", "commune", "village"):
        table[col] = "x" + table[col].str.slice(start=3)  # ids without the province code
    copies = frame_from_table(table, size_class="small").replicated(2)
    v = copies.villages
    assert sorted(v["province"].unique()) == ["P31.001", "P31.002"]
    assert v["village"].str.startswith(("P31.001/x", "P31.002/x")).all()
    assert v["village"].nunique() == 2 * len(table)
    assert (v.groupby("province")["commune"].nunique() == table["commune"].nunique()).all()
