"""Rows that are not data: totals, subtotals and footers, in English, German, French, Spanish
and Portuguese.

A summary row's first filled cell is a total label followed by a colon ("Total: Account",
"Gesamt: Konto", "Total : compte", "Grand Total:") or the bare label ("Total", "Gesamt",
"Totales"). Google Ads writes the label in the column of the first text dimension, so the cells
before it are empty. DV360 writes its totals row with an empty first cell: readers for such
platforms pass ``empty_first_cell=True``. Footers are copyright and report-metadata lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_LABELS = (
    r"grand\s+total|totals?|total\s+general|total\s+général|total\s+geral|totales|totaux|"
    r"sous-total|subtotal|subtotales|zwischensumme|gesamtsumme|gesamtergebnis|gesamt|summe|"
    r"insgesamt|somme|suma|soma"
)
_TOTAL = re.compile(rf"^\s*(?:{_LABELS})\s*(?::.*)?$", re.IGNORECASE | re.DOTALL)
_FOOTER = re.compile(
    r"^\s*(?:©|\(c\)\s*\d{4}|copyright\b|all rights reserved|alle rechte vorbehalten|"
    r"tous droits réservés|todos los derechos reservados|todos os direitos reservados|"
    r"report time\s*:|date range\s*:|group by\s*:|filter by\b|mrc accredited|"
    r"reporting numbers from|no data returned)",
    re.IGNORECASE,
)


def _text(cell: object) -> str:
    return cell if isinstance(cell, str) else ""


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def is_summary_row(cells: Sequence[object], *, empty_first_cell: bool = False) -> bool:
    """True for a total, subtotal or footer row: never counted as data."""
    filled = [cell for cell in cells if not _blank(cell)]
    if not filled:
        return True
    first = _text(filled[0])
    if first and (_TOTAL.match(first) or _FOOTER.match(first)):
        return True
    return bool(empty_first_cell and cells and _blank(cells[0]))
