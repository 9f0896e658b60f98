"""The scoring engine: algorithm 1 of the KOL Trust Standard (STANDARD §2–§6).

Pure: no I/O, no clock, no randomness, no global state, no JSON text.  The
same inputs give the same :class:`~kol_trust.Assessment`, down to the last
bit of ``raw_score`` and the fingerprint, on every machine.  One module per
step of the standard:

* :mod:`~kol_trust.engine.compiled`: a rubric's look-ups and shares, computed once (§4.1);
* :mod:`~kol_trust.engine.selection`: duplicates, exclusion reasons, weights (§3);
* :mod:`~kol_trust.engine.scores`: criterion, pillar and overall scores, losses, coverage (§4.2);
* :mod:`~kol_trust.engine.gates`: gates and caps (§5);
* :mod:`~kol_trust.engine.tiers` and :mod:`~kol_trust.engine.reasons`: the tier and the reasons (§6);
* :mod:`~kol_trust.engine.rounding`: ``round1`` (§2);
* :mod:`~kol_trust.engine.evaluation`: the steps in order, the evaluation trace, :func:`assess`.

A wheel built with ``HATCH_BUILD_HOOK_ENABLE_MYPYC=true`` holds these modules
compiled by mypyc as well as their source; :data:`MYPYC` tells which runs.
The results are the same, byte for byte.  Selection stays Python: it mostly
reads fields of the model's records, which the interpreter does faster than
compiled code can (the model's classes are not compiled).
"""

from __future__ import annotations

from . import evaluation
from .compiled import CompiledRubric, compile_rubric
from .evaluation import Evaluation, assess, evaluate
from .rounding import round1

__all__ = ["MYPYC", "CompiledRubric", "Evaluation", "assess", "compile_rubric", "evaluate", "round1"]

#: Whether the engine runs compiled by mypyc (an extension module, not Python source).
MYPYC: bool = not (evaluation.__file__ or "").endswith(".py")
