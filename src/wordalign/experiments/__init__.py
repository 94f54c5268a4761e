"""Experiments that reproduce published results (see :mod:`.learning_curve`)."""
