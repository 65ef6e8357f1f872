"""Round 10 of issue 23: what a name, place or organisation is made of, wherever it stands in the sentence.

Written from half A of the eighth blind set (``tests/fixtures/deid_blind8.jsonl``, styles
``elementary_play_therapy``, ``pastoral_marriage_counseling``, ``cbt_insomnia_sleep_diary`` and
``whatsapp_export_pasted``; a development set since round 10) and measured on every development set; each rule is
tested on fresh sentences in ``tests/clean/test_deid_vetting.py``.

Round 9 (:mod:`topics.clean.deid_gate`) asked for evidence of a proper name only from one word that NER alone
proposes at the start of a sentence. The rules here look at what a span is made of, anywhere in the sentence:

* :func:`abbreviation_value`: an **abbreviation with a short value** ("TIB 5.5", "AHI 4.1", "SE 81%") that NER takes
  for an organisation or a name is a measure (a longer number, "PSY 31872", is a licence or record number: last
  fix, see below);
* :func:`scripture_spans`: a **scripture reference** ("Proverbs 31", "Ephesians 5:25", "John 3:16", "1 Corinthians
  13"): a book of the Bible before a chapter (and, for a book that is also a given name, a verse) is a citation, not
  a person or a place. The book names are general vocabulary (the 66 books of the Protestant canon as printed in
  English Bibles, with "Psalm" and "Song of Songs");
* :func:`product_modifier`: a word before a **noun of a product or a medium** ("the Calm app", "a Bluey episode",
  "the Mario doll") names a product, not a person, place or employer (from any heuristic detector).

After half B of the set (``insurance_utilization_review``, ``gender_affirming_care_letter``,
``asylum_psych_evaluation``, ``incarcerated_client_session``) was scored once, its errors were read and gave a last
fix: the short value above, and two more rules of the same kind (what stands right after or inside a span):

* :func:`document_or_devotion`: a place or name **before the noun of a document** ("the Istanbul Protocol", "the
  Geneva Conventions", "the Paris Agreement") names the document; a **devotional title** ("the Virgin of
  Guadalupe", "the Virgin Mary") names a figure of worship, not a place or a person.
"""

from __future__ import annotations

import re

from topics.clean.deid_lexicon import word_set as _words

_ABBREVIATION_VALUE = re.compile(r"[A-Z]{2,6}[ \t]*(?:=|:)?[ \t]*\d{1,3}(?:[.,]\d+)?[ \t]*%?")


