#![allow(clippy::unwrap_used)]
use crate::i18n::Lang;
use crate::{documents as new, old_documents as old};
use chrono::{NaiveDate, TimeZone, Utc};
use relais_domain::mandate::*;
use relais_domain::ProcedureCategory;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn row(lang: &str, revoked: bool) -> relais_store::MandateRow {
    let t = Utc.with_ymd_and_hms(2026, 3, 4, 22, 30, 0).unwrap();
    relais_store::MandateRow {
        id: uuid::Uuid::nil(),
        structure_id: uuid::Uuid::nil(),
        person_id: uuid::Uuid::nil(),
        categories: "social,travail".into(),
        revoked_categories: if revoked { "".into() } else { "travail".into() },
        duration: "six_months".into(),
        starts_on: d(2026, 3, 5),
        ends_on: d(2026, 9, 2),
        consent: "paper".into(),
        signed_at: if revoked { None } else { Some(t) },
        verification_code: "ABCD123456".into(),
        revocation_secret: "SECRET-1".into(),
        remote_code_hash: None,
        remote_code_expires: None,
        remote_attempts: 0,
        signature_svg: None,
        scan: None,
        scan_type: None,
        revoked_at: if revoked { Some(t) } else { None },
        revoke_reason: if revoked { Some("moved".into()) } else { None },
        renewed_from: None,
        drawn_by: None,
        lang: lang.into(),
        created_at: t,
        updated_at: t,
    }
}

fn view(lang: &str, revoked: bool) -> relais_service::MandateView {
    relais_service::MandateView {
        row: row(lang, revoked),
        person_first_name: "Rosalie".into(),
        person_last_name: "Mandat".into(),
        structure_name: "CCAS de Démoville".into(),
        state: MandateState::Active,
        categories: vec![ProcedureCategory::Social, ProcedureCategory::Travail],
        active_categories: vec![ProcedureCategory::Social],
        duration: MandateDuration::SixMonths,
        consent: Consent::Paper,
        remote_attempts_left: 3,
        renewable: true,
    }
}

fn same(a: relais_documents::Document, b: relais_documents::Document) {
    assert_eq!(format!("{a:#?}"), format!("{b:#?}"));
}

#[test]
fn documents_are_word_for_word_the_same() {
    let cat = relais_service::catalog::Catalog::shipped().unwrap();
    let coverage = cat.coverage(cat.coverage_entries());
    for code in ["fr", "en"] {
        let lang = Lang::parse(code).unwrap();
        for contact in [
            relais_service::StructureContact::default(),
            relais_service::StructureContact {
                address: Some("1 rue X".into()),
                phone: Some("01".into()),
                email: Some("a@b.fr".into()),
                commune: Some("Villeurbanne".into()),
                ..Default::default()
            },
        ] {
            let m = view(code, false);
            same(
                old::mandate(&m, "http://x/v/ABC", "Agent A", &coverage, &contact),
                new::mandate(&m, "http://x/v/ABC", "Agent A", &coverage, &contact),
            );
        }
        for revoked in [true, false] {
            let m = view(code, revoked);
            same(old::revocation(&m, "http://x"), new::revocation(&m, "http://x"));
        }
        let mut policy = Policy::default();
        same(old::charter(lang, "S", &policy), new::charter(lang, "S", &policy));
        policy.charter = "Un.\n\nDeux.".into();
        policy.privacy_contact = "dpo@x.fr".into();
        same(old::charter(lang, "S", &policy), new::charter(lang, "S", &policy));
        for commune in [None, Some(""), Some("Lyon")] {
            same(
                old::privacy_notice(lang, "S", commune, &Policy::default()),
                new::privacy_notice(lang, "S", commune, &Policy::default()),
            );
            same(
                old::privacy_notice(lang, "S", commune, &policy),
                new::privacy_notice(lang, "S", commune, &policy),
            );
        }
        for (hours, access, place, operator) in [
            (Some("Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00"), vec!["se_presenter".to_owned(), "telephoner".into()], true, false),
            (None, vec![], true, false),
            (Some("sur rendez-vous"), vec![], true, false),
            (None, vec![], false, true),
            (None, vec![], false, false),
        ] {
            let t = Utc.with_ymd_and_hms(2026, 3, 4, 23, 30, 0).unwrap();
            let pv = relais_service::places::PlaceView {
                id: uuid::Uuid::nil(),
                source: "own".into(),
                name: "Maison X".into(),
                siret: None,
                rna: None,
                address: Some("2 rue Y".into()),
                postcode: Some("69100".into()),
                commune: if place { Some("Villeurbanne".into()) } else { None },
                insee_code: None,
                latitude: None,
                longitude: None,
                phone: Some("04".into()),
                email: None,
                website: Some("https://x".into()),
                opening_hours: hours.map(str::to_owned),
                description: None,
                services: vec![],
                publics: vec![],
                fees: vec![],
                labels: vec![],
                access_modes: access,
                support_modes: vec![],
                updated_on: None,
                own: true,
            };
            for docs in [vec![], vec!["Pièce".to_owned()]] {
                let slip = relais_service::referrals::Slip {
                    referral: relais_service::referrals::ReferralView {
                        id: uuid::Uuid::nil(),
                        help_request_id: uuid::Uuid::nil(),
                        place_id: None,
                        place_name: None,
                        operator_id: None,
                        operator_name: None,
                        reason: Some("because".into()),
                        status: "proposed".into(),
                        follow_up_id: None,
                        created_at: t,
                        updated_at: t,
                        closed_on: None,
                    },
                    place: place.then(|| relais_service::places::PlaceDetail {
                        place: pv.clone(),
                        offers: vec![],
                    }),
                    operator: operator.then(|| ("CAF".to_owned(), "https://caf".to_owned(), Some("3230".to_owned()))),
                    person: Some("Ana B".into()),
                    procedure: "RSA".into(),
                    documents: docs.clone(),
                    documents_en: docs.iter().map(|d| format!("{d} en")).collect(),
                    structure: "S".into(),
                    agent: "Agent".into(),
                };
                same(old::referral_slip(&slip, lang), new::referral_slip(&slip, lang));
            }
        }
    }
}

