"""The bundled geography against Resolution 202/2025/QH15 and the official code list."""

from __future__ import annotations

import pandas as pd
import pytest

from survey.errors import NotFound, PapiError
from survey.geography import (
    crosswalk,
    former_to_new,
    geography_of,
    members,
    parse_geography,
    to_new,
    vintage,
)
from survey.published import provinces as published_provinces

# Resolution 202/2025/QH15, Article 1: the 11 provinces it leaves as they are
UNCHANGED = {
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh",
    "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng",
}  # fmt: skip
# ... and the 23 it forms, each from the provinces listed (new name: former names)
MERGED = {
    "Tuyên Quang": {"Tuyên Quang", "Hà Giang"},
    "Lào Cai": {"Lào Cai", "Yên Bái"},
    "Thái Nguyên": {"Thái Nguyên", "Bắc Kạn"},
    "Phú Thọ": {"Phú Thọ", "Vĩnh Phúc", "Hòa Bình"},
    "Bắc Ninh": {"Bắc Ninh", "Bắc Giang"},
    "Hưng Yên": {"Hưng Yên", "Thái Bình"},
    "Hải Phòng": {"Hải Phòng", "Hải Dương"},
    "Ninh Bình": {"Ninh Bình", "Hà Nam", "Nam Định"},
    "Quảng Trị": {"Quảng Trị", "Quảng Bình"},
    "Đà Nẵng": {"Đà Nẵng", "Quảng Nam"},
    "Quảng Ngãi": {"Quảng Ngãi", "Kon Tum"},
    "Gia Lai": {"Gia Lai", "Bình Định"},
    "Khánh Hòa": {"Khánh Hòa", "Ninh Thuận"},
    "Lâm Đồng": {"Lâm Đồng", "Đắk Nông", "Bình Thuận"},
    "Đắk Lắk": {"Đắk Lắk", "Phú Yên"},
    "TP. Hồ Chí Minh": {"TP. Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"},
    "Đồng Nai": {"Đồng Nai", "Bình Phước"},
    "Tây Ninh": {"Tây Ninh", "Long An"},
    "Cần Thơ": {"Cần Thơ", "Sóc Trăng", "Hậu Giang"},
    "Vĩnh Long": {"Vĩnh Long", "Bến Tre", "Trà Vinh"},
    "Đồng Tháp": {"Đồng Tháp", "Tiền Giang"},
    "Cà Mau": {"Cà Mau", "Bạc Liêu"},
    "An Giang": {"An Giang", "Kiên Giang"},
}
# Decision 19/2025/QĐ-TTg: the code of each new province
CODES_2025 = {
    "Hà Nội": "01", "Cao Bằng": "04", "Tuyên Quang": "08", "Điện Biên": "11", "Lai Châu": "12",
    "Sơn La": "14", "Lào Cai": "15", "Thái Nguyên": "19", "Lạng Sơn": "20", "Quảng Ninh": "22",
    "Bắc Ninh": "24", "Phú Thọ": "25", "Hải Phòng": "31", "Hưng Yên": "33", "Ninh Bình": "37",
    "Thanh Hóa": "38", "Nghệ An": "40", "Hà Tĩnh": "42", "Quảng Trị": "44", "Huế": "46",
    "Đà Nẵng": "48", "Quảng Ngãi": "51", "Gia Lai": "52", "Khánh Hòa": "56", "Đắk Lắk": "66",
    "Lâm Đồng": "68", "Đồng Nai": "75", "TP. Hồ Chí Minh": "79", "Tây Ninh": "80",
    "Đồng Tháp": "82", "Vĩnh Long": "86", "An Giang": "91", "Cần Thơ": "92", "Cà Mau": "96",
}  # fmt: skip


def _named() -> pd.DataFrame:
    p18 = vintage("2018").provinces.set_index("province")["name_vi"]
    p25 = vintage("2025").provinces.set_index("province")["name_vi"]
    cw = crosswalk()
    return cw.assign(former_name=cw["former"].map(p18), new_name=cw["new"].map(p25))


