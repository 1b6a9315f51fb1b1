# SPDX-License-Identifier: GPL-2.0
"""A series as one line of text: each column the mean of the points that
fall in it, as a block from empty (0) to full (`full`); a blank column
had no point."""

BLOCKS = " ▁▂▃▄▅▆▇█"


def columns(points, span, bins):
    """The points (t, v) with 0 <= t < span, grouped into `bins` columns."""
    cols = [[] for _ in range(bins)]
    for t, v in points:
        if 0 <= t < span:
            cols[min(bins - 1, int(t * bins / span))].append(v)
    return cols


def sparkline(points, span, bins, full):
    return "".join(BLOCKS[max(0, min(8, round(8 * (sum(c) / len(c)) / full)))] if c else " "
                   for c in columns(points, span, bins))


def marks(times, span, bins):
    """A ruler line: character m at time t for each (t, m)."""
    line = [" "] * bins
    for t, m in times:
        if t is not None and 0 <= t < span:
            line[min(bins - 1, int(t * bins / span))] = m
    return "".join(line)
