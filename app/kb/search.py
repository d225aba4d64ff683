"""Chinese keyword search for the knowledge base (pure: no Flask, no database): segmentation, BM25
ranking, highlighted snippets and suggestions.

**Segmentation.** ``Segmenter`` wraps a jieba tokenizer of its own, with the domain dictionary of
``app.kb.terms`` added, in search mode (``cut_for_search``: 异地就医备案 gives 异地, 就医, 异地就医, 备案),
so 2-character terms such as 低保 and 燃气 match inside longer words. Tokens are lower-cased, stop
words and punctuation dropped, and each word of a synonym group replaced by the group's first word
(煤气 → 燃气, 最低生活保障 → 低保), in documents and questions alike. jieba's dictionary takes about a
second to load: ``default_segmenter().load()`` once per process at start-up, never per request.

**Questions.** A question is cut in jieba's precise mode into words (外地看病 → 异地就医 after synonyms);
each word longer than two characters also brings its search-mode sub-words (异地就医 → 异地, 就医), and a
word the index never saw brings the indexed words of its length that differ from it in one character
(a typo of 3 or more characters: 居注证 → 居住证) or else its 2-character pieces the index knows (居住正
still finds 居住).

**Ranking.** ``Index`` ranks documents by Okapi BM25 (k1 = 1.2, b = 0.75) over two fields, the title
(an FAQ's question and other phrasings, a case's title and tags, a lesson's title, a question's text)
counted ``TITLE_WEIGHT`` times, and the body; a sub-word counts ``PART_WEIGHT`` of a whole word. Each hit
also says how much of the question it covers: ``coverage`` is the share of the question's words,
weighted by IDF, that the document holds (a word present only through its sub-words counts
``PART_OF_KNOWN`` or, when the index never saw the word, ``PART_OF_UNKNOWN`` of the share of its parts
found; a one-character word counts ``SINGLE_CHARACTER_SHARE`` of its IDF); ``title_coverage`` the
same over the title. A word nothing in the index resembles and that is a
word of jieba's dictionary (高考, 护照: a topic the knowledge base lacks) weighs the most (the highest
IDF), so a question about something the knowledge base never mentions covers little; a fragment jieba
glued from characters it could not place (费在, 能缴) weighs little.

**Snippets.** ``snippet`` picks the window of a document's text holding the most distinct matched
words and returns it as (text, is_match) pieces: the template escapes each and marks the matches.

**Suggestions.** When nothing matches, ``Index.suggest`` offers indexed words that share characters
with the unknown ones (低宝 → 低保).
"""
from __future__ import annotations

import heapq
import logging
import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import jieba
from pypinyin.pinyin_dict import pinyin_dict

from . import terms

TITLE_WEIGHT = 2
K1 = 1.5
B = 0.75
#: Frequency given to the domain words (jieba's own frequencies rarely pass a few thousand).
DOMAIN_FREQ = 50_000

_WORD = re.compile(r"[\w]", re.UNICODE)
_CJK = re.compile(r"[\u4e00-\u9fff]+")
#: Token between the lines of a title (an FAQ's question and each phrasing) in ``Document.title_tokens``.
LINE_BREAK = "|"


def _is_word(token: str) -> bool:
    return bool(token) and any(_WORD.match(ch) and ch != "_" for ch in token)


