"""The formats an edition is published in, and the renderer module that makes each.

A renderer is found by name when a job runs, not imported with this module: a format whose module (or a library it
needs) is missing is "not available" and the edition is published without it, with a warning, rather than failing.
Tests put their own renderers here (``RENDERERS``), named as ``"package.module"`` (its ``render``) or
``"package.module:function"``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from liaison.publishing.edition import EditionData
from liaison.publishing.models import FileFormat
from liaison.publishing.renderers import Finish, Relink, Rendered, preparation, relinker, runs_in_background

logger = logging.getLogger(__name__)

T = TypeVar("T")

# In the order they are rendered and listed: the web pages first, the email edition (which links to the others) last.
RENDERERS: list[tuple[str, str]] = [
    (FileFormat.WEB, "liaison.publishing.renderers.web"),
    (FileFormat.PDF, "liaison.publishing.renderers.pdf"),
    (FileFormat.EPUB, "liaison.publishing.renderers.epub"),
    (FileFormat.EMAIL, "liaison.publishing.renderers.email"),
]


@dataclass(frozen=True)
class Renderer:
    format: str
    render: Callable[..., Rendered]
    # Rendered in a helper thread while the others run (``renderers.in_background``).
    background: bool = False
    # Changes the language links of pages already rendered (``renderers.relinked_by``): the web renderer's.
    relink: Relink | None = None

    @property
    def label(self) -> str:
        return format_label(self.format)

    def __call__(self, data: EditionData, formats_present: list[str]) -> Rendered:
        return _call(self.render, data, formats_present)

    def start(self, data: EditionData, formats_present: list[str]) -> Finish:
        """For a background renderer: its own preparation done now, in this thread, and what is left for the helper
        thread (the whole renderer when it has no ``prepare``)."""
        prepare = preparation(self.render)
        if prepare is None:
            return functools.partial(self, data, formats_present)
        return _call(prepare, data, formats_present)


def _call(function: Callable[..., T], data: EditionData, formats_present: list[str]) -> T:
    # The web pages link to the other formats published beside them: the renderers that say so are told which.
    if "formats_present" in inspect.signature(function).parameters:
        return function(data, formats_present=formats_present)
    return function(data)


def format_label(fmt: str) -> str:
    return str(FileFormat(fmt).label) if fmt in FileFormat.values else fmt


def _load(name: str) -> Callable[..., Rendered]:
    module_name, _sep, attribute = name.partition(":")
    module: Any = importlib.import_module(module_name)
    render: Callable[..., Rendered] = getattr(module, attribute or "render")
    return render


def available() -> tuple[list[Renderer], list[str]]:
    """The renderers that can run here, in order, and a warning for each format that cannot."""
    found: list[Renderer] = []
    warnings: list[str] = []
    for fmt, name in RENDERERS:
        try:
            render = _load(name)
            found.append(Renderer(fmt, render, background=runs_in_background(render), relink=relinker(render)))
        except ModuleNotFoundError as error:
            module = name.partition(":")[0]
            if error.name and (error.name == module or module.startswith(f"{error.name}.")):
                reason = _("its renderer is not installed yet")
            else:
                reason = _("it needs %(module)s, which is not installed") % {"module": error.name or "?"}
            logger.warning("The %s format is not available: %s", fmt, error)
            warnings.append(
                _("%(format)s not available (%(reason)s): the edition is published without it.")
                % {"format": format_label(fmt), "reason": reason}
            )
        except (ImportError, AttributeError) as error:
            logger.exception("The %s renderer cannot be loaded", fmt)
            warnings.append(
                _("%(format)s not available (its renderer cannot be loaded: %(error)s): the edition is published "
                  "without it.") % {"format": format_label(fmt), "error": error}
            )  # fmt: skip
    return found, warnings
