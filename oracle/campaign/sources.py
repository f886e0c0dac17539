"""Where campaign cases come from: Go's own testdata, the corpus, and generated traces.

One copy of each lookup: the conformance check, the coverage measurement and the engines'
seed corpora all read their inputs through here.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["default_corpus_root"]

#: The checkout this package runs from, if it runs from one (editable install or the tree).
_CHECKOUT = Path(__file__).resolve().parents[2]


def default_corpus_root() -> Path:
    """The corpus folder to use when the command line names none.

    Inside a checkout it is the repository's ``corpus/``; after a non-editable install the
    package lives in site-packages, where findings must never be written, so it is
    ``./corpus`` in the working directory instead.
    """
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "corpus").is_dir():
        return _CHECKOUT / "corpus"
    return Path.cwd() / "corpus"
