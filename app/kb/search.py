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
found); ``title_coverage`` the same over the title. A word nothing in the index resembles and that is a
word of jieba's dictionary (高考, 护照: a topic the knowledge base lacks) weighs the most (the highest
IDF), so a question about something the knowledge base never mentions covers little; a fragment jieba
glued from characters it could not place (费在, 能缴) weighs little.

**Snippets.** ``snippet`` picks the window of a document's text holding the most distinct matched
words and returns it as (text, is_match) pieces: the template escapes each and marks the matches.

**Suggestions.** When nothing matches, ``Index.suggest`` offers indexed words that share characters
with the unknown ones (低宝 → 低保).
"""
from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

import jieba

from . import terms

TITLE_WEIGHT = 3
K1 = 1.2
B = 0.75
#: Frequency given to the domain words (jieba's own frequencies rarely pass a few thousand).
DOMAIN_FREQ = 50_000

_WORD = re.compile(r"[\w]", re.UNICODE)


def _is_word(token: str) -> bool:
    return bool(token) and any(_WORD.match(ch) and ch != "_" for ch in token)


class Segmenter:
    """jieba in search mode with the domain dictionary, stop words and synonyms of ``app.kb.terms``."""

    def __init__(self, words: Iterable[str] = terms.DOMAIN_WORDS,
                 synonyms: Iterable[Iterable[str]] = terms.SYNONYMS,
                 stopwords: Iterable[str] = terms.STOPWORDS):
        self._words = tuple(words)
        self.canonical: dict[str, str] = {}
        self.variants: dict[str, set[str]] = defaultdict(set)
        for group in synonyms:
            group = [w.lower() for w in group]
            for word in group:
                self.canonical[word] = group[0]
                self.variants[group[0]].add(word)
        self.stopwords = frozenset(stopwords)
        self._tokenizer = None
        self._lock = threading.Lock()

    def load(self) -> Segmenter:
        """Load jieba's dictionary and add the domain words (about a second, once)."""
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    logging.getLogger("jieba").setLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    for word in {*self._words, *self.canonical}:
                        tokenizer.add_word(word, DOMAIN_FREQ)
                    self._tokenizer = tokenizer
        return self

    def raw(self, text: str) -> list[str]:
        """jieba's search-mode pieces of ``text`` (normalised width, lower case), nothing dropped."""
        text = unicodedata.normalize("NFKC", text or "").lower()
        return [t for t in self.load()._tokenizer.cut_for_search(text) if t.strip()]

    def tokens(self, text: str) -> list[str]:
        """The index words of ``text``: search-mode pieces, stop words and punctuation dropped,
        synonyms replaced by their group's first word."""
        out = []
        for token in self.raw(text):
            if token in self.stopwords or not _is_word(token):
                continue
            out.append(self.canonical.get(token, token))
        return out

    def analyse(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """A question's words (precise mode, stop words dropped, synonyms replaced) with, for each word
        longer than two characters, its search-mode sub-words (异地就医 → 异地, 就医)."""
        text = unicodedata.normalize("NFKC", text or "").lower()
        tokenizer = self.load()._tokenizer
        out = []
        for token in tokenizer.lcut(text):
            if token in self.stopwords or not _is_word(token):
                continue
            word = self.canonical.get(token, token)
            parts: list[str] = []
            for whole in dict.fromkeys((token, word)):
                if len(whole) > 2:
                    for piece in tokenizer.lcut_for_search(whole):
                        piece = self.canonical.get(piece, piece)
                        if piece != word and piece not in self.stopwords and _is_word(piece):
                            parts.append(piece)
            out.append((word, tuple(dict.fromkeys(parts))))
        return out

    def in_dictionary(self, word: str) -> bool:
        """Whether ``word`` is a word of jieba's general dictionary (or the domain's), as opposed to a
        piece jieba's HMM glued together from characters it could not place (费在, 卡坐)."""
        return len(word) > 1 and self.load()._tokenizer.FREQ.get(word, 0) > 0

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
    score: float
    matched: frozenset[str]      # index words of the query found in the document
    coverage: float              # share of the query's IDF weight found in the document (0-1)
    title_coverage: float        # … found in its title (0-1)


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
#: BM25 weight of a sub-word relative to the whole word.
PART_WEIGHT = 0.5
#: Weight of a question word the index never saw (and nothing of it), as a share of the highest IDF:
#: a piece jieba glued together from characters it could not place (费在, 卡坐, 能缴) should not sink an
#: answer; a real word of the language the knowledge base never uses (高考, 护照, 结婚证) is a topic it
#: lacks and weighs as much as the rarest word.
UNKNOWN_SHARE = 0.2
UNKNOWN_LEXICAL_SHARE = 1.0


class Index:
    """BM25 over documents already segmented (``Document.title_tokens`` / ``body_tokens``)."""

    def __init__(self, documents: Iterable[Document], segmenter: Segmenter | None = None):
        self.documents: list[Document] = list(documents)
        self.segmenter = segmenter or default_segmenter()
        self._postings: dict[str, list[tuple[int, int, int]]] = defaultdict(list)  # word → (doc, title tf, body tf)
        self._lengths: list[int] = []
        self._terms: list[frozenset[str]] = []
        self._title_terms: list[frozenset[str]] = []
        for number, doc in enumerate(self.documents):
            title, body = Counter(doc.title_tokens), Counter(doc.body_tokens)
            for word in title.keys() | body.keys():
                self._postings[word].append((number, title[word], body[word]))
            self._lengths.append(TITLE_WEIGHT * len(doc.title_tokens) + len(doc.body_tokens))
            self._terms.append(frozenset(title.keys() | body.keys()))
            self._title_terms.append(frozenset(title.keys()))
        #: words of 3+ characters by their spelling with one character blanked (居?证 → 居住证), for typos
        self._near: dict[str, set[str]] = defaultdict(set)
        for word in self._postings:
            if 3 <= len(word) <= 6:
                for i in range(len(word)):
                    self._near[word[:i] + "\x00" + word[i + 1:]].add(word)
        self.size = len(self.documents)
        self._average = (sum(self._lengths) / self.size) if self.size else 0.0
        self.by_key = {doc.key: doc for doc in self.documents}

    # -- statistics ---------------------------------------------------------------------------
    def idf(self, word: str) -> float:
        df = len(self._postings.get(word, ()))
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

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
        for word, parts in self.segmenter.analyse(text):
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
        return Query(text=text, concepts=list(concepts.values()))

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

    def _weight(self, concept: Concept) -> float:
        if concept.known:
            return self.idf(concept.word)
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
        scores: dict[int, float] = defaultdict(float)
        for term, weight in weights.items():
            idf = self.idf(term)
            for number, title_tf, body_tf in self._postings.get(term, ()):
                tf = TITLE_WEIGHT * title_tf + body_tf
                norm = K1 * (1 - B + B * self._lengths[number] / self._average)
                scores[number] += weight * idf * tf * (K1 + 1) / (tf + norm)
        total = sum(self._weight(c) for c in query.concepts) or 1.0
        hits = []
        for number, score in scores.items():
            doc = self.documents[number]
            if kinds and doc.kind not in kinds:
                continue
            if category and doc.category != category:
                continue
            if hidden is not None and hidden(doc):
                continue
            terms, title = self._terms[number], self._title_terms[number]
            matches = {c: self._match(c, terms) for c in query.concepts}
            hits.append(Hit(document=doc, score=score,
                            matched=frozenset(t for t in weights if t in terms),
                            coverage=sum(self._weight(c) * m for c, m in matches.items()) / total,
                            title_coverage=sum(self._weight(c) * self._match(c, title)
                                               for c in query.concepts) / total))
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
