"""papi-engine shared kernel: questionnaire schema, index structure, response validation,
sampling. Pure models and functions; never imports FastAPI, SQLAlchemy or `scoring`."""

from survey.errors import PapiError, Problem

__all__ = ["PapiError", "Problem"]
