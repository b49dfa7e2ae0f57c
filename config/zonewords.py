"""Time zones as people name them: an IANA name in any case ("europe/rome"), a city or a
country in Italian or English ("Roma", "Italia", "Londra", "New York"), or the city part
of an IANA name alone when only one zone has it ("kolkata").

A name that means two places ("Monaco": the principality or Munich, Monaco di Baviera)
is refused with both readings, never guessed.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from config.timewords import fold

_ROME = "Europe/Rome"
_ITALIAN_CITIES = (
    "roma", "rome", "italia", "italy", "milano", "milan", "napoli", "naples", "torino",
    "turin", "firenze", "florence", "venezia", "venice", "palermo", "bologna", "genova",
    "genoa", "bari", "cagliari", "catania", "verona", "padova", "padua", "trieste",
    "brescia", "parma", "modena", "perugia", "pisa", "lecce", "reggio calabria",
    "reggio emilia", "bergamo", "trento", "bolzano", "ancona", "pescara", "salerno",
    "messina", "sassari", "siena", "lucca", "rimini", "aosta", "potenza", "campobasso",
    "catanzaro", "l'aquila", "sardegna", "sardinia", "sicilia", "sicily", "toscana",
    "tuscany", "lombardia", "piemonte", "veneto", "puglia", "campania", "calabria",
)
ALIASES: dict[str, str] = dict.fromkeys(_ITALIAN_CITIES, _ROME) | {
    "san marino": "Europe/San_Marino", "vaticano": "Europe/Vatican",
    "citta del vaticano": "Europe/Vatican", "vatican": "Europe/Vatican",
    "londra": "Europe/London", "london": "Europe/London", "inghilterra": "Europe/London",
    "england": "Europe/London", "regno unito": "Europe/London",
    "united kingdom": "Europe/London", "uk": "Europe/London", "scozia": "Europe/London",
    "scotland": "Europe/London", "edimburgo": "Europe/London",
    "parigi": "Europe/Paris", "francia": "Europe/Paris", "france": "Europe/Paris",
    "nizza": "Europe/Paris", "marsiglia": "Europe/Paris", "lione": "Europe/Paris",
    "berlino": "Europe/Berlin", "germania": "Europe/Berlin", "germany": "Europe/Berlin",
    "monaco di baviera": "Europe/Berlin", "munich": "Europe/Berlin",
    "munchen": "Europe/Berlin", "francoforte": "Europe/Berlin",
    "frankfurt": "Europe/Berlin", "amburgo": "Europe/Berlin", "hamburg": "Europe/Berlin",
    "colonia": "Europe/Berlin", "cologne": "Europe/Berlin",
    "madrid": "Europe/Madrid", "barcellona": "Europe/Madrid", "barcelona": "Europe/Madrid",
    "siviglia": "Europe/Madrid", "valencia": "Europe/Madrid",
    "lisbona": "Europe/Lisbon", "porto": "Europe/Lisbon",
    "zurigo": "Europe/Zurich", "zurich": "Europe/Zurich", "ginevra": "Europe/Zurich",
    "geneva": "Europe/Zurich", "berna": "Europe/Zurich", "bern": "Europe/Zurich",
    "lugano": "Europe/Zurich", "svizzera": "Europe/Zurich", "switzerland": "Europe/Zurich",
    "vienna": "Europe/Vienna", "austria": "Europe/Vienna", "salisburgo": "Europe/Vienna",
    "bruxelles": "Europe/Brussels", "brussels": "Europe/Brussels",
    "belgio": "Europe/Brussels", "belgium": "Europe/Brussels",
    "amsterdam": "Europe/Amsterdam", "olanda": "Europe/Amsterdam",
    "paesi bassi": "Europe/Amsterdam", "netherlands": "Europe/Amsterdam",
    "holland": "Europe/Amsterdam",
    "atene": "Europe/Athens", "athens": "Europe/Athens", "grecia": "Europe/Athens",
    "greece": "Europe/Athens", "dublino": "Europe/Dublin", "dublin": "Europe/Dublin",
    "irlanda": "Europe/Dublin", "ireland": "Europe/Dublin",
    "varsavia": "Europe/Warsaw", "warsaw": "Europe/Warsaw", "polonia": "Europe/Warsaw",
    "poland": "Europe/Warsaw", "praga": "Europe/Prague", "prague": "Europe/Prague",
    "budapest": "Europe/Budapest", "ungheria": "Europe/Budapest",
    "bucarest": "Europe/Bucharest", "bucharest": "Europe/Bucharest",
    "romania": "Europe/Bucharest", "lubiana": "Europe/Ljubljana",
    "slovenia": "Europe/Ljubljana", "zagabria": "Europe/Zagreb", "croazia": "Europe/Zagreb",
    "croatia": "Europe/Zagreb", "malta": "Europe/Malta", "la valletta": "Europe/Malta",
    "copenaghen": "Europe/Copenhagen", "copenhagen": "Europe/Copenhagen",
    "danimarca": "Europe/Copenhagen", "denmark": "Europe/Copenhagen",
    "stoccolma": "Europe/Stockholm", "stockholm": "Europe/Stockholm",
    "svezia": "Europe/Stockholm", "sweden": "Europe/Stockholm",
    "oslo": "Europe/Oslo", "norvegia": "Europe/Oslo", "norway": "Europe/Oslo",
    "helsinki": "Europe/Helsinki", "finlandia": "Europe/Helsinki",
    "finland": "Europe/Helsinki", "mosca": "Europe/Moscow", "moscow": "Europe/Moscow",
    "istanbul": "Europe/Istanbul", "turchia": "Europe/Istanbul", "turkey": "Europe/Istanbul",
    "new york": "America/New_York", "nuova york": "America/New_York",
    "boston": "America/New_York", "washington": "America/New_York",
    "miami": "America/New_York", "chicago": "America/Chicago",
    "los angeles": "America/Los_Angeles", "san francisco": "America/Los_Angeles",
    "toronto": "America/Toronto", "montreal": "America/Toronto",
    "buenos aires": "America/Argentina/Buenos_Aires", "san paolo": "America/Sao_Paulo",
    "sao paulo": "America/Sao_Paulo", "rio de janeiro": "America/Sao_Paulo",
    "citta del messico": "America/Mexico_City", "mexico city": "America/Mexico_City",
    "tokyo": "Asia/Tokyo", "giappone": "Asia/Tokyo", "japan": "Asia/Tokyo",
    "pechino": "Asia/Shanghai", "beijing": "Asia/Shanghai", "shanghai": "Asia/Shanghai",
    "cina": "Asia/Shanghai", "china": "Asia/Shanghai", "dubai": "Asia/Dubai",
    "gerusalemme": "Asia/Jerusalem", "jerusalem": "Asia/Jerusalem",
    "il cairo": "Africa/Cairo", "cairo": "Africa/Cairo", "tunisi": "Africa/Tunis",
    "tunis": "Africa/Tunis", "sydney": "Australia/Sydney", "melbourne": "Australia/Melbourne",
}
# Names that mean more than one place: refused with the readings.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "monaco": ("Europe/Monaco", "Europe/Berlin"),  # the principality, or Munich
    "spagna": ("Europe/Madrid", "Atlantic/Canary"),
    "spain": ("Europe/Madrid", "Atlantic/Canary"),
    "portogallo": ("Europe/Lisbon", "Atlantic/Azores"),
    "stati uniti": ("America/New_York", "America/Los_Angeles"),
    "usa": ("America/New_York", "America/Los_Angeles"),
    "united states": ("America/New_York", "America/Los_Angeles"),
    "america": ("America/New_York", "America/Los_Angeles"),
    "canada": ("America/Toronto", "America/Vancouver"),
    "brasile": ("America/Sao_Paulo", "America/Manaus"),
    "brazil": ("America/Sao_Paulo", "America/Manaus"),
    "australia": ("Australia/Sydney", "Australia/Perth"),
    "russia": ("Europe/Moscow", "Asia/Vladivostok"),
}
_REGIONS = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/",
            "Australia/", "Europe/", "Indian/", "Pacific/")


def _key(name: str) -> str:
    return fold(name).replace("_", " ").replace("-", " ")


@cache
def _zones() -> tuple[dict[str, str], dict[str, str]]:
    """IANA names by folded name, and by the folded city part when one zone has it."""
    names = {z for z in available_timezones() if not z.startswith(("posix/", "right/"))}
    exact = {_key(z): z for z in names}
    cities: dict[str, list[str]] = {}
    for zone in names:
        if zone.startswith(_REGIONS):
            cities.setdefault(_key(zone.rsplit("/", 1)[1]), []).append(zone)
    # Several names for one city are links to one zone (America/Buenos_Aires and
    # America/Argentina/Buenos_Aires): the longest, the current name, is kept.
    unique = {city: max(found, key=lambda z: (z.count("/"), z.startswith("Europe/"), z))
              for city, found in cities.items()}
    return exact, unique


def resolve(name: str) -> str | tuple[str, ...] | None:
    """The IANA name that ``name`` means; a tuple of readings when it means several
    places; None when it names no zone Costanza knows."""
    key = _key(name)
    if not key:
        return None
    # The names people use come before the old one-word IANA links ("Poland", "Japan"), so
    # that a country is stored as its current zone; a country with several zones is
    # refused, unless IANA itself names it ("Portugal" is IANA's link to Europe/Lisbon).
    exact, cities = _zones()
    if key in AMBIGUOUS and key not in exact:
        return AMBIGUOUS[key]
    return ALIASES.get(key) or exact.get(key) or cities.get(key)
