"""Evaluation: metrics of the index against ground truth (benchmark readers come in issue 7)."""
