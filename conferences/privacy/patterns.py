"""What the de-identification screening (`conferences.privacy.deidentify`) knows without a
dictionary: regular expressions with the checks that go with them (the My Number check
digit, phone number lengths, dates), and the word lists the Sudachi-based rules use.

Everything here works on the NFKC form of a text (full-width digits, letters, brackets and
the ideographic space already folded) and returns offsets into that form; `deidentify` maps
them back to the original characters.
"""

import re

# --- characters -----------------------------------------------------------------------------

# Hyphens people type between digits: ASCII, Unicode dashes, the minus sign, and the katakana
# prolonged sound mark that Japanese IMEs produce for "ー" in numbers.
DASH = r"[-‐‑‒–—―−ー]"
_SEP = rf"(?:\s?{DASH}\s?|\s)"  # between digit groups: one hyphen (spaces around it) or a space
_KANJI_DIGITS = "〇一二三四五六七八九十百"
KANJI_NUMBER = rf"[{_KANJI_DIGITS}]+"

# --- contact data ---------------------------------------------------------------------------

EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)

_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
URL = re.compile(
    rf"(?:https?://|(?<![A-Za-z0-9.@])www\.){_URL_CHARS}+"
    # a bare domain name with a path or a common top-level domain
    rf"|(?<![A-Za-z0-9_.@/-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:jp|com|net|org|info|io|me)"
    rf"(?:/{_URL_CHARS}*)?(?![A-Za-z0-9_@])",
    re.IGNORECASE,
)
URL_TRAILING = ".,;:!?)]'"

PHONE = re.compile(
    r"(?<![\d+])(?:"
    # international form of a Japanese number: +81 then the number without its leading 0
    rf"\+81{_SEP}?(?:\(0\)\s?)?\d{{1,4}}{_SEP}\d{{1,4}}{_SEP}\d{{4}}"
    # area code in brackets: (03)1234-5678, (078) 912 3456
    rf"|\(0\d{{1,4}}\)\s?\d{{1,4}}{_SEP}?\d{{4}}"
    # local part in brackets: 03(1234)5678, 078（912）3456
    r"|0\d{1,4}\s?\(\d{1,4}\)\s?\d{4}"
    # separated groups: 090-1234-5678, 078 912 3456, 0120-123-456
    rf"|0\d{{1,4}}{_SEP}\d{{1,4}}{_SEP}\d{{3,4}}"
    # one run of digits: 09012345678, 0789123456
    r"|0\d{9,10}"
    r")(?!\d)"
)
# A subscriber number without its area code counts only right after a word for telephone.
PHONE_LOCAL = re.compile(
    r"(?:電話|でんわ|TEL|Tel|tel|携帯|ケータイ|スマホ|連絡先|FAX|Fax|ファックス)"
    rf"[^\d。\n]{{0,6}}?(?<!\d)(\d{{2,4}}{_SEP}\d{{4}})(?!\d)"
)

POSTAL_MARKED = re.compile(rf"〒\s?\d{{3}}(?:{_SEP})?\d{{4}}(?!\d)")
POSTAL_BARE = re.compile(
    rf"(?<![\d.\-/])\d{{3}}{DASH}\d{{4}}(?![\d\-/])|(?<![\d.\-/])\d{{7}}(?!\d)"
)
# Words announcing a postal code, looked for a few characters before a bare one.
POSTAL_CUE = re.compile(r"(?:郵便番号|〒|住所|所在地|送付先|宛先|あて先|転居先)[^。\n]{0,6}$")

MY_NUMBER = re.compile(
    r"(?<![\d\-])\d{4}(?:\s?[-‐−]\s?|\s)?\d{4}(?:\s?[-‐−]\s?|\s)?\d{4}(?![\d\-])"
)

# --- dates of birth ---------------------------------------------------------------------------

