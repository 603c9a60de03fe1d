"""Protocols plugins implement, and the registries the register-style hooks fill."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import PluginError, UnknownMethodError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from balanced_scorecard.algorithms.scoring import ScoringMethod
    from balanced_scorecard.data.rules import ValidationRule
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.results import Evaluation

__all__ = [
    "Adjuster",
    "Registry",
    "Renderer",
    "RollupFunction",
    "Source",
]


@runtime_checkable
class Source(Protocol):
    """Reads observations. ``location`` is the URI without its scheme (or a bare path).

    Returns a long frame with at least ``indicator``, ``org_unit``, ``period``, ``value``
    (optionally ``unit``, ``numerator``, ``denominator``, ``weight``, ``source``, ``as_of``).

    For sources of raw facts (a definition's source with a ``mapping``), two optional
    methods let the facts stay where they are:

    - ``load_native(location, **options)`` returns the facts as a frame of their own engine
      (a DuckDB relation, a Polars LazyFrame, a Dask frame); the mapping is aggregated there
      through narwhals. Without it, ``load``'s result is used.
    - ``load_facts(location, *, mapping, scorecard, source, **options)`` aggregates the
      facts itself (push-down, as the SQL source does) and returns a
      :class:`~balanced_scorecard.FactResult`;
      :func:`~balanced_scorecard.data.fact_results.summarise_groups` turns grouped tables
      into one.
    """

    def load(self, location: Any, **options: Any) -> pd.DataFrame:
        """Return the observations found at ``location``."""
        ...


@runtime_checkable
class Renderer(Protocol):
    """Turns an evaluation into a document."""

    media_type: str
    suffix: str

    def render(self, evaluation: Evaluation, **options: Any) -> str | bytes:
        """Return the document."""
        ...


@runtime_checkable
class Adjuster(Protocol):
    """Adjusts observation values (FX, inflation, one-time events).

    ``scorecard`` and ``registry`` are the scorecard being evaluated and the engine's unit
    registry; the other keyword arguments are the user's options.

    An adjuster that *normalises* (takes one-time effects out, rather than restating values
    in other money) sets a class attribute ``normalises = True``: an evaluation that runs it
    then also keeps the reported view, evaluated without it
    (:attr:`~balanced_scorecard.Evaluation.reported`).
    """

    def adjust(
        self, frame: pd.DataFrame, *, scorecard: Scorecard, registry: Any, **options: Any
    ) -> pd.DataFrame:
        """Return ``frame`` with adjusted values."""
        ...


class RollupFunction(Protocol):
    """A plugin rollup: child scores to parent scores."""

    def __call__(
        self, scores: np.ndarray, *, weights: np.ndarray, parent: np.ndarray, n_parents: int
    ) -> np.ndarray:
        """Return parent scores of shape ``(n_parents, *scores.shape[1:])``."""
        ...


T = TypeVar("T")


class Registry(Generic[T], Mapping[str, T]):
    """Name -> object, filled by one register-style hook; remembers which plugin added what.

    Examples
    --------
    >>> reg: Registry[int] = Registry("renderer")
    >>> reg.add("text", 1, plugin="builtins")
    >>> reg["text"], reg.plugin_of("text")
    (1, 'builtins')
    >>> try:
    ...     reg["txt"]
    ... except KeyError as exc:
    ...     print(exc)
    no renderer named 'txt'; registered: text. Did you mean 'text'?
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._plugins: dict[str, str] = {}

    def add(self, name: str, item: T, *, plugin: str) -> None:
        """Add ``item`` as ``name``; a second plugin claiming a taken name is an error."""
        if name in self._items and self._plugins[name] != plugin:
            raise PluginError(
                f"plugin {plugin!r} registers {self.kind} {name!r}, which plugin "
                f"{self._plugins[name]!r} already registered; rename one of them"
            )
        self._items[name] = item
        self._plugins[name] = plugin

    def plugin_of(self, name: str) -> str:
        """The name of the plugin that registered ``name``."""
        self[name]
        return self._plugins[name]

    def __getitem__(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise UnknownMethodError(
                f"no {self.kind} named {name!r}; registered: {known}."
                + did_you_mean(name, self._items)
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


RegisterSource = Callable[..., None]
RegisterRenderer = Callable[[str, Renderer], None]
RegisterAdjuster = Callable[[str, Adjuster], None]
RegisterScoringMethod = Callable[["ScoringMethod"], None]
RegisterRollupMethod = Callable[[str, RollupFunction], None]
RegisterValidationRule = Callable[["ValidationRule"], None]
#: ``register(scheme, opener)``: ``opener(url)`` returns a store for URLs of that scheme.
StoreOpener = Callable[[str], Any]
RegisterStore = Callable[[str, StoreOpener], None]
