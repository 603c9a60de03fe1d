"""``bsc``: evaluate, check and inspect scorecards from the command line.

Exit codes: 0 when all went well; 1 when the evaluation found what ``--fail-on`` asked to
fail on, or ``bsc check --strict`` found warnings; 2 for bad input (a definition with
problems, a missing file, an unknown option value), reported on stderr without a traceback.

Examples
--------
>>> main(["--version"])  # doctest: +ELLIPSIS
bsc ...
0
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from balanced_scorecard._version import __version__
from balanced_scorecard.exceptions import ScorecardError

if TYPE_CHECKING:
    from balanced_scorecard.engine import Engine
    from balanced_scorecard.model.scorecard import Scorecard
    from balanced_scorecard.plugins.registries import Registry
    from balanced_scorecard.results import Evaluation

__all__ = ["main"]

#: Exit code: the evaluation found what the user asked to fail on.
EXIT_FAILED = 1
#: Exit code: bad input (definition, data, file or option).
EXIT_BAD_INPUT = 2

FAIL_ON = ("red", "exceptions", "quality")
_SUFFIX_ALIASES = {".htm": "html", ".markdown": "markdown", ".text": "text"}


class _UsageError(Exception):
    """A bad command line that argparse could not see (an unknown format, say)."""


def _inputs(cmd: argparse.ArgumentParser) -> None:
    """The arguments that say what to evaluate (shared by report and map)."""
    cmd.add_argument("definition", metavar="DEFINITION", help="definition file (YAML/TOML/JSON)")
    cmd.add_argument(
        "--data",
        metavar="FILE",
        action="append",
        help="observations (CSV path or source URI); repeat for several; default: "
        "the definition's own sources",
    )
    cmd.add_argument("--targets", metavar="NAME_OR_FILE", help="a target set or a CSV file")
    cmd.add_argument("--period", metavar="P", help="focus period (default: latest)")
    cmd.add_argument("--org-unit", metavar="U", help="the org unit in focus")
    cmd.add_argument("--role", metavar="ROLE", help="show what ROLE may see")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bsc",
        description="The Balanced Scorecard as a library: evaluate, check and inspect "
        "scorecard definitions.",
    )
    parser.add_argument("--version", action="version", version=f"bsc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ev = sub.add_parser(
        "evaluate",
        help="score a scorecard and render the report",
        description="Score a scorecard on its data and render a report.",
    )
    ev.add_argument("definition", metavar="DEFINITION", help="definition file (YAML/TOML/JSON)")
    ev.add_argument(
        "--data",
        metavar="FILE",
        action="append",
        help="observations (CSV path or source URI); repeat for several; default: "
        "the definition's own sources",
    )
    ev.add_argument(
        "--targets",
        metavar="NAME_OR_FILE",
        help="a target set of the definition, or a CSV file of targets",
    )
    ev.add_argument("--period", metavar="P", help="focus period, e.g. 2025-12 (default: latest)")
    ev.add_argument("--start", metavar="P", help="first period evaluated (default: earliest)")
    ev.add_argument("--org-unit", metavar="U", help="evaluate this org unit and its subtree")
    ev.add_argument(
        "--as-known-at",
        metavar="DATE",
        help="evaluate with what was known at DATE (rows with a later as_of are left out)",
    )
    ev.add_argument(
        "--close-days",
        metavar="N",
        type=int,
        default=0,
        help="days after a period's end until its books close (provisional until then)",
    )
    ev.add_argument(
        "--format",
        metavar="FORMAT",
        help="text, json, markdown, html or a plugin's format (default: from "
        "--output's suffix, else text)",
    )
    ev.add_argument(
        "--role",
        metavar="ROLE",
        help="render what ROLE may see under the definition's output_policy (owner, "
        "data_steward, review_facilitator, contributor, executive_sponsor); without it, the "
        "policy's default: data above it is shown as withheld, personal data never",
    )
    ev.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    ev.add_argument(
        "--summary",
        action="store_true",
        help="with --output, print only the headline scores in the terminal",
    )
    ev.add_argument(
        "--max-exceptions",
        metavar="N",
        type=_count,
        help="show at most N exceptions (built-in formats: default 10)",
    )
    ev.add_argument(
        "--fail-on",
        action="append",
        choices=FAIL_ON,
        default=[],
        help="exit 1 when the scorecard is red, when there are exceptions (red or "
        "worsening indicators), or when input rows failed validation; repeatable",
    )

    ck = sub.add_parser(
        "check",
        help="load a definition and lint its design",
        description="Load a definition (reporting every problem) and lint its design.",
    )
    ck.add_argument("definition", metavar="DEFINITION")
    ck.add_argument(
        "--strict", action="store_true", help="exit 1 when there is any warning or error finding"
    )

    sub.add_parser("schema", help="print the JSON Schema of definition files")
    sub.add_parser("plugins", help="list plugins and what they registered")
    cat = sub.add_parser(
        "catalogue",
        help="list the ready indicator definitions (use one with `template:`)",
        description="List the indicator catalogue; an indicator uses an entry with "
        "`template: <id>` in a definition file.",
    )
    cat.add_argument(
        "--perspective",
        choices=("financial", "customer", "internal_process", "learning_growth"),
        help="only this perspective's entries",
    )
    cat.add_argument("--json", action="store_true", help="print the entries as JSON")

    rep = sub.add_parser(
        "report",
        help="render a dashboard or a briefing book for a review",
        description="Evaluate and render a self-contained HTML dashboard (views for the "
        "executive, a manager's subtree or operations) or a briefing book for a review "
        "meeting (HTML, Markdown or PDF).",
    )
    _inputs(rep)
    rep.add_argument("--view", choices=("executive", "manager", "operational"), default="executive")
    rep.add_argument("--book", action="store_true", help="a briefing book instead of the dashboard")
    rep.add_argument(
        "--output", "-o", metavar="FILE", required=True,
        help="file to write: .html (dashboard or book), .md or .pdf (book)",
    )  # fmt: skip

    mp = sub.add_parser(
        "map",
        help="draw the strategy map (SVG, Graphviz DOT or Mermaid)",
        description="Draw the strategy map. With data (the definition's sources or --data) "
        "objectives are coloured by status; --no-status draws the design alone.",
    )
    _inputs(mp)
    mp.add_argument("--format", choices=("svg", "dot", "mermaid"), default="svg")
    mp.add_argument("--output", "-o", metavar="FILE", help="file to write (default: stdout)")
    mp.add_argument(
        "--no-status", action="store_true", help="draw the design only; do not evaluate"
    )

    db = sub.add_parser(
        "db",
        help="the store: upgrade its schema, import and export definitions",
        description="Work with the store (a SQLite file by default, PostgreSQL for shared use).",
    )
    db_sub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    url_help = "store URL (default: sqlite:///bsc.db, or $BSC_STORE_URL)"
    up = db_sub.add_parser("upgrade", help="create the tables or run pending migrations")
    up.add_argument("--url", help=url_help)
    imp = db_sub.add_parser("import", help="save a definition file as a new version")
    imp.add_argument("definition", metavar="DEFINITION")
    imp.add_argument("--url", help=url_help)
    imp.add_argument("--author", required=True, help="who saves it (recorded in the audit trail)")
    imp.add_argument("--message", default="", help="why (recorded with the version)")
    imp.add_argument(
        "--expected-version",
        type=_count,
        help="refuse to save unless the latest stored version is this one (0: none yet)",
    )
    exp = db_sub.add_parser("export", help="write a stored definition as a definition file")
    exp.add_argument("scorecard", metavar="SCORECARD_ID")
    exp.add_argument("--url", help=url_help)
    exp.add_argument("--version", type=_count, help="the version to export (default: latest)")
    exp.add_argument("--output", "-o", help="file to write (default: standard output)")
    exp.add_argument("--format", choices=("yaml", "json"), default=None)
    ver = db_sub.add_parser("verify", help="verify the audit trail's hash chain")
    ver.add_argument("--url", help=url_help)
    return parser


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {n}")
    return n


def _use_color(stream: TextIO) -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colour off.
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


def _engine() -> Engine:
    from balanced_scorecard.engine import Engine

    return Engine()


def _format_for(engine: Engine, fmt: str | None, output: str | None) -> str:
    renderers = engine.plugins.renderers
    if fmt is not None:
        if fmt not in renderers:
            known = ", ".join(sorted(renderers))
            raise _UsageError(f"unknown --format {fmt!r}; choose from {known}")
        return fmt
    if output:
        suffix = Path(output).suffix.lower()
        for name in ("html", "json", "markdown", "text"):
            if name in renderers and renderers[name].suffix == suffix:
                return name
        if suffix in _SUFFIX_ALIASES:
            return _SUFFIX_ALIASES[suffix]
        for name in sorted(renderers):
            if renderers[name].suffix == suffix:
                return name
    return "text"


def _failures(ev: Evaluation, fail_on: Sequence[str]) -> list[str]:
    reasons = []
    if "red" in fail_on and ev.status() == ev.status_names[0]:
        reasons.append(f"the scorecard is {ev.status_names[0]} in {ev.period}")
    if "exceptions" in fail_on:
        n = len(ev.exceptions())
        if n:
            reasons.append(f"{n} exception(s) (red or worsening indicators) in {ev.period}")
    if "quality" in fail_on:
        # Errors are rows that failed validation and were quarantined; warnings (an empty
        # cell) are shown in the report but are no reason to fail a build.
        failed = int((ev.quality["severity"] == "error").sum())
        if failed:
            reasons.append(f"{failed} input row(s) failed validation and were quarantined")
    return reasons


def _write(stream: TextIO, document: str | bytes) -> None:
    """Write a document; characters the stream cannot encode become ``?``, not a crash."""
    if isinstance(document, bytes):
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            buffer.write(document)
            buffer.flush()
            return
        document = document.decode("utf-8", errors="replace")
    text = document if document.endswith("\n") else document + "\n"
    try:
        stream.write(text)
    except UnicodeEncodeError:
        # A legacy console code page cannot show the arrows and middle dots of the report.
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, errors="replace").decode(encoding))


def _say(text: str) -> None:
    _write(sys.stdout, text)


def _evaluate(args: argparse.Namespace) -> int:
    engine = _engine()
    fmt = _format_for(engine, args.format, args.output)
    scorecard = engine.load(args.definition)
    with _progress(engine):
        ev = engine.evaluate(
            scorecard,
            args.data or None,
            period=args.period,
            start=args.start,
            targets=args.targets,
            org_unit=args.org_unit,
            as_known_at=args.as_known_at,
            close_days=args.close_days,
        )
    # Reports show what the role may see; --fail-on below still judges all the data.
    view = ev.for_role(args.role)
    # Only what the user asked for: a plugin renderer may not know the built-ins' options.
    options: dict[str, Any] = {}
    if args.max_exceptions is not None:
        options["max_exceptions"] = args.max_exceptions
    if args.output:
        document = engine.render(view, fmt, **options)
        path = Path(args.output)
        if isinstance(document, bytes):
            path.write_bytes(document)
        else:
            path.write_text(document, encoding="utf-8")
        # The terminal still gets the evaluation itself; the file holds the chosen format.
        text = engine.render(
            view, "text", summary=args.summary, color=_use_color(sys.stdout), **options
        )
        _write(sys.stdout, text)
        _say(f"wrote report to {path}")
    else:
        if fmt == "text":
            options["color"] = _use_color(sys.stdout)
        _write(sys.stdout, engine.render(view, fmt, **options))
    for err in ev.plugin_errors:
        print(f"bsc: warning: {err}", file=sys.stderr)
    reasons = _failures(ev, args.fail_on)
    for reason in reasons:
        print(f"bsc: failing (--fail-on): {reason}", file=sys.stderr)
    return EXIT_FAILED if reasons else 0


def _check(args: argparse.Namespace) -> int:
    from balanced_scorecard.algorithms.findings import Severity

    scorecard = _engine().load(args.definition)
    findings = sorted(
        scorecard.check(),
        key=lambda f: ([Severity.ERROR, Severity.WARNING, Severity.INFO].index(f.severity), f.rule),
    )
    for finding in findings:
        _say(str(finding))
    counts = {s: sum(f.severity is s for f in findings) for s in Severity}
    _say(
        f"{scorecard.id}: {counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} "
        f"warning(s), {counts[Severity.INFO]} note(s)"
    )
    serious = counts[Severity.ERROR] + counts[Severity.WARNING]
    return EXIT_FAILED if args.strict and serious else 0


def _schema(_: argparse.Namespace) -> int:
    from balanced_scorecard.definitions import json_schema

    _say(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return 0


def _plugins(_: argparse.Namespace) -> int:
    pm = _engine().plugins
    registries: dict[str, Registry[Any]] = {
        "sources": pm.sources,
        "renderers": pm.renderers,
        "scoring methods": pm.scoring_methods,
        "rollup methods": pm.rollup_methods,
        "adjusters": pm.adjusters,
    }
    _say("plugins:")
    width = max((len(n) for n in pm.names), default=0)
    for name in pm.names:
        _say(f"  {name:<{width}}  {', '.join(pm.hooks_of(name)) or '(no hooks)'}")
    for title, reg in registries.items():
        _say(f"{title}:")
        if not reg:
            _say("  (none)")
        w = max((len(n) for n in reg), default=0)
        for item in reg:
            extra = ""
            if title == "renderers":
                r = reg[item]
                extra = f"  {getattr(r, 'media_type', '?')} {getattr(r, 'suffix', '')}"
            _say(f"  {item:<{w}}  from {reg.plugin_of(item)}{extra}")
    _say("load failures:" if pm.failures else "load failures: none")
    for failure in pm.failures:
        _say(f"  {failure}")
    return 0


def _catalogue(args: argparse.Namespace) -> int:
    from balanced_scorecard.catalogue import catalogue_frame

    frame = catalogue_frame(args.perspective)
    if args.json:
        _say(frame.to_json(orient="records", indent=2))
        return 0
    width = int(frame["id"].str.len().max())
    for perspective, part in frame.groupby("perspective", sort=False):
        _say(f"{perspective}:")
        for row in part.to_dict("records"):
            how = f"= {row['formula']}" if row["formula"] else str(row["time_aggregation"])
            if row["analytics"]:
                how += f"  (analytics.{row['analytics']})"
            _say(
                f"  {row['id']:<{width}}  {row['unit']:<13} {row['polarity']:<13} "
                f"{row['lead_lag']:<7}  {how}"
            )
    return 0


class _Progress:
    """A one-line progress bar on a terminal (stderr); silent when stderr is not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.active = stream.isatty()
        self.shown = False

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.active:
            return
        width = 24
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{bar}] {step[:40]:<40} {done}/{total}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 78 + "\r")
            self.stream.flush()


