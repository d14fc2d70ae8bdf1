# Django's Arabic formats have no date-and-time formats, so Arabic pages fell back to the English ones
# ("نوفمبر 29, 2026" and the month-first "11/29/2026"); these follow its Arabic DATE_FORMAT and TIME_FORMAT.
DATETIME_FORMAT = "j F Y، g:i A"
SHORT_DATETIME_FORMAT = "d‏/m‏/Y g:i A"
