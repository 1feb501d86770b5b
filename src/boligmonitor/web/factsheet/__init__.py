"""Fact sheets per municipality: 2–4 pages of the monitor's own figures as HTML and tagged PDF (PDF/UA-1).

- :mod:`.content` — what a sheet holds, built from ``MonitorData.row`` (:func:`~.content.build_fact_sheet`);
- :mod:`.sentences` — sentences only from tested comparisons; :mod:`.figures` — its charts;
- :mod:`.render` — the print document and the PDF (WeasyPrint); :mod:`.pdftags` — page furniture as artifacts;
- :mod:`.batch` — every municipality in parallel; :mod:`.routes` — the web pages;
- :mod:`.pdfua` — a structural PDF/UA check (pypdf; tests and benchmarks).

See docs/factsheet.md.
"""
