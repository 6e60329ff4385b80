"""Disclosure control: primary and secondary suppression, rounding, and the proof by attack that no
suppressed cell can be worked out from what is published."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lantern.reporting import disclosure
from lantern.reporting.disclosure import (
    exposed_cells,
    percent_text,
    primary_mask,
    protect,
    round_to_10,
    suppress,
    with_totals,
)

# --- An independent attacker --------------------------------------------------------------------
# It knows the published grid (visible cells and totals, exactly), that a hidden cell is a whole
# number of at least 1 (zero is always shown), and that every row and column adds up. For one
# hidden cell it searches for any completion of the table in which that cell has a different
# value. It shares no code with the suppression module.


def _lines(rows: int, cols: int) -> list[list[tuple[int, int]]]:
    return [[(i, j) for j in range(cols)] for i in range(rows)] + [
        [(i, j) for i in range(rows)] for j in range(cols)
    ]


def another_value_exists(published, target, truth, cap) -> bool:
    """Is there a completion of the table in which ``target`` differs from ``true_value``?

    Depth-first search over the hidden cells with interval propagation on every line equation
    (parts minus total = 0); each hidden cell is a whole number from 1 to ``cap``.
    """
    rows, cols = len(published), len(published[0])
    equations = [[(1, c) for c in line[:-1]] + [(-1, line[-1])] for line in _lines(rows, cols)]
    hidden = [(i, j) for i in range(rows) for j in range(cols) if published[i][j] is None]
    true_value = truth[target[0]][target[1]]

    def tighten(bounds):
        bounds = dict(bounds)
        changed = True
        while changed:
            changed = False
            for terms in equations:
                for sign, cell in terms:
                    if cell not in bounds:
                        continue
                    # sign * cell = -(sum of the other terms)
                    low_rest = high_rest = 0
                    for other_sign, other in terms:
                        if other == cell:
                            continue
                        if other in bounds:
                            lo, hi = bounds[other]
                        else:
                            lo = hi = published[other[0]][other[1]]
                        low_rest += other_sign * (lo if other_sign > 0 else hi)
                        high_rest += other_sign * (hi if other_sign > 0 else lo)
                    lo, hi = (-high_rest, -low_rest) if sign > 0 else (low_rest, high_rest)
                    new_lo, new_hi = max(bounds[cell][0], lo), min(bounds[cell][1], hi)
                    if new_lo > new_hi:
                        return None
                    if (new_lo, new_hi) != bounds[cell]:
                        bounds[cell] = (new_lo, new_hi)
                        changed = True
        return bounds

    def search(bounds):
        bounds = tighten(bounds)
        if bounds is None:
            return False
        if bounds[target] == (true_value, true_value):
            return False
        open_cells = [c for c in hidden if bounds[c][0] < bounds[c][1]]
        if not open_cells:
            return bounds[target][0] != true_value
        cell = min(open_cells, key=lambda c: (c != target, bounds[c][1] - bounds[c][0]))
        lo, hi = bounds[cell]
        centre = truth[cell[0]][cell[1]]
        for value in sorted(range(lo, hi + 1), key=lambda v: (abs(v - centre), v)):
            if cell == target and value == true_value:
                continue
            if search({**bounds, cell: (value, value)}):
                return True
        return False

    return search({cell: (1, cap) for cell in hidden})


def attack(grid, mask) -> list[tuple[int, int]]:
    """Hidden cells whose value the attacker can pin down."""
    published = [
        [None if mask[i][j] else value for j, value in enumerate(row)] for i, row in enumerate(grid)
    ]
    cap = 2 * grid[-1][-1] + 2
    return [
        (i, j)
        for i, row in enumerate(mask)
        for j, hidden in enumerate(row)
        if hidden and not another_value_exists(published, (i, j), grid, cap)
    ]


# --- Unit tests ---------------------------------------------------------------------------------


def test_with_totals_adds_row_and_column_totals():
    assert with_totals([[1, 2], [3, 4]]) == [[1, 2, 3], [3, 4, 7], [4, 6, 10]]


def test_primary_suppression_hides_1_to_5_and_never_zero():
    mask = primary_mask([[0, 1, 5, 6]], 5)
    assert mask == [[False, True, True, False]]


def test_threshold_comes_from_settings(settings):
    settings.LANTERN = {**settings.LANTERN, "SUPPRESSION_THRESHOLD": 10}
    assert disclosure.threshold_setting() == 10
    table = protect(row_labels=["A"], column_labels=["x", "y"], cells=[[8, 40]])
    assert table.body[0][1] == "c"


def test_single_small_cell_in_a_row_gets_a_partner():
    grid = with_totals([[3, 40, 50], [20, 30, 60], [25, 35, 45]])
    mask = suppress(grid, 5)
    # 3 is primary; its row gives it away unless 40 (next smallest) is hidden too, and then the
    # columns need partners of their own.
    assert mask[0][0] and mask[0][1]
    assert sum(mask[0]) >= 2
    assert exposed_cells(grid, mask) == []


def test_bridge_between_two_blocks_is_exposed_even_with_two_per_line():
    cells = [
        [2, 3, 0, 0, 50],
        [4, 3, 2, 0, 50],
        [0, 0, 3, 4, 50],
        [0, 0, 5, 2, 50],
    ]
    grid = with_totals(cells)
    primary = primary_mask(grid, 5)
    # Every row and column with a hidden cell has at least two, yet (1, 2) links two blocks and
    # follows from the totals: the "two per line" rule is not enough.
    for line in primary + [list(col) for col in zip(*primary, strict=True)]:
        assert sum(line) != 1
    assert (1, 2) in exposed_cells(grid, primary)
    assert (1, 2) in attack(grid, primary)
    mask = suppress(grid, 5)
    assert exposed_cells(grid, mask) == []
    assert attack(grid, mask) == []


def test_two_hidden_ones_in_a_row_are_exposed_because_zero_is_always_shown():
    cells = [[1, 1, 40, 30], [2, 3, 40, 30], [7, 8, 40, 30]]
    grid = with_totals(cells)
    primary = primary_mask(grid, 5)
    assert (0, 0) in exposed_cells(grid, primary)
    assert (0, 0) in attack(grid, primary)
    mask = suppress(grid, 5)
    assert attack(grid, mask) == []


def test_small_total_is_suppressed_with_a_partner_in_the_totals_column():
    cells = [[1, 2], [30, 40], [50, 60]]
    grid = with_totals(cells)
    mask = suppress(grid, 5)
    assert mask[0][2]  # the row total 3
    assert sum(mask[i][2] for i in range(len(grid))) >= 2
    assert attack(grid, mask) == []


def test_zero_is_shown_as_zero():
    table = protect(row_labels=["A", "B"], column_labels=["x", "y"], cells=[[0, 40], [30, 20]])
    assert table.body[0][1] == "0"


def test_totals_row_is_rounded_to_10_but_la_rows_are_not():
    table = protect(row_labels=["A", "B"], column_labels=["x", "y"], cells=[[14, 26], [33, 17]])
    assert table.body[0] == ["A", "14", "26", "40"]
    assert table.body[1] == ["B", "33", "17", "50"]
    assert table.body[2] == ["Total", "50", "40", "90"]


def test_round_to_10_rounds_halves_up():
    assert [round_to_10(v) for v in (0, 4, 5, 14, 15, 86_900)] == [0, 0, 10, 10, 20, 86_900]


def test_percent_text_uses_k_for_nonzero_under_half_a_percent():
    assert percent_text(1, 1000) == "k"
    assert percent_text(0, 1000) == "0%"
    assert percent_text(5, 1000) == "1%"
    assert percent_text(1, 0) == "z"
    assert percent_text(3, 10, hidden=True) == "c"


def test_protected_table_counts_primary_and_secondary():
    table = protect(row_labels=["A", "B"], column_labels=["x", "y"], cells=[[3, 40], [30, 20]])
    assert table.suppressed_count >= 2
    assert table.secondary_count >= 1


# --- The property ------------------------------------------------------------------------------

counts = st.one_of(
    st.just(0), st.integers(min_value=1, max_value=5), st.integers(min_value=6, max_value=25)
)


@st.composite
def tables(draw):
    rows = draw(st.integers(min_value=1, max_value=4))
    cols = draw(st.integers(min_value=1, max_value=4))
    return [[draw(counts) for _ in range(cols)] for _ in range(rows)]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_suppressed_cell_can_be_recovered(cells):
    grid = with_totals(cells)
    mask = suppress(grid, 5)
    # IN9: nothing published between 1 and the threshold.
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if not mask[i][j]:
                assert value == 0 or value > 5
            else:
                assert value > 0  # zero is never hidden
    # The attacker cannot pin down any hidden cell, and our own check agrees.
    assert attack(grid, mask) == []
    assert exposed_cells(grid, mask) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_exposure_check_agrees_with_the_attacker_on_primary_suppression_alone(cells):
    grid = with_totals(cells)
    mask = primary_mask(grid, 5)
    assert sorted(exposed_cells(grid, mask)) == sorted(attack(grid, mask))
