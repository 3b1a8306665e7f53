//! Reminders: the inbox, e-mails sent once with several servers, the
//! private calendar feed.

use crate::helpers::*;
use relais_domain::{AgentId, StructureId};
use reqwest::StatusCode;
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// A local SMTP sink: accepts any number of connections and keeps the
/// messages (their data) it received.
fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let store = messages.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let store = store.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(stream.try_clone().unwrap());
                let mut w = stream;
                let _ = w.write_all(b"220 sink ESMTP\r\n");
                let mut data = String::new();
                let mut in_data = false;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            store.lock().unwrap().push(std::mem::take(&mut data));
                            let _ = w.write_all(b"250 queued\r\n");
                        } else {
                            data.push_str(&line);
                        }
                        continue;
                    }
                    let reply: &[u8] = if line.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if line.starts_with("DATA") {
                        in_data = true;
                        b"354 go\r\n"
                    } else if line.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = w.write_all(reply);
                }
            });
        }
    });
    (port, messages)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(db_url: &str, smtp_port: u16) -> Server {
    Server(
        Command::new(env!("CARGO_BIN_EXE_relais"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database", db_url])
            .env("RELAIS_LOG", "warn")
            .env("RELAIS_DATA_KEY", TEST_DATA_KEY)
            .env(
                "RELAIS_NOTIFIER",
                format!("smtp://127.0.0.1:{smtp_port}?from=relais@ccas.test"),
            )
            .env_remove("RELAIS_DATABASE_URL")
            .env_remove("RELAIS_LISTEN")
            .env_remove("RELAIS_PREVIOUS_DATA_KEYS")
            .env_remove("RELAIS_DATA_KEY_FILE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

#[tokio::test]
async fn two_servers_on_one_postgresql_send_each_reminder_once() {
    let Some(app) = spawn_app(Options {
        postgres: true,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    let today = app.services.today();
    let due = app.store.open_follow_ups_until(today).await.unwrap();
    assert!(due.len() >= 3, "the demo has due follow-ups: {}", due.len());
    let (port, sink) = smtp_sink();
    let _a = start_server(&app._db.url, port);
    let _b = start_server(&app._db.url, port);
    let count = || async {
        let pool = match app.store.engine() {
            relais_store::Engine::Postgres(p) => p.clone(),
            relais_store::Engine::Sqlite { .. } => unreachable!(),
        };
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notifications")
            .fetch_one(&pool)
            .await
            .unwrap();
        let (sent,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE email_status = 'sent'")
                .fetch_one(&pool)
                .await
                .unwrap();
        (n as usize, sent as usize)
    };
    let mut waited = 0;
    while (count().await.1 < due.len() || sink.lock().unwrap().len() < due.len()) && waited < 60 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        waited += 1;
    }
    // Give a duplicate the time to show up, if there were one.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let (notifications, sent) = count().await;
    assert_eq!(
        notifications,
        due.len(),
        "one notification per due follow-up"
    );
    assert_eq!(sent, due.len());
    let mails = sink.lock().unwrap().clone();
    assert_eq!(mails.len(), due.len(), "one e-mail per notification");
    for m in &mails {
        assert!(m.contains("relais"), "{m}");
        for f in &due {
            if let Some(first) = &f.person_first_name {
                if first.len() > 3 {
                    assert!(
                        !m.contains(&format!("{first} ")),
                        "no names in e-mails: {m}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_inbox_lists_reminders_once_and_a_broken_smtp_is_retried() {
    let app = spawn_app(Options::default()).await.unwrap();
    let today = app.services.today();
    let due = app.store.open_follow_ups_until(today).await.unwrap();
    let first = app.services.run_reminders().await.unwrap();
    assert_eq!(first.created as usize, due.len());
    assert_eq!(
        first.emailed as usize,
        due.len(),
        "the file notifier takes them"
    );
    let again = app.services.run_reminders().await.unwrap();
    assert_eq!((again.created, again.emailed), (0, 0), "once each");

    let t = token(&app, "agent@demoville.test").await;
    let (s, list) = call(&app, &t, "GET", "/api/v1/notifications", None).await;
    assert_eq!(s, StatusCode::OK);
    let mine = list.as_array().unwrap().len();
    assert!(mine > 0, "{list}");
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let inbox = b.get("/inbox").await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("Suivi"), "{}", inbox.body);
    let (s, r) = call(
        &app,
        &t,
        "POST",
        "/api/v1/notifications/read",
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["read"], mine);
    let (_, list) = call(&app, &t, "GET", "/api/v1/notifications", None).await;
    assert!(list.as_array().unwrap().iter().all(|n| n["read"] == true));

    // A broken SMTP server: the e-mail waits and is retried; pages work.
    let broken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = broken.local_addr().unwrap().port();
    drop(broken);
    let services = app.services.clone().with_notifier(Arc::new(
        relais_service::notify::SmtpNotifier::from_url(&format!(
            "smtp://127.0.0.1:{port}?from=relais@ccas.test"
        ))
        .unwrap(),
    ));
    let (_, p) = call(&app, &t, "POST", "/api/v1/persons", Some(json!({"privacy_notice_on": "2026-01-05", "first_name": "Rappel", "last_name": "Smtp", "confirm_new": true}))).await;
    let (s, f) = call(&app, &t, "POST", "/api/v1/follow-ups", Some(json!({"person_id": p["id"], "due_date": today.to_string(), "reason": "Rappeler la CAF"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let r = services.run_reminders().await.unwrap();
    assert_eq!((r.created, r.emailed, r.email_failures), (1, 0, 1));
    assert_eq!(b.get("/inbox").await.status, StatusCode::OK);
    let admin = app.browser();
    admin.sign_in("admin@demoville.test", DEMO_PASSWORD).await;
    let page = admin.get("/inbox").await;
    assert!(
        page.body.contains("Courriels de rappel"),
        "admins see the e-mail backlog"
    );
    // Retried after the back-off, not before.
    assert_eq!(services.send_pending_emails().await.unwrap(), (0, 0));
    app.clock.advance(chrono::Duration::minutes(3));
    let fixed = app.services.clone();
    assert_eq!(fixed.send_pending_emails().await.unwrap(), (1, 0));
}

#[tokio::test]
async fn the_calendar_feed_parses_and_holds_the_agents_follow_ups() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.submit("/account", "/account/calendar", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let url = page
        .text_of_id("calendar-url")
        .expect("the address is shown once");
    let path = url.split_once("127.0.0.1").unwrap().1;
    let path = &path[path.find('/').unwrap()..];
    // No session needed: the secret address is the key.
    let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let text = r.text().await.unwrap();
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = parser.next().expect("one calendar").expect("it parses");
    let agent = app
        .store
        .agent_by_email("agent@demoville.test")
        .await
        .unwrap()
        .unwrap();
    let sid = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id;
    let expected = app
        .store
        .follow_ups_due(
            StructureId(sid),
            AgentId(agent.id),
            app.services.today() + chrono::Duration::days(366),
        )
        .await
        .unwrap();
    assert!(!expected.is_empty());
    assert_eq!(cal.events.len(), expected.len());
    let uids: Vec<String> = cal
        .events
        .iter()
        .filter_map(|e| e.properties.iter().find(|p| p.name == "UID"))
        .filter_map(|p| p.value.clone())
        .collect();
    for f in &expected {
        assert!(uids.contains(&format!("{}@relais", f.follow_up.id)));
    }
    assert!(
        !text.contains(expected[0].person_last_name.as_deref().unwrap_or("§")),
        "no names"
    );
    // Revoked: the address no longer answers.
    b.submit("/account", "/account/calendar/revoke", &[]).await;
    let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Made-up addresses answer 404; one that is not even text, 400.
    for (bad, expected) in [
        ("/calendar/0000.ics", StatusCode::NOT_FOUND),
        ("/calendar/.ics", StatusCode::NOT_FOUND),
        ("/calendar/%00%ff.ics", StatusCode::BAD_REQUEST),
    ] {
        let r = reqwest::get(format!("{}{bad}", app.base)).await.unwrap();
        assert_eq!(r.status(), expected, "{bad}");
    }
}

#[tokio::test]
async fn a_person_who_consented_gets_one_reminder() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let today = app.services.today();
    let (_, p) = call(&app, &t, "POST", "/api/v1/persons", Some(json!({"privacy_notice_on": "2026-01-05", "first_name": "Lina", "last_name": "Rappel", "email": "lina@example.test", "confirm_new": true}))).await;
    let pid = p["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/persons/{pid}/reminder-consent");
    let (s, e) = call(&app, &t, "PUT", &path, Some(json!({"channel": "sms"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["code"], "no_phone");
    let (s, e) = call(&app, &t, "PUT", &path, Some(json!({"channel": "pigeon"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // In the page, the person's agreement must be ticked.
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b
        .submit(
            &format!("/persons/{pid}"),
            &format!("/persons/{pid}/reminders"),
            &[("channel", "email")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = b
        .submit(
            &format!("/persons/{pid}"),
            &format!("/persons/{pid}/reminders"),
            &[("channel", "email"), ("consent", "1")],
        )
        .await;
    assert!(page.status.is_redirection(), "{}", page.status);
    let (s, f) = call(&app, &t, "POST", "/api/v1/follow-ups", Some(json!({"person_id": pid, "due_date": today.to_string(), "reason": "Apporter l'avis d'imposition"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let r = app.services.run_reminders().await.unwrap();
    assert_eq!(r.to_persons, 1, "{r:?}");
    let again = app.services.run_reminders().await.unwrap();
    assert_eq!(again.to_persons, 0);
    let sent = std::fs::read_to_string(&app.notifications).unwrap();
    let to_person: Vec<&str> = sent
        .lines()
        .filter(|l| l.contains("lina@example.test"))
        .collect();
    assert_eq!(to_person.len(), 1, "{sent}");
    assert!(to_person[0].contains("CCAS de D"), "{}", to_person[0]);
    assert!(
        !to_person[0].contains("avis d'imposition"),
        "the reason stays inside relais"
    );
    // Withdrawn: no more messages.
    let (s, _) = call(&app, &t, "PUT", &path, Some(json!({"channel": "none"}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let actions = app
        .journal_actions(
            &app.store
                .structure_by_slug("ccas-demoville")
                .await
                .unwrap()
                .unwrap()
                .id
                .to_string(),
        )
        .await;
    assert!(actions.iter().any(|a| a == "person.reminder_consent_given"));
    assert!(actions
        .iter()
        .any(|a| a == "person.reminder_consent_withdrawn"));
    let instance = app.journal_actions("instance").await;
    assert!(
        instance.iter().any(|a| a == "reminders.person_queued"),
        "{instance:?}"
    );
}
