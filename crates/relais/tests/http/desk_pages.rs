//! The desk pages of issue 16: the person page's header and order, mandate
//! badges in search results, the team's overdue work on a supervisor's
//! home, the unread reminders on the top bar.

use crate::helpers::*;
use relais_domain::{AgentId, StructureId};
use reqwest::StatusCode;
use serde_json::json;

async fn new_person(app: &TestApp, t: &str, first: &str, last: &str) -> String {
    let (s, p) = call(
        app,
        t,
        "POST",
        "/api/v1/persons",
        Some(json!({
            "first_name": first, "last_name": last, "birth_year": 1961, "commune": "Démoville",
            "privacy_notice_on": "2026-01-05", "confirm_new": true
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

/// The text between `id="{id}"` and the end of its element's first child
/// text run, tags removed (enough for one line of the page).
fn line_of(page: &Page, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let at = page.body.find(&marker).unwrap_or_else(|| panic!("no {id}"));
    let start = at + page.body[at..].find('>').unwrap() + 1;
    let end = start + page.body[start..].find("</dd>").unwrap();
    let mut out = String::new();
    let mut in_tag = false;
    for c in page.body[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#39;", "'")
}

async fn badges_in_search_and_on_the_person_page(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let pid = new_person(&app, &t, "Berthe", "Badgeuse").await;
    let other = new_person(&app, &t, "Bernard", "Badgeuse").await;
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;

    // No mandate: nothing in the results, "Pas de mandat" on the file.
    let list = b.get("/persons?q=badgeuse").await;
    assert!(list.body.contains("Berthe BADGEUSE"));
    assert!(
        !list.body.contains("class=\"badge mandate"),
        "{}",
        list.body
    );
    let page = b.get(&format!("/persons/{pid}")).await;
    assert_eq!(line_of(&page, "mandate-badge"), "Pas de mandat");

    // Drawn up, not signed: "à signer".
    let (s, m) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({"person_id": pid, "categories": ["argent", "famille"], "duration": "twelve_months", "consent": "paper"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = m["id"].as_str().unwrap().to_owned();
    let list = b.get("/persons?q=badgeuse").await;
    assert!(
        list.body.contains("Mandat à signer : Famille"),
        "{}",
        list.body
    );

    // Signed: the categories (in their usual order) and the end date, in
    // the list, in the intake's live results and in the file's header.
    let (s, r) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let ends = relais_domain::mandate::MandateDuration::TwelveMonths
        .end_date(app.services.today())
        .format("%d/%m/%Y")
        .to_string();
    let family = "Famille";
    let expected = format!("Mandat : {family}");
    let list = b.get("/persons?q=badgeuse").await;
    assert!(list.body.contains(&expected), "{}", list.body);
    assert!(list.body.contains(&ends), "{}", list.body);
    assert_eq!(
        list.body.matches("class=\"badge mandate-active\"").count(),
        1,
        "only Berthe has one"
    );
    let live = b.get("/persons/search?q=badgeuse").await;
    assert_eq!(live.status, StatusCode::OK);
    assert!(live.body.contains(&expected), "{}", live.body);
    assert!(
        live.body
            .contains(&format!("name=\"person_id\" value=\"{pid}\"")),
        "the results keep their radio buttons"
    );
    let page = b.get(&format!("/persons/{pid}")).await;
    let badge = line_of(&page, "mandate-badge");
    assert!(badge.starts_with(&expected), "{badge}");
    assert!(badge.ends_with(&format!("jusqu'au {ends}")), "{badge}");
    assert!(badge.contains("Argent"), "{badge}");
    assert_eq!(
        line_of(&b.get(&format!("/persons/{other}")).await, "mandate-badge"),
        "Pas de mandat"
    );

    // Revoked: no mandate any more.
    let (s, r) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/revoke"),
        Some(json!({"reason": "test"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let page = b.get(&format!("/persons/{pid}")).await;
    assert_eq!(line_of(&page, "mandate-badge"), "Pas de mandat");
}

#[tokio::test]
async fn mandate_badges_show_in_search_results_and_the_file_on_sqlite() {
    badges_in_search_and_on_the_person_page(Options::default()).await;
}

#[tokio::test]
async fn mandate_badges_show_in_search_results_and_the_file_on_postgresql() {
    badges_in_search_and_on_the_person_page(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

#[tokio::test]
async fn the_person_page_puts_the_header_and_history_first() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = new_person(&app, &t, "Henriette", "Entete").await;
    let (s, r) = call(&app, &t, "POST", "/api/v1/help-requests", Some(json!({"person_id": pid, "procedure": "Déclaration trimestrielle RSA", "category": "social", "intervention": {"mode": "done_with", "duration_minutes": 30}}))).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.get(&format!("/persons/{pid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let year = chrono::Datelike::year(&app.services.today());
    assert_eq!(
        page.text_of_id("next-follow-up").as_deref(),
        Some("Aucun suivi prévu")
    );
    assert!(
        page.body
            .contains(&format!("<dd>{} ans cette année</dd>", year - 1961)),
        "age from the birth year"
    );
    assert!(page.body.contains("<dd>Démoville</dd>"));
    let at = |needle: &str| {
        page.body
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} missing"))
    };
    assert!(at("id=\"h-history\"") < at("id=\"h-accounts\""));
    assert!(at("id=\"h-history\"") < at("id=\"h-profile\""));
    assert!(at("Déclaration trimestrielle RSA") < at("id=\"has-ameli\""));
    assert!(
        at("<details class=\"fold\" id=\"accounts\">") < at("id=\"has-ameli\""),
        "the accounts checklist is folded"
    );
    assert!(page
        .body
        .contains("<details class=\"fold\" id=\"autonomy-history\">"));

    // A follow-up: the next one shows in the header.
    let request_id = r["id"].as_str().unwrap().to_owned();
    let due = app.services.today() + chrono::Duration::days(3);
    let (s, f) = call(
        &app,
        &t,
        "POST",
        "/api/v1/follow-ups",
        Some(json!({"help_request_id": request_id, "due_date": due.to_string(), "reason": "Rappeler la personne"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let page = b.get(&format!("/persons/{pid}")).await;
    assert_eq!(
        line_of(&page, "next-follow-up"),
        format!("{} — Rappeler la personne", due.format("%d/%m/%Y"))
    );
}

async fn team_overdue_on_a_supervisors_home(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sid = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id;
    let team = app.store.team_of(StructureId(sid)).await.unwrap();
    let id_of = |email: &str| team.iter().find(|m| m.email == email).unwrap().agent_id;
    let today = app.services.today();
    let (total, items) = app
        .store
        .team_overdue_follow_ups(
            StructureId(sid),
            AgentId(id_of("responsable@demoville.test")),
            today,
            50,
        )
        .await
        .unwrap();
    assert!(total > 0, "the demo has overdue follow-ups of the agent");
    assert!(items.iter().all(|f| f.follow_up.due_date < today
        && !f.follow_up.done
        && f.follow_up.assignee_id != id_of("responsable@demoville.test")));
    assert_eq!(total, items.len() as i64);

    let sup = app.browser();
    sup.sign_in("responsable@demoville.test", DEMO_PASSWORD)
        .await;
    let home = sup.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(
        home.text_of_id("h-team-overdue").as_deref(),
        Some(format!("En retard dans l'équipe ({total})").as_str())
            .map(|s| s.replace('\'', "&#39;"))
            .as_deref()
    );
    let section = &home.body[home.body.find("id=\"team-overdue\"").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(
        section.contains("<span class=\"assignee\">Camille Agent</span>"),
        "{section}"
    );
    assert_eq!(
        section.matches("<li class=\"overdue\">").count(),
        items.len()
    );

    // An agent sees only their own.
    let agent = app.browser();
    agent.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let home = agent.get("/").await;
    assert!(!home.body.contains("id=\"team-overdue\""));
    assert!(home.body.contains("id=\"h-overdue\""));
}

#[tokio::test]
async fn a_supervisors_home_shows_the_teams_overdue_follow_ups_on_sqlite() {
    team_overdue_on_a_supervisors_home(Options::default()).await;
}

#[tokio::test]
async fn a_supervisors_home_shows_the_teams_overdue_follow_ups_on_postgresql() {
    team_overdue_on_a_supervisors_home(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

#[tokio::test]
async fn the_top_bar_counts_unread_reminders() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let home = b.get("/").await;
    assert!(
        home.body.contains(">Rappels</a>"),
        "no count before any reminder"
    );
    app.services.run_reminders().await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let (_, list) = call(&app, &t, "GET", "/api/v1/notifications", None).await;
    let n = list.as_array().unwrap().len();
    assert!(n > 1, "{list}");
    let home = b.get("/requests").await;
    assert!(
        home.body.contains(&format!(
            ">Rappels <span aria-hidden=\"true\">({n})</span><span class=\"visually-hidden\">({n} non lus)</span></a>"
        )),
        "{}",
        home.body
    );
    // Read one: the count follows.
    let inbox = b.get("/inbox").await;
    let marker = "action=\"/inbox/";
    let id = inbox
        .body
        .match_indices(marker)
        .map(|(at, _)| &inbox.body[at + marker.len()..at + marker.len() + 36])
        .find(|id| uuid::Uuid::parse_str(id).is_ok())
        .unwrap();
    let r = b
        .post(&format!("/inbox/{id}/read"), &inbox.csrf(), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = b.get("/").await;
    let left = n - 1;
    let unread = if left == 1 { "non lu" } else { "non lus" };
    assert!(page.body.contains(&format!("({left} {unread})</span></a>")));
    // In English too.
    b.get("/lang/en?next=/").await;
    let page = b.get("/").await;
    assert!(page.body.contains(&format!("({left} unread)</span></a>")));
    // All read: no count.
    let r = b.post("/inbox/read", &page.csrf(), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(b.get("/").await.body.contains(">Reminders</a>"));
}
