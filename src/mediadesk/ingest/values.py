"""Cell values from the outside world: numbers and dates as people and platforms write them.

Exports arrive in every locale: ``1,234.56`` (US), ``1.234,56`` (German, Brazilian),
``1 234,56`` (French, with a normal, no-break or narrow no-break space), ``1'234.56`` (Swiss),
``(1,234.00)`` (accounting), ``8.27%``, ``Rs.201.68``, `` --`` for nothing. XLSX readers hand us
floats for numbers and serial numbers or dates for dates. These functions turn all of that into a
``Decimal`` or a ``date`` (never a float), or say in one sentence what is wrong with the value.

Ambiguous numbers are decided by fixed rules, never by guessing per file:

- A single comma followed by exactly three digits groups thousands: ``1,234`` is 1234 (US exports
  write thousands that way far more often than a three-decimal comma), but ``1,5`` is 1.5,
  ``0,125`` is 0.125 and ``1234,567`` is 1234.567 (those cannot be thousands groups).
- A single dot is always the decimal point: ``1.234`` is 1.234. A German "one thousand two
  hundred thirty-four" written ``1.234`` therefore reads as 1.234; importers that know a column
  holds whole numbers (impressions, clicks) should check for that themselves.
- When both a dot and a comma appear, the last one is the decimal point.
- Spaces (U+0020, U+00A0, U+202F, U+2009) and apostrophes (' and ’) only ever group thousands.

Percent values keep the number as written: ``12.5%`` is 12.5, not 0.125.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from mediadesk.domain.money import CURRENCY_MINOR_UNITS


class ValueProblem(ValueError):
    """A cell value that cannot be read as the number or date it should be."""


EMPTY_MARKERS: frozenset[str] = frozenset(
    {"", "-", "--", " --", "—", "n/a", "N/A", "(not set)", "null", "none"}
)
_EMPTY_FOLDED = frozenset(marker.strip().casefold() for marker in EMPTY_MARKERS)


def is_empty(value: object) -> bool:
    """True for None and for the texts exports use to say "nothing here" (see EMPTY_MARKERS)."""
    if value is None:
        return True
    return isinstance(value, str) and value.strip().casefold() in _EMPTY_FOLDED


# --- numbers ----------------------------------------------------------------------------------

# Currency marks that precede or follow an amount; ISO codes come from domain.money. Longest
# first, so that "R$" wins over "$" and "Rs." over "Rs".
_CURRENCY_MARKS: tuple[str, ...] = tuple(
    sorted(
        {
            *CURRENCY_MINOR_UNITS,
            "US$", "A$", "AU$", "C$", "CA$", "NZ$", "HK$", "S$", "MX$", "R$", "$",
            "€", "£", "¥", "₹", "₩", "₺", "₽", "₪", "₫", "฿", "₱", "₦", "₴",
            "RS.", "RS", "ZŁ", "KČ", "KR", "FR.", "SFR.",
        },
        key=lambda mark: (-len(mark), mark),
    )
)  # fmt: skip
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "’": "'", "\u2212": "-"})
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")
_NUMBER_CHARS = re.compile(r"[0-9.,' ]+")
_THOUSANDS_GROUPS = re.compile(r"[1-9]\d{0,2}(?:(?P<sep>[.,' ])\d{3})*")
_INDIAN_GROUPS = re.compile(r"[1-9]\d?(?:,\d\d)*,\d{3}")


def cell_text(cell: object) -> str:
    """A spreadsheet cell as the person who made the file sees it: 4711 (not 4711.0), TRUE,
    2026-10-01; used for messages that quote a value and for text columns."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat(sep=" ")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return "" if cell is None else str(cell)


