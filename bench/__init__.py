"""Benchmarks of the reference server and the conformance suite, run as `python -m bench.<name>`.

Each benchmark measures its peers in the same run, interleaved and repeated, and prints a
Markdown table; `python -m bench` runs them all and writes `bench/results.md`.
"""

__all__: list[str] = []
