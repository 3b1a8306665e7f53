//! The role × route matrix, generated from the router's own table
//! (`relais_web::routes()`): every route is called by an anonymous visitor
//! and by each role of the demo structure, then with another structure's
//! ids where its path names a record, and each answer is checked against
//! the access the table declares. A route added to the router is in the
//! table, hence here; a path parameter the matrix does not know fails it.

use crate::helpers::*;
use relais_domain::Role;
use relais_web::{Access, RouteSpec};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The records of one structure that paths name.
struct Ids {
    person: String,
    request: String,
    follow_up: String,
    mandate: String,
    referral: String,
    place: String,
    procedure: String,
    note: String,
    member: String,
}

/// Creates one record through the API and returns its id.
async fn create(app: &TestApp, t: &str, path: &str, body: Value) -> String {
    let (s, v) = call(app, t, "POST", path, Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{path}: {v}");
    v["id"].as_str().expect("an id").to_owned()
}

/// One record of each kind in the structure of `t`, a supervisor's token.
async fn records(app: &TestApp, t: &str, slug: &str, tag: &str) -> Ids {
    let person = create(
        app,
        t,
        "/api/v1/persons",
        json!({"privacy_notice_on": "2026-01-05", "first_name": "Zoé", "last_name": tag,
               "birth_year": 1958, "commune": "Démoville", "postcode": "69100",
               "confirm_new": true}),
    )
    .await;
    let request = create(
        app,
        t,
        "/api/v1/help-requests",
        json!({"person_id": person, "procedure": "Demande d'aide au logement",
               "category": "logement", "operator": "CAF", "status": "open",
               "intervention": {"mode": "done_with", "duration_minutes": 10}}),
    )
    .await;
    let follow_up = create(
        app,
        t,
        "/api/v1/follow-ups",
        json!({"help_request_id": request, "reason": "Rappeler",
               "due_date": (app.clock_now().date_naive() + chrono::Duration::days(20)).to_string()}),
    )
    .await;
    let mandate = create(
        app,
        t,
        "/api/v1/mandates",
        json!({"person_id": person, "categories": ["logement"], "duration": "six_months",
               "consent": "paper"}),
    )
    .await;
    let referral = create(
        app,
        t,
        "/api/v1/referrals",
        json!({"help_request_id": request, "operator_id": "caf", "reason": "Appeler la CAF"}),
    )
    .await;
    let place = create(
        app,
        t,
        "/api/v1/places",
        json!({"name": format!("Permanence {tag}"), "address": "2 place de la Nation",
               "postcode": "69120", "opening_hours": "Mo 14:00-17:00",
               "services": ["demarches"]}),
    )
    .await;
    let procedure = create(
        app,
        t,
        "/api/v1/procedures",
        json!({"title": format!("Aide communale {tag}"), "category": "transports",
               "operator": "Mairie"}),
    )
    .await;
    let note = create(
        app,
        t,
        &format!("/api/v1/persons/{person}/private-notes"),
        json!({"body": "note"}),
    )
    .await;
    let member = app
        .services
        .cli_add_user(
            &format!("membre-{tag}@matrice.test"),
            "Membre Matrice",
            slug,
            "agent",
            "mot-de-passe-long-1",
        )
        .await
        .unwrap()
        .0
        .to_string();
    Ids {
        person,
        request,
        follow_up,
        mandate,
        referral,
        place,
        procedure,
        note,
        member,
    }
}

/// The path of `route` with its parameters filled from `ids`, and whether
/// one of them names a record of the structure (then another structure's
/// ids must find nothing).
fn concrete(route: &RouteSpec, ids: &Ids) -> (String, bool) {
    let mut scoped = false;
    let mut out = Vec::new();
    let segments: Vec<&str> = route.path.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        if !seg.starts_with('{') {
            out.push((*seg).to_owned());
            continue;
        }
        let before = if i > 0 { segments[i - 1] } else { "" };
        let (value, names_a_record) = match (*seg, before) {
            ("{note}", _) => (ids.note.clone(), true),
            (_, "persons") => (ids.person.clone(), true),
            (_, "help-requests" | "requests") => (ids.request.clone(), true),
            (_, "follow-ups") => (ids.follow_up.clone(), true),
            (_, "mandates") => (ids.mandate.clone(), true),
            (_, "referrals") => (ids.referral.clone(), true),
            (_, "own") => (ids.place.clone(), true),
            // The directory of places is public; changing one is not.
            (_, "places") => (ids.place.clone(), route.method != Method::GET),
            (_, "procedures") => (ids.procedure.clone(), true),
            (_, "team") => (ids.member.clone(), true),
            (_, "operators") => ("caf".to_owned(), false),
            // The agent's own notifications and tokens.
            (_, "inbox" | "tokens") => (uuid::Uuid::now_v7().to_string(), false),
            (_, "invite" | "reset" | "join") => ("not-a-token".to_owned(), false),
            (_, "calendar") => ("not-a-feed.ics".to_owned(), false),
            (_, "v") => ("NOPE2345".to_owned(), false),
            (_, "lang") => ("fr".to_owned(), false),
            _ => panic!(
                "{} {}: a parameter the matrix does not know; say here what to put in it",
                route.method, route.path
            ),
        };
        scoped |= names_a_record;
        out.push(value);
    }
    (out.join("/"), scoped)
}

/// Who calls: nobody, or a demo account with its token and browser.
struct Caller {
    role: Option<Role>,
    email: &'static str,
    token: String,
    browser: Browser,
    csrf: String,
}

