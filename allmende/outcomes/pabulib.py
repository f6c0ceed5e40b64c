"""Reading and writing pabulib ``.pb`` files.

The format (https://pabulib.org/format) has three sections, each introduced by a line holding only
its name and followed by a header line::

    META
    key;value
    budget;100000
    vote_type;approval
    PROJECTS
    project_id;cost;name;...
    1;5000;Benches;...
    VOTES
    voter_id;vote;...
    17;1,4,5

Fields are separated by ``;`` and may be quoted (read with the :mod:`csv` module).  A UTF-8 byte order
mark is accepted, costs and the budget may be decimals written with ``.`` or ``,``, projects and voters
may carry any further columns, and a ballot may be empty.

The file is read as a stream, row by row; it is never held in memory as a whole.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import IO

__all__ = [
    "Instance",
    "PabulibError",
    "Project",
    "Voter",
    "format_number",
    "parse_number",
    "read_pb",
    "read_pb_string",
    "write_pb",
    "write_pb_string",
]

APPROVAL_LIKE = ("approval", "choose-1", "ordinal")
WITH_POINTS = ("cumulative", "scoring")
VOTE_TYPES = APPROVAL_LIKE + WITH_POINTS

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")

# csv refuses fields larger than 128 kB by default; long description columns exist in the wild.
csv.field_size_limit(2**31 - 1)


class PabulibError(ValueError):
    """A malformed pabulib file. ``line`` and ``column`` are 1-based (``column`` may be ``None``)."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        column_name: str | None = None,
        source: str | None = None,
    ):
        self.message = message
        self.line = line
        self.column = column
        self.column_name = column_name
        self.source = source
        where = []
        if source:
            where.append(str(source))
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}" + (f" ({column_name})" if column_name else ""))
        super().__init__((", ".join(where) + ": " if where else "") + message)


def parse_number(text: str) -> Fraction | int:
    """Parse ``"12"``, ``"12.5"`` or ``"12,5"`` exactly (``int`` when integral, else ``Fraction``)."""
    t = text.strip()
    if not _NUMBER.match(t):
        raise ValueError(f"expected a number, got {text!r}")
    t = t.replace(",", ".")
    if "." not in t:
        return int(t)
    value = Fraction(t if not t.endswith(".") else t[:-1])
    return value.numerator if value.denominator == 1 else value


def format_number(value: Fraction | int) -> str:
    """Write a number as pabulib does: an integer, or an exact decimal with ``.``."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        # Not a finite decimal (cannot come from a file); write enough digits to be useful.
        return f"{float(value):.10f}".rstrip("0").rstrip(".")
    digits = max(twos, fives)
    scaled = abs(value) * 10**digits
    whole, frac_part = divmod(int(scaled), 10**digits)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{frac_part:0{digits}d}"


@dataclass
class Project:
    """A project: ``id`` (a string), exact ``cost``, ``name`` and all further columns as strings."""

    id: str
    cost: Fraction | int
    name: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class Voter:
    """One voter: ``id``, the ballot ``vote`` (project ids in file order; the ranking for ordinal
    ballots), ``points`` (parallel to ``vote`` for cumulative/scoring ballots, else ``None``) and the
    further columns in ``extra`` (a tuple parallel to :attr:`Instance.voter_extra_columns`)."""

    __slots__ = ("extra", "id", "points", "vote")

    def __init__(self, id: str, vote: tuple[str, ...], points: tuple | None = None, extra: tuple = ()):
        self.id = id
        self.vote = vote
        self.points = points
        self.extra = extra

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Voter):
            return NotImplemented
        return (self.id, self.vote, self.points, self.extra) == (
            other.id,
            other.vote,
            other.points,
            other.extra,
        )

    def __hash__(self) -> int:
        return hash((self.id, self.vote, self.points))

    def __repr__(self) -> str:
        pts = f", points={self.points!r}" if self.points is not None else ""
        return f"Voter({self.id!r}, vote={self.vote!r}{pts})"


@dataclass
class Instance:
    """A participatory budgeting election: META fields, projects, voters with ballots, budget."""

    meta: dict[str, str]
    projects: dict[str, Project]
    voters: list[Voter]
    budget: Fraction | int
    vote_type: str
    project_columns: list[str] = field(default_factory=lambda: ["project_id", "cost", "name"])
    voter_columns: list[str] = field(default_factory=lambda: ["voter_id", "vote"])

    @property
    def voter_extra_columns(self) -> list[str]:
        return [c for c in self.voter_columns if c not in ("voter_id", "vote", "points")]

    @property
    def approval_like(self) -> bool:
        """Approval, choose-1 and ordinal ballots (rankings count as approval of every ranked project)."""
        return self.vote_type in APPROVAL_LIKE

    def official_selected(self) -> set[str] | None:
        """The ids marked ``selected`` = 1 in the PROJECTS section, or ``None`` without such column."""
        if "selected" not in self.project_columns:
            return None
        return {p.id for p in self.projects.values() if p.extra.get("selected", "").strip() == "1"}


def _strip_row(row: list[str]) -> list[str]:
    return [f.strip() for f in row]


def read_pb(source: str | os.PathLike | IO[str]) -> Instance:
    """Read a pabulib file (a path or an open text stream) into an :class:`Instance`.

    Raises :class:`PabulibError` naming the line, the column and what was expected.
    """
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8-sig", newline="") as fh:
            return _read(fh, os.fspath(source))
    return _read(source, getattr(source, "name", None))


def read_pb_string(text: str) -> Instance:
    """Read a pabulib file given as a string."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return _read(io.StringIO(text, newline=""), None)


