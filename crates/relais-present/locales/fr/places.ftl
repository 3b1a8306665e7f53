# Vocabulaires des lieux : le libellé de chaque code (celui du standard « lieux de médiation numérique » quand il en a un).

## services
vocab-services-demarches = Aide aux démarches administratives
vocab-services-outils = Maîtrise des outils numériques du quotidien
vocab-services-insertion = Insertion professionnelle via le numérique
vocab-services-securite = Utilisation sécurisée du numérique
vocab-services-parentalite = Parentalité et éducation avec le numérique
vocab-services-loisirs = Loisirs et créations numériques
vocab-services-culture = Compréhension du monde numérique
vocab-services-acces = Accès internet et matériel informatique
vocab-services-materiel = Acquisition de matériel informatique à prix solidaire

## publics
vocab-publics-jeunes = Jeunes
vocab-publics-etudiants = Étudiants
vocab-publics-familles = Familles et/ou enfants
vocab-publics-seniors = Seniors
vocab-publics-femmes = Femmes

## support
vocab-publics-surdite = Surdité
vocab-publics-handicap_moteur = Handicaps moteurs
vocab-publics-handicap_mental = Handicaps mentaux
vocab-publics-illettrisme = Illettrisme
vocab-publics-langues_anglais = Langues étrangères (anglais)
vocab-publics-langues_autres = Langues étrangères (autres)
vocab-publics-deficience_visuelle = Déficience visuelle

## fees
vocab-fees-gratuit = Gratuit
vocab-fees-gratuit_sous_condition = Gratuit sous condition
vocab-fees-payant = Payant

## labels
vocab-labels-aidants_connect = Aidants Connect
vocab-labels-bnr = Bibliothèques numérique de référence
vocab-labels-pix = Certification PIX
vocab-labels-conseillers_numeriques = Conseillers numériques
vocab-labels-emmaus_connect = Emmaüs Connect
vocab-labels-france_services = France Services
vocab-labels-gen = Grande école du numérique
vocab-labels-croix_rouge = La Croix Rouge
vocab-labels-pan_caf = Point d'accès numérique CAF
vocab-labels-promeneurs = Promeneurs du net
vocab-labels-relais_emmaus = Relais numérique (Emmaüs Connect)

## access
vocab-access_modes-se_presenter = Se présenter
vocab-access_modes-telephoner = Téléphoner
vocab-access_modes-courriel = Contacter par mail
vocab-access_modes-rdv_en_ligne = Prendre un RDV en ligne
vocab-access_modes-pas_de_public = Ce lieu n'accueille pas de public
vocab-access_modes-prescription = Envoyer un mail avec une fiche de prescription
vocab-access_modes-sur_rdv = Sur rendez-vous
vocab-access_modes-itinerant = Itinérant

## support_modes
vocab-support_modes-autonomie = En autonomie
vocab-support_modes-individuel = Accompagnement individuel
vocab-support_modes-atelier = Dans un atelier collectif
vocab-support_modes-a_distance = À distance
vocab-support_modes-a_ma_place = À la place de la personne

## Horaires d'ouverture (hours-day-0 : lundi)
hours-closed = Fermé
hours-day-0 = lundi
hours-day-1 = mardi
hours-day-2 = mercredi
hours-day-3 = jeudi
hours-day-4 = vendredi
hours-day-5 = samedi
hours-day-6 = dimanche
hours-days = du { $first } au { $last }
# $h : l'heure, $hh : sur deux chiffres, $m : les minutes (nombre), $mm : sur deux chiffres
hours-time = { $m ->
    [0] { $h } h
   *[other] { $h } h { $mm }
}
hours-span = { $from } – { $to }
hours-span-separator = { ", " }
hours-group = { $days } : { $spans }
hours-group-separator = { " ; " }
