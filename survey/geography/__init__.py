"""Viet Nam's administrative geography in two vintages, the crosswalk between them, and
former names resolved across the 2025 reform (docs/geography.md).

from survey.geography import vintage, crosswalk, former_to_new
vintage("2025").provinces                 # 34 provinces: province (N01…), gso_code, names
crosswalk()                               # former P01…P63 → new N01…N96
former_to_new("Hai Duong").note           # 'Hải Dương merged into Hải Phòng (N31) …'
"""

from survey.geography.names import Succession, fold, former_to_new
from survey.geography.vintages import (
    RESOLUTION,
    VINTAGES,
    Vintage,
    crosswalk,
    geography_of,
    members,
    parse_geography,
    province_names,
    to_new,
    vintage,
)

__all__ = [
    "RESOLUTION",
    "VINTAGES",
    "Succession",
    "Vintage",
    "crosswalk",
    "fold",
    "former_to_new",
    "geography_of",
    "members",
    "parse_geography",
    "province_names",
    "to_new",
    "vintage",
]
