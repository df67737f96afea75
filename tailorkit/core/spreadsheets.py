"""Text files that people open in a spreadsheet (the consultations' exports, a measure's values).

A text cell that starts with one of ``FORMULA_STARTS`` would be run as a formula by Excel or
LibreOffice, so it gets a leading apostrophe (OWASP, "CSV Injection"); numbers stay numbers.
``BOM`` starts a UTF-8 CSV file so that Excel opens it with accents intact."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value):
    """Make a text cell safe to open in a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
