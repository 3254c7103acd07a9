"""The matrix's compact cell never says something false when its column is narrow."""

from __future__ import annotations

import pytest

from wasmtui.tui.render import compact_score


@pytest.mark.parametrize(("passed", "total", "width", "shown"), [
    (15, 15, None, "✔ 15/15"),
    (15, 15, 7, "✔ 15/15"),
    (15, 15, 6, "✔ 15"),  # was "✔ 15/1": cut by the column
    (13, 13, 6, "✔ 13"),
    (2, 2, 6, "✔ 2/2"),
    (3, 12, 6, "✔ 3/12"),
    (13, 15, 6, "✔"),  # neither 13 nor 15 alone would be true
    (115, 115, 4, "✔"),
    (0, 0, 6, "✔"),
])
def test_a_narrow_column_shortens_the_count_to_what_stays_true(passed, total, width, shown):
    assert compact_score("✔", passed, total, width) == shown
    assert width is None or len(compact_score("✔", passed, total, width)) <= max(width, 1)