impl Caller {
    fn name(&self) -> &'static str {
        self.role.map(Role::as_str).unwrap_or("anonymous")
    }
}

async fn caller(app: &TestApp, role: Option<Role>, email: &'static str) -> Caller {
    let browser = app.browser();
    let (token, csrf) = match role {
        None => (String::new(), browser.get("/login").await.csrf()),
        Some(_) => {
            let signed = browser.sign_in(email, DEMO_PASSWORD).await;
            assert!(signed.status.is_redirection(), "{email}: {}", signed.status);
            (
                crate::helpers::token(app, email).await,
                browser.get("/account").await.csrf(),
            )
        }
    };
    Caller {
        role,
        email,
        token,
        browser,
        csrf,
    }
}

/// One call as a program (API) or a browser (pages): the status and where
/// a redirect goes.
async fn send(c: &Caller, method: &Method, path: &str) -> (StatusCode, String) {
    let url = format!("{}{path}", c.browser.base);
    let r = if path.starts_with("/api/") {
        let mut req = reqwest::Client::new().request(method.clone(), url);
        if !c.token.is_empty() {
            req = req.bearer_auth(&c.token);
        }
        if [Method::POST, Method::PUT, Method::PATCH].contains(method) {
            req = req.json(&json!({}));
        }
        req.send().await.unwrap()
    } else {
        let mut req = c.browser.client.request(method.clone(), url);
        if method == Method::POST {
            req = req.form(&[("csrf", c.csrf.as_str())]);
        }
        req.send().await.unwrap()
    };
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (r.status(), location)
}

/// What the table says of an answer, or why it is wrong.
fn judge(
    route: &RouteSpec,
    role: Option<Role>,
    foreign: bool,
    status: StatusCode,
    location: &str,
) -> Result<(), String> {
    if status.is_server_error() {
        return Err(format!("{status}"));
    }
    let api = route.path.starts_with("/api/");
    let to_sign_in = status == StatusCode::SEE_OTHER && location.starts_with("/login");
    match (route.access, role) {
        (Access::Public, _) => Ok(()),
        (_, None) if api && status == StatusCode::UNAUTHORIZED => Ok(()),
        (_, None) if !api && to_sign_in => Ok(()),
        (_, None) => Err(format!("{status} {location}, expected the sign-in")),
        (access, Some(r)) if !access.allows(r) => match status {
            StatusCode::FORBIDDEN => Ok(()),
            _ => Err(format!("{status}, expected 403 ({access:?})")),
        },
        // Not found, or an input refused before the record is looked up:
        // nothing read, nothing written, nothing told.
        (_, Some(_)) if foreign => match status {
            StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                Ok(())
            }
            _ => Err(format!(
                "{status}, expected 404 for another structure's record"
            )),
        },
        (_, Some(_)) => match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(format!("{status}")),
            _ if to_sign_in && !ENDS_THE_SESSION.contains(&route.path.as_ref()) => {
                Err(format!("{status} to the sign-in"))
            }
            _ => Ok(()),
        },
    }
}

/// Routes after which the browser's session is over.
const ENDS_THE_SESSION: [&str; 2] = ["/logout", "/account/sessions/revoke-all"];

async fn the_matrix(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    app.services
        .cli_add_structure(
            "France Services d'Ailleurs",
            "fs-ailleurs",
            "france_services",
        )
        .await
        .unwrap();
    app.services
        .cli_add_user(
            "etranger@ailleurs.test",
            "Eli Ailleurs",
            "fs-ailleurs",
            "supervisor",
            "mot-de-passe-long-1",
        )
        .await
        .unwrap();
    let sup = token(&app, "responsable@demoville.test").await;
    let own = records(&app, &sup, relais_service::DEMO_STRUCTURE_SLUG, "Ici").await;
    let elsewhere = token(&app, "etranger@ailleurs.test").await;
    let foreign = records(&app, &elsewhere, "fs-ailleurs", "Ailleurs").await;

    let accounts: [(Option<Role>, &str); 5] = [
        (None, ""),
        (Some(Role::Mediator), "mediateur@demoville.test"),
        (Some(Role::Agent), "agent@demoville.test"),
        (Some(Role::Supervisor), "responsable@demoville.test"),
        (Some(Role::Admin), "admin@demoville.test"),
    ];
    let routes = relais_web::routes();
    assert!(routes.len() > 150, "{} routes", routes.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for (role, email) in accounts {
        let mut c = caller(&app, role, email).await;
        for route in routes {
            let (path, scoped) = concrete(route, &own);
            let (status, location) = send(&c, &route.method, &path).await;
            checked += 1;
            if let Err(why) = judge(route, role, false, status, &location) {
                failures.push(format!("{} {} {path}: {why}", c.name(), route.method));
            }
            if scoped && role.is_some_and(|r| route.access.allows(r)) {
                let (path, _) = concrete(route, &foreign);
                let (status, location) = send(&c, &route.method, &path).await;
                checked += 1;
                if let Err(why) = judge(route, role, true, status, &location) {
                    failures.push(format!("{} {} {path}: {why}", c.name(), route.method));
                }
            }
            if ENDS_THE_SESSION.contains(&route.path.as_ref()) {
                c = caller(&app, role, c.email).await;
            }
        }
    }
    eprintln!(
        "route matrix: {checked} (caller, route) pairs checked over {} routes",
        routes.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_route_answers_every_role_as_its_table_says_on_sqlite() {
    the_matrix(Options::default()).await;
}

#[tokio::test]
async fn every_route_answers_every_role_as_its_table_says_on_postgresql() {
    the_matrix(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}
