"""Domain errors shared by every layer.

`survey` and `scoring` raise these; they know nothing of HTTP. `api/` renders them once as
RFC 9457 ``application/problem+json`` (``type``, ``title``, ``status``, ``detail``,
``instance`` and an ``errors`` list of ``{pointer, code, message}``).

Every error carries a stable machine ``code`` and a message that names the thing at fault,
the value, what was expected and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem: a JSON pointer (RFC 6901), a stable code and a message.

    Parameters
    ----------
    pointer : str
        Where the problem is, as a JSON pointer into the document (``/answers/q201``).
    code : str
        A stable code clients and tests match on.
    message : str
        What is wrong and what to do, in words.
    """

    pointer: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "code": self.code, "message": self.message}


@dataclass(eq=False)
class PapiError(Exception):
    """Base of all domain errors.

    Parameters
    ----------
    message : str
        One line saying what is wrong and what to do.
    code : str, default "papi_error"
        Stable: tests and clients match on it (HTTP problem+json ``code``).
    problems : tuple of Problem, default ()
        Located problems when there are several (a broken questionnaire, an invalid
        response).
    """

    message: str
    code: str = "papi_error"
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [
            self.message,
            *(f"  {p.pointer or '/'}: {p.message} [{p.code}]" for p in self.problems),
        ]
        return "\n".join(lines)

    @classmethod
    def with_problems(
        cls, message: str, problems: Iterable[Problem], code: str | None = None
    ) -> PapiError:
        return cls(message=message, code=code or cls.default_code(), problems=tuple(problems))

    @classmethod
    def default_code(cls) -> str:
        return "papi_error"


class QuestionnaireError(PapiError):
    """A questionnaire definition is broken (every problem listed and located).

    Parameters
    ----------
    message : str
        One line saying what is wrong and what to do.
    code : str, default "papi_error"
        Stable code (``with_problems`` uses ``questionnaire_invalid``).
    problems : tuple of Problem, default ()
        Every problem, located by a JSON pointer into the questionnaire.
    """

    @classmethod
    def default_code(cls) -> str:
        return "questionnaire_invalid"


class ExpressionError(PapiError):
    """A condition expression (relevant, constraint, eligibility) cannot be parsed."""

    @classmethod
    def default_code(cls) -> str:
        return "expression_invalid"


class ResponseInvalid(PapiError):
    """A response does not satisfy its questionnaire."""

    @classmethod
    def default_code(cls) -> str:
        return "response_invalid"


class DesignError(PapiError):
    """A survey design cannot be built or estimated (missing column, lonely PSU, ...)."""

    @classmethod
    def default_code(cls) -> str:
        return "design_invalid"


class ScoringError(PapiError):
    """Index construction failed (missing indicator data, unknown structure, ...)."""

    @classmethod
    def default_code(cls) -> str:
        return "scoring_invalid"


class SpecError(PapiError):
    """A sensitivity/uncertainty specification names an unknown or inapplicable choice."""

    @classmethod
    def default_code(cls) -> str:
        return "spec_invalid"


class SamplingError(PapiError):
    """A sampling frame or selection request is inconsistent."""

    @classmethod
    def default_code(cls) -> str:
        return "sampling_invalid"


class NotFound(PapiError):
    """A named resource (questionnaire, year, province) does not exist."""

    @classmethod
    def default_code(cls) -> str:
        return "not_found"
