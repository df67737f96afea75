# Dates in English as Tailorkit's pages write them: "3 Mar 2026", day first, month in letters, so
# nobody has to guess between 3 March and 2 April (Django's own English default is "Mar. 3, 2026").
# Other languages keep Django's formats for their locale.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
