"""The six guiding principles of the tailoring cycle, read from the `tailoring-principles` pack.

The principles and where each matters follow the ItFits-toolkit (Finch et al., Implement Sci
2024;19:48, Table 1); the guidance text of each step is in the step registry (``steps.py``).
"""

from . import steps


def principles_for(step, principles):
    """The principles (library Items) that matter in ``step``."""
    code = steps.get(step).principles_code
    return [p for p in principles if code in str(p.attributes.get("where_it_matters", ""))]


def load_principles():
    from tailorkit.library.models import Item

    items = Item.objects.filter(pack__slug="tailoring-principles", category__isnull=False).order_by("order", "id")
    # Filtered in Python: excluding on a JSON key also drops rows that lack the key (SQL NULL).
    return [item for item in items if not item.is_retired]
