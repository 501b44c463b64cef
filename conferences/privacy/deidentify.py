"""De-identification screening of case texts (DOMAIN.md "De-identification screening").

`screen(fields, context)` returns the personal data found in free-text fields, like a
linter: field, start, end (Python `str` offsets into the text as given, end exclusive),
category and a masked excerpt. It looks for person names and place names finer than the
municipality (Sudachi's 人名 and 地名 readings plus suffix rules such as 〜町, 〜駅, 〜中学校),
addresses, phone numbers, e-mail addresses, postal codes, My Numbers (12 digits with a valid
check digit), dates of birth, URLs, and the terms a network forbids (compared as keyed hashes,
so the list is never held in clear). It also refuses hidden characters (bidirectional
overrides and isolates, zero-width characters, the byte-order mark), which would make a text
read differently from what it holds and can split a name so that nothing above finds it.

Regular expressions run on an NFKC form of the text (full-width digits and letters folded);
every offset is mapped back to the original characters. Sudachi's dictionary is loaded once
per process on first use; each thread gets its own tokenizer because a Sudachi tokenizer
must not be used by two threads at once.

The screening is a safety net, not a guarantee: it finds what looks like personal data and
leaves the judgement to the writer and the coordinator (allowed terms).
"""

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from conferences.privacy import patterns as P

CATEGORIES = (
    "person_name",
    "place_name",
    "address",
    "phone",
    "email",
    "postal_code",
    "my_number",
    "birth_date",
    "url",
    "forbidden_term",
)

# Hidden characters are a finding of their own, not personal data: they are reported with
# the same shape (field, start, end) but have no recall to measure and no allowed terms.
HIDDEN_CHARACTER = "hidden_character"

# Bidirectional embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069), which
# reorder what a reader sees ("Trojan Source"); zero-width space, non-joiner and joiner,
# left-to-right and right-to-left marks (U+200B-U+200F), the word joiner (U+2060) and the
# zero-width no-break space / byte-order mark (U+FEFF), which are invisible. A run of them is
# one finding.
HIDDEN_CHARACTERS = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]+")

# What an excerpt shows instead of the matched text.
PLACEHOLDERS = {
    "person_name": "〔人名〕",
    "place_name": "〔地名〕",
    "address": "〔住所〕",
    "phone": "〔電話番号〕",
    "email": "〔メール〕",
    "postal_code": "〔郵便番号〕",
    "my_number": "〔個人番号〕",
    "birth_date": "〔生年月日〕",
    "url": "〔URL〕",
    "forbidden_term": "〔禁止語〕",
    HIDDEN_CHARACTER: "〔不可視文字〕",
}
EXCERPT_WIDTH = 8  # characters of context kept on each side of a finding

# When findings overlap, the more specific pattern keeps the characters; the other keeps
# what is left of it (a person name next to a forbidden nickname stays flagged).
_RANK = {
    "email": 0,
    "url": 1,
    "my_number": 2,
    "phone": 3,
    "postal_code": 4,
    "birth_date": 5,
    "address": 6,
    "forbidden_term": 7,
    "person_name": 8,
    "place_name": 8,
}
_NGRAM = 3  # forbidden terms: every run of up to this many tokens is hashed
_CHUNK = 4000  # characters per Sudachi call (Sudachi refuses very long inputs)


@dataclass(frozen=True)
class Finding:
    field: str
    start: int
    end: int
    category: str
    excerpt: str


@dataclass(frozen=True)
class ScreeningContext:
    """What a network adds to the screening.

    `municipality` (e.g. "明石市") is never flagged, nor a prefecture written with it;
    `allowed_terms` are normalised terms (see `normalise_term`) a coordinator accepted as
    false positives; `known_names` are registered agency names; `forbidden_hashes` are
    `hash_term(normalise_term(term))` of the network's forbidden terms. An allowed term
    never silences a forbidden one.
    """

    municipality: str = ""
    allowed_terms: frozenset[str] = frozenset()
    known_names: frozenset[str] = frozenset()
    forbidden_hashes: frozenset[str] = frozenset()
    hash_term: Callable[[str], str] | None = None


def normalise_term(term: str) -> str:
    """NFKC, without any whitespace, case-folded: the form allowed terms are kept in and
    forbidden terms are hashed in."""
    return "".join(unicodedata.normalize("NFKC", term).split()).casefold()


