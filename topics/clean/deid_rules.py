"""The rule table of the de-identification engine (:mod:`topics.clean.deidentify`).

Regular expressions for identifiers with a recognisable shape (e-mail addresses, URLs, phone numbers,
street addresses, dates, ages, ID numbers, names after a title or in a self-introduction), the fill-in
rules that run after NER (vocative names, signatures, a list of countries and states), and the word
lists that keep transcript conventions intact (speaker prefixes, role words, numbers with units, words
NER mistakes for names). Each rule is ``(kind, priority, pattern, group)``: lower priority numbers win
where detectors overlap, and ``group`` is the capture group that holds the identifier.
"""

from __future__ import annotations

import re

from topics.clean.deid_lexicon import word_set as _words

ROLE_WORDS = _words(
    """therapist therapists client clients counselor counselors counsellor counsellors patient patients supporter
    seeker interviewer interviewee doctor doc nurse t c paciente pacienta terapeuta cliente consejero consejera
    intérprete interprete doctora enfermera"""
)
"""Words never scrubbed, wherever they stand (speaker prefixes and role names)."""

SPEAKER_PREFIX = re.compile(
    r"^[ \t]*(?:" + "|".join(sorted(ROLE_WORDS, key=len, reverse=True)) + r")(?:[ \t]*\d{1,3})?[ \t]*:",
    re.MULTILINE | re.IGNORECASE,
)
"""A speaker prefix made of a role word ("T:", "Therapist:", "Client 2:"); protected from scrubbing."""

_MONTH_FULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_MONTH = rf"(?:{_MONTH_FULL}|{_MONTH_ABBR})"
_WEEKDAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_UNITS = (
    r"(?:%|percent|per\s*cent|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|times?|cigarettes?|cigs?|"
    r"drinks?|beers?|glasses|bottles?|shots?|cups?|pounds?|lbs?|kgs?|kilos?|stone|miles?|km|feet|ft|inches|"
    r"dollars?|bucks|cents?|grand|calories|steps|mg|ml|units?|points?|people|kids|o'?clock|am\b|pm\b|a\.m|p\.m|"
    r"out\s+of|or\s+\d|to\s+\d|-\s*\d|/|:\d|\.\d|x\b)"
)
_NUMBER_WORDS = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|"
    r"eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|a\s+hundred)"
)
_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace|Ter|Way|"
    r"Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Crescent|Cres|Close|Grove|Trail|Trl|Alley|Row|Loop)"
)
_TLD = r"(?i:com|org|net|gov|edu|mil|info|io|ca|uk|au|nz|de|co\.uk|org\.uk|com\.au|co\.nz)"

