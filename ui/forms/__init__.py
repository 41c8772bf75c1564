"""Forms built from a template's field specs: one editor per field type, the form that lays
them out and checks them, and the people and exhibits offered in pickers."""
