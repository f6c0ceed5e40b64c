"""Command line: ``python -m allmende.outcomes FILE.pb --rule RULE [--tie equalshares|id] [--explain]``."""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction

from .explain import LANGUAGES, explain
from .pabulib import PabulibError, read_pb
from .profile import TIE_RULES
from .rules import RULES, compute


def _num(x):
    x = Fraction(x)
    if x.denominator == 1:
        return x.numerator
    return float(x)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m allmende.outcomes",
        description="Compute the outcome of a participatory budgeting election from a pabulib .pb file.",
    )
    ap.add_argument("file", help="pabulib .pb file")
    ap.add_argument("--rule", required=True, choices=RULES)
    ap.add_argument(
        "--tie",
        default="equalshares",
        choices=TIE_RULES,
        help="tie-breaking: equalshares = lowest cost, then most supporters, then project id "
        "(default); id = project id only (pabutools' default)",
    )
    ap.add_argument("--explain", action="store_true", help="add an explanation per project")
    ap.add_argument("--lang", default="en", choices=LANGUAGES, help="language of the explanations")
    args = ap.parse_args(argv)
    try:
        instance = read_pb(args.file)
        outcome = compute(instance, args.rule, args.tie)
    except PabulibError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = {
        "rule": outcome.rule,
        "tie": outcome.tie,
        "selected": outcome.selected,
        "total_cost": _num(outcome.total_cost),
        "budget": _num(outcome.budget),
        "num_voters": len(instance.voters),
        "num_projects": len(instance.projects),
    }
    if "per_voter_budget" in outcome.details:
        result["per_voter_budget"] = _num(outcome.details["per_voter_budget"])
    if args.explain:
        result["explanations"] = explain(outcome, args.lang)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
