"""Store URLs: a bad one says what to write, and never shows a password."""

from __future__ import annotations

import pytest

from caseflow.errors import StoreError
from caseflow.store import open_store


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
