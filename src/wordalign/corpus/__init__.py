"""Corpus preparation: the DERMIT loader, segmentation, sentence alignment, tokenization."""