# (kind, priority, pattern, group): lower priority numbers win overlaps. group is the capture group that
# holds the identifier (0 = the whole match).
RULES: list[tuple[str, int, re.Pattern[str], int]] = [
    ("EMAIL", 0, re.compile(r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), 0),
    ("URL", 1, re.compile(r"(?:https?://|www\.(?=[A-Za-z0-9-]+\.[A-Za-z]{2,}))[^\s<>\"'()\[\]{}]+", re.IGNORECASE), 0),
    ("URL", 2, re.compile(rf"(?<![@\w.-])(?:[A-Za-z0-9][\w-]+\.)+{_TLD}(?![A-Za-z])(?:/[^\s<>\"'()\[\]{{}}]*)?"), 0),
    ("ID", 3, re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"), 0),  # SSN
    (
        "ID",
        3,
        re.compile(
            r"(?i:\b(?:MRN|SSN|NHS|medical\s+record|record|patient|member|client|case|account|acct|policy|group|"
            r"insurance|chart|ID|social(?:\s+security)?)(?:\s+(?:number|no\.?|num|ID|#))?\s*(?:is|was|:|#|=)?\s*)"
            r"(#?(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}[A-Z0-9])\b"
        ),
        1,
    ),
    (
        "PHONE",
        4,
        re.compile(
            r"(?<![\w+#-])(?:1[-. ])?(?:8(?:00|88|77|66|55|44|33))-(?=[A-Z0-9-]*[A-Z])[A-Z0-9](?:-?[A-Z0-9]){3,9}\b"
        ),
        0,
    ),  # toll-free vanity numbers: 1-800-QUIT-NOW
    (
        "PHONE",
        4,
        re.compile(r"(?<![\w+-])\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}(?![\w-])"),
        0,
    ),  # international +44 20 7946 0958
    (
        "PHONE",
        4,
        re.compile(r"(?<![\d+-])(?:1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}(?![\w-])"),
        0,
    ),  # North American (503) 555-0142, 800-273-8255, 787466-5478, 404.293.5654
    ("PHONE", 4, re.compile(r"(?<![\w+-])0\d{2,4}[ -]\d{3,4}[ -]\d{3,4}(?![\w-])"), 0),  # 020 7946 0958, 0412 345 678
    ("PHONE", 4, re.compile(r"(?<![\w&])#\d{5,6}\b"), 0),  # text short codes: #741741
    (
        "ADDRESS",
        5,
        re.compile(
            rf"\b\d{{1,6}}[A-Za-z]?(?:[ \t]+(?:[NSEW]\.?|North|South|East|West|Northeast|Northwest|Southeast|Southwest))?"
            rf"(?:[ \t]+[A-Z][A-Za-z'.-]*|[ \t]+\d{{1,3}}(?:st|nd|rd|th)){{1,3}}[ \t]+{_STREET_SUFFIX}\b\.?"
            rf"(?:,?[ \t]+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|#)\.?[ \t]*#?[A-Za-z0-9-]+)?"
            rf"(?:,?[ \t]+[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?,?[ \t]+[A-Z]{{2}}(?:[ \t]+\d{{5}}(?:-\d{{4}})?)?\b)?"
        ),
        0,
    ),
    (
        "ADDRESS",
        5,
        re.compile(
            r"\b\d{1,5}(?:bis)?,?[ \t]+(?:Rue|Calle|Via|Avenida|Av\.|Strasse|Straße|Carrer|Rua)"
            r"(?:[ \t]+(?:de|du|des|la|le|les|del|della|di|da|do|dos)\b)*(?:[ \t]+[A-Z][\w'-]*){1,3}"
        ),
        0,
    ),
    ("ADDRESS", 5, re.compile(r"\b(?:P\.?\s?O\.?\s+Box|PO\s+Box)\s+\d+\b", re.IGNORECASE), 0),
    (
        "DATE",
        6,
        re.compile(
            rf"(?:\b{_WEEKDAY},?[ \t]+(?:the[ \t]+)?)?\b(?:{_ORD}[ \t]+(?:of[ \t]+)?{_MONTH}|{_MONTH}[ \t]+{_ORD}\b)"
            rf"(?:,?[ \t]+{_YEAR}\b)?"
        ),
        0,
    ),  # 14 March 1987, March 3rd, 2021, Thursday February 25th
    ("DATE", 6, re.compile(rf"\b{_MONTH},?[ \t]+(?:of[ \t]+)?'?(?:{_YEAR}|\d{{2}})\b"), 0),  # June 2016, Mar 2020
    ("DATE", 6, re.compile(rf"\b{_WEEKDAY},?[ \t]+the[ \t]+\d{{1,2}}(?:st|nd|rd|th)\b"), 0),  # Sunday the 28th
    (
        "DATE",
        6,
        re.compile(
            rf"(?:\b{_WEEKDAY},?[ \t]+)?(?<![\w/.-])"
            r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|(?:19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2})(?![\w/-])"
        ),
        0,
    ),  # 3/14/2021, 01/15/2021, 6/11/15, 2021-06-14
    (
        "DATE",
        7,
        re.compile(
            rf"(?i:\b(?:in|since|until|till|before|after|during|by|from|last|next|this|of|early|late|mid|end|"
            rf"through|around|on|to)[ \t]+)({_MONTH_FULL}|(?:Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\.?(?![\w.]))"
        ),
        1,
    ),  # "since March", "in May": May and March count as months only after a preposition
    (
        "DATE",
        7,
        re.compile(r"\b(?:January|February|April|June|July|August|September|October|November|December)\b"),
        0,
    ),  # other month names on their own: "last October"
    (
        "DATE",
        8,
        re.compile(rf"(?<![\w$£€#.,/-])(?:{_YEAR}|'\d0)s?(?:'s)?(?![\w/-]|\s*{_UNITS}|,\d|\.\d)"),
        0,
    ),  # years: 1998, 2011, the 1920s
    (
        "AGE",
        9,
        re.compile(
            rf"(?i:\b(?:\d{{1,3}}|{_NUMBER_WORDS})(?:[ \t]*-[ \t]*|[ \t]+)(?:years?|yrs?)(?:[ \t]*-[ \t]*|[ \t]+)old\b"
            rf"|\b\d{{1,3}}[ \t]*(?:y/o|yo)\b)"
        ),
        0,
    ),  # 34 years old, 15-year-old, eight years old, 25 y/o
    (
        "AGE",
        9,
        re.compile(
            rf"(?:\b(?:I'm|I’m|Im|I\s+am|[Hh]e's|[Ss]he's|[Hh]e\s+is|[Ss]he\s+is|[Yy]ou're|[Yy]ou’re|[Yy]ou\s+are|"
            rf"I\s+was|[Hh]e\s+was|[Ss]he\s+was|[Yy]ou\s+were|I\s+turned|[Hh]e\s+turned|[Ss]he\s+turned|"
            rf"(?:I|[Hh]e|[Ss]he|[Yy]ou)\s+(?:will|'ll|’ll|would)\s+(?:be|have\s+been|turn)|[Tt]urning|[Tt]urned)"
            rf"(?:(?:[ \t]*,)?[ \t]+(?:um|uh|er|like|now|only|just|about|around|almost|nearly|not|even|barely|"
            rf"already|over|under|still)\b)*(?:[ \t]*,)?[ \t]+)(\d{{1,2}})\b(?!\s*{_UNITS}|\s+of\b|\s*(?:and\s+a\s+half\s+)?(?:years?|yrs?)(?!\s+old)|'|’|\.\d|,\d)"
        ),
        1,
    ),  # I'm 34, I am, um, 28, you're not even 21, I was about 15
    (
        "AGE",
        9,
        re.compile(r"(?i:\b(?:aged?|ages)(?:\s+(?:of|is|was|as|at|:))?\s*:?\s+)(\d{1,3})\b(?!\s*(?:to|-|–)\s*\d)"),
        1,
    ),  # age 34, aged 34, your age as 20, at the age of 15
    (
        "ID",
        10,
        re.compile(r"(?<![\w/-])(?<!\d[.,])\d(?:[ -]?\d){7,}(?![\w/-]|[.,]\d)"),
        0,
    ),  # long digit runs (8+ digits)
    (
        "ID",
        10,
        re.compile(
            r"(?<![\w.-])(?=[A-Z0-9-]*\d[A-Z0-9-]*\d[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]{6,}[A-Z0-9](?![\w-])"
        ),
        0,
    ),  # mixed letter-digit codes: XJH482019377
    (
        "NAME",
        11,
        re.compile(
            r"\b(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof|Professor|Doctor|Nurse|Pastor|Father|Sister|Aunt|Auntie|Uncle)\.?[ \t]+"
            r"((?:[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?)(?:[ \t]+[A-Z]\.)?(?:[ \t]+[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?)?)"
        ),
        1,
    ),  # Dr. Kirtley, Mrs. Smith, Aunt Kathy
    (
        "NAME",
        11,
        re.compile(
            r"(?i:\b(?:my\s+name\s+is|my\s+name's|name's|call\s+me|I'm\s+called)\s+)"
            r"(?:(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof)\.?\s+)?"
            r"([A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?(?:\s+[A-Z][a-z]+)?)"
        ),
        1,
    ),  # my name is Beth
]