_ERA = r"(?:明治|大正|昭和|平成|令和|[MTSHRmtshr]\.?)"
_NUM = rf"(?:\d{{1,2}}|[{_KANJI_DIGITS}]{{1,3}})"
_YEAR = rf"(?:(?:19|20)\d{{2}}|'?\d{{2}}|{_ERA}\s?(?:{_NUM}|元))"
DATE = re.compile(
    # 1998年4月3日, 平成10年4月3日, 平成元年1月30日, 平成二十年四月三日
    rf"{_YEAR}\s?年\s?{_NUM}\s?月\s?{_NUM}\s?日"
    # 1998/4/3, 1998-04-03, 1995.2.28, H12.7.21, S63/4/3
    rf"|(?<![\d/.])(?:(?:19|20)\d{{2}}|{_ERA}\d{{1,2}})([/.\-])\d{{1,2}}\1\d{{1,2}}(?![\d/.])"
    # 4月3日: a date of birth only with a cue before it (誕生日は4月3日)
    rf"|(?<![年\d]){_NUM}\s?月\s?{_NUM}\s?日"
)
# After the date: 生まれ, 生, 出生, 誕生 (but not 生活, 生徒, 生じた …).
BIRTH_AFTER = re.compile(
    r"\s?[)）]?\s?(?:に|で)?\s?(?:生まれ|うまれ|出生|誕生(?!会)|生(?:れ)?(?![一-龥ぁ-んァ-ヶ])|生の)"
)
# Before the date, in the same clause: 生年月日：, 誕生日は, 出生日 …
BIRTH_BEFORE = re.compile(
    r"(?:生年月日|誕生日|出生日|生まれ日|生日|D\.?O\.?B|birth)[^。、\n]{0,8}$", re.IGNORECASE
)

# --- addresses --------------------------------------------------------------------------------

_N = rf"(?:\d+|{KANJI_NUMBER})"
ADDRESS_NUMBER = re.compile(
    rf"{_N}\s?丁目(?:\s?(?:\d+\s?番地?(?:\s?の\s?\d+)?|\d+(?:{DASH}\d+){{0,2}}))?(?:\s?\d+\s?号)?"
    rf"|\d+\s?番地(?:\s?の\s?\d+)?(?:\s?\d+\s?号)?"
    rf"|\d+\s?番\s?\d+\s?号"
    rf"|\d+\s?番(?=[\s)）、。]|$)"
    r"|\d+\s?号室"
)
# Block-lot-house numbers (1-2-3, 12-3) count only right after a town name.
# How the name of a town (or a part of one) ends: 〜町, 〜台, 〜丁目, 〜条, 〜島 …
TOWN_ENDINGS = ("町", "村", "台", "丘", "目", "条", "通", "島", "浜")
ADDRESS_HYPHENATED = re.compile(
    rf"(?<![A-Za-z\d.])\d{{1,4}}(?:{DASH}\d{{1,4}}){{1,3}}(?![\d{DASH}])"
)
# After an address: a building with a room number (コーポ若葉102, ハイツ白鷺 201号室).
ADDRESS_BUILDING = re.compile(r"\s?[ァ-ヶーA-Za-z一-龥々]{2,14}\s?\d{1,4}(?:号室|号)?(?!\d)")

# --- names and places -------------------------------------------------------------------------

# After a person's name. A family name with one of these is a person even where Sudachi
# could also read a place.
HONORIFICS = frozenset(
    {"さん", "様", "さま", "氏", "君", "くん", "ちゃん", "殿", "どの", "たち", "ら"}
)
PERSON_TITLES = frozenset(
    {
        "先生", "先輩", "医師", "保健師", "看護師", "課長", "係長", "部長", "主任", "所長",
        "院長", "社長", "店長", "校長", "教頭", "教諭", "相談員", "支援員", "ケースワーカー",
        "ワーカー", "委員", "議員", "巡査", "弁護士", "心理士", "主治医", "担任",
    }
)  # fmt: skip

