"""Distinctive names in news text: places, central banks and reporting periods.

Two headlines of one week can share every word but the one that matters: "Magnitude 6.9
earthquake strikes off Chile" and "… off Japan", "Fed holds rates" and "Bank of England holds
rates", GDP "in the first quarter" and "in the third quarter". Word weights cannot tell these
apart, since the rest of each headline agrees. `names` finds such names and files each under a
class (``country:japan``, ``state:texas``, ``bank:fed``, ``period:q3``); the matcher treats two
texts that both name something of one class, and nothing in common within it, as two events.

The lists are small and hand-written: countries with their demonyms and capitals, US states,
a few dozen cities that are often datelines, the central banks that move markets, quarters and
months. A name missing from them is simply not used (no false conflict can come of it).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Each line: the keys, then the spellings that name them (case-insensitive, whole words).
_PLACES = """
country:us | United States, US, U.S., U.S.A., USA, America, American, Americans, Washington
country:uk | United Kingdom, U.K., UK, Britain, British, England, English, Scotland, Scottish
country:uk | Wales, Welsh, London, Westminster
country:ie | Ireland, Irish, Dublin
country:fr | France, French, Paris
country:de | Germany, German, Germans, Berlin
country:it | Italy, Italian, Rome
country:es | Spain, Spanish, Madrid
country:pt | Portugal, Portuguese, Lisbon
country:nl | Netherlands, Dutch, Amsterdam
country:be | Belgium, Belgian, Brussels
country:ch | Switzerland, Swiss, Geneva, Zurich, Bern
country:at | Austria, Austrian, Vienna
country:pl | Poland, Polish, Warsaw
country:se | Sweden, Swedish, Stockholm
country:no | Norway, Norwegian, Oslo
country:dk | Denmark, Danish, Copenhagen
country:fi | Finland, Finnish, Helsinki
country:gr | Greece, Greek, Athens
country:tr | Turkey, Turkish, Turkiye, Ankara, Istanbul
country:ru | Russia, Russian, Russians, Moscow, Kremlin
country:ua | Ukraine, Ukrainian, Ukrainians, Kyiv, Kiev
country:by | Belarus, Belarusian, Minsk
country:hu | Hungary, Hungarian, Budapest
country:ro | Romania, Romanian, Bucharest
country:cz | Czech, Czechia, Prague
country:rs | Serbia, Serbian, Belgrade
country:cn | China, Chinese, Beijing, Shanghai, Hong Kong
country:tw | Taiwan, Taiwanese, Taipei
country:jp | Japan, Japanese, Tokyo, Osaka, Iwate, Fukushima
country:kr | South Korea, South Korean, Seoul
country:kp | North Korea, North Korean, Pyongyang
country:in | India, Indian, New Delhi, Delhi, Mumbai
country:pk | Pakistan, Pakistani, Islamabad, Karachi
country:bd | Bangladesh, Bangladeshi, Dhaka
country:af | Afghanistan, Afghan, Kabul, Taliban
country:ir | Iran, Iranian, Tehran
country:iq | Iraq, Iraqi, Baghdad
country:sy | Syria, Syrian, Damascus
country:il | Israel, Israeli, Israelis, Jerusalem, Tel Aviv
country:ps | Gaza, Palestinian, Palestinians, West Bank, Hamas
country:lb | Lebanon, Lebanese, Beirut, Hezbollah
country:sa | Saudi Arabia, Saudi, Riyadh
country:ae | United Arab Emirates, UAE, Emirati, Dubai, Abu Dhabi
country:qa | Qatar, Qatari, Doha
country:ye | Yemen, Yemeni, Houthi, Houthis
country:eg | Egypt, Egyptian, Cairo
country:ly | Libya, Libyan, Tripoli
country:ma | Morocco, Moroccan, Rabat
country:dz | Algeria, Algerian, Algiers
country:tn | Tunisia, Tunisian, Tunis
country:ng | Nigeria, Nigerian, Lagos, Abuja
country:et | Ethiopia, Ethiopian, Addis Ababa
country:ke | Kenya, Kenyan, Nairobi
country:za | South Africa, South African, Johannesburg, Cape Town, Pretoria
country:sd | Sudan, Sudanese, Khartoum
country:cd | Congo, Congolese, Kinshasa
country:mx | Mexico, Mexican, Mexico City
country:ca | Canada, Canadian, Canadians, Ottawa, Toronto, Montreal, Vancouver
country:br | Brazil, Brazilian, Brasilia, Rio de Janeiro, Sao Paulo
country:ar | Argentina, Argentine, Argentinian, Buenos Aires
country:cl | Chile, Chilean, Santiago
country:pe | Peru, Peruvian, Lima
country:co | Colombia, Colombian, Bogota
country:ve | Venezuela, Venezuelan, Caracas
country:ec | Ecuador, Ecuadorian, Quito
country:cu | Cuba, Cuban, Havana
country:ht | Haiti, Haitian, Port-au-Prince
country:au | Australia, Australian, Australians, Canberra, Sydney, Melbourne
country:nz | New Zealand, Kiwi, Wellington, Auckland
country:id | Indonesia, Indonesian, Jakarta, Bali
country:ph | Philippines, Philippine, Filipino, Manila
country:vn | Vietnam, Vietnamese, Hanoi
country:th | Thailand, Thai, Bangkok
country:my | Malaysia, Malaysian, Kuala Lumpur
country:sg | Singapore, Singaporean
country:mm | Myanmar, Burma, Burmese
country:np | Nepal, Nepalese, Nepali, Kathmandu
country:lk | Sri Lanka, Sri Lankan, Colombo
state:al | Alabama
state:ak | Alaska
state:az | Arizona, Phoenix
state:ar | Arkansas
state:ca | California, Californian, Los Angeles, San Francisco, San Diego, Sacramento
state:co | Colorado, Denver
state:ct | Connecticut
state:de | Delaware
state:fl | Florida, Miami, Orlando, Tampa
state:ga | Georgia, Atlanta
state:hi | Hawaii, Honolulu, Maui
state:id | Idaho
state:il | Illinois, Chicago
state:in | Indiana, Indianapolis
state:ia | Iowa
state:ks | Kansas
state:ky | Kentucky, Louisville
state:la | Louisiana, New Orleans
state:me | Maine
state:md | Maryland, Baltimore
state:ma | Massachusetts, Boston
state:mi | Michigan, Detroit
state:mn | Minnesota, Minneapolis
state:ms | Mississippi
state:mo | Missouri, St. Louis, Kansas City
state:mt | Montana
state:ne | Nebraska
state:nv | Nevada, Las Vegas
state:nh | New Hampshire
state:nj | New Jersey
state:nm | New Mexico
state:ny | New York, Buffalo, Brooklyn, Manhattan
state:nc | North Carolina
state:nd | North Dakota
state:oh | Ohio, Cleveland, Columbus
state:ok | Oklahoma
state:or | Oregon, Portland
state:pa | Pennsylvania, Philadelphia, Pittsburgh
state:ri | Rhode Island
state:sc | South Carolina
state:sd | South Dakota
state:tn | Tennessee, Nashville, Memphis
state:tx | Texas, Texan, Houston, Dallas, Austin, San Antonio, Uvalde
state:ut | Utah
state:vt | Vermont
state:va | Virginia
state:wa | Washington State, Seattle
state:wv | West Virginia
state:wi | Wisconsin, Milwaukee
state:wy | Wyoming
"""

_BANKS = """
bank:fed | Fed, Federal Reserve, FOMC
bank:ecb | ECB, European Central Bank
bank:boe | Bank of England, BoE
bank:boj | Bank of Japan, BoJ
bank:rba | RBA, Reserve Bank of Australia
bank:boc | Bank of Canada
bank:rbnz | RBNZ, Reserve Bank of New Zealand
bank:pboc | PBOC, PBoC, People's Bank of China
bank:snb | SNB, Swiss National Bank
bank:rbi | RBI, Reserve Bank of India
"""

# Spellings that are ordinary words in lower case: matched only as written here.
_CASE_SENSITIVE = frozenset({"US", "U.S.", "UK", "Fed", "BoE", "BoJ", "Kiwi", "Georgia"})
# A US state that is also a country (Georgia) or a city that is also a state is filed under both.
_STATES_IMPLY_US = True


def _table(text: str) -> dict[str, tuple[str, ...]]:
    """Return spelling -> keys from lines of "key | spelling, spelling"."""
    out: dict[str, list[str]] = {}
    for line in text.strip().splitlines():
        key, _, spellings = line.partition("|")
        for spelling in spellings.split(","):
            keys = out.setdefault(spelling.strip(), [])
            keys.append(key.strip())
            if _STATES_IMPLY_US and key.startswith("state:"):
                keys.append("country:us")
    return {spelling: tuple(dict.fromkeys(keys)) for spelling, keys in out.items()}


_SPELLINGS = _table(_PLACES) | _table(_BANKS)
# Spellings by their words: a text's words are read left to right, trying the longest spelling
# that starts at each ("Bank of England" before "England", so a bank is not also a place).
_LOOKUP = {
    tuple(s.casefold().replace("'s", "").replace("-", " ").split()): keys
    for s, keys in _SPELLINGS.items()
    if s not in _CASE_SENSITIVE
}
_LOOKUP_SENSITIVE = {s: keys for s, keys in _SPELLINGS.items() if s in _CASE_SENSITIVE}
_SENSITIVE = frozenset(_LOOKUP_SENSITIVE)
_LONGEST = max(len(words) for words in _LOOKUP)
_FIRST = frozenset(words[0] for words in _LOOKUP)
_WORD = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)*\.?|'s\b")


def _words(text: str) -> list[str]:
    """Return a text's words as written ("U.S." is one word; "'s" stands alone)."""
    return _WORD.findall(text)


