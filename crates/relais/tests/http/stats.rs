//! The stats API against a known history, on both engines.

use crate::helpers::*;
use calamine::Reader;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn known_history(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let s = &app.services;
    s.cli_add_structure("Espace France Services Test", "efs-test", "france_services")
        .await
        .unwrap();
    s.cli_add_user(
        "chef@efs.test",
        "Chef Test",
        "efs-test",
        "supervisor",
        "mot-de-passe-long-1",
    )
    .await
    .unwrap();
    s.cli_add_user(
        "agent@efs.test",
        "Agent Test",
        "efs-test",
        "agent",
        "mot-de-passe-long-1",
    )
    .await
    .unwrap();
    s.cli_add_user(
        "autre@efs.test",
        "Autre Test",
        "efs-test",
        "agent",
        "mot-de-passe-long-1",
    )
    .await
    .unwrap();
    let sup = token(&app, "chef@efs.test").await;
    let t = token(&app, "agent@efs.test").await;
    let other = token(&app, "autre@efs.test").await;
    // Acting "for" the person without a mandate is allowed here.
    let (_, mut policy) = call(&app, &sup, "GET", "/api/v1/policy", None).await;
    policy["mandate_rule"] = json!("not_required");
    let (st, pol) = call(&app, &sup, "PUT", "/api/v1/policy", Some(policy)).await;
    assert_eq!(st, StatusCode::OK, "{pol}");
    let person = |first: &str, autonomy: &str| json!({"privacy_notice_on": "2026-01-05", "first_name": first, "last_name": "Stat", "confirm_new": true, "autonomy": autonomy});
    let (_, p1) = call(
        &app,
        &t,
        "POST",
        "/api/v1/persons",
        Some(person("Un", "needs_full_guidance")),
    )
    .await;
    let (_, p2) = call(
        &app,
        &t,
        "POST",
        "/api/v1/persons",
        Some(person("Deux", "autonomous_with_help")),
    )
    .await;
    // A signed paper mandate covers p1's "travail" procedures.
    let (st, m) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({"person_id": p1["id"], "categories": ["travail"], "duration": "six_months", "consent": "paper"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{m}");
    let (st, m) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{}/sign", m["id"].as_str().unwrap()),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{m}");
    let day = app.services.today().to_string();
    let request = |body: Value| async {
        let (s, r) = call(&app, &t, "POST", "/api/v1/help-requests", Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        r
    };
    request(json!({"person_id": p1["id"], "procedure": "Demande A", "category": "social", "operator": "CAF", "channel": "walk_in", "status": "open", "intervention": {"mode": "done_with", "duration_minutes": 30}})).await;
    let b = request(json!({"person_id": p1["id"], "procedure": "Demande B", "category": "travail", "operator": "France Travail", "channel": "phone", "status": "open", "rights_at_risk": true, "intervention": {"mode": "done_for", "duration_minutes": 20}})).await;
    let (st, i) = call(
        &app,
        &t,
        "POST",
        &format!(
            "/api/v1/help-requests/{}/interventions",
            b["id"].as_str().unwrap()
        ),
        Some(json!({"mode": "taught", "duration_minutes": 10})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{i}");
    request(json!({"anonymous": {"age_bracket": "25_39"}, "procedure": "Demande C", "category": "social", "operator": "CAF", "channel": "walk_in", "status": "open", "intervention": {"mode": "informed", "duration_minutes": 15}})).await;
    request(json!({"person_id": p2["id"], "procedure": "Demande D", "category": "logement", "operator": "CAF", "channel": "walk_in", "status": "open", "rights_at_risk": true, "deadline": day, "follow_up": {"due_date": day, "reason": "Rappeler"}})).await;
    // p1's second assessment, a minute later: more autonomous than at the first.
    app.clock.advance(chrono::Duration::minutes(1));
    let (st, v) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v1/persons/{}", p1["id"].as_str().unwrap()),
        Some(json!({"autonomy": "autonomous"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    let today = app.services.today().to_string();
    let stats = |tok: String, group: &'static str| {
        let (app, today) = (&app, today.clone());
        async move {
            let (s, v) = call(
                app,
                &tok,
                "GET",
                &format!("/api/v1/stats?from={today}&to={today}&group_by={group}"),
                None,
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v
        }
    };
    let groups = |v: &Value| -> Vec<(String, u64, u64, i64)> {
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["key"].as_str().unwrap().to_owned(),
                    g["requests"].as_u64().unwrap(),
                    g["interventions"].as_u64().unwrap(),
                    g["minutes"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let by_category = stats(sup.clone(), "category").await;
    assert_eq!(
        (
            by_category["total_requests"].as_u64(),
            by_category["total_interventions"].as_u64(),
            by_category["distinct_persons"].as_u64(),
            by_category["minutes"].as_i64()
        ),
        (Some(4), Some(4), Some(2), Some(75)),
        "{by_category}"
    );
    let g = |k: &str, r: u64, i: u64, m: i64| (k.to_owned(), r, i, m);
    assert_eq!(
        groups(&by_category),
        vec![
            g("social", 2, 2, 45),
            g("logement", 1, 0, 0),
            g("travail", 1, 2, 30)
        ]
    );
    let by_mode = stats(sup.clone(), "mode").await;
    assert_eq!(
        groups(&by_mode),
        vec![
            g("done_for", 1, 1, 20),
            g("done_with", 1, 1, 30),
            g("informed", 1, 1, 15),
            g("taught", 1, 1, 10)
        ]
    );
    let by_operator = stats(sup.clone(), "operator").await;
    assert_eq!(
        groups(&by_operator),
        vec![g("CAF", 3, 2, 45), g("France Travail", 1, 2, 30)]
    );
    let by_month = stats(sup.clone(), "month").await;
    assert_eq!(groups(&by_month).len(), 1);
    assert_eq!(groups(&by_month)[0].1, 4);
    // Agents see their own activity; another agent did nothing.
    assert_eq!(stats(t.clone(), "channel").await["total_requests"], 4);
    let nothing = stats(other.clone(), "category").await;
    assert_eq!(
        (
            nothing["total_requests"].as_u64(),
            nothing["minutes"].as_i64()
        ),
        (Some(0), Some(0))
    );
    // An empty period gives zeros; bad input is refused with its field.
    let (s, v) = call(
        &app,
        &sup,
        "GET",
        "/api/v1/stats?from=2000-01-01&to=2000-01-31",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (
            v["total_requests"].as_u64(),
            v["groups"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    let (s, e) = call(
        &app,
        &sup,
        "GET",
        "/api/v1/stats?from=hier&to=2000-01-31&group_by=colour",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"].as_array().unwrap().len(), 2, "{e}");
    let (s, e) = call(
        &app,
        &sup,
        "GET",
        "/api/v1/stats?from=2026-02-01&to=2026-01-01",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["code"], "period_inverted");

    // Two days later, D's deadline and follow-up have passed.
    app.clock.advance(chrono::Duration::days(2));
    let (_, me) = call(&app, &t, "GET", "/api/v1/me", None).await;
    let agent_id = me["id"].as_str().unwrap().to_owned();
    dashboard_figures(&app, &sup, &t, &other, &day, &agent_id).await;
    exports(&app, &sup, &t, &day).await;
    territory(&app, &sup, &t, &day).await;
    report(&app, &sup, &t, &day).await;
}

type Line = (String, u64, u64, u64, i64);

fn lines(d: &Value, table: &str) -> Vec<Line> {
    let t = d["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == table)
        .unwrap_or_else(|| panic!("no table {table} in {d}"));
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["requests"].as_u64().unwrap(),
                r["interventions"].as_u64().unwrap(),
                r["persons"].as_u64().unwrap(),
                r["minutes"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn l(k: &str, r: u64, i: u64, p: u64, m: i64) -> Line {
    (k.to_owned(), r, i, p, m)
}

async fn dashboard(app: &TestApp, tok: &str, query: &str) -> Value {
    let (s, v) = call(app, tok, "GET", &format!("/api/v1/dashboard?{query}"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn dashboard_figures(
    app: &TestApp,
    sup: &str,
    t: &str,
    other: &str,
    day: &str,
    agent_id: &str,
) {
    let d = dashboard(app, sup, &format!("from={day}&to={day}")).await;
    let figures: Vec<u64> = [
        "requests",
        "interventions",
        "distinct_persons",
        "new_persons",
        "minutes",
        "done_for",
        "done_with",
        "taught",
        "done_for_under_mandate",
        "urgent_requests",
        "missed_deadlines",
        "overdue_follow_ups",
    ]
    .iter()
    .map(|k| d[k].as_u64().unwrap_or_else(|| panic!("{k} in {d}")))
    .collect();
    assert_eq!(figures, vec![4, 4, 2, 2, 75, 1, 1, 1, 1, 2, 1, 1], "{d}");
    assert_eq!(d["scope"], "structure");
    assert_eq!(
        lines(&d, "category"),
        vec![
            l("social", 2, 2, 1, 45),
            l("logement", 1, 0, 1, 0),
            l("travail", 1, 2, 1, 30)
        ]
    );
    assert_eq!(
        lines(&d, "mode"),
        vec![
            l("done_for", 1, 1, 1, 20),
            l("done_with", 1, 1, 1, 30),
            l("taught", 1, 1, 1, 10),
            l("informed", 1, 1, 0, 15)
        ]
    );
    assert_eq!(
        lines(&d, "operator"),
        vec![l("CAF", 3, 2, 0, 45), l("France Travail", 1, 2, 0, 30)]
    );
    assert_eq!(lines(&d, "outcome"), vec![l("open", 4, 0, 0, 0)]);
    assert_eq!(lines(&d, "block_reason"), vec![]);
    assert_eq!(
        lines(&d, "channel"),
        vec![l("walk_in", 3, 2, 2, 45), l("phone", 1, 2, 1, 30)]
    );
    let month = &day[..7];
    assert_eq!(lines(&d, "month"), vec![l(month, 4, 4, 0, 75)]);
    assert_eq!(
        lines(&d, "age_bracket"),
        vec![l("25_39", 1, 0, 0, 0), l("unknown", 3, 0, 2, 0)]
    );
    assert_eq!(lines(&d, "commune"), vec![l("", 4, 0, 2, 0)]);
    assert_eq!(lines(&d, "departement"), vec![l("", 4, 0, 2, 0)]);
    assert_eq!(lines(&d, "repeat_visits"), vec![l("3_5", 0, 0, 1, 0)]);
    assert_eq!(
        lines(&d, "autonomy"),
        vec![l("improved", 0, 0, 1, 0), l("assessed_once", 0, 0, 1, 0)]
    );
    // Filters.
    let phone = dashboard(app, sup, &format!("from={day}&to={day}&channel=phone")).await;
    assert_eq!(
        (
            phone["requests"].as_u64(),
            phone["interventions"].as_u64(),
            phone["minutes"].as_u64()
        ),
        (Some(1), Some(2), Some(30))
    );
    let social = dashboard(app, sup, &format!("from={day}&to={day}&category=social")).await;
    assert_eq!(
        (
            social["requests"].as_u64(),
            social["interventions"].as_u64(),
            social["minutes"].as_u64()
        ),
        (Some(2), Some(2), Some(45))
    );
    let by_agent = dashboard(app, sup, &format!("from={day}&to={day}&agent={agent_id}")).await;
    assert_eq!(by_agent["requests"], 4);
    // Agents: their own activity only, whatever they ask.
    let own = dashboard(app, t, &format!("from={day}&to={day}")).await;
    assert_eq!(
        (own["scope"].as_str(), own["requests"].as_u64()),
        (Some("own"), Some(4))
    );
    let nothing = dashboard(app, other, &format!("from={day}&to={day}")).await;
    assert_eq!(
        (
            nothing["requests"].as_u64(),
            nothing["overdue_follow_ups"].as_u64()
        ),
        (Some(0), Some(0))
    );
    let (s, _) = call(
        app,
        other,
        "GET",
        &format!("/api/v1/dashboard?from={day}&to={day}&agent={agent_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        app,
        sup,
        "GET",
        &format!("/api/v1/dashboard?from={day}&to={day}&scope=instance"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the whole instance is for admins");
    // An empty period gives zeros; bad filters are refused, field by field.
    let empty = dashboard(app, sup, "from=2001-01-01&to=2001-12-31").await;
    assert_eq!(
        (empty["requests"].as_u64(), empty["minutes"].as_u64()),
        (Some(0), Some(0))
    );
    let (s, e) = call(
        app,
        sup,
        "GET",
        "/api/v1/dashboard?from=2026-02-30&to=2026-01-01&channel=pigeon&category=x",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["from", "channel", "category"], "{e}");
    let (s, e) = call(
        app,
        sup,
        "GET",
        "/api/v1/dashboard?from=2026-02-01&to=2026-01-01",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["code"], "period_inverted");
}

async fn download(app: &TestApp, tok: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let r = app
        .api()
        .get(format!("{}{path}", app.base))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

fn cell_text(c: &calamine::Data) -> String {
    match c {
        calamine::Data::String(s) => s.clone(),
        calamine::Data::Float(f) => format!("{f}"),
        calamine::Data::Int(i) => format!("{i}"),
        calamine::Data::Empty => String::new(),
        other => format!("{other}"),
    }
}

fn sheet_rows<R: calamine::Reader<std::io::Cursor<Vec<u8>>>>(
    book: &mut R,
    name: &str,
) -> Vec<Vec<String>> {
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|_| panic!("sheet {name}"));
    range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect()
}

async fn exports(app: &TestApp, sup: &str, t: &str, day: &str) {
    let q = format!("from={day}&to={day}");
    // French CSV: BOM, semicolons, decimal comma, CRLF.
    let (s, ct, csv) = download(
        app,
        sup,
        &format!("/api/v1/exports/stats?{q}&table=category&format=csv"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("text/csv"), "{ct}");
    let expected = "\u{feff}Libellé;Code;Demandes;Interventions;Heures;Personnes;Part (%)\r\n\
Social – Santé;social;2;2;0,75;1;50,0\r\n\
Logement;logement;1;0;0,00;1;25,0\r\n\
Travail – Formation;travail;1;2;0,50;1;25,0\r\n";
    assert_eq!(String::from_utf8(csv.clone()).unwrap(), expected);
    assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF]);
    let (_, _, rfc) = download(
        app,
        sup,
        &format!("/api/v1/exports/stats?{q}&table=mode&format=csv-rfc4180"),
    )
    .await;
    assert_eq!(
        String::from_utf8(rfc).unwrap(),
        "Libellé,Code,Interventions,Demandes,Heures,Personnes,Part (%)\r\n\
Faire pour,done_for,1,1,0.33,1,25.0\r\n\
Faire avec,done_with,1,1,0.50,1,25.0\r\n\
Faire faire,taught,1,1,0.17,1,25.0\r\n\
Informer,informed,1,1,0.25,0,25.0\r\n"
    );
    // XLSX and ODS with every table, read back.
    for format in ["xlsx", "ods"] {
        let (s, _, bytes) = download(
            app,
            sup,
            &format!("/api/v1/exports/stats?{q}&format={format}"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{format}");
        let cursor = std::io::Cursor::new(bytes);
        let (key, category) = if format == "xlsx" {
            let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(cursor).unwrap();
            assert_eq!(book.sheet_names().len(), 14, "{:?}", book.sheet_names());
            (
                sheet_rows(&mut book, "Chiffres clés"),
                sheet_rows(&mut book, "Par catégorie de démarche"),
            )
        } else {
            let mut book: calamine::Ods<_> = calamine::open_workbook_from_rs(cursor).unwrap();
            assert_eq!(book.sheet_names().len(), 14, "{:?}", book.sheet_names());
            (
                sheet_rows(&mut book, "Chiffres clés"),
                sheet_rows(&mut book, "Par catégorie de démarche"),
            )
        };
        assert_eq!(key[0], vec!["Libellé", "Valeur"], "{format}");
        assert!(
            key.contains(&vec!["Demandes".to_owned(), "4".to_owned()]),
            "{format}: {key:?}"
        );
        assert!(
            key.contains(&vec!["Heures".to_owned(), "1.25".to_owned()]),
            "{format}: {key:?}"
        );
        assert_eq!(
            category[1],
            vec!["Social – Santé", "social", "2", "2", "0.75", "1", "50"],
            "{format}"
        );
        assert_eq!(category.len(), 4, "{format}");
    }
    // The interventions, without names by default.
    let (s, _, csv) = download(
        app,
        sup,
        &format!("/api/v1/exports/interventions?{q}&format=csv"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(csv).unwrap();
    let rows: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(rows.len(), 5, "{text}");
    assert!(
        rows[0].starts_with("\u{feff}Date;Référence;Démarche;"),
        "{}",
        rows[0]
    );
    assert!(!text.contains("Stat"), "no names: {text}");
    let (s, _, xlsx) = download(
        app,
        sup,
        &format!("/api/v1/exports/interventions?{q}&format=xlsx"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let r = sheet_rows(&mut book, "Interventions");
    assert_eq!(r.len(), 5);
    let (s, _, ods) = download(
        app,
        sup,
        &format!("/api/v1/exports/interventions?{q}&format=ods"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let mut book: calamine::Ods<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(ods)).unwrap();
    assert_eq!(sheet_rows(&mut book, "Interventions").len(), 5);
    // Names: supervisors only, with a reason, journaled.
    let post = |tok: &str, body: Value| {
        let (app, tok) = (app, tok.to_owned());
        async move {
            let r = app
                .api()
                .post(format!("{}/api/v1/exports/interventions", app.base))
                .bearer_auth(tok)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    // Admins see the whole instance, but names never leave a structure.
    let admin = token(app, "admin@demoville.test").await;
    let whole = dashboard(app, &admin, &format!("from={day}&to={day}&scope=instance")).await;
    assert_eq!(whole["scope"], "instance");
    assert!(whole["requests"].as_u64().unwrap() >= 4, "{whole}");
    let (s, _) = post(&admin, json!({"from": day, "to": day, "format": "csv", "names": true, "scope": "instance", "reason": "Bilan annuel pour le conseil d'administration"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = post(
        sup,
        json!({"from": day, "to": day, "format": "csv", "names": true}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("reason"), "{body}");
    let (s, _) = post(t, json!({"from": day, "to": day, "format": "csv", "names": true, "reason": "Bilan annuel pour le conseil d'administration"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = post(sup, json!({"from": day, "to": day, "format": "csv", "names": true, "reason": "Bilan annuel pour le conseil d'administration"})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains(";Nom;Prénom\r\n"), "{body}");
    assert!(body.contains(";Stat;Un\r\n"), "{body}");
    let sid = app
        .store
        .structure_by_slug("efs-test")
        .await
        .unwrap()
        .unwrap()
        .id;
    let entries = app.store.journal_entries().await.unwrap();
    let named: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "export.interventions" && e.chain == sid.to_string())
        .collect();
    assert_eq!(named.len(), 4, "every interventions export is journaled");
    assert!(named
        .iter()
        .any(|e| e.details.contains("Bilan annuel") && e.details.contains("\"names\":true")));
    // Bad input: a message, nothing computed.
    let (s, _, _) = download(app, sup, &format!("/api/v1/exports/stats?{q}&format=pdf")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = download(
        app,
        sup,
        &format!("/api/v1/exports/stats?{q}&table=colour&format=csv"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = download(
        app,
        sup,
        "/api/v1/exports/interventions?from=2026-02-01&to=2026-01-01",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // An empty period: the header alone.
    let (s, _, csv) = download(
        app,
        sup,
        "/api/v1/exports/interventions?from=2001-01-01&to=2001-01-31&format=csv-rfc4180",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(String::from_utf8(csv).unwrap().matches("\r\n").count(), 1);
}

async fn territory(app: &TestApp, sup: &str, t: &str, day: &str) {
    let get = |q: String| async move {
        let (s, v) = call(
            app,
            sup,
            "GET",
            &format!("/api/v1/exports/territory?{q}"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    };
    // Default threshold 5: every count here is smaller, all suppressed.
    let v = get(format!("from={day}&to={day}")).await;
    assert_eq!(v["threshold"], 5);
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 4, "{v}");
    assert!(cells.iter().all(|c| c["interventions"].is_null()), "{v}");
    let communes = v["communes"].as_array().unwrap();
    assert_eq!(communes.len(), 1);
    assert!(communes[0]["requests"].is_null() && communes[0]["persons"].is_null());
    // The same by département.
    let deps = v["departements"].as_array().unwrap();
    assert_eq!(deps.len(), 1, "{v}");
    assert!(deps[0]["requests"].is_null() && deps[0]["persons"].is_null());
    assert_eq!(v["suppressed"], 8);
    // Threshold 3: the 4 requests show, the 2 persons and the 1s do not.
    let v = get(format!("from={day}&to={day}&threshold=3")).await;
    assert_eq!(v["communes"][0]["requests"], 4);
    assert!(v["communes"][0]["persons"].is_null());
    assert!(v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["interventions"].is_null()));
    assert_eq!(v["departements"][0]["requests"], 4);
    assert!(v["departements"][0]["persons"].is_null());
    assert_eq!(v["suppressed"], 6);
    // The file says "secret" where a count is suppressed.
    let (s, _, csv) = download(
        app,
        sup,
        &format!("/api/v1/exports/territory?from={day}&to={day}&format=csv"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(csv).unwrap();
    assert!(text.contains(";social;done_with;open;secret\r\n"), "{text}");
    assert!(
        !text.lines().any(|l| l.ends_with(";1") || l.ends_with(";2")),
        "{text}"
    );
    // Agents may not; thresholds under 2 are refused.
    let (s, _) = call(
        app,
        t,
        "GET",
        &format!("/api/v1/exports/territory?from={day}&to={day}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for bad in ["1", "beaucoup", "5000"] {
        let (s, e) = call(
            app,
            sup,
            "GET",
            &format!("/api/v1/exports/territory?from={day}&to={day}&threshold={bad}"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(e["error"]["fields"][0]["field"], "threshold");
    }
}

async fn report(app: &TestApp, sup: &str, t: &str, day: &str) {
    let month = &day[..7];
    let (s, ct, pdf) = download(app, sup, &format!("/api/v1/reports/monthly?month={month}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = crate::mandates::pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            "Rapport mensuel d'activité",
            "Espace France Services Test",
            "Chiffres clés",
            "Demandes",
            "Personnes accompagnées",
            "1 h 15",
            "33,3 %",
            "100,0 %",
            "Par catégorie de démarche",
            "Social – Santé",
            "0 h 45",
            "0 h 20",
            "Plus autonome qu'à la première évaluation",
            "Aucun mandat demandé",
            "Comparaison avec le mois précédent",
            "4 demande(s) de plus",
            "Politique de la structure",
        ] {
            assert!(flat.contains(needle), "{needle} in {flat}");
        }
    }
    let (s, _, _) = download(app, t, &format!("/api/v1/reports/monthly?month={month}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = download(app, sup, "/api/v1/reports/monthly?month=2026-13").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn stats_of_a_known_history_on_sqlite() {
    known_history(Options::default()).await;
}

#[tokio::test]
async fn stats_of_a_known_history_on_postgresql() {
    known_history(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

/// The pages' downloads and lookups answer bad input with a message, not
/// a file.
#[tokio::test]
async fn stats_pages_and_commune_lookup_refuse_bad_input() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    for (path, message) in [
        ("/stats/export?period=month&format=pdf", "Choix invalide"),
        (
            "/stats/export?period=month&table=colour&format=csv",
            "Choix invalide",
        ),
        (
            "/stats/interventions?from=2026-02-01&to=2026-01-01&format=csv",
            "avant son début",
        ),
        (
            "/stats/territory?period=month&threshold=1&format=csv",
            "Seuil invalide",
        ),
        ("/stats/report.pdf?month=2026-13", "Mois invalide"),
    ] {
        let p = b.get(path).await;
        assert_eq!(
            p.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            p.body
        );
        assert!(!p.headers.contains_key("content-disposition"), "{path}");
        assert!(p.body.contains("id=\"form-errors\""), "{path}");
        assert!(p.body.contains(message), "{path}: {message}");
    }
    let ok = b
        .get("/stats/export?period=year&table=category&format=csv")
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body.starts_with('\u{feff}'));
    // The period form sends the days it shows: a preset chosen in the
    // select wins over them, typed days win under an unchanged select.
    let first = b.get("/stats").await;
    let from_input = |body: &str| {
        let at = body
            .find(r#"id="from" name="from" type="date" value=""#)
            .unwrap();
        body[at + 41..at + 51].to_owned()
    };
    let shown_from = from_input(&first.body);
    assert!(first.body.contains(r#"name="shown" value="month""#));
    let year = b
        .get(&format!(
            "/stats?shown=month&period=year&from={shown_from}&to={shown_from}"
        ))
        .await;
    assert_eq!(
        from_input(&year.body),
        format!("{}-01-01", &shown_from[..4])
    );
    let typed = b
        .get("/stats?shown=year&period=year&from=2026-03-01&to=2026-03-31")
        .await;
    assert_eq!(from_input(&typed.body), "2026-03-01");
    // The commune lookup: a postcode designates its commune; too short, nothing.
    let p = b.get("/communes/lookup?q=69001").await;
    let v: Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(
        (v[0]["insee_code"].as_str(), v[0]["sure"].as_bool()),
        (Some("69381"), Some(true)),
        "{v}"
    );
    assert_eq!(v[1]["sure"], false);
    let p = b.get("/communes/lookup?q=6").await;
    assert_eq!(p.body, "[]");
    let anonymous = app.browser().get("/communes/lookup?q=69001").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}
