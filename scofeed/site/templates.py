"""The Jinja2 templates pages are rendered from: the ones shipped in `scofeed/templates/`,
each of which a site may replace with a file of the same name in its own `templates/` folder
(Pelican's and Hugo's habit). Autoescape is on, so every value a template prints is text unless
it is marked as HTML (a post's sanitised body, JSON-LD made safe for a script element); an
undefined name is an error, never an empty string.

A template that does not compile or fails while rendering is a `TemplateError` naming the
template file and its line; the build then publishes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import traceback
import types
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scofeed.errors import InputError, Problem
from scofeed.infra.atomic import write_atomic

if TYPE_CHECKING:
    import jinja2

# jinja2 is imported on first render, not with this module: the build keys its cache on
# `digest` on every run, and a no-op build renders nothing (jinja2 alone takes some 50 ms).

PACKAGED = Path(__file__).parent.parent / "templates"


class TemplateError(InputError):
    """A template that cannot be compiled or rendered."""


@cache
def environment(site_templates: Path, cache_dir: Path | None = None) -> jinja2.Environment:
    """The templates, the site's own first; one environment per folder, compiled once (until
    `refresh` sees the site's templates change). With the build's `cache_dir`, the compiled
    templates are kept there (`templates/`) for the next process: compiling the pages'
    templates took 45 ms of every rebuild."""
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if site_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(site_templates))
    loaders.append(jinja2.FileSystemLoader(PACKAGED))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.bytecode_cache = _bytecode_cache(cache_dir / "templates", env) if cache_dir else None
    return env


def _bytecode_cache(folder: Path, env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    import jinja2

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    # What the code compiled depends on besides the source (Jinja2 keys it by the source only).
    settings = hashlib.sha256(
        repr(
            (
                env.autoescape,
                env.trim_blocks,
                env.lstrip_blocks,
                env.keep_trailing_newline,
                env.newline_sequence,
                env.optimized,
                env.undefined.__name__,
            )
        ).encode()
    ).hexdigest()[:16]

    class Compiled(jinja2.BytecodeCache):
        """Each template's code in a file of its own, under a header that names Jinja2's and
        Python's bytecode, these options and the template's source: any other file, cut short
        or garbled, is compiled again. (Jinja2's own cache unpickles what it reads; the build
        cache admits no pickle it did not write, and neither does this.)"""

        def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
            return folder / f"{bucket.key}.bin"

        def _header(self, bucket: jinja2.bccache.Bucket) -> bytes:
            return b"%s%s %s\n" % (
                jinja2.bccache.bc_magic,
                settings.encode(),
                bucket.checksum.encode(),
            )

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                data = self._path(bucket).read_bytes()
            except OSError:
                return
            header = self._header(bucket)
            if data.startswith(header):
                try:
                    # Like Python's own __pycache__: the project's folder, trusted as its code.
                    code = marshal.loads(data[len(header) :])  # noqa: S302
                except (EOFError, ValueError, TypeError):
                    return
                if isinstance(code, types.CodeType):
                    bucket.code = code

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            if bucket.code is None:
                return
            data = self._header(bucket) + marshal.dumps(bucket.code)
            # A cache folder gone meanwhile costs the next build a compile, no more.
            with contextlib.suppress(OSError):
                write_atomic(self._path(bucket), data, durable=False)

    return Compiled()


def render(
    site_templates: Path, name: str, context: dict[str, Any], cache_dir: Path | None = None
) -> bytes:
    """Template `name` with `context`, as UTF-8 bytes (`cache_dir`: see `environment`)."""
    import jinja2

    env = environment(site_templates, cache_dir)
    try:
        return env.get_template(name).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or _file_of(env, exc.name or name)
        raise _error(where, exc.lineno, exc.message or str(exc)) from None
    except jinja2.TemplateNotFound as exc:
        why = f"includes {exc.name!r}, which is no template"
        # The template that names the missing one (an include in base.html, say), at its line,
        # when the traceback has it; else the one rendered (`name` itself is missing).
        frame, line = _template_frame(exc)
        raise _error(frame or _file_of(env, name), line, why) from None
    except Exception as exc:  # a failure inside a template: name the template line
        frame, line = _template_frame(exc)
        if frame is None:
            raise
        raise _error(frame, line, f"{type(exc).__name__}: {exc}") from None


def _error(where: str, line: int | None, message: str) -> TemplateError:
    fix = "fix the template, or delete it to use scofeed's own"
    return TemplateError(
        "a template is broken; nothing was published",
        [Problem(where, line, f"{message}; {fix}")],
    )


def _file_of(env: jinja2.Environment, name: str) -> str:
    import jinja2

    try:
        source = env.loader.get_source(env, name) if env.loader else None
    except jinja2.TemplateNotFound:
        return name
    return source[1] or name if source else name


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost frame of the traceback that is a template's (Jinja2 rewrites them so
    that their file and line are the template's)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")) and os.path.isfile(frame.filename):
            return frame.filename, frame.lineno
    return None, None


_compiled_from: dict[Path, str] = {}


def refresh(site_templates: Path, version: str) -> None:
    """Forget the compiled templates when the site's own are not the `version` (`digest`) they
    were compiled from: `environment` compiles once per process, so a second build in one
    process (a resident build, the tests) would otherwise render with the templates as they
    were, or without a folder created since."""
    if _compiled_from.get(site_templates) != version:
        environment.cache_clear()
    _compiled_from[site_templates] = version


def digest(site_templates: Path) -> str:
    """What the site's own templates are (names, sizes, modification times), for the no-op
    check and the key of every page: editing one rebuilds every page. The packaged ones are
    part of the code's key."""
    parts = []
    if site_templates.is_dir():
        for path in sorted(site_templates.rglob("*")):
            if path.is_file():
                stat = path.stat()
                parts.append(
                    f"{path.relative_to(site_templates)} {stat.st_size} {stat.st_mtime_ns}"
                )
    # None: "" (no page key then carries it: 64 bytes a page, 7 MB at 100,000 posts)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest() if parts else ""
