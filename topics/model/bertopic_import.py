"""BERTopic imported without the optional parts the toolkit does not use, each imported when first used.

BERTopic 0.17 imports, when it is imported, every optional part it can find: its multimodal embedding backend
(sentence-transformers, and with it transformers and torch), its text-generation, zero-shot and visual
representations (transformers), its part-of-speech representation (spaCy) and, in its save module, torch. A
warm rerun of the toolkit uses none of them, and they were more than half of its CPU seconds.

BERTopic's own package modules treat each of those parts as optional: ``bertopic.backend`` and
``bertopic.representation`` import each in a ``try`` and put a placeholder in its place when its module is
missing, and the save module records whether torch is there. :func:`import_bertopic` imports BERTopic with
those modules reported missing (only to the package module or save module that asks for them, in the importing
thread, for the length of the import), then puts each name back as the real thing, imported on first use:

* the placeholders are taken out of ``bertopic.backend`` and ``bertopic.representation`` and a module
  ``__getattr__`` (PEP 562) imports the real module the first time the name is looked up
  (``from bertopic.representation import PartOfSpeech`` gives the real class; where the part's dependencies are
  missing, BERTopic's own placeholder, as a plain import would);
* the save module gets torch as a module imported the first time one of its names is used (the stand-in of
  :class:`DeferredModule`), and ``_has_torch`` as a plain import would set it.

This relies on BERTopic 0.17 (pyproject pins ``bertopic>=0.17,<0.18``; written against 0.17.4). Where anything
differs from what is expected (another version, BERTopic or one of the heavy packages imported already, a part
asked for more or less often than expected, a name that is not BERTopic's placeholder), BERTopic is imported the
plain way instead.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types
from importlib import metadata
from typing import Any

PLOTTING_MODULE = "bertopic.plotting"
"""BERTopic's plotting module, imported when first used (:func:`defer_bertopic_plotting`)."""

DEFERRED_NAMES: dict[str, dict[str, str]] = {
    "bertopic.backend": {"MultiModalBackend": "bertopic.backend._multimodal"},
    "bertopic.representation": {
        "TextGeneration": "bertopic.representation._textgeneration",
        "ZeroShotClassification": "bertopic.representation._zeroshot",
        "PartOfSpeech": "bertopic.representation._pos",
        "VisualRepresentation": "bertopic.representation._visual",
    },
}
"""The names of BERTopic's packages imported on first use, and the module each comes from."""

SAVE_MODULE = "bertopic._save_utils"
"""BERTopic's save module, which imports torch (only for ``serialization="pytorch"``)."""

HEAVY = ("torch", "transformers", "sentence_transformers", "spacy")
"""What the deferral saves; when one of them is imported already, BERTopic is imported the plain way."""

_LOCK = threading.Lock()


class DeferredModule(types.ModuleType):
    """Stands for a module not imported yet: the first name looked up imports the real one and is read from it.

    Parameters
    ----------
    spec : importlib.machinery.ModuleSpec
        The real module's spec (found, not loaded).
    """

    def __init__(self, spec: importlib.machinery.ModuleSpec) -> None:
        super().__init__(spec.name)
        self.__spec__ = spec
        self.__path__ = list(spec.submodule_search_locations or [])
        self.__file__ = spec.origin
        self.__dict__["_deferred_lock"] = threading.Lock()
        self.__dict__["_deferred_real"] = None

    def _deferred_load(self) -> types.ModuleType:
        with self.__dict__["_deferred_lock"]:
            real = self.__dict__["_deferred_real"]
            if real is None:
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]
                real = importlib.import_module(self.__name__)
                self.__dict__["_deferred_real"] = real
        return real

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # the import system's probes (``__spec__._initializing`` ...) load nothing
        return getattr(self._deferred_load(), name)

    def __dir__(self) -> list[str]:
        return dir(self._deferred_load())


def defer_bertopic_plotting() -> bool:
    """Have BERTopic's plotting module imported only when one of its ``visualize_*`` functions is used.

    BERTopic runs ``from bertopic import plotting`` when it is imported and uses the module only inside its
    ``visualize_*`` methods; a stand-in module in ``sys.modules`` takes its place and imports the real module,
    unchanged, the first time a name of it is looked up (any use, whatever BERTopic's version does with it).
    Nothing is done when BERTopic or its plotting module was imported already, or when plotly or BERTopic is
    missing (BERTopic then uses its own stand-in).

    Returns
    -------
    bool
        Whether the stand-in was installed by this call.
    """
    if "bertopic" in sys.modules or PLOTTING_MODULE in sys.modules:
        return False
    try:
        parent = importlib.util.find_spec("bertopic")  # a top-level name: finds, imports nothing
        if parent is None or not parent.submodule_search_locations or importlib.util.find_spec("plotly") is None:
            return False
        spec = importlib.machinery.PathFinder.find_spec(PLOTTING_MODULE, list(parent.submodule_search_locations))
    except (ImportError, ValueError):
        return False
    if spec is None or spec.loader is None:
        return False
    sys.modules[PLOTTING_MODULE] = DeferredModule(spec)
    return True


