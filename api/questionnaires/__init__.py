"""Questionnaire documents: upload (YAML or JSON), immutable versions, a per-process cache."""
