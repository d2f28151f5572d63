"""Detection quality of the default pack's risk rules (rules/escalation.yaml), through the public API.

Each message becomes the only buyer message of an ordinary case (``caseflow.testing.make_case``), evaluated by
``Engine(load_policies("rules/")).evaluate(case)``; the classes found are the ``reason`` of the decision's
``escalate`` actions. For every class and language: positives (threats, conditional threats, slang, no
diacritics) and hard negatives (negations, questions, product names, quoted text, past events, jokes, third
parties, professions). Then the evasions per language, the explanation of a fired rule, and the bench's
figures on the dev set (docs/risk.md): a regression below the issue's targets fails here.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseflow import Engine, FixedClock, load_policies
from caseflow.testing import make_case

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-11-11T10:00:00+08:00"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("caseflow_bench_risk", ROOT / "bench" / "risk.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


REASONS: dict[str, str] = _bench().REASONS  # escalate reason -> class, as the bench reads them


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_policies(ROOT / "rules"), clock=FixedClock(AT))


def found(engine: Engine, text: str, item: str | None = None) -> set[str]:
    """The risk classes the pack finds in one buyer message (``item``: the name of the order's item)."""
    overrides: dict[str, object] = {"messages": [{"author": "buyer", "at": "2026-11-05T09:30:00+08:00", "text": text}]}
    if item is not None:
        overrides["orders"] = [
            {
                "id": "order-1",
                "amount": "100.00 CNY",
                "placed_at": "2026-11-01T10:00:00+08:00",
                "items": [{"sku": "SKU-1", "name": item, "category": "apparel"}],
            }
        ]
    decision = engine.evaluate(make_case(**overrides))
    return {
        REASONS[str(a.params["reason"])]
        for a in decision.actions
        if a.type == "escalate" and a.params.get("reason") in REASONS
    }


# (class, language, text): each must be found
POSITIVES = [
    # legal
    ("legal", "en", "You'll be hearing from my attorney before the weekend"),
    ("legal", "en", "unless the refund lands today I'm taking this to small claims"),
    ("legal", "en", "this is theft and I'm reporting it to the police tonight"),
    ("legal", "zh-Hans", "不给我退款的话，我就去法院起诉你们"),
    ("legal", "zh-Hans", "我已经找好律师了，你们等着收律师函"),
    ("legal", "zh-Hant", "再不處理我就去派出所報案"),
    ("legal", "zh-Hant", "唔退錢我就去差館報警"),
    ("legal", "id", "kalo gak dibalikin, gue laporin ke polisi"),
    ("legal", "id", "saya sudah siapkan somasi lewat kuasa hukum saya"),
    ("legal", "vi", "không hoàn tiền thì tôi sẽ thuê luật sư khởi kiện"),
    ("legal", "vi", "toi se bao cong an vu lua dao nay"),
    # regulator
    ("regulator", "en", "I'm filing a complaint with the Better Business Bureau today"),
    ("regulator", "en", "Trading Standards will be hearing about these chargers"),
    ("regulator", "zh-Hans", "再拖我就打12315投诉你们"),
    ("regulator", "zh-Hans", "我要向市场监管局举报你们虚假宣传"),
    ("regulator", "zh-Hant", "我要去消基會申訴"),
    ("regulator", "zh-Hant", "我已經去消委會投訴咗"),
    ("regulator", "id", "kalau tidak ada solusi saya adukan ke YLKI"),
    ("regulator", "id", "produk ini saya laporkan ke BPOM"),
    ("regulator", "vi", "tôi sẽ phản ánh lên Sở Công Thương"),
    ("regulator", "vi", "toi se bao quan ly thi truong"),
    # safety
    ("safety", "en", "the power strip sparked and melted the plug"),
    ("safety", "en", "my daughter broke out in hives after the first bite"),
    ("safety", "zh-Hans", "充电宝鼓包了还冒烟"),
    ("safety", "zh-Hans", "孩子吃了以后上吐下泻，送医院了"),
    ("safety", "zh-Hant", "電熱水壺漏電，我被電到了"),
    ("safety", "zh-Hant", "用完面膜整塊臉紅腫過敏"),
    ("safety", "id", "baterainya menggembung terus keluar asap"),
    ("safety", "id", "anak saya keracunan sampai dibawa ke IGD"),
    ("safety", "vi", "sạc bị chập điện rồi bốc cháy"),
    ("safety", "vi", "be nha minh bi di ung noi man do khap nguoi"),
    # media
    ("media", "en", "I'm making a TikTok about this tonight"),
    ("media", "en", "every Facebook group I'm in is going to hear about this"),
    ("media", "zh-Hans", "我要发到小红书让大家避雷"),
    ("media", "zh-Hans", "信不信我去抖音曝光你们"),
    ("media", "zh-Hant", "我要PO上Dcard讓大家看看"),
    ("media", "zh-Hant", "我會喺連登出post踢爆你哋"),
    ("media", "id", "tunggu aja, gue viralin di tiktok"),
    ("media", "id", "saya bakal bikin utas di twitter soal toko ini"),
    ("media", "vi", "tôi sẽ đăng lên facebook bóc phốt shop"),
    ("media", "vi", "de toi quay clip dang tiktok cho moi nguoi biet"),
    # chargeback
    ("chargeback", "en", "I'm disputing the charge with my credit card company"),
    ("chargeback", "en", "no refund by Monday and I'll file a chargeback"),
    ("chargeback", "zh-Hans", "我已经向银行申请拒付了"),
    ("chargeback", "zh-Hans", "不退款我就找发卡行提出争议"),
    ("chargeback", "zh-Hant", "我會請銀行止付這筆交易"),
    ("chargeback", "zh-Hant", "我已經跟信用卡公司申請爭議款"),
    ("chargeback", "id", "saya ajukan chargeback ke bank kalau tidak direfund"),
    ("chargeback", "id", "gw dispute aja di paypal"),
    ("chargeback", "vi", "tôi sẽ yêu cầu ngân hàng tra soát giao dịch này"),
    ("chargeback", "vi", "toi se khieu nai the tin dung"),
    # self_harm
    ("self_harm", "en", "honestly I don't want to be here anymore"),
    ("self_harm", "en", "I've been thinking about ending my life"),
    ("self_harm", "zh-Hans", "活着太累了，真的不想活了"),
    ("self_harm", "zh-Hans", "最近一直想自杀"),
    ("self_harm", "zh-Hant", "我真係唔想再活落去"),
    ("self_harm", "zh-Hant", "活不下去了，想輕生"),
    ("self_harm", "id", "aku udah gak kuat lagi hidup"),
    ("self_harm", "id", "kepikiran bunuh diri terus"),
    ("self_harm", "vi", "tôi không muốn sống nữa"),
    ("self_harm", "vi", "toi muon tu tu"),
    # 2026.11.3: families beyond the exact wordings of dev (euphemisms, Cantonese, slang, summons)
    ("self_harm", "en", "don't know how much longer i can go on after losing this money"),
    ("self_harm", "zh-Hans", "我真的怕自己会干傻事"),
    ("self_harm", "zh-Hant", "我唔想再生存，錢全部冇咗"),
    ("self_harm", "id", "udah capek banget hidup, pengen ilang aja"),
    ("self_harm", "vi", "chắc tôi chết cho nhẹ nợ"),
    ("legal", "zh-Hant", "你哋再拖，我就搵差人處理"),
    ("legal", "id", "masalah ini sudah saya serahkan ke kuasa hukum saya"),
    ("legal", "vi", "shop cứ đợi trát hầu tòa đi"),
    # 2026.11.4: a threat asked as a question, a reluctant step, a third party acting for the writer
    ("chargeback", "zh-Hans", "你是逼我去找银行拒付吗？"),
    ("regulator", "zh-Hant", "你哋唔怕我去消委會㗎？"),
    ("legal", "vi", "Shop muốn mình báo công an không?"),
    ("legal", "vi", "Bạn có tin là tôi kiện bạn không?"),
    ("legal", "id", "Mau gue laporin ke polres?"),
    ("legal", "en", "I really don't want to go to court over this, but you're leaving me no choice."),
    ("legal", "zh-Hant", "我唔想搞到上法庭，但係你哋迫我。"),
    ("legal", "zh-Hant", "我表哥做律師，佢話可以幫我發律師信畀你哋。"),
    ("safety", "vi", "Máy lọc không khí bốc cháy trong phòng ngủ"),
    ("self_harm", "en", "I'm sitting here with the pills I've saved up"),
    ("legal", "en", "Then I'll just have to sue, simple as that."),
    ("legal", "en", "This is a legal matter now, not a customer service one."),
    ("legal", "en", "I'm starting arbitration under your own terms."),
    ("legal", "en", "Next week I have an appointment with an attorney about this order."),
    ("legal", "en", "Filed w/ PD this morning."),
    ("legal", "zh-Hans", "大不了上法院，我奉陪到底"),
    ("legal", "zh-Hans", "这事我已经交给法律处理了"),
    ("legal", "id", "Kalian mau ketemu di pengadilan? Silakan."),
    ("legal", "id", "Bukti sudah saya serahkan di kantor polisi."),
    ("legal", "vi", "Hẹn gặp shop ở tòa nhé."),
    ("legal", "vi", "Tôi chẳng muốn kiện, nhưng shop không để lại cho tôi lựa chọn nào khác."),
    ("legal", "en", "No refund then I bring this case to law"),  # English as a second language
    ("legal", "en", "I will take lawyer and complain police"),
    # 2026.11.5: a relative's step when the writer writes for them, a UK claim, an ultimatum of two words,
    # Indonesian subjects and abbreviations, a rhetorical "you think I can't", Vietnamese police stations
    ("legal", "zh-Hans", "我是帮我爸问的他说你们要是再不给修那个电视他就去法院起诉"),
    ("legal", "zh-Hant", "我幫我阿媽問㗎佢話如果你哋再唔處理佢就去小額錢債度告你哋"),
    ("legal", "en", "Absent a full refund within fourteen days, I will issue a claim in the county court."),
    ("legal", "en", "Refund or court. Your call."),
    ("legal", "id", "kalau sampai besok duit saya belum balik saya lapor polisi aja"),
    ("legal", "id", "bsk sy k kantor polisi bwt lpr penipuan onlen"),
    ("legal", "id", "lo pikir gue gak bisa bikin LP? liat aja besok"),
    ("legal", "vi", "ok gặp nhau ở đồn nhé bạn"),
    ("legal", "vi", "Shop nghĩ tôi không dám kiện à? Hóa đơn tôi giữ đủ cả."),
    (
        "regulator",
        "en",
        "Should the refund not be processed within 14 days, I shall refer this matter to Trading Standards.",
    ),
    ("media", "zh-Hans", "等着被挂吧。"),
    ("media", "vi", "tôi livestream luôn cho mọi người xem cái hàng shop gửi"),
    ("chargeback", "en", "Don't make me call Visa about this."),
    ("chargeback", "zh-Hant", "PayPal那邊我已經開了糾紛，附上了所有對話截圖。"),
    ("self_harm", "zh-Hans", "不用退了。反正我也不打算活了。"),
    ("self_harm", "vi", "tôi đang đứng trên cầu đây"),
    ("safety", "vi", "pin xe dien no luc dang sac trong nha, chay ca goc phong"),
    # 2026.11.5, the stress set: English of many markets, censor-dodging, Javanese, a fronted object
    (
        "legal",
        "en",
        "Kindly note I have consulted my advocate and he is preparing a legal notice to be served upon you.",
    ),
    ("legal", "en", "Righto, I've been to the Gardaí and they took a statement."),
    ("legal", "en", "Next stop is NCAT and I'm not bluffing."),
    ("legal", "en", "Fine. We'll let someone in a wig decide who's right."),
    ("legal", "en", "You think I won't spend $75 to file against you? Watch me."),
    ("legal", "zh-Hans", "再不退款我就报j了，说到做到"),
    ("legal", "zh-Hans", "我不是在吓唬你们，诉状我已经写好了，就差签个字递上去。"),
    ("legal", "id", "Wis tak laporke polisi, mas. Barang ra teko."),
    ("legal", "id", "Semua bukti akan saya serahkan ke kejaksaan."),
    ("chargeback", "en", "Righto, I'll get the bank to claw it back then."),
    ("chargeback", "en", "I paid on my credit card, so I'll be making a Section 75 claim for the full amount."),
    ("self_harm", "id", "Kalau duit saya gak balik, saya gak punya alasan buat hidup lagi."),
    # 2026.11.6 (blind5's round): an FIR, a judge, Cantonese and Indonesian "you reckon I don't dare", southern
    # Vietnamese "thưa", a farewell letter, a plan, life without the writer; live streams; a retrieval request
    ("legal", "en", "I'm filing an FIR at the local police station tomorrow if this isn't resolved."),
    ("legal", "en", "Keep stalling and you can explain it to the judge."),
    ("legal", "vi", "Không đền thì tui đi thưa ra tòa đó nghen."),
    ("legal", "zh-Hant", "你估我唔敢入稟呀？單據我全部留晒"),
    ("legal", "id", "Kira saya gak berani lapor polisi? Besok saya ke sana."),
    ("self_harm", "en", "I've written letters to my family, just in case. This was our last money."),
    ("self_harm", "zh-Hans", "钱没了，药我已经买好了，今晚就结束吧"),
    ("self_harm", "id", "Saya udah nulis surat untuk keluarga, refundnya udah gak penting."),
    ("self_harm", "vi", "Chắc mọi người sẽ nhẹ nhõm hơn nếu không còn tôi."),
    ("media", "zh-Hans", "再不处理我就开直播，把聊天记录念给粉丝听"),
    ("media", "id", "Besok gue live IG bahas toko ini."),
    ("chargeback", "zh-Hans", "我已经在银行提交调单申请了"),
    ("chargeback", "en", "Mastercard will be hearing from me if this isn't refunded today."),
    ("safety", "en", "The kettle lid popped off and I ended up with a second degree burn on my wrist."),
    ("regulator", "vi", "Shop có muốn đội quản lý thị trường xuống kiểm tra kho không?"),
]

# (class the message must not raise, language, text, why it is no threat)
NEGATIVES = [
    # legal
    ("legal", "en", "I'm not going to sue anyone, just send the right size", "negated"),
    ("legal", "en", "my sister is a lawyer and she loved the packaging", "profession"),
    ("legal", "zh-Hans", "我不会报警的，只想问问物流", "negated"),
    ("legal", "zh-Hans", "这个警察玩具车孩子很喜欢", "product"),
    ("legal", "zh-Hant", "上次差點報警，後來包裹找到了", "past"),
    ("legal", "zh-Hant", "鄰居說他去報警了，跟我的訂單無關", "third party"),
    ("legal", "id", "saya gak ada niat lapor polisi kok, cuma nanya", "negated"),
    ("legal", "id", "polisi tidur depan rumah bikin kurir lama ya kak?", "question"),
    ("legal", "vi", "tôi sẽ không kiện đâu, chỉ cần đổi hàng", "negated"),
    ("legal", "vi", "kiện hàng bị móp góc", "everyday word"),
    # regulator
    ("regulator", "en", "What happens if a buyer reports a shop to the BBB?", "question"),
    ("regulator", "en", "The BBB rating on your site is A+, nice", "name"),
    ("regulator", "zh-Hans", "我不会投诉的，只是想问问进度", "negated"),
    ("regulator", "zh-Hans", "去年差点去消协投诉别家，后来解决了", "past"),
    ("regulator", "zh-Hant", "我在消保處上班，公司要報帳", "profession"),
    ("regulator", "zh-Hant", "如果有人打1950申訴你們會怎樣？", "question"),
    ("regulator", "id", "kak ini ada izin BPOM nya?", "registration"),
    ("regulator", "id", "saya gak akan lapor kemana-mana, cuma mau tukar ukuran", "negated"),
    ("regulator", "vi", "muốn khiếu nại thì gửi ở đâu vậy?", "question"),
    ("regulator", "vi", "tôi không định báo quản lý thị trường đâu", "negated"),
    # safety
    ("safety", "en", "Is this phone case fireproof?", "question"),
    ("safety", "en", "My Fire TV stick remote is missing", "product"),
    ("safety", "zh-Hans", "你们家炸鸡粉什么时候发货", "product"),
    ("safety", "zh-Hans", "说明书上写着「电池过热可能爆炸」，正常吗", "quoted"),
    ("safety", "zh-Hant", "這款爆米花機很好用", "product"),
    ("safety", "zh-Hant", "笑到肚子痛，這個包裝太有梗", "joke"),
    ("safety", "id", "Mie ledak level 5 masih ada?", "product"),
    ("safety", "id", "promonya bikin keranjang saya meledak wkwk", "joke"),
    ("safety", "vi", "cháy hàng rồi hả shop?", "everyday word"),
    ("safety", "vi", "bỏng ngô vị caramel còn hàng không", "product"),
    # media
    ("media", "en", "will post this on my IG story, the packaging is so cute", "positive post"),
    ("media", "en", "the reviews on youtube were great so I bought two", "everyday word"),
    ("media", "zh-Hans", "这款爆款相机的曝光补偿怎么调", "everyday word"),
    ("media", "zh-Hans", "我不会发到网上的，放心", "negated"),
    ("media", "zh-Hant", "Dcard上很紅的那款還有貨嗎", "product"),
    ("media", "zh-Hant", "我沒有要爆料的意思，只想換貨", "negated"),
    ("media", "id", "kak ini produk viral yang di tiktok itu kan", "product"),
    ("media", "id", "spill harga dong kak", "everyday word"),
    ("media", "vi", "tôi sẽ không đăng lên mạng đâu, shop yên tâm", "negated"),
    ("media", "vi", "shop có bán trên tiktok shop không?", "question"),
    # chargeback
    ("chargeback", "en", "hey whats ur policy on chargebacks?", "question"),
    ("chargeback", "en", "I'm not filing a chargeback, my bank just called to confirm the purchase", "negated"),
    ("chargeback", "zh-Hans", "我想退单，重新下一个", "everyday word"),
    ("chargeback", "zh-Hans", "请问信用卡可以分期吗？", "question"),
    ("chargeback", "zh-Hant", "信用卡那邊我不會去爭議", "negated"),
    ("chargeback", "zh-Hant", "請問可以刷卡嗎？", "question"),
    ("chargeback", "id", "enggak dispute kok, cuma nanya ongkir", "negated"),
    ("chargeback", "id", "bisa bayar pakai kartu kredit?", "question"),
    ("chargeback", "vi", "shop hoàn tiền vào thẻ giúp mình nhé", "refund"),
    ("chargeback", "vi", "có thanh toán bằng thẻ được không?", "question"),
    ("chargeback", "en", "my card got blocked when I tried to pay, can you resend the link", "payment failure"),
    ("chargeback", "id", "kartu kredit saya ditolak bank pas bayar, gimana ya", "payment failure"),
    ("chargeback", "vi", "tôi muốn hủy thanh toán đơn này, đặt nhầm màu", "cancellation"),
    ("safety", "en", "the peaches arrived bruised and the blister pack was torn", "everyday word"),
    ("media", "zh-Hans", "网上说这款很好用，我也买了", "everyday word"),
    # self_harm
    ("self_harm", "en", "a bottle of pills from the pharmacy arrived with a cracked cap", "product"),
    ("self_harm", "en", "I'm dying to try the new flavour", "joke"),
    ("self_harm", "en", "these prices are killing me lol", "joke"),
    ("self_harm", "zh-Hans", "笑死，想死你们家的辣条了", "joke"),
    ("self_harm", "zh-Hans", "等快递等得我快死了", "joke"),
    ("self_harm", "zh-Hant", "笑死，物流也太快", "joke"),
    ("self_harm", "zh-Hant", "原地去世，太好看了", "joke"),
    ("self_harm", "id", "harganya bikin mau pingsan wkwk", "joke"),
    ("self_harm", "id", "auto meninggoy liat diskonnya", "joke"),
    ("self_harm", "vi", "đẹp chết đi được, mua thêm cái nữa", "joke"),
    ("self_harm", "vi", "cười muốn chết với cái hộp này", "joke"),
    ("self_harm", "id", "laptopnya mau mati terus, baterainya drop", "device"),
    ("self_harm", "id", "ngakak sampai mau mati baca reviewnya", "joke"),
    ("self_harm", "zh-Hans", "我做了件傻事，地址填错了", "everyday"),
    ("safety", "zh-Hans", "说明书上写着以免烫伤，正常使用没问题", "warning label"),
    ("safety", "en", "the box says risk of electric shock if opened, I won't open it", "warning label"),
    ("legal", "zh-Hans", "我要去你们老板那里告你们一状", "a complaint to the manager, not a lawsuit"),
    ("media", "vi", "tôi làm phóng viên, gửi hàng về tòa soạn báo giúp", "profession"),
    # 2026.11.4: a case asked about under a condition, another shop, a neighbour, spicy food, a toy
    ("safety", "zh-Hans", "请问如果充电宝鼓包了，在保修期内能换新吗？", "a condition asked about"),
    ("safety", "id", "Kalau baterainya menggelembung, masih bisa klaim garansi nggak?", "a condition asked about"),
    ("safety", "zh-Hant", "呢款辣椒醬辣到我個口著火咁，正！", "spicy food"),
    ("safety", "en", "Do you sell the fire truck toy? My nephew loves firefighters.", "a toy"),
    ("legal", "zh-Hans", "邻居之前起诉过一个商家，所以想问下你们是不是正品？", "a neighbour"),
    ("legal", "id", "Tetangga gw pernah gugat seller gara-gara kulkas, haha.", "a neighbour"),
    ("legal", "id", "Temen gw jadi saksi di sidang minggu depan, ada kemeja putih?", "a witness"),
    ("regulator", "vi", "Hôm trước mình nói sẽ báo Sở Công Thương là do nóng giận thôi", "said in anger"),
    ("media", "zh-Hant", "我喺小紅書見到人推介先嚟買，質素唔錯。", "read a post, posted nothing"),
    ("legal", "en", "Please address the parcel to Sue Chen at the front desk", "a name"),
    ("legal", "en", "Is a warning label required by law for this charger?", "a policy question"),
    ("legal", "zh-Hans", "我们律所想订30把椅子，能开发票吗？", "a law firm buying chairs"),
    ("chargeback", "vi", "Hai bên tranh chấp về hợp đồng thuê nhà, shop có bán bìa hồ sơ không?", "a dispute, no bank"),
    ("legal", "id", "Kemarin saya emosi bilang mau lapor polisi, maaf ya kak", "taken back"),
    # 2026.11.5
    (
        "legal",
        "zh-Hant",
        "我朋友之前在別家被騙，有打165報案，所以我比較小心。",
        "another shop, said in a clause before",
    ),
    ("legal", "zh-Hans", "我老公是警察上夜班的这个保温杯能不能今天加急发出去", "a job"),
    ("legal", "zh-Hant", "我老婆說我再亂買東西就要告我浪費，哈哈，所以這單還是幫我取消好了。", "sues the writer"),
    ("legal", "id", "gak usah lah saya lapor polisi segala, udah beres kok", "no need to"),
    ("legal", "en", "my cat is threatening to sue you over the late scratching post 😂", "a cat"),
    (
        "chargeback",
        "en",
        "Thanks for sorting out the double charge, my bank showed the reversal so we're all good.",
        "resolved",
    ),
    ("chargeback", "zh-Hant", "被騙的錢很難追回來，我認了，下次小心點。", "money hard to recover, no dispute"),
    ("self_harm", "vi", "cho toi noi chuyen voi quan ly, ban tu van sai cho toi 2 lan roi", "tư vấn, not tự vẫn"),
    ("regulator", "zh-Hant", "我看到消基會之前有做過電熱毯的檢測報告，你們這款有送驗過嗎？", "a test report"),
    ("media", "en", "I've forwarded this entire thread to my manager, she paid for the order.", "an email thread"),
    ("media", "id", "Gak bakal saya viralin kok, tenang. Yang penting barangnya diganti.", "a fronted object: I won't"),
    ("regulator", "zh-Hant", "我老公話要去消委會，我叫佢唔好啦，小事嚟啫。", "stopped by the writer"),
    ("legal", "vi", "Shop ơi cái áo này đẹp tới mức muốn báo công an bắt người thiết kế luôn á 🤭", "a joke"),
    ("legal", "en", "I work as a court clerk and we ordered 30 of these binders for the office.", "a job"),
    ("self_harm", "id", "Kalo sampe sold out lagi, aku gantung diri di pohon toge aja deh 🤣", "a joke"),
    ("media", "zh-Hant", "這支手機拍照曝光好像怪怪的，是設定問題嗎？", "a camera's exposure"),
    ("legal", "zh-Hans", "之前说要报警是我气头上说的，东西找到了，不好意思哈。", "said in anger, taken back"),
    # 2026.11.6
    ("safety", "en", "My smoke alarm keeps beeping, which battery does it take?", "a smoke alarm"),
    ("safety", "id", "Liat tagihan langsung kebakaran jenggot, tapi barangnya oke kok", "an idiom: panic"),
    ("self_harm", "id", "Harga segini mah bunuh diri kak, yakin gak rugi?", "a price"),
    ("self_harm", "zh-Hant", "等到我想死呀，終於到咗！", "waiting, a joke"),
    ("media", "id", "Lipstik ini lagi viral di TikTok ya kak? Ready shade 02?", "a trending product"),
    ("media", "vi", "Mình xem clip bóc phốt shop khác nên mới chọn shop này, hàng ổn lắm.", "a clip watched"),
    ("regulator", "zh-Hans", "上次的事处理好了，我已经把12315的投诉撤了", "withdrawn"),
    ("regulator", "zh-Hant", "上次差啲去消委會，好彩解決咗", "nearly went"),
    ("chargeback", "en", "Last time I had to file a PayPal dispute, but this order was perfect.", "last time"),
    ("regulator", "zh-Hans", "朋友让我打12315，我觉得没必要，补发就行", "a friend's advice, declined"),
]

# (class, language, kind, text): written to get past a keyword list
EVASIONS = [
    ("legal", "en", "zero-width", "I'm calling my la\u200bwyer"),
    ("legal", "en", "homoglyph", "my l\u0430wyer has the chat logs"),
    ("legal", "en", "spaced", "i will s u e you"),
    ("legal", "en", "full-width", "ＭＹ ＬＡＷＹＥＲ is reviewing this"),
    ("legal", "zh-Hans", "zero-width", "我要起\u200b诉你们"),
    ("legal", "zh-Hans", "spaced", "我 要 报 警"),
    ("regulator", "zh-Hans", "full-width", "我要打１２３１５投诉"),
    ("regulator", "zh-Hans", "homoglyph", "我要去\u2f2f商投诉"),  # the Kangxi radical ⼯ for 工
    ("legal", "zh-Hant", "zero-width", "我要去報\u200b警"),
    ("regulator", "zh-Hant", "spaced", "我要找 消 基 會"),
    ("regulator", "zh-Hant", "full-width", "明天打１９５０申訴"),
    ("regulator", "zh-Hant", "punctuation", "消.基.會 見"),
    ("media", "id", "zero-width", "saya vir\u200balkan toko ini"),
    ("legal", "id", "homoglyph", "gw lap\u043er p\u043elisi"),
    ("media", "id", "spaced", "saya v i r a l k a n"),
    ("regulator", "id", "full-width", "saya lapor ke ＹＬＫＩ"),
    ("media", "vi", "zero-width", "tôi sẽ bóc\u200b phốt shop"),
    ("legal", "vi", "homoglyph", "toi se ki\u0435n shop"),
    ("self_harm", "vi", "spaced", "tôi muốn t ự t ử"),
    ("legal", "vi", "full-width", "ＢÁＯ ＣÔＮＧ ＡＮ ngay"),
    ("legal", "en", "small-capitals", "my \u029f\u1d00\u1d21\u028f\u1d07\u0280 will contact you"),
    ("legal", "zh-Hans", "numerals", "再不退款我就打幺幺零"),
    ("legal", "en", "misspelt", "my laywer is on it"),
    ("legal", "en", "case look-alike", "I'm calling the poIice"),
    ("legal", "en", "lunate sigma", "see you in \u03f2ourt"),
    ("legal", "en", "stretched", "I will suuuuue you"),
    ("legal", "en", "stretched", "callll the police"),
    ("legal", "id", "stretched", "saya lapor polisiiiii"),
    ("self_harm", "en", "stretched", "I want to diiiie"),
]


@pytest.mark.parametrize(
    ("cls", "lang", "text"), POSITIVES, ids=[f"{c}-{lang}-{i}" for i, (c, lang, _) in enumerate(POSITIVES)]
)
def test_a_risk_is_found(engine: Engine, cls: str, lang: str, text: str) -> None:
    assert cls in found(engine, text), f"{lang}: {text!r} should raise {cls}"


@pytest.mark.parametrize(
    ("cls", "lang", "text", "why"),
    NEGATIVES,
    ids=[f"{c}-{lang}-{w}-{i}" for i, (c, lang, _, w) in enumerate(NEGATIVES)],
)
def test_a_hard_negative_raises_nothing(engine: Engine, cls: str, lang: str, text: str, why: str) -> None:
    got = found(engine, text)
    assert cls not in got and not got, f"{lang} ({why}): {text!r} raised {got}"


@pytest.mark.parametrize(
    ("cls", "lang", "kind", "text"), EVASIONS, ids=[f"{lang}-{k}-{i}" for i, (_, lang, k, _) in enumerate(EVASIONS)]
)
def test_an_evasion_is_found(engine: Engine, cls: str, lang: str, kind: str, text: str) -> None:
    assert cls in found(engine, text), f"{lang} ({kind}): {text!r} should raise {cls}"


def test_every_class_and_language_is_covered() -> None:
    classes = set(REASONS.values())
    languages = {"en", "zh-Hans", "zh-Hant", "id", "vi"}
    assert {(c, lang) for c, lang, _ in POSITIVES} == {(c, lang) for c in classes for lang in languages}
    assert {(c, lang) for c, lang, _, _ in NEGATIVES} == {(c, lang) for c in classes for lang in languages}
    assert {lang for _, lang, _, _ in EVASIONS} == languages


def test_an_item_name_is_no_threat(engine: Engine) -> None:
    assert found(engine, "the lawyer's choice shampoo leaked in the box", item="Lawyer's Choice Argan Shampoo") == set()
    text = "my lawyer's choice shampoo leaked, my lawyer will call you"
    assert found(engine, text, item="Lawyer's Choice Shampoo") == {"legal"}


def test_the_explanation_names_the_words_the_field_and_the_normalization(engine: Engine) -> None:
    text = "ok.\nmy l\u0430w\u200byer will call you"  # a Cyrillic а and a zero-width space, in the second message line
    case = make_case(messages=[{"author": "buyer", "at": "2026-11-05T09:30:00+08:00", "text": text}])
    explanation = engine.evaluate(case).explain()
    rule = next(r for p in explanation.policies for r in p.rules if r.rule_id == "legal-threat")
    assert rule.fired
    seen = next(k.seen for k in rule.condition.children if k.result and "legal_threat" in k.text)
    assert seen["after normalization"] == "'ok.\\nmy lawyer will call you'"
    assert "look-alike letters folded" in seen["normalization"]
    assert "invisible characters removed" in seen["normalization"]
    assert "'my lawyer' (en) in messages.customer_text_items_marked, message 2" in seen["matched words"]
    assert "'[my lawyer] will call you' counts" in seen["matched words"]
    rendered = explanation.render(only_matched=True)
    assert "rule legal-threat" in rendered and "matched words" in rendered


def test_the_explanation_says_why_an_occurrence_does_not_count(engine: Engine) -> None:
    case = make_case(messages=[{"author": "buyer", "at": "2026-11-05T09:30:00+08:00", "text": "我不会报警的"}])
    explanation = engine.evaluate(case).explain()
    rule = next(r for p in explanation.policies for r in p.rules if r.rule_id == "legal-threat")
    assert not rule.fired
    seen = next(k.seen for k in rule.condition.children if "police_report" in k.text)  # (报警: a police report)
    assert "does not count: negated ('不会')" in seen["matched words"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "I don't want to go to court over boots, but you're leaving me no choice.",
            """counts: negated ("don't"), but a compulsion follows ('leaving me no')""",
        ),
        ("我表哥做律師，佢話可以幫我發律師信畀你哋。", "counts: a third party ('佢话') acts for the writer ('帮我')"),
    ],
)
def test_the_explanation_says_which_scope_cue_a_rule_set_aside(engine: Engine, text: str, says: str) -> None:
    case = make_case(messages=[{"author": "buyer", "at": "2026-11-05T09:30:00+08:00", "text": text}])
    explanation = engine.evaluate(case).explain()
    rule = next(r for p in explanation.policies for r in p.rules if r.rule_id == "legal-threat")
    assert rule.fired
    seen = next(k.seen for k in rule.condition.children if "legal_threat" in k.text and "near" not in k.text)
    assert says in seen["matched words"]


