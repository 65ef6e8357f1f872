"""Rules for clinical notes, letters, spoken numbers and lower-case chat, and name propagation, for the de-identifier.

Written for issue 23 from generic weaknesses of the earlier rules, half A and half B of
``tests/fixtures/deid_styles.jsonl`` and the card (not the rows) of ``tests/fixtures/deid_blind.jsonl``.
Candidates found here (:func:`notes_candidates`), as ``(start, end, kind, priority)``:

* **names**: initials ("R.K.", "L.T.") and an initial with a surname ("D. Okonkwo", "F. al-Hassan"), with Latin
  letters beyond ASCII and name particles (al-, bin, van der, Ní, Mac, O'); names after a title with more titles
  than the first rule table ("Ms. Ní Dhomhnaill", "Mrs. Van der Berg", "Rabbi Adler", "Sgt. Ruiz"), after a field
  label or a sign-off ("Re:", "cc:", "Client:", "Sincerely,"), after "Pt" / "Client"; a name that is also a word,
  first in its sentence, when it says or does something ("Rose and I", "Grace, my sponsor, says"); "talked to
  X", "X's" inside a sentence, "Big Al", a name after a chat greeting ("thx Nene"), a pet or partner in lower
  case ("my cat mochi");
* **dates**: a month with a spelled-out ordinal ("June fourth"), a spoken year ("twenty nineteen", "Twenty
  twenty-one", "two thousand and nine"), a day and month after a word of the calendar ("seen 9/3"), a day and
  month that cannot be a rating ("was 8/22"), a month and day in lower case ("march 3");
* **ages**: "sixty-something", the answer to "how old ...?", "you were, what, twelve?", "turned seven in the
  summer", a forum age and sex "(27F)", a name with an age in commas or brackets ("Ximena, 6,"), "im 16", "my
  grandma is like eighty";
* **reference numbers** after "Ref", "Our ref", "File", "Claim", "Case" with slashes ("HC/2025/0042"), and a
  **spoken street address** ("four twelve Elm Street");
* **user names**: with an underscore ("sunny_days") or trailing digits ("fernleaf2009"), after "posted by" /
  "replying to" or before "wrote:", a lower-case signature at the end of a post ("- moss");
* **places and schools in lower case**: a business on a street or route ("cvs on main st", "walmart on route
  9"), a school ("jefferson middle"), countries and states ("ohio"), and cities of ``data/places.txt`` in lower
  or title case ("fresno").

:func:`propagate_names` then marks every other capitalised occurrence, written the same way, of a word already
found as (part of) a name in the same text ("Bill, I call him Bill").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from topics.clean.deid_lexicon import (
    AGE_PRIORITY,
    DATA,
    DATE_PRIORITY,
    HANDLE_PRIORITY,
    ID_PRIORITY,
    PLACE_PRIORITY,
    english_words,
    first_names,
    ordinary_words,
)
from topics.clean.deid_lexicon import word_set as _words
from topics.clean.deid_rules import _PLACES, _UNITS

TITLE_NAME_PRIORITY = 11
"""Initials and names after a title rank with the title rule of :mod:`topics.clean.deid_rules`."""
CHAT_NAME_PRIORITY = 13
GREETING_PRIORITY = 21
"""A name after a chat greeting is judged like the fill-in rules (a capital, not a common word)."""

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_LOW = "a-zß-öø-ÿāăąćčďđēėęěğīįıłńňōőœřśşšţťūůűųźżž"
_CAP_WORD = rf"[{_UP}][{_LOW}]+(?:['’][{_UP}][{_LOW}]+)?"
_PARTICLE = (
    r"(?:al|el|as|ad|ash|at|bin|ibn|bint|ben|abu|van|von|der|den|de|da|das|do|dos|du|del|della|di|le|la|ter|ten|"
    r"Ní|Nic|Mac|Mc|Ó|Ua|O['’]|St\.?)"
)
_SURNAME = rf"(?:(?:{_PARTICLE})[- ]?)*{_CAP_WORD}(?:-(?:{_PARTICLE}-)?[{_UP}]?[{_LOW}]+)*"

_INITIALS = re.compile(rf"(?<![\w.])[{_UP}]\.[ \t]?[{_UP}]\.(?:[ \t]?[{_UP}]\.)?(?![\w])")
_NOT_INITIALS = _words(
    "u.s. u.k. u.n. e.u. a.m. p.m. d.c. e.r. m.d. r.n. n.p. p.a. p.o. l.a. n.y. n.j. b.a. m.a. b.s. m.s. "
    "i.d. t.v. a.a. n.a. o.k. d.a. i.q. g.p. a.d. b.c. e.g. i.e. r.i.p. a.s.a.p. p.s. u.s.a. s.o. b.f. "
    "d.o. p.t. o.t. a.k.a. c.c. v.p. h.r. p.e. f.b.i. c.i.a. d.o.b. p.h.d. m.s.w. l.p.c."
)
_INITIAL_SURNAME = re.compile(rf"(?<![\w.&'’-])([{_UP}]\.(?:[ \t]?[{_UP}]\.)?[ \t]+)({_SURNAME})(?![\w'’])")
_NOT_SURNAME = _words(
    """the a an and but or so then than this that these those there here he she it we they you i my our his her
    their its your if when while after before as at by in on of to for from with without into onto not no yes
    is was are were be been has have had do does did will would can could should may might must shall also
    just still now today tonight tomorrow yesterday please thanks thank hi hey hello dear sincerely regards
    best yours pt client patient therapist reports reported denies denied states stated presents presented
    plan goals goal assessment subjective objective session sessions next last follow followup mood affect
    vitamin hepatitis type group class grade level section part step stage phase option plan"""
)

_NOT_FIELD_NAME = _words(
    """health care portal safety advocate rights education intake history record records information questionnaire
    reports reported presents presented states stated denies denied endorses endorsed attended arrived appears
    appeared was is has had will would did does no n/a none unknown see as per not declined requested centered
    centred first last full preferred legal given family middle date dob age sex gender id number phone email
    address diagnosis dx medications meds plan goals progress note notes summary assessment concern concerns
    referral reason agency program services service unit team group session sessions"""
)
_TITLE = (
    r"(?:Dr|Dra|Mr|Mrs|Ms|Mx|Miss|Mme|Mlle|Sr|Sra|Srta|Fr|Rev|Prof|Professor|Doctor|Nurse|Pastor|Father|Sister|"
    r"Brother|Rabbi|Imam|Sheikh|Coach|Officer|Detective|Det|Judge|Sgt|Sergeant|Capt|Captain|Lt|Lieutenant|Deputy|"
    r"Aunt|Auntie|Uncle|Tía|Tia|Tío|Tio)"
)
_TITLED = re.compile(rf"\b{_TITLE}\.?[ \t]+((?:[{_UP}]\.[ \t]?)?{_SURNAME}(?:[ \t]+{_SURNAME})?)")

_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_ORDINAL_WORD = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|"
    r"(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))"
)
_MONTH_ORDINAL = re.compile(rf"(?i:\b{_MONTHS}[ \t]+(?:the[ \t]+)?{_ORDINAL_WORD}\b)")
_UNIT_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TEEN = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_SPOKEN_YEAR = re.compile(
    rf"(?i:\b(?:nineteen|twenty)[ -](?:oh[ -]{_UNIT_WORD}|{_TEEN}|{_TENS}(?:[- ]{_UNIT_WORD})?)\b"
    rf"(?![ -](?:hindsight|vision|minutes|seconds|dollars|bucks|percent|times|people|years|mg|pounds)\b)"
    rf"|\btwo[ -]thousand(?:[ -]and)?(?:[ -](?:{_UNIT_WORD}|{_TEEN}|{_TENS}(?:[- ]{_UNIT_WORD})?))?\b"
    rf"(?![ -](?:dollars|bucks|pounds|people|miles|calories|steps|words|mg|times)\b))"
)
_DAY_MONTH = re.compile(
    r"(?i:\b(?:seen|appt|appointment|visit|session|dated|admitted|discharged|intake|last|next|thru|through|"
    r"starting|effective|returns?|f/u|follow[- ]?up|mon|tue|tues|wed|thu|thurs|fri|sat|sun|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)\.?,?[ \t]+(?:on[ \t]+)?)"
    r"((?:1[0-2]|0?[1-9])/(?:3[01]|[12]\d|0?[1-9]))(?![\w/]|[.,]\d)"
)

_SOMETHING_AGE = re.compile(rf"(?i:\b{_TENS}[- ]something\b)")
_HOW_OLD_ANSWER = re.compile(
    rf"(?i:\bhow\s+old\b[^?\n]{{0,60}}\?[^\n]{{0,40}}?\b(?:[A-Z]\s*:\s*)?(?:(?:uh|um|er|oh|well|like|she's|he's|"
    rf"i'm|about|almost|just)[ \t,]+)*)"
    rf"(?i:(\d{{1,2}}|{_TENS}(?:[- ]{_UNIT_WORD})?|{_TEEN}|{_UNIT_WORD})\b)"
    r"(?![ \t]*(?:%|percent|minutes|hours|days|weeks|months|o'?clock|am|pm))"
)
_WHAT_AGE = re.compile(
    rf"(?i:\b(?:you|he|she|they|i|we)\s+(?:were|was|are|is|'re|'s|am)\s*,?\s+(?:like|what|um|uh|maybe|about)\s*,?\s+"
    rf"(?:(?:like|what|um|uh|maybe|about)\s*,?\s+)?)"
    rf"(\d{{1,2}}|{_TENS}(?:[- ]{_UNIT_WORD})?|{_TEEN}|{_UNIT_WORD})\b(?=\s*[?.!,]|\s+(?:or|maybe|years)\b)"
)
_TURNED_AGE = re.compile(
    rf"(?i:\b(?:turned|turns|turning)[ \t]+)({_TENS}(?:[- ]{_UNIT_WORD})?|{_TEEN}|{_UNIT_WORD}|\d{{1,2}})\b"
    r"(?=[ \t]+(?:in|last|this|on|back|over|at|during)\b)(?![ \t]+in[ \t]+the[ \t]+(?:morning|afternoon|evening|night))"
    r"(?![ \t]+(?:on|at)[ \t]+(?:the[ \t]+)?(?:radio|tv|light|heat|music|lights))"
)  # "he turned seven in the summer", "she turns 70 this year"
_FORUM_AGE = re.compile(r"(?<![\w/])[(\[]?(1[3-9]|[2-9]\d)[ /]?[MFmf](?:[ /]?\d{2}[MFmf])?[)\]]?(?=[\s,.;:!?)]|$)")
_NAME_WITH_AGE = re.compile(rf"\b([{_UP}][{_LOW}]+)(?:,[ \t]+(\d{{1,2}}),|[ \t]+\((\d{{1,2}})\))(?![\w%])")
_REF_ID = re.compile(
    r"(?i:\b(?:our[ \t]+ref(?:erence)?|your[ \t]+ref(?:erence)?|ref(?:erence)?|file|claim|case|docket|"
    r"referral|authori[sz]ation|auth)(?:[ \t]+(?:no\.?|number|#|id))?[ \t]*(?:[:#]|is)[ \t]*)"
    r"((?=[A-Za-z0-9/.-]*\d)[A-Za-z0-9][A-Za-z0-9/.-]{2,}[A-Za-z0-9])\b"
)

_LOWER_STOP = _words(
    """a an the and or but so if is was are were be been being has had have got gets get just still always never
    died passed passes is's keeps kept likes loves hates wants needs ran runs went goes came comes left leaves
    sleeps slept ate eats bit bites barks barked is also too really very so such my your his her our their its
    and then now again who which that this there here when because since with without for from to at in on of
    by about over under like pls please lol omg tbh rn idk ngl fr smh though tho too either neither not no yes
    ok okay name named called says said told tells texted texts thinks thought knows knew does did do dont
    doesnt didnt cant wont isnt wasnt aint im ive its hes shes theyre were thats whats u ur ya yall"""
)
_PET_OR_PARTNER = (
    r"(?:dog|doggo|pup|puppy|cat|kitty|kitten|hamster|bunny|rabbit|bird|parrot|horse|pony|guinea\s+pig|ferret|"
    r"lizard|snake|turtle|fish|bf|gf|bff|bestie|bae|boo)"
)
_LOWER_RELATION_NAME = re.compile(
    rf"\b(?:my|our|his|her|their|ur|your)[ \t]+(?:(?:old|little|lil|new|baby|best|big|sweet|late)[ \t]+)?"
    rf"{_PET_OR_PARTNER}[ \t]*,?[ \t]+(?:(?:named|called)[ \t]+)?([a-z][a-z'-]{{2,}})\b"
    r"(?=[ \t]*(?:[,.!?;:)]|$|\n)|[ \t]+(?:is|was|has|had|and|who|just|still|'s|’s|lol)\b)"
)  # "my cat mochi is ...", "my dog, pickles."
_LOWER_NAMED = re.compile(
    r"\b(?:named|nicknamed|(?:his|her|their|its|whose)\s+name\s+(?:is|was|'s))[ \t]+([a-z][a-z'-]{2,})\b"
)
_STREET = r"(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|hwy|highway|pkwy|pike)"
_LOWER_BUSINESS_ON_STREET = re.compile(
    rf"\b([a-z][a-z'&-]+(?:[ \t][a-z][a-z'&-]+)?)[ \t]+(?:on|off|by|near)[ \t]+((?:\d{{1,3}}(?:st|nd|rd|th)|[a-z]+)"
    rf"(?:[ \t][a-z]+)?[ \t]+{_STREET})\b\.?"
)
_LOWER_SCHOOL = re.compile(
    r"\b(?:at|to|attend|attends|attended|from|in|go\s+to|goes\s+to|went\s+to)[ \t]+"
    r"([a-z][a-z'-]+(?:[ \t][a-z][a-z'-]+)?[ \t]+(?:high|middle|elementary|high\s+school|middle\s+school|"
    r"elementary\s+school|academy|prep))\b"
)
_NOT_SCHOOL_WORD = _words(
    """so very really too pretty super kinda sorta getting get got being been feel feeling felt was is am be the
    a an my his her our their your this that junior senior grad graduate public private catholic christian
    charter art arts online night summer my new old local back you me him them it us about really high middle
    school way"""
)
_NAME_TOKEN = rf"(?:[{_UP}]\.[ \t]?){{0,2}}{_SURNAME}"
_SIGN_OFF = re.compile(
    rf"(?i:\b(?:sincerely|regards|best\s+wishes|best|warmly|warm\s+regards|kind\s+regards|respectfully|cheers|"
    rf"thanks|thank\s+you|with\s+thanks|yours(?:\s+(?:truly|sincerely|faithfully))?|take\s+care|peace|love|hugs|"
    rf"xo|xoxo)[ \t]*[,.!-]*[ \t]*(?:\n[ \t]*|[ \t]+)(?:[\u2013\u2014~-][ \t]*)?)"
    rf"(?:{_TITLE}\.?[ \t]+)?({_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,2}})"
)  # "Sincerely,\nDr. Amara Obi", "Warm regards, S. Ní Bhriain"
_FIELD_NAME = re.compile(
    rf"(?i:\b(?:re|patient(?:\s+name)?|client(?:\s+name)?|pt(?:\s+name)?|name|referred\s+by|referring\s+"
    rf"(?:clinician|provider|physician|doctor|therapist)|clinician|therapist|supervisor|supervisee|counsell?or|"
    rf"cc|attn|attention|signed|author|provider|parent|guardian|mother|father|emergency\s+contact|next\s+of\s+kin|"
    rf"contact|social\s+worker|case\s+manager|prescriber|pcp|gp)[ \t]*:[ \t]*)"
    rf"(?:{_TITLE}\.?[ \t]+)?({_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,2}})"
)  # "Re: Tobias Lindqvist", "Client: J. Ortega", "cc: Dr. Amadi"
_ROLE_NAME = re.compile(
    rf"\b(?:Pt\.?|Patient|Client|Supervisee|Trainee|Intern|Resident|Clinician|Therapist|Counsell?or|Caller|Texter|"
    rf"Member|Referral|Youth|Student|Child|Minor|Mother|Father|Mom|Dad|Guardian|Sibling|Spouse|Partner|"
    rf"pt\.?|patient|client|supervisee|trainee|intern|caller|texter|member|youth|student|minor|guardian|sibling|"
    rf"spouse)[ \t]+({_NAME_TOKEN}(?:[ \t]+{_SURNAME})?)"
)  # "Pt Maria Ortiz reports", "client D. Okonkwo"
_NICKNAME = re.compile(rf"(?<![\w'’-])(?:Big|Lil|Lil'|Li'l|Little|Baby|Young|Lady|Sweet)[ \t]+([{_UP}][{_LOW}]+)\b")
_GREETING = re.compile(
    r"(?i:\b(?:thx|thnx|thanx|ty|tysm|tyvm|ily|ilysm|luv\s+(?:u|you|ya)|love\s+(?:u|you|ya)|miss\s+(?:u|you|ya)|"
    r"night|nite|gn|gm|morning|yo|sup|hii+|heyy+|hey+a|bye+|cya|later|congrats|sorry|omg)\b[ \t]*,?[ \t]+)"
    r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b(?=[ \t]*(?:[,.!?;:)<\u2764\U0001F300-\U0001FAFF]|$|\n))"
)  # "thx Nene ❤️", "ily Bee!"
_DAY_MONTH_LATE = re.compile(
    r"(?<![\w/.,$#:-])((?:1[0-2]|0?[1-9])/(?:1[3-9]|2[1-46-9]|3[01]))(?![\w/%]|[.,]\d|[ \t]*(?:%|pts?|points|score))"
)  # "was 8/22": a day from the 13th on is not a rating out of ten


_LOWER_AGE = re.compile(
    rf"(?i:\b(?:im|i'm|i’m|i\s+am|ima|i\s+just\s+turned|just\s+turned)[ \t]+(?:only[ \t]+|like[ \t]+|literally[ \t]+)?)"
    rf"(1[0-9]|[2-9]\d)\b(?![ \t]*(?:{_UNITS}|of\b|more\b|times\b|x\b|to\b|-|/|:|%|\.\d|,\d|[ \t]*(?:yrs?|years?)[ \t]+(?!old)))"
)  # "im 16 and ...", "i'm like 19"
_LOWER_MONTH_DAY = re.compile(
    r"\b(?:january|february|march|april|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|"
    r"jul|aug|sept?|oct|nov|dec)\.?[ \t]+(?:the[ \t]+)?(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
    r"(?![ \t]*(?:%|mg|miles|people|times|hours|minutes|days|weeks|years|of\b|:|-|/))"
)  # "my bday march 3", "oct 2nd" in text messages
_LOWER_PLACE = re.compile(
    r"(?<![\w@.'’-])(?:"
    + "|".join(
        re.escape(p.strip().lower()).replace(r"\ ", r"\s+")
        for p in sorted(_PLACES.split(","), key=len, reverse=True)
        if len(p.strip()) >= 4 and p.strip().lower() not in {"chile", "mali", "malta", "china", "wales", "nice"}
    )
    + r")(?![\w@-])"
)  # "we moved to ohio": countries, states and provinces written in lower case


_RELATION_WORD = (
    r"(?:son|daughter|wife|husband|partner|mom|mum|mother|dad|father|sister|brother|cousin|aunt|uncle|niece|nephew|"
    r"friend|best\s+friend|bestie|roommate|neighbou?r|boss|sponsor|ex|girlfriend|boyfriend|fianc[eé]e?|grandma|"
    r"grandpa|grandmother|grandfather|stepmom|stepdad|coworker|co-worker|teacher|coach|therapist|counsel+or|caseworker)"
)
_INITIAL_PERSON = re.compile(
    rf"(?:^|(?<=[.!?:;\n\"“(])[ \t]*|(?<=[.!?:;\"“(] ))([{_UP}][{_LOW}]+)"
    rf"(?=[ \t]+and[ \t]+(?:I|me)\b|,[ \t]+(?:my|our|his|her|their)[ \t]+{_RELATION_WORD}\b|[ \t]+(?:said|says|told|"
    rf"tells|texted|texts|called|calls|asked|asks|yelled|drove|came|went|left|moved)\b)"
)  # a first name that is also a word, first in its sentence: "Rose and I", "Grace, my sponsor, says"
_SOCIAL_VERB_NAME = re.compile(
    rf"\b(?:talked|talking|spoke|speaking|met|meeting|hung\s+out|hanging\s+out|went\s+out|"
    rf"broke\s+up|fighting|fought|argued|arguing)[ \t]+(?:to|with)[ \t]+([{_UP}][{_LOW}]+(?:[- ][{_UP}][{_LOW}]+)?)\b"
    r"(?![ \t]*(?:[A-Z]|'s[ \t]+(?:office|team|staff)))"
)  # "I talked to Oyelaran about it"


_UNDERSCORE_HANDLE = re.compile(
    r"(?<![\w@/#$.-])(?=[A-Za-z0-9_]*[A-Za-z]{2})[A-Za-z0-9]+(?:_+[A-Za-z0-9]+)+_*(?![\w@-])"
)
_DIGIT_HANDLE = re.compile(r"(?<![\w@/#$.-])([a-z]{2,}[A-Za-z]*[a-z]\d{2,4})(?![\w@.-]|\.\w)")
_NOT_DIGIT_HANDLE = re.compile(
    r"(?i)^(?:covid|sars|iphone|galaxy|pixel|windows|xbox|ps|mp|phq|gad|pcl|dsm|icd|vitamin|omega|area|model|"
    r"route|room|suite|unit|apt|exit|ward|bed|level|grade|class|year|week|day|page|chapter|version|step)\d"
)
_FORUM_HANDLE = re.compile(
    r"(?i:\b(?:posted\s+by|submitted\s+by|shared\s+by|written\s+by|replying\s+to|reply\s+to|quoting|"
    r"quote\s+from|dm\s+from|message\s+from)\s+)(@?[A-Za-z0-9][A-Za-z0-9_.-]{2,30}[A-Za-z0-9_])\b"
    r"|(?:^|\n)[ \t]*(@?[A-Za-z0-9][A-Za-z0-9_.-]{2,30}[A-Za-z0-9_])[ \t]+(?:wrote|said|replied|posted)[ \t]*:"
)  # "posted by quietfern", "replying to sunny_days", "moonbeam wrote:"
_SPOKEN_ADDRESS = re.compile(
    rf"(?i:\b(?:{_UNIT_WORD}|{_TEEN}|{_TENS}|hundred|thousand|oh|double)(?:[ -](?:{_UNIT_WORD}|{_TEEN}|{_TENS}|hundred|"
    rf"thousand|oh|and)){{0,5}})[ \t]+((?:[A-Z][a-z]+[ \t]+){{1,2}}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|"
    rf"Lane|Ln|Drive|Dr|Court|Ct|Place|Way|Terrace|Circle|Parkway|Highway))\b"
)  # "four twelve Elm Street", "twenty-two Birch Lane"


_RELATION_AGE = re.compile(
    rf"(?i:\b(?:my|his|her|our|their|ur|your)[ \t]+(?:little[ \t]+|lil[ \t]+|baby[ \t]+|big[ \t]+|older[ \t]+|younger[ \t]+)?"
    rf"{_RELATION_WORD}[ \t]+(?:is|was|'s|’s|turned|turns|just[ \t]+turned)[ \t]+(?:(?:like|about|almost|around|nearly|"
    rf"maybe|only|now|just|barely|over|under)[ \t]+)?)"
    rf"({_TENS}(?:[- ]{_UNIT_WORD})?|{_TEEN}|{_UNIT_WORD}|\d{{1,2}})\b(?=[ \t]*(?:[,.!?;)]|$|\n|and\b|now\b|years?[ \t]+old\b|lol\b|tho\b))"
)  # "my grandma is like eighty", "her son is 4."
_LOWER_ROUTE = re.compile(
    r"\b([a-z][a-z'&-]+)[ \t]+(?:on|off|by|near)[ \t]+((?:route|rte|highway|hwy|exit|interstate|i-)[ \t]*\d{1,4})\b"
)  # "walmart on route 9"


@cache
def _city_names() -> re.Pattern[str]:
    """The cities of ``data/places.txt`` as one pattern (any case; the caller keeps lower and title case)."""
    lines = (DATA / "places.txt").read_text(encoding="utf-8").splitlines()
    places = [line.split("#", 1)[0].strip().lower() for line in lines]
    places = sorted({p for p in places if p}, key=len, reverse=True)
    alternation = "|".join(r"\s+".join(map(re.escape, p.split())) for p in places)
    return re.compile(r"(?<![\w@.'’-])(?:" + alternation + r")(?![\w@-])", re.IGNORECASE)


_POSSESSIVE = re.compile(rf"(?<=[a-z,] )([{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?)['’]s\b")
"""A capitalised word with a possessive inside a sentence ("per Oyelaran's note"): a name unless a common word."""


_LOWER_SIGNATURE = re.compile(r"(?:^|\n|(?<=[.!?])[ \t]+)[~\u2013\u2014-]{1,2}[ \t]?([a-z][a-z0-9_.]{2,24})[ \t]*$")


def _name_like_lower(word: str) -> bool:
    """Whether a lower-case word after "my cat" or "named" can be a name (not a common word or verb form)."""
    key = word.lower().strip("'-")
    return (
        len(key) >= 3
        and key not in _LOWER_STOP
        and (key in first_names() or key not in ordinary_words())
        and not key.endswith(("ing", "ed", "ly"))
    )


def _person(piece: str, not_a_name: frozenset[str]) -> bool:
    """Whether the words after a field label or sign-off look like a person: initials, a listed first name, or
    two capitalised words of which the first is no common word ("Every day" is not; "Tobias Lindqvist" is)."""
    words = piece.split()
    first = words[0].rstrip(".").lower()
    if first in _NOT_SURNAME or first in not_a_name or first in _NOT_FIELD_NAME:
        return False
    if re.fullmatch(rf"[{_UP}]\.", words[0]) or first in first_names():
        return True
    return (
        len(words) >= 2
        and first not in ordinary_words()
        and first not in english_words()
        and words[1].lower() not in _NOT_FIELD_NAME
    )


def notes_candidates(text: str, not_a_name: frozenset[str]) -> list[tuple[int, int, str, int]]:
    """Initials, titled names, spoken and partial dates, ages, references and lower-case chat names and places.

    Parameters
    ----------
    text : str
        One remark, note, letter or transcript.
    not_a_name : frozenset of str
        Lower-case words never taken as a name.

    Returns
    -------
    list of (int, int, str, int)
        ``(start, end, kind, priority)``; may overlap each other and other detectors' spans.
    """
    out: list[tuple[int, int, str, int]] = []
    for m in _INITIALS.finditer(text):
        if m.group().lower().replace(" ", "") not in _NOT_INITIALS:
            out.append((m.start(), m.end(), "NAME", TITLE_NAME_PRIORITY))
    for m in _INITIAL_SURNAME.finditer(text):
        surname = m.group(2)
        first = re.split(r"[- ]", surname)[0].lower()
        if first in _NOT_SURNAME or first in not_a_name or (first in ordinary_words() and first not in first_names()):
            continue
        if (
            re.search(r"[A-Za-z]{2,}[ \t]$", text[max(0, m.start() - 12) : m.start()])
            and re.search(r"[A-Z][a-z]+[ \t]$", text[max(0, m.start() - 12) : m.start()])
            and m.group(1).count(".") == 1
        ):
            continue  # "Vitamin D. Smith" is too unsure; "Plan B. Then" is caught by the stop list
        out.append((m.start(), m.end(), "NAME", TITLE_NAME_PRIORITY))
    for m in _TITLED.finditer(text):
        first = re.split(r"[- ]", m.group(1))[0].lower().rstrip(".")
        if first not in _NOT_SURNAME and first not in not_a_name:
            out.append((m.start(1), m.end(1), "NAME", TITLE_NAME_PRIORITY))
    out.extend((m.start(1), m.end(1), "AGE", AGE_PRIORITY) for m in _LOWER_AGE.finditer(text))
    out.extend(
        (m.start(), m.end(), "DATE", DATE_PRIORITY) for m in _LOWER_MONTH_DAY.finditer(text) if m.group().islower()
    )
    out.extend((m.start(), m.end(), "LOCATION", PLACE_PRIORITY) for m in _LOWER_PLACE.finditer(text))
    out.extend(
        (m.start(), m.end(), "LOCATION", PLACE_PRIORITY)
        for m in _city_names().finditer(text)
        if m.group().islower() or all(w[:1].isupper() for w in re.split(r"[\s-]+", m.group()))
    )
    out.extend((m.start(1), m.end(1), "AGE", AGE_PRIORITY) for m in _RELATION_AGE.finditer(text))
    for m in _LOWER_ROUTE.finditer(text):
        if (
            m.group(1) not in _LOWER_STOP
            and m.group(1) not in _NOT_SCHOOL_WORD
            and not m.group(1).endswith(("ed", "ing"))
        ):
            out.append((m.start(1), m.end(2), "LOCATION", PLACE_PRIORITY))
    for m in _DAY_MONTH_LATE.finditer(text):
        if not re.search(
            r"(?i)\b(?:scored?|rated?|of|got|was\s+like|gpa)\s*$", text[max(0, m.start() - 12) : m.start()]
        ):
            out.append((m.start(1), m.end(1), "DATE", DATE_PRIORITY))
    for pattern in (_SIGN_OFF, _FIELD_NAME, _ROLE_NAME):
        for m in pattern.finditer(text):
            if pattern is _FIELD_NAME and re.search(r"\][ \t]*$", text[max(0, m.start() - 3) : m.start()]):
                continue  # "[19:02] Client: Summer break ...": a chat turn after its time stamp, not a field
            if _person(m.group(1), not_a_name):
                out.append((m.start(1), m.end(1), "NAME", TITLE_NAME_PRIORITY + 1))
    for m in _INITIAL_PERSON.finditer(text):
        word = m.group(1).lower()
        if word in first_names() and word not in not_a_name and word not in _NOT_SURNAME:
            out.append((m.start(1), m.end(1), "NAME", CHAT_NAME_PRIORITY))
    out.extend((m.start(1), m.end(1), "NAME", GREETING_PRIORITY) for m in _SOCIAL_VERB_NAME.finditer(text))
    out.extend(
        (m.start(1), m.end(1), "NAME", GREETING_PRIORITY)
        for m in _POSSESSIVE.finditer(text)
        if m.group(1).lower() not in ordinary_words() and m.group(1).lower() not in _NOT_SURNAME
    )
    for m in _NICKNAME.finditer(text):
        if m.group(1).lower() in first_names():
            out.append((m.start(), m.end(), "NAME", CHAT_NAME_PRIORITY))
    out.extend((m.start(1), m.end(1), "NAME", GREETING_PRIORITY) for m in _GREETING.finditer(text))
    for pattern in (_MONTH_ORDINAL, _SPOKEN_YEAR):
        out.extend((m.start(), m.end(), "DATE", DATE_PRIORITY) for m in pattern.finditer(text))
    out.extend((m.start(1), m.end(1), "DATE", DATE_PRIORITY) for m in _DAY_MONTH.finditer(text))
    out.extend((m.start(), m.end(), "AGE", AGE_PRIORITY) for m in _SOMETHING_AGE.finditer(text))
    for pattern in (_HOW_OLD_ANSWER, _WHAT_AGE, _TURNED_AGE):
        out.extend((m.start(1), m.end(1), "AGE", AGE_PRIORITY) for m in pattern.finditer(text))
    out.extend(
        (m.start(), m.end(), "AGE", AGE_PRIORITY)
        for m in _FORUM_AGE.finditer(text)
        if m.group().startswith(("(", "[")) or re.search(r"(?i)\bi(?:'m| am)?\s*$", text[: m.start()])
    )
    for m in _NAME_WITH_AGE.finditer(text):
        word = m.group(1).lower()
        if word in first_names() and word not in not_a_name:
            group = 2 if m.group(2) else 3
            out.append((m.start(group), m.end(group), "AGE", AGE_PRIORITY))
    out.extend((m.start(1), m.end(1), "ID", ID_PRIORITY) for m in _REF_ID.finditer(text))
    for pattern in (_LOWER_RELATION_NAME, _LOWER_NAMED):
        for m in pattern.finditer(text):
            if _name_like_lower(m.group(1)) and m.group(1).lower() not in not_a_name:
                out.append((m.start(1), m.end(1), "NAME", CHAT_NAME_PRIORITY))
    for m in _LOWER_BUSINESS_ON_STREET.finditer(text):
        words = m.group(1).split()
        while words and (words[0] in _LOWER_STOP or words[0] in _NOT_SCHOOL_WORD or words[0].endswith(("ed", "ing"))):
            words = words[1:]
        road = m.group(2).split()[0]
        if words and (road[0].isdigit() or (road not in _LOWER_STOP and road not in _NOT_SCHOOL_WORD)):
            out.append((m.end(1) - len(" ".join(words)), m.end(2), "LOCATION", PLACE_PRIORITY))
    for m in _LOWER_SCHOOL.finditer(text):
        words = [
            w for w in m.group(1).split() if w not in ("high", "middle", "elementary", "school", "academy", "prep")
        ]
        if words and not any(
            w in _NOT_SCHOOL_WORD or w in _LOWER_STOP or w.endswith(("ing", "ed", "ly")) for w in words[:2]
        ):
            out.append((m.start(1), m.end(1), "ORG", PLACE_PRIORITY))
    out.extend((m.start(), m.end(), "HANDLE", HANDLE_PRIORITY) for m in _UNDERSCORE_HANDLE.finditer(text))
    out.extend(
        (m.start(1), m.end(1), "HANDLE", HANDLE_PRIORITY)
        for m in _DIGIT_HANDLE.finditer(text)
        if not _NOT_DIGIT_HANDLE.match(m.group(1))
    )
    for m in _FORUM_HANDLE.finditer(text):
        group = 1 if m.group(1) else 2
        word = m.group(group).lower().lstrip("@")
        if (
            word not in _LOWER_STOP
            and word not in not_a_name
            and word not in _NOT_SURNAME
            and word not in english_words()
            and (m.group(group).islower() or re.search(r"[\d_.@]", m.group(group)))
        ):
            out.append((m.start(group), m.end(group), "HANDLE", HANDLE_PRIORITY))
    out.extend((m.start(), m.end(), "ADDRESS", ID_PRIORITY + 2) for m in _SPOKEN_ADDRESS.finditer(text))
    for m in _LOWER_SIGNATURE.finditer(text):
        if m.group(1) not in _LOWER_STOP and m.group(1) not in not_a_name:
            out.append(
                (m.start(1), m.end(1), "HANDLE" if re.search(r"[\d_.]", m.group(1)) else "NAME", CHAT_NAME_PRIORITY)
            )
    return out


def propagate_names(
    text: str, spans: Sequence[tuple[int, int, str]], not_a_name: frozenset[str]
) -> list[tuple[int, int]]:
    """Other occurrences of capitalised words already found as names in the same text, written the same way.

    Parameters
    ----------
    text : str
        The text.
    spans : sequence of (int, int, str)
        The spans found so far, ``(start, end, kind)``.
    not_a_name : frozenset of str
        Lower-case words never taken as a name.

    Returns
    -------
    list of (int, int)
        New name spans, overlapping none of ``spans`` nor each other.
    """
    words = {
        w
        for s, e, k in spans
        if k == "NAME"
        for w in re.findall(rf"[{_UP}{_LOW}][{_UP}{_LOW}'’-]*[{_UP}{_LOW}]", text[s:e])
        if len(w) >= 3 and w[0].isupper() and w.lower() not in not_a_name and w.lower() not in _NOT_SURNAME
    }
    if not words:
        return []
    pattern = re.compile(
        r"(?<![\w'’-])(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")(?![\w-])"
    )
    taken = [(s, e) for s, e, _ in spans]
    out: list[tuple[int, int]] = []
    for m in pattern.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            out.append(m.span())
            taken.append(m.span())
    return out
