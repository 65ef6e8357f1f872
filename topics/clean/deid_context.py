"""De-identification rules of round 7: what makes a candidate credible in context, and identifiers of new forms.

Patterns of form and context, written by hand from general knowledge (issue 23), none a word list of one data set:

**Filters** (:func:`not_identifier_in_context`): a span that has the form of an identifier but is none.

* An object pronoun is never a name ("we named him Teodoro": ``him``).
* A government form or a diagnosis code is no place, organisation or name: ``I-94``, ``N-400``, ``DS-160``, ``W-2``
  (one to three capitals, a dash, digits) and ICD-10 codes (``F43.10``, ``Z63.0``).
* A chat's broadcast mention (``@channel``, ``@here``, ``@everyone``) is no user's handle.
* A lower-case kinship title after a possessive or beside another kinship word is a relative, not a name ("my tita
  and lola", "her lolo").
* A number after "at" in a pregnancy's timeline is a week of gestation, not an age ("induced at 39" where the
  text speaks of weeks, gestation, induction or delivery).
* A given name that is also an English word, opening a sentence and followed by a noun and a preposition, is the
  word ("Frank conversations with ...", "Max security for two years"), unless a verb of speech follows.

**Candidates** (:func:`context_candidates`):

* a name filed as "SURNAME, Given" (capitals first: "MOHAMMADI, Zahra"), both parts, when the given name is listed
  or a quote or a form's field stands before it;
* a pet named before "the cat/dog" ("Peanut the cat"), a letter addressed "To Biscuit:";
* a name before a possessive kinship word ("Bashir's wife"), the name given in "we named him Teodoro"; a nickname
  in quotes after a companion word ("my cellie "Smoke"") or before "real name"; a lower-case name after a greeting
  ("Hey kiki.", not "Hey bestie.");
* the name after "Sent from my iPhone" in a signature;
* a year range ("2011 to 2025", "2003 - 2024"), a day range's second day ("Jan 6-12"), an ordinal date with a
  lower-case month ("the fifth of july"), dates of the Persian, Islamic and Hebrew calendars ("6 Aban 1402");
* a baby's age in weeks or months ("he's six weeks"), an age in parentheses with a description ("Ezra (trans
  guy, 17)", "Gareth Lowe (29, two years younger)"), a forum's age tag ("14/nb", "17/m");
* an ID after an inmate or corrections label ("DOC # 4471820");
* a user name after a platform word and a comma or colon ("my Spotify, sophieinthestars,");
* a cemetery, stadium, library or building by name ("Ridgeview Cemetery", "Marrow Science Building"), a team
  before its age group ("the Eastside Storm u16s"), a Discord server ("the Lavender Haze server").
"""

from __future__ import annotations

import re

from topics.clean.deid_evidence import _NOTE_ABBREVIATIONS, _STATE_CODES
from topics.clean.deid_family import KIN_TITLES
from topics.clean.deid_lexicon import (
    AGE_PRIORITY,
    DATE_PRIORITY,
    HANDLE_PRIORITY,
    ID_PRIORITY,
    NAME_PRIORITY,
    ORG_PRIORITY,
    PLACE_PRIORITY,
    english_words,
    first_names,
    ordinary_words,
)
from topics.clean.deid_lexicon import word_set as _words
from topics.clean.deid_styles import clinical_terms

__all__ = ["context_candidates", "not_identifier_in_context"]

_U = "A-ZÀ-ÖØ-Þ"
_L = "a-zß-öø-ÿ"
_CAP = rf"[{_U}][{_L}]+(?:[-'’][{_U}]?[{_L}]+)?"
_NUMBER_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|"
    r"nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen)"
)
_MONTH_FULL = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"

# -- filters --------------------------------------------------------------------------------------------------

