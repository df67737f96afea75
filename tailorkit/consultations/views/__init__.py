"""Pages of the consultations app, one module per sub-domain, each beside the service module of
the same name in ``services/``:

* ``builder`` – questionnaires, sections, questions and the preview;
* ``delivery`` – the consultation list, create and settings, invitations, the open link, closing,
  erasure;
* ``responding`` – the respondent's pages (no account): link exchange, access code, form, thanks;
* ``results`` – results and the downloads of the responses;
* ``rounds`` – starting the next consensus round;
* ``instruments`` – the validated instruments and the import of their official wording.
"""
