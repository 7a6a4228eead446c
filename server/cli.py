"""The ``parallax`` commands, built on Flask's CLI.

They work on the app's database, named by ``PARALLAX_DATABASE_URL`` (an SQLite file in the
instance folder by default). ``parallax serve`` and the console script itself live in
:mod:`server.app`, which registers these commands and ``parallax stories``.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from . import catalog, db, ingest, outlet_csv, outlets, providers, ratings, starter
from .lookup import BadInput, lookup
from .models import Feed, Outlet
from .services import get_services, get_session


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    app.cli.add_command(lookup_command)
    app.cli.add_command(db_group)
    app.cli.add_command(outlets_group)
    app.cli.add_command(ingest_group)
    app.cli.add_command(feeds_group)


def prepare_database() -> str:
    """Migrate the database and load the starter data if it is empty; say what was done."""
    return starter.prepare(
        get_services(), get_session(), load=bool(current_app.config["LOAD_STARTER_DATA"])
    )


@click.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    engine = get_services().engine
    db.upgrade(engine)
    click.echo(f"database is up to date: {engine.url.render_as_string()}")


@db_group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def db_backup(path: Path) -> None:
    """Copy the database to PATH while the service runs (SQLite); say how, for PostgreSQL.

    SQLite is copied with its online backup API, consistent even while articles are being
    ingested, and the copy is checked. A PostgreSQL database is backed up with its own tool:
    the pg_dump command to run is printed (the password, if any, goes in PGPASSWORD).
    """
    engine = get_services().engine
    if engine.dialect.name != "sqlite":
        click.echo(f"back up PostgreSQL with pg_dump:\n  {db.pg_dump_command(engine, path)}")
        click.echo("restore with: pg_restore --clean --dbname=URL " + str(path))
        return
    try:
        db.backup_sqlite(engine, path)
    except (FileExistsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    size = path.stat().st_size / 1_000_000
    click.echo(f"backed up {engine.url.database} to {path} ({size:.1f} MB, integrity ok)")


@db_group.command("seed")
@with_appcontext
def db_seed() -> None:
    """Migrate and load the starter data into an empty database."""
    click.echo(prepare_database())


def _describe(answer: dict[str, Any]) -> str:
    outlet = answer["outlet"]
    lines = [answer["canonical_url"]]
    if outlet is None:
        lines.append(f"  not rated      no outlet is known for {answer['domain']}")
    else:
        where = f" · {outlet['country']}" if outlet["country"] else ""
        owner = f" — {outlet['owner']}" if outlet["owner"] else ""
        lines += [
            f"  outlet         {outlet['name']} ({outlet['slug']}){where}",
            f"  bias           {outlet['bias'] or 'not rated'}",
            f"  factuality     {outlet['factuality'] or 'not rated'}",
            f"  ownership      {outlet['ownership'] or 'unknown'}{owner}",
        ]
    story = answer.get("story")
    if story:
        split = story["bias_split"]
        lines.append(
            f"  story          {story['title']} ({story['outlet_count']} outlets: "
            f"{split['left']} left, {split['center']} center, {split['right']} right)"
        )
    return "\n".join(lines)


@click.command("lookup")
@click.argument("urls", nargs=-1, required=True)
@click.option("--title", help="The article's headline, to find its story.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of text.")
@with_appcontext
def lookup_command(urls: tuple[str, ...], title: str | None, as_json: bool) -> None:
    """Print the outlet and rating of each URL (exit status 2 if any is not a URL)."""
    failed = False
    for url in urls:
        try:
            answer = lookup(get_services(), get_session, url, title)
        except BadInput as exc:
            failed = True
            what = "--title" if exc.field == "title" else "URL"
            if as_json:
                click.echo(json.dumps({"url": url, "error": f"{what}: {exc.message}"}))
            else:
                click.echo(f"{url}\n  error          {what}: {exc.message}", err=True)
            continue
        click.echo(json.dumps(answer) if as_json else _describe(answer))
    if failed:
        sys.exit(2)


@click.group("outlets")
def outlets_group() -> None:
    """Import, export and list outlets."""


@outlets_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--update", is_flag=True, help="Allow changes to outlets that already exist.")
@click.option(
    "--dry-run", is_flag=True, help="Print what would change, field by field; write nothing."
)
@click.option("--reason", default=None, help="Why, for the audit trail.")
@click.option("--actor", default="cli", show_default=True, help="Who, for the audit trail.")
@with_appcontext
def outlets_import(path: Path, update: bool, dry_run: bool, reason: str | None, actor: str) -> None:
    """Import outlets from a CSV file, all or nothing, as one audited change set.

    Every change it writes names the change set (shown at the end) and the file's SHA-256,
    so the whole import can be reverted as one proposal.
    """
    session = get_session()
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    change_set = f"import-{digest[:12]}-{uuid.uuid4().hex[:8]}"
    try:
        records = outlet_csv.read_csv(io.StringIO(data.decode("utf-8"), newline=""))
        result = outlets.import_records(
            session,
            records,
            actor=actor,
            reason=reason or f"import of {path.name}",
            update=update,
            change_set=change_set,
            details={"file": path.name, "sha256": digest},
            dry_run=dry_run,
        )
    except outlet_csv.OutletDataError as exc:
        session.rollback()
        raise click.ClickException(f"nothing was imported:\n{exc}") from None
    except UnicodeDecodeError:
        session.rollback()
        raise click.ClickException("nothing was imported: the file is not UTF-8 text") from None
    if dry_run:
        session.rollback()
        for slug, fields in result.diffs.items():
            click.echo(f"{slug}{' (new)' if slug in result.created else ''}")
            for name, (before, after) in fields.items():
                click.echo(f"  {name}: {before!r} → {after!r}")
        click.echo(
            f"dry run: {len(result.created)} would be created, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged; nothing was written"
        )
        return
    session.commit()
    click.echo(
        f"{len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged"
    )
    if result.created or result.updated:
        click.echo(f"change set {change_set} (file SHA-256 {digest})")
    # Imports never remove feeds: say which stored feeds the file is behind on.
    for slug, listed, stored in result.moved_feeds:
        click.echo(f"feed of {slug} moved (permanent redirect): {listed} is now {stored}")
    for slug, url in result.kept_feeds:
        click.echo(f"kept feed of {slug} not in the file: {url}")


@outlets_group.command("providers")
@click.argument("provider", type=click.Choice(providers.PROVIDERS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def outlets_providers(provider: str, path: Path) -> None:
    """Import a rating agency's ratings (MBFC or AllSides CSV) beside our own, all or nothing.

    They are shown with each outlet and never change its displayed rating.
    """
    reader = providers.read_mbfc if provider == "mbfc" else providers.read_allsides
    session = get_session()
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            records = reader(stream)
        resolver = get_services().catalog.get(session).resolver
        result = providers.import_provider(session, resolver, provider, records)
    except (providers.ProviderFormatError, UnicodeDecodeError) as exc:
        session.rollback()
        raise click.ClickException(f"nothing was imported: {path}: {exc}") from None
    session.commit()
    click.echo(
        f"{len(result.matched)} outlets rated by {provider}; "
        f"{result.unmatched} of its {len(records)} ratings name no outlet of ours"
    )


@outlets_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@with_appcontext
def outlets_export(path: Path | None) -> None:
    """Write every outlet as CSV to PATH (or standard output)."""
    rows = [outlets.record_of(o) for o in catalog.all_outlets(get_session())]
    if path is None:
        outlet_csv.write_csv(rows, sys.stdout)
        return
    with path.open("w", encoding="utf-8", newline="") as stream:
        outlet_csv.write_csv(rows, stream)
    click.echo(f"wrote {len(rows)} outlets to {path}")


@outlets_group.command("list")
@click.option(
    "--bias", type=click.Choice(ratings.BIAS_LABELS), help="Only outlets with this bias label."
)
@click.option("--country", help="Only outlets of this country (ISO code).")
@with_appcontext
def outlets_list(bias: str | None, country: str | None) -> None:
    """List outlets with their rating (an unknown --bias or --country is an error)."""
    every = catalog.all_outlets(get_session())
    if country:
        countries = sorted({o.country for o in every if o.country})
        if country.upper() not in countries:
            raise click.BadParameter(
                f"no outlet is of country {country!r}; outlets are of: {', '.join(countries)}",
                param_hint="'--country'",
            )
    for outlet in every:
        if bias and outlet.bias != bias or country and outlet.country != country.upper():
            continue
        click.echo(
            f"{outlet.slug:32} {outlet.bias or '-':11} {outlet.factuality or '-':10} "
            f"{outlet.country or '--'}  {outlet.name}"
        )


# --- ingest: feeds and bulk files (issue 3) ----------------------------------------------------


@click.group("ingest")
def ingest_group() -> None:
    """Add articles from the outlets' feeds or from a file."""


