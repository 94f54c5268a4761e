"""The sparse-table kernels shared by IBM1 and fastalign."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wordalign.aligners.statistical._table_kernels import sort_row


@settings(deadline=None)  # the first example compiles the kernel
@given(st.lists(st.integers(-(2**31), 2**31 - 1), unique=True, max_size=200))
def test_sort_row_sorts_and_carries_like_argsort(values: list[int]) -> None:
    keys = np.array(values, dtype=np.int32)
    carry = np.arange(len(keys), dtype=np.float64) * 0.5
    order = np.argsort(keys)
    expected_keys, expected_carry = keys[order], carry[order]
    sort_row(keys, carry)
    assert keys.tolist() == expected_keys.tolist()
    assert carry.tolist() == expected_carry.tolist()


def test_sort_row_without_carry() -> None:
    keys = np.array([5, 1, 4, 2, 3], dtype=np.int32)
    sort_row(keys, np.empty(0))
    assert keys.tolist() == [1, 2, 3, 4, 5]
