"""De-identification rules of round 6: speaker labels of diarized speech, family ages, kinship and rank titles.

Patterns of form and context that the earlier rules lacked, written by hand from general knowledge (issue 23):

* **Speaker labels of diarized speech recognition** (``SPEAKER_00:``, ``Speaker 2:``, ``spk_1:``, ``[SPEAKER 3]``)
  are labels, not user names: :data:`TRANSCRIPT_LABEL` marks them protected, anywhere in a line.
* **Ages in family descriptions**: "Gloria Esquivel, 67, offered", "A.T., 12,", "K.L., now 15,", "Mom is 84.",
  "Dad was 86 when he passed", "from age 6 to 11", "adopted at 3", "Hye-jin Park (29)", "her son, 4.".
* **Kinship titles** in several languages ("Nana Ruth", "Tita Marivic", "Lola Nening", "tía maru"): the word after
  the title is a name; the title alone ("Lola", "Obaachan") is not (:func:`title_only`).
* **Military, religious and court titles** before a surname ("Chaplain Mendoza", "Staff Sergeant Will Pettaway");
  the title alone ("Cpl", "the sergeant major") is no name.
* **Lower-case names by context** in chat and speech recognition: "this girl kenzie at ...", "her name's shivani",
  "my son grayson he's four", "my bf dom (hes 17)"; a name spelled letter by letter ("k o w a l s k i") and the
  word it spells.
* **Named recovery meetings** ("the Tuesday Serenity group", "my home group is Back to Basics") in a text about
  recovery; "called him Pop".
* Holidays ("New Year's Eve") are no names (:func:`in_holiday`).
"""

from __future__ import annotations

import re

from topics.clean.deid_chat import _name_word
from topics.clean.deid_lexicon import (
    AGE_PRIORITY,
    HANDLE_PRIORITY,
    ID_PRIORITY,
    NAME_PRIORITY,
    ORG_PRIORITY,
    PHONE_PRIORITY,
    english_words,
    first_names,
)
from topics.clean.deid_lexicon import word_set as _words
from topics.clean.deid_styles import clinical_terms

__all__ = ["TRANSCRIPT_LABEL", "family_candidates", "generic_org", "in_holiday", "not_identifier_here", "title_only"]


TRANSCRIPT_LABEL = re.compile(
    r"(?<![\w@])(?:\[[ \t]*(?:SPEAKER|Speaker|speaker|SPK|Spk|spk|SPKR|spkr)[ _-]?(?:\d{1,3}|[A-Z])[ \t]*\][ \t]*:?"
    r"|(?:SPEAKER|Speaker|speaker|SPK|Spk|spk|SPKR|spkr)_\d{1,3}\b[ \t]*:?"
    r"|(?:SPEAKER|Speaker|speaker|SPK|Spk|spk|SPKR|spkr)[ -]?(?:\d{1,3}|[A-Z])[ \t]*:)"
)
"""A speaker label of diarized speech recognition or a transcription tool, anywhere in a line."""

_U = "A-ZÀ-ÖØ-Þ"
_L = "a-zß-öø-ÿ"
_CAP = rf"[{_U}][{_L}]+(?:[-'’][{_U}][{_L}]+)?"
_NUMBER_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|"
    r"nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|a[ \t]+hundred)"
)
_AGE = rf"(?:1[01]\d|\d{{1,2}}|{_NUMBER_WORD})"
_NOT_UNIT = (
    r"(?![ \t]*(?:%|percent|am\b|pm\b|a\.m|p\.m|o['’]clock|mg|ml|days?\b|weeks?\b|months?\b|hours?\b|minutes?\b|"
    r"times?\b|sessions?\b|points?\b|[/:.]\d))"
)

KIN_TITLES = _words(
    """aunt auntie aunty uncle nana nanna papa grandma grandpa granny gramma grampa gran grandmother grandfather
    cousin abuela abuelo abuelita abuelito bisabuela bisabuelo tía tío tia tio tita tito lola lolo ate kuya manang
    manong nanay tatay inay itay ayeeyo awoowe habo adeer eedo hooyo aabo oma opa omi opi nonna nonno baba mama
    bubbe bubby zayde savta saba teta sitto jiddo nainai yeye laolao laoye waipo waigong ojiichan obaachan
    halmoni harabeoji imo gomo samchon mamie papie mémé pépé tante oncle"""
)
"""Kinship titles and words in English, Spanish, Tagalog, Somali, German, Italian, Yiddish, Hebrew, Arabic, Chinese,
Japanese, Korean and French (general knowledge): before a name a title, alone no name."""

