"""The fitted pipeline as a direct sparse dot product, built from plain data.

``Pipeline.predict_proba`` on a one-row DataFrame spends most of its time in pandas and
validation, and loading it needs scikit-learn (the largest part of a worker's memory
and start-up time). Here each feature block is a small function that yields (column,
value) pairs from a flat row, rebuilt from the ``spec`` and ``arrays`` that
``compiler.compile_pipeline`` wrote at save time: vocabularies, analyzer settings, idf,
categories and priors. The score's weights and both side models' weights sit in one
dense matrix, so one indexed product gives the score's contributions and the six levels.
Nothing here imports scikit-learn. A test checks the values against
``Pipeline.predict_proba`` to 1e-9.
"""
from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_right
from collections import Counter
from functools import lru_cache
from itertools import chain, repeat

import numpy as np
from scipy import sparse

from .cues import claim_cues, prior_log_odds, record_shift
from .habits import habit_values
from .inputs import COUNT_COLUMNS
from .levels import HELD_UP_FROM

SPEC_FORMAT = 1       # bumped whenever the meaning of the spec changes
WORD_CACHE = 50_000   # distinct words whose character n-grams are remembered
_WHITE_SPACES = re.compile(r"\s\s+")   # as scikit-learn's char_wb analyzer collapses them


def word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """scikit-learn's word n-grams of a token list, in its order."""
    if high == 1:
        return tokens
    out = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_wb_ngrams(word: str, low: int, high: int) -> list[str]:
    """scikit-learn's char_wb n-grams of one word: padded with a space each side, a word
    shorter than n counted once."""
    padded = f" {word} "
    size = len(padded)
    out = []
    for n in range(low, high + 1):
        if size <= n:
            out.append(padded)
            break
        out.extend(padded[i:i + n] for i in range(size - n + 1))
    return out