_DIGIT_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_ORDINAL_WORDS = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|fortieth|fiftieth|sixtieth|"
    r"seventieth|eightieth|ninetieth|hundredth|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ]"
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))"
)
_DECADE = r"(?:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|[1-9]0['’]?s)"
_AGE_NUMBER = rf"(?:\d{{1,3}}|{_NUMBER_WORDS})"
_ORG_SUFFIX = (
    r"(?:University|College|Academy|School|High|Elementary|Institute|Seminary|Church|Chapel|Cathedral|Mosque|"
    r"Synagogue|Temple|Parish|Ministries|Clinic|Clinics|Center|Centre|Hospital|Hospice|Medical|Healthcare|Health|"
    r"Foundation|Society|Association|Council|Court|Department|Agency|Services|Group|Partners|Associates|Company|"
    r"Co\.|Corp\.?|Corporation|Inc\.?|LLC|Ltd\.?|Bank|Credit\s+Union|Insurance|Pharmacy|Fitness|Gym|Yoga|"
    r"Counseling|Counselling|Therapy|Wellness|Recovery|Rehab|Rehabilitation|Acupuncture|Dental|Chiropractic|"
    r"Foods|Steel|Motors|Airlines|Logistics|Solutions|Technologies|Tech|Systems|Industries|Enterprises|Analytics|"
    r"Consulting|Software|"
    r"Construction|Plumbing|Electric|Roofing|Landscaping|Restaurant|Cafe|Café|Bar|Grill|Diner|Bakery|Market|"
    r"Casino|Hotel|Club|Shelter|House|Ministry|Network|Alliance|Coalition|Union|Labs?|Studios?|Salon|Spa|"
    r"Realty|Law|Firm|Police|Library|Museum|Mall|Plaza|Motel|Inn|Brewery|Farms?|Ranch|Outreach|Collective|"
    r"Program|Project|Initiative|Support|Hotline|Lifeline|Services|Supply|Store|Stores|Shop|Warehouse|Factory|"
    r"Funeral\s+Home|Mortuary|Crematorium|"
    r"Plant|Mill|Railroad|Railway|Transit|Marines|Army|Navy|Guard|Battalion|Regiment|Brigade|Squadron|AA|NA)"
)
_ORG_HEAD = r"(?:University|College|Bank|Church|Department|Bureau|Office|Institute|School|Academy|Hospital|Board)"
_RELATION = (
    r"(?:son|daughter|kid|child|boy|girl|baby|wife|husband|partner|spouse|fianc[eé]e?|boyfriend|girlfriend|ex|"
    r"ex-wife|ex-husband|brother|sister|mom|mum|mother|dad|father|stepmom|stepdad|stepson|stepdaughter|grandma|"
    r"grandpa|grandmother|grandfather|grandson|granddaughter|aunt|uncle|niece|nephew|cousin|friend|bestie|roommate|"
    r"flatmate|neighbou?r|boss|manager|supervisor|coworker|co-worker|colleague|sponsor|therapist|counselou?r|"
    r"psychiatrist|doctor|teacher|coach|pastor|priest|rabbi|imam|caseworker|case\s+worker|lawyer|attorney|"
    r"probation\s+officer|PO|dog|cat|puppy|kitten|pup|pet|horse|pony|bird|parrot|bunny|rabbit|hamster)"
)

