"""One reader per input format, each giving a `Book` (importers/book.py); shared safe readers."""