RANKS = _words(
    """chaplain pvt pv2 pfc spc cpl lcpl sgt ssg ssgt sfc msg msgt 1sg sgm csm gysgt gunny lt 1lt 2lt cpt capt maj
    ltc col gen adm ens cpo po1 po2 po3 seaman airman sergeant corporal private specialist lieutenant captain
    colonel general admiral commander ensign petty officer chief staff first master major lance rev reverend pastor
    rabbi imam deacon judge justice hon honorable magistrate commissioner"""
)
"""Military ranks and grades, religious and court titles (general knowledge)."""

_RANK_TITLE = (
    r"(?:Chaplain|Pvt|PV2|PFC|SPC|Spc|CPL|Cpl|LCpl|SGT|Sgt|SSG|SSgt|SFC|MSG|MSgt|1SG|SGM|CSM|GySgt|Gunny|LT|Lt|1LT|"
    r"2LT|CPT|Capt|MAJ|Maj|LTC|COL|Col|Gen|Adm|ENS|CPO|PO[123]|Seaman|Airman|Corporal|Private|Specialist|"
    r"(?:Staff|First|Master|Gunnery)[ \t]+Sergeant|Sergeant(?:[ \t]+Major)?|(?:First[ \t]+|Second[ \t]+)?Lieutenant"
    r"(?:[ \t]+(?:Colonel|Commander))?|Captain|Major|Colonel|General|Admiral|Commander|Ensign|Petty[ \t]+Officer"
    r"(?:[ \t]+(?:First|Second|Third)[ \t]+Class)?|Chief|Rabbi|Imam|Deacon|Magistrate)"
)
_RANK_NAME = re.compile(rf"\b{_RANK_TITLE}\.?[ \t]+({_CAP}(?:[ \t]+{_CAP})?)")
_KIN_TITLE_RE = "|".join(sorted((re.escape(w) for w in KIN_TITLES), key=len, reverse=True))
_KIN_CAP_NAME = re.compile(
    rf"(?i:\b(?:{_KIN_TITLE_RE})(?:[ \t]+(?:{_KIN_TITLE_RE}))*)[ \t]+({_CAP})\b(?![ \t]*(?:['’]s[ \t]+)?(?:Day|Eve)\b)"
)
_KIN_LOWER_NAME = re.compile(rf"\b(?:{_KIN_TITLE_RE})[ \t]+([{_L}][{_L}'’-]{{1,}})\b")