class Segmenter:
    """jieba in search mode with the domain dictionary, stop words and synonyms of ``app.kb.terms``."""

    def __init__(self, words: Iterable[str] = terms.DOMAIN_WORDS,
                 synonyms: Iterable[Iterable[str]] = terms.SYNONYMS,
                 stopwords: Iterable[str] = terms.STOPWORDS,
                 phrases: Iterable[tuple[str, str]] = terms.PHRASES):
        self._words = tuple(words)
        self.canonical: dict[str, str] = {}
        self.variants: dict[str, set[str]] = defaultdict(set)
        for group in synonyms:
            group = [w.lower() for w in group]
            for word in group:
                self.canonical[word] = group[0]
                self.variants[group[0]].add(word)
        self.stopwords = frozenset(stopwords)
        self._phrases = [(re.compile(pattern), replacement) for pattern, replacement in phrases]
        self._tokenizer = None
        self._pinyin: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def load(self) -> Segmenter:
        """Load jieba's dictionary, add the domain words and index them by sound (about a second, once)."""
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    logging.getLogger("jieba").setLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    for word in {*self._words, *self.canonical}:
                        tokenizer.add_word(word, DOMAIN_FREQ)
                    table: dict[str, set[str]] = defaultdict(set)
                    for word in {*self._words, *self.canonical}:
                        if 2 <= len(word) <= 4 and _CJK.fullmatch(word):
                            table[_pinyin_key(word)].add(word)
                    self._pinyin = table
                    self._tokenizer = tokenizer
        return self

    def normalise(self, text: str) -> str:
        """``text`` in normal width and lower case, with the phrases of ``terms.PHRASES`` rewritten."""
        text = unicodedata.normalize("NFKC", text or "").lower()
        for pattern, replacement in self._phrases:
            text = pattern.sub(replacement, text)
        return text

    def raw(self, text: str) -> list[str]:
        """jieba's search-mode pieces of ``text`` (normalised), nothing dropped."""
        text = self.normalise(text)
        return [t for t in self.load()._tokenizer.cut_for_search(text, HMM=False) if t.strip()]

    def tokens(self, text: str) -> list[str]:
        """The index words of ``text``: search-mode pieces, stop words and punctuation dropped,
        synonyms replaced by their group's first word."""
        out = []
        for token in self.raw(text):
            if token in self.stopwords or not _is_word(token):
                continue
            out.append(self.canonical.get(token, token))
        return out

    def title_tokens(self, text: str) -> list[str]:
        """The index words of a title text, line by line, with ``LINE_BREAK`` between the lines."""
        out: list[str] = []
        for line in (text or "").splitlines():
            words = self.tokens(line)
            if words:
                if out:
                    out.append(LINE_BREAK)
                out.extend(words)
        return out

    def analyse(self, text: str, fix: Callable[[list[str]], list[str]] | None = None) -> list[tuple[str, tuple[str, ...]]]:
        """A question's words (precise mode, stop words dropped, synonyms replaced) with, for each word
        longer than two characters, its search-mode sub-words (异地就医 → 异地, 就医). ``fix`` may rewrite
        jieba's words first (the index's homophone repair)."""
        text = self.normalise(text)
        tokenizer = self.load()._tokenizer
        cut = tokenizer.lcut(text, HMM=False)
        out = []
        for token in (fix(cut) if fix else cut):
            if token in self.stopwords or not _is_word(token):
                continue
            word = self.canonical.get(token, token)
            parts: list[str] = []
            for whole in dict.fromkeys((token, word)):
                if len(whole) > 2:
                    for piece in tokenizer.lcut_for_search(whole, HMM=False):
                        piece = self.canonical.get(piece, piece)
                        if piece != word and piece not in self.stopwords and _is_word(piece):
                            parts.append(piece)
            out.append((word, tuple(dict.fromkeys(parts))))
        return out

    def in_dictionary(self, word: str) -> bool:
        """Whether ``word`` is a word of jieba's general dictionary (or the domain's), as opposed to a
        piece jieba's HMM glued together from characters it could not place (费在, 卡坐)."""
        return len(word) > 1 and self.load()._tokenizer.FREQ.get(word, 0) > 0

    def sounds_like(self, text: str) -> str | None:
        """The domain word (the index's spelling) that ``text`` sounds like and shares all characters
        but one with (of two characters: one), or None."""
        self.load()
        need = 1 if len(text) == 2 else len(text) - 1
        found = [w for w in self._pinyin.get(_pinyin_key(text), ())
                 if w != text and len(w) == len(text) and sum(a == b for a, b in zip(w, text)) >= need]
        if not found:
            return None
        word = min(found)
        return self.canonical.get(word, word)

    def surfaces(self, word: str) -> set[str]:
        """The spellings of an index word that may appear in a text (the word and its synonyms)."""
        return {word, *self.variants.get(word, ())}


_default: Segmenter | None = None
_default_lock = threading.Lock()


