"""The details a supporter gives with an action, named once.

The action form, the admin's detail view, the CRM's webhook, the CSV export and subject
access all read them from here: a new detail is added to the model and to one of these.
"""

from insights import sources

#: Who the supporter is and how to reach them; the CRM receives these (and the consent).
CONTACT = ("first_name", "last_name", "email", "country", "postal_code", "phone")
#: What the supporter wrote for the targets: a note of their own, the letter as edited.
WRITTEN = ("personal_note", "letter_subject", "letter_body")
#: Their consent to hear from the organisation: given or not, the wording, and when.
CONSENT = ("consent", "consent_text", "consent_at")
#: Where the action came from (see insights/sources.py), nothing about the person: shown to
#: moderators, exported and sent to the CRM.
SOURCE = sources.FIELDS

ALL = (*CONTACT, *WRITTEN, *CONSENT)
