"""Country names for the ISO 3166-1 alpha-2 codes the outlets file uses.

Pages say "broke the news in the United Kingdom", not "in GB". A code without a name here is
shown as the code itself, so a new outlet from another country never breaks a page.
"""

from __future__ import annotations

NAMES: dict[str, str] = {
    "AE": "the United Arab Emirates",
    "AR": "Argentina",
    "AT": "Austria",
    "AU": "Australia",
    "BE": "Belgium",
    "BR": "Brazil",
    "CA": "Canada",
    "CH": "Switzerland",
    "CL": "Chile",
    "CN": "China",
    "CO": "Colombia",
    "CU": "Cuba",
    "CZ": "the Czech Republic",
    "DE": "Germany",
    "DK": "Denmark",
    "EG": "Egypt",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GB": "the United Kingdom",
    "GR": "Greece",
    "HK": "Hong Kong",
    "HU": "Hungary",
    "IE": "Ireland",
    "IL": "Israel",
    "IN": "India",
    "IR": "Iran",
    "IT": "Italy",
    "JP": "Japan",
    "KE": "Kenya",
    "KR": "South Korea",
    "LV": "Latvia",
    "MX": "Mexico",
    "NG": "Nigeria",
    "NL": "the Netherlands",
    "NO": "Norway",
    "NZ": "New Zealand",
    "PK": "Pakistan",
    "PL": "Poland",
    "PT": "Portugal",
    "QA": "Qatar",
    "RU": "Russia",
    "SA": "Saudi Arabia",
    "SE": "Sweden",
    "SG": "Singapore",
    "TR": "Turkey",
    "TW": "Taiwan",
    "UA": "Ukraine",
    "US": "the United States",
    "VE": "Venezuela",
    "ZA": "South Africa",
}


def country_name(code: str | None) -> str:
    """Return a country's name as it reads inside a sentence ("the United States")."""
    if not code:
        return "an unknown country"
    return NAMES.get(code.upper(), code.upper())


def country_title(code: str | None) -> str:
    """Return a country's name as a heading or a list entry shows it ("United States")."""
    name = country_name(code)
    return name[4:] if name.startswith("the ") else name


def is_country_code(text: str) -> bool:
    """Return True for two ASCII letters, the shape of an alpha-2 code."""
    return len(text) == 2 and text.isascii() and text.isalpha()
