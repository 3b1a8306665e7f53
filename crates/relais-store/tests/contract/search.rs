//! Text search that ignores case and accents alike on both engines: the
//! store keeps a folded key beside the text and searches it with a folded
//! needle (SQLite's `LOWER` folds ASCII letters only).

use crate::cases::{intake, now, raw_execute, request, structure};
use relais_domain::StructureId;
use relais_store::*;
use uuid::Uuid;

async fn record(store: &Store, structure_id: Uuid, operator: &str) -> Uuid {
    let r = request(structure_id, None, "social", operator);
    let id = r.id;
    intake(store, r).await;
    id
}

async fn found(store: &Store, structure_id: Uuid, needle: &str) -> Vec<Uuid> {
    let f = RequestFilter {
        operator: Some(needle.into()),
        ..Default::default()
    };
    let mut ids: Vec<Uuid> = store
        .list_help_requests(StructureId(structure_id), &f, 50, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.request.id)
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids
}

pub async fn operator_search_ignores_case_and_accents(store: &Store) {
    let s = structure("search");
    store.insert_structure(&s, &[], now()).await.unwrap();
    let elodie = record(store, s.id, "Médiathèque Élodie-Roux").await;
    let centre = record(store, s.id, "MEDIATHEQUE du centre").await;
    let percent = record(store, s.id, "Solidarité 100%_Asso").await;
    let _other = record(store, s.id, "Maison France services").await;
    for needle in ["mediatheque", "Médiathèque", "MÉDIATHÈQUE", "médiathèque"] {
        assert_eq!(
            found(store, s.id, needle).await,
            sorted(vec![elodie, centre]),
            "{needle}"
        );
    }
    for needle in ["Élodie", "elodie", "ÉLODIE", "élodie-roux", "Elodie Roux"] {
        assert_eq!(found(store, s.id, needle).await, vec![elodie], "{needle}");
    }
    // LIKE's wildcards in the needle are no wildcards.
    assert_eq!(found(store, s.id, "solidarite 100").await, vec![percent]);
    assert_eq!(found(store, s.id, "%").await.len(), 4);
    assert!(found(store, s.id, "_asso_x").await.is_empty());
}

pub async fn search_keys_missing_are_filled_once(store: &Store) {
    let s = structure("backfill");
    store.insert_structure(&s, &[], now()).await.unwrap();
    let id = record(store, s.id, "Médiathèque").await;
    record(store, s.id, "Caisse d'allocations familiales").await;
    // As if written before migration 0018.
    raw_execute(store, "UPDATE help_requests SET operator_key = NULL")
        .await
        .unwrap();
    assert!(found(store, s.id, "mediatheque").await.is_empty());
    assert_eq!(store.fill_search_keys().await.unwrap(), 2);
    assert_eq!(store.fill_search_keys().await.unwrap(), 0);
    assert_eq!(found(store, s.id, "MÉDIATHÈQUE").await, vec![id]);
    assert_eq!(found(store, s.id, "d allocations").await.len(), 1);
}
