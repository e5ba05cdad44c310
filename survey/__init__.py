"""papi-engine shared kernel: questionnaire schema, index structure, response validation,
sampling. Pure models and functions; never imports FastAPI, SQLAlchemy or `scoring`."""

from survey.conditions.expressions import parse, referenced_items
from survey.errors import PapiError, Problem, QuestionnaireError
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
from survey.validation.response import ValidationIssue, Verdict

__all__ = [
    "Choice",
    "Criterion",
    "Dimension",
    "Indicator",
    "Item",
    "Label",
    "PapiError",
    "Problem",
    "Questionnaire",
    "QuestionnaireError",
    "Scale",
    "Structure",
    "SubDimension",
    "ValidationIssue",
    "Verdict",
    "dump_questionnaire",
    "load_questionnaire",
    "parse",
    "parse_questionnaire",
    "referenced_items",
]
