# Place vocabularies: the label of each code.

## services
vocab-services-demarches = Help with online procedures
vocab-services-outils = Everyday digital tools
vocab-services-insertion = Finding work with digital tools
vocab-services-securite = Using digital tools safely
vocab-services-parentalite = Parenting and education with digital tools
vocab-services-loisirs = Digital leisure and creation
vocab-services-culture = Understanding the digital world
vocab-services-acces = Internet access and computers
vocab-services-materiel = Low-cost computers

## publics
vocab-publics-jeunes = Young people
vocab-publics-etudiants = Students
vocab-publics-familles = Families and children
vocab-publics-seniors = Older people
vocab-publics-femmes = Women

## support
vocab-publics-surdite = Deafness
vocab-publics-handicap_moteur = Physical disabilities
vocab-publics-handicap_mental = Mental disabilities
vocab-publics-illettrisme = Illiteracy
vocab-publics-langues_anglais = Foreign languages (English)
vocab-publics-langues_autres = Foreign languages (others)
vocab-publics-deficience_visuelle = Visual impairment

## fees
vocab-fees-gratuit = Free
vocab-fees-gratuit_sous_condition = Free under conditions
vocab-fees-payant = Paid

## labels
vocab-labels-aidants_connect = Aidants Connect
vocab-labels-bnr = Reference digital libraries
vocab-labels-pix = PIX certification
vocab-labels-conseillers_numeriques = Digital advisers (Conseillers numériques)
vocab-labels-emmaus_connect = Emmaüs Connect
vocab-labels-france_services = France Services
vocab-labels-gen = Grande école du numérique
vocab-labels-croix_rouge = French Red Cross
vocab-labels-pan_caf = CAF digital access point
vocab-labels-promeneurs = Promeneurs du net
vocab-labels-relais_emmaus = Emmaüs Connect digital relay

## access
vocab-access_modes-se_presenter = Walk in
vocab-access_modes-telephoner = Phone
vocab-access_modes-courriel = E-mail
vocab-access_modes-rdv_en_ligne = Book online
vocab-access_modes-pas_de_public = No public reception
vocab-access_modes-prescription = Referral form by e-mail
vocab-access_modes-sur_rdv = By appointment
vocab-access_modes-itinerant = Mobile (travels)

## support_modes
vocab-support_modes-autonomie = On one's own
vocab-support_modes-individuel = One-to-one help
vocab-support_modes-atelier = Group workshop
vocab-support_modes-a_distance = Remote
vocab-support_modes-a_ma_place = Done for the person

## Opening hours (hours-day-0: Monday)
hours-closed = Closed
hours-day-0 = Monday
hours-day-1 = Tuesday
hours-day-2 = Wednesday
hours-day-3 = Thursday
hours-day-4 = Friday
hours-day-5 = Saturday
hours-day-6 = Sunday
hours-days = { $first } to { $last }
# $h: the hour, $hh: two digits, $m: the minutes (a number), $mm: two digits
hours-time = { $hh }:{ $mm }
hours-span = { $from } – { $to }
hours-span-separator = { ", " }
hours-group = { $days }: { $spans }
hours-group-separator = { "; " }
