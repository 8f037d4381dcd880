"""What a question asks for, and what it is about, in the terms the documents use.

The kind of answer (a procedure, causes and fixes, a value, anything else) decides what is quoted; the
topic terms (stemmed, shop synonyms added) decide whether a passage is about the question at all. Both are
read from the wording, the way a colleague would, not learned: "how do i true a 4-jaw" asks for steps about
centring in a four-jaw chuck; "parting chatter why" asks for the causes of chatter when parting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shopfloor.index.text import tokenize

# words that say what kind of answer is wanted, or fill a chat message, not what it is about
_ASKING = ("what which why how when where who whose cause causes caused causing reason reasons fix fixes fixing "
           "remedy cure problem problems issue issues trouble do does did should can could would will must "
           "check symptom happen happens happening mean means need needs want know tell please quick help guys "
           "anyone someone best good way ways get getting got use used using make right proper correct correctly "
           "keep keeps kind type sort thing things stuff much many long often go goes going there here "
           "procedure steps step instructions possible usually typically normally recommended proper supposed "
           "avoid prevent stop stops i me my we our us you your it its is are was were be been am this that "
           "these those a an the to of in on at for with from by about into off up down out if than then so "
           "any some all also just only still too very really ok okay hi hello thanks pls plz wat whats hows "
           "whys u ur im ive dont doesnt cant wont isnt coming came giving doing seem seems like everything "
           "something anything while").split()
ASKING = frozenset(t for w in _ASKING for t in tokenize(w)) | frozenset(_ASKING)

# shop vocabulary a technician uses for what a handbook names otherwise (both directions are added)
SYNONYMS = {
    "true": ("center", "centre", "centering", "indicate", "align"), "four": ("4",), "three": ("3",),
    "six": ("6",), "two": ("2",), "alum": ("aluminum", "aluminium"), "aluminium": ("aluminum",),
    "ss": ("stainless",), "hss": ("high-speed",), "carbide": ("insert",), "od": ("outside", "diameter"),
    "id": ("inside", "bore"), "tpi": ("thread", "pitch"), "rpm": ("speed",), "sfm": ("surface", "speed"),
    "fix": ("remedy",), "leak": ("leaking",), "noisy": ("noise",), "hot": ("overheating", "temperature"),
    "shake": ("vibration",), "vibrate": ("vibration",), "chatter": ("chattering",),
    "cutoff": ("parting",), "dial": ("indicator",), "dti": ("indicator",),
    "mic": ("micrometer",), "mike": ("micrometer",), "lube": ("lubricant", "oil"), "tyre": ("tire",),
    "tire": ("tyre",), "aircon": ("air", "conditioning"), "ac": ("air", "conditioning"), "trans": ("transmission",),
    "diff": ("differential",), "eng": ("engine",), "centre": ("center",), "colour": ("color",),
}

_HOWTO = re.compile(r"^\s*(?:how\s+(?:do|to|can|should|would|d'?you|does one|is)\b(?!\s+(?:fast|much|many|long|"
                    r"often|deep|tight|big|far|hot|thick))|steps?\s+(?:to|for)\b|procedure\b|what(?:'s| is)? the "
                    r"(?:procedure|process|method|way|steps?)\b|instructions?\b)|\bhow\s+to\b|\bhow do i\b",
                    re.I)
_CAUSE = re.compile(r"\b(?:why|causes?|caused|causing|reasons?|what makes|fix(?:es)?|remed(?:y|ies)|cure|"
                    r"troubleshoot\w*|what to do (?:if|when|about)|keeps?\s+\w+ing|problems?)\b", re.I)
_QUANTITY = (r"speed|sfm|surface speed|rpm|feed|feeds|angle|preload|hardness|grade|pressure|temp|temperature|"
             r"thickness|gravity|output|amps?|volts?|voltage|mtbf|capacity|litres?|liters?|gallons?|quarts?|torque|"
             r"spec|specs|cost|price|size|width|length|depth|diameter|pitch|ratio|concentration|mix|viscosity|"
             r"tolerance|class|clearance|runout|interval|designation|number|part number|p/n|version|rating|"
             r"severity|sev|rpn|occurrence|detection|weight|power|kw|hp|psi|bar|nm|ft-?lbs?|mm|inch(?:es)?|thou|"
             r"degrees?|deg|percent|%|frequency|hz|life|hours?|model|brand|supplier|manufacturer|who")
_VALUE = re.compile(r"\b(?:how (?:fast|much|many|long|often|deep|tight|big|far|hot|thick|wide|heavy|high|low)|"
                    rf"(?:what|which|whats|what's|max(?:imum)?|min(?:imum)?|normal|recommended|correct|right)\s+"
                    rf"(?:\w+\s+){{0,3}}?(?:{_QUANTITY})\b|\b(?:nlgi|iso|sae|astm)\b|\b(?:{_QUANTITY})\s*(?:\?|$|for|of|on|in|should|to)\b|"
                    r"who (?:makes|supplies|sells|manufactures)|\bper (?:rev|revolution|minute|min|hour|tooth)\b)", re.I)
RATINGS = frozenset({"severity", "sev", "rpn", "occurrence", "detection", "rating", "ratings"})

# the quantity a value question names -> how a passage states such a value (the word itself, or a unit): a torque
# question is not answered by a passage that states a date, a clearance or a speed
UNITS = {
    "torque": r"torque|(?<![a-z])n\s?[·.-]?\s?m\b|(?<![a-z])nm\b|ft[ .-]?lbs?\b|lbf|in[ .-]?lbs?\b|(?<![a-z])kgf?m\b",
    "speed": r"speed|(?<![a-z])rpm\b|(?<![a-z])sfm\b|m/min|ft/min|(?<![a-z])fpm\b|r/min|rev/min|revolutions",
    "rpm": r"(?<![a-z])rpm\b|speed|r/min", "sfm": r"(?<![a-z])sfm\b|surface speed|ft/min|m/min",
    "feed": r"feed|(?<![a-z])ipr\b|mm/rev|per rev|/rev\b|in/rev",
    "angle": r"angle|°|degree|\d\s?deg\b", "pressure": r"pressure|(?<![a-z])(?:psi|bar|kpa|mpa)\b",
    "temperature": r"temp|°|degree", "temp": r"temp|°|degree",
    "viscosity": r"viscosity|(?<![a-z])(?:iso|vg|sae|cst)\b|\d+w-?\d+|weight",
    "grade": r"grade|(?<![a-z])(?:iso|sae|vg|nlgi)\b|class|\d+w-?\d+",
    "capacity": r"capacity|litre|liter|\d\s?l\b|gallon|quart|\d\s?qt\b|\d\s?ml\b",
    "interval": r"interval|every \d|hours|\d\s?hrs?\b|months?|weeks?|days?|\d\s?km\b|miles",
    "clearance": r"clearance|gap|\d\s?mm\b|\d\"|inch|thou|\d\s?µm", "tolerance": r"toleran|±|\+/-|\d\s?mm\b|\d\"|thou",
    "preload": r"preload", "hardness": r"hardness|(?<![a-z])(?:hrc|hb)\b|rockwell|brinell",
    "part number": r"part\s*(?:no|number|#)|p/n|(?<![a-z])pn\b", "p/n": r"part\s*(?:no|number|#)|p/n|(?<![a-z])pn\b",
    "version": r"version|(?<![a-z])v\d|release|firmware",
    "voltage": r"volt|\d\s?v\b", "volts": r"volt|\d\s?v\b", "amps": r"amp|\d\s?a\b",
    "power": r"power|(?<![a-z])(?:kw|hp)\b|watt", "concentration": r"concentrat|%|ratio|percent",
    "ratio": r"ratio|\d:\d|%",
}
_QUANTITY_WORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + r")\b")


_NUMBERS = {"two": "2", "three": "3", "four": "4", "six": "6", "eight": "8"}
_NUMBER_WORD = re.compile(r"\b(two|three|four|six|eight)-(?=[a-z])")  # four-jaw -> 4-jaw, as handbooks print it


# what a question about a failure asks of an FMEA or troubleshooting row, by its wording
_ASKS = (("effect", re.compile(r"\b(?:happens?|effects?|consequences?|results?|impact|do(?:es)? to|lead to)\b", re.I)),
         ("controls", re.compile(r"\b(?:detect\w*|pick(?:ed|ing)? up|catch|controls?|find out|inspect\w*|monitor\w*|"
                                 r"checked|noticed?)\b", re.I)),
         ("remedy", re.compile(r"\b(?:recommend\w*|should we|action|look after|maintain|prevent\w*|fix\w*|do about|"
                               r"remed\w*|how do (?:i|we)|what to do)\b", re.I)),
         ("cause", re.compile(r"\b(?:why|causes?|caused|causing|reasons?|what makes)\b", re.I)))


@dataclass
class Question:
    """A question read for what it asks (``kind``) and what it is about (``terms``, stemmed)."""

    text: str
    kind: str  # "howto" | "cause" | "value" | "other"
    terms: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)  # numbers the question itself names ("932", "MT3", "6in")
    rating: bool = False  # asks for an FMEA rating (severity, occurrence, detection, RPN)
    words: set[str] = field(default_factory=set)  # the topic words as written (lower case, not stemmed)
    asks: tuple[str, ...] = ()  # the row cells asked for (effect, controls, remedy, cause); () = the whole row
    alternatives: dict[str, set[str]] = field(default_factory=dict)  # term -> other stems that count for it
    quantities: tuple[str, ...] = ()  # the quantities a value question names ("torque"): keys of UNITS
    action: str = ""  # a how-to's verb, stemmed ("how do i prime the pump" -> "prime")
    steps: bool = False  # asks for the steps themselves ("step by step", "what are the steps", "procedure")


def read_question(text: str) -> Question:
    """The kind and topic terms of ``text`` (English; other scripts keep their character bigrams as terms)."""
    kind = ("value" if _VALUE.search(text) else "cause" if _CAUSE.search(text)
            else "howto" if _HOWTO.search(text) else "other")
    if kind == "value" and re.search(r"\bwhy\b|\bcause", text, re.I):
        kind = "cause"
    low = _NUMBER_WORD.sub(lambda m: _NUMBERS[m.group(1)] + "-", text.lower().replace("w/o", "without"))
    words = [p for w in re.findall(r"[a-z0-9]+(?:[-.][a-z0-9]+)*", low)
             for p in ([w] if re.search(r"\d", w) else w.split("-"))]  # cross-slide: cross, slide; 4-jaw, E-42 whole
    terms: set[str] = set()
    alts: dict[str, set[str]] = {}
    for w in words:
        if w in ASKING:
            continue
        for t in tokenize(w):
            if t in ASKING or len(t) < 2:
                continue
            terms.add(t)
            others = {s for syn in SYNONYMS.get(w, ()) for s in tokenize(syn)}
            others |= {tokenize(k)[0] for k, v in SYNONYMS.items() if w in v and tokenize(k)}
            if others:
                alts.setdefault(t, set()).update(others)
    from shopfloor.index.text import cjk_tokens

    terms |= set(cjk_tokens(text))
    numbers = set(re.findall(r"\d+(?:[.,]\d+)?", text))
    return Question(text, kind, terms, numbers=numbers, rating=bool(RATINGS & set(words)), alternatives=alts,
                    words={w for w in words if w not in ASKING and len(w) > 2 and w.isalnum()},
                    asks=tuple(role for role, pattern in _ASKS if pattern.search(text)),
                    quantities=tuple(dict.fromkeys(_QUANTITY_WORD.findall(text.lower()))),
                    action=_action(low) if kind == "howto" else "", steps=bool(_STEPS.search(text)))


_ACTION = re.compile(r"\bhow\s+(?:do|can|should|would|to)\s+(?:(?:i|we|you|one)\s+)?(?:(?:best|properly|safely)\s+)?"
                     r"([a-z]+)")
_STEPS = re.compile(r"\bstep[- ]by[- ]step\b|\b(?:the|what are the|which|all) steps\b|\bsteps (?:to|for)\b|"
                    r"\bprocedure\b|\binstructions\b", re.I)


def _action(low: str) -> str:
    """The verb a how-to asks about, stemmed as the index stems ("how do i true a chuck" -> "true")."""
    m = _ACTION.search(low)
    stems = tokenize(m.group(1)) if m else []
    return stems[0] if stems else ""
