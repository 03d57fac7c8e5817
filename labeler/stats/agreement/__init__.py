"""Inter-rater agreement core: pure numpy, no UI imports.

Build a :class:`LabelMatrix` from ``(item, reviewer, bucket)`` rows, then call
:func:`compute_agreement`; :func:`band` turns a kappa or alpha into Landis & Koch words.

>>> matrix = LabelMatrix.from_rows([("c1", "ann", "ok"), ("c1", "bob", "ok"),
...                                 ("c2", "ann", "bad"), ("c2", "bob", "ok")])
>>> report = compute_agreement(matrix)
>>> report.percent_agreement
0.5
>>> report.to_json()["undefined"]["krippendorff_alpha_ci95"]
'bootstrap not requested (bootstrap=0)'
"""

from labeler.stats.agreement.bands import band, band_for
from labeler.stats.agreement.matrix import LabelMatrix
from labeler.stats.agreement.metrics import compute_agreement
from labeler.stats.agreement.report import (
    AgreementReport,
    BucketAgreement,
    Confusion,
    PairAgreement,
)

__all__ = [
    "AgreementReport",
    "BucketAgreement",
    "Confusion",
    "LabelMatrix",
    "PairAgreement",
    "band",
    "band_for",
    "compute_agreement",
]
