//! The place vocabularies: relais's own short codes, and how the field's
//! standards name them. The labels of the current "lieux de médiation
//! numérique" standard (v1) are the reference; the older v0 wording and
//! data·inclusion's slugs map onto the same codes.

use relais_domain::search::fold;

/// One term: our code and the LMN v1 label (empty for relais's own
/// terms). What people read is in the Fluent files (`vocab-{field}-{code}`,
/// the standard's wording in French), said by `relais-present`.
pub struct Term {
    pub code: &'static str,
    pub lmn: &'static str,
}

/// A term of the standard.
const fn t(code: &'static str, lmn: &'static str) -> Term {
    Term { code, lmn }
}

/// A term of relais's own, outside the standard.
const fn own(code: &'static str) -> Term {
    Term { code, lmn: "" }
}

pub const SERVICES: &[Term] = &[
    t("demarches", "Aide aux démarches administratives"),
    t("outils", "Maîtrise des outils numériques du quotidien"),
    t("insertion", "Insertion professionnelle via le numérique"),
    t("securite", "Utilisation sécurisée du numérique"),
    t("parentalite", "Parentalité et éducation avec le numérique"),
    t("loisirs", "Loisirs et créations numériques"),
    t("culture", "Compréhension du monde numérique"),
    t("acces", "Accès internet et matériel informatique"),
    t(
        "materiel",
        "Acquisition de matériel informatique à prix solidaire",
    ),
];

/// Publics the place addresses specifically (`publics_specifiquement_adresses`).
pub const PUBLICS: &[Term] = &[
    t("jeunes", "Jeunes"),
    t("etudiants", "Étudiants"),
    t("familles", "Familles et/ou enfants"),
    t("seniors", "Seniors"),
    t("femmes", "Femmes"),
];

/// Specific support (`prise_en_charge_specifique`).
pub const SUPPORT: &[Term] = &[
    t("surdite", "Surdité"),
    t("handicap_moteur", "Handicaps moteurs"),
    t("handicap_mental", "Handicaps mentaux"),
    t("illettrisme", "Illettrisme"),
    t("langues_anglais", "Langues étrangères (anglais)"),
    t("langues_autres", "Langues étrangères (autres)"),
    t("deficience_visuelle", "Déficience visuelle"),
];

pub const FEES: &[Term] = &[
    t("gratuit", "Gratuit"),
    t("gratuit_sous_condition", "Gratuit sous condition"),
    t("payant", "Payant"),
];

pub const LABELS: &[Term] = &[
    t("aidants_connect", "Aidants Connect"),
    t("bnr", "Bibliothèques numérique de référence"),
    t("pix", "Certification PIX"),
    t("conseillers_numeriques", "Conseillers numériques"),
    t("emmaus_connect", "Emmaüs Connect"),
    t("france_services", "France Services"),
    t("gen", "Grande école du numérique"),
    t("croix_rouge", "La Croix Rouge"),
    t("pan_caf", "Point d'accès numérique CAF"),
    t("promeneurs", "Promeneurs du net"),
    t("relais_emmaus", "Relais numérique (Emmaüs Connect)"),
];

/// How a person gets in (`modalites_acces`), plus our own `sur_rdv` and
/// `itinerant` (the standard's `itinerance`).
pub const ACCESS: &[Term] = &[
    t("se_presenter", "Se présenter"),
    t("telephoner", "Téléphoner"),
    t("courriel", "Contacter par mail"),
    t("rdv_en_ligne", "Prendre un RDV en ligne"),
    t("pas_de_public", "Ce lieu n'accueille pas de public"),
    t(
        "prescription",
        "Envoyer un mail avec une fiche de prescription",
    ),
    own("sur_rdv"),
    own("itinerant"),
];

/// How people are helped (`modalites_accompagnement`), plus `a_ma_place`
/// (someone does it for the person), which the v0 standard had.
pub const SUPPORT_MODES: &[Term] = &[
    t("autonomie", "En autonomie"),
    t("individuel", "Accompagnement individuel"),
    t("atelier", "Dans un atelier collectif"),
    t("a_distance", "À distance"),
    own("a_ma_place"),
];

