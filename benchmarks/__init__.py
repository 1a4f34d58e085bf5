"""The scenarios behind ``provisim bench``: initial and incremental cycles, and server throughput.

Figures are measured, never asserted in tests: ``provisim bench`` prints them as
JSON with a description of the machine, and benchmarks/README.md records the
before/after numbers of each optimisation.
"""