_PERSON = (
    r"(?:[A-Z]\.(?:[ \t]?[A-Z]\.)+|[A-Z][a-z]+(?:-[A-Z][a-z]+)?|veteran|vet|kid|man|woman|boy|girl|son|daughter|"
    r"brother|sister|mother|father|grandmother|grandfather|wife|husband|child|nephew|niece|cousin|client|"
    r"patient|employee|student|friend)"
)
_NOT_PERSON_BEFORE = _words(
    """january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec room suite unit apt
    apartment chapter page step level grade bed exhibit item section ward floor building lot box route highway hwy
    interstate i exit pages steps items tables table figure question"""
)
_COMMA_AGE = re.compile(
    rf"(?<![\w.])({_PERSON})[ \t]*,[ \t]+(?:(?:now|age|aged)[ \t]+)?({_AGE}){_NOT_UNIT}(?![,.]\d)[ \t]*(?:[,;)]|\.(?!\w))"
)
_PAREN_AGE = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?[ \t]+\((\d{1,2}|1[01]\d)\)(?![ \t]*[%/])")
_KIN_IS_AGE = re.compile(
    r"(?:^|(?<=[.!?;\n\"“])[ \t]*|(?<=[.!?;][ \t])|\b(?:my|his|her|their|our|your|the[ \t]+client['’]s)[ \t]+)"
    r"(?:Mom|Mum|Dad|Mother|Father|Grandma|Grandpa|Granny|Nana|Papa|mom|mum|dad|mother|father|grandma|grandpa|"
    r"grandmother|grandfather|granny|nana|husband|wife|son|daughter|brother|sister|aunt|uncle|sibling|cousin)"
    rf"[ \t]+(?:is|was|turned|turns|will[ \t]+be)[ \t]+(?:(?:only|just|almost|now|nearly|about|around)[ \t]+)?({_AGE})"
    r"(?=[ \t]*[,.;!?)]|[ \t]*$|[ \t]+(?:when|and|now|at|years?[ \t]+old|in)\b)"
)
_NAME_IS_AGE = re.compile(
    rf"(?:^|(?<=[.!?;\n])[ \t]*)(?:(?i:{_KIN_TITLE_RE})[ \t]+)?{_CAP}[ \t]+(?:is|was|turned|turns)[ \t]+"
    rf"(?:(?:only|just|almost|now|nearly|about|around)[ \t]+)?({_AGE})(?=[ \t]*,[ \t]+[a-z]|[ \t]+when\b)"
)  # "Papa Chuy is ninety-one, stubborn as ever"
_WAS_AGE_WHEN = re.compile(
    rf"\b(?:was|were)[ \t]+(?:(?:only|just|about|around)[ \t]+)?({_AGE})[ \t]+when[ \t]+(?:he|she|they|I|we|it)\b"
)
_WHEN_PERSON_WAS = re.compile(
    rf"\bwhen[ \t]+(?:(?:he|she|I|we|they)|{_CAP}|the[ \t]+client(?:['’]s[ \t]+\w+(?:[ \t]+{_CAP})?)?)[ \t]+"
    rf"(?:was|were)[ \t]+(?:(?:only|just|about|around)[ \t]+)?({_AGE})(?=[ \t]*[,.;!?)]|[ \t]*$)"
)  # "when the client's mother Ifrah was nine."
_AGE_RANGE = re.compile(
    rf"\b(?:ages?|aged)[ \t]+({_AGE})[ \t]*(?:to|and|through|until|-|–)[ \t]*({_AGE}){_NOT_UNIT}\b"
)  # "from age 6 to 11": both ages
_AGE_AT_EVENT = re.compile(
    r"\b(?:[Aa]dopted|orphaned|married|widowed|diagnosed|placed|removed|immigrated|emigrated|enlisted|drafted|"
    rf"baptized|baptised|abandoned)[ \t]+at[ \t]+(?:age[ \t]+)?({_AGE}){_NOT_UNIT}\b(?![ \t]*(?:and|to)[ \t]+\d)"
)
_BE_ABOUT_AGE_NOW = re.compile(rf"\b(?:be|is|was)[ \t]+(?:about|around|nearly|almost)[ \t]+({_AGE})[ \t]+now\b")
_CALLED_OBJECT = re.compile(
    rf"\b(?:called|call|calls|nicknamed)[ \t]+(?:him|her|them)[ \t]+((?:[A-Z][a-z]+)(?:[ \t]+{_CAP})?)\b"
)
_LOWER_PERSON = re.compile(
    r"\b(?:this|that|a|some)[ \t]+(?:girl|guy|boy|kid|dude|lady|chick|man|woman)[ \t]+([a-z]{3,})\b"
)
_NAME_IS_CAP = re.compile(rf"\b(?:[Nn]ame[ \t]+is|[Nn]ame['’]s|goes[ \t]+by)[ \t]+({_CAP})\b")
_SPOKEN_HANDLE = re.compile(r"(?<![\w'’])([a-z0-9]+(?:[ \t]+underscore[ \t]+[a-z0-9]+)+)(?![\w'’])")
_GAME_HANDLE = re.compile(
    r"(?i:\b(?:fortnite|roblox|minecraft|discord|snap|snapchat|insta|instagram|finsta|tiktok|twitch|xbox|psn|steam|"
    r"reddit|venmo|cashapp|youtube|gamertag|username|user[ \t]+name)\b(?:[ \t]+\w+){0,2}[ \t]+(?:as|is|:)[ \t]*)"
    r"(?-i:([A-Za-z0-9_.]*[a-z0-9][A-Z][A-Za-z0-9_.]*))(?![\w])"
)  # "he plays fortnite as xXDarkReaperXx", "roblox is MothQueenYT"
_LOCAL_PHONE = re.compile(
    r"(?i:(?:#|\bnumber|\bphone|\bcell|\bmobile|\bcall|\btext)(?:[ \t]+is)?[ \t]*:?[ \t]*)(\d{3}[ .]\d{4})\b"
)
_ORDINAL_STREET = re.compile(
    r"\b(?:on|off|at|near|by)[ \t]+(\d{1,3}(?:st|nd|rd|th)[ \t]+(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Pl|Place)"
    r"\b\.?)"
)  # "the taqueria on 4th St": a street alone is a place
_LABELLED_ID = re.compile(
    r"(?i:\b(?:badge|employee|emp|student|staff|member|claim|case|file|docket|account|acct|policy|patient|client|"
    r"record|chart|intake|order|service)[ \t]*(?:id|no\.?|number|num|#)[ \t]*(?:is|was|:)?[ \t]*)"
    r"([A-Z0-9]*\d{4,}[A-Z0-9-]*)\b"
)  # "badge no. 004417"
_ID_THEN_NUMBER = re.compile(
    r"(?i:\b(?:student|employee|member|badge|case|claim|patient|client)[ \t]+(?:id|number)\b[^.!?\n]{0,40}?"
    r"\b(?:is|its|it['’]s|was|:)[ \t]*)(\d{5,})\b"
)  # "she made me write my student id on a form lol, its 2280441"
_SPOKEN_DIGIT = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_SPOKEN_CASE_ID = re.compile(
    r"\b(?:case|claim|file|account|member|policy|id|docket)[ \t]+(?:number|no|num)\b[^.!?\n]{0,40}?"
    r"\b(?:is|it['’]s|its)[ \t]+(?:(?:uh|um|like)[ \t]+)?"
    rf"((?:[a-z][ \t]+){{0,3}}(?:{_SPOKEN_DIGIT}[ \t]+){{3,}}{_SPOKEN_DIGIT})\b"
)  # "my case number with the county is uh c b four four seven nine one"
_LOWER_NAME_IS = re.compile(r"\b(?:name['’]s|name[ \t]+is|names)[ \t]+([a-z]{3,})\b")
_LOWER_KIN_NAME = re.compile(
    r"\b(?:my|our|his|her|their|ur|your)[ \t]+(?:(?:little|lil|big|baby|older|younger|twin|step|half|best)[ \t]+)?"
    r"(?:son|daughter|brother|sister|bro|sis|bf|gf|boyfriend|girlfriend|cousin|friend|bestie|roommate|husband|wife|"
    r"kid|nephew|niece|stepson|stepdaughter)[ \t]*,?[ \t]+([a-z]{3,})\b"
    r"(?=[ \t]*\(|[ \t]+(?:he['’]?s|she['’]?s|hes|shes|he|she|is|was)\b)"
)  # "my son grayson he's four", "my bf dom (hes 17)"
_SPELLED = re.compile(r"(?<![\w'’])((?:[a-z][ \t]){3,}[a-z])(?![\w'’])")
_RECOVERY_CUE = re.compile(
    r"(?i:\b(?:sober|sobriety|clean[ \t]+date|chip|sponsor|sponsee|home[ \t]+group|12-step|twelve[ \t]+steps?|"
    r"alcoholic|addict|gambler|meetings?)\b)|\b(?:AA|NA|GA|CA|SMART)\b"
)
_MEETING_NAME = re.compile(
    rf"\b(?:[Tt]he|[Oo]ur|[Mm]y)[ \t]+((?:{_CAP}|to|of|the|and|a|It)(?:[ \t]+(?:{_CAP}|to|of|the|and|a|It)){{0,3}})"
    r"(?:[ \t]+(?:AA|NA|GA|CA|CMA|OA|SA|SMART|Al-Anon))?[ \t]+(?:home[ \t]+)?(?:group|meeting)\b"
)
_HOME_GROUP_IS = re.compile(
    rf"\bhome[ \t]+group[ \t]+(?:is|was)[ \t]+((?:{_CAP})(?:[ \t]+(?:{_CAP}|to|of|the|and|a|It)){{0,3}})"
)
_WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday morning evening night noon")
_HOLIDAY = re.compile(
    r"\b(?:New[ \t]+Year['’]?s(?:[ \t]+(?:Eve|Day))?|Lunar[ \t]+New[ \t]+Year|Christmas(?:[ \t]+(?:Eve|Day))?|"
    r"(?:Mother|Father|Valentine|Mothers|Fathers|Valentines)['’]?s?[ \t]+Day|Easter(?:[ \t]+Sunday)?|Thanksgiving|"
    r"Halloween|(?:Memorial|Veterans['’]?|Labor|Labour|Independence|Presidents['’]?|Boxing|Remembrance)[ \t]+Day|"
    r"Juneteenth|Hanukkah|Chanukah|Diwali|Eid(?:[ \t]+al-\w+)?|Ramadan|Kwanzaa|Passover|Rosh[ \t]+Hashanah|"
    r"Yom[ \t]+Kippur|Good[ \t]+Friday|Ash[ \t]+Wednesday|Simbang[ \t]+Gabi|Noche[ \t]+Buena|D[ií]a[ \t]+de[ \t]+"
    r"(?:los[ \t]+)?Muertos|Tet|Nowruz|Holi|Obon)\b"
)


