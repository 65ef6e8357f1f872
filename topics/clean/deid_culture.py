"""Round 11 of issue 23: people named as culture, numbers that are no age, and pieces of words.

Written from half A of the ninth blind set (``tests/fixtures/deid_blind9.jsonl``, styles ``school_iep_meeting``,
``hoarding_home_visit``, ``speech_to_text_journal`` and ``music_art_therapy``; a development set since round 11) and
measured on every development set; each rule is tested on fresh sentences in ``tests/clean/test_deid_culture.py``.
The rules look at the frame a span stands in, not at the span alone:

* :func:`cultural_reference`: a musician, band, composer or painter **named as culture**: before a noun of a work
  ("a Beatles song"), after a work and "by" ("a song by Adele, Sade and Prince"), in a comparison ("very Van Gogh of
  you"), inside a quoted title of a work ('chose "Here Comes the Sun"'), a work after an artist's possessive ("Van
  Gogh's Starry Night"), or one of the best-known artists (:data:`_ARTISTS`) where the text speaks of music or art
  and no person stands around the name;
* :func:`named_method`: a name before or inside the noun of a method ("the Bonny Method", "the Feldenkrais
  technique");
* :func:`foreign_word`: a kinship or endearment word of Spanish, Hindi-Urdu, Tagalog or Arabic standing alone
  ("Amá made tamales", "Chacha said no"), an interjection ("¡Ay"), a Spanish title alone ("Dra.") or a particle in
  lower case ("lang", "yung", "kasi") is no name; a kinship word that is also a given name ("Lola", "Nana") is
  none where the text uses another kinship word as one ("Tita said ... Lola just prayed");
* :func:`exclamation_or_devotion`: a sacred name in an exclamation ("¡Ay, Jesús!", "Dios mío", "Jesús, María y
  José"), a figure of devotion ("Guadalupe on the candle"), and a Spanish devotional title ("la Virgen de Guadalupe", "el Ángel de la Guarda"; the English ones are in
  :func:`topics.clean.deid_vetting.document_or_devotion`);
* :func:`contraction_piece`: a "name" cut out of a contraction ("Don" of "Don't");
* :func:`not_an_age`: a number before a unit of measure ("92 bpm", "40 mg") or a small number in a clock-time frame
  ("took it at like eleven, woke up at four") is no age;
* :func:`instrument_conjunct`: a name joined to a clinical term as its like ("the Conners and the Vanderbilt");
* :func:`abbreviation_kind`: an upper-case abbreviation after "a" or "an" and before a lower-case noun ("a CO
  detector", "an IEP meeting") names a kind of thing, not an organisation or a place.
"""

from __future__ import annotations

import re

from topics.clean.deid_lexicon import word_set as _words
from topics.clean.deid_styles import clinical_spans

_NAMED = ("NAME", "LOCATION", "ORG")

_WORK_NOUNS = (
    r"songs?|albums?|tracks?|records?|lyrics|concerts?|tours?|paintings?|portraits?|posters?|prints?|murals?|"
    r"sculptures?|playlists?|covers?|tunes?|symphon(?:y|ies)|sonatas?|concertos?|requiem|operas?|ballads?|"
    r"melod(?:y|ies)|vinyl|cd|mixtape|music|pieces?|poems?|novels?|films?|documentar(?:y|ies)|tickets?|merch"
)
"""Nouns of a work of music, art or writing (general vocabulary, written by hand)."""
_WORK_AFTER = re.compile(rf"[ \t]+(?i:{_WORK_NOUNS})\b")
_WORK_BY = re.compile(
    rf"\b(?i:{_WORK_NOUNS})[ \t]+by[ \t]+(?:(?:the[ \t]+)?[A-Za-zÀ-ÿ][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*)*"
    r"(?:[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+(?:and|&)[ \t]+))*(?:the[ \t]+)?$"
)
"""A work, "by" and a list of artists up to the span ("a song by Adele", "music by Mozart, Bach and Barber")."""
_COMPARISON = re.compile(r"[ \t]+of[ \t]+(?:you|him|her|them|me|us)\b|[-–][ \t]?(?:style|esque|like)\b|[ \t]+style\b")
_COMPARISON_BEFORE = re.compile(r"\b(?i:very|so|such[ \t]+a|total|super|too)[ \t]+$")
_TITLE_CUE = re.compile(
    rf"\b(?i:{_WORK_NOUNS}|chose|chosen|picked|played|plays|sang|sings|hummed|titled|listened[ \t]+to|"
    r"listening[ \t]+to|put[ \t]+on)[ \t]*[:,]?[ \t]*$"
)
_QUOTED_TITLE = re.compile(r"[\"“]([A-Z][\w'’-]*(?:[ \t]+[\w'’-]+){1,7})[\"”]")
_SMALL_WORDS = _words("a an the of on in to and or for with at by from like me you my your it is are be")

