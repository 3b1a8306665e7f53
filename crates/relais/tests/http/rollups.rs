//! Statistics roll-ups equal a full recount, on both engines: on a
//! generated history, before and after the rebuild, after writes that
//! change past days (status, category, backdated intervention, merge),
//! and as days pass.

use crate::helpers::*;
use relais_domain::{PersonId, StructureId};
use relais_service::{GenSpec, Period, Principal};
use relais_store::{StatsAggregate, StatsKey};
use reqwest::StatusCode;
use serde_json::json;

const KEYS: [StatsKey; 6] = [
    StatsKey::Category,
    StatsKey::Operator,
    StatsKey::Outcome,
    StatsKey::Channel,
    StatsKey::Mode,
    StatsKey::Nothing,
];

fn sorted(mut a: StatsAggregate) -> StatsAggregate {
    a.requests_by.sort();
    a.interventions_by.sort();
    a
}

/// Every structure of the database, then the whole instance (`None`).
async fn scopes(app: &TestApp) -> Vec<Option<StructureId>> {
    let mut scopes: Vec<Option<StructureId>> = app
        .store
        .list_structures()
        .await
        .unwrap()
        .into_iter()
        .map(|r| Some(StructureId(r.id)))
        .collect();
    scopes.push(None);
    scopes
}

/// The days from `today - from` to `today - to`.
fn ago(today: chrono::NaiveDate, from: i64, to: i64) -> Period {
    Period {
        from: today - chrono::Duration::days(from),
        to: today - chrono::Duration::days(to),
    }
}

/// The figures as served equal a full recount, for every key.
async fn assert_equal(app: &TestApp, label: &str, scope: Option<StructureId>, period: Period) {
    let s = &app.services;
    for key in KEYS {
        let rolled = s
            .stats_rolled_up(Principal::Operator, scope, period, key)
            .await
            .unwrap();
        let counted = s
            .stats_recount(Principal::Operator, scope, period, key)
            .await
            .unwrap();
        assert_eq!(
            sorted(rolled),
            sorted(counted),
            "{label}: {scope:?} {period:?} {key:?}"
        );
    }
}

/// A small deterministic generator of periods.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: i64) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % (n.max(1) as u64)) as i64
    }
}

/// Periods to compare: fixed ones (the whole history, a year, yesterday,
/// today, a month) and `n` random ones.
fn periods(today: chrono::NaiveDate, rng: &mut Lcg, n: usize) -> Vec<Period> {
    let d = chrono::Duration::days;
    let mut out = vec![
        ago(today, 720, 0),
        ago(today, 365, 1),
        ago(today, 1, 1),
        ago(today, 0, 0),
        ago(today, 40, 10),
    ];
    for _ in 0..n {
        let from = today - d(rng.below(720));
        let to = (from + d(rng.below(400))).min(today + d(3));
        out.push(Period { from, to });
    }
    out
}

async fn compare(
    app: &TestApp,
    label: &str,
    scopes: &[Option<StructureId>],
    rng: &mut Lcg,
) -> usize {
    let s = &app.services;
    let mut compared = 0;
    for period in periods(s.today(), rng, 6) {
        for scope in scopes {
            assert_equal(app, label, *scope, period).await;
            compared += 1;
        }
    }
    compared
}

