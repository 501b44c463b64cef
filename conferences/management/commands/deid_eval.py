"""`manage.py deid_eval`: how well the de-identification screening does on the evaluation set.

Prints, per category, the expected spans, how many were detected (a finding of the same
category overlapping the span) and the recall; the share of clean sentences with any
finding; and the time to screen a 2,000-character case (median and p95 after warm-up).

The evaluation set is `conferences/privacy/deid_eval/eval_set.jsonl`, one sentence a line:
`{"id", "text", "labels": [{"start", "end", "category", "text"}]}`, all names and places
fictional. `context.json` is the network the sentences are screened for; its forbidden
terms are fictional too and are hashed here with a throwaway key, as a network's would be.
`holdout.jsonl` was written after the rules were tuned and is reported separately.
"""

import hashlib
import hmac
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand

from conferences.privacy.deidentify import (
    CATEGORIES,
    ScreeningContext,
    normalise_term,
    screen,
    warm_up,
)

EVAL_DIR = Path(__file__).resolve().parents[2] / "privacy" / "deid_eval"
EVAL_SET = EVAL_DIR / "eval_set.jsonl"
HOLDOUT_SET = EVAL_DIR / "holdout.jsonl"
EVAL_CONTEXT = EVAL_DIR / "context.json"

TARGET_RECALL = 0.97
TARGET_CLEAN_FLAGGED = 0.03
TARGET_MILLISECONDS = 50.0
CASE_LENGTH = 2000
CASE_FIELDS = ("summary", "history", "current_support", "difficulties", "questions")

_EVAL_KEY = b"deid-eval-only"  # stands in for a network's key; the terms are fictional


def load_eval_set(path: Path = EVAL_SET) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def eval_context(path: Path = EVAL_CONTEXT) -> ScreeningContext:
    spec = json.loads(path.read_text(encoding="utf-8"))

    def hash_term(term: str) -> str:
        return hmac.new(_EVAL_KEY, term.encode(), hashlib.sha256).hexdigest()

    return ScreeningContext(
        municipality=spec["municipality"],
        allowed_terms=frozenset(normalise_term(t) for t in spec["allowed_terms"]),
        known_names=frozenset(spec["known_names"]),
        forbidden_hashes=frozenset(hash_term(normalise_term(t)) for t in spec["forbidden_terms"]),
        hash_term=hash_term,
    )


@dataclass
class Evaluation:
    positives: Counter = field(default_factory=Counter)
    detected: Counter = field(default_factory=Counter)
    clean: int = 0
    clean_flagged: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # id, category, text
    false_alarms: list[tuple[str, str, str]] = field(default_factory=list)
    stray: int = 0  # findings in positive sentences that overlap no expected span

    def recall(self, category: str) -> float:
        return (
            self.detected[category] / self.positives[category] if self.positives[category] else 1.0
        )

    @property
    def clean_share(self) -> float:
        return self.clean_flagged / self.clean if self.clean else 0.0

    def meets_targets(self) -> bool:
        return self.clean_share <= TARGET_CLEAN_FLAGGED and all(
            self.recall(c) >= TARGET_RECALL for c in CATEGORIES
        )


def evaluate(rows: list[dict], context: ScreeningContext) -> Evaluation:
    result = Evaluation()
    for row in rows:
        text, labels = row["text"], row["labels"]
        findings = screen({"text": text}, context)
        if not labels:
            result.clean += 1
            if findings:
                result.clean_flagged += 1
                for f in findings:
                    result.false_alarms.append((row["id"], f.category, text[f.start : f.end]))
            continue
        for label in labels:
            result.positives[label["category"]] += 1
            if any(
                f.category == label["category"]
                and f.start < label["end"]
                and f.end > label["start"]
                for f in findings
            ):
                result.detected[label["category"]] += 1
            else:
                result.misses.append((row["id"], label["category"], label["text"]))
        result.stray += sum(
            not any(f.start < label["end"] and f.end > label["start"] for label in labels)
            for f in findings
        )
    return result


def sample_case(rows: list[dict], length: int = CASE_LENGTH) -> dict[str, str]:
    """A case of `length` characters made of evaluation sentences, over the five fields."""
    text, i = "", 0
    while len(text) < length:
        text += rows[(i * 7) % len(rows)]["text"]
        i += 1
    text = text[:length]
    size = -(-length // len(CASE_FIELDS))
    return {name: text[n * size : (n + 1) * size] for n, name in enumerate(CASE_FIELDS)}


def time_screening(
    case: dict[str, str], context: ScreeningContext, runs: int
) -> tuple[float, float]:
    """Median and p95 in milliseconds over `runs` screenings, after warming up."""
    warm_up()
    screen(case, context)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        screen(case, context)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, max(0, round(0.95 * len(timings)) - 1))]
    return statistics.median(timings), p95


class Command(BaseCommand):
    help = "Evaluate the de-identification screening: recall per category, clean sentences "
    help += "flagged, and the time to screen a 2,000-character case."
    requires_system_checks = []  # needs neither the database nor the keyring

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=50, help="timed runs (default 50)")
        parser.add_argument("--verbose-misses", action="store_true", help="list every miss")

    def handle(self, *args, runs, verbose_misses, **options):
        context = eval_context()
        rows = load_eval_set()
        result = evaluate(rows, context)
        self._report(f"Evaluation set {EVAL_SET.name}", rows, result, verbose_misses)

        holdout = load_eval_set(HOLDOUT_SET) if HOLDOUT_SET.exists() else []
        if holdout:
            held = evaluate(holdout, context)
            self._report(f"Held-out set {HOLDOUT_SET.name} (informative)", holdout, held, True)

        case = sample_case(rows)
        median, p95 = time_screening(case, context, max(1, runs))
        self.stdout.write(
            f"\nTiming: a {sum(map(len, case.values())):,}-character case in "
            f"{len(case)} fields, {runs} runs after warm-up: "
            f"median {median:.1f} ms, p95 {p95:.1f} ms"
        )
        ok = result.meets_targets() and median <= TARGET_MILLISECONDS
        verdict = self.style.SUCCESS("met") if ok else self.style.ERROR("NOT met")
        self.stdout.write(
            f"Targets (recall >= {TARGET_RECALL} per category, clean flagged <= "
            f"{TARGET_CLEAN_FLAGGED:.0%}, median <= {TARGET_MILLISECONDS:.0f} ms): {verdict}"
        )

    def _report(self, title: str, rows: list[dict], result: Evaluation, list_misses: bool):
        write = self.stdout.write
        write(f"\n{title}: {len(rows)} sentences, {result.clean} clean")
        write(f"{'category':<16}{'positives':>10}{'detected':>10}{'recall':>8}")
        for category in CATEGORIES:
            write(
                f"{category:<16}{result.positives[category]:>10}"
                f"{result.detected[category]:>10}{result.recall(category):>8.3f}"
            )
        total_pos, total_det = sum(result.positives.values()), sum(result.detected.values())
        write(f"{'all':<16}{total_pos:>10}{total_det:>10}{total_det / max(1, total_pos):>8.3f}")
        write(
            f"Clean sentences flagged: {result.clean_flagged} / {result.clean} "
            f"({result.clean_share:.1%})"
        )
        write(f"Findings outside every expected span (positive sentences): {result.stray}")
        if list_misses:
            for ident, category, text in result.misses:
                write(f"  missed {ident} {category}: {text}")
            for ident, category, text in result.false_alarms:
                write(f"  flagged clean {ident} {category}: {text}")
