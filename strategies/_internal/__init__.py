"""Private implementation of :mod:`strategies`; import from the package, not from here."""
