"""The release gate: rules over bucket counts and meta metrics -> SHIP, FLAG or BLOCK.

* :func:`load_gates_file` / :func:`parse_gates` read and validate a gates file;
* :func:`run_gate` checks it against a store and judges every rule;
* :mod:`labeler.gates.render` turns the outcome into a table, Markdown or JSON.

This package is part of the pure core: no textual, rich or click.
"""

from labeler.gates.evaluate import GateInputs, evaluate_rules, gather, run_gate
from labeler.gates.example import EXAMPLE_GATES
from labeler.gates.results import DECISION_TEXT, EXIT_STATUS, GateOutcome, RuleResult
from labeler.gates.spec import (
    GatesFile,
    GatesFileError,
    GatesSpec,
    check_buckets,
    load_gates_file,
    parse_gates,
)

__all__ = [
    "DECISION_TEXT",
    "EXAMPLE_GATES",
    "EXIT_STATUS",
    "GateInputs",
    "GateOutcome",
    "GatesFile",
    "GatesFileError",
    "GatesSpec",
    "RuleResult",
    "check_buckets",
    "evaluate_rules",
    "gather",
    "load_gates_file",
    "parse_gates",
    "run_gate",
]