/// The vocabulary of a field of a place: `publics` holds both the publics
/// addressed and the specific support.
pub fn terms(field: &str) -> impl Iterator<Item = &'static Term> {
    let (a, b): (&'static [Term], &'static [Term]) = match field {
        "services" => (SERVICES, &[]),
        "publics" => (PUBLICS, SUPPORT),
        "fees" => (FEES, &[]),
        "labels" => (LABELS, &[]),
        "access_modes" => (ACCESS, &[]),
        "support_modes" => (SUPPORT_MODES, &[]),
        _ => (&[], &[]),
    };
    a.iter().chain(b.iter())
}

/// Whether a code belongs to a field's vocabulary.
pub fn known(field: &str, code: &str) -> bool {
    terms(field).any(|t| t.code == code)
}

/// A field's value: a code, nothing to record (a known term with no
/// equivalent), or an unknown term.
#[derive(Debug, PartialEq, Eq)]
pub enum Mapped {
    Code(&'static str),
    Nothing,
    Unknown,
}

/// The key a term is matched on: folded, the explanation after " : "
/// dropped, words joined by single hyphens (data·inclusion's slugs, whose
/// theme and sub-theme are joined by `--`, fold the same).
pub fn key(s: &str) -> String {
    let head = s.split(" : ").next().unwrap_or(s);
    fold(head).replace(' ', "-")
}

/// Reads one term of a multi-valued field, in any of the vocabularies.
pub fn map(field: &str, raw: &str) -> Mapped {
    let k = key(raw);
    let k = k.strip_prefix("numerique-").unwrap_or(&k);
    if k.is_empty() {
        return Mapped::Nothing;
    }
    let ours = |terms: &'static [Term]| {
        terms
            .iter()
            .find(|t| key(t.lmn) == k || t.code.replace('_', "-") == k)
            .map(|t| t.code)
    };
    let code = match field {
        "services" => ours(SERVICES).or(match k {
            "devenir-autonome-dans-les-demarches-administratives"
            | "realiser-des-demarches-administratives-avec-un-accompagnement"
            | "accompagner-les-demarches-de-sante"
            | "acceder-a-des-services-en-ligne"
            | "difficultes-administratives-ou-juridiques-accompagnement-aux-demarches-administratives" => {
                Some("demarches")
            }
            "prendre-en-main-un-ordinateur"
            | "prendre-en-main-un-smartphone-ou-une-tablette"
            | "utiliser-le-numerique-au-quotidien"
            | "maitriser-les-fondamentaux-du-numerique" => Some("outils"),
            "favoriser-mon-insertion-professionnelle" | "creer-et-developper-mon-entreprise" => {
                Some("insertion")
            }
            "promouvoir-la-citoyennete-numerique" | "approfondir-ma-culture-numerique" => {
                Some("culture")
            }
            "soutenir-la-parentalite-et-l-education-avec-le-numerique" => Some("parentalite"),
            "creer-avec-le-numerique" => Some("loisirs"),
            "acceder-a-une-connexion-internet" | "acceder-a-du-materiel" => Some("acces"),
            "s-equiper-en-materiel-informatique" | "acquerir-un-equipement" => Some("materiel"),
            // The parent theme alone says nothing more.
            "numerique" => return Mapped::Nothing,
            _ => None,
        }),
        "publics" => ours(PUBLICS).or_else(|| ours(SUPPORT)).or(match k {
            "jeunes-16-26-ans" | "jeunes-16-26" => Some("jeunes"),
            "seniors-65-ans" | "seniors-65" => Some("seniors"),
            "familles-enfants" => Some("familles"),
            "personnes-en-situation-d-illettrisme" | "personnes-en-situation-illettrisme" => {
                Some("illettrisme")
            }
            "handicaps-mentaux" | "handicaps-psychiques" => Some("handicap_mental"),
            "public-langues-etrangeres" => Some("langues_autres"),
            // Everyone, or a public the standard does not single out.
            "adultes" | "tous-publics" | "actifs" | "demandeurs-emploi"
            | "beneficiaires-des-minimas-sociaux" | "personnes-en-situation-de-handicap"
            | "personnes-en-situation-durgence" | "personnes-en-situation-juridique-specifique"
            | "personnes-exilees" | "residents-qpv-frr" => return Mapped::Nothing,
            _ => None,
        }),
        "fees" => ours(FEES).or(match k {
            "gratuit-sous-conditions" | "accepte-le-pass-numerique" | "pass-numerique" => {
                Some("gratuit_sous_condition")
            }
            "adhesion" => Some("payant"),
            _ => None,
        }),
        "labels" => ours(LABELS).or(match k {
            "cnfs" | "conseiller-numerique" | "conseillers-numeriques" => {
                Some("conseillers_numeriques")
            }
            "france-service" | "france-services" => Some("france_services"),
            "aidants-connect" => Some("aidants_connect"),
            "emmaus" => Some("emmaus_connect"),
            "croix-rouge" => Some("croix_rouge"),
            "grandes-ecoles-du-numerique" => Some("gen"),
            _ => None,
        }),
        "access_modes" => ours(ACCESS).or(match k {
            "se-presenter" => Some("se_presenter"),
            "envoyer-un-courriel" => Some("courriel"),
            "utiliser-lien-mobilisation" => Some("rdv_en_ligne"),
            _ => None,
        }),
        "support_modes" => ours(SUPPORT_MODES).or(match k {
            "avec-de-l-aide" | "accompagnement" => Some("individuel"),
            "dans-un-atelier" | "atelier" => Some("atelier"),
            "seul" | "autonomie" => Some("autonomie"),
            "a-ma-place" | "delegation" => Some("a_ma_place"),
            "a-distance" => Some("a_distance"),
            _ => None,
        }),
        _ => None,
    };
    code.map_or(Mapped::Unknown, Mapped::Code)
}

