"""Examples to a feature matrix: word and character n-gram TF-IDF per channel, and structural features.

Counting is the expensive part, so it happens once per training run (`count`): every candidate
n-gram of the whole labelled set becomes a column. What a model learns from is then fitted on its
training rows alone (`fit_design`): the columns whose n-grams occur in at least MIN_DF of those
rows, their IDF, the scale of the structural features. A cross-validation fold therefore never
sees a column made of its test rows only, nor their document frequencies, and costs no recount.
Which n-grams are candidates at all (the MAX_* most frequent) is chosen over the whole set, from
text alone, no label: the one thing the folds share.

Words: scikit-learn's CountVectorizer (unigrams and bigrams, lowercased). Characters: n-grams of
3 to 5 bytes of the lowercased UTF-8 text, counted with numpy (scikit-learn's char analyzer
runs in Python, about 6 ms per trajectory here, past any prediction budget); a byte n-gram is its
own key (length in the top byte, the bytes below), so a column names its n-gram exactly.
Each block is weighted as scikit-learn's TfidfTransformer(sublinear_tf=True) does (1 + log tf,
times the smoothed IDF, each row of the block scaled to unit length), computed here in a few
vectorised lines: the transformer's input checks cost more than the arithmetic on every fold.
Structural features: the facts and the detectors' findings (`reviewer.export.features`), counts as
log(1 + n), scaled by their training maximum.

A model keeps plain arrays only (vocabularies, IDF, scales): nothing but numbers and strings to load.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from reviewer.train.examples import CHANNELS, Example

ANALYZERS: tuple[str, ...] = ("word", "char")
BLOCKS: tuple[tuple[str, str], ...] = tuple((c, a) for c in CHANNELS for a in ANALYZERS)
WORD_NGRAMS = (1, 2)
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # a word: CountVectorizer's default token pattern
CHAR_NGRAMS = (3, 5)
MIN_DF = 2
MAX_DF = 0.5  # share of texts: n-grams in more of them make most of the matrix and tell least
MAX_WORD = 20_000  # candidate columns per channel
MAX_CHAR = 50_000
_SHIFT = np.uint64(56)
_BYTE = np.uint64(8)
_CHUNK = 512  # documents per numpy pass when collecting character n-grams


def char_keys(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The distinct byte n-grams of `text` (lowercased UTF-8) as sorted uint64 keys, with their counts."""
    data = np.frombuffer(text.lower().encode("utf-8", "surrogatepass"), dtype=np.uint8).astype(np.uint64)
    found = []
    for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
        if len(data) < n:
            break
        key = np.full(len(data) - n + 1, np.uint64(n) << _SHIFT, dtype=np.uint64)
        for j in range(n):
            key |= data[j : len(data) - n + 1 + j] << (_BYTE * np.uint64(n - 1 - j))
        found.append(key)
    if not found:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.unique(np.concatenate(found), return_counts=True)


def char_name(key: int) -> str:
    """The n-gram a character column counts (bytes that do not decode alone are shown as U+FFFD)."""
    n = key >> 56
    return bytes((key >> (8 * (n - 1 - j))) & 0xFF for j in range(n)).decode("utf-8", "replace")


def char_vocabulary(texts: Sequence[str], max_features: int = MAX_CHAR) -> np.ndarray:
    """The candidate keys: in at least MIN_DF texts and at most a MAX_DF share of them, the
    `max_features` most frequent by document frequency (ties by key), sorted."""
    keys = np.zeros(0, np.uint64)
    df = np.zeros(0, np.int64)
    for start in range(0, len(texts), _CHUNK):
        chunk = [char_keys(t)[0] for t in texts[start : start + _CHUNK]]
        merged, inverse = np.unique(np.concatenate([keys, *chunk]), return_inverse=True)
        weights = np.concatenate([df, np.ones(len(inverse) - len(df), np.int64)])
        df = np.bincount(inverse, weights=weights, minlength=len(merged)).astype(np.int64)
        keys = merged
    keep = np.flatnonzero((df >= MIN_DF) & (df <= MAX_DF * len(texts)))
    top = keep[np.lexsort((keys[keep], -df[keep]))][:max_features]
    return np.sort(keys[top])


