"""Result types of :func:`labeler.stats.agreement.compute_agreement` and their JSON form.

The JSON keys are a contract that scripts rely on. Every metric that is ``None`` has a reason in
the ``undefined`` mapping next to it; numbers are finite Python floats and ints, so
``json.dumps(report.to_json(), allow_nan=False)`` always works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from labeler.stats.agreement.bands import MIN_IN_BUCKET, MIN_PAIRABLE

__all__ = ["METRICS", "AgreementReport", "BucketAgreement", "Confusion", "PairAgreement"]

METRICS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")
AC1_KEY = "gwet_ac1"
PARADOX_MARGIN = 0.3
"""AC1 this far above alpha (or more) is reported as the kappa paradox."""


@dataclass(frozen=True)
class BucketAgreement:
    """One-vs-rest agreement on "is it this bucket or not"."""

    bucket: str
    percent_agreement: float | None
    cohen_kappa: float | None
    fleiss_kappa: float | None
    krippendorff_alpha: float | None
    labels: int  # labels with this bucket (reviewers in play, all items)
    undefined: Mapping[str, str]
    gwet_ac1: float | None = None
    pairable_in_bucket: int = 0
    """Pairable items on which at least one reviewer in play gave this bucket."""

    def to_json(self) -> dict[str, Any]:
        return {
            "percent_agreement": self.percent_agreement,
            "cohen_kappa": self.cohen_kappa,
            "fleiss_kappa": self.fleiss_kappa,
            "krippendorff_alpha": self.krippendorff_alpha,
            "gwet_ac1": self.gwet_ac1,
            "labels": self.labels,
            "pairable_in_bucket": self.pairable_in_bucket,
            "undefined": dict(self.undefined),
        }


@dataclass(frozen=True)
class PairAgreement:
    """Cohen's kappa of two reviewers over the items both labeled."""

    reviewers: tuple[str, str]  # sorted by name
    cases: int
    cohen_kappa: float | None
    undefined: Mapping[str, str]  # {"cohen_kappa": reason} when it is None, else empty

    @property
    def key(self) -> str:
        return f"{self.reviewers[0]}|{self.reviewers[1]}"

    def to_json(self) -> dict[str, Any]:
        return {
            "cohen_kappa": self.cohen_kappa,
            "cases": self.cases,
            "undefined": dict(self.undefined),
        }


@dataclass(frozen=True)
class Confusion:
    """Counts of first reviewer's bucket (rows) x second reviewer's bucket (columns)."""

    reviewers: tuple[str, str]
    buckets: tuple[str, ...]
    matrix: tuple[tuple[int, ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "reviewers": list(self.reviewers),
            "buckets": list(self.buckets),
            "matrix": [list(row) for row in self.matrix],
        }


@dataclass(frozen=True)
class AgreementReport:
    reviewers: tuple[str, ...]  # reviewers in play, sorted
    buckets: tuple[str, ...]
    percent_agreement: float | None
    cohen_kappa: float | None
    fleiss_kappa: float | None
    krippendorff_alpha: float | None
    krippendorff_alpha_ci95: tuple[float, float] | None
    undefined: Mapping[str, str]
    per_bucket: Mapping[str, BucketAgreement]
    pairwise: Mapping[tuple[str, str], PairAgreement]
    confusion: Confusion | None
    items_with_labels: int
    pairable_items: int
    bootstrap_replicates: int  # requested
    bootstrap_defined: int  # replicates with a defined alpha, used for the interval
    gwet_ac1: float | None = None

    def paradox_notes(self, margin: float = PARADOX_MARGIN) -> list[str]:
        """Where AC1 is above alpha by ``margin`` or more: the kappa paradox, in words (not for
        values on too few cases, see :func:`labeler.stats.agreement.bands.band_for`)."""
        notes: list[str] = []
        if self.pairable_items < MIN_PAIRABLE:  # "too few cases": no words on it at all
            return notes
        checks = [("overall", self.gwet_ac1, self.krippendorff_alpha)]
        checks += [
            (name, b.gwet_ac1, b.krippendorff_alpha)
            for name, b in self.per_bucket.items()
            if b.pairable_in_bucket >= MIN_IN_BUCKET
        ]
        for where, ac1, alpha in checks:
            if ac1 is None or alpha is None or ac1 - alpha < margin:
                continue
            notes.append(
                f"{where}: AC1 {ac1:.2f} but alpha {alpha:.2f}: the reviewers agree on most "
                "cases, yet one answer is so common that kappa and alpha correct the agreement "
                "away (the kappa paradox); read AC1 and the counts too"
            )
        return notes

    def summary_json(self) -> dict[str, Any]:
        """The overall numbers only (``labeler stats`` puts the rest beside them)."""
        ci = self.krippendorff_alpha_ci95
        return {
            "percent_agreement": self.percent_agreement,
            "cohen_kappa": self.cohen_kappa,
            "fleiss_kappa": self.fleiss_kappa,
            "krippendorff_alpha": self.krippendorff_alpha,
            "krippendorff_alpha_ci95": None if ci is None else [ci[0], ci[1]],
            "gwet_ac1": self.gwet_ac1,
            "undefined": dict(self.undefined),
            "items_with_labels": self.items_with_labels,
            "pairable_items": self.pairable_items,
        }

    def per_bucket_json(self) -> dict[str, Any]:
        return {name: entry.to_json() for name, entry in self.per_bucket.items()}

    def pairwise_json(self) -> dict[str, Any]:
        """Pairs keyed ``"first|second"``."""
        return {entry.key: entry.to_json() for entry in self.pairwise.values()}

    def to_json(self) -> dict[str, Any]:
        """Plain dict with the documented keys (see module docstring)."""
        summary = self.summary_json()
        counts = {key: summary.pop(key) for key in ("items_with_labels", "pairable_items")}
        return {
            **summary,
            "per_bucket": self.per_bucket_json(),
            "pairwise": self.pairwise_json(),
            "confusion": None if self.confusion is None else self.confusion.to_json(),
            **counts,
        }