def screen(
    fields: Mapping[str, str], context: ScreeningContext = ScreeningContext()
) -> list[Finding]:
    """Findings in every field, in the fields' order, then by position.

    Offsets are in the characters of the text as given (NFKC is only used internally).
    An excerpt never contains its finding's text, and other findings near it are masked
    too. Hidden characters are reported (`hidden_character`) wherever they stand, inside
    another finding too, and no allowed term silences them. `context.hash_term` is called
    once per distinct candidate (a few thousand for a 2,000-character case), so it should
    be cheap: derive its key once, not per call.
    """
    rules = _Rules.of(context)
    findings = []
    for name, text in fields.items():
        if not text:
            continue
        spans = _screen_text(text, rules)
        spans = sorted(spans + _hidden_characters(text), key=lambda c: (c[0], c[1]))
        for start, end, category in spans:
            excerpt = _excerpt(text, start, end, spans)
            findings.append(Finding(name, start, end, category, excerpt))
    return findings


def mask(text: str, start: int = 0, end: int | None = None, category: str | None = None) -> str:
    """The excerpt of `text` around `text[start:end]`: up to EXCERPT_WIDTH characters on each
    side, the span itself replaced by the category's placeholder (〔人名〕) or, without a
    category, by ● for each character. With only `text`, the whole text is masked.
    The result never contains the masked span's text."""
    end = len(text) if end is None else end
    return _excerpt(text, start, end, [(start, end, category)])


# --- Sudachi ----------------------------------------------------------------------------------

_dictionary = None
_dictionary_lock = threading.Lock()
_local = threading.local()


def _sudachi():
    """The dictionary (loaded once per process) and this thread's tokenizers."""
    global _dictionary
    tokenizers = getattr(_local, "tokenizers", None)
    if tokenizers is not None:
        return tokenizers
    if _dictionary is None:
        with _dictionary_lock:  # two first requests at once must not load it twice
            if _dictionary is None:
                from sudachipy import Dictionary

                _dictionary = Dictionary()
    from sudachipy import SplitMode

    # SudachiPy 0.7 renamed create() to tokenizer(); 0.6 has only create().
    make = getattr(_dictionary, "tokenizer", None) or _dictionary.create
    _local.tokenizers = (make(mode=SplitMode.C), SplitMode.A)
    return _local.tokenizers


def warm_up() -> None:
    """Load the dictionary now rather than on the first screening (a process's startup)."""
    _tokens("山田さん")


@dataclass(slots=True)
class _Token:
    begin: int
    end: int
    surface: str
    pos: tuple
    oov: bool
    morpheme: object = field(repr=False)

    @property
    def name_kind(self) -> str | None:  # 姓, 名, 一般 for 人名 readings
        return self.pos[3] if self.pos[2] == "人名" else None

    @property
    def is_place(self) -> bool:
        return self.pos[2] == "地名"

    @property
    def is_space(self) -> bool:
        return self.pos[0] == "空白" or self.surface.isspace()

    @property
    def is_number(self) -> bool:
        return self.pos[1] == "数詞"

    @property
    def is_nominal(self) -> bool:
        return self.pos[0] in ("名詞", "接頭辞", "接尾辞") and not self.is_number


def _tokens(text: str) -> list[_Token]:
    tokenizer, _mode_a = _sudachi()
    tokens = []
    for offset, chunk in _chunks(text):
        for m in tokenizer.tokenize(chunk):
            tokens.append(
                _Token(
                    offset + m.begin(),
                    offset + m.end(),
                    m.surface(),
                    m.part_of_speech(),
                    m.is_oov(),
                    m,
                )
            )
    return tokens


def _chunks(text: str) -> Iterable[tuple[int, str]]:
    """Pieces of at most _CHUNK characters, cut after a line break or 。 where possible."""
    start = 0
    while len(text) - start > _CHUNK:
        cut = max(text.rfind("\n", start, start + _CHUNK), text.rfind("。", start, start + _CHUNK))
        cut = cut + 1 if cut > start else start + _CHUNK
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def _sub_tokens(token: _Token) -> list[tuple[int, int]]:
    """The token's short units (Sudachi mode A) as (begin, end), or the token itself."""
    _tokenizer, mode_a = _sudachi()
    parts = token.morpheme.split(mode_a)
    if len(parts) <= 1:
        return [(token.begin, token.end)]
    shift = token.begin - parts[0].begin()
    return [(shift + p.begin(), shift + p.end()) for p in parts]


# --- the network's rules ----------------------------------------------------------------------