EXTRA_RULES: list[tuple[str, int, re.Pattern[str], int]] = [
    (
        "EMAIL",
        0,
        re.compile(
            r"(?i:(?<![\w.])[a-z0-9][\w.+-]*\s*(?:\(at\)|\[at\]|\{at\}|\s+at\s+)\s*[a-z0-9-]+"
            r"(?:\s*(?:\(dot\)|\[dot\]|\{dot\}|\s+dot\s+|\.)\s*[a-z0-9-]+)*"
            r"\s*(?:\(dot\)|\[dot\]|\{dot\}|\s+dot\s+|\.)\s*(?:com|org|net|edu|gov|io|co|us|uk|ca|au|me|info)\b)"
        ),
        0,
    ),  # jane dot doe at gmail dot com, therapy(at)example(dot)com
    (
        "PHONE",
        4,
        re.compile(rf"(?i:\b{_DIGIT_WORD}(?:[ \t,.-]+(?:{_DIGIT_WORD}|double\s+{_DIGIT_WORD})){{6,}}\b)"),
        0,
    ),  # five five five, two one nine, zero four four seven
    (
        "ID",
        3,
        re.compile(r"(?<![\w-])[A-Z]{1,3}\d{2,4}(?:[ -]\d{3,4}){2,3}(?![\w-])"),
        0,
    ),  # member IDs in groups: W284 913 706
    (
        "ID",
        3,
        re.compile(
            r"(?i:\b(?:ending\s+in|ends\s+in|last\s+(?:four|4)(?:\s+digits)?(?:\s+of\s+(?:your|my|his|her|the)\s+"
            r"(?:social(?:\s+security(?:\s+number)?)?|SSN|card|account|phone(?:\s+number)?|number))?(?:\s+(?:are|is|of))?|"
            r"extension|ext\.?|"
            r"plate(?:\s+number)?(?:\s+is)?|license(?:\s+number)?(?:\s+is)?|badge(?:\s+number)?|"
            r"(?:student|employee|member|inmate|booking|claim|confirmation|reference|ref)\s+(?:ID|number|no\.?|#)"
            r"(?:\s+is)?)[\s:#,]*)([A-Z0-9][A-Z0-9-]{2,}[A-Z0-9])\b"
        ),
        1,
    ),  # "ending in 4417", "plate number 7KDR218"
    (
        "ID",
        10,
        re.compile(r"(?<![\w.-])(?=[A-Z0-9]*\d[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z][A-Z0-9]*[A-Z])[0-9][A-Z0-9]{5,7}(?![\w-])"),
        0,
    ),  # licence-plate-like codes starting with a digit: 7KDR218
    (
        "DATE",
        6,
        re.compile(
            r"(?i:\b(?:on|by|since|until|till|before|after|from|due|around|of)[ \t]+(?:the[ \t]+)?)"
            r"(\d{1,2}/(?!10\b)\d{1,2}|\d{1,2}(?:st|nd|rd|th))\b(?![ \t]*(?:/|%|percent|time|floor|grade|century|place|"
            r"birthday|anniversary|street|avenue|st\b|ave\b|of\s+(?:the|my|them|us|those|these|you)\b))"
        ),
        1,
    ),  # "on 8/22", "by the 22nd", "since the 3rd"; not "from 3/10" (a rating out of ten)
    (
        "DATE",
        6,
        re.compile(rf"(?i:\b(?:the|on|by)[ \t]+)({_ORDINAL_WORDS})(?=[ \t]+of[ \t]+{_MONTH_FULL}\b)"),
        1,
    ),  # "the fifth of June" (the month itself is found by the month rules)
    (
        "AGE",
        9,
        re.compile(
            rf"(?i:\b(?:I'm|I’m|Im|I\s+am|he's|she's|he\s+is|she\s+is|you're|you’re|you\s+are|they're|they\s+are|"
            rf"we're|I\s+was|he\s+was|she\s+was|you\s+were|they\s+were|we\s+were|turned|turns|turning|turn|"
            rf"(?:will|'ll|’ll|would|to)\s+be|age\s+of|aged?|at)"
            rf"(?:(?:[ \t]*,)?[ \t]+(?:um|uh|like|now|only|just|about|around|almost|nearly|not|even|barely|already|"
            rf"over|under|still|maybe|probably|like)\b)*(?:[ \t]*,)?[ \t]+)"
            rf"({_NUMBER_WORDS}(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)\b"
            rf"(?![ \t]*(?:{_UNITS}|o['’]?clock|of\b|thirty|fifteen|forty-five|in\s+the|years?\s+(?!old)|"
            rf"months?|weeks?|days?|more|times|things|kids|people|sessions|drinks|cigarettes|-?\s*(?:year|month)))"
        ),
        1,
    ),  # "I was fifteen", "she turns sixty-two", "at twenty-three"
    (
        "AGE",
        9,
        re.compile(
            rf"(?i:\b(?:at|turned|turns|turning|age)[ \t]+)(1[3-9]|[2-9]\d|1[01]\d)\b"
            rf"(?![ \t]*(?:{_UNITS}|o['’]?clock|:|%|am\b|pm\b|a\.m|p\.m|in\s+the|years?\s+(?!old)|months?|weeks?|"
            rf"days?|times|-|–|/|,\d))"
        ),
        1,
    ),  # "at 52", "turns 70"
    (
        "AGE",
        9,
        re.compile(
            rf"(?i:\b(?:(?:early|mid|late)[- ]?{_DECADE}|(?:in|into|through)\s+(?:my|his|her|their|your|our|the)\s+"
            rf"(?:(?:early|mid|late)[- ]?)?{_DECADE}))"
        ),
        0,
    ),  # "mid-twenties", "late 20s", "in my forties"
    (
        "AGE",
        9,
        re.compile(rf"(?i:\b(\d{{1,3}}(?:st|nd|rd|th)|{_ORDINAL_WORDS})(?=[ \t]+(?:birthday|bday|b-day)\b))"),
        1,
    ),  # "her 21st birthday", "his fortieth birthday"
    (
        "AGE",
        9,
        re.compile(
            rf"(?i:(?:\w['’]s|\b(?:my|his|her|your|their|our))[ \t]+)(\d{{1,3}}(?:st|nd|rd|th)|{_ORDINAL_WORDS})"
            r"(?=[ \t]*(?:[?.!,;]|$|party\b|celebration\b))"
        ),
        1,
    ),  # "the night of Kyle's 21st?"
    (
        "AGE",
        9,
        re.compile(
            rf"(?i:\b(?:who|which|that)\s+(?:is|was|'s|turned|turns|will\s+be)\s+(?:now\s+|only\s+|just\s+|almost\s+)?)"
            rf"({_AGE_NUMBER})(?![.,]\d)(?=[ \t]*(?:[?.!,;]|$|and\b|now\b|years?\s+old))"
        ),
        1,
    ),  # "our son Elijah, who is 4."
    (
        "AGE",
        9,
        re.compile(
            rf"(?i:\b(?:my|his|her|their|our|your|a|an)\s+)({_AGE_NUMBER}(?:[ \t]*-[ \t]*|[ \t]+)(?:years?|yrs?)"
            rf"(?:[ \t]*-[ \t]*|[ \t]+)old|{_AGE_NUMBER}[ \t]*-?[ \t]*(?:yo|y/o))\b"
        ),
        1,
    ),  # "my 8-year-old", "a six year old"
    (
        "AGE",
        9,
        re.compile(
            rf"(?i:\b(?:kids?|children|sons?|daughters?|boys?|girls?|twins|grandkids|grandchildren)\s+(?:are|is|were|was)"
            rf"(?:\s+(?:now|only|just|about|almost))?\s+)({_AGE_NUMBER}(?:\s+and\s+{_AGE_NUMBER}|,\s*{_AGE_NUMBER})*)\b"
            rf"(?!\s*(?:{_UNITS}|of\b|months?|weeks?|days?))"
        ),
        1,
    ),  # "my kids are 4 and 7"
    (
        "ORG",
        12,
        re.compile(
            rf"(?<![\w'’-])(?:(?:[A-Z][\w'’.&-]*|\d+)[ \t]+(?:(?:of|and|&|for|the|de|on|at)[ \t]+)?){{1,4}}{_ORG_SUFFIX}\b"
            rf"(?:[ \t]+(?:of|for|at|in)[ \t]+(?:the[ \t]+)?[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){{0,2}})?"
        ),
        0,
    ),  # Bethlehem Steel, Riverbend Counseling, Grace Community Church, Fairfax Women's AA
    (
        "ORG",
        12,
        re.compile(rf"\b{_ORG_HEAD}[ \t]+of[ \t]+(?:the[ \t]+)?[A-Z][\w'’-]+(?:[ \t]+(?:[A-Z][\w'’-]+|of|and)){{0,3}}"),
        0,
    ),  # University of Michigan, Bank of America, Department of Children and Families
    (
        "ORG",
        12,
        re.compile(
            r"(?<![\w-])[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?[ \t]+State\b(?![ \t]+(?:of|Park|Street|Route|Highway|Line))"
        ),
        0,
    ),  # Georgia State, Ohio State (universities)
    (
        "ORG",
        12,
        re.compile(
            r"\b(?:Knights|Daughters|Sons|Friends|Brothers|Sisters)[ \t]+of[ \t]+(?:the[ \t]+)?[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+)?"
        ),
        0,
    ),  # Knights of Columbus
    (
        "NAME",
        13,
        re.compile(
            rf"(?i:\b(?:my|his|her|their|our|your|the|a)\s+(?:little\s+|older\s+|younger\s+|big\s+|baby\s+|new\s+|"
            rf"old\s+|best\s+|ex-?\s*|step-?)*{_RELATION}\s*,?\s+(?:named\s+|called\s+)?)"
            r"((?:Mc|Mac|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b"
        ),
        1,
    ),  # "my son Jake", "our dog, Biscuit", "my sponsor named Rick"
    (
        "NAME",
        13,
        re.compile(r"(?i:\b(?:named|nicknamed|goes\s+by)\s+)((?:Mc|Mac|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b"),
        1,
    ),  # "a guy named Rick"; "called X" is judged in deid_chat.py ("a technique called Grounding" is no name)
]
"""Rules for kinds the first rule table lacked (organisations, ages in words and decades, spelled-out phone
numbers, obfuscated e-mail addresses, member and plate numbers, day-only dates, names after a relation)."""

