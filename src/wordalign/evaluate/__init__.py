"""Evaluation of alignments against a gold standard (precision, recall, F1, AER)."""