def char_counts(texts: Sequence[str], vocabulary: np.ndarray) -> sp.csr_matrix:
    """Counts of the vocabulary's n-grams in each text (rows) as a sparse matrix."""
    indptr, indices, data = [0], [], []
    for text in texts:
        keys, counts = char_keys(text)
        at = np.searchsorted(vocabulary, keys)
        hit = at < len(vocabulary)
        hit[hit] = vocabulary[at[hit]] == keys[hit]
        indices.append(at[hit])
        data.append(counts[hit])
        indptr.append(indptr[-1] + int(hit.sum()))
    return _csr(indptr, indices, data, len(texts), len(vocabulary))


_PASS_CHARACTERS = 1 << 14  # text counted per numpy pass: enough to share each call's cost, small enough for the cache

_Piece = tuple[np.ndarray, np.ndarray, np.ndarray]  # one pass: columns per row, then its columns and counts in row order


def _passes(sizes: Sequence[int]) -> list[tuple[int, int]]:
    """Ranges [start, end) of consecutive texts of about _PASS_CHARACTERS together (at least one text each)."""
    ranges, start, total = [], 0, 0
    for k, size in enumerate(sizes):
        if total and total + size > _PASS_CHARACTERS:
            ranges.append((start, k))
            start, total = k, 0
        total += size
    if start < len(sizes):
        ranges.append((start, len(sizes)))
    return ranges