def _read(fh: IO[str], name: str | None) -> Instance:
    reader = csv.reader(fh, delimiter=";", quotechar='"')
    section = None
    header: list[str] = []
    meta: dict[str, str] = {}
    projects: dict[str, Project] = {}
    voters: list[Voter] = []
    project_columns: list[str] = []
    voter_columns: list[str] = []
    vote_type = None
    seen_sections: set[str] = set()
    # VOTES state
    i_id = i_vote = i_points = -1
    extra_idx: list[int] = []
    ncols = 0
    with_points = False

    def err(msg: str, col: int | None = None) -> PabulibError:
        col_name = header[col - 1] if col is not None and header and 0 < col <= len(header) else None
        return PabulibError(msg, reader.line_num, col, col_name, name)

    first = True
    for row in reader:
        if first:
            first = False
            if row and row[0].startswith("\ufeff"):
                row[0] = row[0][1:]
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if (
            section == "votes"
            and len(row) == ncols
            and row[0].strip().lower() not in ("meta", "projects", "votes")
        ):
            # Hot path: one voter per row.
            vid = row[i_id].strip()
            vote_text = row[i_vote].strip()
            if vote_text:
                ids = []
                for pid in vote_text.split(","):
                    pid = pid.strip()
                    proj = projects.get(pid)
                    if proj is None:
                        raise err(
                            f"expected project ids from the PROJECTS section, got unknown id {pid!r}",
                            i_vote + 1,
                        )
                    ids.append(proj.id)
                vote = tuple(ids)
            else:
                vote = ()
            points = None
            if with_points:
                pt = row[i_points].strip() if i_points >= 0 else ""
                if pt:
                    try:
                        points = tuple(parse_number(x) for x in pt.split(","))
                    except ValueError as exc:
                        raise err(
                            f"expected comma-separated numbers of points: {exc}", i_points + 1
                        ) from None
                else:
                    points = ()
                if len(points) != len(vote):
                    raise err(
                        f"expected as many points as projects in the vote ({len(vote)}), got {len(points)}",
                        (i_points + 1) if i_points >= 0 else None,
                    )
            extra = tuple(row[i].strip() for i in extra_idx) if extra_idx else ()
            voters.append(Voter(vid, vote, points, extra))
            continue
        head = row[0].strip().lower()
        if (
            len(row) == 1
            and head in ("meta", "projects", "votes")
            or (head in ("meta", "projects", "votes") and all(not f.strip() for f in row[1:]))
        ):
            if head in seen_sections:
                raise err(f"section {head.upper()} appears twice")
            expected_order = ["meta", "projects", "votes"]
            if section is None and head != "meta":
                raise err(f"expected the META section first, got {head.upper()}", 1)
            if section is not None and expected_order.index(head) != expected_order.index(section) + 1:
                raise err(
                    f"expected section {expected_order[expected_order.index(section) + 1].upper()}, "
                    f"got {head.upper()}",
                    1,
                )
            seen_sections.add(head)
            section = head
            try:
                header = _strip_row(next(reader))
            except StopIteration:
                raise err(f"expected a header line after {head.upper()}") from None
            while header and header[-1] == "" and len(header) > 1:
                header.pop()
            if section == "meta":
                if header[:2] != ["key", "value"]:
                    raise err(f"expected the META header 'key;value', got {';'.join(header)!r}", 1)
            elif section == "projects":
                if "budget" not in meta:
                    raise PabulibError("expected a 'budget' field in META", None, None, None, name)
                if "vote_type" not in meta:
                    raise PabulibError("expected a 'vote_type' field in META", None, None, None, name)
                if header[0] != "project_id":
                    raise err(f"expected 'project_id' as the first PROJECTS column, got {header[0]!r}", 1)
                if "cost" not in header:
                    raise err("expected a 'cost' column in the PROJECTS header")
                project_columns = header
            else:
                if header[0] != "voter_id":
                    raise err(f"expected 'voter_id' as the first VOTES column, got {header[0]!r}", 1)
                if "vote" not in header:
                    raise err("expected a 'vote' column in the VOTES header")
                voter_columns = header
                ncols = len(header)
                i_id = 0
                i_vote = header.index("vote")
                i_points = header.index("points") if "points" in header else -1
                with_points = vote_type in WITH_POINTS
                if with_points and i_points < 0:
                    raise err(f"expected a 'points' column for vote_type {vote_type}")
                extra_idx = [i for i, c in enumerate(header) if c not in ("voter_id", "vote", "points")]
            continue
        if section is None:
            raise err(f"expected the section name META, got {row[0]!r}", 1)
        if section == "meta":
            if len(row) < 2:
                raise err("expected 'key;value'", 2)
            key = row[0].strip()
            value = (
                ";".join(row[1:]).strip()
                if len(row) > 2 and any(f.strip() for f in row[2:])
                else row[1].strip()
            )
            meta[key] = value
            if key == "vote_type":
                vote_type = value.strip().lower()
                if vote_type not in VOTE_TYPES:
                    raise err(f"expected vote_type to be one of {', '.join(VOTE_TYPES)}, got {value!r}", 2)
            elif key == "budget":
                try:
                    parse_number(value)
                except ValueError:
                    raise err(f"expected the budget to be a number, got {value!r}", 2) from None
        elif section == "projects":
            if len(row) > len(header) and any(f.strip() for f in row[len(header) :]):
                raise err(
                    f"expected {len(header)} fields as in the PROJECTS header, got {len(row)}",
                    len(header) + 1,
                )
            row = _strip_row(row) + [""] * (len(header) - len(row))
            pid = row[0]
            if not pid:
                raise err("expected a project id, got an empty field", 1)
            if pid in projects:
                raise err(f"expected unique project ids, {pid!r} appears twice", 1)
            ci = header.index("cost")
            try:
                cost = parse_number(row[ci])
            except ValueError:
                raise err(f"expected the cost to be a number, got {row[ci]!r}", ci + 1) from None
            if cost < 0:
                raise err(f"expected a non-negative cost, got {row[ci]!r}", ci + 1)
            extra = {
                c: v for c, v in zip(header, row, strict=False) if c not in ("project_id", "cost", "name")
            }
            projects[pid] = Project(pid, cost, row[header.index("name")] if "name" in header else "", extra)
        else:  # votes, wrong number of fields
            if len(row) > ncols and not any(f.strip() for f in row[ncols:]):
                row = row[:ncols]
            elif len(row) < ncols and i_vote < len(row) and (i_points < len(row)):
                row = row + [""] * (ncols - len(row))
            else:
                raise err(
                    f"expected {ncols} fields as in the VOTES header, got {len(row)}",
                    min(len(row), ncols) + 1,
                )
            # re-run the hot path on the normalised row
            vid = row[i_id].strip()
            vote_text = row[i_vote].strip()
            ids = []
            for pid in vote_text.split(",") if vote_text else ():
                pid = pid.strip()
                if pid not in projects:
                    raise err(
                        f"expected project ids from the PROJECTS section, got unknown id {pid!r}", i_vote + 1
                    )
                ids.append(projects[pid].id)
            points = None
            if with_points:
                pt = row[i_points].strip()
                try:
                    points = tuple(parse_number(x) for x in pt.split(",")) if pt else ()
                except ValueError as exc:
                    raise err(f"expected comma-separated numbers of points: {exc}", i_points + 1) from None
                if len(points) != len(ids):
                    raise err(
                        f"expected as many points as projects in the vote ({len(ids)}), got {len(points)}",
                        i_points + 1,
                    )
            voters.append(
                Voter(vid, tuple(ids), points, tuple(row[i].strip() for i in extra_idx) if extra_idx else ())
            )
    if section is None:
        raise PabulibError("expected a META section, the file is empty", None, None, None, name)
    for needed in ("projects", "votes"):
        if needed not in seen_sections:
            raise PabulibError(
                f"expected a {needed.upper()} section, the file ended before it",
                reader.line_num,
                None,
                None,
                name,
            )
    return Instance(
        meta=meta,
        projects=projects,
        voters=voters,
        budget=parse_number(meta["budget"]),
        vote_type=vote_type,
        project_columns=project_columns,
        voter_columns=voter_columns,
    )