# ----------------------------------------------------------------------------------------
# The bench's figures (bench/risk.py) on the dev set and on tests/risk/data/extra.jsonl
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dev", "extra", "fresh", "blind2", "legal2", "blind3", "blind4", "blind5"])
def test_the_bench_meets_the_targets(name: str) -> None:
    """fresh, blind2, legal2, blind3, blind4 and blind5 were written blind, then tuned on (docs/risk.md): they
    measure fit."""
    bench = _bench()
    started = time.process_time()
    engine = Engine(load_policies(ROOT / "rules"), clock=FixedClock(bench.AT), backend="python")
    messages = bench.read(name)
    classes = bench.caseflow_classes(engine)
    result = bench.score(messages, {m.id: classes(m.text) for m in messages})
    below = []
    for cls in bench.CLASSES:
        p_target, r_target = bench.TARGETS.get(cls, (bench.FLOOR, bench.FLOOR))
        s = result.per_class[cls]
        if s.precision is None and s.recall is None:
            continue  # no message of the class, none found (legal2 holds legal and none only)
        if (s.precision or 0) < p_target or (s.recall if s.recall is not None else 1) < r_target:
            below.append(f"{cls}: P {s.precision} R {s.recall}")
        for lang in bench.LANGUAGES:
            s = result.per_language[(lang, cls)]
            for what, x in (("P", s.precision), ("R", s.recall)):
                if x is not None and x < bench.FLOOR:
                    below.append(f"{cls}/{lang}: {what} {x:.2f}")
    assert not below, f"{name}: below the targets: {below}"
    assert time.process_time() - started < 20