def parse_decimal(value: object) -> Decimal | None:
    """A Decimal from a cell value; None for an empty cell. Raises ValueProblem otherwise.

    ints become Decimals; floats (what XLSX readers return) go through their shortest repr, so
    0.1 stays 0.1 and 1234.0 becomes 1234; text is read under the rules in the module docstring.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"{value!r} is a yes/no value, not a number.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueProblem(f"{value!r} is not a finite number.")
        return _plain(Decimal(repr(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueProblem(f"{value!r} is not a finite number.")
        return value
    if isinstance(value, str):
        if is_empty(value):
            return None
        number = _number_from_text(value)
        if number is None:
            raise ValueProblem(f"{value!r} is not a number.")
        return number
    raise ValueProblem(f"{value!r} is not a number.")


def _plain(number: Decimal) -> Decimal:
    """Normalized without an exponent: 1234.50 -> 1234.5, 100.0 -> 100 (not 1E+2), -0.0 -> 0."""
    if not number:
        return Decimal(0)
    normalized = number.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        try:
            return normalized.quantize(Decimal(1))
        except InvalidOperation:  # more digits than the context holds: keep the exponent
            return normalized
    return normalized


def _number_from_text(raw: str) -> Decimal | None:
    text = raw.translate(_SPACES).strip()
    signs: list[str] = []
    for _ in range(2):  # "-$5", "$-5", "($5)", "$(5)", "USD -5"
        text, sign = _take_sign(text)
        signs += [sign] if sign else []
        text = _strip_currency(text, prefix=True)
    for _ in range(2):  # "12,5 %", "1.234,56 €", "1234-", "5 EUR-"
        text = text.removesuffix("%").strip()
        text = _strip_currency(text, prefix=False)
        if text.endswith("-"):
            signs.append("-")
            text = text[:-1].strip()
    if len(signs) > 1:
        return None
    number = _unsigned(text)
    if number is None:
        return None
    return -number if signs and signs[0] != "+" else number


def _take_sign(text: str) -> tuple[str, str]:
    """Text without a leading sign or accounting parentheses, and that sign ("-", "+", "()")."""
    if text.startswith("(") and text.endswith(")"):
        return text[1:-1].strip(), "()"
    if text[:1] in ("-", "+"):
        return text[1:].strip(), text[0]
    return text, ""


def _strip_currency(text: str, *, prefix: bool) -> str:
    upper = text.upper()
    for mark in _CURRENCY_MARKS:
        if prefix and upper.startswith(mark):
            return text[len(mark) :].strip()
        if not prefix and upper.endswith(mark):
            return text[: -len(mark)].strip()
    return text


def _unsigned(text: str) -> Decimal | None:
    """An unsigned number written with any of the accepted separators, or None."""
    if not text:
        return None
    if _SCIENTIFIC.fullmatch(text):  # 1.23E+11, as Excel shows long numbers in CSV files
        return _plain(Decimal(text))
    if not _NUMBER_CHARS.fullmatch(text):
        return None
    grouping = {sep for sep in " '" if sep in text}
    if len(grouping) > 1:
        return None
    dots, commas = text.count("."), text.count(",")
    decimal_sep = ""
    if dots and commas:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        if text.count(decimal_sep) > 1:
            return None
        grouping.add("," if decimal_sep == "." else ".")
    elif dots == 1 or (commas == 1 and (grouping or not _comma_groups_thousands(text))):
        decimal_sep = "." if dots else ","
    elif dots or commas:
        grouping.add("." if dots else ",")
    if len(grouping) > 1:
        return None
    whole, _, fraction = text.partition(decimal_sep) if decimal_sep else (text, "", "")
    if not fraction.isdigit() and fraction != "":
        return None
    if grouping and not (
        _THOUSANDS_GROUPS.fullmatch(whole)
        or (grouping == {","} and _INDIAN_GROUPS.fullmatch(whole))
    ):
        return None
    digits = whole
    for sep in grouping:
        digits = digits.replace(sep, "")
    if not (digits.isdigit() or (digits == "" and fraction)):
        return None
    return Decimal(f"{digits or '0'}.{fraction}" if fraction else digits)


def _comma_groups_thousands(text: str) -> bool:
    """For a text with one comma and no dot: is that comma a thousands separator ("1,234")?"""
    whole, _, fraction = text.partition(",")
    return len(fraction) == 3 and whole.isdigit() and len(whole) <= 3 and whole[0] != "0"


# --- dates ------------------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 once the phantom 1900-02-29 is counted
MAX_EXCEL_SERIAL = 2_958_465  # 9999-12-31
_DATE_FORMS = "2026-10-01, 10/01/2026, 01.10.2026, 1 Oct 2026, Oct 1 2026 and Excel date numbers"

# Month names and abbreviations in English, German, French, Spanish, Portuguese, Italian and
# Dutch, lower-cased and without accents ("févr." -> "fevr", "März" -> "marz"). No two languages
# use one abbreviation for different months.
_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            "january jan januar janner janvier janv enero ene janeiro gennaio gen januari",
            "february feb februar fevrier fevr fev febrero fevereiro febbraio februari",
            "march mar marz mrz mars marzo marco maart mrt",
            "april apr avril avr abril abr aprile",
            "may mai mayo maio maggio mag mei",
            "june jun juni juin junio junho giugno giu",
            "july jul juli juillet juil julio julho luglio lug",
            "august aug aout agosto ago augustus",
            "september sep sept septembre septiembre setiembre setembro set settembre",
            "october oct oktober okt octobre octubre outubro out ottobre ott",
            "november nov novembre noviembre novembro",
            "december dec dezember dez decembre diciembre dic dezembro dicembre",
        ],
        start=1,
    )
    for name in names.split()
}
_FILLER_WORDS = frozenset({"de", "del", "of", "the"})
_TIME_SUFFIX = re.compile(
    r"(?:[T ]|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?)?\s*"
    r"(?:Z|[+-]\d{2}:?\d{2})?\s*$",
    re.IGNORECASE,
)
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_DAY_DOT_MONTH = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})")
_SLASHED = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d+(?:\.\d+)?")
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th|er|e|o|a)?")


def parse_date(value: object, *, day_first: bool | None = None) -> date | None:
    """A date from a cell value; None for an empty cell. Raises ValueProblem otherwise.

    Accepts date and datetime objects, Excel serial numbers (1900 date system, 1 to 2958465) as
    numbers or digits, ISO dates (2026-10-01, 2026/10/01, 2026-10-01T00:00:00), compact
    20261001, D.M.YYYY, slashed dates, and dates with month names in English, German, French,
    Spanish, Portuguese, Italian or Dutch ("Oct 1, 2026", "1. Okt. 2026", "1er octobre 2026",
    "1 de outubro de 2026"). A time after the date is ignored, as is a leading weekday.

    Slashed dates are month first (10/01/2026 is 1 October) unless ``day_first`` is True; when
    one of the first two numbers is above 12 the order is clear and ``day_first`` is not needed.
    Two-digit years are 20xx.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"{value!r} is a yes/no value, not a date.")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float | Decimal):
        return _from_serial(value, value)
    if not isinstance(value, str):
        raise ValueProblem(f"{value!r} is not a date (mediadesk reads {_DATE_FORMS}).")
    if is_empty(value):
        return None
    text = value.strip()
    if _SERIAL.fullmatch(text):
        compact = _COMPACT.fullmatch(text)
        if compact and 1900 <= int(compact[1]) <= 2999:
            return _make(value, int(compact[1]), int(compact[2]), int(compact[3]))
        return _from_serial(Decimal(text), value)
    without_time = _TIME_SUFFIX.sub("", text, count=1) if ":" in text else text
    found = _numeric_date(value, without_time.strip(), day_first)
    if found is None:
        found = _named_month_date(value, without_time)
    if found is None:
        raise ValueProblem(f"{value!r} is not a date (mediadesk reads {_DATE_FORMS}).")
    return found