_PLACES = """Afghanistan, Albania, Algeria, Argentina, Armenia, Australia, Austria, Azerbaijan, Bahamas, Bangladesh,
Barbados, Belarus, Belgium, Belize, Bolivia, Bosnia, Botswana, Brazil, Bulgaria, Cambodia, Cameroon, Canada, Chile,
China, Colombia, Costa Rica, Croatia, Cuba, Cyprus, Czech Republic, Czechia, Denmark, Dominican Republic, Ecuador,
Egypt, El Salvador, England, Estonia, Ethiopia, Fiji, Finland, France, Germany, Ghana, Greece, Guatemala, Haiti,
Honduras, Hong Kong, Hungary, Iceland, India, Indonesia, Iran, Iraq, Ireland, Israel, Italy, Jamaica, Japan, Kazakhstan,
Kenya, Korea, Kosovo, Kuwait, Laos, Latvia, Lebanon, Liberia, Libya, Lithuania, Luxembourg, Madagascar, Malaysia,
Mali, Malta, Mexico, Moldova, Mongolia, Montenegro, Morocco, Mozambique, Myanmar, Namibia, Nepal, Netherlands,
New Zealand, Nicaragua, Nigeria, North Korea, Northern Ireland, Norway, Pakistan, Palestine, Panama, Paraguay, Peru,
Philippines, Poland, Portugal, Puerto Rico, Qatar, Romania, Russia, Rwanda, Saudi Arabia, Scotland, Senegal, Serbia,
Sierra Leone, Singapore, Slovakia, Slovenia, Somalia, South Africa, South Korea, Spain, Sri Lanka, Sudan, Sweden,
Switzerland, Syria, Taiwan, Tanzania, Thailand, Trinidad, Tunisia, Uganda, Ukraine, United Arab Emirates,
United Kingdom, United States, Uruguay, Uzbekistan, Venezuela, Vietnam, Wales, Yemen, Zambia, Zimbabwe, USA, U.S.A.,
UK, Alabama, Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware, Florida, Hawaii, Idaho, Illinois,
Indiana, Iowa, Kansas, Kentucky, Louisiana, Maine, Maryland, Massachusetts, Michigan, Minnesota, Mississippi,
Missouri, Montana, Nebraska, Nevada, New Hampshire, New Jersey, New Mexico, New York, North Carolina, North Dakota,
Ohio, Oklahoma, Oregon, Pennsylvania, Rhode Island, South Carolina, South Dakota, Tennessee, Texas, Utah, Vermont,
West Virginia, Wisconsin, Wyoming, Alberta, British Columbia, Manitoba, New Brunswick, Newfoundland, Nova Scotia,
Ontario, Quebec, Saskatchewan, Yukon, New South Wales, Queensland, Tasmania, Western Australia"""
"""Countries, US states, Canadian provinces and Australian states: found as places (capitalised, whole words)
when neither a rule nor NER has claimed them. Georgia, Virginia, Victoria, Washington, Jordan and Chad are left out:
they are first names as often as places, and NER tells them apart better than a list."""

