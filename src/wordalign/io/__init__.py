"""Reading and writing bitexts and alignments (gzip transparently, atomic writes)."""