@contextlib.contextmanager
def _progress(engine: Engine) -> Iterator[None]:
    """Draw the engine's progress on the terminal for the duration of the block."""
    bar = _Progress(sys.stderr)
    engine.progress = bar
    try:
        yield
    finally:
        bar.close()
        engine.progress = None


def _evaluated(args: argparse.Namespace, engine: Engine) -> Evaluation:
    scorecard = engine.load(args.definition)
    with _progress(engine):
        return engine.evaluate(
            scorecard, args.data or None, period=args.period, targets=args.targets
        )


def _report(args: argparse.Namespace) -> int:
    engine = _engine()
    ev = _evaluated(args, engine)
    path = Path(args.output)
    suffix = path.suffix.lower()
    options: dict[str, Any] = {"org_unit": args.org_unit, "period": args.period}
    if args.role:
        options["role"] = args.role
    if args.book:
        renderer = {".md": "briefing-markdown", ".markdown": "briefing-markdown"}.get(
            suffix, "briefing-pdf" if suffix == ".pdf" else "briefing"
        )
        # A manager's book covers every tier; the others their own audience.
        audience = {"manager": "all"}.get(args.view, args.view)
        document = engine.render(ev, renderer, audience=audience, **options)
    else:
        if suffix not in (".html", ".htm"):
            raise _UsageError(
                f"the dashboard is an HTML page; write it to a .html file, not {path.name!r} "
                "(use --book for Markdown or PDF)"
            )
        document = engine.render(ev, "dashboard", view=args.view, **options)
    if isinstance(document, bytes):
        path.write_bytes(document)
    else:
        path.write_text(document, encoding="utf-8")
    _say(f"wrote {'briefing book' if args.book else args.view + ' dashboard'} to {path}")
    return 0


