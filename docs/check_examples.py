"""Run the code blocks of the documentation pages and check their printed output.

Usage::

    python docs/check_examples.py [PAGE.md ...]     # default: every page that has code

For each page, in a fresh temporary directory and one shared namespace:

* a ```` ```python ```` block is executed;
* a ```` ```text ```` block that directly follows a python block must equal what that block
  printed (trailing spaces ignored);
* a ```` ```{code-block} ```` with a ``:caption: FILE`` option is written to ``FILE`` and not
  run, so pages can show a definition, a CSV file or a plugin module and then use it (the
  directory is on ``sys.path``, so a module written this way can be imported).

A ```` ```{code-block} python ```` without a caption is only shown, like blocks of other
languages (``console``, ``yaml``, ``toml``): use it for code that needs files or services the
page does not provide.
Exits 1 and names the page and line of the first block that fails.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import tempfile
import traceback
from pathlib import Path

DOCS = Path(__file__).resolve().parent
_FENCE = re.compile(r"^(?P<fence>`{3,})(?P<info>.*)$")


def blocks(text: str) -> list[tuple[int, str, dict[str, str], str]]:
    """(line, language, options, body) of every fenced block, in order."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info, start = m["fence"], m["info"].strip(), i + 1
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].rstrip() != fence:
            body.append(lines[i])
            i += 1
        i += 1
        lang, options = info, {}
        directive = re.match(r"\{code-block\}\s*(\S*)", info)
        if directive:
            lang, options["directive"] = directive[1], "code-block"
            while body and body[0].startswith(":"):
                key, _, value = body.pop(0)[1:].partition(":")
                options[key.strip()] = value.strip()
            # MyST separates the options from the content with one blank line; it is not
            # part of the file the block shows.
            if options and body and not body[0].strip():
                body.pop(0)
        out.append((start, lang, options, "\n".join(body) + "\n"))
    return out


def check(page: Path) -> bool:
    """Run one page; True when every block passed."""
    found = blocks(page.read_text(encoding="utf-8"))
    if not any(lang == "python" for _, lang, _, _ in found):
        return True
    namespace: dict[str, object] = {"__name__": "__main__"}
    modules_before = set(sys.modules)
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        sys.path.insert(0, tmp)
        try:
            ok = _run(page, found, namespace)
        finally:
            sys.path.remove(tmp)
            for name in set(sys.modules) - modules_before:
                if (getattr(sys.modules[name], "__file__", None) or "").startswith(tmp):
                    del sys.modules[name]
    return ok


def _run(
    page: Path, found: list[tuple[int, str, dict[str, str], str]], namespace: dict[str, object]
) -> bool:
    printed: str | None = None
    ok = True
    for line, lang, options, body in found:
        where = f"{page.relative_to(DOCS)}:{line}"
        if "caption" in options:
            Path(options["caption"]).write_text(body, encoding="utf-8")
            printed = None
            continue
        if lang == "python" and "directive" not in options:
            buffer = io.StringIO()
            try:
                with contextlib.redirect_stdout(buffer):
                    exec(compile(body, where, "exec"), namespace)  # noqa: S102
            except Exception:
                print(f"FAIL {where}: the block raised\n{traceback.format_exc()}")
                return False
            printed = buffer.getvalue()
            continue
        if lang == "text" and printed is not None:
            want = [s.rstrip() for s in body.rstrip("\n").splitlines()]
            got = [s.rstrip() for s in printed.rstrip("\n").splitlines()]
            if want != got:
                print(
                    f"FAIL {where}: printed output differs\n--- expected\n"
                    + "\n".join(want)
                    + "\n--- got\n"
                    + "\n".join(got)
                )
                ok = False
        printed = None
    return ok


def main(argv: list[str]) -> int:
    pages = [Path(a).resolve() for a in argv] or sorted(DOCS.rglob("*.md"))
    pages = [p for p in pages if "_build" not in p.parts]
    results = {p: check(p) for p in pages}
    for page, passed in results.items():
        if passed:
            print(f"ok   {page.relative_to(DOCS)}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    sys.exit(main(sys.argv[1:]))