# Decisions on interest rates: a hold and a cut of one bank in one week are two events.
_RATES = re.compile(r"\b(?:interest[\s-]+)?rates?\b|\bcash rate\b|\bbank rate\b", re.IGNORECASE)
_DECISION = re.compile(
    r"\b(?:(holds?|held|keeps?|kept|leaves?|left|pauses?|unchanged|steady|on hold)"
    r"|(cuts?|lowers?|lowered|trims?|trimmed|reduces?|reduced|slashe?s?|slashed)"
    r"|(raises?|raised|hikes?|hiked|lifts?|lifted|increases?|increased))\b",
    re.IGNORECASE,
)
# The two chambers of Congress (and Parliament's): "House" only as written, never "White House".
_CHAMBER = re.compile(r"\b(Senate|(?<!White )House(?! of Lords)|House of Lords)\b")

# Classes judged on headlines alone: a description may well mention the other decision
# ("…could hold rates steady next year" in a story about a cut) or the other chamber ("the
# bill now heads to the House").
STRICT = frozenset({"decision", "chamber"})

# Reporting periods. "third quarter" but not "a third quarter-point cut".
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_ORDINAL |= {"fourth": 4, "4th": 4}
_QUARTER = re.compile(
    r"\b(?:(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter(?![\s-]+points?\b)"
    r"|q([1-4]))\b",
    re.IGNORECASE,
)
_Q_DIGIT = re.compile(r"[qQ][1-4]")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
# A month only where it is plainly a date ("in March", "March 3", "March's"): "May" and
# "March" are ordinary words too.
_MONTH = re.compile(
    r"(?:\b(?:in|of|for|since|by|last|this|next|early|late|mid|through|until|during)[\s-]+"
    r"(" + "|".join(_MONTHS) + r")\b|\b(" + "|".join(_MONTHS) + r")(?:'s\b|\s+\d{1,2}\b))"
)


