"""What the pages stand on: languages and locale files, page rendering and headers, base-map tiles, the
static files. The pages themselves live in their features (service/<feature>/pages.py)."""