def default_segmenter() -> Segmenter:
    """The process's segmenter (one per process; call ``.load()`` at start-up)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Segmenter()
    return _default


@dataclass(frozen=True)
class Document:
    """One searchable thing: an FAQ entry, a case, a lesson or a question's explanation."""

    key: str                     # "faq:dibao-apply", "case:gas-smell-at-night", "lesson:…", "question:…"
    kind: str                    # faq, case, lesson, question
    title: str
    text: str                    # plain text the snippet is cut from
    title_tokens: tuple[str, ...]
    body_tokens: tuple[str, ...]
    category: str = ""
    url: str = ""
    #: What may hide the document from someone (a question's bank, while a competition uses it).
    gate: str = ""


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float                 # the ranking score (word BM25F + character bigrams + best line, see Index)
    matched: frozenset[str]      # index words of the query found in the document
    coverage: float              # share of the query's IDF weight found in the document (0-1)
    title_coverage: float        # … found in its title (0-1)
    bm25: float = 0.0            # the word BM25F score alone
    line: float = 0.0            # similarity of the question to the closest title line (0-1)


@dataclass(frozen=True)
class Concept:
    """One word of a question (jieba's precise mode) and the indexed words that stand for it."""

    word: str
    known: bool                  # the index has the word itself
    parts: tuple[str, ...] = ()  # indexed sub-words (search mode), or for an unknown word its known 2-character pieces
    lexical: bool = False        # a dictionary word (高考, 护照), not a fragment jieba glued together (费在)


@dataclass
class Query:
    """A question as the index sees it."""

    text: str
    concepts: list[Concept] = field(default_factory=list)
    bigrams: tuple[str, ...] = ()    # character bigrams of its words, run together

    @property
    def words(self) -> list[str]:
        return [c.word for c in self.concepts]

    @property
    def empty(self) -> bool:
        return not self.concepts

    @property
    def unknown(self) -> list[str]:
        return [c.word for c in self.concepts if not c.known and not c.parts]


#: How much a document containing only parts of a question word counts for that word: the word is in
#: the index but not in this document (it holds a part only), or the index has never seen the word.
PART_OF_KNOWN = 0.5
PART_OF_UNKNOWN = 0.8
#: Share of its IDF a one-character question word (交, 费, 打, 补) weighs in coverage and in the closeness
#: to a title line: on its own one character says little (交 is paying a fee, handing in a form or making
#: friends), and jieba leaves one where it could not join it to a neighbour, so its rarity as a token
#: overstates it. A question about 自来水费 whose best entry only shares 交 and 费 is not covered.
SINGLE_CHARACTER_SHARE = 0.5
#: BM25 weight of a sub-word relative to the whole word.
PART_WEIGHT = 0.5
#: Weight of a question word the index never saw (and nothing of it), as a share of the highest IDF:
#: a piece jieba glued together from characters it could not place (费在, 卡坐, 能缴) should not sink an
#: answer; a real word of the language the knowledge base never uses (高考, 护照, 结婚证) is a topic it
#: lacks and weighs as much as the rarest word.
UNKNOWN_SHARE = 0.2
UNKNOWN_LEXICAL_SHARE = 1.0
#: BM25F: a field's term frequency counts ``W`` times, normalised by the field's length with ``B``
#: (each field against its own average length: many phrasings do not make an entry "long").
TITLE_B = 0.3
BODY_B = 0.75
#: Shares of the three signals in the ranking score, each first divided by its best value for the
#: question: word BM25F (1), character-bigram BM25F (robust to how jieba cut the words), and the
#: similarity of the question to the closest single title line (an FAQ's question or one phrasing).
BIGRAM_SHARE = 0.5
LINE_SHARE = 0.6
#: Ranking weight of a kind of document: a case tells a story in many everyday words that a question
#: shares without being about it; an FAQ entry answers a question.
KIND_PRIOR: dict[str, float] = {"case": 0.85}