_ENGLISH_KIN = _words(
    "aunt auntie aunty uncle nana nanna grandma grandpa granny gramma grampa gran grandmother grandfather cousin papa mama"
)
_SHORT_WORDS = _words("an in on at to is it of or so no go do be me my we us he up as by if am oh ok ya yo hi")


def _plausible_age(word: str) -> bool:
    return not word.isdigit() or 0 < int(word) <= 115


def family_candidates(text: str, not_a_name: frozenset[str]) -> list[tuple[int, int, str, int]]:
    """Ages in family descriptions, names after kinship and rank titles, lower-case names by context.

    Parameters
    ----------
    text : str
        One remark, note, letter or transcript.
    not_a_name : frozenset of str
        Lower-case words never taken as a name.

    Returns
    -------
    list of tuple
        ``(start, end, kind, priority)`` candidates.
    """
    out: list[tuple[int, int, str, int]] = []
    for m in _AGE_RANGE.finditer(text):
        out.extend((*m.span(g), "AGE", AGE_PRIORITY) for g in (1, 2) if _plausible_age(m.group(g)))
    for pattern in (_PAREN_AGE, _KIN_IS_AGE, _NAME_IS_AGE, _WAS_AGE_WHEN, _WHEN_PERSON_WAS, _AGE_AT_EVENT):
        for m in pattern.finditer(text):
            if _plausible_age(m.group(1)):
                out.append((*m.span(1), "AGE", AGE_PRIORITY))
    for m in _COMMA_AGE.finditer(text):
        key = m.group(1).lower()
        if m.group(1)[0].isupper() and key in english_words() and key not in first_names():
            continue  # "Yeah, 1,003."
        if (
            key not in _NOT_PERSON_BEFORE
            and key.removesuffix("s") not in _NOT_PERSON_BEFORE
            and _plausible_age(m.group(2))
        ):
            out.append((*m.span(2), "AGE", AGE_PRIORITY))
    if "now" in text:
        out.extend((*m.span(1), "AGE", AGE_PRIORITY) for m in _BE_ABOUT_AGE_NOW.finditer(text))
    for m in _RANK_NAME.finditer(text):
        words = m.group(1).split()
        keep = 0
        for w in words:
            key = w.lower()
            if key in RANKS or key in not_a_name or key in clinical_terms():
                break
            if key in english_words() and key not in first_names():
                break
            keep += 1
        if keep:
            out.append((m.start(1), m.start(1) + len(" ".join(words[:keep])), "NAME", NAME_PRIORITY))
    for m in _KIN_CAP_NAME.finditer(text):
        key = m.group(1).lower()
        if key not in not_a_name and key not in KIN_TITLES and key not in _WEEKDAYS and key not in clinical_terms():
            out.append((*m.span(1), "NAME", NAME_PRIORITY))
    for m in _KIN_LOWER_NAME.finditer(text):
        word, kin = m.group(1), m.group().split()[0]
        if (kin in english_words() and kin not in _ENGLISH_KIN) or word in KIN_TITLES or word in english_words():
            continue  # "ate an entire watermelon", "my cousin in a car"
        if _name_word(word, not_a_name) or (len(word) == 2 and word in first_names() and word not in _SHORT_WORDS):
            out.append((*m.span(1), "NAME", NAME_PRIORITY))
    for pattern in (_LOWER_PERSON, _LOWER_NAME_IS, _LOWER_KIN_NAME):
        for m in pattern.finditer(text):
            if _name_word(m.group(1), not_a_name) and m.group(1) not in english_words():  # not "this guy will"
                out.append((*m.span(1), "NAME", NAME_PRIORITY))
    for m in _NAME_IS_CAP.finditer(text):
        if m.group(1).lower() not in not_a_name:
            out.append((*m.span(1), "NAME", NAME_PRIORITY))
    out.extend((*m.span(1), "HANDLE", HANDLE_PRIORITY) for m in _SPOKEN_HANDLE.finditer(text))
    out.extend((*m.span(1), "HANDLE", HANDLE_PRIORITY) for m in _GAME_HANDLE.finditer(text))
    out.extend((*m.span(1), "PHONE", PHONE_PRIORITY) for m in _LOCAL_PHONE.finditer(text))
    out.extend((*m.span(1), "LOCATION", ORG_PRIORITY) for m in _ORDINAL_STREET.finditer(text))
    for pattern in (_LABELLED_ID, _ID_THEN_NUMBER, _SPOKEN_CASE_ID):
        out.extend((*m.span(1), "ID", ID_PRIORITY) for m in pattern.finditer(text))
    for m in _CALLED_OBJECT.finditer(text):
        if m.group(1).lower() not in not_a_name:
            out.append((*m.span(1), "NAME", NAME_PRIORITY))
    for m in _SPELLED.finditer(text):
        letters = m.group(1).replace(" ", "").replace("\t", "")
        if len(set(letters)) >= 3:
            out.append((*m.span(1), "NAME", NAME_PRIORITY))
            out.extend(
                (w.start(), w.end(), "NAME", NAME_PRIORITY)
                for w in re.finditer(rf"(?<![\w'’]){re.escape(letters)}(?![\w'’])", text)
            )
    if _RECOVERY_CUE.search(text):
        for pattern in (_MEETING_NAME, _HOME_GROUP_IS):
            for m in pattern.finditer(text):
                name = m.group(1)
                words = name.lower().split()
                if words[0] in ("to", "of", "the", "and", "a", "it") or name.lower() in clinical_terms():
                    continue
                if all(w in _WEEKDAYS for w in words) or (len(words) == 1 and words[0] in english_words()):
                    continue
                out.append((*m.span(1), "ORG", ORG_PRIORITY))
    return out