# Words that are not personal data even when Sudachi cuts them oddly (保健師さん is read as
# 保 + 健師 + さん, 健師 being a given name): spans inside them are never flagged.
PROFESSIONS = (
    "精神保健福祉士", "保健師", "看護師", "臨床心理士", "公認心理師", "社会福祉士", "介護福祉士",
    "作業療法士", "理学療法士", "言語聴覚士", "精神科医", "医師", "薬剤師", "栄養士", "弁護士",
    "司法書士", "行政書士", "民生委員", "児童委員", "主任児童委員", "相談支援専門員",
    "介護支援専門員", "ケアマネジャー", "ケアマネージャー", "ケースワーカー",
    "スクールカウンセラー", "スクールソーシャルワーカー", "ピアサポーター",
    "キャリアコンサルタント", "保育士", "教諭",
)  # fmt: skip

# Pseudonyms used on purpose (Aさん, B氏, X君): one or two Latin letters.
PSEUDONYM = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]{1,2}")

# Sudachi dictionary forms after に that make a family-name-only token a place: 魚住に住む.
LOCATIVE_VERBS = frozenset(
    {
        "住む", "暮らす", "住まう", "在住", "居住", "転居", "引っ越す", "引越す", "移る", "移住",
        "ある", "いる", "居る", "身", "通う", "通学", "通勤", "戻る", "帰る", "行く", "向かう",
        "滞在", "帰省", "出かける", "出掛ける", "立ち寄る", "寄る", "残る", "泊まる", "宿泊",
    }
)  # fmt: skip
LOCATIVE_PARTICLES = frozenset({"で", "へ", "まで"})

# A token or word ending like this names a place when a proper word stands before it:
# 東雲中学校, みどり野団地, 白鷺駅, 桜坂公園.
PLACE_SUFFIXES = (
    "駅", "団地", "公園", "小学校", "中学校", "高校", "高等学校", "学園", "幼稚園", "保育園",
    "保育所", "地区", "町", "村", "丁目", "台", "丘", "ヶ丘", "が丘", "ケ丘", "ニュータウン",
)  # fmt: skip
PLACE_SUFFIX_SET = frozenset(PLACE_SUFFIXES)

# Words before a place suffix that make it a kind of place, not a named one (市立中学校,
# 最寄り駅, 運動公園, 県営団地).
GENERIC_PLACE_STEMS = frozenset(
    {
        "市立", "県立", "府立", "都立", "道立", "町立", "村立", "区立", "国立", "公立", "私立",
        "附属", "付属", "地元", "近所", "近く", "近隣", "周辺", "隣", "隣接", "最寄り", "最寄",
        "同", "同じ", "当該", "当", "各", "別", "他", "元", "前", "旧", "新", "母校", "出身",
        "在籍", "通信制", "定時制", "全日制", "単位制", "特別支援", "夜間", "普通", "工業",
        "商業", "農業", "進学", "市営", "県営", "府営", "都営", "公営", "住宅", "大型",
        "自然", "運動", "児童", "森林", "都市", "総合", "市民", "県民", "中央", "地域", "地方",
        "郊外", "田舎", "城下", "門前", "港", "下", "次", "終点", "始発", "主要", "無人",
        "急行", "快速", "校区", "学区", "担当", "居住", "対象", "該当", "一部", "全", "山間",
        "中学", "小学", "高等", "高", "中", "小", "保育", "幼稚", "自宅", "実家", "本人",
        "住所", "現住所", "転居先", "送付先", "所在地", "本籍", "番地", "県", "市", "区", "郡",
        "立",
    }
)  # fmt: skip

PREFECTURES = (
    "北海道", "青森", "岩手", "宮城", "秋田", "山形", "福島", "茨城", "栃木", "群馬", "埼玉",
    "千葉", "東京", "神奈川", "新潟", "富山", "石川", "福井", "山梨", "長野", "岐阜", "静岡",
    "愛知", "三重", "滋賀", "京都", "大阪", "兵庫", "奈良", "和歌山", "鳥取", "島根", "岡山",
    "広島", "山口", "徳島", "香川", "愛媛", "高知", "福岡", "佐賀", "長崎", "熊本", "大分",
    "宮崎", "鹿児島", "沖縄",
)  # fmt: skip
PREFECTURE_FULL = re.compile(
    "(?:北海道|東京都|(?:京都|大阪)府|(?:"
    + "|".join(p for p in PREFECTURES if p not in ("北海道", "東京", "京都", "大阪"))
    + ")県)"
)

