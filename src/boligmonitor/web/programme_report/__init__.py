"""The annual analysis report of a programme and the municipality's feedback report as documents (issue 14):
HTML, tagged PDF (PDF/UA-1, through the fact sheet's machinery) and DOCX.

- :mod:`.content` — what the analysis report holds, per goal (:func:`~.content.build_programme_report`);
- :mod:`.feedback` — the feedback page's content as a document (:func:`~.feedback.build_feedback_report`);
- :mod:`.render` — the print documents and the PDFs; :mod:`.docx_writer` — the DOCX files;
- :mod:`.routes` — ``/program/{id}/rapport/{year}`` (+ ``.pdf``, ``.docx``) and
  ``/rapportering/{round_id}/{municipality}/tilbakemelding.pdf`` (+ ``.docx``).

See docs/programme-report.md.
"""