class CharNgramColumns:
    """Each word's char_wb n-gram columns in the vocabulary, as ``char_wb_ngrams`` finds
    them, remembered per word (up to ``WORD_CACHE`` words, each as a packed array: about
    140 bytes a word where a tuple of Python ints took about 680).

    Words not yet remembered are looked up together with numpy when a batch brings them
    (a new word costs about 6 us in Python): every character maps to its place in the
    vocabulary's alphabet (0 for any other), an n-gram at each position becomes one
    integer in that base, and the integers are searched among the vocabulary's. An
    n-gram with a character outside the alphabet, or running past the word, is in no
    vocabulary. Same columns in the same order as the Python path.
    """

    def __init__(self, vocabulary: dict[str, int], low: int, high: int):
        self.vocabulary, self.low, self.high = vocabulary, low, high
        # Each word's columns as a packed array: 2 or 4 bytes a column, not a Python int.
        self.typecode = "H" if len(vocabulary) <= 2 ** 16 else "I"
        self.known: dict[str, array] = {}
        alphabet = sorted({ch for term in vocabulary for ch in term})
        self.base = len(alphabet) + 1
        self.vectorised = (bool(alphabet) and "\x00" not in alphabet and low >= 1
                           and self.base ** high < 2 ** 62)
        if not self.vectorised:
            return
        code = {ch: number for number, ch in enumerate(alphabet, start=1)}
        self.codes = np.zeros(ord(alphabet[-1]) + 1, dtype=np.int64)
        self.codes[[ord(ch) for ch in alphabet]] = list(code.values())
        terms = list(vocabulary)
        keys = np.zeros(len(terms), dtype=np.int64)
        for position, term in enumerate(terms):
            key = 0
            for ch in term:
                key = key * self.base + code[ch]
            keys[position] = key
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.columns = np.fromiter(map(vocabulary.__getitem__, terms), dtype=np.intp,
                                   count=len(terms))[order]

    def __call__(self, word: str) -> array:
        columns = self.known.get(word)
        if columns is None:
            columns = array(self.typecode, [
                j for j in map(self.vocabulary.get, char_wb_ngrams(word, self.low, self.high))
                if j is not None])
            self._remember([word], [columns])
        return columns

    def many(self, words: list[str]) -> list[array]:
        """The columns of each of these distinct words."""
        found = list(map(self.known.get, words))
        new = [w for w, columns in zip(words, found) if columns is None]
        if not new:
            return found
        if self.vectorised and len(new) > 8:
            computed = self._look_up(new)
            self._remember(new, computed)
        else:
            computed = [self(w) for w in new]
        computed = iter(computed)
        return [columns if columns is not None else next(computed) for columns in found]

    def matrix(self, words: list[str], width: int) -> sparse.csr_matrix:
        """One row per distinct word, a 1.0 at each of its n-grams' columns."""
        found = self.many(words)
        indptr = np.zeros(len(found) + 1, dtype=np.intp)
        np.cumsum(np.fromiter(map(len, found), dtype=np.intp, count=len(found)),
                  out=indptr[1:])
        indices = np.frombuffer(b"".join(found), dtype=self.typecode).astype(np.intp)
        return sparse.csr_matrix((np.ones(len(indices)), indices, indptr),
                                 shape=(len(found), width))

    def _remember(self, words, columns) -> None:
        if len(self.known) + len(words) > WORD_CACHE:
            self.known.clear()
        self.known.update(zip(words, columns))

    def _look_up(self, words: list[str]) -> list[array]:
        padded = [f" {w} " for w in words]
        # Words shorter than the smallest n are one n-gram each (char_wb_ngrams): Python.
        if min(map(len, padded)) < self.low:
            return [self(w) for w in words]
        # All the words in one row, a NUL (code 0) between them: no n-gram crosses it.
        text = "\x00".join(padded)
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        codes = self.codes[np.minimum(points, len(self.codes) - 1)]
        codes[points >= len(self.codes)] = 0
        starts = np.cumsum([0] + [len(p) + 1 for p in padded[:-1]])
        hit_at, hit_columns = [], []
        for n in range(self.low, self.high + 1):
            count = len(codes) - n + 1
            if count <= 0:
                break
            key = codes[:count].copy()
            inside = key > 0
            for k in range(1, n):
                part = codes[k:k + count]
                key = key * self.base + part
                inside &= part > 0
            at = np.flatnonzero(inside)
            key = key[at]
            where = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
            match = self.keys[where] == key
            hit_at.append(at[match])
            hit_columns.append(self.columns[where[match]])
        rows = np.searchsorted(starts, np.concatenate(hit_at), side="right") - 1
        order = np.argsort(rows, kind="stable")     # by word, then n, then position
        packed = np.concatenate(hit_columns)[order].astype(self.typecode).tobytes()
        size = array(self.typecode).itemsize
        bounds = (np.searchsorted(rows[order], np.arange(len(words) + 1)) * size).tolist()
        return [array(self.typecode, packed[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def _csr(lists, width: int) -> sparse.csr_matrix:
    """One row per list of column numbers, each entry 1.0 (repeats stay repeats)."""
    indptr = np.zeros(len(lists) + 1, dtype=np.intp)
    np.cumsum(np.fromiter(map(len, lists), dtype=np.intp, count=len(lists)), out=indptr[1:])
    indices = np.fromiter(chain.from_iterable(lists), dtype=np.intp, count=indptr[-1])
    return sparse.csr_matrix((np.ones(len(indices)), indices, indptr),
                             shape=(len(lists), width))


def _tfidf_hits(spec: dict):
    """(text -> the block columns of its n-grams as the fitted vectorizer finds them, and
    how often each is hit; texts -> sparse matrix of those counts, one row a text)."""
    vocabulary = {term: j for j, term in enumerate(spec["vocabulary"])}
    low, high = spec["ngram_range"]
    width = spec["width"]
    lower = str.lower if spec["lowercase"] else str
    if spec["analyzer"] == "char_wb":
        # char_wb n-grams never cross a word boundary, so each word's columns are cached,
        # and a batch's hits are (claims x words) @ (words x n-grams): each distinct word
        # is expanded once per batch, and scipy adds up the repeats.
        word_columns = CharNgramColumns(vocabulary, low, high)

        def words(text):
            return _WHITE_SPACES.sub(" ", lower(text)).split()

        def counts(text):
            found = b"".join(map(word_columns, words(text)))   # the words' packed columns
            return np.unique(np.frombuffer(found, dtype=word_columns.typecode),
                             return_counts=True)

        def hits(texts):
            number: dict[str, int] = {}
            claims = [[number.setdefault(w, len(number)) for w in words(t)] for t in texts]
            # A sparse product never holds a column twice in a row.
            return _csr(claims, len(number)) @ word_columns.matrix(list(number), width)
        return counts, hits

    findall = re.compile(spec["token_pattern"]).findall
    absent = (-1).__ne__

    def columns(text):
        grams = word_ngrams(findall(lower(text)), low, high)
        return tuple(filter(absent, map(vocabulary.get, grams, repeat(-1))))

    if spec["column"] != "claim":
        # Roles, channels and topics repeat from claim to claim.
        columns = lru_cache(maxsize=WORD_CACHE)(columns)

    def counts(text):
        found = Counter(columns(text))
        return (np.fromiter(found.keys(), dtype=np.intp, count=len(found)),
                np.fromiter(found.values(), dtype=np.intp, count=len(found)))

    def hits(texts):
        found = _csr(list(map(columns, texts)), width)
        found.sum_duplicates()
        return found
    return counts, hits


def _read_only(function):
    def frozen(*args):
        out = function(*args)
        for part in out:
            part.flags.writeable = False
        return out
    return frozen


def _tfidf_block(spec: dict, arrays: dict):
    counts_of, hits_of = _tfidf_hits(spec)
    column, sublinear = spec["column"], spec["sublinear_tf"]
    idf = arrays[f"idf.{spec['name']}"]

    def of_text(text):
        columns, counts = counts_of(text)
        if not len(columns):
            return np.empty(0, dtype=np.intp), np.empty(0)
        columns = columns.astype(np.intp)
        tf = counts.astype(np.float64)
        if sublinear:
            tf = np.log(tf, out=tf) + 1.0
        values = tf * idf[columns]
        return columns, values / math.sqrt(values @ values)

    if column != "claim":
        # Roles, channels and topics repeat: their few values are kept, read-only.
        of_text = lru_cache(maxsize=WORD_CACHE)(_read_only(of_text))

    def block(row):
        return of_text(row[column])

    def many(rows, weights):
        hits = hits_of([row[column] for row in rows])
        tfidf = hits.data
        if sublinear:
            np.log(tfidf, out=tfidf)
            tfidf += 1.0
        tfidf *= idf[hits.indices]
        # Each row's l2 norm divides its products, rather than its many n-grams.
        squares = np.concatenate([[0.0], np.cumsum(tfidf * tfidf)])
        norms = np.sqrt(squares[hits.indptr[1:]] - squares[hits.indptr[:-1]])
        norms[norms == 0.0] = 1.0
        return (hits @ weights) / norms[:, None]
    return block, many


def _onehot_block(spec: dict):
    index = {category: i for i, category in enumerate(spec["categories"])}
    column = spec["column"]

    def block(row):
        j = index.get(row[column])
        return ([j], [1.0]) if j is not None else ([], [])

    def many(rows, weights):
        found = np.fromiter((index.get(row[column], -1) for row in rows), dtype=np.intp,
                            count=len(rows))
        out = np.zeros((len(rows), weights.shape[1]))
        hit = found >= 0
        out[hit] = weights[found[hit]]
        return out
    return block, many


def _dense_block(values_of):
    def block(row):
        values = values_of(row)
        columns = [j for j, v in enumerate(values) if v != 0.0]
        return columns, [values[j] for j in columns]

    def many(rows, weights):
        return np.array([values_of(row) for row in rows], dtype=np.float64) @ weights
    return block, many


def _desk_block(spec: dict):
    """A desk's own habits (model/habits.py): nothing for a desk without columns."""
    desks = {desk: i for i, desk in enumerate(spec["desks"])}
    types = {kind: i for i, kind in enumerate(spec["types"])}
    scales = tuple(spec["scales"])
    desk_column, claim_column, type_column = spec["columns"]

    def block(row):
        return habit_values(desks, types, scales, row[desk_column], row[claim_column],
                            row[type_column])

    def many(rows, weights):
        out = np.zeros((len(rows), weights.shape[1]))
        for i, row in enumerate(rows):
            if row[desk_column] in desks:
                columns, values = block(row)
                out[i] = np.asarray(values) @ weights[columns]
        return out
    return block, many


def _block(spec: dict, arrays: dict):
    kind = spec["kind"]
    if kind == "tfidf":
        return _tfidf_block(spec, arrays)
    if kind == "onehot":
        return _onehot_block(spec)
    if kind == "cues":
        column = spec["column"]
        return _dense_block(lambda row: claim_cues(row[column]))
    if kind in ("type_prior", "track_record"):
        priors = {k: tuple(v) for k, v in spec["priors"].items()}
        default = tuple(spec["default_prior"])
        if kind == "type_prior":
            return _dense_block(lambda row: prior_log_odds(priors, default, row["source_type"]))
        return _dense_block(lambda row: record_shift(
            priors, default, row["source_type"], [row[c] for c in COUNT_COLUMNS]))
    if kind == "desk":
        return _desk_block(spec)
    if kind == "passthrough":
        columns = spec["columns"]
        return _dense_block(lambda row: [float(row[c]) for c in columns])
    raise ValueError(f"unknown feature block kind {kind!r}")


class CompiledPipeline:
    """Feature values, score contributions and level probabilities of flat rows."""

    def __init__(self, spec: dict, arrays: dict):
        if spec.get("format") != SPEC_FORMAT:
            raise ValueError(f"scorer spec format {spec.get('format')!r}; this code reads "
                             f"format {SPEC_FORMAT}")
        self.spec = spec
        self.blocks = []   # (name, function of one row, first column, block weight)
        self.batch_blocks = []   # (function of many rows, column slice, block weight)
        for block in spec["blocks"]:
            one, many = _block(block, arrays)
            where = slice(block["start"], block["start"] + block["width"])
            self.blocks.append((block["name"], one, block["start"], float(block["weight"])))
            self.batch_blocks.append((many, where, float(block["weight"])))
        self.block_names = [name for name, *_ in self.blocks]
        self._by_name = {name: (one, start, weight) for name, one, start, weight in self.blocks}
        self._starts = [start for _, _, start, _ in self.blocks]
        self._block_starts = np.array(self._starts, dtype=np.intp)
        self._block_weights = np.array([weight for *_, weight in self.blocks])
        self._block_numbers = np.arange(len(self.blocks))
        self.weights = np.asarray(arrays["weights"], dtype=np.float64)
        if self.weights.shape != (spec["n_features"], 1 + 2 * HELD_UP_FROM):
            raise ValueError(f"scorer weights have shape {self.weights.shape}, not "
                             f"({spec['n_features']}, {1 + 2 * HELD_UP_FROM})")
        self.score_weights = self.weights[:, 0].tolist()
        self.side_intercepts = tuple(np.asarray(arrays["side_intercepts"], dtype=np.float64))
        self.side_intercept_lists = [list(map(float, side)) for side in self.side_intercepts]
        self.intercept = float(spec["intercept"])
        self.stop_words = frozenset(spec["stop_words"])

    def feature_name(self, column: int) -> str:
        """What a column stands for: an n-gram, a cue, a context input, a category."""
        number = bisect_right(self._starts, column) - 1
        block = self.spec["blocks"][number]
        offset = column - block["start"]
        if block["kind"] == "tfidf":
            return block["vocabulary"][offset]
        if block["kind"] == "onehot":
            return f"{block['column']}_{block['categories'][offset]}"
        return block["names"][offset]

    def features(self, row: dict):
        """(columns, values, block number of each) of the row's non-zero features."""
        columns, values, lengths = [], [], []
        for _, block, _, _ in self.blocks:
            cols, vals = block(row)
            columns.append(cols)
            values.append(vals)
            lengths.append(len(cols))
        # Offsets, block weights and block numbers for all blocks in three numpy calls.
        lengths = np.array(lengths)
        return (np.concatenate(columns).astype(np.intp) + np.repeat(self._block_starts, lengths),
                np.concatenate(values) * np.repeat(self._block_weights, lengths),
                np.repeat(self._block_numbers, lengths))

    def partial_logit(self, row: dict, names) -> float:
        """The score contributions of the named blocks only (for re-scoring edits)."""
        total = 0.0
        for name in names:
            block, start, weight = self._by_name[name]
            cols, vals = block(row)
            total += weight * sum(v * self.score_weights[start + c] for c, v in zip(cols, vals))
        return total

    def evaluate(self, row: dict):
        """(score log-odds, contribution per block, six level probabilities, features)."""
        columns, values, blocks = self.features(row)
        product = values[:, None] * self.weights[columns]
        contributions = np.bincount(blocks, weights=product[:, 0], minlength=len(self.blocks))
        logit = self.intercept + float(contributions.sum())
        side_logits = product[:, 1:].sum(axis=0)
        return logit, contributions, self.levels(logit, side_logits), (columns, values, blocks)

    def evaluate_many(self, rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(score log-odds, six level probabilities) of many rows, without explanations."""
        product = np.zeros((len(rows), self.weights.shape[1]))
        for many, where, weight in self.batch_blocks:
            product += weight * many(rows, self.weights[where])
        logits = self.intercept + product[:, 0]
        score = (1.0 / (1.0 + np.exp(-logits)))[:, None]
        sides = []
        for side, share in ((0, 1.0 - score), (1, score)):
            z = product[:, 1 + side * HELD_UP_FROM:1 + (side + 1) * HELD_UP_FROM]
            z = z + self.side_intercepts[side]
            z = np.exp(z - z.max(axis=1, keepdims=True))
            sides.append(share * z / z.sum(axis=1, keepdims=True))
        return logits, np.hstack(sides)

    def levels(self, logit: float, side_logits) -> np.ndarray:
        """Six probabilities: each side's softmax, scaled by its share of the score (in
        plain floats: numpy's per-call cost is most of it for three numbers)."""
        score = 1.0 / (1.0 + math.exp(-logit))
        z = side_logits.tolist()
        out = []
        for side, share in ((0, 1.0 - score), (1, score)):
            part = [v + b for v, b in zip(z[side * HELD_UP_FROM:(side + 1) * HELD_UP_FROM],
                                          self.side_intercept_lists[side])]
            top = max(part)
            part = [math.exp(v - top) for v in part]
            total = sum(part)
            out += [share * v / total for v in part]
        return np.array(out)