def title_only(text: str, start: int, end: int) -> bool:
    """Whether a would-be name is only kinship, rank or court title words ("Lola", "Obaachan", "Cpl", "major").

    Parameters
    ----------
    text : str
        The remark.
    start, end : int
        The span.

    Returns
    -------
    bool
        True when every word of the span is a title.
    """
    words = [w.strip(".,'’").lower() for w in text[start:end].split()]
    if text[end : end + 1] == "," and text[:start].rstrip().endswith(","):
        return False  # set off by commas, addressed or in apposition: "So, um, Tito, that's my cousin"
    title = bool(_KIN_OR_POSSESSIVE_BEFORE.search(text[max(0, start - 30) : start])) and bool(
        re.match(rf"[ \t]+{_CAP}", text[end:])
    )  # "her grandmother Lola Nening": a title even where it is also a given name
    return bool(words) and all(
        (w in KIN_TITLES and (title or w not in first_names())) or w in RANKS or w in _SUFFIXES for w in words
    )


_KIN_OR_POSSESSIVE_BEFORE = re.compile(
    r"(?i:\b(?:my|his|her|our|their|your|mother|father|grandmother|grandfather|grandma|grandpa|aunt|uncle|mom|dad)"
    r"[ \t]+)$"
)


_SUFFIXES = _words("esq jr sr ii iii iv")
_WEEKDAY_LIST = re.compile(
    r"(?i:(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day)?(?:[ \t]*[/&,-][ \t]*"
    r"(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day)?)+)"
)
_ORDINAL_NOUN_AFTER = re.compile(
    r"[ \t]+(?:period|grade|grader|floor|place|shift|hour|round|quarter|inning|base|street|st|ave|avenue|precinct|"
    r"ward|district|birthday|anniversary|time|step)\b",
    re.I,
)  # "jaden from 3rd period", "the 2nd floor": no date
_ACRONYM_STOP = re.compile(r"\b[A-Z]{2,}\.[ \t]+[A-Z]")
_THE_BEFORE = re.compile(r"\b[Tt]he[ \t]+$")
_COURSE_AFTER = re.compile(
    r"[ \t]+(?:class|classes|course|curriculum|workshop|webinar|worksheet|handout|module|exercise|training)\b"
)
_DERIVED = ("ance", "ence", "ment", "ness", "ship", "ity", "ation", "tion")


