"""Store URLs: a bad one says what to write, and no message, log or repr ever shows a password,
whatever form the connection string takes."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import quote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from caseflow.errors import StoreError
from caseflow.store import open_store
from caseflow.store.sql import Store
from caseflow.store.urls import parse_url, redact_error, redact_url


def test_bad_urls_say_what_to_write(tmp_path):
    with pytest.raises(StoreError, match="unknown scheme 'mysql'") as e:
        open_store("mysql://root@localhost/db")
    assert e.value.code == "store-url"
    with pytest.raises(StoreError, match="names no file"):
        open_store("sqlite:///")
    with pytest.raises(StoreError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path}/no/such/folder/cases.db")
    with pytest.raises(StoreError, match=r"\*\*\*"):  # a password never appears in a message
        open_store("mysql://user:secret@host/db")


REDACTED = [
    # URL userinfo
    ("postgresql://u:secret@db.internal:5432/cs", "postgresql://u:***@db.internal:5432/cs"),
    ("postgres://u:secret@db/cs", "postgres://u:***@db/cs"),
    ("postgresql+psycopg://u:secret@db/cs", "postgresql+psycopg://u:***@db/cs"),
    ("postgresql://u:se@cret@db:5432/cs", "postgresql://u:***@db:5432/cs"),  # an "@" in the password
    ("postgresql://u:s:e/c@r?e@t@db/cs?sslmode=require", "postgresql://u:***@db/cs?sslmode=require"),
    ("postgresql://u:se%40cret@db/cs", "postgresql://u:***@db/cs"),
    ("postgresql://:secret@db/cs", "postgresql://:***@db/cs"),  # no user
    ("postgresql://u:my secret@db/cs", "postgresql://u:***@db/cs"),  # a space
    ("postgresql://u:a@b c@db/cs", "postgresql://u:***@db/cs"),
    ("postgresql://u:secret@[::1]:5432/cs", "postgresql://u:***@[::1]:5432/cs"),
    ("mysql://root:secret@localhost/db", "mysql://root:***@localhost/db"),
    # query parameters
    ("postgresql://u@db/cs?password=secret", "postgresql://u@db/cs?password=***"),
    (
        "postgresql://u@db/cs?sslmode=require&password=secret&connect_timeout=5",
        "postgresql://u@db/cs?sslmode=require&password=***&connect_timeout=5",
    ),
    ("postgresql://u@db/cs?password=se&cret&sslmode=require", "postgresql://u@db/cs?password=***&sslmode=require"),
    ("postgresql://u@db/cs?PASSWORD=secret", "postgresql://u@db/cs?PASSWORD=***"),
    (
        "postgresql://u@db/cs?sslpassword=secret&passfile=/home/u/.pgpass",
        "postgresql://u@db/cs?sslpassword=***&passfile=/home/u/.pgpass",
    ),
    ("postgresql:///cs?host=/run/postgresql&password=secret", "postgresql:///cs?host=/run/postgresql&password=***"),
    ("postgresql://u:secret@db/cs?password=secret", "postgresql://u:***@db/cs?password=***"),
    # libpq keyword strings
    ("host=db port=5432 user=u password=secret dbname=cs", "host=db port=5432 user=u password=*** dbname=cs"),
    ("host=db password = secret dbname=cs", "host=db password = *** dbname=cs"),
    ("host=db password='quoted secret' dbname=cs", "host=db password='***' dbname=cs"),
    (r"host=db password='it\'s a secret' dbname=cs", "host=db password='***' dbname=cs"),
    ("host=db password=my secret dbname=cs", "host=db password=*** dbname=cs"),  # libpq refuses it: masked anyway
    ("host=db dbname=cs password=trailing secret", "host=db dbname=cs password=***"),
    ("host=db password='never closed secret dbname=cs", "host=db password='***"),
    ("host=db sslpassword=secret sslkey=/k", "host=db sslpassword=*** sslkey=/k"),
    ("PGPASSWORD=secret", "PGPASSWORD=***"),
]

UNCHANGED = [
    "postgresql://caseflow@db.internal:5432/cs?sslmode=require",
    "postgresql://db.internal/cs",
    "postgresql://[::1]:5432/cs",
    "postgresql:///cs?host=/run/postgresql",
    "host=db user=u dbname=cs passfile=/home/u/.pgpass",
    "sqlite:///cases.db",
    "sqlite:////var/lib/caseflow/cases.db",
    "sqlite:///:memory:",
    "memory://",
]


@pytest.mark.parametrize(("url", "shown"), REDACTED)
def test_the_password_is_masked_in_every_form(url, shown):
    assert redact_url(url) == shown
    assert "secret" not in redact_url(url)


@pytest.mark.parametrize("url", UNCHANGED)
def test_urls_without_a_password_are_shown_whole(url):
    assert redact_url(url) == url


PASSWORDS = st.text(min_size=1, max_size=40)


@given(PASSWORDS)
def test_no_userinfo_password_ever_shows(password):
    shown = redact_url(f"postgresql://caseflow:{password}@db.internal:5432/cs?sslmode=require")
    assert shown == "postgresql://caseflow:***@db.internal:5432/cs?sslmode=require"


@given(st.text(min_size=1, max_size=40))
def test_no_quoted_keyword_password_ever_shows(password):
    quoted = password.replace("\\", "\\\\").replace("'", "\\'")  # libpq's quoting
    shown = redact_url(f"host=db user=caseflow password='{quoted}' dbname=cs")
    assert shown == "host=db user=caseflow password='***' dbname=cs"


@given(st.text(min_size=1, max_size=40))
def test_no_query_password_ever_shows(password):
    shown = redact_url(f"postgresql://caseflow@db/cs?password={quote(password, safe='')}&sslmode=require")
    assert shown == "postgresql://caseflow@db/cs?password=***&sslmode=require"


@given(st.text(st.characters(blacklist_categories=("Zs", "Cc")), min_size=3, max_size=40))
def test_no_unquoted_keyword_password_ever_shows(password):
    assume("=" not in password and not password.startswith(("'", '"')))
    shown = redact_url(f"host=db user=caseflow password={password} dbname=cs")
    assert shown == "host=db user=caseflow password=*** dbname=cs"


def test_a_keyword_string_is_refused_without_showing_its_password():
    with pytest.raises(StoreError) as e:
        parse_url("host=db user=u password=secret dbname=cs")
    assert "secret" not in str(e.value) and "password=***" in str(e.value) and "keyword" in str(e.value)


def test_reprs_show_no_password():
    url = "postgresql://u:se@cret@db/cs"
    assert "cret" not in repr(parse_url(url)) and "db/cs" in repr(parse_url(url))
    assert repr(Store(url)) == "Store('postgresql://u:***@db/cs')"


def test_sqlite_messages_go_through_the_redaction_too(tmp_path):
    with pytest.raises(StoreError) as e:
        open_store(f"sqlite:///{tmp_path}/missing/cases.db?password=secret")
    assert "secret" not in str(e.value) and "password=***" in str(e.value)


# -- what the driver says -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "url", "shown"),
    [
        (
            'missing "=" after "secret" in connection info string',
            "host=db password=my secret dbname=cs",
            'missing "=" after "***" in connection info string',
        ),
        (
            'unexpected spaces found in "my secret", use percent-encoded spaces (%20) instead',
            "postgresql://u:my secret@db/cs",
            'unexpected spaces found in "***", use percent-encoded spaces (%20) instead',
        ),
        (
            "failed to resolve host 't@db': no such host",
            "postgresql://u:s3cr@t@db/cs",
            "failed to resolve host '***': no such host",
        ),
        (
            'invalid percent-encoded token: "se%zz"',
            "postgresql://u:se%zz@db/cs",
            'invalid percent-encoded token: "***"',
        ),
        ("could not use topsecret here", "host=db password=topsecret", "could not use *** here"),
        (
            'connection to server at "10.0.0.5", port 5432 failed: FATAL: password authentication failed for user "u"',
            "postgresql://u:secret@10.0.0.5:5432/cs",
            'connection to server at "10.0.0.5", port 5432 failed: FATAL: password authentication failed for user "u"',
        ),
        ("store postgresql://u:secret@db/cs is down", "postgresql://db/cs", "store postgresql://u:***@db/cs is down"),
    ],
)
def test_a_driver_message_loses_what_it_quotes_of_the_password(text, url, shown):
    assert redact_error(text, url) == shown


@pytest.mark.parametrize(
    "dsn",
    [
        "host=127.0.0.1 port=1 user=u password=my s3cret dbname=d",
        "postgresql://u:my s3cret@127.0.0.1:1/db",
        "postgresql://u:s3cret%zz@127.0.0.1:1/db",
        "postgresql://u:s3cr@t@127.0.0.1:1/db",
    ],
)
def test_psycopg_messages_lose_the_password(dsn):
    psycopg = pytest.importorskip("psycopg")
    from caseflow.store.postgres import _first_line

    with pytest.raises(psycopg.Error) as e:
        psycopg.connect(dsn, connect_timeout=1)
    assert "s3cr" in str(e.value) or "t@127" in str(e.value)  # the driver quotes a piece of the password
    shown = _first_line(e.value, SimpleNamespace(url=dsn))  # what PostgresStore puts in its StoreError
    assert "s3cr" not in shown and "t@127" not in shown and shown
