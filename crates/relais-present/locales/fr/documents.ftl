# Les documents imprimés (PDF) et leurs tournures communes.

## Tournures communes
# « libellé : valeur », avec l'espace insécable du français
label-value = { $label } : { $value }
decimal-separator = ,
percent = { $value } %
doc-structure = Structure
doc-address = Adresse
doc-phone = Téléphone
doc-email = Courriel
doc-website = Site
doc-person = Personne
doc-drawn-up-by = Établi par
doc-reference = Référence
doc-start = Début
doc-end = Fin
doc-consent = Accord
doc-reason = Motif
doc-done-at = Fait à { $commune } le { $day }
doc-done-on = Fait le { $day }

## Mandat
doc-mandate-title = Mandat d'aide aux démarches en ligne
doc-mandate-copy-person = Exemplaire de la personne
doc-mandate-copy-structure = Exemplaire de la structure
doc-mandate-parties = Les parties
doc-mandate-parties-text = { $person } (« la personne ») donne mandat à la structure { $structure } (« la structure »), représentée par ses agents habilités, pour accomplir en son nom les démarches en ligne décrites ci-dessous.
doc-mandate-scope = Ce que couvre le mandat
doc-mandate-scope-text = Les démarches de ces catégories :
doc-mandate-duration = Durée
doc-mandate-rules = Ce que le mandat permet, et ce qu'il ne permet pas
doc-mandate-rule-1 = La structure peut faire ces démarches à la place de la personne, avec les informations et documents qu'elle lui confie.
doc-mandate-rule-2 = La structure n'utilise jamais les mots de passe de la personne et ne les conserve pas.
doc-mandate-rule-3 = La personne reste libre de faire ses démarches elle-même, à tout moment.
doc-mandate-rule-4 = Chaque utilisation du mandat est inscrite au journal de la structure.
doc-mandate-rule-5 = Ce mandat relève du contrat de mandat du Code civil (articles 1984 et suivants).
doc-mandate-rights = Révoquer le mandat, demander ses données
doc-mandate-rights-text = La personne peut révoquer le mandat à tout moment, en tout ou pour une catégorie : auprès de la structure, ou seule sur la page { $url } avec le code de révocation imprimé sur son exemplaire. Elle peut demander à la structure la copie des informations qui la concernent, leur correction ou leur effacement.
doc-mandate-code = Votre code de révocation
doc-mandate-code-text = Gardez ce code pour vous : { $code }
doc-mandate-qr-alt = Code QR menant à la page de vérification du mandat
doc-mandate-qr-text = Vérifier ce mandat : { $url }
doc-mandate-signature-person = Signature de la personne
doc-mandate-signature-structure = Pour la structure
doc-mandate-period = du { $from } au { $to }

## Révocation
doc-revocation-title = Attestation de révocation de mandat
doc-revocation = Révocation
doc-revocation-text = Le mandat { $code } donné par { $person } à { $structure } est révoqué depuis le { $when } pour les catégories suivantes. La structure ne peut plus agir au nom de la personne pour ces démarches.
doc-revocation-qr-alt = Code QR menant à la page de vérification

## Charte
doc-charter-title = Charte d'intervention
doc-charter-rules = Nos règles
doc-charter-passwords = Nous ne conservons jamais vos mots de passe.
doc-charter-retention = Vos informations sont conservées { $months } mois après votre dernière venue.

## Vos droits (dossier et notice)
doc-rights = Vos droits
doc-rights-1 = Vous pouvez demander à { $structure } de voir, corriger ou effacer vos informations, à tout moment.
doc-rights-2 = Si un mandat est en cours, il faut d'abord le révoquer : nous gardons ensuite la trace du mandat, sans votre nom, pour prouver que ce que nous avons fait pour vous était autorisé.
doc-rights-3 = Vous pouvez aussi vous adresser à la CNIL (www.cnil.fr) si vous pensez que vos droits ne sont pas respectés.

