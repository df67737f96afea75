"""The closest items of a list for a team's own words (issue 12, point 5).

A team that writes a custom barrier ("request form") or strategy ("seeking advice from other iCBT
providers") is shown the items of its own list that come closest, each with a short reason, so it
can link its entry to an item (and get that item's evidence) or keep it as written.

Offline and on the CPU, nothing downloaded: the methods are lexical. Three were measured on a
labelled set of clinicians' entries (``tests/fixtures/custom_entries.yaml``,
``bench/custom_entry_matching.py``, the figures in ``docs/matching.md``):

- ``fuzzy``: rapidfuzz's token-set and partial ratios over the item's name and other names;
- ``words``: a TF-IDF cosine over stemmed words of name, other names, description and group;
- ``chars``: a TF-IDF cosine over the character 4-grams of those words, which also catches
  inflections and cognates across languages ("kompetencer" ~ "competences");
- ``combined``: a weighted sum of the three, the method the pages use (``DEFAULT_METHOD``).

The TF-IDF is hand-written: a list holds at most a few hundred short texts, and scikit-learn
(with numpy and scipy, ~100 MB) would be out of proportion for forty lines of counting.

What it cannot do: it matches words and word pieces, not meaning. An entry that shares no word or
word stem with an item ("perceived lack of ownership" vs. "Staffing and roles") is not found, and
words of another language are found only where they resemble the English ones.
"""

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from rapidfuzz import fuzz

DEFAULT_METHOD = "combined"
METHODS = ("fuzzy", "words", "chars", "combined")
# Below this combined score a "closest item" is more likely noise than help: none is suggested.
# Chosen on the benchmark: the lowest score of a correct top-3 suggestion there was 0.11.
MIN_SCORE = 0.1

# Weights of the combined score (chosen on the benchmark, see docs/matching.md).
WEIGHTS = {"words": 0.4, "chars": 0.4, "fuzzy": 0.2}
# How much each part of an item counts in the TF-IDF vectors.
FIELD_WEIGHTS = {"name": 3.0, "aliases": 3.0, "description": 1.0, "category": 0.5}

# Letters NFKD does not take apart.
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ð": "d", "þ": "th", "ł": "l"})

# Function words of the six languages, which say nothing about which item is meant. Kept short on
# purpose: domain words ("patient", "online") stay, TF-IDF already weighs common ones down.
STOP_WORDS = frozenset("""
a about an and are as at be been but by can do does for from get has have how in into is it its no nor not of on
or our so than that the their them there these they this to too was we were what when whether which who
will with without would you your other own very more many much some any each every all same just only
der die das den dem des ein eine einen einer und oder nicht kein keine keinen mit fur von bei zu zum zur
im ist sind auf aus wir ihr sie es als auch
de het een en of niet geen met voor van bij aan in op uit te is zijn wij ze er ook door tussen
og eller ikke med for af til i pa er det den de en et som vi har
el la los las un una unos unas y o no con por para del al en es son que se su sus lo
le les un une et ou ne pas avec pour par du au aux dans est sont que qui se sa son ses des
""".split())

_WORD = re.compile(r"[^\W_]+")


def fold(text):
    """Casefolded, without accents: "Formación" and "formacion", "Ärzte" and "arzte" are one word."""
    text = unicodedata.normalize("NFKD", str(text or "").casefold().translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c))


