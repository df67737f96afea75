"""Every write of the measures engine. ``measures``: measures, baselines and notes;
``observations``: values, through ``observations_save`` whatever the way in (grid, file, API, feed)."""