@dataclass
class _Rules:
    context: ScreeningContext
    municipality: str  # NFKC, e.g. 明石市
    municipality_base: str  # without 市/町/村/区, e.g. 明石
    protected: tuple[str, ...]  # NFKC texts never flagged: municipality, agencies, professions
    allowed: frozenset[str]

    @classmethod
    def of(cls, context: ScreeningContext) -> "_Rules":
        municipality = unicodedata.normalize("NFKC", context.municipality).strip()
        municipality = P.PREFECTURE_FULL.sub("", municipality, count=1) or municipality
        base = P.MUNICIPALITY_SUFFIX.sub("", municipality)
        names = {unicodedata.normalize("NFKC", n).strip() for n in context.known_names}
        protected = {n for n in names if n} | set(P.PROFESSIONS)
        protected |= {m for m in (municipality, base) if m}
        return cls(
            context=context,
            municipality=municipality,
            municipality_base=base,
            protected=tuple(sorted(protected, key=len, reverse=True)),
            allowed=frozenset(context.allowed_terms),
        )

    def is_municipality(self, text: str) -> bool:
        return bool(self.municipality) and text in (self.municipality, self.municipality_base)

    def coarse_prefix(self, text: str) -> int:
        """Length of the leading prefecture and/or own municipality in a place name."""
        cut = 0
        match = P.PREFECTURE_FULL.match(text)
        if match:
            cut = match.end()
        for name in (self.municipality, self.municipality_base):
            if name and text.startswith(name, cut):
                cut += len(name)
                break
        return cut

    def is_coarse(self, text: str) -> bool:
        """The whole text names the municipality or an area at least as large (兵庫県明石市,
        関西, 東京)."""
        rest = text[self.coarse_prefix(text) :]
        return not rest or rest in P.LARGE_AREAS or rest in P.PREFECTURES


# --- one text ---------------------------------------------------------------------------------


class _Text:
    """A text, its NFKC form with a map back to the original, and its Sudachi tokens."""

    def __init__(self, text: str):
        self.text = text
        pieces, origin = [], []
        for i, char in enumerate(text):
            folded = unicodedata.normalize("NFKC", char) if ord(char) > 0x7F else char
            pieces.append(folded)
            origin.extend([i] * len(folded))
        self.norm = "".join(pieces)
        self.origin = origin
        self.tokens = _tokens(text)
        self.by_begin = {t.begin: i for i, t in enumerate(self.tokens)}
        self.by_end = {t.end: i for i, t in enumerate(self.tokens)}

    def span(self, nstart: int, nend: int) -> tuple[int, int]:
        """Original offsets of a span of the NFKC form."""
        return self.origin[nstart], self.origin[nend - 1] + 1

    def norm_index(self, original: int) -> int:
        """First NFKC position at or after an original offset."""
        lo, hi = 0, len(self.origin)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.origin[mid] < original:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def token_at(self, offset: int, skip_space: bool = True) -> _Token | None:
        i = self.by_begin.get(offset)
        if i is None:
            return None
        token = self.tokens[i]
        if skip_space and token.is_space and i + 1 < len(self.tokens):
            return self.tokens[i + 1]
        return token

    def next_token(self, i: int, skip_space: bool = False) -> _Token | None:
        i += 1
        while i < len(self.tokens):
            if not (skip_space and self.tokens[i].is_space):
                return self.tokens[i]
            i += 1
        return None


def _screen_text(text: str, rules: _Rules) -> list[tuple[int, int, str]]:
    doc = _Text(text)
    candidates = []
    candidates += _contacts(doc)
    candidates += _addresses(doc, rules)
    candidates += _person_names(doc, rules)
    candidates += _place_names(doc, rules)
    candidates += _forbidden_terms(doc, rules)
    candidates = _drop_accepted(doc, rules, candidates)
    return _resolve_overlaps(text, candidates)


def _hidden_characters(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), HIDDEN_CHARACTER) for m in HIDDEN_CHARACTERS.finditer(text)]


# --- contact data, numbers, dates -------------------------------------------------------------


def _contacts(doc: _Text) -> list[tuple[int, int, str]]:
    found = [(*doc.span(s, e), category) for s, e, category in P.find_contacts(doc.norm)]
    found += [(*doc.span(s, e), "birth_date") for s, e in P.find_birth_dates(doc.norm)]
    for m in P.POSTAL_BARE.finditer(doc.norm):
        if _postal_context(doc, m):
            found.append((*doc.span(m.start(), m.end()), "postal_code"))
    return found