/// The LMN v1 label of a code (none for relais's own terms).
pub fn lmn_label(field: &str, code: &str) -> Option<&'static str> {
    terms(field)
        .find(|t| t.code == code)
        .map(|t| t.lmn)
        .filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_vocabularies_meet() {
        assert_eq!(
            map("services", "Aide aux démarches administratives"),
            Mapped::Code("demarches")
        );
        assert_eq!(
            map(
                "services",
                "Devenir autonome dans les démarches administratives"
            ),
            Mapped::Code("demarches")
        );
        assert_eq!(
            map(
                "services",
                "numerique--realiser-des-demarches-administratives-avec-un-accompagnement"
            ),
            Mapped::Code("demarches")
        );
        assert_eq!(map("services", "numerique"), Mapped::Nothing);
        assert_eq!(map("services", "Cuisine"), Mapped::Unknown);
        assert_eq!(
            map(
                "fees",
                "Gratuit sous condition : La gratuité est conditionnée"
            ),
            Mapped::Code("gratuit_sous_condition")
        );
        assert_eq!(map("fees", "Gratuit"), Mapped::Code("gratuit"));
        assert_eq!(
            map("labels", "CNFS"),
            Mapped::Code("conseillers_numeriques")
        );
        assert_eq!(
            map("publics", "Seniors (+ 65 ans)"),
            Mapped::Code("seniors")
        );
        assert_eq!(
            map("publics", "Familles et/ou enfants"),
            Mapped::Code("familles")
        );
        assert_eq!(map("publics", "adultes"), Mapped::Nothing);
        assert_eq!(
            map("support_modes", "Avec de l'aide : je suis accompagné seul"),
            Mapped::Code("individuel")
        );
        assert_eq!(
            map("publics", "Langues étrangères (anglais)"),
            Mapped::Code("langues_anglais")
        );
        assert_eq!(lmn_label("publics", "surdite"), Some("Surdité"));
    }
}