@lru_cache(maxsize=8192)  # headlines recur (lookups of one article); descriptions rarely do
def names(text: str) -> frozenset[str]:
    """Return the distinctive names a text holds, as ``class:value`` keys.

    >>> sorted(names("Magnitude 6.9 earthquake strikes off Chile"))
    ['country:cl']
    >>> sorted(names("Bank of England holds rates in the third quarter"))
    ['bank:boe', 'period:q3']
    """
    text = unicodedata.normalize("NFKC", text or "").replace("\u2019", "'")
    found: set[str] = set()
    words = [w for w in _words(text) if w != "'s"]
    folded = [w.rstrip(".").casefold() if w.count(".") <= 1 else w.casefold() for w in words]
    # most texts hold no listed name: then the walk below would find nothing
    if _FIRST.isdisjoint(folded) and _SENSITIVE.isdisjoint(words):
        if not any(w.endswith(".") and w.rstrip(".") in _SENSITIVE for w in words):
            words = []
    i = 0
    while i < len(words):
        if folded[i] not in _FIRST:
            keys = _LOOKUP_SENSITIVE.get(words[i]) or _LOOKUP_SENSITIVE.get(words[i].rstrip("."))
            if keys is not None:
                found.update(keys)
            i += 1
            continue
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            keys = _LOOKUP.get(tuple(folded[i : i + size]))
            if keys is not None:
                found.update(keys)
                i += size
                break
        else:
            word = words[i]
            keys = _LOOKUP_SENSITIVE.get(word) or _LOOKUP_SENSITIVE.get(word.rstrip("."))
            if keys is not None:
                found.update(keys)
            i += 1
    # Each pattern below runs only when a word it needs is in the text: most texts name no
    # quarter, rate, chamber or month, and a substring test costs far less than the scan.
    # (Case-insensitive patterns: after NFKC, only ASCII letters fold to these letters.)
    lowered = text.lower()
    if "quarter" in lowered or _Q_DIGIT.search(text):
        for match in _QUARTER.finditer(text):
            number = _ORDINAL[match.group(1).casefold()] if match.group(1) else int(match.group(2))
            found.add(f"period:q{number}")
    if "rate" in lowered and _RATES.search(text):
        # the first decision word is the headline's main verb ("trims rates but signals a pause")
        decision = _DECISION.search(text)
        if decision is not None:
            kind = "hold" if decision.group(1) else "cut" if decision.group(2) else "raise"
            found.add("decision:" + kind)
    if "Senate" in text or "House" in text:
        for match in _CHAMBER.finditer(text):
            found.add("chamber:" + match.group(1).casefold().replace(" ", "-"))
    if any(month in text for month in _MONTHS):
        for match in _MONTH.finditer(text):
            found.add("month:" + (match.group(1) or match.group(2)).casefold())
    return frozenset(found)


def conflict(query: frozenset[str], other: frozenset[str], evidence: frozenset[str]) -> bool:
    """Return True when the ``query`` names, within some class, nothing ``evidence`` names while
    ``other`` names exactly one thing of that class (a story whose headlines already name two
    countries is about more than one, and a third may well join it).

    ``query`` is what one text states prominently (its headline), ``other`` what the other text
    states prominently, ``evidence`` everything the other text says (headline and description):
    "Chile" in a headline conflicts with a story whose headlines say "Japan" and whose
    descriptions never say Chile."""
    if not query or not other:
        return False
    by_class: dict[str, int] = {}
    for key in other:
        cls = key.partition(":")[0]
        by_class[cls] = by_class.get(cls, 0) + 1
    for cls, count in by_class.items():
        if count > 1 and cls not in STRICT:
            continue  # a story that already names two places is not about one place
        mine = {key for key in query if key.startswith(cls + ":")}
        if mine and mine.isdisjoint(other if cls in STRICT else evidence):
            return True
    return False