@ingest_group.command("feeds")
@click.option(
    "--outlet", "slugs", multiple=True, metavar="SLUG", help="Only this outlet (repeatable)."
)
@click.option(
    "--every",
    type=click.FloatRange(min=0, min_open=True),
    metavar="MINUTES",
    help="Keep going: start a run every MINUTES until stopped (Ctrl-C).",
)
@click.option(
    "--runs", type=click.IntRange(min=1), metavar="N", help="With --every, stop after N runs."
)
@with_appcontext
def ingest_feeds(slugs: tuple[str, ...], every: float | None, runs: int | None) -> None:
    """Fetch every outlet's RSS/Atom feeds and add their new articles.

    A feed that fails is reported and recorded, and the others go on: the exit status is 0
    even when some feeds failed, so a scheduled run is not an alarm for one broken feed.
    With --every it is its own scheduler, beside `parallax serve` (whose workers pick up
    the new articles within seconds); conditional GETs keep unchanged feeds cheap.
    """
    if runs is not None and every is None:
        raise click.UsageError("--runs needs --every")
    done = 0
    while True:
        started = time.monotonic()
        _ingest_feeds_once(slugs)
        done += 1
        if every is None or (runs is not None and done >= runs):
            return
        time.sleep(max(0.0, every * 60 - (time.monotonic() - started)))


