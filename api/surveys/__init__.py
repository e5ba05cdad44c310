"""Surveys: a collection round on one questionnaire version, its sample, quotas, progress."""