def _derived_noun(key: str) -> bool:
    """An abstract noun derived from a common English word ("attendance", "enrollment"): never a given name."""
    if key in first_names():
        return False
    for suffix in _DERIVED:
        stem = key.removesuffix(suffix)
        if stem != key and len(stem) >= 3 and any(s in english_words() for s in (stem, stem + "e", stem + "y")):
            return True
    return False


_ERA_AFTER = re.compile(r"[ \t]*(?:-[ \t]*)?(?:veterans?|vets?|era|war)\b", re.I)
_EXTENSION_BEFORE = re.compile(r"(?i:\b(?:ext|extension|x)\.?[ \t]*:?[ \t]*)$")


def not_identifier_here(text: str, start: int, end: int, kind: str) -> bool:
    """Look-alikes by their context: a place before "veteran/era/war" ("a Vietnam veteran"), an extension
    ("ext. 4410") as an ID, a list of weekdays ("Mon/Wed/Fri") as an organisation.

    Parameters
    ----------
    text : str
        The remark.
    start, end : int
        The span.
    kind : str
        The span's kind.

    Returns
    -------
    bool
        True when the span is no identifier in its context.
    """
    piece = text[start:end]
    if kind in ("NAME", "ORG", "LOCATION"):
        if _ACRONYM_STOP.search(piece):
            return True  # one span across a sentence end after an abbreviation: "RTW. Union"
        if kind == "NAME" and re.fullmatch(r"[A-Z][a-z]+", piece) and _derived_noun(piece.lower()):
            return True  # "Attendance is voluntary"
        if kind == "ORG" and _THE_BEFORE.search(text[max(0, start - 6) : start]) and _COURSE_AFTER.match(text, end):
            return True  # "the Savvy Caregiver class": a course's title
    if kind == "LOCATION":
        return bool(_ERA_AFTER.match(text, end))
    if kind == "ID":
        return bool(_EXTENSION_BEFORE.search(text[max(0, start - 12) : start]))
    if kind == "ORG":
        return bool(_WEEKDAY_LIST.fullmatch(text[start:end].strip()))
    if kind == "DATE" and re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)", text[start:end]):
        return bool(_ORDINAL_NOUN_AFTER.match(text, end))
    return False


