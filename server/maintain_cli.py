"""The maintainers' commands: ``parallax users``, ``parallax tokens``, ``parallax audit``.

``users add NAME --role triager|editor|admin`` asks for the password twice on a terminal,
or reads one line from standard input with ``--password-stdin`` (for scripts); ``tokens
create`` prints the token once (only its SHA-256 is kept); ``audit verify`` checks the
hash chain of every outlet change and exits 1 naming the first broken row.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from . import accounts, changelog
from .policy import ROLES, SCOPES
from .services import get_session


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    app.cli.add_command(users_group)
    app.cli.add_command(tokens_group)
    app.cli.add_command(audit_group)


@click.group("users")
def users_group() -> None:
    """Add, list and disable maintainers."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--display-name", help="Shown with their changes (the name by default).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_add(name: str, role: str, display_name: str | None, password_stdin: bool) -> None:
    """Add a maintainer with a role; the password is asked for (or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    session = get_session()
    try:
        user = accounts.add_user(session, name, role, password, display_name)
    except accounts.AccountError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"added {user.name} ({user.role})")


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """List maintainers with their role and whether they are active."""
    from sqlalchemy import select

    from .models import User

    for user in get_session().scalars(select(User).order_by(User.name)):
        state = "active" if user.active else "disabled"
        click.echo(f"{user.name:24} {user.role:8} {state:8} {user.display_name}")


@users_group.command("disable")
@click.argument("name")
@with_appcontext
def users_disable(name: str) -> None:
    """Disable a maintainer: their sessions end and their tokens stop working."""
    session = get_session()
    try:
        accounts.disable_user(session, name)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"disabled {name}")


@users_group.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_password(name: str, password_stdin: bool) -> None:
    """Set a maintainer's password; their sessions end."""
    session = get_session()
    user = accounts.find_user(session, name)
    if user is None:
        raise click.ClickException(f"no user is called {name}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        accounts.set_password(user, password)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"new password set for {user.name}; their sessions have ended")


@click.group("tokens")
def tokens_group() -> None:
    """Create, list and revoke tokens for the write API."""


@tokens_group.command("create")
@click.argument("name")
@click.option("--user", "user_name", required=True, help="The editor the token acts for.")
@click.option("--scope", type=click.Choice(SCOPES), required=True)
@click.option("--expires", "days", type=click.IntRange(1, 3650), help="Days until it expires.")
@with_appcontext
def tokens_create(name: str, user_name: str, scope: str, days: int | None) -> None:
    """Create a token and print it once: it cannot be shown again."""
    session = get_session()
    try:
        token, secret = accounts.create_token(session, name, user_name, scope, days)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(secret)
    click.echo(
        f"token {token.id} ({scope}) for {user_name}: store it now, it is not shown again",
        err=True,
    )


@tokens_group.command("list")
@with_appcontext
def tokens_list() -> None:
    """List tokens with their user, scope, expiry and last use (never the token)."""
    for token in accounts.list_tokens(get_session()):
        if token.revoked_at:
            state = "revoked"
        elif token.expires_at:
            state = f"expires {token.expires_at:%Y-%m-%d}"
        else:
            state = "no expiry"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
        click.echo(
            f"{token.id:<5} {token.name:24} {token.user.name:16} {token.scope:8} {state:18} {used}"
        )


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id (see `tokens list`)."""
    session = get_session()
    try:
        accounts.revoke_token(session, token_id)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"revoked token {token_id}")


@click.group("audit")
def audit_group() -> None:
    """Check the audit trail of outlet changes."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check the hash chain of every outlet change; exit 1 if any row was altered or removed."""
    count, breaks = changelog.verify_chain(get_session())
    if breaks:
        for found in breaks:
            click.echo(f"row {found.row_id}: {found.problem}", err=True)
        raise click.ClickException(f"the audit chain is broken ({len(breaks)} problems)")
    click.echo(f"the audit chain holds: {count} changes verified")