_ARTISTS = _words(
    """adele beyonce beyoncé rihanna drake eminem madonna prince elvis sade shakira usher cher bjork björk sting
    bono lizzo seal enya moby pink lorde billie-eilish taylor-swift bob-marley marley bob-dylan johnny-cash
    dolly-parton parton michael-jackson whitney-houston aretha-franklin tupac biggie kanye kanye-west
    kendrick-lamar jay-z ed-sheeran sheeran bruno-mars ariana-grande olivia-rodrigo
    phoebe-bridgers bridgers sza frank-ocean kurt-cobain nirvana metallica coldplay radiohead queen abba
    freddie-mercury beatles the-beatles stones rolling-stones the-rolling-stones pink-floyd led-zeppelin
    bts blackpink selena-gomez celine-dion elton-john bowie david-bowie springsteen bruce-springsteen
    nina-simone billie-holiday ella-fitzgerald louis-armstrong miles-davis coltrane john-coltrane
    stevie-wonder marvin-gaye otis-redding sam-cooke bill-withers lana-del-rey hozier linkin-park
    mozart beethoven bach chopin vivaldi handel haydn schubert brahms tchaikovsky debussy ravel satie barber
    copland gershwin wagner verdi puccini liszt mahler grieg dvorak dvořák rachmaninoff rachmaninov stravinsky
    einaudi pachelbel elgar holst
    van-gogh picasso monet manet renoir cezanne cézanne matisse rembrandt vermeer michelangelo da-vinci
    leonardo-da-vinci frida-kahlo kahlo diego-rivera warhol andy-warhol basquiat banksy pollock
    jackson-pollock rothko o'keeffe georgia-o'keeffe dali dalí salvador-dali magritte klimt munch hokusai
    kusama yayoi-kusama bob-ross keith-haring haring
    sinatra frank-sinatra dean-martin elvis-presley johnny-mathis vicente-fernández vicente-fernandez juan-gabriel
    selena-quintanilla celia-cruz bad-bunny shakespeare sylvia-plath plath maya-angelou hemingway rumi mary-oliver
    toni-morrison tolkien stephen-king"""
)
"""The best-known musicians, bands, composers and painters of popular and classical culture (general knowledge,
written by hand; multi-word names joined by "-"). A rule drops one only where the text speaks of music or art and
no person stands around it (:func:`cultural_reference`)."""
_ARTS_CONTEXT = re.compile(
    r"(?i:\b(?:songs?|music|musician|playlists?|albums?|listen(?:s|ed|ing)?|sing(?:s|ing|er)?|sang|band|concerts?|"
    r"lyrics|tracks?|guitar|piano|drum(?:s|ming)?|ukulele|melod(?:y|ies)|spotify|radio|vinyl|records?|"
    r"paint(?:s|ed|ing|ings)?|drawings?|drew|draw|art|artist|museum|gallery|murals?|sculptures?|posters?|"
    r"portraits?|canvas|sketch(?:es|ed)?|composers?|symphon(?:y|ies)|opera|concertos?|sonatas?|jazz|rap|rock|"
    r"hip-hop|tunes?|hum(?:s|med|ming)?|danc(?:e|ed|ing)|choir|imagery|GIM|play(?:s|ed|ing)|poems?|poet(?:ry)?|"
    r"books?|novels?|read(?:s|ing)?|author|quotes?|tickets?)\b)"
)
_PERSON_BEFORE = re.compile(
    r"(?:\b(?:dr|mr|mrs|ms|mx|miss|prof|pastor|teacher|coach|brother|sister|father|mother|aunt|auntie|uncle|"
    r"cousin|son|daughter|wife|husband|partner|mom|mum|dad|boyfriend|girlfriend|friend|friends|roommate|"
    r"neighbou?r|boss|client|patient|pt|named|called|hi|hello|hey|dear|my|his|her|our|their|your|with)\.?|@)"
    r"[ \t]*$",
    re.IGNORECASE,
)
_PERSON_AFTER = re.compile(
    r"(?:[ \t]*\(|[ \t]*:[ \t]|,?[ \t]+(?:\d{1,2}|said|says|told|tells|asked|asks|texted|texts|called|calls|"
    r"emailed|wrote|replied|yelled|answered|wants|thinks|came(?![ \t]+up)|went|is[ \t]+my|was[ \t]+my|(?:is|was|turned)[ \t]+\d|"
    r"and[ \t]+I|and[ \t]+me)\b)"
)


