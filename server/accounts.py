"""Maintainers' accounts and API tokens: the one place passwords and tokens are checked.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second
recommended setting). :func:`authenticate` answers a wrong password and an unknown name
alike, and spends the same work on both, so neither the answer nor its time tells whether
a name exists. A user's ``session_epoch`` is part of every web session's id: a new
password or disabling the user changes it, which ends their other sessions.

API tokens are random (256 bits), shown once and stored as SHA-256: a token is as strong
as a key, so a slow hash would add nothing but latency.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ApiToken, User, utcnow
from .policy import ROLES, SCOPES
from .text import UNSTORABLE, plain

TOKEN_PREFIX = "plx_"
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Return a hash verified against when the name is unknown, so that answer takes as long
    as a wrong password (made on first use: nothing happens at import time)."""
    return _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """An account or token change that cannot be made; the message says why."""


def hash_password(password: str) -> str:
    """Return the Argon2id hash of a password, after checking its length."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return _hasher.hash(password)


def find_user(session: Session, name: str) -> User | None:
    """Return the user called ``name``, or None."""
    if UNSTORABLE.search(name):  # PostgreSQL refuses a NUL in a query; no name holds one
        return None
    return session.scalar(select(User).where(User.name == name.strip().lower()))


def add_user(
    session: Session, name: str, role: str, password: str | None, display_name: str | None = None
) -> User:
    """Create a user; without a password they cannot log in until one is set."""
    name = name.strip().lower()
    if not _NAME.match(name):
        raise AccountError(
            "a user name is 1 to 40 lower-case letters, digits, dots, hyphens or underscores"
        )
    if role not in ROLES:
        raise AccountError(f"role must be one of: {', '.join(ROLES)}")
    if find_user(session, name) is not None:
        raise AccountError(f"there is already a user called {name}")
    user = User(
        name=name,
        display_name=plain(display_name or name)[:120] or name,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
        active=True,
        session_epoch=1,
    )
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Give a user a new password and end every session they had."""
    user.password_hash = hash_password(password)
    user.session_epoch += 1


def disable_user(session: Session, name: str) -> User:
    """Disable a user: they can no longer log in, and their sessions and tokens stop working."""
    user = find_user(session, name)
    if user is None:
        raise AccountError(f"no user is called {name}")
    user.active = False
    user.session_epoch += 1
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """Return the active user with this name and password, or None; the same for any failure."""
    user = find_user(session, name) if len(name) <= 80 else None
    dummy = _dummy_hash()
    stored = user.password_hash if user is not None and user.password_hash else dummy
    try:
        _hasher.verify(stored, password[:MAX_PASSWORD])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active or stored is dummy:
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
    return user


def can_edit(user: User) -> bool:
    """Return True when the user may propose and review outlet changes."""
    return user.active and user.role in ("editor", "admin")


def can_triage(user: User) -> bool:
    """Return True when the user may work the feedback and demand queues."""
    return user.active and user.role in ROLES


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session, name: str, user_name: str, scope: str, expires_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for an editor; return it and its secret, which is never stored."""
    user = find_user(session, user_name)
    if user is None:
        raise AccountError(f"no user is called {user_name}")
    if not can_edit(user):
        raise AccountError(f"{user.name} is not an active editor or admin")
    if scope not in SCOPES:
        raise AccountError(f"scope must be one of: {', '.join(SCOPES)}")
    name = plain(name)
    if not name or len(name) > 80:
        raise AccountError("a token name has 1 to 80 characters")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=expires_days) if expires_days else None
    token = ApiToken(
        name=name,
        user_id=user.id,
        scope=scope,
        token_hash=_token_hash(secret),
        expires_at=expires,
    )
    session.add(token)
    session.flush()
    return token, secret


@dataclass(frozen=True)
class TokenHolder:
    """Who a valid token speaks for, and what it may do."""

    user: User
    token: ApiToken

    @property
    def scopes(self) -> set[str]:
        """Return the scopes: ``review`` includes ``propose``."""
        return {"propose", "review"} if self.token.scope == "review" else {"propose"}


def check_token(session: Session, secret: str, now: datetime | None = None) -> TokenHolder | None:
    """Return the holder of a valid token (and note its use), or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(secret)))
    now = now or utcnow()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if not can_edit(token.user):
        return None
    token.last_used_at = now
    return TokenHolder(token.user, token)


def list_tokens(session: Session) -> list[ApiToken]:
    """Return every token, newest first."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Revoke a token by its id; it stops working at once."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise AccountError(f"no token has id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token