_PRONOUNS = _words("him her them he she they it his hers its me you us we i")
_FORM_CODE = re.compile(r"[A-Z]{1,3}-\d{1,4}[A-Z]?")
"""A government form: I-94, I-130, N-400, DS-160, W-2 (the US immigration, visa and tax forms' numbering)."""
_ICD_CODE = re.compile(r"[A-TV-Z]\d{2}(?:\.\d{1,4}[A-Z]?)?")
_BROADCAST = _words("@channel @here @everyone @all")
_POSSESSIVE_BEFORE = re.compile(r"\b(?:my|our|his|her|their|your|mi|mis|su|sus)[ \t]+$", re.IGNORECASE)
_PREGNANCY = re.compile(
    r"(?i:\b(?:pregnan\w*|gestation\w*|trimester|induc\w*|deliver\w*|preeclampsia|pre-eclampsia|preterm|premature|"
    r"c-section|contractions|labou?r|due[ \t]+date|ultrasound|scan|sonogram|OB|OBGYN|midwife|doula|birth\w*)\b)"
)
_AT_NUMBER = re.compile(r"\bat[ \t]+$")
_SPEECH_NEXT = _words(
    """is was has had have says said told tells asked asks called calls texted texts wants wanted thinks thought
    and or but will would can could did does knows knew came comes went goes got gets gave left loves loved"""
)
_NOUN_THEN = re.compile(r"[ \t]+([a-z]{3,})[ \t]+(?:with|for|of|about|in|on|at|from|to)\b")


def _verbish(word: str) -> bool:
    """Whether an English word has verb forms in the vocabulary ("feed": feeding), so may be a verb."""
    english = english_words()
    forms = (word + "ing", word + "ed", word[:-1] + "ing" if word.endswith("e") else "", word + word[-1:] + "ing")
    return any(f and f in english for f in forms)


