"""Reader and writer for pabulib files: round trip, formats, errors, streaming, speed."""

from __future__ import annotations

import io
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allmende.outcomes.pabulib import (
    Instance,
    PabulibError,
    Project,
    Voter,
    format_number,
    parse_number,
    read_pb,
    read_pb_string,
    write_pb_string,
)

from .conftest import data_files, require_pabulib

SMALL = """META
key;value
description;"Test; with a semicolon"
budget;1000,5
vote_type;approval
PROJECTS
project_id;cost;name;category
a;500.25;"Bench; green";nature
b;300;Lamp;
VOTES
voter_id;vote;age
1;a,b;33
2;;41
3;b;
"""


def test_read_small_features():
    inst = read_pb_string("\ufeff" + SMALL)
    assert inst.budget == Fraction(20010, 20)
    assert inst.meta["description"] == "Test; with a semicolon"
    assert inst.projects["a"].cost == Fraction(50025, 100)
    assert inst.projects["a"].name == "Bench; green"
    assert inst.projects["a"].extra == {"category": "nature"}
    assert [v.vote for v in inst.voters] == [("a", "b"), (), ("b",)]
    assert [v.extra for v in inst.voters] == [("33",), ("41",), ("",)]
    assert read_pb_string(write_pb_string(inst)) == inst


@pytest.mark.parametrize("path", data_files(), ids=lambda p: p.name)
def test_round_trip_data_files(path):
    inst = read_pb(path)
    again = read_pb_string(write_pb_string(inst))
    assert again == inst


def test_numbers():
    assert parse_number("12") == 12
    assert parse_number("12,5") == Fraction(25, 2)
    assert parse_number(" 2532645.83 ") == Fraction(253264583, 100)
    assert format_number(Fraction(253264583, 100)) == "2532645.83"
    assert format_number(7) == "7"
    with pytest.raises(ValueError):
        parse_number("12a")


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        (SMALL.replace("a;500.25", "a;5x"), 8, 2, "cost"),
        (SMALL.replace("1;a,b;33", "1;a,zz;33"), 12, 2, "unknown id 'zz'"),
        (SMALL.replace("budget;1000,5", "budget;lots"), 4, 2, "budget"),
        (SMALL.replace("vote_type;approval", "vote_type;magic"), 5, 2, "vote_type"),
        (SMALL.replace("3;b;", "3;b;;x;y"), 14, 4, "expected 3 fields"),
        (SMALL.replace("b;300;Lamp;", "a;300;Lamp;"), 9, 1, "unique"),
        (SMALL.replace("VOTES\nvoter_id", "VOTES\nvoterid"), 11, 1, "voter_id"),
    ],
)
def test_errors_name_line_and_column(text, line, column, words):
    with pytest.raises(PabulibError) as exc:
        read_pb_string(text)
    assert exc.value.line == line
    assert exc.value.column == column
    assert f"line {line}" in str(exc.value)
    assert f"column {column}" in str(exc.value)
    assert words in str(exc.value)


def test_points_errors():
    text = (
        SMALL.replace("vote_type;approval", "vote_type;cumulative")
        .replace("voter_id;vote;age", "voter_id;vote;points;age")
        .replace("1;a,b;33", "1;a,b;3;33")
        .replace("2;;41", "2;;;41")
        .replace("3;b;", "3;b;1;")
    )
    with pytest.raises(PabulibError) as exc:
        read_pb_string(text)
    assert exc.value.line == 12 and exc.value.column == 3
    assert "as many points" in str(exc.value)
    fixed = read_pb_string(text.replace("1;a,b;3;33", "1;a,b;3,1;33"))
    assert fixed.voters[0].points == (3, 1)
    assert read_pb_string(write_pb_string(fixed)) == fixed


def test_missing_sections():
    with pytest.raises(PabulibError, match="VOTES"):
        read_pb_string(SMALL.split("VOTES")[0])
    with pytest.raises(PabulibError, match="META"):
        read_pb_string("")


class _LineStream:
    """A text source that can only be iterated line by line (no ``read()``): proves streaming."""

    def __init__(self, text: str):
        self._lines = io.StringIO(text, newline="")
        self.consumed = 0

    def __iter__(self):
        for line in self._lines:
            self.consumed += len(line)
            yield line


def test_reads_as_a_stream():
    src = _LineStream(SMALL)
    inst = read_pb(src)
    assert len(inst.voters) == 3
    assert src.consumed == len(SMALL)


ids = st.text(alphabet="abcxyz0123456789_", min_size=1, max_size=6)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).map(str.strip)
amounts = st.one_of(st.integers(0, 10**9), st.integers(0, 10**7).map(lambda x: Fraction(x, 100)))


@st.composite
def instances(draw):
    pids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    vote_type = draw(st.sampled_from(["approval", "choose-1", "ordinal", "cumulative"]))
    projects = {}
    for pid in pids:
        cost = draw(amounts)
        cost = cost.numerator if isinstance(cost, Fraction) and cost.denominator == 1 else cost
        projects[pid] = Project(pid, cost, draw(texts), {"category": draw(texts)})
    voters = []
    for i in range(draw(st.integers(0, 8))):
        vote = tuple(draw(st.lists(st.sampled_from(pids), unique=True, max_size=len(pids))))
        points = tuple(draw(st.integers(1, 9)) for _ in vote) if vote_type == "cumulative" else None
        voters.append(Voter(f"v{i}", vote, points, (draw(texts),)))
    budget = draw(amounts)
    budget = budget.numerator if isinstance(budget, Fraction) and budget.denominator == 1 else budget
    meta = {"description": draw(texts), "budget": format_number(budget), "vote_type": vote_type}
    vcols = ["voter_id", "vote"] + (["points"] if vote_type == "cumulative" else []) + ["district"]
    return Instance(
        meta=meta,
        projects=projects,
        voters=voters,
        budget=budget,
        vote_type=vote_type,
        project_columns=["project_id", "cost", "name", "category"],
        voter_columns=vcols,
    )


@settings(max_examples=150, deadline=None)
@given(instances())
def test_round_trip_random(inst):
    text = write_pb_string(inst)
    assert read_pb_string(text) == inst
    assert read_pb_string("\ufeff" + text.replace("\n", "\r\n")) == inst


def test_parse_largest_file():
    """The largest file (Kraków 2024, 4 MB) reads completely; its speed is measured in
    benchmarks/outcomes (parsing ~0.3 s), not here."""
    inst = read_pb(require_pabulib() / "Poland_Krakow_2024.pb")
    assert len(inst.voters) == 65101
