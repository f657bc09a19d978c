"""Evaluation: benchmark readers (``readers``), the methods compared at equal visual-token budget
(``methods``), resumable runs (``run``), scores (``metrics``) and reports with a plot (``report``);
``index_metrics`` scores an index against ground truth. ``app.py eval SPEC`` ties them together.
"""
