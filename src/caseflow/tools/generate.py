"""Realistic synthetic cases for demos, simulations and benchmarks (``caseflow generate``).

Every case type, channel, language and region; buyers and sellers with history counters;
orders in CNY, IDR, VND and USD with items, delivery and tracking events; messages in
English, Chinese, Indonesian and Vietnamese, a few of them with risk phrases (a lawsuit, a
fire, a fake) and a few with negations ("I will not sue"). Proportions are chosen so the
default policies fire in realistic proportions. Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from pydantic import JsonValue

__all__ = ["GENERATOR_VERSION", "generate_cases"]

# changes whenever the same seed would give different cases (benchmarks cache generated files by it)
GENERATOR_VERSION = 2

_TYPES = [
    ("refund_only", 16),
    ("return_and_refund", 14),
    ("item_not_received", 12),
    ("damaged_or_defective", 10),
    ("not_as_described", 8),
    ("order_status", 10),
    ("inquiry", 8),
    ("cancellation", 4),
    ("wrong_item", 3),
    ("exchange", 3),
    ("dispute", 3),
    ("account_access", 2),
    ("technical_problem", 2),
    ("negative_review", 2),
    ("payment_problem", 1),
    ("chargeback", 1),
    ("feedback", 1),
]
_REGIONS = [
    ("CN", "zh-CN", "CNY", 3000, "Asia/Shanghai", 45),
    ("ID", "id", "IDR", 6_000_000, "Asia/Jakarta", 25),
    ("VN", "vi", "VND", 9_000_000, "Asia/Ho_Chi_Minh", 15),
    ("US", "en", "USD", 500, "America/Los_Angeles", 15),
]
_CHANNELS = [("chat", 55), ("in_app", 15), ("email", 15), ("phone", 8), ("social", 7)]
_CATEGORIES = [
    "apparel",
    "electronics",
    "beauty",
    "home",
    "toys",
    "collectibles",
    "books",
    "fresh_food",
    "custom_made",
    "digital_download",
    "shoes",
    "accessories",
]
_TEXT = {
    "zh-CN": [
        "请问我的订单什么时候到？",
        "收到的东西坏了，想退款",
        "尺码不合适，想退货",
        "颜色和图片不一样",
        "快递一直没有更新",
    ],
    "id": [
        "Pesanan saya belum sampai",
        "Barangnya rusak, mohon refund",
        "Ukurannya tidak cocok",
        "Warnanya beda dengan foto",
    ],
    "vi": ["Đơn hàng của tôi chưa tới", "Hàng bị hỏng, tôi muốn hoàn tiền", "Sai kích cỡ", "Màu khác với hình"],
    "en": [
        "Where is my order?",
        "The item arrived broken, I want a refund",
        "Wrong size, I want to return it",
        "The colour is different from the photo",
    ],
}
_RISK = {
    "zh-CN": ["再不退款我就找律师起诉你们", "充电宝起火了", "这是假货", "我要打12315投诉"],
    "id": ["Saya akan menggugat lewat pengacara", "Baterainya meledak", "Ini barang palsu"],
    "vi": ["Tôi sẽ nhờ luật sư khởi kiện", "Sạc bị nổ", "Đây là hàng giả"],
    "en": ["I will sue you", "The charger caught fire", "This is a fake", "I will go to the media"],
}
_ANSWER = {
    "zh-CN": ["您好，我们正在为您核实，请稍等", "已为您联系商家，有结果马上通知您"],
    "id": ["Halo, kami sedang memeriksa pesanan Anda", "Kami sudah menghubungi penjual"],
    "vi": ["Chào bạn, chúng tôi đang kiểm tra đơn hàng", "Chúng tôi đã liên hệ người bán"],
    "en": ["Hi, we are checking this for you", "We have contacted the seller and will update you"],
}
_FOLLOW_UP = {"zh-CN": "请问有进展吗？", "id": "Ada kabar?", "vi": "Có tin gì chưa?", "en": "Any update?"}
# median minutes to an agent's answer, by channel (log-normal around it)
_ANSWER_MINUTES = {"chat": 3.0, "in_app": 6.0, "phone": 1.0, "social": 60.0, "email": 240.0}
_NEGATED = {
    "zh-CN": "我不会起诉你们，只想退款",
    "id": "Saya tidak akan menggugat",
    "vi": "Tôi sẽ không kiện",
    "en": "I will not sue, just refund",
}


def _pick(rnd: random.Random, weighted: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    total = sum(w[-1] for w in weighted)
    x = rnd.uniform(0, total)
    for item in weighted:
        x -= item[-1]
        if x <= 0:
            return item
    return weighted[-1]


def generate_cases(n: int, *, seed: int = 0, now: datetime | None = None) -> Iterator[dict[str, JsonValue]]:
    """Yield ``n`` case dicts (valid input for :func:`caseflow.parse_case`)."""
    rnd = random.Random(seed)  # nosec B311
    talk = random.Random(seed * 7919 + 17)  # the conversations: their own stream, so the rest keeps its values  # nosec B311
    now = now or datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
    for i in range(n):
        ctype = _pick(rnd, _TYPES)[0]
        region, lang, cur, hi, _tz, _ = _pick(rnd, _REGIONS)
        channel = _pick(rnd, _CHANNELS)[0]
        created = now - timedelta(minutes=rnd.randrange(60 * 24 * 3))
        placed = created - timedelta(hours=rnd.randrange(24, 24 * 40))
        amount = int(hi * rnd.random() ** 3) + 1 if rnd.random() < 0.97 else rnd.randrange(hi, hi * 10)  # mostly small
        money = f"{amount}.00 {cur}"
        order: dict[str, Any] = {
            "id": f"O{seed}-{i}",
            "amount": money,
            "placed_at": placed.isoformat(),
            "sale_type": "live_auction" if rnd.random() < 0.08 else "standard",
            "items": [
                {
                    "sku": f"SKU-{rnd.randrange(2000)}",
                    "category": rnd.choice(_CATEGORIES),
                    "returnable": rnd.random() < 0.95,
                    **({"condition": rnd.choice(["opened", "used", "damaged"])} if rnd.random() < 0.15 else {}),
                }
                for _ in range(1 + (rnd.random() < 0.2))
            ],
        }
        shipped = placed + timedelta(hours=rnd.randrange(6, 72))
        if shipped < created:
            order["shipped_at"] = shipped.isoformat()
            expected = shipped + timedelta(days=rnd.randrange(2, 8))
            order["expected_delivery_at"] = expected.isoformat()
            delivered = ctype != "item_not_received" and rnd.random() < 0.85
            last = shipped + timedelta(days=rnd.randrange(0, 4))
            if delivered and expected < created:
                order["delivered_at"] = expected.isoformat()
                order["shipment"] = {
                    "carrier": rnd.choice(["sf", "jne", "ghn", "ups"]),
                    "status": "delivered",
                    "events": [{"at": expected.isoformat(), "status": "delivered"}],
                }
            else:
                status = "delivered" if rnd.random() < 0.15 else "in_transit"
                order["shipment"] = {
                    "carrier": rnd.choice(["sf", "jne", "ghn", "ups"]),
                    "status": status,
                    "events": [{"at": min(last, created).isoformat(), "status": status}],
                }
        case: dict[str, Any] = {
            "id": f"C{seed}-{i}",
            "tenant": f"shop-{region.lower()}-{rnd.randrange(50)}",
            "channel": channel,
            "case_type": ctype,
            "created_at": created.isoformat(),
            "priority": "urgent" if rnd.random() < 0.03 else "high" if rnd.random() < 0.1 else "normal",
            "buyer": {
                "id": f"B{rnd.randrange(100_000)}",
                "region": region,
                "language": lang,
                "segment": "vip"
                if rnd.random() < 0.05
                else "watchlist"
                if rnd.random() < 0.02
                else "new"
                if rnd.random() < 0.15
                else "regular",
                "history": {
                    "orders_total": rnd.randrange(0, 60),
                    "refunds_90d": rnd.choice([0] * 12 + [1] * 5 + [2, 2, 3, 4, 6, 9]),
                    "contacts_7d": rnd.choice([0] * 10 + [1] * 4 + [2, 2, 3, 5]),
                },
            },
            "seller": {
                "id": f"S{rnd.randrange(5000)}",
                "region": region,
                "segment": "top_seller" if rnd.random() < 0.05 else "regular",
            },
            "orders": [order],
            "risk": {
                "fraud_score": round(rnd.betavariate(1.2, 8), 3),
                "account_takeover_suspected": rnd.random() < 0.003,
                "chargeback_filed": ctype == "chargeback",
            },
            "evidence": [{"kind": rnd.choice(["photo", "video"])}] if rnd.random() < 0.45 else [],
            # the warehouse that shipped the order (app data; derived, so the random stream is unchanged)
            "attributes": {"warehouse": f"WH-{region}-{i % 3 + 1}"},
        }
        if ctype in (
            "refund_only",
            "return_and_refund",
            "cancellation",
            "damaged_or_defective",
            "not_as_described",
            "item_not_received",
            "wrong_item",
            "exchange",
        ):
            kind = {"return_and_refund": "return_and_refund", "exchange": "exchange"}.get(ctype, "refund_only")
            reason = {
                "damaged_or_defective": "damaged",
                "not_as_described": "not_as_described",
                "item_not_received": "not_received",
                "wrong_item": "wrong_item",
            }.get(ctype, "changed_mind")
            case["request"] = {"kind": kind, "amount": money, "reason": reason}
        if ctype in ("dispute", "chargeback"):
            case["dispute"] = {
                "reason": rnd.choice(["not_received", "not_as_described", "damaged", "counterfeit", "other"])
                if ctype == "dispute"
                else "unauthorized",
                "opened_by": "bank" if ctype == "chargeback" else "buyer",
                "opened_at": (created - timedelta(hours=rnd.randrange(0, 96))).isoformat(),
                **({"seller_responded_at": created.isoformat()} if rnd.random() < 0.6 else {}),
            }
        r = rnd.random()
        text = rnd.choice(_RISK[lang]) if r < 0.04 else _NEGATED[lang] if r < 0.05 else rnd.choice(_TEXT[lang])
        case["messages"] = _conversation(talk, channel, lang, text, created, now)
        yield case


def _conversation(
    talk: random.Random, channel: str, lang: str, text: str, created: datetime, now: datetime
) -> list[dict[str, Any]]:
    """The buyer's message; mostly an agent's answer after a channel-typical delay; sometimes the
    buyer asks again (repeating the complaint) and is answered again. Only what happened by ``now``."""

    def after(t: datetime) -> datetime:
        return t + timedelta(seconds=round(60 * _ANSWER_MINUTES[channel] * talk.lognormvariate(0, 1.1)))

    said = [("buyer", created, text)]
    if talk.random() < 0.9:
        answered = after(created)
        said.append(("agent", answered, talk.choice(_ANSWER[lang])))
        if talk.random() < 0.3:
            again = answered + timedelta(minutes=talk.randrange(10, 48 * 60))
            said.append(("buyer", again, f"{_FOLLOW_UP[lang]} {text}"))
            if talk.random() < 0.85:
                said.append(("agent", after(again), talk.choice(_ANSWER[lang])))
    return [
        {"author": who, "language": lang, "at": at.isoformat(), "text": words} for who, at, words in said if at <= now
    ]


def write_jsonl(n: int, seed: int, stream: TextIO) -> int:
    count = 0
    for case in generate_cases(n, seed=seed):
        stream.write(json.dumps(case, ensure_ascii=False) + "\n")
        count += 1
    return count
