"""The questionnaire: its immutable model (``schema``), loading and dumping (``loader``) and
the checks a definition must pass (``definition_checks`` for items, choices, codes and
condition order; ``structure_checks`` for conditions and the index structure).

from survey.questionnaire import load_questionnaire
q = load_questionnaire("papi-2021")       # a bundled questionnaire, or a path
q.structure.dimensions                    # the index structure the scorer walks
"""

from survey.questionnaire.loader import dump_questionnaire, load_questionnaire, parse_questionnaire
from survey.questionnaire.schema import (
    Choice,
    Criterion,
    Dimension,
    Indicator,
    Item,
    Label,
    Questionnaire,
    Scale,
    Structure,
    SubDimension,
)

__all__ = [
    "Choice",
    "Criterion",
    "Dimension",
    "Indicator",
    "Item",
    "Label",
    "Questionnaire",
    "Scale",
    "Structure",
    "SubDimension",
    "dump_questionnaire",
    "load_questionnaire",
    "parse_questionnaire",
]
