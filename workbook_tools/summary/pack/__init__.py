"""The Cabinet pack (SPEC section 9): an accessible HTML page, and a tagged PDF with --pdf, for
a quarter or a year, from the same figures as the summary workbooks."""
