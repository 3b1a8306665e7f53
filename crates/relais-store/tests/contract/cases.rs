//! The cases of the storage contract, written once for both engines.

use chrono::{Duration, DurationRound, Utc};
use relais_domain::journal::{verify_chain, JournalEntry, JournalEvent};
use relais_domain::{AgentId, ApiTokenId, HelpRequestId, PersonId, StructureId};
use relais_store::*;
use uuid::Uuid;

pub use crate::search::{
    operator_search_ignores_case_and_accents, search_keys_missing_are_filled_once,
};

pub(crate) fn now() -> chrono::DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::microseconds(1))
        .unwrap()
}

pub(crate) fn structure(slug: &str) -> StructureRow {
    StructureRow {
        id: Uuid::now_v7(),
        name: format!("Structure {slug}"),
        slug: slug.into(),
        kind: "ccas".into(),
        siret: None,
        commune: Some("Démoville".into()),
        created_at: now(),
    }
}

fn agent(email: &str) -> AgentRow {
    AgentRow {
        id: Uuid::now_v7(),
        email: email.into(),
        name: "Test Agent".into(),
        password_hash: Some("$argon2id$fake".into()),
        totp_secret: None,
        totp_enabled: false,
        totp_last_step: None,
        failed_logins: 0,
        locked_until: None,
        created_at: now(),
    }
}

fn ev(action: &'static str, structure: Option<Uuid>) -> JournalEvent {
    let e = JournalEvent::new(action);
    match structure {
        Some(s) => e.structure(s),
        None => e,
    }
}

async fn chains_verify(store: &Store) -> u64 {
    let rows = store.journal_entries().await.unwrap();
    let mut by_chain: std::collections::BTreeMap<String, Vec<JournalEntry>> = Default::default();
    for r in rows {
        by_chain.entry(r.chain.clone()).or_default().push(r.into());
    }
    let mut n = 0;
    for (name, entries) in by_chain {
        n += verify_chain(&entries).unwrap_or_else(|b| panic!("chain {name} broken: {b}"));
    }
    n
}

pub async fn migrations_are_idempotent(store: &Store) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
}

pub async fn structures_round_trip_and_slugs_are_unique(store: &Store) {
    let s = structure("ccas-a");
    store
        .insert_structure(&s, &[ev("structure.create", Some(s.id))], now())
        .await
        .unwrap();
    let back = store.structure_by_slug("ccas-a").await.unwrap().unwrap();
    assert_eq!(back.id, s.id);
    assert_eq!(back.commune.as_deref(), Some("Démoville"));
    assert_eq!(
        store
            .structure_by_id(StructureId(s.id))
            .await
            .unwrap()
            .unwrap()
            .slug,
        "ccas-a"
    );
    let dup = structure("ccas-a");
    let err = store
        .insert_structure(&dup, &[ev("structure.create", Some(dup.id))], now())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.list_structures().await.unwrap().len(), 1);
    // The refused insert left no journal entry behind.
    assert_eq!(chains_verify(store).await, 1);
}

