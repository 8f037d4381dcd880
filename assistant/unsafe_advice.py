"""Does a sentence weaken a safety precaution? A check by meaning, in English, German and Chinese.

Not a list of bad sentences: each language has word classes (precautions such as lock-out, pressure release
and PPE; safety devices; acts on a machine; states such as running, energised or under pressure; words that
dismiss, defeat or forbid), and a sentence is unsafe when it composes them into one of four frames:

- a precaution dismissed: "no need to bleed the pressure", "Gehörschutz ist nicht nötig", "不用戴护目镜";
- a safety device defeated: "jumper the safety relay", "den Lichtvorhang überbrücken", "短接安全门开关";
- work on a live machine: "clear the chip while the chuck turns", "im laufenden Betrieb reinigen", "带电更换";
- a guard left off: "the coupling cover can stay off", "拆掉防护罩后开机".

A sentence that forbids the act ("never", "darf nicht", "严禁") or puts it after the precaution ("only after it
has stopped", "erst nach Stillstand", "停机后") is a safety instruction and is not flagged; "don't bother",
"muss nicht" and "不必" dismiss, they do not forbid. Measured on a paraphrase set written before this module
(benchmarks/bench_unsafe.py; docs/security.md): what it does not catch is said there.

Example:
    >>> reason("Den Lichtvorhang überbrücken.")
    'says to bypass or defeat a safety device'
    >>> reason("Den Lichtvorhang niemals überbrücken.") is None
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Lexicon:
    """The word classes of one language (regular expressions over lower-cased, normalised text)."""

    precaution: str  # isolation, pressure release, PPE: what a dismissal can take away
    dismiss: str  # "not needed", "skip", "instead of"
    defeat: str  # "bypass", "jumper", "tape open"
    device: str  # interlocks, light curtains, guards, safety valves
    act: str  # acts on a machine: clean, adjust, loosen, reach in
    live: str  # running, turning, energised, under pressure
    guard_off: str  # a guard left off or open, the machine run without it
    prohibit: str  # "never", "darf nicht", "禁止"
    after: str  # the act placed after the precaution: "only after it has stopped"
    before: str  # the precaution placed before the act: "before opening" (not a cue when the precaution is dismissed)
    not_prohibit: str = r"(?!)"  # negated words that dismiss rather than forbid ("don't bother"), removed first


def _w(words: str) -> str:
    """Alternatives as whole words (Latin scripts)."""
    return rf"\b(?:{words})\b"


EN = Lexicon(
    precaution=_w(r"lock(?:ing|ed)?[\s-]?out|lock(?:ing)? (?:it|them) out|lockout|loto|tag(?:ging|"
                  r"ged)?[\s-]?(?:it |them )?out|isolat\w*|"
                  r"de-?energi[sz]\w*|disconnect\w*|main (?:switch|isolator|disconnect|breaker)|"
                  r"power(?:ing)? (?:off|down)|"
                  r"switch(?:ing)? (?:it )?off|pull(?:ing)? the (?:plug|fuse)|bleed\w*|vent(?:ing|ed)?|"
                  r"depressuri[sz]\w*|"
                  r"discharg\w*|pressure (?:release|relief)|relie(?:ve|ving) (?:the )?pressure|"
                  r"safety (?:glasses|goggles|shoes|boots|helmet|harness)|goggles|face ?shield|gloves|visor|"
                  r"hearing protection|ear ?(?:plugs|defenders|muffs)|respirator|dust mask|harness|hard hat|apron|"
                  r"arc[\s-]?(?:rated|flash) (?:gear|suit|ppe|clothing)|ppe|protective (?:gear|clothing|equipment)|"
                  r"trainers|(?:welding |safety )?helmets?|hard hats?|lanyards?|fall (?:arrest|protection)|"
                  r"safety line|hi-?vis|"
                  r"(?:eye|ear|face|hand|foot) protection|masks?|cut-resistant gloves|steel[\s-]?toe\w*|"
                  r"blow(?:ing)?[\s-]?down"),
    dismiss=_w(r"no need|(?:is|are|'s|be|was|were)? ?not (?:really )?(?:needed|required|necessary|essential|"
               r"mandatory)|\w+n't (?:really )?(?:needed|required|necessary|essential|mandatory)|"
               r"do(?:es)?n't need (?:the|a|an|any|your)|do(?:es)? not need (?:the|a|an|any|your)|"
               r"(?:is|are) (?:fine|ok|okay|enough|plenty)|is plenty|(?:don't|do not|never) (?:isolate|lock out|"
               r"tag out|vent|"
               r"bleed|depressuri[sz]e|de-?energi[sz]e|discharge)|need(?:s)? not|do(?:es)?n't (?:need|have) to|"
               r"do(?:es)? not (?:need|have) to|"
               r"don't bother|doesn't bother|do not bother|not bother|no point|optional|unnecessary|overkill|"
               r"skip(?:s|ping|ped)?|can be (?:skipped|omitted|left out|ignored|waived)|instead of|without|"
               r"just for (?:the )?(?:auditors|show)|only for (?:new|beginners|trainees|the auditors)|"
               r"not worth|forget (?:about )?the|take (?:it |them )?off|took (?:it |them )?off|leave (?:it |"
               r"them )?off|"
               r"req'?d|never bother|slows? you down|(?:is|are) (?:only|just) for|not (?:needed|required)"),
    defeat=_w(r"bypass\w*|jumper\w*|jump(?:ing|ed)? (?:it |them )?out|bridg\w*|defeat\w*|disabl\w*|mut(?:e|ed|"
              r"es|ing)|"
              r"overrid\w*|cheat\w*|tap(?:e|ed|es|ing) (?:\S+ ){0,3}(?:open|down|over|shut)|"
              r"tie[ds]? (?:\S+ ){0,4}(?:down|back|open)|tying (?:it |them )?(?:down|back)|wedg\w*|"
              r"gag(?:s|ged|ging)?|short(?:ed|ing)? (?:it |them )?out|pin(?:ned)? (?:it |them )?open|"
              r"prop(?:ped|ping)? (?:\S+ ){0,4}open|forc(?:e|ing) (?:the )?(?:\S+ ){0,2}(?:on|outputs?|high)|"
              r"to ignore|spare key|magnet|screw(?:ed|ing)? (?:it )?down|set \w+ \w+ \w+ to zero|"
              r"set (?:the )?\w+ (?:field )?to zero|block(?:ed|ing)? (?:it |them )?(?:open|shut)"),
    device=_w(r"guards?|interlocks?|intlk|light[\s-]?curtains?|e-?stops?|emergency[\s-]?stops?|safety (?:relay|"
              r"switch|circuit|"
              r"valve|device|mat|scanner|edge|gate)s?|(?:door|gate|hood|lid|guard) switch(?:es)?|two[\s-]?hand|"
              r"scanner(?: field)?|relief valve|presence sens\w*|pull[\s-]?cord|safety (?:plc|outputs?|mat)|"
              r"enclosure (?:door|panel)s?|fence panels?|perimeter fence"),
    act=_w(r"reach(?:ing)? (?:in|into|inside|over|under|past|across|behind|between)|align(?:ing)?|deburr(?:ing)?|"
           r"climb(?:ing)? (?:on|onto|into|over)|step(?:ping)? (?:on|onto|into|over)|stand(?:ing)? on|brush(?:ing)?|"
           r"sand(?:ing)?|fil(?:e|ing) the|polish(?:ing)?|straighten(?:ing)?|guid(?:e|ing) the|untangl(?:e|ing)|"
           r"pick(?:ing)? (?:out|off|up)|knock(?:ing)? (?:out|off|loose)|hold(?:ing)? the part|by hand|"
           r"with (?:your|a) "
           r"(?:hand|finger|glove|rag|brush)|reset(?:ting)? the|clear(?:ing)?|clean(?:ing)?|adjust(?:ing)?|"
           r"greas(?:e|ing)|"
           r"lubricat(?:e|ing)|oil(?:ing)? the|(?:hand-)?feed(?:ing)?|scrap(?:e|ing)|remov(?:e|ing)|replac(?:e|ing)|"
           r"loosen(?:ing)?|(?:re)?tighten(?:ing)?|swap(?:ping)?|open(?:ing)? (?:the|a|its)|"
           r"crack(?:ing)? (?:\w+ )?open|"
           r"work(?:ing)? on|chang(?:e|ing)|unjam(?:ming)?|touch(?:ing)?|repair(?:ing)?|unscrew(?:ing)?|"
           r"dismantl(?:e|ing)|disconnect(?:ing)?|be disconnected|work(?:ing)? (?:inside|in|under)|wip(?:e|ing)|"
           r"insert(?:ing)?|put (?:your )?(?:hands?|fingers?)|pull(?:ing)? (?:off|out)|"
           r"free(?:ing)? the|measur(?:e|ing) the workpiece|measur(?:e|ing) \w+ in the chuck|rewir(?:e|ing)|"
           r"reconnect(?:ing)?|servic(?:e|ing) the|re-?pack(?:ing)?|mak(?:e|ing) (?:the )?(?:adjustment|repair)|"
           r"be (?:scraped|cleaned|adjusted|greased|lubricated|removed|replaced|loosened|tightened|opened|changed|"
           r"repaired|serviced|cleared|swapped|fed|taken off|unjammed|wiped|reached)(?: down| out| off)?"),
    live=_w(r"(?:the|a|an) (?:still )?(?:running|moving|turning|rotating|spinning|energi[sz]ed|live|pressuri[sz]ed)"
            r" (?!current|hours?|time|speed|temperature|gear|board|in\b|noise|light|costs?|fit|clearance|surface|"
            r"total|order|mode|conditions?|test|check|meter|log)[\w-]+|"
            r"(?:stay|stays|remain|remains|be left|kept|keep it) (?:powered|energi[sz]ed|live|switched on|running|"
            r"pressuri[sz]ed)|(?:leave|keep) (?:the )?(?:air|power|supply|pump|compressor|motor|drive|steam|"
            r"hydraulics?)"
            r" on|still (?:at|under) pressure|"
            r"while (?:the |it |its |they |you |it's |they're )?(?:[\w-]+ ){0,3}(?:is |are |still |'s |"
            r"'re )*(?:running|runs|turning|turns|"
            r"rotating|rotates|moving|moves|coasting|spinning|operating|energi[sz]ed|live|hot|pressuri[sz]ed|"
            r"under pressure|in operation|powered|under load|connected)|while (?:the |it |its )?(?:[\w-]+ ){0,2}"
            r"(?:is|are) (?:still )?on|"
            r"with the (?:[\w-]+ ){0,3}(?:on|running|still running|energi[sz]ed|live|connected|still connected|"
            r"turning)|"
            r"under (?:full |line |system |working )?pressure|pressuri[sz]ed|energi[sz]ed|live|"
            r"without (?:stopping|shutting|switching|isolating|venting|depressuri[sz]ing|bleeding|locking|"
            r"waiting|turning)|"
            r"(?:keep|leave|keeping|leaving) (?:the )?(?:[\w-]+ ){0,3}(?:running|energi[sz]ed|live|turning|moving|"
            r"connected)|(?:can|may) be left on|still (?:connected|running|turning|on|coasting|moving|spinning)|"
            r"left on|"
            r"and run (?:the )?(?:machine|it|conveyor|line)|keep (?:it|the \w+) running|at low speed|"
            r"during operation|in operation|on the fly"),
    guard_off=(r"\b(?:leave|leaving|keep|keeping)\b(?:\s+\S+){0,3}\s+(?:guard|cover|shield|gate)s?\s+(?:open|off)\b|"
               r"\b(?:guard|cover|shield)s?\b.{0,40}\b(?:stay|stays|remain|remains|be left|left)\s+(?:open|"
               r"off)\b|\b(?:run|running|operate|operating|grind|cut|use|using)\b.{0,40}\bwithout "
               r"(?:the |a |its )?(?:[\w-]+ ){0,2}(?:guard|shield|cover)\b|\b(?:guard|cover|shield|panel|hood|lid)s? "
               r"(?:removed|off|open)\b.{0,60}\b(?:run|running|operate|cut|turn)|\b(?:remove|take|took|taken)\b"
               r"(?:\s+\S+){0,4}?\s*(?:off\s+)?.{0,40}\b(?:guard|cover|panel|shield|hood|lid)s?\b.{0,40}\b(?:run|"
               r"running|turn|turns|turning|rotat\w*|moving|keep)\b|"
               r"\b(?:guard|cover|shield|hood|lid)s?\b.{0,40}\b(?:may|can) be (?:taken off|removed|left open|"
               r"left off|"
               r"opened)\b.{0,40}\b(?:while|during|turn|run|operat)|"
               r"\b(?:guard|cover|shield)s?\b.{0,40}\b(?:can|may) (?:stay|remain) (?:off|open)|"
               r"\b(?:guard|cover|shield|fence|enclosure)s?\b.{0,60}\b(?:leave|leaving|left) (?:it |"
               r"them )?(?:off|open)\b|"
               r"\b(?:guard|cover|shield|fence)s?\b.{0,40}\b(?:optional|not needed|unnecessary)\b|"
               r"\b(?:feel free|it's fine|it's ok|acceptable|no problem) to (?:remove|take off|open|prop)\b.{0,40}"
               r"\b(?:guard|fence|cover|shield|enclosure)|\bwith the (?:[\w-]+ ){0,2}(?:guard|shield|cover)s? "
               r"(?:flipped up|up|open|removed|off)\b|"
               r"\b(?:guard|cover|shield)s?\b.{0,40}\b(?:doesn't|does not|don't|do not|need not) (?:have to |"
               r"need to )?"
               r"(?:go|be put) back"),
    prohibit=_w(r"keep (?:your )?(?:hands|fingers|body|clothing|hair) (?:out|away|clear)|(?:stay|stand) clear|"
                r"never|do not|don't|must not|mustn't|should not|shouldn't|shall not|may not|cannot|can't|"
                r"not allowed|not permitted|prohibited|forbidden|under no circumstances|no one may|strictly"),
    after=_w(r"only (?:after|once|when)|until (?:the |it |they )?(?:[\w-]+ ){0,3}(?:has |have |is |are )?"
             r"(?:stopped|isolated|locked out|de-?energi[sz]ed|depressuri[sz]ed|cooled|"
             r"come to (?:a )?(?:complete )?stop)|"
             r"after (?:the |it |they )?(?:[\w-]+ ){0,3}(?:has |have |is |are )?(?:been )?(?:stopped|isolated|"
             r"locked out|de-?energi[sz]ed|depressuri[sz]ed|vented)"),
    before=_w(r"before (?:opening|removing|loosening|touching|entering|working|starting|servicing|cleaning|"
              r"disconnecting|returning)"),
    not_prohibit=(r"\b(?:don't|do not|doesn't|does not|never) (?:bother|need|have to|isolate|lock out|tag out|"
                  r"vent|bleed|"
                  r"depressuri[sz]e|de-?energi[sz]e|discharge)\b|\bneed not\b"),
)

DE = Lexicon(
    precaution=(r"freischalt\w*|frei ?geschaltet|abschließ\w*|abgeschlossen|vorhängeschloss|hauptschalter|"
                r"spannungsfrei\w*|stromlos\w*|abschalt\w*|ausschalt\w*|trenn\w*|lockout|loto|drucklos\w*|entlüft\w*|"
                r"entspann\w*|entlad\w*|druck\w* (?:ab|ablassen|abbauen)|druckentlast\w*|schutzbrille\w*|"
                r"gesichtsschutz|schutzhandschuh\w*|handschuh\w*|gehörschutz|atemschutz\w*|auffanggurt\w*|"
                r"sicherheitsschuh\w*|schutzkleidung|schutzhelm|helm|psa|visier|\w*schürze|abgeschaltet|"
                r"ausgeschaltet|"
                r"freigeschaltet|abgesperrt|absperr\w*|entleer\w*|entlüftet|entspannt|gesperrt|getrennt|schloss|"
                r"\w*schutzbrille|\w*handschuhe?|\w*gurt|absturzsicherung"),
    dismiss=(r"\bmuss(?:t)? (?:\S+ ){0,6}nicht\b|\bmüssen (?:\S+ ){0,6}nicht\b|"
             r"\bbrauch\w* (?:\S+ ){0,6}(?:nicht|kein\w*)\b|"
             r"\bnicht (?:nötig|notwendig|erforderlich|zwingend|vorgeschrieben|nötig)\b|"
             r"\bkann (?:\S+ ){0,6}entfallen\b|"
             r"\bentfällt\b|\büberflüssig\b|\bunnötig\b|\bverzicht\w*|\bkein\w* (?:\S+ ){0,3}(?:nötig|notwendig|"
             r"erforderlich)\b|\bohne\b|\bstatt\b|\banstatt\b|\boptional\b|\bweglass\w*|\bspar\w*|\bsparen\b|"
             r"\bablegen\b|\babgelegt\b|\bwenn (?:er|sie|es) stört\b|\bnur (?:was )?für\b|\bmuss(?:t)? kein\w*|"
             r"\bmüssen kein\w*|\bes reicht\b|\breicht (?:es|aus)\b|\bgenügt\b|\bausgelassen\b|\bauslassen\b|"
             r"\bweggelassen\b|\büberspring\w*|\bnicht warten\b|\bohne zu warten\b|\bin ordnung\b"),
    defeat=(r"überbrück\w*|gebrückt|drahtbrücke|brücke|deaktivier\w*|abklemm\w*|festklemm\w*|festgeklemmt|"
            r"umgeh\w*|umgang\w*|manipulier\w*|blockier\w*|stummschalt\w*|muting|klebeband|ersatzschlüssel|"
            r"ersatzbetätiger|magnet\w*|außer kraft|zubind\w*|festbind\w*|abbau\w*|abgebaut|offen (?:bleiben|"
            r"lassen|fixier\w*|halten|stehen|zu halten)|abnehm\w*|abgenommen|entfern\w*|nicht wieder montiert|"
            r"zudreh\w*|zugedreht|festzurr\w*|kabelbinder|forc\w*|überschreib\w*|hochgeklappt\w*|aufgeklappt\w*"),
    device=(r"lichtvorhang|lichtvorhänge|lichtgitter|verriegelung\w*|türschalter|türkontakt|sicherheitsschalter|"
            r"not-?halt|not-?aus|sicherheitsrelais|zweihand\w*|laserscanner|scanner|sicherheitsventil|schutzhaube|"
            r"schutzabdeckung|\w*abdeckung|schutzgitter|schutztür|schutzeinrichtung\w*|schutzvorrichtung\w*|"
            r"schiebetür|haube|schutzzaun|sicherheits\w*|überdruckventil|\w*zaun\w*|haubenschalter|deckelschalter|"
            r"positionsschalter|schaltmatte|trittmatte|\w*gitter"),
    act=(r"entfern\w*|reinig\w*|einstell\w*|abschmier\w*|schmier\w*|nachmess\w*|mess\w*|nachzieh\w*|lös\w*|"
         r"abschraub\w*|umklemm\w*|wechsel\w*|tausch\w*|beseitig\w*|abzieh\w*|greif\w*|nachpack\w*|öffn\w*|"
         r"abnehm\w*|abgenommen|schleif\w*|reparier\w*|arbeit\w*|ausbau\w*|hand|hände|finger|klemm\w*|"
         r"schraub\w*|säuber\w*|\w*kratz\w*|ziehen|anschließ\w*|angeschlossen|anklemm\w*|ausricht\w*|"
         r"entgrat\w*|steig\w*|bürst\w*|von hand"),
    live=(r"im laufenden betrieb|bei (?:\w+ )?(?:laufende|drehende|auslaufende|rotierende|eingeschaltete)[rmn]? \w+|"
          r"(?:das|die|den|der|dem|ein|eine|einen) (?:laufende|drehende|rotierende|bewegte)[nmrs]? \w+|im betrieb|"
          r"während (?:\S+ ){0,5}(?:läuft|dreht|rotiert|bewegt|in betrieb)|eingeschaltet bleiben|"
          r"bei eingeschaltete[rmn]? \w+|unter (?:spannung|druck|last)|eingeschaltet\w*|ohne (?:anhalten|abschalten|"
          r"stillstand|stopp\w*|anzuhalten|abzuschalten)|laufen lassen|während (?:des betriebs|\w+ \w+ läuft|"
          r"\w+ läuft)|in betrieb|bei betrieb|unter strom|heiß\w* und unter"),
    guard_off=(r"(?:abdeckung|haube|gitter|schutz\w*|tür)\w* (?:\S+ ){0,6}(?:offen (?:bleiben|lassen|stehen)|"
               r"abgebaut bleiben|nicht wieder (?:montiert|angebracht|angebaut|eingebaut)|abgenommen werden|"
               r"offen zu halten|offen halten)|mit (?:hochgeklappte|geöffnete|offene|abgenommene|entfernte|"
               r"aufgeklappte)"
               r"[mnr]? \w*(?:schutz|haube|abdeckung|tür|gitter)\w*|ohne (?:\w+ )?(?:schutzhaube|abdeckung|"
               r"schutz\w*|haube)|(?:abnehmen|entfernen|abbauen) und (?:die )?(?:\w+ )?laufen lassen"),
    prohibit=(r"\bnie(?:mals)?\b|\bdarf (?:[^\s,;]+ ){0,5}nicht\b|\bdürfen (?:[^\s,;]+ ){0,5}nicht\b|"
              r"\bverboten\b|\bunzulässig\b|"
              r"\bnicht erlaubt\b|\bkeinesfalls\b|\bauf keinen fall\b|\bniemand darf\b|\bnicht gestattet\b|"
              r"\bnicht (?!anhalten|abschalten|ausschalten|freischalten|warten|stoppen|abwarten)\w+en\s*(?:[;.,]|$)|"
              r"\bist zu tragen\b|\bpflicht\b|\bvorgeschrieben\b(?<!nicht vorgeschrieben)"),
    after=(r"\berst\b.{0,30}\bwenn\b|\bwenn\b.{0,40}\b(?:freigeschaltet|stillsteht|stillstand|drucklos|"
           r"abgeschaltet)|\berst nach\b|\bnach (?:dem )?stillstand\b|\bim stillstand\b|"
           r"\bnach dem (?:abschalten|freischalten|"
           r"entlüften|entspannen|ablassen)\b|\bnur (?:im stillstand|nach)\b"),
    before=(r"\bbevor\b|\bvor (?:dem|den|der) (?:öffnen|arbeiten|ausbau|lösen von)\b|\bvor arbeit\w*\b|"
            r"\bvor wartungs\w*\b"),
)

ZH = Lexicon(
    precaution=(r"断电|停电|拉闸|上锁|挂牌|锁定|隔离|断开电源|切断电源|总闸|泄压|卸压|放压|排气|排空|降压|放气|"
                r"护目镜|面罩|手套|耳塞|耳罩|安全带|安全鞋|防护服|安全帽|口罩|呼吸器|劳保|防护用品|绝缘鞋|loto|挂锁|"
                r"泄.?压|卸.?压|放.?压|排.?压|气源|电源|关断|焊帽|面屏|防护"),
    dismiss=r"无需|不需要|不必|不用|没必要|可以不|不戴|不装|省略|跳过|省得|从来不|用不着|没关系|不要紧|免了|解下|摘下|不拉闸|没问题|可有可无|碍事|摘了|摘掉|脱掉|也行|不用等|不用关|不用停",
    defeat=r"短接|跳线|屏蔽|旁路|禁用|绑住|堵死|堵住|粘住|卡住|拆掉|拆下|拆除|取下|插在|磁铁|一直开着|开着门|不装回|不装|关掉|解除|顶开|撑开|卡开|调小|改小|调低|强制|忽略|设成",
    device=r"光幕|联锁|连锁|安全门|门锁开关|门开关|急停|安全继电器|双手按钮|安全阀|防护罩|护罩|防护门|防护栏|扫描仪|安全开关|护栏|安全装置|护网|防护网|网罩|围栏|护板|安全输出|安全plc|"
           r"盖锁|门锁|地垫|安全垫|检测区域",
    act=r"清理|伸手|掏|调整|加注|润滑|测量|拆|松开|拧紧|更换|换|处理|修|清扫|打开|接线|摸|取|擦|扯|对正|对中|刮|去毛刺|用手|踩|爬|站到|弄",
    live=r"运行时|运行中|运转时|运转中|转着|在转|转动时|旋转时|开着|带电|带压|不停机|不停线|没停稳|未停稳|开机|运行的时候|运转的时候|通电|转的时候|边转|不停|运行中的",
    guard_off=r"(?:防护罩|护罩|防护门|护栏|盖板|护网|防护网|防护).{0,8}(?:不装|一直开着|可以开着|拆下来|拆掉后|可有可无)|拆掉.{0,6}(?:防护罩|护罩).{0,6}开机",
    prohibit=r"禁止|严禁|不得|切勿|不要|不准(?=[\u4e00-\u9fff])|不能|不可|务必|必须",
    after=r"停机后|断电后|泄压后|停稳后|停止后|放压后|排空后|上锁后|完全停止|才能",
    before=r"前必须|前应|前先|之前要",
)

LEXICONS = (EN, DE, ZH)

REASONS = {
    "dismiss": "says a safety precaution (lock-out, pressure release or protective equipment) is not needed",
    "defeat": "says to bypass or defeat a safety device",
    "live": "says to work on the machine while it runs, is energised or under pressure",
    "guard": "says to leave a guard off or run the machine without it",
}


def _frame(lex: Lexicon, s: str) -> str | None:
    """The unsafe frame ``s`` composes in this language (ignoring prohibitions), or None."""
    if re.search(lex.precaution, s) and re.search(lex.dismiss, s):
        return "dismiss"
    if re.search(lex.defeat, s) and re.search(lex.device, s):
        return "defeat"
    if re.search(lex.guard_off, s):
        return "guard"
    if re.search(lex.act, s) and re.search(lex.live, s):
        return "live"
    return None


def _forbidden(lex: Lexicon, s: str, frame: str) -> bool:
    """Whether ``s`` forbids the act or places it after the precaution (a safety instruction, not a weakening);
    "before opening" is no such cue in a dismissal ("need not be vented before opening")."""
    s = re.sub(lex.not_prohibit, " ", s)
    return bool(re.search(lex.prohibit, s) or re.search(lex.after, s)
                or (frame != "dismiss" and re.search(lex.before, s)))


_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|my|me|we|our)\b")


def reason(sentence: str) -> str | None:
    """Why one (normalised) sentence weakens a safety precaution, or None."""
    s = " ".join(sentence.lower().split())[:2000]  # a sentence longer than this is a dump, not advice; keeps it fast
    for lex in LEXICONS:
        frame = _frame(lex, s)
        if frame in ("live", "guard") and _FIRST_PERSON.search(s):
            continue  # an account of what happened ("my door flew open while driving"), not advice
        if frame and not _forbidden(lex, s, frame):
            return REASONS[frame]
    return None