HEURISTIC_RULES: list[tuple[str, int, re.Pattern[str], int]] = [
    (
        "NAME",
        21,
        re.compile(
            r"\b(?:Hi|Hello|Hey|Hiya|Thanks|Thank\s+you|Bye|Goodbye|Good\s+(?:morning|afternoon|evening|night)|Morning|"
            r"Welcome(?:\s+back)?|Kia\s+ora|Dear)\b,?[ \t]+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b(?=[ \t]*(?:[,.!?;:]|$))"
        ),
        1,
    ),  # a name after a greeting: "Hi, Liz.", "Thanks, Mike."
    (
        "NAME",
        21,
        re.compile(r"(?<=[a-z]),[ \t]+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?=[ \t]*(?:[,?!]|\.(?:\s|$)|$))"),
        1,
    ),  # a name addressed mid-sentence: "Well, Hailey, what ...", "... for me, Sarah?"
    (
        "NAME",
        21,
        re.compile(
            r"\b(?:I'm|I’m|I\s+am|[Tt]his\s+is|[Ii]t's|[Ii]t’s)[ \t]+([A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)\b"
            r"(?=[ \t]*(?:[,.!?;]|$|and\b|from\b|with\b))"
        ),
        1,
    ),  # an introduction: "I'm Dawn.", "It's Hailey and Jake."
    (
        "NAME",
        21,
        re.compile(
            r"(?:^|(?<=[\s.!?]))[~\u2013\u2014-]{1,2}[ \t]?([A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)\b(?=[ \t]*(?:\(|,|$))"
        ),
        1,
    ),  # a signature: "~Mark (www...)", "-Sarah" at the end
    (
        "LOCATION",
        22,
        re.compile(
            r"(?<![\w-])(?:"
            + "|".join(
                re.escape(p.strip()).replace(r"\ ", r"\s+") for p in sorted(_PLACES.split(","), key=len, reverse=True)
            )
            + r")(?![\w-])"
        ),
        0,
    ),
]
"""Rules that run after NER and only fill in what it left: vocative names, signatures, a list of places."""