def _postal_context(doc: _Text, m: re.Match) -> bool:
    """A bare NNN-NNNN or NNNNNNN is a postal code after 郵便番号 (or 住所 …) or, with its
    hyphen, right before an address (a prefecture or a place name)."""
    if P.POSTAL_CUE.search(doc.norm, max(0, m.start() - 12), m.start()):
        return True
    if m.group().isdigit():
        return False  # seven digits in a row need the cue
    if P.PREFECTURE_FULL.match(doc.norm[m.end() : m.end() + 8].lstrip()):
        return True
    after = doc.token_at(doc.span(m.end() - 1, m.end())[1])
    return after is not None and (after.is_place or after.pos[1] == "固有名詞")


# --- addresses --------------------------------------------------------------------------------


def _addresses(doc: _Text, rules: _Rules) -> list[tuple[int, int, str]]:
    norm, found = doc.norm, []
    for m in P.ADDRESS_NUMBER.finditer(norm):
        start, end = doc.span(m.start(), m.end())
        stem = _town_before(doc, rules, start)
        if stem is None and "番" in m.group() and "番地" not in m.group() and "号" not in m.group():
            continue  # a bare "10番" needs a town before it
        found.append(_with_building(doc, stem if stem is not None else start, end))
    for m in P.ADDRESS_HYPHENATED.finditer(norm):
        start, end = doc.span(m.start(), m.end())
        stem = _town_before(doc, rules, start, strict=True)
        if stem is not None:
            found.append(_with_building(doc, stem, end))
    return found


def _town_before(doc: _Text, rules: _Rules, start: int, strict: bool = False) -> int | None:
    """Where the town name right before an address number starts, or None if there is none.
    Strict (for bare 1-2-3 numbers): some word of it must be a place, a proper noun or end
    like a town (風見町東潮見 456-7, 若葉台 3-14-2), the town mark not always next to the number."""
    end = start
    if end > 0 and doc.text[end - 1] in " \u3000":
        end -= 1
    i = doc.by_end.get(end)
    if i is None:
        return None
    begin, words = None, []
    for _ in range(4):
        token = doc.tokens[i]
        if not token.is_nominal or token.surface in P.GENERIC_PLACE_STEMS:
            break
        cut = token.begin + rules.coarse_prefix(token.surface)
        if rules.is_coarse(token.surface) or cut >= token.end:
            break
        begin = cut
        words.append(token)
        if cut > token.begin or i == 0:
            break
        i -= 1
    if strict and not any(
        t.is_place or t.pos[1] == "固有名詞" or t.surface.endswith(P.TOWN_ENDINGS) for t in words
    ):
        return None
    return begin


def _with_building(doc: _Text, start: int, end: int) -> tuple[int, int, str]:
    """Extend an address over a following building name and room number."""
    nend = doc.norm_index(end)
    m = P.ADDRESS_BUILDING.match(doc.norm, nend)
    if m and re.search(r"\d", m.group()):
        end = doc.span(m.start(), m.end())[1]
    return start, end, "address"


# --- names and places -------------------------------------------------------------------------


def _person_names(doc: _Text, rules: _Rules) -> list[tuple[int, int, str]]:
    tokens, found = doc.tokens, []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.name_kind
        if kind is None or P.PSEUDONYM.fullmatch(token.surface):
            if _unknown_name_with_honorific(doc, i):
                found.append((token.begin, token.end, "person_name"))
            i += 1
            continue
        # a family name with its given name, possibly written with a space between
        last = i
        if kind == "姓":
            j = i + 1
            if j < len(tokens) and tokens[j].is_space and tokens[j].end - tokens[j].begin <= 1:
                j += 1
            if j < len(tokens) and tokens[j].name_kind in ("名", "一般"):
                last = j
        # a name Sudachi cut short before its honorific: ゆう|と|くん is ゆうと + くん
        for k in (last + 1, last + 2):
            if k + 1 < len(tokens) and tokens[k + 1].surface in P.HONORIFICS:
                run = tokens[last + 1 : k + 1]
                if all(_is_short_kana(t.surface) and t.surface not in P.HONORIFICS for t in run):
                    last = k
                break
        after = doc.next_token(last)
        cue = after is not None and (
            after.surface in P.HONORIFICS or after.surface in P.PERSON_TITLES
        )
        category = "person_name"
        if last == i:
            if kind == "姓" and not cue:
                if _used_as_place(doc, last) or (after and after.surface in P.PLACE_SUFFIX_SET):
                    category = "place_name"
            elif kind != "姓" and not cue and len(token.surface) < 2:
                i += 1
                continue  # a lone one-character given name (誠, 翔) is mostly a word
        found.append((token.begin, tokens[last].end, category))
        i = last + 1
    return found


