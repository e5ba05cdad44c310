"""Reports: one self-contained HTML file with its charts embedded (inline SVG)."""

from api.reporting.report import CollectionSummary, ReportInputs, build_report, write_report

__all__ = ["CollectionSummary", "ReportInputs", "build_report", "write_report"]