_IMPORT_MACHINERY = frozenset({"importlib", "importlib._bootstrap", "importlib._bootstrap_external", __name__})


def _importer() -> str | None:
    """The module whose code asks for the module being imported (the first frame outside the import system)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") in _IMPORT_MACHINERY:
        frame = frame.f_back  # type: ignore[assignment]
    return None if frame is None else frame.f_globals.get("__name__")


class _ReportMissing(importlib.abc.MetaPathFinder):
    """Reports modules missing to the code of one module, in one thread, and counts how often each was asked for.

    ``missing`` maps each module name to the module whose import of it is answered "missing"
    (``bertopic.backend`` asking for ``bertopic.backend._multimodal``, ``bertopic._save_utils`` for ``torch``);
    any other import, of these modules too, goes on as usual.
    """

    def __init__(self, missing: dict[str, str]) -> None:
        self.missing = dict(missing)
        self.thread = threading.get_ident()
        self.asked: dict[str, int] = {}

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname in self.missing and threading.get_ident() == self.thread and _importer() == self.missing[fullname]:
            self.asked[fullname] = self.asked.get(fullname, 0) + 1
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def _lazy_getattr(package: str, names: dict[str, str], placeholders: dict[str, Any]) -> Any:
    """A module ``__getattr__`` that imports each deferred name's module on first use (PEP 562)."""

    def module_getattr(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            value = getattr(importlib.import_module(names[name]), name)
        except ModuleNotFoundError:
            value = placeholders[name]  # the part's dependencies are missing: BERTopic's own placeholder
        setattr(sys.modules[package], name, value)
        return value

    return module_getattr


def _plain_import() -> types.ModuleType:
    for name in [m for m in sys.modules if m == "bertopic" or m.startswith("bertopic.")]:
        if not (name == PLOTTING_MODULE and isinstance(sys.modules[name], DeferredModule)):
            del sys.modules[name]
    return importlib.import_module("bertopic")


def _deferrable() -> bool:
    try:
        version = metadata.version("bertopic")
    except metadata.PackageNotFoundError:
        return False
    if not version.startswith("0.17.") or any(m in sys.modules for m in HEAVY):
        return False
    modules = [m for names in DEFERRED_NAMES.values() for m in names.values()] + [SAVE_MODULE]
    return not any(m in sys.modules for m in modules)


def _expected(finder: _ReportMissing, torch_found: bool) -> bool:
    """Whether the import went as BERTopic 0.17 does it: each part asked for once, each name a placeholder."""
    from bertopic._utils import NotInstalled

    wanted = {m: 1 for names in DEFERRED_NAMES.values() for m in names.values()}
    if torch_found:
        wanted["torch"] = 1
    if finder.asked != wanted:
        return False
    for package, names in DEFERRED_NAMES.items():
        module = sys.modules.get(package)
        if module is None or "__getattr__" in vars(module):
            return False
        if not all(isinstance(vars(module).get(name), NotInstalled) for name in names):
            return False
    save = sys.modules.get(SAVE_MODULE)
    return save is not None and vars(save).get("_has_torch") is False and "torch" not in vars(save)


def import_bertopic() -> types.ModuleType:
    """Import BERTopic (once) with its optional backends and representations imported when first used.

    See the module's description. Also installs :func:`defer_bertopic_plotting`. Returns at once when BERTopic
    is imported already (by this function or elsewhere, the plain way).

    Returns
    -------
    types.ModuleType
        The ``bertopic`` package.
    """
    with _LOCK:
        if "bertopic" in sys.modules:
            return sys.modules["bertopic"]
        defer_bertopic_plotting()
        if not _deferrable():
            return importlib.import_module("bertopic")
        torch_spec = importlib.util.find_spec("torch")
        missing = {m: package for package, names in DEFERRED_NAMES.items() for m in names.values()}
        if torch_spec is not None:
            missing["torch"] = SAVE_MODULE
        finder = _ReportMissing(missing)
        sys.meta_path.insert(0, finder)
        try:
            bertopic = importlib.import_module("bertopic")
        except ImportError:
            bertopic = None
        finally:
            sys.meta_path.remove(finder)
        if bertopic is None or not _expected(finder, torch_spec is not None):
            return _plain_import()
        for package, deferred in DEFERRED_NAMES.items():
            module = sys.modules[package]
            placeholders = {name: vars(module).pop(name) for name in deferred}
            vars(module)["__getattr__"] = _lazy_getattr(package, deferred, placeholders)
        if torch_spec is not None:
            save = sys.modules[SAVE_MODULE]
            vars(save)["torch"] = DeferredModule(torch_spec)
            vars(save)["_has_torch"] = True
        return bertopic