def _is_short_kana(text: str) -> bool:
    return len(text) <= 2 and re.fullmatch(r"[ぁ-んァ-ヶー]+", text) is not None


def _unknown_name_with_honorific(doc: _Text, i: int) -> bool:
    """A word the dictionary does not know, right before さん/氏/様/君/ちゃん."""
    token = doc.tokens[i]
    if not token.oov or token.is_number or P.PSEUDONYM.fullmatch(token.surface):
        return False
    if not token.surface.isalpha():
        return False
    after = doc.next_token(i)
    return after is not None and after.surface in P.HONORIFICS - {"ら", "たち"}


def _used_as_place(doc: _Text, i: int) -> bool:
    """A family-name-only token used as a location: 魚住に住む, 小林で育った."""
    particle = doc.next_token(i)
    if particle is None or particle.pos[0] != "助詞":
        return False
    if particle.surface in P.LOCATIVE_PARTICLES:
        return True
    if particle.surface != "に":
        return False
    # the verb governing "に" comes after any adverbs: 魚住に一時的に身を寄せる
    for token in doc.tokens[i + 2 : i + 7]:
        if token.pos[0] == "補助記号":
            break
        if (
            token.surface in P.LOCATIVE_VERBS
            or token.morpheme.dictionary_form() in P.LOCATIVE_VERBS
        ):
            return True
    return False


def _place_names(doc: _Text, rules: _Rules) -> list[tuple[int, int, str]]:
    tokens, found = doc.tokens, []
    for i, token in enumerate(tokens):
        if token.is_place:
            if token.pos[3] == "国":
                continue
            start = token.begin + rules.coarse_prefix(token.surface)
            rest = doc.text[start : token.end]
            if rules.is_coarse(unicodedata.normalize("NFKC", rest)):
                continue
            end = _extend_over_suffixes(doc, i)
            if start == token.begin and i > 0 and tokens[i - 1].surface in ("東", "西", "南", "北"):
                start = tokens[i - 1].begin  # 東 + 雲台: one name cut in two
            found.append((start, end, "place_name"))
        elif token.pos[1] == "固有名詞" and token.pos[2] == "一般":
            surface = unicodedata.normalize("NFKC", token.surface)
            for suffix in P.PLACE_SUFFIXES:
                stem = surface.removesuffix(suffix)
                if stem != surface and stem and not rules.is_coarse(stem):
                    found.append((token.begin, token.end, "place_name"))  # 西明石駅
                    break
        elif token.surface in P.PLACE_SUFFIX_SET and token.pos[0] in ("名詞", "接尾辞"):
            start = _place_stem(doc, rules, i)
            if start is not None:
                found.append((start, _extend_over_suffixes(doc, i), "place_name"))
    return found


def _extend_over_suffixes(doc: _Text, i: int) -> int:
    end = doc.tokens[i].end
    for token in doc.tokens[i + 1 : i + 3]:
        if token.surface not in P.PLACE_SUFFIX_SET:
            break
        end = token.end
    return end


def _place_stem(doc: _Text, rules: _Rules, i: int) -> int | None:
    """Start of the proper name before a place suffix (東雲|中学校, みどり野|団地)."""
    begin = None
    for j in range(i - 1, max(i - 4, -1), -1):
        token = doc.tokens[j]
        surface = token.surface
        if not token.is_nominal or token.is_space or surface in P.GENERIC_PLACE_STEMS:
            break
        folded = unicodedata.normalize("NFKC", surface)
        if rules.is_coarse(folded):
            break
        if cut := rules.coarse_prefix(folded):  # 明石市大蔵|町: the name starts after 明石市
            begin = token.begin + cut
            break
        if token.pos[1] == "普通名詞" and re.fullmatch(r"[ァ-ヶー・]+", surface):
            break  # a loanword (ターミナル駅) names a kind of place
        if token.pos[1] == "普通名詞" and token.pos[2] in ("副詞可能", "助数詞可能", "形状詞可能"):
            break
        begin = token.begin
    return begin


