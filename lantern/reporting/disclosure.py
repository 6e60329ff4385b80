"""Statistical disclosure control for published tables (domain §6.1; security goal IN9).

Pure functions, no database. A table is a grid of counts; its row totals, column totals and grand
total are part of what is published, so they are treated as cells of an extended grid:

    x[0][0]   ... x[0][C-1]   | T[0]        rows 0..R-1 with their totals in column C
    ...                       | ...
    U[0]      ... U[C-1]      | G           the totals row R, the grand total at (R, C)

Rules (defaults follow DfE practice; the threshold is configuration):

* **Primary suppression**: any cell or total from 1 to the threshold (5) is shown as ``c``.
* **Secondary suppression**: a line (row or column, totals included) with exactly one suppressed
  cell would give it away by subtraction, so the next smallest non-zero cell of that line is
  suppressed too, repeated until stable.
* That rule alone is not enough. A suppressed cell can still be worked out when it is a "bridge"
  between two blocks of suppressed cells, or when the reader can use the fact that zero is always
  shown (so every ``c`` is at least 1: two suppressed cells in a row that differ from the total
  by 2 must both be 1). ``exposed_cells`` decides exactly whether each suppressed cell has more
  than one possible value, and ``suppress`` keeps adding suppressions until none is exposed.
* Zero is shown only when the count is truly zero, never suppressed.
* National and regional totals are rounded to the nearest 10; LA figures are not rounded.
* In percentage tables a non-zero value under 0.5% is shown as ``k``.

Why the exact check works: two tables that agree on everything published differ by a vector of
changes to the suppressed cells that keeps every row and column sum. Think of rows and columns as
the two sides of a bipartite graph with one edge per suppressed cell; such change vectors are the
graph's cycles with alternating +1/-1 changes (totals enter their line with the opposite sign), and
any feasible change splits into simple cycles that are feasible on their own. So a suppressed cell
can take another value exactly when it lies on a simple cycle whose cells can all move by one in
the alternating pattern without any of them reaching zero. That is a reachability question, one
breadth-first search per cell and direction.
"""

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

DEFAULT_THRESHOLD = 5


def threshold_setting() -> int:
    """The suppression threshold: LANTERN["SUPPRESSION_THRESHOLD"] if set, else 5."""
    return int(getattr(settings, "LANTERN", {}).get("SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


SUPPRESSED = "c"
NOT_APPLICABLE = "z"
ROUNDS_TO_ZERO = "k"

Cell = tuple[int, int]
Grid = list[list[int]]
Mask = list[list[bool]]


def with_totals(cells: Sequence[Sequence[int]]) -> Grid:
    """The extended grid: each row followed by its total, then the totals row and grand total."""
    if not cells or not cells[0]:
        raise ValueError("A table needs at least one row and one column")
    width = len(cells[0])
    if any(len(row) != width for row in cells):
        raise ValueError("Every row needs the same number of cells")
    if any(value < 0 for row in cells for value in row):
        raise ValueError("Counts cannot be negative")
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(row[j] for row in grid) for j in range(width + 1)])
    return grid


def primary_mask(grid: Grid, threshold: int) -> Mask:
    return [[1 <= value <= threshold for value in row] for row in grid]


def _lines(grid: Grid) -> list[list[Cell]]:
    rows, cols = len(grid), len(grid[0])
    return [[(i, j) for j in range(cols)] for i in range(rows)] + [
        [(i, j) for i in range(rows)] for j in range(cols)
    ]


def _is_total(grid: Grid, cell: Cell) -> bool:
    i, j = cell
    return i == len(grid) - 1 or j == len(grid[0]) - 1


def _smallest(grid: Grid, mask: Mask, cells: Sequence[Cell]) -> Cell | None:
    """The smallest non-zero unsuppressed cell, inner cells before totals on ties."""
    candidates = [c for c in cells if not mask[c[0]][c[1]] and grid[c[0]][c[1]] > 0]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (grid[c[0]][c[1]], _is_total(grid, c), c))


def _sign(grid: Grid, cell: Cell) -> int:
    """+1 for inner cells and the grand total, -1 for row and column totals.

    In the vertex equations (inner cells of a line minus its total = 0) a change d to a cell is
    seen as d' = sign * d, and the equations become "the d' on a row's or column's edges sum to 0".
    """
    i, j = cell
    last_row, last_col = len(grid) - 1, len(grid[0]) - 1
    return -1 if (i == last_row) != (j == last_col) else 1


def _can_move(grid: Grid, cell: Cell, d_prime: int) -> bool:
    """Whether the cell can change by d' (in the signed sense) and stay at 1 or more."""
    actual = _sign(grid, cell) * d_prime
    return actual > 0 or grid[cell[0]][cell[1]] >= 2


def _has_alternative(grid: Grid, mask: Mask, cell: Cell, d_prime: int) -> bool:
    """Is there a simple cycle of suppressed cells through ``cell`` along which ``cell`` moves by
    d' and every cell can move by its alternating ±1 without reaching zero?"""
    if not _can_move(grid, cell, d_prime):
        return False
    rows, cols = len(grid), len(grid[0])
    start_row, start_col = cell
    # Walk from the cell's column back to its row. Column -> row steps carry -d', row -> column
    # steps carry +d' (the signs alternate round the cycle).
    seen_rows = [False] * rows
    seen_cols = [False] * cols
    seen_cols[start_col] = True
    queue: deque[tuple[str, int]] = deque([("col", start_col)])
    while queue:
        side, index = queue.popleft()
        if side == "col":
            for i in range(rows):
                edge = (i, index)
                if edge == cell or not mask[i][index] or seen_rows[i]:
                    continue
                if _can_move(grid, edge, -d_prime):
                    if i == start_row:
                        return True
                    seen_rows[i] = True
                    queue.append(("row", i))
        else:
            for j in range(cols):
                edge = (index, j)
                if edge == cell or not mask[index][j] or seen_cols[j]:
                    continue
                if _can_move(grid, edge, d_prime):
                    seen_cols[j] = True
                    queue.append(("col", j))
    return False