KNOWN_NAME_PRIORITY = 5
"""Known names lose only to e-mail addresses, URLs, IDs and phone numbers (which hold them whole)."""
NER_PRIORITY = 20
"""NER spans fill in what no rule found."""

SPECIFIC_DATE = re.compile(
    rf"\b{_MONTH_FULL}\b|\b{_MONTH_ABBR}(?=\s*\d)|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\b{_YEAR}s?\b|'\d0s|\b\d{{1,2}}(?:st|nd|rd|th)\b"
)
"""A spaCy DATE span is kept only if it contains one of these: a month, a numeric date, a year, an ordinal day."""
BARE_NUMBER = re.compile(r"\d+")
FOLLOWED_BY_UNIT = re.compile(rf"\s*{_UNITS}", re.IGNORECASE)

NOT_A_NAME = _words(
    """i im i'm okay ok yeah yes no right well so um uh mm hmm mm-hmm uh-huh oh ah aw wow sure great good fine thanks
    thank please alright absolutely exactly definitely really actually anyway maybe probably sometimes however also
    again now then today tonight tomorrow yesterday god lord jesus mom mum mama dad daddy mommy grandma grandpa
    granny nana sir madam ma'am miss honey dear buddy man dude guys everyone everybody all true cool nice perfect
    excellent wonderful certainly indeed correct totally hey hi hello bye goodbye welcome congratulations sadly
    hopefully honestly seriously basically finally unfortunately fortunately obviously clearly therefore otherwise
    meanwhile remember together yep nope lol omg dr mr mrs ms mx prof professor doctor nurse aunt auntie uncle
    mother father brother sister son daughter wife husband baby
    monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays
    saturdays sundays january february march april may june july august september october november december
    nicotine smoking quit chantix zyban nrt covid covid-19 corona coronavirus internet google facebook instagram
    netflix youtube zoom facetime christmas easter thanksgiving american british english canadian australian
    irish scottish welsh mexican christian catholic jewish muslim hindu buddhist black white asian latino latina
    hispanic native gay straight bi trans and but or if that this it he she we they us you me my iam email aww
    awww bleh ugh meh haha hehe lol therapy counseling counselling lcsw lmhc lpc lpcc lmft lcpc lcadc ncc phd psyd
    md rn np pa-c do ma ms msw med edd l.ac lac csw mft atr bcba cadc lisw lpcs id officer twitter tiktok snapchat
    discord twitch reddit venmo tumblr insta snap tel fax ph cell mobile e-mail re cc attn dob mrn ref nhs
    pt rx dx hx sx tx bible quran koran torah scripture heaven hell satan earth colleague colleagues friends
    reader readers members parents guardians whom provider providers valued tue tues weds thur thurs
    op mods mod admin supervisee supervisees trainee texter caller"""
)
"""Single words that NER sometimes tags PERSON/GPE in transcripts and that are never identifiers on their own."""

