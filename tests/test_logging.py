"""caseflow never configures logging and never logs personal data."""

from __future__ import annotations

import logging

import structlog
from structlog.testing import capture_logs

from caseflow import Engine, load_policies, parse_case
from caseflow.logging import get_logger, redact_pii, redact_text
from tests.helpers import CLOCK


def test_free_text_is_masked():
    text = (
        "mail me at li.wei+shop@example.com or call +62 812-3456-7890, card 4111 1111 1111 1111, "
        "ship to 12 Baker Street, Jalan Sudirman No. 5, 上海市浦东新区世纪大道100号"
    )
    out = redact_text(text)
    for secret in ("li.wei", "812-3456", "4111", "Baker", "Sudirman", "世纪大道"):
        assert secret not in out, (secret, out)
    assert "[email]" in out and "[phone]" in out and "[card]" in out and "[address]" in out


def test_numbers_that_are_not_personal_data_stay():
    assert redact_text("order 1234 costs 89.00 CNY, 3 items") == "order 1234 costs 89.00 CNY, 3 items"
    assert "[card]" not in redact_text("tracking 1234567812345678")  # not a valid card number (Luhn)


def test_processor_masks_pii_keys_and_nested_values():
    ed = redact_pii(
        None,
        "info",
        {
            "event": "x",
            "buyer_name": "Nguyen Van A",
            "case": {"email": "a@b.co", "note": "call 0912 345 678"},
            "amount": 5,
        },
    )
    assert ed["buyer_name"] == "[redacted]" and ed["case"]["email"] == "[redacted]"
    assert ed["case"]["note"] == "call [phone]" and ed["amount"] == 5


def test_caseflow_logger_redacts_without_configuring_structlog():
    before = structlog.get_config()["processors"]
    with capture_logs() as logs:
        get_logger().error("caseflow.backend_failed", case_id="C-1", error="buyer jane@shop.com said: sue you")
    assert logs[0]["error"] == "buyer [email] said: sue you" and logs[0]["case_id"] == "C-1"
    assert logs[0]["event"] == "caseflow.backend_failed"
    assert structlog.get_config()["processors"] == before


def test_the_library_never_configures_logging(rules_dir, base_case):
    before = (structlog.is_configured(), structlog.get_config()["processors"], logging.getLogger().handlers[:])
    Engine(load_policies(rules_dir), clock=CLOCK).evaluate(parse_case(base_case))
    assert (structlog.is_configured(), structlog.get_config()["processors"], logging.getLogger().handlers[:]) == before


def test_connection_strings_and_secrets_never_reach_a_log(caplog):
    fields = {
        "error": "store 'postgresql://u:s3cret@db/cs?sslpassword=s3cret' is down",
        "dsn": "host=db user=u password='s3cret pass' dbname=cs",
        "password": "s3cret",
        "case_id": "CS-20261111-0001",
    }
    logger = logging.getLogger("tests.secrets")
    with caplog.at_level(logging.WARNING, logger="tests.secrets"):
        get_logger(logger).warning("store.unavailable", **fields)
    (record,) = caplog.records
    assert "s3cret" not in record.getMessage() and "s3cret" not in str(record.caseflow)
    # free text: an unquoted value runs to the next space, so the closing quote goes too (more, never less)
    assert record.caseflow["error"] == "store 'postgresql://u:***@db/cs?sslpassword=*** is down"
    assert record.caseflow["dsn"] == "host=db user=u password='***' dbname=cs"
    assert record.caseflow["password"] == "[redacted]" and record.caseflow["case_id"] == "CS-20261111-0001"
    with capture_logs() as logs:
        get_logger().warning("store.unavailable", **fields)
    assert "s3cret" not in str(logs) and logs[0]["case_id"] == "CS-20261111-0001"