def not_identifier_in_context(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a candidate span has an identifier's form but, in its context, is none.

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The candidate span.
    kind : str
        Its kind.

    Returns
    -------
    bool
        True for a pronoun taken for a name, a form or diagnosis code taken for a name, place or organisation, a
        chat's broadcast mention taken for a handle, a lower-case kinship word after a possessive or beside
        another, a week of gestation taken for an age, and a given name that is an English word used as the word
        at the start of a sentence (see the module's description).
    """
    piece = text[start:end]
    key = piece.lower()
    if kind == "NAME" and key in _PRONOUNS:
        return True
    if kind in ("NAME", "LOCATION", "ORG") and (_FORM_CODE.fullmatch(piece) or _ICD_CODE.fullmatch(piece)):
        return True
    if kind == "HANDLE" and key in _BROADCAST:
        return True
    if kind == "NAME" and piece.islower() and key in KIN_TITLES:
        before = text[max(0, start - 30) : start]
        if _POSSESSIVE_BEFORE.search(before):
            return True
        prev = re.search(r"([a-zá-ú]+)[ \t]+(?:and|or|&|y)[ \t]+$", before)
        if prev and prev.group(1) in KIN_TITLES:
            return True
        after = re.match(r"[ \t]+(?:and|or|&|y)[ \t]+([a-zá-ú]+)", text[end:])
        if after and after.group(1) in KIN_TITLES:
            return True
    if (
        kind == "AGE"
        and piece.isdigit()
        and 20 <= int(piece) <= 42
        and _AT_NUMBER.search(text[:start])
        and _PREGNANCY.search(text)
        and re.search(r"\b\d{1,2}[ \t]*(?:weeks|wks)\b", text)
    ):
        return True  # "preeclampsia scare at 36, induced at 39" after "at 28 weeks"
    return kind == "NAME" and _word_before_noun(text, start, end)


def _word_before_noun(text: str, start: int, end: int) -> bool:
    """A given name that is an English word, opening a sentence before a noun and a preposition ("Frank
    conversations with", "Max security for"), and not written again later in the text."""
    piece = text[start:end]
    key = piece.lower()
    if not (piece.isalpha() and piece[:1].isupper() and not piece.isupper()):
        return False
    if key not in ordinary_words() or key not in english_words() or not _sentence_start(text, start):
        return False
    noun = _NOUN_THEN.match(text, end)
    if not noun or noun.group(1) in _SPEECH_NEXT or noun.group(1).endswith("ed"):
        return False
    return not re.search(rf"\b{re.escape(piece)}\b", text[end:])


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    if re.search(r"\b(?:Dr|Mr|Mrs|Ms|Mx|Prof|St|Sr|Jr|Fr|Rev|Sgt|Lt|Capt|Col|Gen)\.$", before):
        return False  # "Dr. Max visits on Tuesdays": a title's full stop ends no sentence
    return not before or before[-1] in '.!?:;"“\n'


# -- candidates -----------------------------------------------------------------------------------------------

_FILED_NAME = re.compile(rf"(?<![\w-])([{_U}][{_U}'’-]{{2,}})[ \t]*,[ \t]*({_CAP}(?:[ \t]+{_CAP}){{0,2}})(?![\w-])")
_FILE_CONTEXT = re.compile(
    r"(?:[\"“]|\b(?:[Nn]ame|NAME|[Cc]lient|[Pp]atient|[Pp]t|[Rr]esident|[Aa]pplicant|[Ss]tudent|[Ii]nmate|[Ee]mployee)"
    r"[ \t]*(?:[:#-]|is)?)[ \t]*$"
)
"""What may stand before a "SURNAME, Given" file name whose given name is not listed: a quote or a form's field."""
_PET = re.compile(
    rf"(?<![\w-])({_CAP})[ \t]+the[ \t]+(?:cat|dog|puppy|pup|kitten|kitty|bunny|rabbit|hamster|guinea[ \t]+pig|"
    r"parrot|budgie|bird|horse|pony|goldfish|fish|lizard|gecko|snake|ferret|turtle|tortoise)\b"
)
_PET_VERB = re.compile(r"[ \t]+(?:is|was|has|had|died|passed|[a-z]+s)\b")
_LETTER_TO = re.compile(rf"(?:^|(?<=\n))[ \t]*To[ \t]+({_CAP})[ \t]*[:,]")
_POSSESSIVE_KIN = re.compile(
    rf"(?<![\w-])({_CAP})['’]s[ \t]+(?:wife|husband|mom|mum|mother|dad|father|son|daughter|brother|sister|kids?|"
    r"children|baby|girlfriend|boyfriend|partner|fianc[eé]e?|grandmother|grandfather|grandma|grandpa|aunt|"
    r"uncle|cousin|widow|parents)\b"
)
_QUOTED_NICKNAME = re.compile(
    r"\b(?:[Mm]y|[Hh]is|[Hh]er|[Oo]ur|[Tt]heir)[ \t]+(?:cellie|celly|cellmate|bunkie|homie|homeboy|friend|buddy|"
    rf"cousin|brother|sister|bro|roommate|boy|girl|dog|coworker|teammate)[ \t]+[\"“]({_CAP}(?:[ \t]+{_CAP})?)[\"”]"
    rf"|[\"“]({_CAP}(?:[ \t]+{_CAP})?)[\"”],?[ \t]+(?:real[ \t]+name|aka|a\.k\.a\.)"
)
_NAMED_OBJECT = re.compile(rf"\b(?:named|renamed)[ \t]+(?:him|her|them)[ \t]+({_CAP})\b")
_GREETING_LOWER = re.compile(r"(?:^|(?<=[.!?\n])[ \t]*)(?:[Hh]ey|[Hh]i|[Hh]ello|[Dd]ear)[ \t]+([a-z]{3,15})(?=[.,!])")
_SIGNATURE = re.compile(
    r"\b[Ss]ent[ \t]+from[ \t]+my[ \t]+(?:iPhone|iPad|Android|phone|Galaxy|Pixel|mobile)[ \t]*[/|\n\u2013\u2014-]+"
    rf"[ \t]*({_CAP}(?:[ \t]+{_CAP}){{1,2}})(?=[ \t]*(?:[/|\n\u2013\u2014,-]|$))"
)
_YEAR_RANGE = re.compile(
    r"(?<![\w/.-])((?:19|20)\d\d)[ \t]*(?:-|\u2013|\u2014|to|until|through)[ \t]*((?:19|20)\d\d)\b"
)
_DAY_RANGE = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?[ \t]+\d{1,2}[ \t]*[-\u2013][ \t]*(\d{1,2})\b"
    r"(?![/:.]\d)"
)
_ORDINAL_WORDS = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-(?:first|second|third|fourth|fifth|"
    r"sixth|seventh|eighth|ninth)|thirtieth|thirty-first|\d{1,2}(?:st|nd|rd|th))"
)
_LOWER_ORDINAL_DATE = re.compile(
    rf"\b(?:the|on|by)[ \t]+({_ORDINAL_WORDS}[ \t]+of[ \t]+{_MONTH_FULL})\b", re.IGNORECASE
)
_OTHER_CALENDAR = re.compile(
    r"\b(\d{1,2}[ \t]+(?:Farvardin|Ordibehesht|Khordad|Tir|Mordad|Amordad|Shahrivar|Mehr|Aban|Azar|Dey|Bahman|Esfand|"
    r"Muharram|Safar|Rabi[ʿ'’]?[ \t]+al-(?:Awwal|Thani|Akhir)|Jumada[ \t]+al-(?:Awwal|Ula|Thani|Akhirah)|Rajab|"
    r"Sha[ʿ'’]?ban|Ramadan|Shawwal|Dhu[ \t]+al-(?:Qa[ʿ'’]?dah|Hijjah)|Tishrei|Cheshvan|Heshvan|Kislev|Tevet|Shevat|"
    r"Adar(?:[ \t]+I{1,2})?|Nisan|Iyar|Sivan|Tammuz|Elul)(?:[ \t]+\d{4})?)\b"
)
_BABY_AGE = re.compile(
    rf"\b(?:he|she)(?:['’]s|[ \t]+is|[ \t]+was|[ \t]+turned|[ \t]+turns)[ \t]+(?:(?:only|just|almost|nearly|about)[ \t]+)?"
    rf"((?:\d{{1,2}}|{_NUMBER_WORD}|a)[ \t]+(?:weeks?|months?|days?)(?:[ \t]+old)?)\b"
    r"(?![ \t]+(?:pregnant|along|sober|clean|postpartum|out|in|into|late|behind|ago|away|off))",
    re.IGNORECASE,
)
_PAREN_DESCRIBED_AGE = re.compile(
    rf"\b{_CAP}[ \t]+\((?:[a-z][a-z' -]{{1,30}},[ \t]*(\d{{1,2}})\)|(\d{{1,2}})[ \t]*,[ \t]*[a-z])"
)
_AGE_TAG = re.compile(
    r"(?:^|(?<=[\n(\[])|(?<=[:;,][ \t]))(1[3-9]|[2-9]\d)[ \t]*/[ \t]*(?:nb|m|f|ftm|mtf|enby|trans|he|she|they|"
    r"genderfluid|agender|male|female|bi|gay|ace)(?![\w])"
    r"|(?<=[\s(\[])(1[3-9]|[2-9]\d)/(?:nb|m|f|ftm|mtf|enby|he|she|they)/[a-z]",
    re.IGNORECASE,
)
"""A forum's age tag ("14/nb/they-them", "bio: 17/m"): at a line's start, after "(" or a colon, or before more tags."""
_CORRECTIONS_ID = re.compile(
    r"\b(?:DOC|BOP|inmate|offender|booking|register|reg\.?|prisoner|CDCR|TDCJ)[ \t]*(?:#|no\.?|num(?:ber)?)[ \t]*:?"
    r"[ \t]*(\d[\d-]{4,}\d)\b",
    re.IGNORECASE,
)
_PLATFORM_HANDLE = re.compile(
    r"\b(?:[Ss]potify|[Ii]nsta(?:gram)?|IG|[Tt]ik[Tt]ok|[Ss]nap(?:chat)?|[Dd]iscord|[Tt]witter|[Ss]team|[Tt]witch|"
    r"[Vv]enmo|[Rr]eddit|[Pp]interest|[Tt]umblr|[Ss]ound[Cc]loud|[Yy]ou[Tt]ube|[Xx]box|PSN)[ \t]*(?:[,:]|is|name[ \t]+is)"
    r"[ \t]+@?([a-z0-9][a-z0-9_.]{3,29}[a-z0-9_])(?=[\s,.;:!?)]|$)"
)
_NAMED_PLACE = re.compile(
    rf"(?<![\w-])((?:{_CAP}[ \t]+){{1,3}}(?:Cemetery|Memorial[ \t]+(?:Park|Gardens)|Building|Stadium|Arena|"
    r"Fieldhouse|Library|Fountain|Ballpark|Natatorium))\b"
)
_TEAM_AGE_GROUP = re.compile(rf"(?<![\w-])((?:{_CAP}[ \t]+){{1,3}})[Uu]-?\d{{1,2}}s?\b")
_SERVER = re.compile(rf"\bthe[ \t]+((?:{_CAP}[ \t]+){{1,3}})(?:[Dd]iscord[ \t]+)?server\b")
_GLUE = _words("the a an to of and in on at my our his her your their this that")
_PLATFORMS = _words(
    """discord minecraft roblox fortnite valorant steam twitch xbox psn playstation nintendo tiktok snapchat snap insta
    instagram finsta facebook twitter reddit tumblr spotify soundcloud youtube venmo whatsapp telegram signal
    kik bereal threads pinterest linkedin slack teams zoom"""
)
"""Platforms, apps and games (general knowledge): a name of one is not a server's, a user's or a person's name."""
_CHAT_ABBREVIATIONS = _words("lol lmao omg wtf tbh idk smh fyi asap btw imo imho ngl brb ttyl rofl irl yolo")
_TERMS_OF_ADDRESS = _words(
    """bestie besties hun hon babe bae baby sis bro bruh fam girlie girly homie dude bud buddy boo love luv mate friend
    friends guys gals yall y'all folks team all everyone everybody king queen sweetie darling honey sweetheart mama
    papa kiddo champ chief boss doc coach sir maam ma'am miss there lovely ladies peeps squad"""
)
"""Words of address that are no names ("Hey bestie.", "hi hun,"), from general knowledge of chat and speech."""
_NOT_ADDRESSEE = _words("whom all everyone everybody anyone anybody whoever do be me you date recap summarize")


def _proper(word: str) -> bool:
    """Whether a capitalised word reads as a proper name rather than an English word."""
    key = word.lower()
    return key in first_names() or key not in english_words()


def context_candidates(text: str, not_a_name: frozenset[str]) -> list[tuple[int, int, str, int]]:
    """Names, dates, ages, IDs, handles, places and organisations found by the context rules of round 7.

    Parameters
    ----------
    text : str
        One remark, note, letter, chat paste or transcript.
    not_a_name : frozenset of str
        Lower-case words never taken as a name.

    Returns
    -------
    list of tuple
        ``(start, end, kind, priority)`` candidates (see the module's description).
    """
    out: list[tuple[int, int, str, int]] = []
    english = english_words()
    for m in _FILED_NAME.finditer(text):
        surname, given = m.group(1), m.group(2)
        key = surname.lower()
        if not re.search(r"[AEIOUY]", surname) or key in english or key in not_a_name or key in clinical_terms():
            continue
        if key in _CHAT_ABBREVIATIONS or key in _PLATFORMS or key in _NOTE_ABBREVIATIONS or key in _STATE_CODES:
            continue  # "OMG, Jessica"; "HIPAA, Medicaid"
        if given.split()[0].lower() not in first_names() and not _FILE_CONTEXT.search(text[: m.start()]):
            continue  # "URGENT, Please call", "BIPOC, Latinx and ...": a given name, or a quote or a form's field
        if given.split()[0].lower() in english and given.split()[0].lower() not in first_names():
            continue
        out.append((*m.span(1), "NAME", NAME_PRIORITY))
        out.append((*m.span(2), "NAME", NAME_PRIORITY))
    for pattern in (_PET, _LETTER_TO):
        for m in pattern.finditer(text):
            key = m.group(1).lower()
            if key in not_a_name or key in _GLUE or _verbish(key) or key in clinical_terms() or key.endswith("ing"):
                continue
            if key in _NOT_ADDRESSEE or key in _PLATFORMS:
                continue  # "To Whom It May Concern:"
            first = _sentence_start(text, m.start(1))
            if pattern is _PET and (first or not _proper(m.group(1))) and not _PET_VERB.match(text, m.end()):
                continue  # "Cuddle the cat, ..." is an order; "Peanut the cat sleeps on ..." a pet
            out.append((*m.span(1), "NAME", NAME_PRIORITY))
    for m in _POSSESSIVE_KIN.finditer(text):
        key = m.group(1).lower()
        if key not in not_a_name and _proper(m.group(1)) and key not in clinical_terms() and key not in KIN_TITLES:
            out.append((*m.span(1), "NAME", NAME_PRIORITY))
    for m in _QUOTED_NICKNAME.finditer(text):
        group = 1 if m.group(1) else 2
        if m.group(group).lower() not in not_a_name:
            out.append((*m.span(group), "NAME", NAME_PRIORITY))
    for m in _NAMED_OBJECT.finditer(text):
        if (
            m.group(1).lower() not in not_a_name
            and m.group(1).lower() not in _GLUE
            and not _verbish(m.group(1).lower())
        ):
            out.append((*m.span(1), "NAME", NAME_PRIORITY))
    for m in _GREETING_LOWER.finditer(text):
        key = m.group(1)
        if key in english or key in not_a_name or key in _GLUE or key in _TERMS_OF_ADDRESS or key in clinical_terms():
            continue
        out.append((*m.span(1), "NAME", NAME_PRIORITY))
    out.extend((*m.span(1), "NAME", NAME_PRIORITY) for m in _SIGNATURE.finditer(text))
    for m in _YEAR_RANGE.finditer(text):
        if int(m.group(1)) < int(m.group(2)):
            out.extend((*m.span(g), "DATE", DATE_PRIORITY) for g in (1, 2))
    for m in _DAY_RANGE.finditer(text):
        if 1 <= int(m.group(1)) <= 31:
            out.append((*m.span(1), "DATE", DATE_PRIORITY))
    out.extend((*m.span(1), "DATE", DATE_PRIORITY) for m in _LOWER_ORDINAL_DATE.finditer(text))
    out.extend((*m.span(1), "DATE", DATE_PRIORITY) for m in _OTHER_CALENDAR.finditer(text))
    for m in _BABY_AGE.finditer(text):
        if "week" in m.group(1).lower() and m.group().lower().startswith("she") and _PREGNANCY.search(text):
            continue  # "she's 20 weeks today and the scan was fine": the pregnancy's weeks
        out.append((*m.span(1), "AGE", AGE_PRIORITY))
    for m in _PAREN_DESCRIBED_AGE.finditer(text):
        word = m.group().split("(")[0].strip()
        if word.lower() in clinical_terms() or not _proper(word) or _sentence_start(text, m.start()):
            continue  # "Zoloft (sertraline, 50)" is a dose
        group = 1 if m.group(1) else 2
        out.append((*m.span(group), "AGE", AGE_PRIORITY))
    out.extend((*m.span(1 if m.group(1) else 2), "AGE", AGE_PRIORITY) for m in _AGE_TAG.finditer(text))
    out.extend((*m.span(1), "ID", ID_PRIORITY) for m in _CORRECTIONS_ID.finditer(text))
    for m in _PLATFORM_HANDLE.finditer(text):
        key = m.group(1)
        spoken = not re.search(r"[,:@][ \t]*@?\S*$", text[m.start() : m.start(1) + 1])
        if key in _PLATFORMS or key in _CHAT_ABBREVIATIONS:
            continue  # "my insta, facebook, tiktok"
        if spoken and not re.search(r"[\d_.]", key):
            continue  # "Twitter is flagging his tweets": after "is", only a name with a digit, "_" or "."
        if key not in english and key not in first_names() and not key.isdigit():
            out.append((*m.span(1), "HANDLE", HANDLE_PRIORITY))
    for m in _NAMED_PLACE.finditer(text):
        words = m.group(1).split()
        while words and words[0].lower() in _GLUE:
            words = words[1:]
        if len(words) >= 3 or (len(words) == 2 and _proper(words[0])):
            s = m.start(1) + m.group(1).index(words[0])
            out.append((s, m.end(1), "LOCATION", PLACE_PRIORITY))
    for m in _TEAM_AGE_GROUP.finditer(text):
        words = m.group(1).split()
        while words and words[0].lower() in _GLUE:
            words = words[1:]
        if words and (len(words) >= 2 or _proper(words[0])):
            s = m.start(1) + m.group(1).index(words[0])
            out.append((s, s + len(" ".join(words)), "ORG", ORG_PRIORITY))
    if "server" in text.lower():
        for m in _SERVER.finditer(text):
            name = m.group(1).strip()
            if name.lower() not in english and not any(w in _PLATFORMS for w in name.lower().split()):
                out.append((m.start(1), m.start(1) + len(name), "ORG", ORG_PRIORITY))
    return out