def _map(args: argparse.Namespace) -> int:
    from balanced_scorecard.visual.exports import to_dot, to_mermaid
    from balanced_scorecard.visual.strategy_map import map_svg

    engine = _engine()
    subject: Scorecard | Evaluation
    if args.no_status:
        subject = engine.load(args.definition)
    else:
        ev = _evaluated(args, engine)
        subject = ev.for_role(args.role) if args.role else ev
    where = {"org_unit": args.org_unit, "period": args.period}
    if args.format == "svg":
        text = map_svg(subject, **where)
    elif args.format == "dot":
        text = to_dot(subject, **where)
    else:
        text = to_mermaid(subject, **where)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        _say(f"wrote {args.format} strategy map to {args.output}")
    else:
        _write(sys.stdout, text)
    return 0


def _store_url(args: argparse.Namespace) -> str:
    from balanced_scorecard.store import DEFAULT_URL

    return str(args.url or os.environ.get("BSC_STORE_URL") or DEFAULT_URL)


def _db(args: argparse.Namespace) -> int:
    from balanced_scorecard.definitions import dumps

    engine = _engine()
    url = _store_url(args)
    # Opening runs the pending migrations, in one transaction (see Store.open).
    with engine.open_store(url) as store:
        if args.db_command == "upgrade":
            _say(f"{store.url}: schema version {store.schema_version()} (up to date)")
            return 0
        if args.db_command == "import":
            scorecard = engine.load(args.definition)
            version = store.save_definition(
                scorecard,
                author=args.author,
                message=args.message,
                expected_version=args.expected_version,
            )
            _say(f"{scorecard.id}: saved as version {version} in {store.url}")
        elif args.db_command == "export":
            sc = store.load_definition(args.scorecard, args.version)
            fmt = args.format or ("json" if str(args.output or "").endswith(".json") else "yaml")
            text = dumps(sc, format=fmt)
            if args.output:
                Path(args.output).write_text(text, encoding="utf-8")
                _say(f"{sc.id}: wrote {args.output}")
            else:
                _say(text.rstrip("\n"))
        else:  # verify
            result = store.verify_audit()
            _say(result.message)
            return 0 if result.ok else EXIT_FAILED
    return 0


_COMMANDS = {
    "db": _db,
    "map": _map,
    "report": _report,
    "evaluate": _evaluate,
    "check": _check,
    "schema": _schema,
    "plugins": _plugins,
    "catalogue": _catalogue,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``bsc`` with ``argv`` (default: the process arguments); returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors end here
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    try:
        return _COMMANDS[args.command](args)
    except (ScorecardError, _UsageError) as exc:
        # DefinitionError's message already lists every problem with file, line and path.
        print(f"bsc: error: {exc}", file=sys.stderr)
    except BrokenPipeError:
        # The reader went away (`bsc schema | head`): leave quietly, as shell tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except FileNotFoundError as exc:
        print(f"bsc: error: no such file: {exc.filename or exc}", file=sys.stderr)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"bsc: error: cannot access{where}: {exc.strerror or exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("bsc: interrupted", file=sys.stderr)
        return 130
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