# Suffixes stripped by ``stem``, longest first. A light English stemmer, hand-written because
# the shipped lists are English and a full Porter/Snowball stemmer would be one more dependency
# for a gain the benchmark did not show; it also strips a few endings shared by the other languages.
_SUFFIXES = ("ational", "ization", "isation", "ations", "ation", "ments", "ment", "ness", "ities", "ity",
             "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "al", "s", "e")


def stem(word):
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def words(text):
    """The entry's content words as (folded word, as written), function words left out."""
    found = []
    for match in _WORD.finditer(str(text or "")):
        written = match.group(0)
        folded = fold(written)
        if folded not in STOP_WORDS and (len(folded) > 1 or folded.isdigit()):
            found.append((folded, written))
    return found


def _grams(word, n=4):
    padded = f" {word} "
    if len(padded) <= n:
        return [padded]
    return [padded[i:i + n] for i in range(len(padded) - n + 1)]


@dataclass(frozen=True)
class Candidate:
    """What the matcher needs of an item; ``item`` is handed back with the result."""

    item: object
    name: str
    aliases: tuple = ()
    description: str = ""
    category: str = ""

    @classmethod
    def of(cls, item):
        """From a library ``Item`` (its category read if it is loaded)."""
        category = item.category.name if getattr(item, "category_id", None) and item.category else ""
        return cls(item=item, name=item.name, aliases=tuple(item.aliases or ()),
                   description=item.description or "", category=category)


@dataclass
class Match:
    item: object
    score: float
    # Why it came up: which of the entry's words (as written) met which part of the item.
    name_words: list = field(default_factory=list)
    alias: str = ""
    description_words: list = field(default_factory=list)
    similar: list = field(default_factory=list)  # (entry word, item word) alike but not the same

    @property
    def why(self):
        """One short sentence for the page."""
        parts = []
        if self.alias:
            parts.append(_("close to its other name “%(alias)s”") % {"alias": self.alias})
        if self.name_words:
            parts.append(_("shares “%(words)s” with its name") % {"words": "”, “".join(self.name_words)})
        if self.description_words:
            parts.append(_("shares “%(words)s” with its description")
                         % {"words": "”, “".join(self.description_words)})
        if self.similar:
            pairs = ", ".join(f"“{a}” ≈ “{b}”" for a, b in self.similar)
            parts.append(_("similar words: %(pairs)s") % {"pairs": pairs})
        if not parts:
            return _("similar wording")
        return "; ".join(parts)


def _tfidf(docs):
    """IDF weights and unit vectors of weighted term counts ``docs`` ([Counter])."""
    n = len(docs)
    df = Counter(term for doc in docs for term in doc)
    idf = {term: math.log((1 + n) / (1 + count)) + 1 for term, count in df.items()}
    return idf, [_unit({t: w * idf[t] for t, w in doc.items()}) for doc in docs]


def _unit(vector):
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm else {}


def _cosine(a, b):
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


class Matcher:
    """The items of one list, prepared once; ``closest(text)`` ranks them for an entry."""

    def __init__(self, candidates):
        self.candidates = list(candidates)
        self._fields = []
        word_docs, gram_docs = [], []
        for c in self.candidates:
            parts = {"name": words(c.name), "aliases": [w for a in c.aliases for w in words(a)],
                     "description": words(c.description), "category": words(c.category)}
            self._fields.append(parts)
            wdoc, gdoc = Counter(), Counter()
            for part, found in parts.items():
                for folded, _written in found:
                    wdoc[stem(folded)] += FIELD_WEIGHTS[part]
                    for gram in _grams(folded):
                        gdoc[gram] += FIELD_WEIGHTS[part]
            word_docs.append(wdoc)
            gram_docs.append(gdoc)
        self._word_idf, self._word_vecs = _tfidf(word_docs)
        self._gram_idf, self._gram_vecs = _tfidf(gram_docs)
        self._fuzzy_names = [[fold(n) for n in (c.name, *c.aliases)] for c in self.candidates]

    # --- the three scores, each 0–1 ---------------------------------------------------------------

    def _query_vectors(self, entry_words):
        wq, gq = Counter(), Counter()
        for folded, _written in entry_words:
            wq[stem(folded)] += 1
            for gram in _grams(folded):
                gq[gram] += 1
        # Terms no item has carry no information about which item is meant.
        wq = _unit({t: c * self._word_idf[t] for t, c in wq.items() if t in self._word_idf})
        gq = _unit({t: c * self._gram_idf[t] for t, c in gq.items() if t in self._gram_idf})
        return wq, gq

    def _fuzzy(self, text):
        folded = " ".join(w for w, _ in words(text))
        if not folded:
            return [0.0] * len(self.candidates)
        return [max(max(fuzz.token_set_ratio(folded, n), fuzz.partial_ratio(folded, n)) for n in names) / 100
                for names in self._fuzzy_names]

    def scores(self, text, method=DEFAULT_METHOD):
        """One score per candidate (same order) for ``text`` by ``method``."""
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; one of {METHODS}")
        entry_words = words(text)
        if not entry_words:
            return [0.0] * len(self.candidates)
        wq, gq = self._query_vectors(entry_words)
        by = {}
        if method in ("words", "combined"):
            by["words"] = [_cosine(wq, v) for v in self._word_vecs]
        if method in ("chars", "combined"):
            by["chars"] = [_cosine(gq, v) for v in self._gram_vecs]
        if method in ("fuzzy", "combined"):
            by["fuzzy"] = self._fuzzy(text)
        if method != "combined":
            return by[method]
        return [sum(WEIGHTS[m] * by[m][i] for m in WEIGHTS) for i in range(len(self.candidates))]

    def closest(self, text, *, k=3, method=DEFAULT_METHOD, min_score=MIN_SCORE):
        """The ``k`` best candidates for ``text`` as ``Match``es, best first; none below ``min_score``."""
        scores = self.scores(text, method)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        found = [i for i in order[:k] if scores[i] >= min_score and scores[i] > 0]
        entry_words = words(text)
        return [self._explain(i, scores[i], entry_words) for i in found]

    # --- why -------------------------------------------------------------------------------------

    def _explain(self, index, score, entry_words):
        c, parts = self.candidates[index], self._fields[index]
        match = Match(item=c.item, score=round(score, 3))
        name_stems = {stem(w) for w, _ in parts["name"]}
        desc_stems = {stem(w) for w, _ in parts["description"] + parts["category"]}
        folded_entry = " ".join(w for w, _ in entry_words)
        for alias in c.aliases:
            if fold(alias) and fuzz.token_set_ratio(folded_entry, fold(alias)) >= 80:
                match.alias = alias
                break
        item_words = {w for part in parts.values() for w, _ in part}
        for folded, written in entry_words:
            s = stem(folded)
            if s in name_stems:
                _add(match.name_words, written)
            elif s in desc_stems:
                _add(match.description_words, written)
            else:
                like = _most_alike(folded, item_words)
                if like:
                    _add(match.similar, (written, like))
        return match


def _add(seq, value):
    if value not in seq:
        seq.append(value)


def _most_alike(word, item_words, threshold=75):
    """The item word that looks most like ``word`` (a cognate, an inflection), if any does enough."""
    if len(word) < 4:
        return ""
    best, best_score = "", threshold
    for other in item_words:
        if len(other) < 4:
            continue
        score = fuzz.ratio(word, other)
        if score >= best_score:
            best, best_score = other, score
    return best


def closest(text, items, *, k=3, method=DEFAULT_METHOD):
    """The ``k`` closest of ``items`` (library ``Item``s) for ``text``: a list of ``Match``es."""
    return Matcher(Candidate.of(i) for i in items).closest(text, k=k, method=method)


# Prepared matchers, kept per key by ``matcher_for`` (a few lists per site; preparing one takes
# about 10–20 ms, ranking an entry well under 1 ms).
_MATCHERS = {}
_MATCHERS_KEPT = 16


def matcher_for(key, items):
    """A ``Matcher`` for ``items`` (library ``Item``s), kept under ``key``: the caller names what
    the items depend on, e.g. the pack's id and checksum and the items' ids."""
    matcher = _MATCHERS.get(key)
    if matcher is None:
        if len(_MATCHERS) >= _MATCHERS_KEPT:
            _MATCHERS.pop(next(iter(_MATCHERS)))
        matcher = _MATCHERS[key] = Matcher(Candidate.of(i) for i in items)
    return matcher
