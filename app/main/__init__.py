"""Home page per role and the language switch."""