def exposed_cells(grid: Grid, mask: Mask) -> list[Cell]:
    """Suppressed cells whose value follows from what is published.

    Published: every unsuppressed cell and total, exactly (the worst case: rounding totals only
    adds uncertainty), and the fact that a suppressed cell is at least 1 (zero is always shown).
    """
    exposed = []
    for i, row in enumerate(mask):
        for j, hidden in enumerate(row):
            if hidden and not (
                _has_alternative(grid, mask, (i, j), 1) or _has_alternative(grid, mask, (i, j), -1)
            ):
                exposed.append((i, j))
    return exposed


def _best_cover(grid: Grid, mask: Mask, cell: Cell, cells: Sequence[Cell]) -> Cell | None:
    """From the cell's own row and column, the smallest cell whose suppression protects it; if no
    single one does, the smallest (the loop then adds more)."""
    candidates = sorted(
        (c for c in cells if not mask[c[0]][c[1]] and grid[c[0]][c[1]] > 0),
        key=lambda c: (grid[c[0]][c[1]], _is_total(grid, c), c),
    )
    for candidate in candidates:
        mask[candidate[0]][candidate[1]] = True
        protected = _has_alternative(grid, mask, cell, 1) or _has_alternative(grid, mask, cell, -1)
        mask[candidate[0]][candidate[1]] = False
        if protected:
            return candidate
    return candidates[0] if candidates else None


def suppress(grid: Grid, threshold: int | None = None) -> Mask:
    """The cells to show as ``c``: primary suppression, then secondary until nothing is exposed."""
    limit = threshold_setting() if threshold is None else threshold
    mask = primary_mask(grid, limit)
    lines = _lines(grid)
    while True:
        changed = False
        for line in lines:
            hidden = [c for c in line if mask[c[0]][c[1]]]
            if len(hidden) == 1:
                extra = _smallest(grid, mask, line)
                if extra is not None:
                    mask[extra[0]][extra[1]] = True
                    changed = True
        if changed:
            continue
        exposed = exposed_cells(grid, mask)
        if not exposed:
            return mask
        i, j = exposed[0]
        extra = _best_cover(grid, mask, (i, j), lines[i] + lines[len(grid) + j])
        if extra is None:
            # The cell's row and column are all hidden already: hiding the grand total lets the
            # cell and its two totals all grow together.
            extra = _smallest(grid, mask, [(len(grid) - 1, len(grid[0]) - 1)])
        if extra is None:
            extra = _smallest(grid, mask, [c for line in lines for c in line])
        if extra is None:  # everything non-zero is hidden: nothing can be worked out
            return mask
        mask[extra[0]][extra[1]] = True


def round_to_10(value: int) -> int:
    """Nearest 10, halves up (5 -> 10, 15 -> 20), as DfE rounds national figures."""
    return (value + 5) // 10 * 10


def cell_text(value: int, hidden: bool, rounded: bool = False) -> str:
    if hidden:
        return SUPPRESSED
    if rounded:
        return str(round_to_10(value))
    return str(value)


def percent_text(numerator: int, denominator: int, hidden: bool = False) -> str:
    """A whole-number percentage; ``c`` if its count is suppressed, ``k`` for non-zero under 0.5%,
    ``z`` when there is nothing to divide by."""
    if hidden:
        return SUPPRESSED
    if denominator == 0:
        return NOT_APPLICABLE
    share = 100 * numerator / denominator
    if numerator > 0 and share < 0.5:
        return ROUNDS_TO_ZERO
    return f"{int(share + 0.5)}%"


@dataclass(frozen=True)
class ProtectedTable:
    """A table ready to publish: labels, the cell texts, and how many cells were suppressed."""

    row_labels: list[str]
    column_labels: list[str]
    total_label: str
    grid: Grid
    mask: Mask
    primary: Mask
    rounded_total_row: bool

    @property
    def header(self) -> list[str]:
        return ["", *self.column_labels, self.total_label]

    @property
    def body(self) -> list[list[str]]:
        """Rows with their labels; the last is the totals row."""
        labels = [*self.row_labels, self.total_label]
        last = len(self.grid) - 1
        return [
            [
                labels[i],
                *(
                    cell_text(value, self.mask[i][j], rounded=self.rounded_total_row and i == last)
                    for j, value in enumerate(row)
                ),
            ]
            for i, row in enumerate(self.grid)
        ]

    @property
    def suppressed_count(self) -> int:
        return sum(hidden for row in self.mask for hidden in row)

    @property
    def secondary_count(self) -> int:
        return self.suppressed_count - sum(hidden for row in self.primary for hidden in row)


def protect(
    *,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    cells: Sequence[Sequence[int]],
    total_label: str = "Total",
    threshold: int | None = None,
    round_total_row: bool = True,
) -> ProtectedTable:
    """Suppress and round a table of counts for publication.

    ``round_total_row``: the totals row holds regional or national figures and is rounded to 10;
    each row's own total (a local authority's figure) is shown unrounded.
    """
    limit = threshold_setting() if threshold is None else threshold
    grid = with_totals(cells)
    return ProtectedTable(
        row_labels=list(row_labels),
        column_labels=list(column_labels),
        total_label=total_label,
        grid=grid,
        mask=suppress(grid, limit),
        primary=primary_mask(grid, limit),
        rounded_total_row=round_total_row,
    )
