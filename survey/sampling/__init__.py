"""PAPI sampling: the frame, πps selection, inclusion probabilities, weights.

from survey.sampling import load_frame, select_sample
frame = load_frame()                      # synthetic national frame (63 provinces)
sample = select_sample(frame, rng=7)      # one row per selected village, design columns
pilot = select_sample(frame.pilot("P01-D03"), rng=7)
"""

from survey.sampling.frame import AGE_GROUPS, Frame, load_frame
from survey.sampling.papi import PAPI_RULES, Sample, SelectionRules, select_residents, select_sample
from survey.sampling.pps import inclusion_probabilities, systematic_pps
from survey.sampling.streams import province_streams, root_sequence
from survey.sampling.weights import (
    age_group,
    design_weights,
    poststratification_targets,
    poststratify,
)

__all__ = [
    "AGE_GROUPS",
    "PAPI_RULES",
    "Frame",
    "Sample",
    "SelectionRules",
    "age_group",
    "design_weights",
    "inclusion_probabilities",
    "load_frame",
    "poststratification_targets",
    "poststratify",
    "province_streams",
    "root_sequence",
    "select_residents",
    "select_sample",
    "systematic_pps",
]
