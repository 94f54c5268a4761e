"""Evaluation of alignments against a gold standard (precision, recall, F1, AER)."""

from wordalign.evaluation.metrics import AERResult, AERStats, evaluate, evaluate_sentences

__all__ = ["AERResult", "AERStats", "evaluate", "evaluate_sentences"]
