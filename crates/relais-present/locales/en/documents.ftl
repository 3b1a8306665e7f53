# The printed documents (PDF) and their shared turns of phrase.

## Shared turns of phrase
# "label: value"
label-value = { $label }: { $value }
decimal-separator = { "." }
percent = { $value }%
doc-structure = Structure
doc-address = Address
doc-phone = Phone
doc-email = E-mail
doc-website = Website
doc-person = Person
doc-drawn-up-by = Drawn up by
doc-reference = Reference
doc-start = Start
doc-end = End
doc-consent = Consent
doc-reason = Reason
doc-done-at = Done at { $commune } on { $day }
doc-done-on = Done on { $day }

## Mandate
doc-mandate-title = Mandate for help with online procedures
doc-mandate-copy-person = The person's copy
doc-mandate-copy-structure = The structure's copy
doc-mandate-parties = The parties
doc-mandate-parties-text = { $person } ("the person") gives a mandate to { $structure } ("the structure"), acting through its authorised staff, to carry out on their behalf the online procedures described below.
doc-mandate-scope = What the mandate covers
doc-mandate-scope-text = Procedures in these categories:
doc-mandate-duration = Duration
doc-mandate-rules = What the mandate allows, and what it does not
doc-mandate-rule-1 = The structure may carry out these procedures on the person's behalf, with the information and documents the person entrusts to it.
doc-mandate-rule-2 = The structure never uses the person's passwords and does not keep them.
doc-mandate-rule-3 = The person remains free to carry out their procedures themselves, at any time.
doc-mandate-rule-4 = Every use of the mandate is recorded in the structure's journal.
doc-mandate-rule-5 = This mandate is a contract of mandate under the French Civil Code (articles 1984 and following).
doc-mandate-rights = Revoking the mandate, asking for one's data
doc-mandate-rights-text = The person may revoke the mandate at any time, whole or for one category: with the structure, or alone on the page { $url } with the revocation code printed on their copy. They may ask the structure for a copy of the information about them, its correction or its deletion.
doc-mandate-code = Your revocation code
doc-mandate-code-text = Keep this code to yourself: { $code }
doc-mandate-qr-alt = QR code leading to the mandate's verification page
doc-mandate-qr-text = Check this mandate: { $url }
doc-mandate-signature-person = Signature of the person
doc-mandate-signature-structure = For the structure
doc-mandate-period = { $from } to { $to }

## Revocation
doc-revocation-title = Certificate of revocation of a mandate
doc-revocation = Revocation
doc-revocation-text = The mandate { $code } given by { $person } to { $structure } is revoked since { $when } for the following categories. The structure may no longer act on the person's behalf for these procedures.
doc-revocation-qr-alt = QR code leading to the verification page

## Charter
doc-charter-title = Intervention policy
doc-charter-rules = Our rules
doc-charter-passwords = We never keep your passwords.
doc-charter-retention = Your information is kept { $months } months after your last visit.

## Your rights (file and notice)
doc-rights = Your rights
doc-rights-1 = You may ask { $structure } to see, correct or erase your information, at any time.
doc-rights-2 = If a mandate is in force, it must be revoked first: we then keep a record of the mandate, without your name, to prove that what we did for you was authorised.
doc-rights-3 = You may also contact the CNIL, the French data protection authority (www.cnil.fr), if you think your rights are not respected.

## Information notice
doc-notice-title = Your personal information
doc-notice-front-desk = the front desk of { $structure }
doc-notice-who = Who keeps your information
doc-notice-who-text = { $controller } is responsible for your information. It uses the relais software to record the help it gives you with your online procedures.
doc-notice-why = Why
doc-notice-why-1 = To help you with your procedures and follow your files (deadlines, appointments).
doc-notice-why-2 = To keep proof of your consent when we act for you (the mandate).
doc-notice-why-3 = To count, without your names, the help given, so that we get the means to go on.
doc-notice-what = What we record
doc-notice-what-1 = Your name, year of birth, town and, if you wish, a way to reach you.
doc-notice-what-2 = Your requests, the help received and, when needed, the worker's notes.
doc-notice-what-3 = Never your passwords: you type them yourself.
doc-notice-access = Who sees them, for how long
doc-notice-access-1 = Only the team of { $structure } has access; volunteers do not see the social notes. Every opening of your file is recorded.
doc-notice-access-2 = Your information is erased { $months } months after your last procedure with us; only figures without names are kept.
doc-notice-access-3 = Notes and documents are encrypted in the database.
doc-notice-contact = Contact us
doc-notice-contact-text = For any question about your information or to use your rights: { $contact }.

## The person's file (subject access)
doc-access-title = Your data
doc-access-request = Your request
doc-access-request-text = You asked { $structure } what it keeps about you. This document holds everything the relais software records in your name, including who opened your file. Your information is kept { $months } months after your last procedure with us.
doc-access-identity = Your identity and contact details
doc-access-name = Name
doc-access-usual-name = Usual name
doc-access-birth = Birth
doc-access-town = Town
doc-access-insee = INSEE town code
doc-access-language = Preferred language
doc-access-equipment = Equipment
doc-access-notes = Social notes
doc-access-created = File created on
doc-access-kept-until = Kept until
doc-access-reminders = Reminders
doc-access-reminders-since = { $channel } (since { $since })
doc-access-reminders-none = none
doc-access-accounts = Your online accounts
doc-access-accounts-text = We only note whether you have an account and can sign in; never your passwords.
doc-access-requests = Your requests
doc-access-help = The help you received
doc-access-follow-ups = Follow-ups
doc-access-referrals = Your referrals
doc-access-mandates = Your mandates
doc-access-history = Who opened or changed your file
doc-access-automatic = relais (automatic)
doc-access-private-notes = Workers' personal notes
doc-access-private-notes-text = { $count } personal note(s) by workers exist. Only their author can read them: ask the structure, which will have their author give them to you.

## Referral slip
doc-slip-title = Referral slip
doc-slip-where = Where to go
doc-slip-access = How to get in
doc-slip-hours = Opening hours
doc-slip-hours-unknown = Hours not given: call before you go.
doc-slip-why = Why
doc-slip-procedure = Procedure
doc-slip-bring = What to bring
doc-slip-bring-default = An identity document and, if you have them, your sign-in details (give them to no one).
doc-slip-referred-by = Referred by
doc-slip-worker = Worker
doc-slip-date = Date
doc-slip-footer = Keep this slip and show it at the desk.