## Notice d'information
doc-notice-title = Vos informations personnelles
doc-notice-front-desk = l'accueil de { $structure }
doc-notice-who = Qui garde vos informations
doc-notice-who-text = { $controller } est responsable de vos informations. Elle utilise le logiciel relais pour noter l'aide qu'elle vous apporte dans vos démarches en ligne.
doc-notice-why = Pourquoi
doc-notice-why-1 = Vous aider dans vos démarches et suivre vos dossiers (délais, rendez-vous).
doc-notice-why-2 = Garder la preuve de votre accord quand nous agissons pour vous (le mandat).
doc-notice-why-3 = Compter, sans vos noms, l'aide apportée, pour obtenir les moyens de continuer.
doc-notice-what = Ce que nous notons
doc-notice-what-1 = Votre nom, votre année de naissance, votre commune et, si vous le souhaitez, un moyen de vous joindre.
doc-notice-what-2 = Vos demandes, l'aide reçue et, si besoin, les notes de l'intervenant.
doc-notice-what-3 = Jamais vos mots de passe : vous les tapez vous-même.
doc-notice-access = Qui les voit, combien de temps
doc-notice-access-1 = Seule l'équipe de { $structure } y a accès ; les bénévoles ne voient pas les notes de suivi. Chaque consultation de votre dossier est enregistrée.
doc-notice-access-2 = Vos informations sont effacées { $months } mois après votre dernière démarche avec nous ; seuls des chiffres sans nom sont gardés.
doc-notice-access-3 = Notes et documents sont chiffrés dans la base de données.
doc-notice-contact = Nous contacter
doc-notice-contact-text = Pour toute question sur vos informations ou pour exercer vos droits : { $contact }.

## Dossier de la personne (droit d'accès)
doc-access-title = Vos données
doc-access-request = Votre demande
doc-access-request-text = Vous avez demandé à { $structure } ce qu'elle conserve sur vous. Ce document contient tout ce que le logiciel relais enregistre à votre nom, y compris qui a consulté votre dossier. Vos informations sont conservées { $months } mois après votre dernière démarche avec nous.
doc-access-identity = Votre identité et vos coordonnées
doc-access-name = Nom
doc-access-usual-name = Nom d'usage
doc-access-birth = Naissance
doc-access-town = Commune
doc-access-insee = Code INSEE de la commune
doc-access-language = Langue préférée
doc-access-equipment = Équipement
doc-access-notes = Notes de suivi
doc-access-created = Dossier créé le
doc-access-kept-until = Conservation prolongée jusqu'au
doc-access-reminders = Rappels
doc-access-reminders-since = { $channel } (depuis le { $since })
doc-access-reminders-none = aucun
doc-access-accounts = Vos comptes en ligne
doc-access-accounts-text = Nous notons seulement si vous avez un compte et si vous savez vous connecter ; jamais vos mots de passe.
doc-access-requests = Vos demandes
doc-access-help = Les aides reçues
doc-access-follow-ups = Rendez-vous et rappels
doc-access-referrals = Vos orientations
doc-access-mandates = Vos mandats
doc-access-history = Qui a consulté ou modifié votre dossier
doc-access-automatic = relais (automatique)
doc-access-private-notes = Notes personnelles des intervenants
doc-access-private-notes-text = { $count } note(s) personnelle(s) d'intervenants existent. Seul leur auteur peut les lire : demandez-les à la structure, qui les fera communiquer par leur auteur.

## Bon d'orientation
doc-slip-title = Bon d'orientation
doc-slip-where = Où aller
doc-slip-access = Comment y accéder
doc-slip-hours = Horaires
doc-slip-hours-unknown = Horaires non communiqués : appelez avant de vous déplacer.
doc-slip-why = Pourquoi
doc-slip-procedure = Démarche
doc-slip-bring = À apporter
doc-slip-bring-default = Une pièce d'identité et, si vous en avez, vos identifiants de connexion (ne les donnez à personne).
doc-slip-referred-by = Vous êtes orienté par
doc-slip-worker = Agent
doc-slip-date = Date
doc-slip-footer = Gardez ce bon et montrez-le à l'accueil.
