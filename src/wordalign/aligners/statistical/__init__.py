"""Statistical aligners trained on parallel text (IBM Model 1, fast_align, eflomal)."""