def _ingest_feeds_once(slugs: tuple[str, ...]) -> None:
    """Run `parallax ingest feeds` once and print its report."""
    services = get_services()
    session = get_session()
    try:
        report = ingest.ingest_feeds(
            session,
            services.catalog.get(session),
            services.stories,
            timeout=float(current_app.config["FEED_TIMEOUT"]),
            user_agent=str(current_app.config["USER_AGENT"]),
            only=set(slugs) or None,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        session.close()  # between runs, hold no connection (nor SQLite lock) while asleep
    for feed in report.feeds:
        click.echo(f"{feed.outlet}  {feed.url}  {feed.summary()}")
    feeds = len(report.feeds)
    moved = f"; {report.moved} moved permanently (URL updated)" if report.moved else ""
    click.echo(
        f"{feeds} feed{'' if feeds == 1 else 's'}: {report.count('ok')} ok, "
        f"{report.count('not-modified')} not modified, {report.count('error')} failed; "
        f"{report.added} new articles, {report.duplicates} duplicates{moved}"
    )


@ingest_group.command("file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def ingest_file(path: Path) -> None:
    """Add the articles of a JSONL or CSV file (url, title, published_at, description).

    Validated all or nothing: one bad row rejects the file (exit status 1) before anything
    is stored. Then written in committed batches; articles already stored are skipped, so
    an interrupted ingest is finished by running it again.
    """
    services = get_services()
    session = get_session()
    try:
        result = ingest.ingest_file(session, services.catalog.get(session), services.stories, path)
    except ingest.IngestFileError as exc:
        raise click.ClickException(f"nothing was ingested from {path.name}:\n{exc}") from None
    click.echo(
        f"{result.added} new articles, {result.duplicates} duplicates, "
        f"{result.new_stories} new stories"
    )


@click.group("feeds")
def feeds_group() -> None:
    """List, add and remove outlets' feeds."""


@feeds_group.command("add")
@click.argument("slug")
@click.argument("url")
@with_appcontext
def feeds_add(slug: str, url: str) -> None:
    """Add a feed URL to an outlet, for `parallax ingest feeds` to fetch.

    An outlet import keeps the feed even when its file does not list it.
    """
    session = get_session()
    try:
        outlets.add_feed(session, slug, url, actor="cli", reason="parallax feeds add")
    except outlets.FeedChangeError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"added {url} to {slug}")


@feeds_group.command("remove")
@click.argument("url")
@click.option("--outlet", "slug", metavar="SLUG", help="Refuse unless the feed is this outlet's.")
@with_appcontext
def feeds_remove(url: str, slug: str | None) -> None:
    """Remove a feed URL from its outlet; the articles read from it stay.

    Imports never remove feeds, so this is how one goes, audited like `feeds add`. A later
    import of a file that still lists the feed adds it back only with --update, like any
    other change to curated data.
    """
    session = get_session()
    try:
        outlet = outlets.remove_feed(
            session, url, only_of=slug, actor="cli", reason="parallax feeds remove"
        )
    except outlets.FeedChangeError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"removed {url} from {outlet.slug}")


@feeds_group.command("list")
@click.option("--outlet", "slug", metavar="SLUG", help="Only this outlet's feeds.")
@with_appcontext
def feeds_list(slug: str | None) -> None:
    """List feeds with the result of their last fetch."""
    query = select(Outlet.slug, Feed).join(Feed.outlet).order_by(Outlet.slug, Feed.id)
    if slug:
        if get_session().scalar(select(Outlet.id).where(Outlet.slug == slug)) is None:
            raise click.BadParameter(
                f"no outlet is called {slug!r} (`parallax outlets list` shows them)",
                param_hint="'--outlet'",
            )
        query = query.where(Outlet.slug == slug)
    for outlet_slug, feed in get_session().execute(query):
        if feed.last_fetched_at is None:
            last = "never fetched"
        else:
            when = feed.last_fetched_at.strftime("%Y-%m-%d %H:%M")
            last = f"{when} {feed.last_error or feed.last_status or 'no answer'}"
        click.echo(f"{outlet_slug}  {feed.url}  {last}")
