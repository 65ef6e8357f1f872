"""Round 4 rules of the de-identifier (issue 23): speech-to-text, crisis chat, group and intake notes.

Written from the misses and false positives of the second blind set (``tests/fixtures/deid_blind2.jsonl``, a
development set since 2026-12-06) and the other development sets, one rule per *family* of cases, each tested on
fresh sentences in ``tests/clean/test_deid_speech.py`` and checked on the real counselling corpora:

* **speech-to-text without punctuation**: spoken links ("calmsteps dot example dot org"), spoken claim and case
  numbers ("claim number four four seven two nine one"), lower-case street addresses ("1180 brandywine ct") and
  the town after an address ("... apartment b in dearborn"), a name left of its pronoun ("calling about amaru he
  said"), the subject of "can come back" after "said", lower-case agencies ("metro pd", "the va clinic"), a
  lower-case station or terminal ("at union station") and a business on a street without suffix ("the old kmart
  on belmont");
* **Spanish in English text**: kin with a name ("la mamá de brayan"), ages after "cumple/tiene", dates "3 de
  mayo" and a weekday with its day ("el jueves veinte");
* **notes**: a name or ages in brackets after a kinship word ("partner (Ngaire) and 2 kids (4 and 9)"), an initial
  with an age ("the case of T., 16,"), ages in words in brackets ("Cormac (sixty-ish)"), a surname after a short
  title ("PO Lindgren"), a numbered post or lodge ("American Legion Post 214"), an organisation after a field
  label or "my school is" ("Insurance: Meridian Care"), a university acronym after "student at" ("UTEP"), a
  prescription number ("Rx #4471092") and the last four of an SSN after "(last 4 only):";
* **forums and chat**: a handle with hyphens after a platform label ("Tumblr: softer-days-ahead"), "her name is
  Miso", a town in brackets or after "my town", an edit date ("Edit 3/11:"), a signature "Name, peer mod", an age
  after a birthday ("its my bday. nineteen and ..."), a number set off by commas after a person ("He was a
  regular here, 41, always ..."), "found you through Psychology Today", a spoken day ("on, um, the
  twenty-ninth"), a place after a verb of moving ("deported to Sana'a", "left Aleppo in 2013");

What is *not* an identifier (virtue words, kinship words, languages, platforms, eponyms, field labels)
and the list of names are judged in :mod:`topics.clean.deid_filters`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from topics.clean.deid_chat import _capitalised_name, _chat_style, _name_word
from topics.clean.deid_lexicon import (
    ADDRESS_PRIORITY,
    AGE_PRIORITY,
    DATE_PRIORITY,
    ID_PRIORITY,
    NAME_PRIORITY,
    ORG_PRIORITY,
    PLACE_PRIORITY,
    URL_PRIORITY,
    english_words,
    first_names,
)
from topics.clean.deid_lexicon import word_set as _words

_L = "a-zß-öø-ÿāăąćčďđēėęěğīįıłńňōőœřśşšţťūůűųźżž"
_U = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_CAP = rf"[{_U}][{_L}]+(?:['’-][{_U}{_L}][{_L}]+)?"
_DIGIT = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|double[ \t]+\w+)"
_UNIT = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TEEN = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_AGE_WORDS = rf"(?:{_TENS}(?:[- ]{_UNIT})?|{_TEEN}|\d{{1,2}})"
_ORDINAL_DAY = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|"
    r"(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))"
)
_KIN = (
    r"(?:partner|wife|husband|spouse|son|daughter|child|kid|boyfriend|girlfriend|fianc[eé]e?|mother|father|mom|mum|"
    r"dad|brother|sister|sibling|grandson|granddaughter|grandmother|grandfather|aunt|uncle|niece|nephew|cousin|"
    r"stepson|stepdaughter|stepfather|stepmother|stepdad|stepmom|roommate|friend|sponsor|ex)"
)
_SPANISH_NUMBER = (
    r"(?:uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|quince|dieciséis|dieciseis|"
    r"diecisiete|dieciocho|diecinueve|veinte|veintiuno|veintidós|veintidos|veintitrés|veintitres|veinticuatro|"
    r"veinticinco|veintiséis|veintiseis|veintisiete|veintiocho|veintinueve|treinta(?:[ \t]+y[ \t]+uno)?)"
)
_SPANISH_MONTH = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)"
)

# -- structured identifiers spoken or written without their usual shape ------------------------------------------
_SPOKEN_URL = re.compile(
    r"(?i:(?<![\w.@-])[a-z0-9][a-z0-9-]*(?:[ \t]+dot[ \t]+[a-z0-9-]+)*[ \t]+dot[ \t]+"
    r"(?:com|org|net|edu|gov|io|co|us|uk|ca|au|info|app|me)\b(?:[ \t]+slash[ \t]+[a-z0-9-]+)*)"
)  # "calmsteps dot example dot org"
_SPOKEN_ID = re.compile(
    rf"(?i:\b(?:claim|case|member|policy|account|acct|report|docket|reference|ref|confirmation|order|ticket|file|"
    rf"student|patient|id|prescription|rx|badge|booking)[ \t]+(?:(?:number|no|num|id|#)[ \t]+)?(?:is[ \t]+)?)"
    rf"({_DIGIT}(?:(?:[ \t,-]+dash)?[ \t,-]+{_DIGIT}){{3,}})\b"
)  # "claim number four four seven two nine one"
_RX_ID = re.compile(
    r"(?i:\b(?:rx|prescription|script|docket|claim|report)[ \t]*(?:number|no\.?|num)?[ \t]*#[ \t]*)(\d{4,})\b"
)
_SSN_LAST_FOUR = re.compile(
    r"(?i:\b(?:ssn|social[ \t]+security(?:[ \t]+(?:number|no\.?|#))?)\b[^\n\d]{0,12}?\blast[ \t]*(?:4|four)\b"
    r"[^\n\d]{0,16}?)(\d{4})\b"
)  # "SSN (last 4 only): 0417"
_LOWER_ADDRESS = re.compile(
    r"(?<![\w/.-])\d{1,5}[ \t]+(?:(?:n|s|e|w|north|south|east|west)[ \t]+)?[a-z][a-z'-]+(?:[ \t]+[a-z][a-z'-]+)?[ \t]+"
    r"(?:st|street|ave|avenue|rd|road|ct|court|dr|drive|ln|lane|blvd|boulevard|pl|place|ter|terrace|cir|circle|"
    r"way|pkwy|parkway)\b(?:\.?,?[ \t]+(?:apt|apartment|unit|suite|#)\.?[ \t]*#?[a-z0-9-]{1,4}\b)?"
)  # "1180 brandywine ct"
_NOT_STREET_WORD = _words(
    """minutes mins hours days weeks months years times mg ml pills drinks people kids more less of the a and or my
    in on at to hour minute min day week month year mile miles block blocks foot feet inch km long short hr hrs"""
)
_TOWN_AFTER_ADDRESS = re.compile(
    rf"\b(?:st|street|ave|avenue|rd|road|ct|court|dr|drive|ln|lane|blvd|way|place|terrace|apt[ \t]+\w+|"
    rf"apartment[ \t]+\w+|unit[ \t]+\w+|suite[ \t]+\w+)\.?,?[ \t]+in[ \t]+([{_L}{_U}][{_L}'-]{{3,}})\b"
)  # "twelve twenty two west maple apartment b in dearborn"
_KIN_HOME_TOWN = re.compile(
    r"(?i:\b(?:at|to|from)[ \t]+(?:my|our|his|her|their)[ \t]+[a-z]+(?:['’]?s)?(?:[ \t]+(?:house|place|flat))?"
    r"[ \t]+in[ \t]+)([a-z][a-z'-]{3,})\b"
)  # "at my nans in porirua"

# -- names and nicknames in speech-to-text and chat --------------------------------------------------------------
_LEFT_OF_PRONOUN = re.compile(
    r"\b(?:about|for|de|with|to|from|and|of)[ \t]+([a-z][a-z'-]{2,})[ \t]+(?:he|she)[ \t]+(?:said|says|has|had|is|"
    r"was|did|does|will|can|told|wants|needs|got|keeps|missed|came|left)\b"
)  # "calling about amaru he said", "la mamá de brayan he has the appointment"
_SAID_SUBJECT = re.compile(
    r"\b(?:said|says|told[ \t]+me|think|thinks|know|knows|hope|guess)[ \t]+(?:that[ \t]+)?([a-z][a-z'-]{2,})[ \t]+"
    r"(?:can|could|will|would|should|might|has[ \t]+to|needs[ \t]+to)[ \t]+(?:not[ \t]+)?(?:come|go|stay|call|"
    r"pick|get|see|move|visit|leave|start|have|be|sleep|bring)\b"
)  # "they said keon can come back tonight"
_SPANISH_KIN_NAME = re.compile(
    rf"(?i:\b(?:mi|su|tu|la|el)[ \t]+(?:mamá|mama|papá|papa|madre|padre|hijo|hija|hermano|hermana|abuela|abuelo|"
    rf"tía|tia|tío|tio|primo|prima|esposo|esposa|novio|novia|amigo|amiga)[ \t]+(?:de[ \t]+)?)"
    rf"([{_L}{_U}][{_L}'-]{{2,}})\b"
)  # "la mamá de brayan", "mi hermana yesenia"
_SPANISH_AGE = re.compile(
    rf"(?i:\b(?:cumple|cumplió|cumplio|cumplirá|cumplira|tiene|tenía|tenia|tengo)[ \t]+)(\d{{1,2}}|{_SPANISH_NUMBER})"
    r"\b(?![ \t]*(?:%|mg|horas|días|dias|semanas|meses|minutos|veces|pesos|dólares|dolares))"
)  # "cumple 16", "tiene doce años"
_SPANISH_DATE = re.compile(rf"(?i:\b(?:\d{{1,2}}|{_SPANISH_NUMBER})[ \t]+de[ \t]+{_SPANISH_MONTH}\b)")  # "3 de mayo"
_SPANISH_WEEKDAY_DAY = re.compile(
    rf"(?i:\b(?:lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo)[ \t]+)"
    rf"(\d{{1,2}}|{_SPANISH_NUMBER})\b(?![ \t]*(?:de[ \t]+la|a[ \t]+las|horas|:))"
)  # "el jueves veinte"
_INTRO_NAME_IS = re.compile(
    rf"\b(?:[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[Mm]y[ \t]+\w+['’]s|[Tt]he[ \t]+\w+['’]s)[ \t]+name[ \t]+(?:is|was|'s)"
    rf"[ \t]+({_CAP}|[a-z][a-z'-]{{2,}})"
)  # "(her name is Miso)"
_CALLS_ME_CONTRAST = re.compile(
    r"(?i:\b(?:my[ \t]+name['’]?s|my[ \t]+name[ \t]+is|i['’]?m)[ \t]+[a-z][\w'-]*[ \t]*,?[ \t]+but[ \t]+(?:everyone|"
    r"everybody|people|they|my[ \t]+\w+|ppl|all[ \t]+my[ \t]+\w+)[ \t]+(?:call|calls|called)[ \t]+me[ \t]+)"
    r"([a-z][a-z'-]{2,})\b"
)  # "my name's hoa but everyone calls me bean"
_COUNTY_AGENCY = re.compile(
    r"(?i:\b[a-z]+[ \t]+county[ \t]+(?:sheriff['’]?s?(?:[ \t]+(?:office|department|dept))?|jail|court|probation|"
    r"dss|cps|dcfs|social[ \t]+services|health[ \t]+department|hospital|detention[ \t]+center))"
)  # "harlow county sheriffs office"
_CORNER = re.compile(
    r"(?i:\bcorner[ \t]+of[ \t]+)((?:\d{1,3}(?:st|nd|rd|th)|[a-z]+)(?:[ \t]+(?:st|street|ave|avenue|rd|road))?"
    r"[ \t]+(?:and|&)[ \t]+(?:\d{1,3}(?:st|nd|rd|th)|[a-z]+)(?:[ \t]+(?:st|street|ave|avenue|rd|road))?)\b"
)  # "the corner of maple and dover", "corner of Elm & 3rd"
_SELF_INTRO_FULL = re.compile(
    r"\b(?:it'?s|it’s|this[ \t]+is|my[ \t]+name[ \t]+is|name'?s)[ \t]+([a-z]{2,})[ \t]+([a-z][a-z'-]{2,})"
    r"(?=[ \t]+(?:my|from|calling|and|i|im|returning|again|here|with)\b|[ \t]*[,.!?]|[ \t]*$)"
)  # "its frank bauer my date of birth is"
_NAMED_PROGRAMME = re.compile(
    r"\b((?:[A-Z][a-z]+[ \t]+){1,3})(?=(?:IOP|PHP|Detox|Rehab|Residential|Outpatient)\b)"
)  # "Prior treatment: Sunrise Ridge IOP (2021)": the name before a kind of programme
_NOT_PROGRAMME_NAME = _words(
    """the a an our their his her my your this that completed attended started finished began recommend recommended
    refer referred discharged admitted from to at in for and or with prior previous current intensive partial
    adult adolescent youth teen day evening weekend virtual online outpatient inpatient residential"""
)
_LOWER_AGENCY = re.compile(
    r"\b(?:[a-z]+[ \t]+pd|(?<=the[ \t])(?:va|dss|dcfs|cps|dmv|ssa|da)(?=[ \t]+(?:clinic|hospital|office|center|"
    r"centre|building|people|caseworker|lady|worker)\b))\b"
)  # "metro pd", "the va clinic"
_NOT_PD = _words("""the a my his her our their your local and or call called with from to at""")
_STATION = re.compile(
    r"\b(?:at|to|near|outside|from|by|in)[ \t]+([a-z]{3,}(?:[ \t]+[a-z]{3,})?[ \t]+(?:station|terminal|mall|plaza|"
    r"square|airport|depot))\b"
)  # "im at union station"
_NOT_STATION_WORD = _words(
    """the a an my our this that his her their your bus train gas police fire subway metro tube power radio tv
    weather work space petrol service charging nurses nurse nursing duty polling train's bus's strip shopping
    outlet food town city local nearest closest old new big main same other next last central"""
)
_LOWER_SHOP_ON = re.compile(
    r"\b(?:the|outside|near|by|behind)[ \t]+(?:(?:old|new|big|little|closed)[ \t]+)?([a-z][a-z'-]{2,}(?:[ \t]+[a-z]+)?)"
    r"[ \t]+on[ \t]+(\d{1,3}(?:st|nd|rd|th)|[a-z]{4,})\b"
)  # "the old kmart on belmont", "the rite aid on 9th"

# -- ages and dates -------------------------------------------------------------------------------------------------
_BDAY_AGE = re.compile(
    rf"(?i:\b(?:bday|birthday|b-day)\b[^\n]{{0,20}}?[.!][ \t]+)({_AGE_WORDS})(?=[ \t]*(?:[,.!]|and\b|today\b|now\b))"
)  # "its my bday. nineteen and i spent it alone"
_WOULD_HAVE_BEEN = re.compile(
    rf"(?i:\b(?:would|should|could)(?:['’]ve|[ \t]+have)[ \t]+been[ \t]+)({_AGE_WORDS})(?=[ \t]*(?:[,.!?;]|$|"
    r"this|next|today|now|and)\b|[ \t]*[.,!?;]|[ \t]*$)"
)  # "Marisol would've been twenty."
_INITIAL_AGE = re.compile(rf"(?<![\w.])([{_U}]\.),[ \t]+(\d{{1,2}}),")  # "the case of T., 16, referred by ..."
_KIN_PAREN_NAME = re.compile(rf"(?i:\b{_KIN}[ \t]*)\((?-i:({_CAP}))(?:[ \t]*,[ \t]*(\d{{1,2}}))?\)")
_KIDS_PAREN_AGES = re.compile(
    r"(?i:\b(?:\d|two|three|four|five)?[ \t]*(?:kids|children|sons|daughters|boys|girls|grandkids|grandchildren|"
    r"siblings|brothers|sisters)[ \t]*\((?:ages?[ \t]+)?)(\d{1,2})((?:[ \t]*(?:,|and|&)[ \t]*\d{1,2})*)\)"
)  # "2 kids (4 and 9)"
_WORD_AGE_PAREN = re.compile(
    rf"\b{_CAP}[ \t]+\(((?:{_TENS}|{_TEEN})(?:[- ]{_UNIT})?(?:-?ish|[- ]something)?|(?:{_TENS})-?ish|\d{{2}}-?ish|"
    rf"\d{{2}}s)\)"
)  # "Cormac (sixty-ish)"
_COMMA_AGE = re.compile(r",[ \t]+(1[3-9]|[2-9]\d),[ \t]+(?=[a-z])")
_PERSON_BEFORE = re.compile(r"\b(?:[Hh]e|[Ss]he|[Hh]is|[Hh]er)\b(?![ \t]*\d)[^.!?\n\d]*$")
_FORUM_AGE_LEAD = re.compile(
    r"(?:^|(?<=\n)|(?i:\b(?:posted|wrote|says|asks|op)[ \t]*:?[ \t]*)|(?<=:)[ \t]*)(1[3-9]|[2-8]\d)[ \t]?[MFmf]"
    r"(?=[ \t]*[,;:.)/]|[ \t]+(?:here|and|with|who|just|living|looking)\b)"
)  # "u/tired_of_tiramisu posted: 26F, just moved"
_EDIT_DATE = re.compile(r"(?i:\b(?:edit|edited|update|updated|eta|posted)[ \t]*:?[ \t]*)(\d{1,2}/\d{1,2})(?![\w/])")
_SPOKEN_DAY = re.compile(
    rf"(?i:\b(?:on|by|until|till|since)(?:[ \t]*,?[ \t]*(?:um|uh|er|like)[ \t]*,?)*[ \t]+the"
    rf"[ \t]+)({_ORDINAL_DAY})(?=[ \t]*(?:[.;!?)]|$)|[ \t]*,(?![ \t]*(?:{_ORDINAL_DAY}|or|and)\b)|"
    r"[ \t]+(?:and|at|when|so|but|because)\b)(?![ \t]+and[ \t]+(?:the[ \t]+)?(?:second|third|fourth|last))"
)  # "turns seven on, um, the twenty-ninth."

# -- names, places and organisations in notes, forms and forums ---------------------------------------------------
_SHORT_TITLE_NAME = re.compile(rf"\b(?:PO|CM|SW|Det\.?|Lt\.?|Capt\.?|Cpl\.?|Sgt\.?|Trooper|Agent)[ \t]+({_CAP})")
_POST_ORG = re.compile(
    r"\b(?:[A-Z][A-Za-z]+[ \t]+){1,3}(?:Post|Lodge|Chapter|Local|Troop|Auxiliary)[ \t]+(?:No\.?[ \t]*|#)?\d{1,5}\b"
)  # "American Legion Post 214", "VFW Post 1503"
_FIELD_ORG = re.compile(
    r"(?:^|(?<=[\n.;|])[ \t]*|(?<=\. ))(?:Insurance|Insurer|Insurance[ \t]+carrier|Carrier|Employer|School|College|"
    r"University|Pharmacy|Previous[ \t]+provider|Prior[ \t]+provider|Referring[ \t]+agency|Agency|Church|"
    r"Workplace|Health[ \t]+plan|Plan)[ \t]*:[ \t]*((?:[A-Z][\w'’&.-]*)(?:[ \t]+(?:of[ \t]+|&[ \t]+)?[A-Z][\w'’&.-]*){0,3})"
)  # "Insurance: Meridian Care, Member #..."
_MY_ORG_IS = re.compile(
    r"\b(?:[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur)[ \t]+(?:school|college|university|employer|insurance|insurer|"
    r"church|workplace|company|agency|pharmacy)[ \t]+(?:is|was)[ \t]+(?:called[ \t]+)?"
    r"((?:[A-Z][\w'’&.-]*)(?:[ \t]+(?:of[ \t]+|&[ \t]+)?[A-Z][\w'’&.-]*){0,3})"
)  # "My school is Hollingsworth Prep"
_STUDENT_AT = re.compile(
    r"\b(?:student|students|freshman|sophomore|junior|senior|enrolled|attend|attends|attended|transferred|studying|"
    r"graduated)[ \t]+(?:at|to|from)[ \t]+([A-Z]{3,6}|[a-z]{2,4}u)\b(?![-/]|[ \t]+[A-Z])"
    r"|\b(?:go|goes|went|going)[ \t]+to[ \t]+([A-Z]{1,4}U|[a-z]{1,4}u)\b(?![-/]|[ \t]+[A-Z])"
)  # "a nursing student at UTEP", "i go to wsu"
_FOUND_THROUGH = re.compile(
    r"\b(?:found|find|saw|heard[ \t]+(?:about|of))[ \t]+(?:you|your[ \t]+(?:name|practice|number|profile)|this|"
    r"the[ \t]+group|it)[ \t]+(?:through|on|via|in)[ \t]+((?:[A-Z][\w'’&.-]*)(?:[ \t]+[A-Z][\w'’&.-]*){0,3})"
)  # "I found you through Psychology Today"
_PLATFORM_LABEL_HANDLE = re.compile(
    r"(?i:\b(?:tumblr|discord|bluesky|twitch|steam|xbox|psn|gamertag|kik|snap|snapchat|insta|instagram|ig|tiktok|"
    r"twitter|threads|reddit|telegram|venmo|cash[ \t]*app)[ \t]*:[ \t]*)"
    r"((?=[\w.-]*[-_.\d])[A-Za-z0-9][\w.-]*[A-Za-z0-9])(?![\w@])"
)  # "Tumblr: softer-days-ahead"
_TOWN_OF_PERSON = re.compile(
    rf"(?i:\b(?:my|our|his|her|their)[ \t]+(?:home[ \t]*town|hometown|town|city|village|neighbou?rhood|home)"
    rf"[ \t]*(?:\([ \t]*|,[ \t]*|[ \t]+is[ \t]+|[ \t]+of[ \t]+))(?-i:([{_U}][{_L}'’-]+(?:[ \t]+[{_U}][{_L}'’-]+)?))"
)  # "my real name (...) and my town (Rzeszów)"
_MOVED_PLACE = re.compile(
    rf"\b(?:moved|move|moving|relocated|relocating|deported|fled|emigrated|immigrated|returned|returning|flew|"
    rf"born|raised|grew[ \t]+up)[ \t]+(?:back[ \t]+|home[ \t]+|here[ \t]+|out[ \t]+)?(?:to|from|in)[ \t]+"
    rf"([{_U}][{_L}'’-]+(?:[ \t]+[{_U}][{_L}'’-]+)?)"
    rf"|\b(?:left|fled|escaped)[ \t]+([{_U}][{_L}'’-]+)(?=[ \t]+in[ \t]+(?:19|20)\d\d\b)"
)  # "deported to Sana'a", "move back to Hilo", "We left Aleppo in 2013"
_SIGNATURE_ROLE = re.compile(
    rf"(?:^|(?<=\n)|(?<=[|~\u2013\u2014-])[ \t]*)[ \t]*({_CAP}),[ \t]+(?:peer[ \t]+|forum[ \t]+|community[ \t]+|"
    r"volunteer[ \t]+|head[ \t]+)?(?:mod|moderator|admin|volunteer|facilitator|peer[ \t]+supporter|listener|"
    r"group[ \t]+leader)\b"
)  # "Oyelaran, peer mod since 2019 | resources: ..."
_NOTE_VERB = (
    r"(?:disclosed|shared|agreed|reported|stated|denied|presented|arrived|attended|joined|described|talked|spoke|"
    r"expressed|identified|completed|practiced|practised|declined|missed|returned|relapsed|celebrated|brought|"
    r"received|left|asked|said|told|cried|laughed|called|texted|came|went)"
)
_VIRTUE_SUBJECT = re.compile(
    rf"(?:^|(?<=[.!?\n;:])[ \t]*)(Hope|Faith|Grace|Joy|Patience|Charity|Mercy|Honor|Serenity|Harmony|Destiny|"
    rf"Trinity|Journey|Promise|Justice|Liberty|Unity|Felicity|Constance|Prudence)[ \t]+{_NOTE_VERB}\b"
)  # "Hope disclosed a relapse"


_SPANISH_WORDS = ("cumpl", "tien", "teng", "lunes", "martes", "rcoles", "jueves", "viernes", "bado", "domingo")
_SPANISH_KIN_WORDS = (
    "mam",
    "pap",
    "madre",
    "padre",
    "hij",
    "herman",
    "abuel",
    "tí",
    "ti",
    "prim",
    "espos",
    "novi",
    "amig",
)


def _cues(text: str) -> dict[re.Pattern[str], bool]:
    """Cheap tests that let a text skip the patterns that cannot match it (the rules run on every remark)."""
    lower = text.lower()
    paren, colon = "(" in text, ":" in text
    spanish = " de " in lower or any(w in lower for w in _SPANISH_WORDS)
    return {
        _SPOKEN_URL: " dot " in lower,
        _RX_ID: "#" in text,
        _KIN_PAREN_NAME: paren,
        _KIDS_PAREN_AGES: paren,
        _WORD_AGE_PAREN: paren,
        _SPANISH_DATE: spanish,
        _SPANISH_AGE: spanish,
        _SPANISH_WEEKDAY_DAY: spanish,
        _SPANISH_KIN_NAME: any(w in lower for w in _SPANISH_KIN_WORDS),
        _PLATFORM_LABEL_HANDLE: colon,
        _FIELD_ORG: colon,
        _EDIT_DATE: "/" in text,
        _FORUM_AGE_LEAD: any(c.isdigit() for c in text),
        _COUNTY_AGENCY: "county" in lower,
    }


def lower_name(word: str, not_a_name: frozenset[str], *, listed: bool = False) -> bool:
    """Whether a lower-case word can be a name (:func:`topics.clean.deid_chat._name_word`, plus hyphenated names).

    Parameters
    ----------
    word : str
        The word.
    not_a_name : frozenset of str
        Lower-case words never taken as a name.
    listed : bool, default False
        Accept only listed first names.

    Returns
    -------
    bool
        True for a listed first name that is no common word and, unless ``listed``, for a name-shaped word that
        is no English word ("okafor", "mei-xin").
    """
    return _name_word(word, not_a_name, listed=listed)


def speech_candidates(text: str, not_a_name: frozenset[str]) -> list[tuple[int, int, str, int]]:
    """Candidates of the round-4 rules (see the module docstring).

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
    chat = _chat_style(text)
    cues = _cues(text)

    def finditer(pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        return pattern.finditer(text) if cues.get(pattern, True) else iter(())

    def add(match: re.Match[str], group: int, kind: str, priority: int) -> None:
        if match.group(group):
            out.append((match.start(group), match.end(group), kind, priority))

    for m in finditer(_SPOKEN_URL):
        if " dot " in m.group().lower() and not re.search(r"(?i)\bat[ \t]+[\w-]+[ \t]+dot\b", m.group()):
            add(m, 0, "URL", URL_PRIORITY)
    for pattern in (_SPOKEN_ID, _RX_ID, _SSN_LAST_FOUR):
        for m in finditer(pattern):
            add(m, 1, "ID", ID_PRIORITY)
    for m in finditer(_LOWER_ADDRESS):
        if not any(w in _NOT_STREET_WORD for w in m.group().split()[1:-1]):
            add(m, 0, "ADDRESS", ADDRESS_PRIORITY)
    for pattern in (_TOWN_AFTER_ADDRESS, _KIN_HOME_TOWN):
        for m in finditer(pattern):
            word = m.group(1)
            if word[0].isupper() or lower_name(word, not_a_name):
                add(m, 1, "LOCATION", PLACE_PRIORITY)
    if chat:
        for pattern in (_LEFT_OF_PRONOUN, _SAID_SUBJECT, _CALLS_ME_CONTRAST):
            for m in finditer(pattern):
                if pattern is _CALLS_ME_CONTRAST or lower_name(m.group(1), not_a_name):
                    add(m, 1, "NAME", NAME_PRIORITY)
        for m in finditer(_STATION):
            if not any(w in _NOT_STATION_WORD for w in m.group(1).split()[:-1]):
                add(m, 1, "LOCATION", PLACE_PRIORITY)
        for m in finditer(_LOWER_SHOP_ON):
            shop, street = m.group(1), m.group(2)
            if all(lower_name(w, not_a_name) for w in shop.split()[:1]) and (
                street[0].isdigit() or lower_name(street, not_a_name)
            ):
                out.append((m.start(1), m.end(2), "LOCATION", PLACE_PRIORITY))
    out.extend((m.start(), m.end(), "ORG", ORG_PRIORITY) for m in finditer(_COUNTY_AGENCY))
    for m in finditer(_NAMED_PROGRAMME):
        tokens = list(re.finditer(r"\S+", m.group(1)))
        while tokens and tokens[0].group().lower() in _NOT_PROGRAMME_NAME:
            tokens = tokens[1:]
        if tokens and not any(t.group().lower() in _NOT_PROGRAMME_NAME for t in tokens):
            out.append((m.start(1) + tokens[0].start(), m.start(1) + tokens[-1].end(), "ORG", ORG_PRIORITY))
    for m in finditer(_CORNER):
        if not re.search(r"(?i)\b(?:the|a|my|your|every|each|one|this|that)\b", m.group(1)):
            add(m, 1, "LOCATION", PLACE_PRIORITY)
    if chat:
        for m in finditer(_SELF_INTRO_FULL):
            first, last = m.group(1), m.group(2)
            cue = re.match(r"[ \t]+[a-z]", text[m.end(2) :])  # "its frank bauer my ...", not "it's an ulcer."
            common = first in english_words() or len(first) < 3
            if (
                first in first_names()
                and first not in not_a_name
                and lower_name(last, not_a_name)
                and (cue or not common)
            ):
                out.append((m.start(1), m.end(2), "NAME", NAME_PRIORITY))
    for m in finditer(_LOWER_AGENCY):
        if m.group().split()[0] not in _NOT_PD:
            add(m, 0, "ORG", ORG_PRIORITY)
    for m in finditer(_SPANISH_KIN_NAME):
        word = m.group(1)  # after "de" any name-shaped word ("la mamá de brayan"), else a listed first name
        listed = not re.search(r"(?i)\bde[ \t]+$", text[m.start() : m.start(1)])
        if (word[0].isupper() and _capitalised_name(word, not_a_name)) or lower_name(word, not_a_name, listed=listed):
            add(m, 1, "NAME", NAME_PRIORITY)
    for m in finditer(_INTRO_NAME_IS):
        word = m.group(1)
        if (word[0].isupper() and _capitalised_name(word, not_a_name)) or lower_name(word, not_a_name):
            add(m, 1, "NAME", NAME_PRIORITY)
    for pattern, kind, priority in (
        (_SPANISH_AGE, "AGE", AGE_PRIORITY),
        (_SPANISH_WEEKDAY_DAY, "DATE", DATE_PRIORITY),
        (_BDAY_AGE, "AGE", AGE_PRIORITY),
        (_WOULD_HAVE_BEEN, "AGE", AGE_PRIORITY),
        (_EDIT_DATE, "DATE", DATE_PRIORITY),
        (_FORUM_AGE_LEAD, "AGE", AGE_PRIORITY),
        (_SPOKEN_DAY, "DATE", DATE_PRIORITY),
        (_PLATFORM_LABEL_HANDLE, "HANDLE", 1),
    ):
        for m in finditer(pattern):
            add(m, 1, kind, priority)
    out.extend((m.start(), m.end(), "DATE", DATE_PRIORITY) for m in finditer(_SPANISH_DATE))
    for m in finditer(_INITIAL_AGE):
        add(m, 1, "NAME", NAME_PRIORITY)
        add(m, 2, "AGE", AGE_PRIORITY)
    for m in finditer(_KIN_PAREN_NAME):
        if _capitalised_name(m.group(1), not_a_name):
            add(m, 1, "NAME", NAME_PRIORITY)
            add(m, 2, "AGE", AGE_PRIORITY)
    for m in finditer(_KIDS_PAREN_AGES):
        add(m, 1, "AGE", AGE_PRIORITY)
        base = m.start(2)
        for extra in re.finditer(r"\d{1,2}", m.group(2) or ""):
            out.append((base + extra.start(), base + extra.end(), "AGE", AGE_PRIORITY))
    for m in finditer(_WORD_AGE_PAREN):
        add(m, 1, "AGE", AGE_PRIORITY)
    for m in finditer(_COMMA_AGE):
        sentence = re.split(r"[.!?\n]", text[max(0, m.start() - 80) : m.start()])[-1]
        if _PERSON_BEFORE.search(sentence):
            add(m, 1, "AGE", AGE_PRIORITY)
    for m in finditer(_SHORT_TITLE_NAME):
        if _capitalised_name(m.group(1).split("-")[0], not_a_name):
            add(m, 1, "NAME", NAME_PRIORITY)
    out.extend((m.start(), m.end(), "ORG", ORG_PRIORITY) for m in finditer(_POST_ORG))
    for pattern in (_FIELD_ORG, _MY_ORG_IS, _FOUND_THROUGH):
        for m in finditer(pattern):
            words = m.group(1).lower().split()
            if len(words) == 1 and (words[0] in english_words() or words[0] in not_a_name):
                continue  # "School: Yes", "My insurance is Medicaid" (judged by the allow list)
            add(m, 1, "ORG", ORG_PRIORITY)
    for m in finditer(_STUDENT_AT):
        group = 1 if m.group(1) else 2
        word = m.group(group)
        if word.isupper() or (word.lower() not in english_words() and word.lower() not in not_a_name):
            add(m, group, "ORG", ORG_PRIORITY)
    for m in finditer(_TOWN_OF_PERSON):
        if _capitalised_name(m.group(1).split()[0], not_a_name) and (
            m.group(1).lower() not in first_names() or "(" in m.group()
        ):
            add(m, 1, "LOCATION", PLACE_PRIORITY)
    for m in finditer(_MOVED_PLACE):
        group = 1 if m.group(1) else 2
        word = m.group(group).split()[0]
        if word.lower() not in first_names() and _capitalised_name(word, not_a_name):
            add(m, group, "LOCATION", PLACE_PRIORITY)
    for m in finditer(_SIGNATURE_ROLE):
        if _capitalised_name(m.group(1), not_a_name):
            add(m, 1, "NAME", NAME_PRIORITY)
    for m in finditer(_VIRTUE_SUBJECT):
        add(m, 1, "NAME", NAME_PRIORITY)
    return out