# ----------------------------------------------------------------------------------------
# How sure the figures are, and what a change did (bench/risk.py sections 6 and 7)
# ----------------------------------------------------------------------------------------


def test_the_bench_gives_each_figure_its_interval() -> None:
    bench = _bench()
    assert bench.wilson(0, 0) is None
    lo, hi = bench.wilson(32, 35)  # the holdout's legal recall, 0.91 (docs/risk.md)
    assert (round(lo, 2), round(hi, 2)) == (0.78, 0.97)
    assert bench.wilson(10, 10) == (pytest.approx(0.7225, abs=1e-4), 1.0)
    legal = bench.TARGETS["legal"]
    assert bench.verdict(bench.Score(tp=30, fp=1, fn=0), *legal) == "met"
    assert bench.verdict(bench.Score(tp=30, fp=1, fn=3), *legal) == "noise"  # 0.95 lies inside [0.76, 0.97]
    assert bench.verdict(bench.Score(tp=300, fp=1, fn=30), *legal) == "below"  # the same 0.91, of ten times as many


@given(st.integers(1, 3000), st.data())
def test_an_interval_holds_its_figure(n: int, data: st.DataObject) -> None:
    bench = _bench()
    k = data.draw(st.integers(0, n))
    lo, hi = bench.wilson(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    assert (lo, hi) == pytest.approx((1 - bench.wilson(n - k, n)[1], 1 - bench.wilson(n - k, n)[0]))


def test_mcnemar_tells_a_change_from_chance() -> None:
    bench = _bench()
    assert bench.mcnemar(0, 0) == 1.0 and bench.mcnemar(6, 6) == 1.0
    assert bench.mcnemar(5, 0) == bench.mcnemar(0, 5) == 0.0625  # five fixed, none broken: could still be chance
    assert bench.mcnemar(12, 1) == pytest.approx(14 * 2 / 2**13)
    assert bench.mcnemar(3000, 10) < 1e-300  # thousands of messages: exact integers, no overflow


def test_the_bench_says_what_a_change_fixed_and_broke(tmp_path: Path) -> None:
    """``--against`` an earlier pack (here: one without the escalation policy) counts the messages fixed and broken
    per class, and with ``--misses`` lists the changed messages of that set."""
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "refunds.yaml").write_text((ROOT / "rules" / "refunds.yaml").read_text(encoding="utf-8"))
    lines = [
        {"id": "t-1", "lang": "en", "label": "legal", "text": "If you don't refund me I will sue"},
        {"id": "t-2", "lang": "zh-Hans", "label": "legal", "text": "我要起诉你们"},
        {"id": "t-3", "lang": "en", "label": "none", "text": "I'm not going to sue, just refund me"},
    ]
    (tmp_path / "tiny.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    args = ["--sets", "tiny", "--file", tmp_path / "tiny.jsonl", "--against", tmp_path / "old", "--misses", "tiny"]
    out = subprocess.run(
        [sys.executable, ROOT / "bench" / "risk.py", *map(str, args)], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in out.stdout.splitlines() if line.startswith("   tiny")}
    assert rows[("tiny", "legal")][-3:] == ["2", "0", "0.500"]  # section 7: fixed, broken, p
    assert "t-1            legal: none -> legal | If you don't refund me I will sue" in out.stdout
    assert "t-3" not in out.stdout.split("whose classes changed")[1].split("wrong answers")[0]
