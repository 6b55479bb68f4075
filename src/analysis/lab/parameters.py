"""A notebook's parameters, checked before anything loads, and the stand-in a report is until it has."""

from __future__ import annotations

from analysis.core.messages import LANGUAGES, t_each


def text_params(lang: object = "en", **params: object) -> tuple[str, ...]:
    """The notebook's text parameters (``lang`` first, then the others in order), checked: a number
    where a code or path belongs (papermill ``-p region 32.73`` passes a float) is refused with
    the way to pass it as text; a language that is not one of the reports' is refused in both
    languages (the notebook's own is what is wrong)."""
    known = lang in LANGUAGES
    for name, value in {"lang": lang, **params}.items():
        if not isinstance(value, str):
            raise TypeError(t_each("workbench.param.text", LANGUAGES if not known else (lang,), name=name, value=value,
                                kind=type(value).__name__))
    if not known:  # which language to answer in is what is wrong: both
        raise ValueError(t_each("workbench.param.lang", value=lang, languages=", ".join(LANGUAGES)))
    return (lang, *params.values())  # type: ignore[return-value]


class NotLoaded:
    """Stands for the report until the load cell succeeds: every use raises, so a failed load can
    never let the next cells show the previous region."""

    def __init__(self, what: str = "report"):
        self._what = what

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        raise RuntimeError(t_each("workbench.not_loaded", what=self._what))

    def __repr__(self) -> str:
        return f"<{self._what}: not loaded>"