# Areas coarser than any municipality: never flagged.
LARGE_AREAS = frozenset(
    {
        "日本", "全国", "海外", "本州", "北海道", "東北", "関東", "北関東", "南関東", "首都圏",
        "甲信越", "信越", "北陸", "東海", "中部", "中京", "近畿", "関西", "京阪神", "阪神",
        "中国", "山陰", "山陽", "四国", "九州", "沖縄", "東日本", "西日本", "南九州", "北九州地方",
        "東北地方", "関東地方", "中部地方", "近畿地方", "関西地方", "中国地方", "四国地方",
        "九州地方", "北陸地方", "東海地方", "甲信越地方",
    }
)  # fmt: skip

MUNICIPALITY_SUFFIX = re.compile(r"(?<=..)(?:市|町|村|区)$")


# --- detectors that need no dictionary ---------------------------------------------------------


def find_contacts(norm: str) -> list[tuple[int, int, str]]:
    """E-mail addresses, URLs, My Numbers, phone numbers and 〒 postal codes in an NFKC text,
    as (start, end, category); overlaps are left to the caller."""
    found = [(m.start(), m.end(), "email") for m in EMAIL.finditer(norm)]
    for m in URL.finditer(norm):
        start, end = m.start(), m.end()
        while end > start and norm[end - 1] in URL_TRAILING:
            if norm[end - 1] == ")" and norm.count("(", start, end) >= norm.count(")", start, end):
                break  # a bracket that belongs to the URL
            end -= 1
        if "@" not in norm[start:end] or "/" in norm[start:end]:  # else an e-mail's domain
            found.append((start, end, "url"))
    for m in MY_NUMBER.finditer(norm):
        if valid_my_number(re.sub(r"\D", "", m.group())):
            found.append((m.start(), m.end(), "my_number"))
    found += [(m.start(), m.end(), "phone") for m in PHONE.finditer(norm) if plausible_phone(m[0])]
    found += [(m.start(1), m.end(1), "phone") for m in PHONE_LOCAL.finditer(norm)]
    found += [(m.start(), m.end(), "postal_code") for m in POSTAL_MARKED.finditer(norm)]
    return found


def find_birth_dates(norm: str) -> list[tuple[int, int]]:
    """Dates with a birth cue right after them (生まれ, 生) or just before (生年月日：)."""
    found = []
    for m in DATE.finditer(norm):
        after = BIRTH_AFTER.match(norm, m.end(), m.end() + 8)
        before = BIRTH_BEFORE.search(norm, max(0, m.start() - 14), m.start())
        if (after or before) and plausible_date(m.group()):
            found.append((m.start(), m.end()))
    return found


def valid_my_number(digits: str) -> bool:
    """The check digit of an individual number (マイナンバー), per the ordinance: weights
    2..7 then 2..6 on the other eleven digits from the right, remainder mod 11."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    total = sum(int(digits[11 - n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    remainder = total % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


def plausible_phone(number: str) -> bool:
    """Ten digits from 0 (landlines, 0120), or eleven for mobiles, IP phones and 0800."""
    digits = re.sub(r"\D", "", number)
    if number.startswith("+81"):
        digits = "0" + digits[2:].removeprefix("0")
    if len(digits) == 10:
        return digits.startswith("0") and not digits.startswith("00")
    return len(digits) == 11 and (digits[:3] in _ELEVEN_DIGIT_PREFIXES or digits[:4] == "0800")


_ELEVEN_DIGIT_PREFIXES = frozenset({"050", "060", "070", "080", "090"})


def plausible_date(text: str) -> bool:
    """Month 1-12 and day 1-31 where written in digits (kanji numerals are taken as written)."""
    month_day = re.search(r"(\d+)\s?月\s?(\d+)", text)
    if month_day:
        month, day = int(month_day[1]), int(month_day[2])
    elif "月" in text:
        return True
    else:
        numbers = re.findall(r"\d+", text)
        if len(numbers) < 2:
            return True
        month, day = int(numbers[-2]), int(numbers[-1])
    return 1 <= month <= 12 and 1 <= day <= 31