pub async fn agents_memberships_and_team(store: &Store) {
    let a = structure("a-struct");
    let b = structure("b-struct");
    for s in [&a, &b] {
        store.insert_structure(s, &[], now()).await.unwrap();
    }
    let ana = agent("ana@example.test");
    store
        .insert_agent(
            &ana,
            Some((StructureId(a.id), "supervisor")),
            &[ev("team.member_created", Some(a.id))],
            now(),
        )
        .await
        .unwrap();
    store
        .upsert_membership(
            AgentId(ana.id),
            StructureId(b.id),
            "agent",
            &[ev("team.member_added", Some(b.id))],
            now(),
        )
        .await
        .unwrap();
    let m = store.memberships_of(AgentId(ana.id)).await.unwrap();
    assert_eq!(m.len(), 2);
    assert!(m.iter().all(|m| m.active));
    // Read together, the account and its memberships are the same.
    let (together, both) = store
        .agent_with_memberships(AgentId(ana.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(both, m);
    assert_eq!(together.email, ana.email);
    let alone = agent("bob@example.test");
    store.insert_agent(&alone, None, &[], now()).await.unwrap();
    let (bob, none) = store
        .agent_with_memberships(AgentId(alone.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((bob.id, none.len()), (alone.id, 0));
    assert!(store
        .agent_with_memberships(AgentId(Uuid::now_v7()))
        .await
        .unwrap()
        .is_none());
    let team_a = store.team_of(StructureId(a.id)).await.unwrap();
    assert_eq!(team_a.len(), 1);
    assert_eq!(team_a[0].role, "supervisor");
    assert!(team_a[0].has_password);
    store
        .set_membership_active(AgentId(ana.id), StructureId(b.id), false, &[], now())
        .await
        .unwrap();
    let m = store.memberships_of(AgentId(ana.id)).await.unwrap();
    assert_eq!(m.iter().filter(|m| m.active).count(), 1);
    assert!(matches!(
        store
            .set_membership_active(AgentId(Uuid::now_v7()), StructureId(b.id), true, &[], now())
            .await,
        Err(StoreError::NotFound)
    ));
    let dup = agent("ana@example.test");
    assert!(matches!(
        store.insert_agent(&dup, None, &[], now()).await,
        Err(StoreError::Conflict(_))
    ));
    let got = store
        .agent_by_email("ana@example.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.id, ana.id);
    store
        .record_login(
            AgentId(ana.id),
            &LoginOutcome {
                failed_logins: 5,
                locked_until: Some(now() + Duration::minutes(1)),
                totp_last_step: Some(42),
            },
            &[ev("auth.account_locked", None)],
            now(),
        )
        .await
        .unwrap();
    let got = store.agent_by_id(AgentId(ana.id)).await.unwrap().unwrap();
    assert_eq!(got.failed_logins, 5);
    assert!(got.locked_until.is_some());
    assert_eq!(got.totp_last_step, Some(42));
    store
        .set_password(AgentId(ana.id), "$argon2id$new", None, &[], now())
        .await
        .unwrap();
    let got = store.agent_by_id(AgentId(ana.id)).await.unwrap().unwrap();
    assert_eq!(got.failed_logins, 0);
    assert_eq!(got.locked_until, None);
    assert_eq!(got.password_hash.as_deref(), Some("$argon2id$new"));
}

pub async fn sessions_live_and_expire(store: &Store) {
    let s = structure("sess");
    store.insert_structure(&s, &[], now()).await.unwrap();
    let a = agent("sess@example.test");
    store
        .insert_agent(&a, Some((StructureId(s.id), "agent")), &[], now())
        .await
        .unwrap();
    let t0 = now() - Duration::hours(2);
    for (hash, created, seen) in [("old", t0, t0), ("fresh", now(), now())] {
        store
            .insert_session(
                &SessionRow {
                    token_hash: hash.into(),
                    agent_id: a.id,
                    structure_id: Some(s.id),
                    stage: "full".into(),
                    csrf_token: "c".into(),
                    created_at: created,
                    last_seen_at: seen,
                },
                &[],
                now(),
            )
            .await
            .unwrap();
    }
    let fresh = store.session_by_hash("fresh").await.unwrap().unwrap();
    assert_eq!(fresh.agent_id, a.id);
    store
        .update_session("fresh", "totp", Some(StructureId(s.id)), &[], now())
        .await
        .unwrap();
    assert_eq!(
        store.session_by_hash("fresh").await.unwrap().unwrap().stage,
        "totp"
    );
    let later = now() + Duration::seconds(5);
    store.touch_session("fresh", later).await.unwrap();
    assert_eq!(
        store
            .session_by_hash("fresh")
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        later
    );
    assert_eq!(store.sessions_of(AgentId(a.id)).await.unwrap().len(), 2);
    let removed = store
        .delete_expired_sessions(now() - Duration::minutes(30), now() - Duration::hours(12))
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert!(store.session_by_hash("old").await.unwrap().is_none());
    assert_eq!(
        store
            .delete_sessions_of(AgentId(a.id), &[], now())
            .await
            .unwrap(),
        1
    );
}

pub async fn api_tokens_are_found_by_hash_and_revoked_once(store: &Store) {
    let s = structure("tok");
    store.insert_structure(&s, &[], now()).await.unwrap();
    let a = agent("tok@example.test");
    store
        .insert_agent(&a, Some((StructureId(s.id), "agent")), &[], now())
        .await
        .unwrap();
    let t = ApiTokenRow {
        id: Uuid::now_v7(),
        agent_id: a.id,
        structure_id: s.id,
        label: "script".into(),
        token_hash: "h1".into(),
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
    };
    store
        .insert_token(&t, &[ev("account.token_created", Some(s.id))], now())
        .await
        .unwrap();
    assert_eq!(store.token_by_hash("h1").await.unwrap().unwrap().id, t.id);
    assert!(store.token_by_hash("nope").await.unwrap().is_none());
    store.touch_token(ApiTokenId(t.id), now()).await.unwrap();
    assert!(store
        .token_by_hash("h1")
        .await
        .unwrap()
        .unwrap()
        .last_used_at
        .is_some());
    store
        .revoke_token(ApiTokenId(t.id), AgentId(a.id), &[], now())
        .await
        .unwrap();
    assert!(matches!(
        store
            .revoke_token(ApiTokenId(t.id), AgentId(a.id), &[], now())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store.tokens_of(AgentId(a.id)).await.unwrap()[0]
        .revoked_at
        .is_some());
}

pub async fn one_time_links_are_used_once(store: &Store) {
    let s = structure("links");
    store.insert_structure(&s, &[], now()).await.unwrap();
    let link = OneTimeLinkRow {
        token_hash: "invite-hash".into(),
        kind: "invite".into(),
        structure_id: Some(s.id),
        agent_id: None,
        email: Some("new@example.test".into()),
        name: Some("New".into()),
        role: Some("agent".into()),
        created_by: None,
        created_at: now(),
        expires_at: now() + Duration::hours(72),
        used_at: None,
    };
    store.insert_link(&link, &[], now()).await.unwrap();
    let a = agent("new@example.test");
    store
        .accept_invite(
            "invite-hash",
            &a,
            StructureId(s.id),
            "agent",
            &[ev("team.invitation_accepted", Some(s.id))],
            now(),
        )
        .await
        .unwrap();
    assert!(store
        .link_by_hash("invite-hash")
        .await
        .unwrap()
        .unwrap()
        .used_at
        .is_some());
    assert_eq!(store.team_of(StructureId(s.id)).await.unwrap().len(), 1);
    let again = agent("other@example.test");
    assert!(matches!(
        store
            .accept_invite(
                "invite-hash",
                &again,
                StructureId(s.id),
                "agent",
                &[],
                now()
            )
            .await,
        Err(StoreError::NotFound)
    ));
    // The second use wrote nothing.
    assert!(store
        .agent_by_email("other@example.test")
        .await
        .unwrap()
        .is_none());
}

pub async fn journal_chains_verify(store: &Store) {
    let s1 = structure("j1");
    let s2 = structure("j2");
    store
        .insert_structure(&s1, &[ev("structure.create", Some(s1.id))], now())
        .await
        .unwrap();
    store
        .insert_structure(&s2, &[ev("structure.create", Some(s2.id))], now())
        .await
        .unwrap();
    for i in 0..5 {
        let s = if i % 2 == 0 { s1.id } else { s2.id };
        store
            .journal_only(
                &[ev("test.event", Some(s)), ev("test.instance", None)],
                now(),
            )
            .await
            .unwrap();
    }
    assert_eq!(chains_verify(store).await, 12);
    let heads = store.journal_heads().await.unwrap();
    assert_eq!(heads.len(), 3);
    let s1_head = heads.iter().find(|h| h.chain == s1.id.to_string()).unwrap();
    assert_eq!(s1_head.seq, 4);
    let recent = store.journal_recent("instance", 2).await.unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].seq, 5);
}

pub(crate) async fn raw_execute(store: &Store, sql: &str) -> Result<u64, sqlx::Error> {
    match store.engine() {
        Engine::Sqlite { write, .. } => sqlx::query(sql)
            .execute(write)
            .await
            .map(|r| r.rows_affected()),
        Engine::Postgres(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    }
}

pub async fn journal_refuses_update_and_delete(store: &Store) {
    store
        .journal_only(&[ev("test.event", None)], now())
        .await
        .unwrap();
    let upd = raw_execute(store, "UPDATE journal SET action = 'forged'").await;
    assert!(upd.is_err(), "UPDATE on the journal must be refused");
    let del = raw_execute(store, "DELETE FROM journal").await;
    assert!(del.is_err(), "DELETE on the journal must be refused");
    assert_eq!(chains_verify(store).await, 1);
}

pub async fn concurrent_writers_keep_the_chain_intact(store: &Store) {
    let s = structure("conc");
    store
        .insert_structure(&s, &[ev("structure.create", Some(s.id))], now())
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let st = store.clone();
        let sid = s.id;
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                st.journal_only(
                    &[JournalEvent::new("test.concurrent").structure(sid)],
                    Utc::now(),
                )
                .await
                .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(chains_verify(store).await, 81);
}

pub async fn failed_write_leaves_no_journal_entry(store: &Store) {
    let s = structure("fail");
    store.insert_structure(&s, &[], now()).await.unwrap();
    // A membership for an agent that does not exist breaks a foreign key:
    // neither the row nor its journal entry may remain.
    let r = store
        .upsert_membership(
            AgentId(Uuid::now_v7()),
            StructureId(s.id),
            "agent",
            &[ev("team.member_added", Some(s.id))],
            now(),
        )
        .await;
    assert!(r.is_err());
    assert!(store.journal_entries().await.unwrap().is_empty());
}

// ---- help desk ---------------------------------------------------------------

fn person(structure_id: Uuid, first: &str, last: &str) -> PersonRow {
    PersonRow {
        id: Uuid::now_v7(),
        structure_id,
        first_name: first.into(),
        last_name: last.into(),
        usual_name: None,
        birth_date: chrono::NaiveDate::from_ymd_opt(1961, 3, 14),
        birth_year: Some(1961),
        phone: Some("06 12 34 56 78".into()),
        email: None,
        postcode: Some("69100".into()),
        commune: Some("Démoville".into()),
        insee_code: None,
        preferred_language: None,
        notes: Some("Préfère le matin.\nDeuxième ligne.".into()),
        privacy_notice_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 5),
        equipment: "smartphone".into(),
        search_key: format!("{} {}", first.to_lowercase(), last.to_lowercase()),
        phone_digits: "0612345678".into(),
        merged_into: None,
        created_by: None,
        created_at: now(),
        updated_at: now(),
        keep_until: None,
        keep_reason: None,
        anonymised_at: None,
    }
}

pub(crate) fn request(
    structure_id: Uuid,
    person_id: Option<Uuid>,
    category: &str,
    operator: &str,
) -> HelpRequestRow {
    HelpRequestRow {
        id: Uuid::now_v7(),
        structure_id,
        reference: String::new(),
        person_id,
        anon_age_bracket: None,
        anon_postcode: None,
        anon_commune: None,
        procedure: "Démarche".into(),
        category: category.into(),
        operator: Some(operator.into()),
        channel: "walk_in".into(),
        rights_at_risk: false,
        deadline: None,
        status: "open".into(),
        outcome: None,
        block_reason: None,
        submission_key: None,
        created_by: None,
        created_at: now(),
        updated_at: now(),
        closed_at: None,
    }
}

/// Records a request alone (no person, intervention nor follow-up);
/// returns its reference.
pub(crate) async fn intake(store: &Store, r: HelpRequestRow) -> String {
    store
        .insert_intake(
            &IntakeRows {
                reference_year: chrono::Datelike::year(&now()),
                new_person: None,
                autonomy: None,
                request: r,
                intervention: None,
                follow_up: None,
            },
            &[],
            now(),
        )
        .await
        .unwrap()
}

fn intervention(structure_id: Uuid, request_id: Uuid, agent_id: Option<Uuid>) -> InterventionRow {
    InterventionRow {
        id: Uuid::now_v7(),
        structure_id,
        help_request_id: request_id,
        agent_id,
        occurred_at: now(),
        duration_minutes: 30,
        mode: "done_with".into(),
        place: "on_site".into(),
        summary: Some("Fait ensemble".into()),
        next_step: None,
        mandate_id: None,
        created_at: now(),
    }
}

pub async fn intake_is_one_transaction_with_numbered_references(store: &Store) {
    let s = structure("desk");
    let other = structure("desk-b");
    store.insert_structure(&s, &[], now()).await.unwrap();
    store.insert_structure(&other, &[], now()).await.unwrap();
    let p = person(s.id, "Hélène", "Lefèvre");
    let r1 = request(s.id, Some(p.id), "social", "CAF");
    let refs1 = store
        .insert_intake(
            &IntakeRows {
                reference_year: chrono::Datelike::year(&now()),
                new_person: Some(p.clone()),
                autonomy: None,
                request: r1.clone(),
                intervention: Some(intervention(s.id, r1.id, None)),
                follow_up: None,
            },
            &[ev("help_request.create", Some(s.id))],
            now(),
        )
        .await
        .unwrap();
    let year = chrono::Datelike::year(&now());
    assert_eq!(refs1, format!("D-{year}-000001"));
    let r2 = request(s.id, Some(p.id), "travail", "France Travail");
    let refs2 = intake(store, r2.clone()).await;
    assert_eq!(refs2, format!("D-{year}-000002"));
    // Numbering is per structure.
    let rb = request(other.id, None, "papiers", "ANTS");
    let refb = intake(store, rb).await;
    assert_eq!(refb, format!("D-{year}-000001"));
    // Round trip of the person, dates and multi-line notes included.
    let back = store
        .person_by_id(StructureId(s.id), PersonId(p.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back, p);
    assert!(
        store
            .person_by_id(StructureId(other.id), PersonId(p.id))
            .await
            .unwrap()
            .is_none(),
        "scoped by structure"
    );

    // A failing intake (its intervention names an unknown request) leaves
    // no person, no request, no counter step, no journal entry.
    let entries_before = store.journal_entries().await.unwrap().len();
    let p2 = person(s.id, "Jean", "Martin");
    let r3 = request(s.id, Some(p2.id), "logement", "CAF");
    let bad = store
        .insert_intake(
            &IntakeRows {
                reference_year: chrono::Datelike::year(&now()),
                new_person: Some(p2.clone()),
                autonomy: None,
                request: r3,
                intervention: Some(intervention(s.id, Uuid::now_v7(), None)),
                follow_up: None,
            },
            &[ev("help_request.create", Some(s.id))],
            now(),
        )
        .await;
    assert!(bad.is_err());
    assert!(store
        .person_by_id(StructureId(s.id), PersonId(p2.id))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.count_help_requests(StructureId(s.id)).await.unwrap(),
        2
    );
    assert_eq!(store.journal_entries().await.unwrap().len(), entries_before);
    let r4 = request(s.id, None, "argent", "DGFiP");
    let next = intake(store, r4).await;
    assert_eq!(
        next,
        format!("D-{year}-000003"),
        "the failed intake used no number"
    );
    // A repeated submission key is refused by the database.
    let mut k1 = request(s.id, None, "argent", "DGFiP");
    k1.submission_key = Some("form-1".into());
    intake(store, k1.clone()).await;
    let mut k2 = request(s.id, None, "argent", "DGFiP");
    k2.submission_key = Some("form-1".into());
    assert!(matches!(
        store
            .insert_intake(
                &IntakeRows {
                    reference_year: chrono::Datelike::year(&now()),
                    new_person: None,
                    autonomy: None,
                    request: k2,
                    intervention: None,
                    follow_up: None
                },
                &[],
                now()
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .request_by_submission_key(StructureId(s.id), "form-1")
            .await
            .unwrap()
            .unwrap()
            .id,
        k1.id
    );
}

pub async fn request_lists_filter_and_page(store: &Store) {
    let s = structure("lists");
    store.insert_structure(&s, &[], now()).await.unwrap();
    let a = agent("worker@example.test");
    store
        .insert_agent(&a, Some((StructureId(s.id), "agent")), &[], now())
        .await
        .unwrap();
    let p = person(s.id, "Ana", "Lopez");
    store.insert_person(&p, None, &[], now()).await.unwrap();
    for (i, (cat, op)) in [
        ("social", "CAF"),
        ("social", "CPAM"),
        ("travail", "France Travail"),
        ("papiers", "ANTS"),
    ]
    .iter()
    .enumerate()
    {
        let mut r = request(s.id, if i < 2 { Some(p.id) } else { None }, cat, op);
        r.created_at = now() - Duration::days(i as i64);
        if i == 3 {
            r.status = "done".into();
            r.rights_at_risk = true;
        }
        let iv = (i == 2).then(|| intervention(s.id, r.id, Some(a.id)));
        store
            .insert_intake(
                &IntakeRows {
                    reference_year: chrono::Datelike::year(&now()),
                    new_person: None,
                    autonomy: None,
                    request: r,
                    intervention: iv,
                    follow_up: None,
                },
                &[],
                now(),
            )
            .await
            .unwrap();
    }
    let list = |f: RequestFilter| async move {
        store
            .list_help_requests(StructureId(s.id), &f, 50, 0)
            .await
            .unwrap()
    };
    assert_eq!(list(RequestFilter::default()).await.len(), 4);
    assert_eq!(
        list(RequestFilter {
            category: Some("social".into()),
            ..Default::default()
        })
        .await
        .len(),
        2
    );
    assert_eq!(
        list(RequestFilter {
            operator: Some("caf".into()),
            ..Default::default()
        })
        .await
        .len(),
        1
    );
    assert_eq!(
        list(RequestFilter {
            status: Some("done".into()),
            ..Default::default()
        })
        .await
        .len(),
        1
    );
    assert_eq!(
        list(RequestFilter {
            open_only: true,
            ..Default::default()
        })
        .await
        .len(),
        3
    );
    assert_eq!(
        list(RequestFilter {
            rights_at_risk: Some(true),
            ..Default::default()
        })
        .await
        .len(),
        1
    );
    assert_eq!(
        list(RequestFilter {
            agent_id: Some(a.id),
            ..Default::default()
        })
        .await
        .len(),
        1
    );
    assert_eq!(
        list(RequestFilter {
            person_id: Some(p.id),
            ..Default::default()
        })
        .await
        .len(),
        2
    );
    assert_eq!(
        list(RequestFilter {
            from: Some(now() - Duration::hours(36)),
            ..Default::default()
        })
        .await
        .len(),
        2
    );
    let all = list(RequestFilter::default()).await;
    assert!(
        all.windows(2)
            .all(|w| w[0].request.created_at >= w[1].request.created_at),
        "newest first"
    );
    assert_eq!(all[0].person_first_name.as_deref(), Some("Ana"));
    let page2 = store
        .list_help_requests(StructureId(s.id), &RequestFilter::default(), 3, 3)
        .await
        .unwrap();
    assert_eq!(page2.len(), 1);
}

pub async fn merging_moves_the_history(store: &Store) {
    let s = structure("merge");
    store.insert_structure(&s, &[], now()).await.unwrap();
    let a = agent("m@example.test");
    store
        .insert_agent(&a, Some((StructureId(s.id), "agent")), &[], now())
        .await
        .unwrap();
    let keep = person(s.id, "Odette", "Doublon");
    let dup = person(s.id, "Odete", "Doublon");
    store.insert_person(&keep, None, &[], now()).await.unwrap();
    store.insert_person(&dup, None, &[], now()).await.unwrap();
    let r = request(s.id, Some(dup.id), "social", "CAF");
    let f = FollowUpRow {
        id: Uuid::now_v7(),
        structure_id: s.id,
        help_request_id: Some(r.id),
        person_id: Some(dup.id),
        assignee_id: a.id,
        due_date: now().date_naive() - Duration::days(1),
        reason: "Rappeler".into(),
        done: false,
        done_at: None,
        created_by: None,
        created_at: now(),
    };
    store
        .insert_intake(
            &IntakeRows {
                reference_year: chrono::Datelike::year(&now()),
                new_person: None,
                autonomy: None,
                request: r.clone(),
                intervention: None,
                follow_up: Some(f.clone()),
            },
            &[],
            now(),
        )
        .await
        .unwrap();
    store
        .set_accounts(
            PersonId(dup.id),
            &[PersonAccountRow {
                person_id: dup.id,
                kind: "caf".into(),
                has_account: "yes".into(),
                can_sign_in: "no".into(),
                recovery: "own_email".into(),
                updated_at: now(),
            }],
            &[],
            now(),
        )
        .await
        .unwrap();
    store
        .merge_persons(
            StructureId(s.id),
            PersonId(keep.id),
            PersonId(dup.id),
            &[ev("person.merge", Some(s.id))],
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .help_request_by_id(StructureId(s.id), HelpRequestId(r.id))
            .await
            .unwrap()
            .unwrap()
            .request
            .person_id,
        Some(keep.id)
    );
    assert_eq!(
        store
            .follow_ups_of_person(StructureId(s.id), PersonId(keep.id))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.accounts_of(PersonId(keep.id)).await.unwrap().len(), 1);
    assert!(store
        .accounts_of(PersonId(dup.id))
        .await
        .unwrap()
        .is_empty());
    let cands = store.person_candidates(StructureId(s.id)).await.unwrap();
    assert_eq!(cands.len(), 1, "the merged record leaves the search");
    assert!(matches!(
        store
            .merge_persons(
                StructureId(s.id),
                PersonId(keep.id),
                PersonId(dup.id),
                &[],
                now()
            )
            .await,
        Err(StoreError::NotFound)
    ));
    // Due follow-ups of the assignee, overdue first.
    let due = store
        .follow_ups_due(StructureId(s.id), AgentId(a.id), now().date_naive())
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        due[0].reference.as_deref().map(|r| r.starts_with("D-")),
        Some(true)
    );
    let mut done = due[0].follow_up.clone();
    done.done = true;
    done.done_at = Some(now());
    assert!(store
        .update_follow_up(&due[0].follow_up, &done, &[], now())
        .await
        .unwrap());
    assert!(store
        .follow_ups_due(StructureId(s.id), AgentId(a.id), now().date_naive())
        .await
        .unwrap()
        .is_empty());
}
