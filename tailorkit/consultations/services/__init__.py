"""Writes of the consultations app, and the reads that belong with them, one module per sub-domain
(``views/`` has a module of the same name for each that has pages):

* ``builder`` – questionnaires, sections, questions and their frozen versions;
* ``delivery`` – consultations, invitations, open links, reminders, erasure and retention;
* ``responding`` – the respondent's path: link look-up, the paged form, drafts, submitting once;
* ``results`` – results with the anonymity rules applied, and exports of the responses;
* ``rounds`` – consensus (Delphi) rounds;
* ``instruments`` – NoMAD and AIM/IAM/FIM: questionnaires, scoring, importing the official wording.

Views, the API, tasks and management commands all write through these functions.
"""
