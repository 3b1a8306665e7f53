//! The cases of the storage contract, written once for both engines.

use chrono::{Duration, DurationRound, Utc};
use relais_domain::journal::{verify_chain, JournalEntry, JournalEvent};
use relais_store::*;
use uuid::Uuid;

fn now() -> chrono::DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::microseconds(1))
        .unwrap()
}

fn structure(slug: &str) -> StructureRow {
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
        store.structure_by_id(s.id).await.unwrap().unwrap().slug,
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
            Some((a.id, "supervisor")),
            &[ev("team.member_created", Some(a.id))],
            now(),
        )
        .await
        .unwrap();
    store
        .upsert_membership(
            ana.id,
            b.id,
            "agent",
            &[ev("team.member_added", Some(b.id))],
            now(),
        )
        .await
        .unwrap();
    let m = store.memberships_of(ana.id).await.unwrap();
    assert_eq!(m.len(), 2);
    assert!(m.iter().all(|m| m.active));
    let team_a = store.team_of(a.id).await.unwrap();
    assert_eq!(team_a.len(), 1);
    assert_eq!(team_a[0].role, "supervisor");
    assert!(team_a[0].has_password);
    store
        .set_membership_active(ana.id, b.id, false, &[], now())
        .await
        .unwrap();
    let m = store.memberships_of(ana.id).await.unwrap();
    assert_eq!(m.iter().filter(|m| m.active).count(), 1);
    assert!(matches!(
        store
            .set_membership_active(Uuid::now_v7(), b.id, true, &[], now())
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
            ana.id,
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
    let got = store.agent_by_id(ana.id).await.unwrap().unwrap();
    assert_eq!(got.failed_logins, 5);
    assert!(got.locked_until.is_some());
    assert_eq!(got.totp_last_step, Some(42));
    store
        .set_password(ana.id, "$argon2id$new", None, &[], now())
        .await
        .unwrap();
    let got = store.agent_by_id(ana.id).await.unwrap().unwrap();
    assert_eq!(got.failed_logins, 0);
    assert_eq!(got.locked_until, None);
    assert_eq!(got.password_hash.as_deref(), Some("$argon2id$new"));
}

pub async fn sessions_live_and_expire(store: &Store) {
    let s = structure("sess");
    store.insert_structure(&s, &[], now()).await.unwrap();
    let a = agent("sess@example.test");
    store
        .insert_agent(&a, Some((s.id, "agent")), &[], now())
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
        .update_session("fresh", "totp", Some(s.id), &[], now())
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
    assert_eq!(store.sessions_of(a.id).await.unwrap().len(), 2);
    let removed = store
        .delete_expired_sessions(now() - Duration::minutes(30), now() - Duration::hours(12))
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert!(store.session_by_hash("old").await.unwrap().is_none());
    assert_eq!(store.delete_sessions_of(a.id, &[], now()).await.unwrap(), 1);
}

pub async fn api_tokens_are_found_by_hash_and_revoked_once(store: &Store) {
    let s = structure("tok");
    store.insert_structure(&s, &[], now()).await.unwrap();
    let a = agent("tok@example.test");
    store
        .insert_agent(&a, Some((s.id, "agent")), &[], now())
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
    store.touch_token(t.id, now()).await.unwrap();
    assert!(store
        .token_by_hash("h1")
        .await
        .unwrap()
        .unwrap()
        .last_used_at
        .is_some());
    store.revoke_token(t.id, a.id, &[], now()).await.unwrap();
    assert!(matches!(
        store.revoke_token(t.id, a.id, &[], now()).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.tokens_of(a.id).await.unwrap()[0].revoked_at.is_some());
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
            s.id,
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
    assert_eq!(store.team_of(s.id).await.unwrap().len(), 1);
    let again = agent("other@example.test");
    assert!(matches!(
        store
            .accept_invite("invite-hash", &again, s.id, "agent", &[], now())
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

async fn raw_execute(store: &Store, sql: &str) -> Result<u64, sqlx::Error> {
    match store {
        Store::Sqlite { write, .. } => sqlx::query(sql)
            .execute(write)
            .await
            .map(|r| r.rows_affected()),
        Store::Postgres(pool) => sqlx::query(sql)
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
            Uuid::now_v7(),
            s.id,
            "agent",
            &[ev("team.member_added", Some(s.id))],
            now(),
        )
        .await;
    assert!(r.is_err());
    assert!(store.journal_entries().await.unwrap().is_empty());
}
