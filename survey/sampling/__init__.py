"""PAPI sampling: the frame, πps selection, inclusion probabilities, weights.

from survey.sampling import load_frame, select_sample
frame = load_frame()                      # synthetic national frame (63 provinces)
sample = select_sample(frame, rng=7)      # one row per selected village, design columns
pilot = select_sample(frame.pilot("P01-D03"), rng=7)
own = read_frame("villages.csv")          # a user's own frame (one villages table)
new = select_sample(frame_for("2025"), rng=7, rules=rules_for("2025"))  # 34 provinces, 2025
"""

from survey.sampling.papi import PAPI_RULES, Sample, SelectionRules, select_residents, select_sample
from survey.sampling.pps import inclusion_probabilities, systematic_pps
from survey.sampling.sampling_frame import (
    SIZE_CLASSES,
    Frame,
    frame_from_table,
    load_frame,
    read_frame,
    with_default_margins,
)
from survey.sampling.streams import province_streams, root_sequence
from survey.sampling.two_tier import TWO_TIER_RULES, frame_for, rules_for, two_tier_frame
from survey.sampling.weights import (
    AGE_GROUPS,
    age_group,
    design_weights,
    poststratification_targets,
    poststratify,
)

__all__ = [
    "AGE_GROUPS",
    "PAPI_RULES",
    "SIZE_CLASSES",
    "TWO_TIER_RULES",
    "Frame",
    "Sample",
    "SelectionRules",
    "age_group",
    "design_weights",
    "frame_for",
    "frame_from_table",
    "inclusion_probabilities",
    "load_frame",
    "poststratification_targets",
    "poststratify",
    "province_streams",
    "read_frame",
    "root_sequence",
    "rules_for",
    "select_residents",
    "select_sample",
    "systematic_pps",
    "two_tier_frame",
    "with_default_margins",
]