def surface(tokens: Iterable[str]) -> str:
    """The words of a token list run together without the search-mode sub-words (异地 就医 异地就医 备案
    → 异地就医备案): the text as the index sees it, for character bigrams."""
    tokens = [t for t in tokens if t != LINE_BREAK]
    kept = [t for i, t in enumerate(tokens) if not any(t != later and t in later for later in tokens[i + 1:i + 8])]
    return "".join(kept)


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of ``text`` (a 1-character text is its own)."""
    if len(text) < 2:
        return [text] if text else []
    return [text[i:i + 2] for i in range(len(text) - 1)]


def _lines(tokens: Iterable[str]) -> list[tuple[str, ...]]:
    lines, current = [], []
    for token in tokens:
        if token == LINE_BREAK:
            if current:
                lines.append(tuple(current))
            current = []
        else:
            current.append(token)
    if current:
        lines.append(tuple(current))
    return lines


class _Field:
    """BM25F postings of one kind of term (words, or character bigrams) over title and body."""

    def __init__(self, titles: list[Counter], bodies: list[Counter], weight_title: float):
        self.postings: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for number, (title, body) in enumerate(zip(titles, bodies)):
            for term in title.keys() | body.keys():
                self.postings[term].append((number, title[term], body[term]))
        size = len(titles) or 1
        self.title_len = [sum(t.values()) for t in titles]
        self.body_len = [sum(b.values()) for b in bodies]
        self.avg_title = (sum(self.title_len) / size) or 1.0
        self.avg_body = (sum(self.body_len) / size) or 1.0
        self.weight_title = weight_title
        self.size = len(titles)
        self._idf: dict[str, float] = {}

    def idf(self, term: str) -> float:
        found = self._idf.get(term)
        if found is None:
            df = len(self.postings.get(term, ()))
            found = self._idf[term] = math.log(1 + (self.size - df + 0.5) / (df + 0.5))
        return found

    def score(self, weights: dict[str, float], into: dict[int, float]) -> None:
        for term, weight in weights.items():
            idf = self.idf(term)
            for number, title_tf, body_tf in self.postings.get(term, ()):
                tf = 0.0
                if title_tf:
                    tf += self.weight_title * title_tf / (1 - TITLE_B + TITLE_B * self.title_len[number] / self.avg_title)
                if body_tf:
                    tf += body_tf / (1 - BODY_B + BODY_B * self.body_len[number] / self.avg_body)
                into[number] += weight * idf * tf * (K1 + 1) / (tf + K1)


class Index:
    """Ranks documents already segmented (``Document.title_tokens`` / ``body_tokens``).

    The ranking score of a document for a question adds three signals, each divided by its best value
    for the question: word BM25F over the title (counted ``TITLE_WEIGHT`` times) and the body, each
    normalised by its own average length; the same over character bigrams of the words run together
    (``BIGRAM_SHARE``: a word jieba cut differently in the question and the entry still matches by its
    characters); and ``LINE_SHARE`` × how close the question is to the closest title line (an FAQ's
    question or one of its phrasings: IDF-weighted overlap over the geometric mean of both sides).
    """

    def __init__(self, documents: Iterable[Document], segmenter: Segmenter | None = None):
        self.documents: list[Document] = list(documents)
        self.segmenter = segmenter or default_segmenter()
        titles, bodies, title_bigrams, body_bigrams = [], [], [], []
        self._terms: list[frozenset[str]] = []
        self._title_terms: list[frozenset[str]] = []
        self._lines: list[list[tuple[frozenset[str], frozenset[str]]]] = []   # (all terms, surface words) per line
        for doc in self.documents:
            lines = _lines(doc.title_tokens)
            title = Counter(t for line in lines for t in line)
            body = Counter(t for t in doc.body_tokens if t != LINE_BREAK)
            titles.append(title)
            bodies.append(body)
            title_bigrams.append(Counter(g for line in lines for g in bigrams(surface(line))))
            body_bigrams.append(Counter(bigrams(surface(doc.body_tokens))))
            self._terms.append(frozenset(title.keys() | body.keys()))
            self._title_terms.append(frozenset(title.keys()))
            self._lines.append([(frozenset(line), frozenset(_surface_words(line))) for line in lines])
        self._words = _Field(titles, bodies, TITLE_WEIGHT)
        self._bigrams = _Field(title_bigrams, body_bigrams, TITLE_WEIGHT)
        self._postings = self._words.postings
        #: words of 3+ characters by their spelling with one character blanked (居?证 → 居住证), for typos
        self._near: dict[str, set[str]] = defaultdict(set)
        for word in self._postings:
            if 3 <= len(word) <= 6:
                for i in range(len(word)):
                    self._near[word[:i] + "\x00" + word[i + 1:]].add(word)
        self.size = len(self.documents)
        self._line_weight = [[sum(self.idf(w) for w in words) for _terms, words in lines] for lines in self._lines]
        self.by_key = {doc.key: doc for doc in self.documents}

    # -- statistics ---------------------------------------------------------------------------
    def idf(self, word: str) -> float:
        return self._words.idf(word)

    @property
    def max_idf(self) -> float:
        return math.log(1 + (self.size + 0.5) / 0.5)

    def knows(self, word: str) -> bool:
        return word in self._postings

    @property
    def vocabulary(self) -> Iterable[str]:
        return self._postings.keys()

    def document_frequency(self, word: str) -> int:
        return len(self._postings.get(word, ()))

    # -- queries ------------------------------------------------------------------------------
    def parse(self, text: str) -> Query:
        concepts: dict[str, Concept] = {}
        for word, parts in self.segmenter.analyse(text, self.homophones):
            if word in concepts:
                continue
            known = self.knows(word)
            found = tuple(p for p in parts if p != word and self.knows(p))
            if not known and not found and len(word) > 2:
                found = self.near(word)
            if not known and not found and len(word) > 2:
                pieces = (self.segmenter.canonical.get(word[i:i + 2], word[i:i + 2]) for i in range(len(word) - 1))
                found = tuple(dict.fromkeys(p for p in pieces if self.knows(p)))
            concepts[word] = Concept(word=word, known=known, parts=found,
                                     lexical=not known and not found and self.segmenter.in_dictionary(word))
        run = "".join(c.word if c.known or not c.parts else c.parts[0] for c in concepts.values())
        return Query(text=text, concepts=list(concepts.values()), bigrams=tuple(dict.fromkeys(bigrams(run))))

    def near(self, word: str) -> tuple[str, ...]:
        """Indexed words of the same length differing from ``word`` (3+ characters) in one character
        (居主证 → 居住证, 心肺复速 → 心肺复苏): the typos of a pinyin keyboard; the words in most documents
        first, at most two."""
        if not 3 <= len(word) <= 6:
            return ()
        found: set[str] = set()
        for i in range(len(word)):
            found |= self._near.get(word[:i] + "\x00" + word[i + 1:], set())
        found.discard(word)
        return tuple(sorted(found, key=lambda w: (-self.document_frequency(w), w))[:2])

    def homophones(self, tokens: list[str]) -> list[str]:
        """jieba's words of a question with pinyin typos of the domain's words repaired: one to four
        consecutive words, not all of them dictionary words (a single character, or characters jieba
        glued together because it could not place them), that together are no dictionary word but
        sound like a domain word of ``app.kb.terms`` (each character's usual reading, without tones) and
        share all its characters but one (of two characters: one) become that word (医宝 → 医保,
        身份正 → 身份证, 居主证 → 居住证; 一包 is not 医保: no character shared). Three or more single
        characters, none a stop word, one character away from an index word become that word
        (居仁证 → 居住证, ``near``)."""
        out: list[str] = []
        i = 0
        while i < len(tokens):
            best = None
            for j in range(min(len(tokens), i + 4), i, -1):
                span = tokens[i:j]
                text = "".join(span)
                if not 2 <= len(text) <= 4 or not _CJK.fullmatch(text) or all(self.segmenter.in_dictionary(t) for t in span):
                    continue
                if text in self.segmenter.canonical or self.segmenter.in_dictionary(text):
                    continue
                found = self.segmenter.sounds_like(text)
                if not found and len(text) >= 3 and all(len(t) == 1 and t not in self.segmenter.stopwords for t in span):
                    found = next(iter(self.near(text)), None)
                if found:
                    best = (j, found)
                    break
            if best:
                out.append(best[1])
                i = best[0]
            else:
                out.append(tokens[i])
                i += 1
        return out

    def _weight(self, concept: Concept) -> float:
        if concept.known:
            return self.idf(concept.word) * (SINGLE_CHARACTER_SHARE if len(concept.word) == 1 else 1.0)
        if concept.parts:
            return max(self.idf(p) for p in concept.parts)
        return (UNKNOWN_LEXICAL_SHARE if concept.lexical else UNKNOWN_SHARE) * self.max_idf

    def _match(self, concept: Concept, terms: frozenset[str]) -> float:
        """How much ``terms`` (a document's, or its title's) hold ``concept``: 1, a share, or 0."""
        if concept.known and concept.word in terms:
            return 1.0
        if not concept.parts:
            return 0.0
        total = sum(self.idf(p) for p in concept.parts)
        got = sum(self.idf(p) for p in concept.parts if p in terms)
        return (PART_OF_KNOWN if concept.known else PART_OF_UNKNOWN) * got / total if total else 0.0

    def _credits(self, query: Query) -> list[tuple[str, bool, float, tuple[tuple[str, float], ...]]]:
        """Per concept of ``query``: its word, whether known, its weight and what each part earns
        (``_match`` × weight, precomputed for one question)."""
        out = []
        for concept in query.concepts:
            weight = self._weight(concept)
            total = sum(self.idf(p) for p in concept.parts)
            share = PART_OF_KNOWN if concept.known else PART_OF_UNKNOWN
            parts = tuple((p, weight * share * self.idf(p) / total) for p in concept.parts) if total else ()
            out.append((concept.word, concept.known, weight, parts))
        return out

    @staticmethod
    def _held(credits, terms: frozenset[str]) -> float:
        """The weight of the question's concepts that ``terms`` hold (the sum of ``_match`` × weight)."""
        got = 0.0
        for word, known, weight, parts in credits:
            if known and word in terms:
                got += weight
            else:
                got += sum(credit for part, credit in parts if part in terms)
        return got

    def _line(self, credits, number: int, total: float, matched: frozenset[str]) -> float:
        """Similarity of the question to the document's closest title line (0-1): the harmonic mean of
        how much of the question the line holds and how much of the line the question holds (by IDF)."""
        best = 0.0
        for (terms, words), weight in zip(self._lines[number], self._line_weight[number]):
            if not weight or not terms & matched:
                continue
            got = self._held(credits, terms) / total
            found = sum(self.idf(w) for w in words if w in matched) / weight
            if got and found:
                best = max(best, 2 * got * found / (got + found))
        return min(best, 1.0)

    def search(self, query: Query | str, *, kinds: Collection | None = None, category: str = "",
               hidden: Callable[[Document], bool] | None = None, limit: int | None = 20) -> list[Hit]:
        """Documents matching ``query``, best first; ``kinds``/``category`` filter, ``hidden`` drops."""
        if isinstance(query, str):
            query = self.parse(query)
        if query.empty or not self.size:
            return []
        weights: dict[str, float] = {}
        for concept in query.concepts:
            if concept.known:
                weights[concept.word] = 1.0
            for part in concept.parts:
                weights[part] = max(weights.get(part, 0.0), PART_WEIGHT)
        words: dict[int, float] = defaultdict(float)
        self._words.score(weights, words)
        if not words:
            return []
        grams: dict[int, float] = defaultdict(float)
        self._bigrams.score({g: 1.0 for g in query.bigrams}, grams)
        credits = self._credits(query)
        total = sum(weight for _word, _known, weight, _parts in credits) or 1.0
        best_words = max(words.values()) or 1.0
        best_grams = max((grams[n] for n in words), default=0.0) or 1.0
        first: dict[int, float] = {}
        for number, score in words.items():
            doc = self.documents[number]
            if kinds and doc.kind not in kinds:
                continue
            if category and doc.category != category:
                continue
            if hidden is not None and hidden(doc):
                continue
            first[number] = KIND_PRIOR.get(doc.kind, 1.0) * (score / best_words
                                                             + BIGRAM_SHARE * grams.get(number, 0.0) / best_grams)
        hits: list[Hit] = []
        best: list[float] = []          # the ``limit`` best ranking scores so far (a min-heap)
        for number in sorted(first, key=lambda n: (-first[n], self.documents[n].key)):
            if limit is not None and len(best) >= limit and first[number] + LINE_SHARE < best[0]:
                break                   # neither this document nor any after it can reach the first ``limit``
            terms, title = self._terms[number], self._title_terms[number]
            found_terms = frozenset(t for t in weights if t in terms)
            line = self._line(credits, number, total, found_terms)
            rank = first[number] + LINE_SHARE * line
            hits.append(Hit(document=self.documents[number], score=rank, matched=found_terms,
                            coverage=self._held(credits, terms) / total,
                            title_coverage=self._held(credits, title) / total, bm25=words[number], line=line))
            if limit is not None:
                if len(best) < limit:
                    heapq.heappush(best, rank)
                elif rank > best[0]:
                    heapq.heapreplace(best, rank)
        hits.sort(key=lambda h: (-h.score, h.document.key))
        return hits if limit is None else hits[:limit]

    def suggest(self, query: Query | str, limit: int = 5) -> list[str]:
        """Indexed words close to the query's unknown words (sharing characters), most useful first."""
        if isinstance(query, str):
            query = self.parse(query)
        wanted = query.unknown or query.words
        scored: dict[str, float] = {}
        for word in wanted:
            chars = set(word)
            for known in self.vocabulary:
                if len(known) < 2 or known == word or not chars & set(known):
                    continue
                common = len(chars & set(known))
                dice = 2 * common / (len(chars) + len(set(known)))
                if dice >= 0.5:
                    score = dice + 0.01 * min(self.document_frequency(known), 20)
                    scored[known] = max(scored.get(known, 0.0), score)
        return [w for w, _s in sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:limit]]

    def surfaces(self, terms: Iterable[str]) -> set[str]:
        """Spellings to mark in a text for matched index ``terms`` (each with its synonyms)."""
        out: set[str] = set()
        for term in terms:
            out |= self.segmenter.surfaces(term)
        return {s for s in out if s}


