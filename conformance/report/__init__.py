"""The run's reports: a terminal summary, JUnit XML for CI, and a self-contained HTML page."""

from conformance.report.html import render_html, write_html
from conformance.report.junit import render_junit, write_junit
from conformance.report.summary import render_summary

__all__ = ["render_html", "render_junit", "render_summary", "write_html", "write_junit"]