def in_holiday(text: str, start: int, end: int) -> bool:
    """Whether a span lies inside the name of a holiday ("New Year's Eve", "Christmas Day").

    Parameters
    ----------
    text : str
        The remark.
    start, end : int
        The span.

    Returns
    -------
    bool
        True when a holiday's name covers the span.
    """
    lo = max(0, start - 30)
    return any(m.start() + lo <= start and end <= m.end() + lo for m in _HOLIDAY.finditer(text[lo : end + 30]))


GENERIC_ORGS = frozenset(
    {
        "the army",
        "army",
        "the navy",
        "navy",
        "the marines",
        "marines",
        "the marine corps",
        "marine corps",
        "the air force",
        "air force",
        "the coast guard",
        "coast guard",
        "the national guard",
        "national guard",
        "the space force",
        "space force",
        "family court",
        "the family court",
        "juvenile court",
        "probate court",
        "drug court",
        "veterans court",
        "treatment court",
        "the court",
        "higher power",
        "big book",
        "adult protective services",
        "child protective services",
        "protective services",
        "social services",
    }
)
"""Service branches, courts named by their kind only, 12-step terms and the public protective and social services
that every US state and county has, named by their kind (round 11): no organisation that locates anyone."""


def generic_org(text: str, start: int, end: int) -> bool:
    """Whether a would-be organisation is a service branch, a court named by kind only or a 12-step term.

    Parameters
    ----------
    text : str
        The remark.
    start, end : int
        The span.

    Returns
    -------
    bool
        True for "the Army", "Family Court" (not "Cuyahoga County Family Court"), "Higher Power".
    """
    words = text[start:end].lower().split()
    while len(words) > 1 and words[0] in _LEADING_GLUE:  # "After the Navy" at the start of a sentence
        words = words[1:]
    return " ".join(words) in GENERIC_ORGS


_LEADING_GLUE = _words("after before in at from with to into during since in the of")