def _key(piece: str) -> str:
    piece = re.sub(r"['’]s?$", "", piece.strip())
    piece = re.sub(r"^(?i:the)[ \t]+", "", piece)
    return re.sub(r"[ \t]+", "-", piece.lower())


def _possessive_end(text: str, end: int) -> int:
    return end + 2 if text[end : end + 2] in ("'s", "’s") else end


def cultural_reference(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a name, place or organisation is an artist, a band or a work named as culture.

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
        True for a span of one to three words before a noun of a work ("the Beatles song"), after a work and "by"
        ("a song by Adele"), in a comparison ("very Van Gogh of you", "Kübler-Ross style"), inside a quoted title
        after a work or a verb of playing or choosing ('picked "Here Comes the Sun"'), right after an artist's
        possessive ("Van Gogh's Starry Night"), or one of :data:`_ARTISTS` in a text about music or art with no
        title, relation, possessive word or greeting before it and no bracket, age or verb of a person after it.
    """
    if kind not in _NAMED or len(text[start:end].split()) > 3:
        return False
    after = _possessive_end(text, end)
    if after == end and _WORK_AFTER.match(text, end):
        return True
    if _WORK_BY.search(text, max(0, start - 80), start):
        return True
    if _COMPARISON_BEFORE.search(text, max(0, start - 12), start) and _COMPARISON.match(text, end):
        return True
    if re.match(r"[-–][ \t]?(?:style|esque)\b|[ \t]+style[ \t]*(?:[,.;!?]|$)", text[end : end + 12]):
        return True
    for m in _QUOTED_TITLE.finditer(text, max(0, start - 80), min(len(text), end + 80)):
        if m.start(1) <= start and end <= m.end(1) and _TITLE_CUE.search(text, max(0, m.start() - 30), m.start()):
            words = m.group(1).split()
            if len(words) >= 2 and any(w.lower() in _SMALL_WORDS for w in words) or len(words) >= 3:
                return True
    inner = re.match(r"(.+?)['’]s[ \t]+[A-Z]", text[start:end])
    if inner and (_key(inner.group(1)) in _ARTISTS or _key(inner.group(1).split()[-1]) in _ARTISTS):
        return True  # NER took the artist's possessive and the work together: "Monet's Water Lilies"
    owner = re.search(r"([\w.'’-]+(?:[ \t]+[\w.'’-]+)?)['’]s[ \t]+$", text[max(0, start - 40) : start])
    if owner and (_key(owner.group(1)) in _ARTISTS or _key(owner.group(1).split()[-1]) in _ARTISTS):
        return True
    previous = re.search(r"([A-Z][\w'’-]*)[ \t]+$", text[max(0, start - 20) : start])
    key = _key(text[start:end])
    if previous and f"{previous.group(1).lower()}-{key}" in _ARTISTS:
        key = f"{previous.group(1).lower()}-{key}"  # "Gogh" of "Van Gogh", cut by a better detector
    following = re.match(r"[ \t]+([A-Z][\w'’-]*)", text[end : end + 30])
    if following and f"{key}-{following.group(1).lower()}" in _ARTISTS:
        key = f"{key}-{following.group(1).lower()}"  # "Vicente" of "Vicente Fernández"
    if key in _ARTISTS and re.match(r"['’]s[ \t]+[A-Z]", text[end : end + 4]):
        return True  # an artist's possessive before a title: "Van Gogh's Sunflowers"
    if key not in _ARTISTS or not _ARTS_CONTEXT.search(text):
        return False
    if _PERSON_BEFORE.search(text, max(0, start - 24), start):
        return False
    return not _PERSON_AFTER.match(text, after)


_METHOD = re.compile(r"(?i:method|technique)\b|Model\b|Approach\b")


def named_method(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a name, place or organisation names a method ("the Bonny Method", "the Alexander technique").

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
        True when the span holds or is followed by "Method" or "technique" (any case) or a capitalised "Model" or
        "Approach".
    """
    if kind not in _NAMED:
        return False
    words = text[start:end].split()
    if len(words) > 1 and any(_METHOD.fullmatch(w.strip(".,;:")) for w in words[1:]):
        return True
    return bool(re.match(r"[ \t]+", text[end:]) and _METHOD.match(text[end:].lstrip(" \t")))


def contraction_piece(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a would-be name is the first piece of a contraction ("Don" of "Don't", "Won" of "Won't").

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span.
    kind : str
        Its kind; ``NAME``, ``LOCATION`` and ``ORG`` are judged.

    Returns
    -------
    bool
        True when an apostrophe and "t" follow the span directly and end the word.
    """
    return kind in _NAMED and bool(re.match(r"['’]t(?![\w])", text[end : end + 3]))


_UNIT_AFTER = re.compile(
    r"[ \t]*(?i:bpm|mg|mcg|ml|cc|mmhg|kg|kgs|kilos?|lbs?|pounds?|grams?|percent|%|degrees?|°|mph|km|miles?|"
    r"minutes?|mins?|hours?|hrs?|seconds?|secs?|times|bucks|dollars|cents|calories|steps|reps|beats|words|points|"
    r"units|cm|inches|feet|ft|o['’]clock|am|pm|a\.m\.|p\.m\.)(?![\w])"
)
"""Units of measure, money, counts and clock time: a number before one is no age (weeks, months and years are left
out: "at 18 months" is a child's age)."""
_MEASURE_VERB = re.compile(
    r"\b(?i:held|holds|holding|stayed|stays|staying|settled|settles|remained|remains|steady|hovered|hovers|"
    r"hovering|plateaued|capped|clocked|measured|measuring|sats?|spo2|o2|pulse|hr|bp|rate)[ \t]+(?:at|around|near)"
    r"(?:[ \t]+(?:about|around|roughly))?[ \t]*$"
)
"""A verb of a reading or a vital sign before "at" ("rhythm held at 104", "sats stayed at 93"): a measure."""
_CLOCK_WORDS = re.compile(
    r"(?i:\b(?:woke|wake|wakes|waking|woken|bed|bedtime|asleep|slept|alarm|midnight|noon|o['’]clock)\b)"
)
_CLOCK_NUMBER = re.compile(r"(?i:\bat[ \t]+(?:like|around|about|maybe|roughly|exactly)?[ \t]*)$")
_SMALL_NUMBERS = _words("one two three four five six seven eight nine ten eleven twelve 1 2 3 4 5 6 7 8 9 10 11 12")


def not_an_age(text: str, start: int, end: int) -> bool:
    """Whether a would-be age is a measure or a clock time.

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span.

    Returns
    -------
    bool
        True when a unit of measure, money, a count or clock time follows the number ("settled at 92 bpm") or the
        same number elsewhere in the text ("90 mg ... hold at 90"), or
        when a number of one to twelve after "at" (with or without "like", "around", "about") stands in a text
        that speaks of waking, sleeping or the clock ("took it at like eleven, woke up at four").
    """
    if _UNIT_AFTER.match(text, end) or _MEASURE_VERB.search(text, max(0, start - 30), start):
        return True
    number = re.escape(text[start:end])
    if re.search(rf"(?<![\w.,]){number}(?![\w.,]\d)", text[:start] + " " * (end - start) + text[end:]) and any(
        _UNIT_AFTER.match(text, m.end())
        for m in re.finditer(rf"(?<![\w.,]){number}(?![\w.,]\d)", text)
        if m.start() != start
    ):
        return True  # "from 80 mg to 90 mg ... hold at 90": the same number with a unit elsewhere
    return bool(
        text[start:end].lower() in _SMALL_NUMBERS
        and _CLOCK_NUMBER.search(text, max(0, start - 20), start)
        and _CLOCK_WORDS.search(text)
    )


def abbreviation_kind(text: str, start: int, end: int, kind: str) -> bool:
    """Whether an upper-case abbreviation after "a" or "an" names a kind of thing ("a CO detector").

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span.
    kind : str
        Its kind; ``ORG`` and ``LOCATION`` are judged.

    Returns
    -------
    bool
        True when the span is two to five upper-case letters, "a" or "an" stands right before it and a lower-case
        noun right after it ("a CO detector", "an IEP meeting"): an indefinite article before an organisation's
        initials speaks of a kind, not of one organisation.
    """
    if kind not in ("ORG", "LOCATION") or not re.fullmatch(r"[A-Z]{2,5}", text[start:end]):
        return False
    return bool(
        re.search(r"\b(?i:a|an)[ \t]+$", text[max(0, start - 4) : start]) and re.match(r"[ \t]+[a-z]{3,}", text[end:])
    )


_KINSHIP = _words(
    """amá apá amà mamá papá mami papi mija mijo mijita mijito chacha chachi chachu chachaji mausi masi mamu mamaji
    bua phupho phuphi nani nana-ji dadi dadu nanu bhai bhaiya bhaijaan bhabhi didi beta beti anak bunso ading
    habibi habibti habibty yaar"""
)
"""Kinship and endearment words of Spanish, Hindi-Urdu, Tagalog and Arabic that the kinship titles of
:data:`topics.clean.deid_family.KIN_TITLES` do not hold (general vocabulary, written by hand): alone, no name."""


_PARTICLES = _words(
    """lang yung 'yung kasi kay ni sa na ng nang po ba daw raw naman talaga din rin pa ko mo siya ako ikaw niya
    natin namin sila kami tayo ang mga nga pala eh diba ito iyan yan yun dito diyan doon kanina bukas ngayon wala
    meron hindi oo opo sana baka para pag kung kapag lahat ganun ganito
    hai hain tha thi nahi nahin kya kyun toh bhi se ka ki ke ko mein hum tum aap yeh woh kuch bahut bohot theek
    thik chal abhi phir
    que pero porque ya va muy bien mal hoy mañana también nada todo eso esto pues bueno entonces"""
)
"""Function words of Tagalog, romanised Hindi-Urdu and Spanish (particles, pronouns, conjunctions; general
vocabulary, written by hand): in lower case, no name."""
_TITLES_ALONE = _words("dra sra srta sr lic licda ing")
"""Spanish titles (doctora, señora, señorita, señor, licenciado/a, ingeniero): alone, no name."""


def foreign_word(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a would-be name is a kinship word, an interjection, a title or a particle of another language.

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span.
    kind : str
        Its kind; ``NAME`` is judged, and a title alone also as ``LOCATION`` or ``ORG``.

    Returns
    -------
    bool
        True when the whole span (without a possessive or punctuation) is one of :data:`_KINSHIP` ("Chacha
        said"), :data:`_INTERJECTIONS` ("¡Ay"), :data:`_TITLES_ALONE` ("Dra."), or, in lower case, one of
        :data:`_PARTICLES` ("pang-Americano lang").
    """
    if kind not in _NAMED:
        return False
    piece = re.sub(r"['’]s?$", "", text[start:end].strip("¡!¿?.,;:\"'“” \t"))
    key = piece.lower().replace(" ", "-")
    if key in _TITLES_ALONE:
        return True
    if kind != "NAME":
        return False
    if key in _KINSHIP or key in _INTERJECTIONS:
        return True
    if piece.islower() and key in _PARTICLES:
        return True
    if key not in _KIN_GIVEN or not piece[:1].isupper():
        return False
    others = [m for m in _KIN_WORD.finditer(text) if not (m.start() <= start < m.end())]
    return any(not re.match(r"[ \t]+[A-Z]", text[m.end() : m.end() + 2]) for m in others)


_KIN_GIVEN = _words("lola nana oma mimi gigi bibi tata nonna yaya")
"""Kinship words that are also given names (Lola, Nana, Oma ...)."""
_KIN_WORD = re.compile(
    r"\b(?:[Mm]a|[Pp]a|[Mm]om|[Dd]ad|[Mm]um|[Gg]randma|[Gg]randpa|[Nn]ana|[Ll]ola|[Ll]olo|[Tt]ita|[Tt]ito|[Aa]te|"
    r"[Kk]uya|[Aa]buela|[Aa]buelo|[Tt][ií]a|[Tt][ií]o|[Oo]ma|[Oo]pa|[Nn]onna|[Nn]onno|[Aa]unt(?:ie|y)?|[Uu]ncle)\b"
)
"""A kinship word in English, Tagalog, Spanish, German or Italian."""


_INTERJECTIONS = _words(
    """ay ayy ey oye órale orale ándale andale híjole hijole ojalá ojala naku hay-naku grabe sige hala arre arey
    accha acha achha haan yalla wallah inshallah mashallah alhamdulillah aiyo aiyoo ayyo"""
)
"""Interjections of Spanish, Tagalog, Hindi-Urdu and Arabic (general vocabulary, written by hand): no name."""
_SACRED = r"(?:Jes[uú]s|Dios|Cristo|Christ|Mar[ií]a|Virgen|Santo|Señor)"
_EXCLAMATION_BEFORE = re.compile(r"(?:^|[¡!.,;:\s])(?i:ay+|ah|oh|ave|válgame|valgame|dios)[ \t]*,?[ \t]*¡?$")
_HOLY_FAMILY = re.compile(r"Jes[uú]s,?[ \t]+Mar[ií]a,?[ \t]+(?:y|and)[ \t]+Jos[eé]")
_SPANISH_DEVOTION = re.compile(
    r"(?:(?:la[ \t]+)?Virgen(?:[ \t]+(?:de|del|María)\b)?|(?:el[ \t]+)?[ÁA]ngel[ \t]+de[ \t]+la[ \t]+Guarda|"
    r"Santo[ \t]+Niño|Sagrado[ \t]+Corazón|Nuestra[ \t]+Señora[ \t]+de(?:l)?\b)"
)
_DEVOTIONAL = _words(
    "guadalupe virgencita lupita-de-tepeyac san-judas juditas san-judas-tadeo santo-niño st.-jude saint-jude"
)
"""Figures of Catholic devotion named by one word (general knowledge): a name only where no person stands by."""
_DEVOTION_CONTEXT = re.compile(
    r"(?i:\b(?:candles?|veladoras?|altar|rosary|rosario|shrine|statue|medal(?:la)?|estampitas?|prayer[ \t]+cards?|"
    r"novena|saints?|santos?|santa|virgen|virgin|pray(?:s|ed|ing)?|rez[oa]|misa|mass|feast)\b)"
)
_INSTITUTION_AFTER = re.compile(
    r"[^.!?\n]{0,30}?\b(?:Hospital|Church|Parish|School|Academy|Medical|Center|Centre|Clinic|Iglesia|Parroquia|"
    r"Escuela|Colegio|Hospice|Home|College|University)\b"
)


def exclamation_or_devotion(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a name, place or organisation is an exclamation, a figure of devotion or a Spanish devotional title.

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span.
    kind : str
        Its kind; ``NAME``, ``LOCATION`` and ``ORG`` are judged.

    Returns
    -------
    bool
        True for a sacred name after an interjection and before punctuation ("¡Ay, Jesús!", "Ay Dios mío"), a name
        inside "Jesús, María y José", "Dios" (God in Spanish), a figure of devotion (:data:`_DEVOTIONAL`,
        "Guadalupe on the candle") where the text speaks of devotion and no person stands around it, and a span
        that is, holds or follows a Spanish devotional title ("la Virgen de Guadalupe", "el Ángel de la Guarda")
        unless an institution's noun follows ("Nuestra Señora de Guadalupe Church" stays).
    """
    if kind not in _NAMED:
        return False
    piece = text[start:end].strip("¡!¿?.,;:\"'“” \t")
    if piece in ("Dios", "dios"):
        return True  # God in Spanish ("Dios mío", "si Dios quiere")
    if (
        re.fullmatch(_SACRED, piece)
        and _EXCLAMATION_BEFORE.search(text, max(0, start - 12), start)
        and (re.match(r"[ \t]*(?:[!¡,.?]|m[ií]o\b|santo\b)", text[end:]) or end == len(text))
        or re.fullmatch(_SACRED, piece)
        and re.match(r"[ \t]+(?:m[ií]o|sant[oa]|bendit[oa])\b", text[end:])
    ):
        return True
    for m in _HOLY_FAMILY.finditer(text):
        if m.start() <= start and end <= m.end():
            return True
    if (
        _key(piece) in _DEVOTIONAL
        and _DEVOTION_CONTEXT.search(text)
        and not _PERSON_BEFORE.search(text, max(0, start - 24), start)
        and not _PERSON_AFTER.match(text, _possessive_end(text, end))
    ):
        return True
    lo = max(0, start - 40)
    for m in _SPANISH_DEVOTION.finditer(text, lo, min(len(text), end + 25)):
        touches = m.start() <= start < m.end() or start <= m.start() < end or text[m.end() : start].strip() == ""
        if touches and not _INSTITUTION_AFTER.match(text, max(end, m.end())):
            return True
    return False


def instrument_conjunct(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a name, place or organisation is joined to a clinical term as its like ("the Conners and the X").

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span.
    kind : str
        Its kind; ``NAME``, ``LOCATION`` and ``ORG`` are judged.

    Returns
    -------
    bool
        True when "the" stands before the span and a clinical term (an instrument, a medicine, a therapy of
        ``clinical_terms.txt``) with "the" is joined to it by "and", "or" or a comma, before or after it: two
        things of one kind ("the Conners and the Vanderbilt", "the Vanderbilt or the BASC").
    """
    if kind not in _NAMED or not re.search(r"\bthe[ \t]+$", text[max(0, start - 5) : start]):
        return False
    clinical = clinical_spans(text)
    before = re.search(
        r"\b(?i:the)[ \t]+(\S+)[ \t]*(?:,|and|or)[ \t]*(?:and[ \t]+|or[ \t]+)?the[ \t]+$",
        text[max(0, start - 60) : start],
    )
    if before:
        s = max(0, start - 60) + before.start(1)
        if any(a <= s < b for a, b in clinical):
            return True
    after = re.match(r"[ \t]*(?:,|and|or)[ \t]*(?:and[ \t]+|or[ \t]+)?the[ \t]+(\S+)", text[end:])
    return bool(after and any(a <= end + after.start(1) < b for a, b in clinical))