def test_crosswalk_matches_the_resolution() -> None:
    cw = _named()
    assert len(vintage("2018").provinces) == 63
    assert len(vintage("2025").provinces) == 34
    # each former province in exactly one new one
    assert cw["former"].is_unique
    assert set(cw["former"]) == set(vintage("2018").codes)
    assert set(cw["new"]) == set(vintage("2025").codes)
    groups = {new: set(g["former_name"]) for new, g in cw.groupby("new_name")}
    unchanged = {new for new, formers in groups.items() if len(formers) == 1}
    assert unchanged == UNCHANGED
    merged = {new: formers for new, formers in groups.items() if len(formers) > 1}
    assert len(merged) == 23
    assert merged == MERGED
    assert all(len(f) in (2, 3) for f in merged.values())
    # Thừa Thiên Huế (a city since 1 January 2025) is Huế
    assert groups["Huế"] == {"Thừa Thiên Huế"}


def test_codes_are_the_official_ones() -> None:
    p25 = vintage("2025").provinces
    assert dict(zip(p25["name_vi"], p25["gso_code"], strict=True)) == CODES_2025
    assert (p25["province"] == "N" + p25["gso_code"]).all()
    # the new province keeps the code of the former province that holds its seat
    cw = crosswalk()
    gso18 = vintage("2018").provinces.set_index("province")["gso_code"]
    seats = cw.loc[cw["seat"]]
    assert seats["new"].is_unique and len(seats) == 34
    assert (seats["former"].map(gso18) == seats["new"].str[1:]).all()
    assert members("N31") == ["P20", "P19"]


def test_2018_vintage_agrees_with_the_published_province_list() -> None:
    p18 = vintage("2018").provinces
    pub = published_provinces()
    assert list(p18["province"]) == list(pub["province"])
    assert list(p18["name_en"]) == list(pub["name"])
    assert list(p18["name_vi"]) == list(pub["name_vi"])
    assert p18["gso_code"].is_unique


def test_lower_units() -> None:
    communes = vintage("2025").units
    assert len(communes) == 3321  # 2,621 communes, 687 wards, 13 special zones
    assert communes["type"].value_counts().to_dict() == {"xã": 2621, "phường": 687, "đặc khu": 13}
    assert set(communes["province"]) == set(vintage("2025").codes)
    districts = vintage("2018").units
    assert len(districts) == 696 and set(districts["province"]) == set(vintage("2018").codes)


@pytest.mark.parametrize(
    ("query", "new", "changed", "words"),
    [
        ("Hai Duong", "N31", True, ("Hải Dương", "Hải Phòng", "1 July 2025")),
        ("Hải Dương", "N31", True, ("Hải Phòng",)),
        ("Tỉnh Hải Dương", "N31", True, ("Hải Phòng",)),
        ("P19", "N31", True, ("Hải Phòng",)),
        ("30", "N31", True, ("Hải Phòng",)),  # Hải Dương's official code until June 2025
        ("Tien Giang", "N82", True, ("Tiền Giang", "Đồng Tháp")),
        ("Long Bien", "N01", True, ("Long Biên", "district", "Hà Nội")),
        ("Hong Ngu", "N82", True, ("Hồng Ngự", "Đồng Tháp", "Tiền Giang")),
        ("Thua Thien Hue", "N46", False, ("Huế", "unchanged")),
        ("Cao Bang", "N04", False, ("unchanged",)),
        ("Châu Thành, Tiền Giang", "N82", True, ("Châu Thành",)),
    ],
)
def test_former_names_resolve(query: str, new: str, changed: bool, words: tuple[str, ...]) -> None:
    s = former_to_new(query)
    assert s.new == new and s.changed is changed
    assert "\n" not in s.note
    for w in words:
        assert w in s.note


def test_unknown_and_ambiguous_names() -> None:
    with pytest.raises(NotFound, match="not a former province or district"):
        former_to_new("Atlantis")
    with pytest.raises(PapiError, match="add the province after a comma") as err:
        former_to_new("Chau Thanh")
    assert err.value.code == "ambiguous_name"


def test_old_codes_map_to_new_ones() -> None:
    assert to_new(["P19", "P20", "N46", "P31"]) == ["N31", "N31", "N46", "N46"]
    with pytest.raises(NotFound):
        to_new(["X99"])
    assert geography_of(["P01", "P02", "VN"]) == "2018"
    assert geography_of(["N01", "VN"]) == "2025"
    assert geography_of(["P01", "N01"]) is None
    assert parse_geography(2024) == "2018" and parse_geography("2026") == "2025"
    with pytest.raises(PapiError, match="unknown geography"):
        parse_geography("1990s")
