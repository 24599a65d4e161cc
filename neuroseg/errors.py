"""The one exception type that user-facing code turns into a message."""

from __future__ import annotations


class InputError(ValueError):
    """Input that neuroseg refuses, with a message fit to show a user.

    Parameters
    ----------
    source : str
        What the problem is about: a file name, or a setting such as ``"k"``.
    problem : str
        What is wrong, in one sentence.
    hint : str, optional
        What would work instead.
    """

    def __init__(self, source: str, problem: str, hint: str = "") -> None:
        self.source = source
        self.problem = problem
        self.hint = hint
        text = f"{source}: {problem}"
        if hint:
            text += f" {hint}"
        super().__init__(text)
