"""django-simple-history's ``HistoricalRecords`` with one more index on every history table.

The reads of one object's history — its version at a moment ("the project as it was"), the version
just before an edit (the timeline's "earlier version"), simple-history's own ``prev_record`` and
admin history — ask for ``id = X`` ordered by ``history_date``. simple-history indexes
``history_date`` alone (``SIMPLE_HISTORY_DATE_INDEX=True``) or ``(history_date, id)``
(``"composite"``), in which the rows of one object lie scattered over the whole table, so either
way such a read walks every version of the object or every row of the time range. An index on
``(id, history_date, history_id)`` holds one object's versions side by side in time order: the
version at or before a moment is one index seek, whatever the number of versions (issue 11).
``history_id`` last settles rows of the same moment, which the timeline orders by it.

The library has no option for the column order, so the index is added to the Meta of the history
model it builds (``get_meta_options``), which keeps it in the migrations like any other index.
"""

from django.db import models
from simple_history.models import HistoricalRecords as _HistoricalRecords


class HistoricalRecords(_HistoricalRecords):
    def get_meta_options(self, model):
        meta = super().get_meta_options(model)
        # Unnamed: Django names it from the table and columns, so each history table gets its own.
        meta["indexes"] = (*meta.get("indexes", ()), models.Index(fields=("id", "history_date", "history_id")))
        return meta