def _piece(docs: np.ndarray, columns: np.ndarray, n_docs: int, width: int) -> _Piece:
    """One occurrence per (text, column) pair in, sparse rows out: the distinct pairs counted, in order."""
    pairs, counts = np.unique(docs.astype(np.int64) * width + columns, return_counts=True)
    return np.bincount(pairs // max(width, 1), minlength=n_docs), pairs % max(width, 1), counts


def _joined(pieces: Sequence[_Piece], rows: int, width: int) -> sp.csr_matrix:
    if not pieces:
        return sp.csr_matrix((rows, width))
    indptr = np.concatenate([[0], np.cumsum(np.concatenate([p[0] for p in pieces]))])
    return sp.csr_matrix(
        (np.concatenate([p[2] for p in pieces]).astype(np.float64), np.concatenate([p[1] for p in pieces]), indptr),
        shape=(rows, width),
    )


def word_vocabulary(texts: Sequence[str]) -> tuple[np.ndarray, sp.csr_matrix]:
    """The candidate word n-grams of `texts` (in at least MIN_DF of them, at most a MAX_DF share, the
    MAX_WORD most frequent), in column order, and the texts' counts of them."""
    vectorizer = CountVectorizer(
        ngram_range=WORD_NGRAMS,
        token_pattern=TOKEN.pattern,
        min_df=MIN_DF,
        max_df=MAX_DF,
        max_features=MAX_WORD,
        dtype=np.float64,
    )
    try:
        counts = sp.csr_matrix(vectorizer.fit_transform(texts))
    except ValueError:  # "empty vocabulary", or fewer texts than MIN_DF
        return np.zeros(0, dtype=str), sp.csr_matrix((len(texts), 0))
    return np.asarray(vectorizer.get_feature_names_out(), dtype=str), counts


class WordGrams:
    """Counts of a fixed vocabulary of word unigrams and bigrams, exactly as CountVectorizer with
    ngram_range (1, 2) and its default analyzer counts them (lowercased, `TOKEN`), without making a
    string of every bigram in the text: tokens become ids through one dict, bigrams become integer
    keys looked up in a sorted array. Prediction counts this way (several times faster here);
    training counts with CountVectorizer itself, and a test holds the two equal."""

    def __init__(self, vocabulary: np.ndarray):
        grams = [g.split(" ") for g in vocabulary.tolist()]
        self.ids: dict[str, int] = {}
        for parts in grams:
            for token in parts:
                self.ids.setdefault(token, len(self.ids))
        self.unigram = np.full(len(self.ids) + 1, -1, dtype=np.int64)  # by token id; the last slot: unknown tokens
        pairs, columns = [], []
        for column, parts in enumerate(grams):
            if len(parts) == 1:
                self.unigram[self.ids[parts[0]]] = column
            else:
                pairs.append(self.ids[parts[0]] * len(self.ids) + self.ids[parts[1]])
                columns.append(column)
        order = np.argsort(pairs, kind="stable")
        self.pairs = np.asarray(pairs, dtype=np.int64)[order]
        self.pair_columns = np.asarray(columns, dtype=np.int64)[order]
        self.width = len(vocabulary)

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Counted many texts per numpy pass (`_passes`): their tokens joined, bigrams that would span two
        texts left out. Per text, the dozen small numpy calls cost about as much as the tokenising."""
        pieces = [self._count(texts[start:end]) for start, end in _passes([len(t) for t in texts])]
        return _joined(pieces, len(texts), self.width)

    def _count(self, texts: Sequence[str]) -> _Piece:
        unknown = n = len(self.ids)
        tokens = [TOKEN.findall(text.lower()) for text in texts]
        sizes = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        ids = np.fromiter(map(self.ids.get, chain.from_iterable(tokens), repeat(unknown)), dtype=np.int64, count=int(sizes.sum()))
        doc = np.repeat(np.arange(len(texts)), sizes)
        known = (ids[:-1] < unknown) & (ids[1:] < unknown) & (doc[:-1] == doc[1:])  # bigrams within one text
        keys = ids[:-1][known] * n + ids[1:][known]
        at = np.searchsorted(self.pairs, keys)
        hit = at < len(self.pairs)
        hit[hit] = self.pairs[at[hit]] == keys[hit]
        columns = np.concatenate([self.unigram[ids], self.pair_columns[at[hit]]])
        docs = np.concatenate([doc, doc[:-1][known][hit]])
        found = columns >= 0
        return _piece(docs[found], columns[found], len(texts), self.width)


def _csr(indptr: list[int], indices: list[np.ndarray], data: list[np.ndarray], rows: int, width: int) -> sp.csr_matrix:
    values = np.concatenate(data).astype(np.float64) if data else np.zeros(0)
    columns = np.concatenate(indices) if indices else np.zeros(0, np.int64)
    return sp.csr_matrix((values, columns, indptr), shape=(rows, width))


class CharGrams:
    """Counts of a fixed vocabulary of character n-grams (sorted keys)."""

    def __init__(self, keys: np.ndarray):
        self.keys = keys

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        return char_counts(texts, self.keys)


def counters(vocabularies: Sequence[np.ndarray]) -> list[WordGrams | CharGrams]:
    """A counter per block (BLOCKS order) for fixed vocabularies: what prediction counts with."""
    return [WordGrams(v) if analyzer == "word" else CharGrams(v) for (_, analyzer), v in zip(BLOCKS, vocabularies, strict=True)]


def structure(example: Example) -> dict[str, float]:
    """Facts and detector findings as named numbers (counts as log(1 + n)); unknown facts are absent."""
    values: dict[str, float] = {}
    for name, value in example.facts.items():
        if isinstance(value, bool):
            values[f"fact:{name}"] = float(value)
        elif isinstance(value, int | float):
            values[f"fact:{name}"] = math.log1p(max(float(value), 0.0))
    counts: Counter[str] = Counter()
    for found in example.detectors:
        counts[f"detector:{found['source']}"] += 1
        counts.update(f"code:{code}" for code in found["codes"])
        if found.get("confidence") is not None:
            name = f"detector_confidence:{found['source']}"
            values[name] = max(values.get(name, 0.0), float(found["confidence"]))
    values.update((name, math.log1p(n)) for name, n in counts.items())
    return values


def structure_matrix(examples: Sequence[Example], names: Sequence[str]) -> sp.csr_matrix:
    column = {name: k for k, name in enumerate(names)}
    rows, columns, values = [], [], []
    for row, example in enumerate(examples):
        for name, value in structure(example).items():
            if name in column and value:
                rows.append(row)
                columns.append(column[name])
                values.append(value)
    return sp.csr_matrix((values, (rows, columns)), shape=(len(examples), len(names)))


def texts_of(examples: Sequence[Example], channel: str) -> list[str]:
    return [e.channels[channel] for e in examples]


@dataclass(slots=True)
class Counts:
    """Every candidate column of a labelled set, counted once: one matrix per text block and the structural one."""

    blocks: list[sp.csr_matrix]  # BLOCKS order
    vocabularies: list[np.ndarray]  # per block: the word n-grams (str) or character keys (uint64) of its columns
    structural: sp.csr_matrix
    structural_names: list[str]


def count(examples: Sequence[Example]) -> Counts:
    blocks: list[sp.csr_matrix] = []
    vocabularies: list[np.ndarray] = []
    for channel in CHANNELS:
        texts = texts_of(examples, channel)
        words, matrix = word_vocabulary(texts)
        keys = char_vocabulary(texts)
        blocks += [matrix, char_counts(texts, keys)]
        vocabularies += [words, keys]
    names = sorted({name for e in examples for name in structure(e)})
    return Counts(blocks, vocabularies, structure_matrix(examples, names), names)


def block_counts(examples: Sequence[Example], counting: Sequence[WordGrams | CharGrams]) -> list[sp.csr_matrix]:
    """Count examples against fixed vocabularies (`counters`): one matrix per block, BLOCKS order."""
    return [counter.counts(texts_of(examples, channel)) for (channel, _), counter in zip(BLOCKS, counting, strict=True)]


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """TfidfTransformer(sublinear_tf=True, norm="l2") with a fitted `idf`, as arithmetic on the sparse data."""
    x = sp.csr_matrix(counts)
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    data = (1.0 + np.log(x.data)) * idf[x.indices]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=x.shape[0]))
    data /= np.where(norms > 0, norms, 1.0)[rows]
    return sp.csr_matrix((data, x.indices.copy(), x.indptr.copy()), shape=x.shape)


@dataclass(slots=True)
class Design:
    """What is fitted on training rows: kept columns and their IDF per text block, the structural scale."""

    kept: list[np.ndarray]
    idf: list[np.ndarray]
    scale: np.ndarray

    def matrix(self, blocks: Sequence[sp.csr_matrix], structural: sp.csr_matrix) -> sp.csr_matrix:
        """The model's input for these rows (candidate columns in, kept columns out)."""
        parts = [_tfidf(block[:, kept], idf) for block, kept, idf in zip(blocks, self.kept, self.idf, strict=True)]
        parts.append(sp.csr_matrix(structural @ sp.diags(1.0 / self.scale)) if len(self.scale) else structural)
        return sp.csr_matrix(sp.hstack(parts, format="csr"))


def fit_design(counts: Counts, rows: np.ndarray) -> Design:
    kept: list[np.ndarray] = []
    idf: list[np.ndarray] = []
    n = len(rows)
    for block in counts.blocks:
        df = np.asarray((block[rows] > 0).sum(axis=0)).ravel()
        columns = np.flatnonzero((df >= MIN_DF) & (df <= MAX_DF * n))
        kept.append(columns)
        idf.append(np.log((1.0 + n) / (1.0 + df[columns])) + 1.0)  # smooth_idf, as scikit-learn's default
    top = np.asarray(abs(counts.structural[rows]).max(axis=0).todense()).ravel() if counts.structural.shape[1] else np.zeros(0)
    return Design(kept, idf, np.where(top > 0, top, 1.0))


def select(counts: Counts, design: Design, rows: np.ndarray | slice) -> sp.csr_matrix:
    return design.matrix([b[rows] for b in counts.blocks], counts.structural[rows])


def feature_names(vocabularies: Sequence[np.ndarray], structural: Sequence[str]) -> list[str]:
    """`<channel>/<analyzer>:<n-gram>` per text column, then the structural names, in column order."""
    names: list[str] = []
    for (channel, analyzer), vocabulary in zip(BLOCKS, vocabularies, strict=True):
        grams = vocabulary.tolist() if analyzer == "word" else [char_name(int(key)) for key in vocabulary]
        names += [f"{channel}/{analyzer}:{gram}" for gram in grams]
    return names + list(structural)
