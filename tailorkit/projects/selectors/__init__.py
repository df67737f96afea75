"""Reads of the tailoring cycle that the pages and the API share, one module per part of the cycle
(the same domain names as ``services``, ``views`` and ``forms``): ``projects``, ``iterations``,
``goals``, ``matching``, ``planning``, ``review``, and ``progress`` (what is done in each step,
for one project or many at once). Nothing here writes."""