def abbreviation_value(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a span NER takes for a name, place or organisation is an abbreviation with a value ("TIB 5.5").

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span NER proposed.
    kind : str
        Its kind; ``NAME``, ``LOCATION`` and ``ORG`` are judged.

    Returns
    -------
    bool
        True when the span is an upper-case abbreviation of two to six letters followed by a number of one to
        three digits (with or without a decimal part or a percent sign): a measure or a score, not an identifier
        (a longer number after letters is a licence or record number: "PSY 31872" stays).
    """
    return kind in ("NAME", "LOCATION", "ORG") and bool(_ABBREVIATION_VALUE.fullmatch(text[start:end]))


_BOOKS = (
    "Genesis|Exodus|Leviticus|Numbers|Deuteronomy|Judges|Kings|Chronicles|Psalms?|Proverbs|Ecclesiastes|"
    "Song[ \t]+of[ \t]+(?:Songs|Solomon)|Lamentations|Acts|Romans|Corinthians|Galatians|Ephesians|Philippians|"
    "Colossians|Thessalonians|Hebrews|Revelation"
)
"""Books of the Bible whose name is no given name: a chapter number after it makes a citation."""
_NAME_BOOKS = (
    "Joshua|Ruth|Samuel|Ezra|Nehemiah|Esther|Job|Isaiah|Jeremiah|Ezekiel|Daniel|Hosea|Joel|Amos|Obadiah|Jonah|Micah|"
    "Nahum|Habakkuk|Zephaniah|Haggai|Zechariah|Malachi|Matthew|Mark|Luke|John|Timothy|Titus|Philemon|James|Peter|Jude"
)
"""Books of the Bible named after a person (also given names): a citation needs "chapter:verse"."""
_SCRIPTURE = re.compile(
    rf"(?<![\w'’-])(?:[1-3](?:st|nd|rd)?[ \t]+)?(?:(?:{_BOOKS})[ \t]+\d{{1,3}}(?![\d/.,]\d)|"
    rf"(?:{_NAME_BOOKS})[ \t]+\d{{1,3}}:\d{{1,3}})"
)


def scripture_spans(text: str) -> list[tuple[int, int]]:
    """Scripture references in a text ("Proverbs 31", "Ephesians 5:25", "John 3:16", "1 Corinthians 13").

    Parameters
    ----------
    text : str
        One remark, note or transcript.

    Returns
    -------
    list of tuple
        ``(start, end)`` of each reference; a name, place or organisation from a heuristic detector inside one is
        dropped.
    """
    if not any(c.isdigit() for c in text):
        return []
    return [m.span() for m in _SCRIPTURE.finditer(text)]


_PRODUCT_NOUNS = _words(
    """app apps podcast podcasts episode episodes cartoon cartoons movie movies toy toys doll dolls
    figurine figurines costume costumes playset videogame emoji emojis sticker stickers gif gifs meme memes"""
)
"""Nouns of a product or a medium: the capitalised word before one names the product ("the Calm app", "a Bluey
episode", "his Mario doll"), written by hand from general vocabulary."""


def product_modifier(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a name, place or organisation of one or two words stands before a noun of a product or a medium.

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span from a heuristic detector.
    kind : str
        Its kind; ``NAME``, ``LOCATION`` and ``ORG`` are judged.

    Returns
    -------
    bool
        True when the next word, or the second of two words of the span, is one of ``_PRODUCT_NOUNS`` ("the Calm
        app", "the Mario doll", "Angel emoji").
    """
    if kind not in ("NAME", "LOCATION", "ORG") or len(text[start:end].split()) > 2:
        return False
    words = text[start:end].split()
    if len(words) == 2 and words[1] in _PRODUCT_NOUNS:
        return True  # NER took the noun in: "Angel emoji" (round 11)
    noun = re.match(r"[ \t]+([a-z]+)\b", text[end : end + 24])
    return bool(noun and noun.group(1) in _PRODUCT_NOUNS)


_DOCUMENT_AFTER = re.compile(
    r"[ \t]+(?:Protocols?|Conventions?|Accords?|Agreement|Declaration|Principles|Guidelines|Statute|Treaty|Charter|"
    r"Doctrine)\b"
)
"""Capitalised nouns of an international document or instrument: the place or name before one names the document
("the Istanbul Protocol", "the Geneva Conventions"), written by hand from general vocabulary."""
_DEVOTION = re.compile(r"(?:the[ \t]+)?Virgin(?:[ \t]+of\b|[ \t]+Mary\b)", re.IGNORECASE)


def document_or_devotion(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a name, place or organisation names a document ("Istanbul Protocol") or a devotion ("Virgin of ...").

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span from a heuristic detector.
    kind : str
        Its kind; ``NAME``, ``LOCATION`` and ``ORG`` are judged.

    Returns
    -------
    bool
        True when a capitalised noun of a document follows the span (``_DOCUMENT_AFTER``), or when the span is or
        follows a devotional title of Mary ("the Virgin of Guadalupe", "Virgin Mary").
    """
    if kind not in ("NAME", "LOCATION", "ORG"):
        return False
    if _DOCUMENT_AFTER.match(text, end):
        return True
    if _DEVOTION.match(text[start:end]):
        return True
    return bool(re.search(r"\bVirgin[ \t]+of[ \t]+(?:the[ \t]+)?$", text[max(0, start - 20) : start]))


_FIGURES = _words(
    """adam eve cain abel noah abraham sarah isaac rebekah jacob esau rachel leah joseph moses aaron miriam pharaoh
    joshua gideon samson delilah ruth naomi boaz hannah samuel saul david goliath bathsheba solomon elijah elisha
    jezebel jonah job daniel esther mordecai nehemiah ezra isaiah jeremiah ezekiel hosea mary martha lazarus
    zacchaeus peter paul judas thomas pilate herod nicodemus barnabas timothy lydia
    elsa anna olaf moana simba nala mufasa woody buzz nemo dory shrek mario luigi bowser peach yoshi pikachu sonic
    spider-man spiderman batman superman hulk elmo grover bluey bingo bandit chase marshall skye rubble
    pooh tigger eeyore piglet barbie ken"""
)
"""Figures of the Bible and characters of children's films, television and games that clients and children talk
about: general vocabulary (biblical figures as named in English Bibles; characters of the best-known children's
films, shows, toys and games), written by hand from general knowledge. Many are also given names: a rule drops one
only where the text speaks of scripture, worship or play and no person stands around it."""
_FIGURE_CONTEXT = re.compile(
    r"\b(?:God|Lord|Jesus|Christ|Bible|[Ss]cripture|[Vv]erses?|[Pp]salms?|[Gg]ospel|[Ss]ermon|[Pp]rayers?|[Pp]ray(?:s|ed)?|"
    r"[Cc]hurch|[Aa]men|[Tt]estament|[Ss]tory|[Ss]tories|toys?|dolls?|[Pp]lay(?:s|ed|ing|room)?|[Gg]ames?|cartoons?|"
    r"episodes?|movies?|[Cc]ostumes?|sand[ \t]+tray|figurines?|[Pp]retend|[Ss]uperheroe?s?|[Cc]haracters?|"
    r"[Pp]lushies|[Ss]tuffed|watch(?:es|ed|ing)?|films?)\b"
)
"""Words of scripture, worship and play in the same text (round 11: and of watching a film, "watched Moana")."""
_FIGURE_PERSON = re.compile(
    r"(?:\b(?:dr|mr|mrs|ms|mx|miss|prof|pastor|brother|sister|father|mother|aunt|auntie|uncle|cousin|son|daughter|"
    r"wife|husband|partner|mom|mum|dad|boyfriend|girlfriend|friend|roommate|neighbou?r|boss|client|patient|named|"
    r"called|hi|hello|hey|dear|my|his|her|our|their|your)\.?|@|[ \t](?:and|&)|,)[ \t]*$",
    re.IGNORECASE,
)
_FIGURE_PERSON_AFTER = re.compile(
    r"(?:[ \t]+[A-Z][a-z]|[ \t]*\(|[ \t]*:[ \t]|[ \t]+(?:and|&)[ \t]+[A-Z]|[ \t]+(?:said|says|told|tells|asked|asks|"
    r"texted|texts|called|calls|emailed|wrote|replied|yelled|answered|wants|thinks|came|went|is[ \t]+my|was[ \t]+my|"
    r"(?:is|was|turned)[ \t]+\d)\b)"
)


def cultural_figure(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a name is a figure of the Bible or a children's character, spoken of as one.

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span from a heuristic detector.
    kind : str
        Its kind; ``NAME``, ``LOCATION`` and ``ORG`` are judged.

    Returns
    -------
    bool
        True when the span (without a possessive) is one of ``_FIGURES``, the text holds a word of scripture,
        worship, play or watching a film (``_FIGURE_CONTEXT``) or "like" or "as" stands right before it, and
        neither a title, relation or possessive word, a list or an apposition before it nor a surname, a bracket, a
        sender's colon or a verb of a person after it speaks for a person ("like Jonah, swallowed" and "burying Elsa in the sand tray" are dropped; "Pastor Ruth", "my
        friend Mario said", "Elijah Mensah" stay).
    """
    if kind not in ("NAME", "LOCATION", "ORG"):
        return False
    key = re.sub(r"['’]s?$", "", text[start:end]).lower()
    likened = re.search(r"\b(?:like|as)[ \t]+$", text[max(0, start - 8) : start])  # "sounds like Eeyore" (round 11)
    if key not in _FIGURES or not (likened or _FIGURE_CONTEXT.search(text)):
        return False
    if _FIGURE_PERSON.search(text, max(0, start - 24), start):
        return False
    end = end + 2 if text[end : end + 2] in ("'s", "’s") else end
    return not _FIGURE_PERSON_AFTER.match(text, end)


_HANDLE_SHAPE = r"@?(?=[A-Za-z0-9_]*(?:[\d_]|\.[A-Za-z0-9_]))[A-Za-z0-9_][A-Za-z0-9_.]*[A-Za-z0-9_]"
"""A user name: letters, digits, dots and underscores with a digit, an underscore or an inner dot ("nico.wav")."""
_PLATFORMS = (
    r"(?:snap|snapchat|insta|instagram|ig|tiktok|twitter|discord|twitch|kik|telegram|threads|bluesky|reddit|"
    r"facebook|fb|youtube|roblox|xbox|psn|steam)"
)
_HANDLE_BEFORE_PLATFORM = re.compile(rf"(?<![\w@/.])({_HANDLE_SHAPE})[ \t]+(?i:on|in|at)[ \t]+(?i:{_PLATFORMS})\b")
"""A user name before its platform ("add me back, nico.wav on snap")."""
_PAGE_UNDER = re.compile(
    rf"(?i:\b{_PLATFORMS}[ \t]+(?:page|account|profile|group|channel))\b[^.!?\n]{{0,40}}?"
    rf"(?:(?i:\bunder|\bcalled|\bnamed|\bas)[ \t]+({_HANDLE_SHAPE})(?![\w@])|[ \t]\(((?:{_HANDLE_SHAPE})|"
    r"[A-Z][a-z]+(?:[A-Z][A-Za-z]+){2,})\))"
)
"""A page or account and its name ("a facebook page in Uyghur under gulnara.kashgar.88", "a facebook page
(JusticeForTaeTae)": a user name or a run of capitalised words written together)."""


def handle_candidates(text: str) -> list[tuple[int, int, str, int]]:
    """User names before their platform or after a page or account of one (round 10, last fix).

    Parameters
    ----------
    text : str
        One remark, note or chat paste.

    Returns
    -------
    list of tuple
        ``(start, end, "HANDLE", 1)`` for each user name.
    """
    out = [(*m.span(1), "HANDLE", 1) for m in _HANDLE_BEFORE_PLATFORM.finditer(text)]
    for m in _PAGE_UNDER.finditer(text):
        group = 1 if m.group(1) else 2
        out.append((*m.span(group), "HANDLE", 1))
    return out