@lru_cache(maxsize=8192)
def _reading(char: str) -> str:
    """The usual pinyin reading of a Chinese character, without tone (保 → bao; 长 → chang)."""
    found = pinyin_dict.get(ord(char))
    if not found:
        return char
    first = found.split(",")[0]
    return "".join(c for c in unicodedata.normalize("NFD", first) if not unicodedata.combining(c))


def _pinyin_key(word: str) -> str:
    return " ".join(_reading(char) for char in word)


def _surface_words(tokens: Iterable[str]) -> list[str]:
    """The tokens that are not search-mode sub-words of a following token."""
    tokens = list(tokens)
    return [t for i, t in enumerate(tokens) if not any(t != later and t in later for later in tokens[i + 1:i + 8])]


def snippet(text: str, marks: Iterable[str], width: int = 90) -> list[tuple[str, bool]]:
    """The ``width``-character window of ``text`` with the most distinct ``marks``, as (piece, is_mark)
    pieces (with "…" where the text is cut). Matching ignores case; no mark: the text's beginning."""
    text = re.sub(r"\s+", " ", text or "").strip()
    lowered = text.lower()
    marks = sorted({m.lower() for m in marks if m}, key=len, reverse=True)
    spans: list[tuple[int, int, str]] = []
    taken = [False] * len(text)
    for mark in marks:
        start = lowered.find(mark)
        while start != -1:
            end = start + len(mark)
            if not any(taken[start:end]):
                spans.append((start, end, mark))
                for i in range(start, end):
                    taken[i] = True
            start = lowered.find(mark, end)
    spans.sort()
    if len(text) <= width:
        begin, finish = 0, len(text)
    elif not spans:
        begin, finish = 0, width
    else:
        best, best_count = 0, -1
        for s_start, _s_end, _m in spans:
            begin_at = max(0, min(s_start - width // 5, len(text) - width))
            inside = {m for a, b, m in spans if a >= begin_at and b <= begin_at + width}
            if len(inside) > best_count:
                best, best_count = begin_at, len(inside)
        begin, finish = best, best + width
    pieces: list[tuple[str, bool]] = []
    if begin > 0:
        pieces.append(("…", False))
    cursor = begin
    for s_start, s_end, _m in spans:
        if s_start < begin or s_end > finish:
            continue
        if s_start > cursor:
            pieces.append((text[cursor:s_start], False))
        pieces.append((text[s_start:s_end], True))
        cursor = s_end
    if cursor < finish:
        pieces.append((text[cursor:finish], False))
    if finish < len(text):
        pieces.append(("…", False))
    return pieces


_MD = [(re.compile(r"```.*?```", re.S), " "), (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
       (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"), (re.compile(r"^[ \t]{0,3}(#{1,6}|>|[-*+]|\d+[.)])[ \t]*", re.M), ""),
       (re.compile(r"[*_`|~]+"), ""), (re.compile(r"^[ \t]*-{3,}[ \t]*$", re.M), " ")]


def plain(markdown: str) -> str:
    """Markdown as plain text for snippets and segmentation (marks, links and headings' # removed)."""
    text = markdown or ""
    for pattern, repl in _MD:
        text = pattern.sub(repl, text)
    return re.sub(r"[ \t]+", " ", text).strip()