async fn rollups_equal_recount(opts: Options) {
    let Some(app) = spawn_app(Options {
        empty: true,
        ..opts
    })
    .await
    else {
        return;
    };
    let s = &app.services;
    // `gen` loads without the secondary indexes and builds them back.
    let tables = ["persons", "help_requests", "interventions", "journal"];
    let indexes = app.store.drop_indexes(&tables).await.unwrap();
    assert!(indexes.len() >= 8, "{indexes:?}");
    app.store.create_indexes(&indexes).await.unwrap();
    let report = s
        .generate(&GenSpec::custom(2, 80, 500, 11), |_, _| {})
        .await
        .unwrap();
    let after = app.store.drop_indexes(&tables).await.unwrap();
    assert_eq!(after, indexes, "the indexes after gen");
    app.store.create_indexes(&after).await.unwrap();
    let scopes = scopes(&app).await;
    let mut rng = Lcg(2026);
    // Nothing built yet: every day is stale, and counted from the rows.
    compare(&app, "before the rebuild", &scopes, &mut rng).await;
    let built = s.rebuild_stats(usize::MAX).await.unwrap();
    assert!(built > 100, "{built} days built");
    assert_eq!(s.rebuild_stats(usize::MAX).await.unwrap(), 0);
    compare(&app, "after the rebuild", &scopes, &mut rng).await;

    // Writes that change past days.
    let sup = token(
        &app,
        &format!("agent{}@gen-1.test", relais_service::AGENTS_PER_STRUCTURE),
    )
    .await;
    let old = (s.today() - chrono::Duration::days(200)).to_string();
    let (st, list) = call(
        &app,
        &sup,
        "GET",
        &format!("/api/v1/help-requests?to={old}&limit=6"),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    assert!(items.len() >= 4, "{list}");
    let patches = [
        json!({"status": "abandoned"}),
        json!({"category": "logement"}),
        json!({"status": "waiting_for_operator"}),
        json!({"operator": "Une autre caisse", "channel": "phone"}),
    ];
    for (item, patch) in items.iter().zip(patches) {
        let path = format!("/api/v1/help-requests/{}", item["id"].as_str().unwrap());
        let (st, out) = call(&app, &sup, "PATCH", &path, Some(patch)).await;
        assert_eq!(st, StatusCode::OK, "{out}");
    }
    // A change the stats API does not count marks no day.
    let span = (s.today() - chrono::Duration::days(800), s.today());
    let stale = app
        .store
        .stats_dirty_days(None, span.0, span.1)
        .await
        .unwrap();
    let older = (s.today() - chrono::Duration::days(400)).to_string();
    let (st, one) = call(
        &app,
        &sup,
        "GET",
        &format!("/api/v1/help-requests?to={older}&limit=1"),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{one}");
    let path = format!(
        "/api/v1/help-requests/{}",
        one["items"][0]["id"].as_str().unwrap()
    );
    let (st, out) = call(
        &app,
        &sup,
        "PATCH",
        &path,
        Some(json!({"rights_at_risk": true})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{out}");
    assert_eq!(
        app.store
            .stats_dirty_days(None, span.0, span.1)
            .await
            .unwrap(),
        stale
    );
    // A backdated intervention, on an older request.
    let at = (s.today() - chrono::Duration::days(2))
        .format("%Y-%m-%dT10:30")
        .to_string();
    let path = format!(
        "/api/v1/help-requests/{}/interventions",
        items[0]["id"].as_str().unwrap()
    );
    let (st, out) = call(&app, &sup, "POST", &path, Some(json!({"mode": "taught", "duration_minutes": "25", "place": "on_site", "occurred_at": at}))).await;
    assert_eq!(st, StatusCode::CREATED, "{out}");
    // Two persons merged: the absorbed one's days count one person fewer.
    let actor = s.authenticate_token(&sup).await.unwrap();
    let absorbed = report.sample_person.unwrap();
    let (st, more) = call(
        &app,
        &sup,
        "GET",
        &format!("/api/v1/help-requests?to={old}&limit=40"),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{more}");
    let survivor = more["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["person_id"].as_str())
        .filter_map(|id| uuid::Uuid::parse_str(id).ok())
        .find(|id| *id != absorbed)
        .unwrap_or_else(|| panic!("another person: {more}"));
    s.merge_persons(&actor, PersonId(survivor), PersonId(absorbed))
        .await
        .unwrap();
    compare(&app, "after writes, before the rebuild", &scopes, &mut rng).await;
    assert!(s.rebuild_stats(usize::MAX).await.unwrap() > 0);
    compare(&app, "after writes and the rebuild", &scopes, &mut rng).await;

    // Days pass: today's figures become a closed day's.
    app.clock.advance(chrono::Duration::days(3));
    compare(&app, "three days later", &scopes, &mut rng).await;
    assert!(s.rebuild_stats(usize::MAX).await.unwrap() > 0);
    let n = compare(&app, "three days later, rebuilt", &scopes, &mut rng).await;
    assert!(n > 20);
}

on_both_engines!(rollups_equal_recount);

/// A server killed (SIGKILL) in the middle of intakes and backdated
/// interventions leaves roll-ups that, once rebuilt, equal the recount:
/// a committed write always carries its day's mark, an interrupted one
/// leaves neither rows nor mark.
async fn killed_in_the_middle_of_intakes(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let node = crate::nodes::start_node(&app._db.url).await;
    let base = node.base.clone();
    let yesterday = (app.services.today() - chrono::Duration::days(1))
        .format("%Y-%m-%dT09:15")
        .to_string();
    let api = reqwest::Client::new();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (api, t, base, yesterday, accepted) = (
                api.clone(),
                t.clone(),
                base.clone(),
                yesterday.clone(),
                accepted.clone(),
            );
            tokio::spawn(async move {
                for n in 0.. {
                    let body = json!({
                        "anonymous": {"age_bracket": "40_59"},
                        "procedure": format!("Démarche {w}-{n}"), "category": "social",
                        "channel": "walk_in", "status": "open",
                        "intervention": {"mode": "done_with", "duration_minutes": 20, "occurred_at": yesterday}
                    });
                    let sent = api
                        .post(format!("{base}/api/v1/help-requests"))
                        .bearer_auth(&t)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status() == StatusCode::CREATED => {
                            accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Ok(r) => assert!(r.status().is_success(), "{}", r.status()),
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mut node = node;
    node.child.kill().unwrap();
    node.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let accepted = accepted.load(std::sync::atomic::Ordering::Relaxed);
    assert!(accepted > 0, "no intake accepted before the kill");

    // Two days later, yesterday's and today's days are closed: once
    // rebuilt, they are read from the roll-ups alone.
    let s = &app.services;
    app.clock.advance(chrono::Duration::days(2));
    assert!(s.rebuild_stats(usize::MAX).await.unwrap() > 0);
    let today = s.today();
    for period in [ago(today, 3, 1), ago(today, 400, 1)] {
        for scope in scopes(&app).await {
            assert_equal(&app, "after the kill", scope, period).await;
        }
    }
    let all = s
        .stats_rolled_up(
            Principal::Operator,
            None,
            ago(today, 3, 1),
            StatsKey::Nothing,
        )
        .await
        .unwrap();
    assert!(
        all.total_requests >= accepted as i64,
        "{all:?} < {accepted}"
    );
    let journal = s.verify_journal().await.unwrap();
    assert_eq!(journal.broken, None);
}

on_both_engines!(killed_in_the_middle_of_intakes);