def write_pb(instance: Instance, target: str | os.PathLike | IO[str]) -> None:
    """Write an :class:`Instance` as a pabulib file (a path or an open text stream)."""
    if isinstance(target, (str, os.PathLike)):
        with open(target, "w", encoding="utf-8", newline="") as fh:
            _write(instance, fh)
    else:
        _write(instance, target)


def write_pb_string(instance: Instance) -> str:
    buf = io.StringIO(newline="")
    _write(instance, buf)
    return buf.getvalue()


def _write(instance: Instance, fh: IO[str]) -> None:
    w = csv.writer(fh, delimiter=";", quotechar='"', lineterminator="\n")
    meta = dict(instance.meta)
    if "budget" not in meta or parse_number(meta["budget"]) != instance.budget:
        meta["budget"] = format_number(instance.budget)
    meta["vote_type"] = meta.get("vote_type", instance.vote_type)
    w.writerow(["META"])
    w.writerow(["key", "value"])
    for k, v in meta.items():
        w.writerow([k, v])
    w.writerow(["PROJECTS"])
    cols = list(instance.project_columns)
    w.writerow(cols)
    for p in instance.projects.values():
        row = []
        for c in cols:
            if c == "project_id":
                row.append(p.id)
            elif c == "cost":
                row.append(format_number(p.cost))
            elif c == "name":
                row.append(p.name)
            else:
                row.append(p.extra.get(c, ""))
        w.writerow(row)
    w.writerow(["VOTES"])
    vcols = list(instance.voter_columns)
    if instance.vote_type in WITH_POINTS and "points" not in vcols:
        vcols.insert(vcols.index("vote") + 1, "points")
    w.writerow(vcols)
    extra_pos = {c: i for i, c in enumerate(instance.voter_extra_columns)}
    for v in instance.voters:
        row = []
        for c in vcols:
            if c == "voter_id":
                row.append(v.id)
            elif c == "vote":
                row.append(",".join(v.vote))
            elif c == "points":
                row.append(",".join(format_number(x) for x in v.points) if v.points else "")
            else:
                i = extra_pos.get(c)
                row.append(v.extra[i] if i is not None and i < len(v.extra) else "")
        w.writerow(row)
