"""Explanations a resident can read, in English and German.

Every rule stores per project a dict ``{"code": ..., parameters...}``; :func:`render` turns it into
a sentence using the templates below.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["LANGUAGES", "TEMPLATES", "explain", "money", "render"]

LANGUAGES = ("en", "de")

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "greedy_selected": "Selected: ranked {rank} with {support} {unit}. It costs {cost}; before it "
        "{spent_before} of the budget of {budget} was committed, after it {spent_after}.",
        "greedy_rejected": "Not selected: ranked {rank} with {support} {unit}. When its turn came, "
        "{spent_before} of the budget of {budget} was already committed; its cost of "
        "{cost} would have brought the total to {would_be}, more than the budget.",
        "fill_selected": "Selected in the final greedy fill (after Equal Shares): ranked {rank} with "
        "{support} {unit}; it costs {cost} and still fitted ({spent_before} committed "
        "before, {spent_after} after, budget {budget}).",
        "fill_rejected": "In the final greedy fill it did not fit either: {spent_before} of {budget} was "
        "committed and it costs {cost}.",
        "mes_selected": "Bought in step {round} of Equal Shares (every voter's share of the budget: "
        "{per_voter_budget}). Its cost of {cost} was split among its {supporters} "
        "supporters: {payers}.",
        "mes_payers_equal": "{full_payers} paid {share} each",
        "mes_payers_points": "{full_payers} paid {share} per point they gave it",
        "mes_payers_capped": "{capped} paid all they had left ({capped_paid} together)",
        "mes_payers_nothing": "{nothing} had nothing left to give",
        "mes_rejected": "Not bought: when no further project could be paid for, its {supporters} "
        "supporters had {had} left together, but it costs {cost}.",
        "mes_free": "Costs nothing and has supporters, so it is selected without using money.",
        "mes_free_cost_utility": "Costs {cost}; Equal Shares with cost-based satisfaction gives a "
        "project without cost no weight, so it is not selected here.",
        "mes_unsupported": "No voter supported it, so Equal Shares does not select it.",
        "phragmen_selected": "Selected in round {round} of Phragmén's method: spreading its cost of {cost} "
        "over its {supporters} supporters gave the smallest maximal load ({load}).",
        "phragmen_stopper": "Not selected: it was next in line (smallest maximal load) but its cost of "
        "{cost} did not fit into what was left of the budget ({spent} of {budget} "
        "committed), so the method stopped.",
        "phragmen_not_reached": "Not selected: the method stopped before its turn (project {stopper} "
        "was next and did not fit).",
        "phragmen_too_expensive": "Not selected: its cost of {cost} is more than the whole budget "
        "of {budget}.",
        "unit_approvals": "votes",
        "unit_points": "points",
        "and": " and ",
    },
    "de": {
        "greedy_selected": "Ausgewählt: Platz {rank} mit {support} {unit}. Es kostet {cost}; davor waren "
        "{spent_before} des Budgets von {budget} vergeben, danach {spent_after}.",
        "greedy_rejected": "Nicht ausgewählt: Platz {rank} mit {support} {unit}. Als es an der Reihe "
        "war, waren {spent_before} des Budgets von {budget} schon vergeben; mit seinen "
        "Kosten von {cost} wären es {would_be} gewesen, mehr als das Budget.",
        "fill_selected": "Im abschließenden Auffüllen (nach den gleichen Anteilen) ausgewählt: Platz "
        "{rank} mit {support} {unit}; es kostet {cost} und passte noch ({spent_before} "
        "vorher vergeben, {spent_after} danach, Budget {budget}).",
        "fill_rejected": "Auch beim abschließenden Auffüllen passte es nicht: {spent_before} von "
        "{budget} waren vergeben, es kostet {cost}.",
        "mes_selected": "Gekauft in Schritt {round} der Methode der gleichen Anteile (Anteil jeder "
        "Stimme am Budget: {per_voter_budget}). Die Kosten von {cost} wurden auf seine "
        "{supporters} Unterstützenden aufgeteilt: {payers}.",
        "mes_payers_equal": "{full_payers} zahlten je {share}",
        "mes_payers_points": "{full_payers} zahlten {share} je vergebenem Punkt",
        "mes_payers_capped": "{capped} zahlten alles, was sie noch hatten (zusammen {capped_paid})",
        "mes_payers_nothing": "{nothing} hatten nichts mehr übrig",
        "mes_rejected": "Nicht gekauft: Als kein weiteres Projekt mehr bezahlt werden konnte, hatten "
        "seine {supporters} Unterstützenden zusammen noch {had}, es kostet aber {cost}.",
        "mes_free": "Kostet nichts und hat Unterstützung, daher ohne Geld ausgewählt.",
        "mes_free_cost_utility": "Kostet {cost}; bei kostenbasiertem Nutzen hat ein Projekt ohne Kosten "
        "kein Gewicht, daher wird es hier nicht ausgewählt.",
        "mes_unsupported": "Niemand hat dafür gestimmt, daher wählt die Methode es nicht aus.",
        "phragmen_selected": "Ausgewählt in Runde {round} der Methode von Phragmén: verteilt auf seine "
        "{supporters} Unterstützenden ergaben die Kosten von {cost} die kleinste "
        "höchste Last ({load}).",
        "phragmen_stopper": "Nicht ausgewählt: Es war als Nächstes an der Reihe (kleinste höchste Last), "
        "aber seine Kosten von {cost} passten nicht mehr ins Budget ({spent} von "
        "{budget} vergeben), daher endete das Verfahren.",
        "phragmen_not_reached": "Nicht ausgewählt: Das Verfahren endete vorher (Projekt {stopper} war "
        "an der Reihe und passte nicht).",
        "phragmen_too_expensive": "Nicht ausgewählt: Die Kosten von {cost} übersteigen das ganze "
        "Budget von {budget}.",
        "unit_approvals": "Stimmen",
        "unit_points": "Punkten",
        "and": " und ",
    },
}


def money(x, lang: str = "en") -> str:
    """Amounts rounded to cents, e.g. ``12,345.67`` (en) / ``12.345,67`` (de)."""
    if x is None:
        return "-"
    v = Fraction(x)
    cents = round(v * 100)
    whole, c = divmod(abs(cents), 100)
    s = f"{whole:,}"
    if c or v.denominator != 1:
        s += f".{c:02d}"
    if lang == "de":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return ("-" if cents < 0 else "") + s


def _num(x, lang: str) -> str:
    v = Fraction(x)
    if v.denominator == 1:
        return str(v.numerator)
    return money(v, lang)


def render(entry: dict, lang: str = "en") -> str:
    """One explanation as a sentence."""
    if lang not in TEMPLATES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    t = TEMPLATES[lang]
    code = entry["code"]
    p = dict(entry)
    for key in (
        "cost",
        "spent_before",
        "spent_after",
        "budget",
        "share",
        "capped_paid",
        "had",
        "per_voter_budget",
        "spent",
        "load",
    ):
        if key in p and p[key] is not None:
            p[key] = money(p[key], lang)
    if "support" in p:
        p["support"] = _num(p["support"], lang)
        p["unit"] = t["unit_points" if entry.get("points") else "unit_approvals"]
    if code in ("greedy_rejected",):
        p["would_be"] = money(Fraction(entry["spent_before"]) + Fraction(entry["cost"]), lang)
    if code == "mes_selected":
        parts = []
        if entry["full_payers"]:
            parts.append(t["mes_payers_points" if entry.get("per_point") else "mes_payers_equal"].format(**p))
        if entry["capped"]:
            parts.append(t["mes_payers_capped"].format(**p))
        p["nothing"] = entry["supporters"] - entry["full_payers"] - entry["capped"]
        if p["nothing"] > 0:
            parts.append(t["mes_payers_nothing"].format(**p))
        p["payers"] = t["and"].join(parts)
    text = t[code].format(**p)
    if "fill" in entry:
        text += " " + render(entry["fill"], lang)
    return text


def explain(outcome, lang: str = "en") -> dict[str, str]:
    """Explanation per project id of an :class:`~allmende.outcomes.rules.Outcome`."""
    return {pid: render(e, lang) for pid, e in outcome.explanations.items()}