def _from_serial(number: float | Decimal, shown: object) -> date:
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueProblem(f"{shown!r} is not a date (mediadesk reads {_DATE_FORMS}).")
    serial = math.floor(number)  # a fraction is the time of day
    if not 1 <= serial <= MAX_EXCEL_SERIAL:
        raise ValueProblem(
            f"{shown!r} is outside the range of Excel dates (1 to {MAX_EXCEL_SERIAL})."
        )
    if serial == 60:
        raise ValueProblem(f"{shown!r} is 29 February 1900 in Excel, a day that did not exist.")
    # Excel counts a 29 February 1900 that never was: serials before it are one day earlier.
    return EXCEL_EPOCH + timedelta(days=serial + (1 if serial < 60 else 0))


def _numeric_date(original: str, text: str, day_first: bool | None) -> date | None:
    if match := _YEAR_FIRST.fullmatch(text):
        return _make(original, int(match[1]), int(match[3]), int(match[4]))
    if match := _DAY_DOT_MONTH.fullmatch(text):
        return _make(original, _year(match[3]), int(match[2]), int(match[1]))
    if match := _SLASHED.fullmatch(text):
        first, second, year = int(match[1]), int(match[3]), _year(match[4])
        if first > 12 and second <= 12:
            return _make(original, year, second, first)
        if second > 12 and first <= 12:
            return _make(original, year, first, second)
        if day_first:
            return _make(original, year, second, first)
        return _make(original, year, first, second)
    return None


def _named_month_date(original: str, text: str) -> date | None:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    tokens = [
        token.rstrip(".")
        for token in re.split(r"[\s,\-/]+", plain)
        if token and token.rstrip(".") not in _FILLER_WORDS
    ]
    tokens = [token for token in tokens if token]
    if len(tokens) == 4 and tokens[0].isalpha() and tokens[0] not in _MONTHS:
        tokens = tokens[1:]  # a weekday: "Thursday, October 1, 2026", "jeudi 1 octobre 2026"
    if len(tokens) != 3:
        return None
    month_at = [i for i, token in enumerate(tokens) if token in _MONTHS]
    if len(month_at) != 1:
        return None
    month = _MONTHS[tokens[month_at[0]]]
    rest = [token for i, token in enumerate(tokens) if i != month_at[0]]
    if month_at[0] == 1 and len(rest[0]) == 4 and rest[0].isdigit():  # 2026 Oct 1
        year_text, day_text = rest
    else:  # 1 Oct 2026, Oct 1 2026
        day_text, year_text = rest
    day = _DAY.fullmatch(day_text)
    if day is None or not (year_text.isdigit() and len(year_text) in (2, 4)):
        return None
    return _make(original, _year(year_text), month, int(day[1]))


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _make(original: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueProblem(f"{original!r} is not a valid date ({exc}).") from exc