NOT_AN_ORG = _words(
    """cbt dbt act emdr mi mbct mbsr ifs eft cpt pe erp nrt tms ect ssri ssris snri ptsd ocd adhd add asd bpd gad mdd
    dui dwi gp er ed icu ssn mrn id dob bmi hiv aids std sti covid covid-19 tv ok usa uk us lgbt lgbtq lgbtq+ dsm
    dsm-5 icd iq ama apa pdf faq ceo cfo hr it ai ui ux sat act gpa ged ma ba bs phd rn lpn cna emt md aa na ca ga
    oa sa slaa coda acoa al-anon smart rehab detox medicare medicaid anger honesty trust love hope faith copd chf ckd
    uti ibs gerd army navy marines usmc usaf usn uscg"""
)
"""Acronyms and words that NER and the organisation rules take for organisations in therapy talk."""
NOT_AN_ORG_WORDS = _words(
    """therapy therapies cognitive dialectical exposure acceptance
    commitment emotionally focused replacement prevention desensitization desensitisation reprocessing
    interpersonal psychodynamic narrative solution-focused motivational interviewing mindfulness method methods
    approach technique techniques treatment treatments training model guidelines prescriptions nicotine disorder
    syndrome anonymous steps step twelve"""
)
"""Words that make a would-be organisation a kind of therapy or treatment ("Acceptance and Commitment Therapy")."""

TITLES = _words(
    "dr mr mrs ms mx miss prof professor doctor nurse pastor father sister aunt auntie uncle the officer rev reverend "
    "coach judge detective sergeant sgt deputy det lt capt cpl ofc"
)
"""Words stripped from the front of a name: "Dr. Brown" becomes "Dr. [NAME]"."""

CONTRACTION = re.compile(r"\w['’](?:ll|m|re|ve|d|t)\b|\bgon\b", re.IGNORECASE)
"""Spoken contractions ("she'll", "I'm", "gon") never belong to a name."""

TRIM = " \t\r\n.,;:!?\"'()[]{}<>*_~`’‘“”"