# --- forbidden terms --------------------------------------------------------------------------


def _forbidden_terms(doc: _Text, rules: _Rules) -> list[tuple[int, int, str]]:
    """Every token and run of up to _NGRAM tokens (long and short units both), normalised
    and hashed with the network's key, compared with the forbidden hashes."""
    context = rules.context
    if not context.forbidden_hashes or context.hash_term is None:
        return []
    # A run may not start or end on punctuation: no term does, and it saves hashing.
    tokens = [t for t in doc.tokens if not t.is_space]
    long_units = [(t.begin, t.end, t.pos[0] != "補助記号") for t in tokens]
    short_units = [
        (begin, end, edge)
        for t, (_b, _e, edge) in zip(tokens, long_units, strict=True)
        for begin, end in (_sub_tokens(t) if t.end - t.begin > 1 else [(t.begin, t.end)])
    ]
    spans = set()
    for units in (long_units, short_units):
        for i, (begin, _end, edge) in enumerate(units):
            if not edge:
                continue
            for last in units[i : i + _NGRAM]:
                if last[2]:
                    spans.add((begin, last[1]))
    hashes: dict[str, bool] = {}
    found = []
    for start, end in spans:
        term = normalise_term(doc.text[start:end])
        if not term or not any(c.isalnum() for c in term):
            continue
        hit = hashes.get(term)
        if hit is None:
            hit = hashes[term] = context.hash_term(term) in context.forbidden_hashes
        if hit:
            found.append((start, end, "forbidden_term"))
    return found


# --- putting it together ----------------------------------------------------------------------


def _drop_accepted(
    doc: _Text, rules: _Rules, candidates: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Without what the network accepts: spans inside the municipality's name, a registered
    agency's name or a profession, and allowed terms. Forbidden terms always stay."""
    protected = []
    for name in rules.protected:
        at = doc.norm.find(name)
        while at >= 0:
            protected.append(doc.span(at, at + len(name)))
            at = doc.norm.find(name, at + 1)
    kept = []
    for start, end, category in candidates:
        if category != "forbidden_term":
            if any(p_start <= start and end <= p_end for p_start, p_end in protected):
                continue
            if rules.allowed and normalise_term(doc.text[start:end]) in rules.allowed:
                continue
        kept.append((start, end, category))
    return kept


def _resolve_overlaps(
    text: str, candidates: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """One category per character: the higher-ranked (then longer) finding keeps its
    characters; a lower one keeps what is left of it, if anything that can be read."""
    ordered = sorted(set(candidates), key=lambda c: (_RANK[c[2]], c[0] - c[1], c[0]))
    taken: list[tuple[int, int, str]] = []
    for start, end, category in ordered:
        pieces = [(start, end)]
        for t_start, t_end, _cat in taken:
            pieces = [
                piece
                for p_start, p_end in pieces
                for piece in ((p_start, min(p_end, t_start)), (max(p_start, t_end), p_end))
                if piece[0] < piece[1]
            ]
        for p_start, p_end in pieces:
            if re.search(r"\w", text[p_start:p_end]):
                if (p_start, p_end) != (start, end) and p_end - p_start < 2:
                    continue  # one character left over from a longer match says nothing
                taken.append((p_start, p_end, category))
    return sorted(taken, key=lambda c: (c[0], c[1]))


def _excerpt(text: str, start: int, end: int, spans: Iterable[tuple[int, int, str | None]]) -> str:
    """Context around text[start:end] with that span and every other span masked."""
    left = max(0, start - EXCERPT_WIDTH)
    right = min(len(text), end + EXCERPT_WIDTH)
    hidden = sorted(
        (max(s, left), min(e, right), category)
        for s, e, category in spans
        if s < right and e > left
    )
    out, at = [], left
    for s, e, category in hidden:
        if e <= at:
            continue
        s = max(s, at)
        out.append(text[at:s])
        out.append(PLACEHOLDERS.get(category or "", "●" * (e - s)))
        at = e
    out.append(text[at:right])
    excerpt = re.sub(r"\s+", " ", "".join(out))
    # The same text may stand again nearby outside any finding (林 in 森林): hide it too.
    for matched in {text[start:end], re.sub(r"\s+", " ", text[start:end])}:
        if matched.strip() and matched in excerpt:
            excerpt = excerpt.replace(matched, "●" * len(matched))
    return ("…" if left > 0 else "") + excerpt + ("…" if right < len(text) else "")
