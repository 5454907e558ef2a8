"""Small-group suppression built from the algebra of everything a wave publishes.

Plain functions on counts. The respondents of a wave fall into atoms (rater function x target
function x filter cell, e.g. tenure band); every figure the wave publishes is a linear
combination of per-atom sums (a cell's index is its atom sums over its count, an aggregate a
weighted sum of cells' atoms, a trend or a quarter series a combination of published figures).
A reader who knows the counts and solves that linear system learns exactly the combinations in
the row space of the published rows. Publishing is safe when no group of 1..k-1 people (an atom
that small, or several atoms that small together) has its indicator vector in that row space.
suppress_linear hides rows until that holds; figures built only from shown rows add nothing to
the row space. Not covered by the linear model, and limited instead by being computed from shown
rows only: second moments (intervals) and Cronbach's alpha.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

import numpy as np
from threadpoolctl import threadpool_limits

MIN_GROUP_FLOOR = 3  # k may be configured, never below this
DEFAULT_MIN_GROUP = 5
DEFAULT_MIN_COMMENT_GROUP = 10
TOLERANCE = 1e-8  # singular values below this are zero (the weights are of order 1)
MAX_SETS = 20_000  # sets of small groups tried before the stricter test

Key = TypeVar("Key", bound=Hashable)  # a published figure
Group = TypeVar("Group", bound=Hashable)  # whose answers an atom sums

def null_space(matrix: np.ndarray) -> np.ndarray:
    """Orthonormal basis (columns) of the vectors x with matrix @ x = 0, with an absolute tolerance."""
    if matrix.shape[0] == 0:
        return np.eye(matrix.shape[1])
    _, singular, right = np.linalg.svd(matrix, full_matrices=True)
    rank = int((singular > TOLERANCE).sum())
    return right[rank:].T


Row = dict  # atom -> weight: how a published figure depends on the per-atom sums


def rows_matrix(rows: list[Row], atoms: list[Hashable]) -> np.ndarray:
    """One line per published row, one column per atom, the row's weights."""
    column = {atom: i for i, atom in enumerate(atoms)}
    matrix = np.zeros((len(rows), len(atoms)))
    for line, row in enumerate(rows):
        for atom, weight in row.items():
            matrix[line, column[atom]] = weight
    return matrix


def small_groups(people: Mapping[Group, int], k: int) -> list[tuple[Group, ...]] | None:
    """The largest sets of respondent groups that together have 1..k-1 people; None when too many to try.

    Knowing anything about the members of a set, a reader knows it about each subset too, so
    only the largest sets need checking.
    """
    small = sorted((who for who, n in people.items() if 0 < n < k), key=repr)
    found: list[tuple[Group, ...]] = []

    def extend(start: int, chosen: tuple, total: int) -> bool:
        grown = False
        for i in range(start, len(small)):
            if total + people[small[i]] < k:
                grown = True
                if not extend(i + 1, (*chosen, small[i]), total + people[small[i]]):
                    return False
        if not grown and chosen and all(total + people[w] >= k for w in small if w not in chosen):
            found.append(chosen)
        return len(found) <= MAX_SETS

    return found if extend(0, (), 0) else None


def solvable_about_few(published: np.ndarray, atom_group: list[Group], people: Mapping[Group, int],
                       k: int) -> np.ndarray | None:
    """A combination of the published rows that depends only on fewer than k people, or None.

    published: rows x atoms; atom_group: whose answers each atom sums (rater function x filter
    cell); people: how many people each group has. A vector v over the atoms of a set G of groups
    is solvable when it lies in the row space, i.e. is orthogonal to the null space of published.
    When there are too many sets to try, all small groups together are tested (stricter).
    """
    orthogonal = null_space(published)
    groups = small_groups(people, k)
    if groups is None:
        groups = [tuple(who for who, n in people.items() if 0 < n < k)]
    for members in groups:
        columns = [i for i, who in enumerate(atom_group) if who in members]
        if not columns:
            continue
        inside = null_space(orthogonal[columns, :].T)
        if inside.shape[1]:
            vector = np.zeros(published.shape[1])
            vector[columns] = inside[:, 0]
            return vector
    return None


@threadpool_limits.wrap(limits=1, user_api="blas")  # small matrices: threads only contend
def suppress_linear(rows: Mapping[Key, dict[str, Row]], sizes: Mapping[Key, int],
                    atom_group: Callable[[Any], Group], people: Mapping[Group, int], k: int,
                    hide_first: Callable[[Key], tuple] | None = None) -> set[Key]:
    """The row keys to hide: rows of fewer than k people (sizes), then, while some combination of the
    shown rows depends only on fewer than k people, one of the rows it combines (hide_first orders
    the candidates, then the smallest row goes first).

    rows: for each figure, one row per linear measure it publishes (points, favourable shares ...),
    each measure a system of its own. atom_group: whose answers an atom sums (rater function x
    filter cell); people: each group's size (where unsure, the smaller figure, to err on the safe side).
    """
    order = hide_first or (lambda key: ())
    atoms = sorted({atom for by_measure in rows.values() for row in by_measure.values() for atom in row}, key=repr)
    groups = [atom_group(atom) for atom in atoms]
    measures = sorted({measure for by_measure in rows.values() for measure in by_measure})
    hidden = {key for key in rows if sizes.get(key, 0) < k}
    while True:
        found = None
        for measure in measures:
            shown = sorted((key for key in rows if key not in hidden and measure in rows[key]), key=repr)
            published = rows_matrix([rows[key][measure] for key in shown], atoms)
            if (vector := solvable_about_few(published, groups, people, k)) is not None:
                found = shown, published, vector
                break
        if found is None:
            return hidden
        shown, published, vector = found
        weights = np.abs(np.linalg.lstsq(published.T, vector, rcond=None)[0])
        used = [key for key, weight in zip(shown, weights, strict=True) if weight > 1e-6 * weights.max()]
        hidden.add(min(used, key=lambda key: (*order(key), sizes.get(key, 0), repr(key))))


def check_threshold(value: int, current: int | None, has_responses: bool, label: str) -> str | None:
    """Why a new minimum group size is refused, or None: never below the floor, never lowered after responses."""
    if value < MIN_GROUP_FLOOR:
        return f"The {label} cannot be below {MIN_GROUP_FLOOR}."
    if current is not None and has_responses and value < current:
        return f"This wave already has responses: its {label} cannot be lowered below {current}."
    return None


def remainder_refusal(total: int, chosen: int, k: int) -> str | None:
    """Why a filter is refused (its group or what it leaves out is a group of 1..k-1), or None."""
    if chosen < k:
        return f"This filter is not available: it selects fewer than {k} respondents."
    if 0 < total - chosen < k:
        return (f"This filter is not available: it would leave out fewer than {k} respondents, "
                "who could be identified by subtraction.")
    return None
