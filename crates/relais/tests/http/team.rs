use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn a_supervisor_invites_a_member_who_creates_an_account() {
    let app = spawn_app(Options::default()).await.unwrap();
    let sup = app.browser();
    sup.sign_in("responsable@demoville.test", DEMO_PASSWORD)
        .await;
    let team = sup.get("/team").await;
    assert_eq!(team.status, StatusCode::OK);
    assert!(team.body.contains("Camille Agent"));

    // Invalid input comes back beside the fields, nothing written.
    let bad = sup
        .post(
            "/team/invite",
            &team.csrf(),
            &[
                ("email", "pas-une-adresse"),
                ("name", ""),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Adresse e-mail invalide."));
    assert!(bad.body.contains("Ce champ est obligatoire."));
    assert!(bad.body.contains("Vous ne pouvez pas attribuer ce rôle."));

    let r = sup
        .post(
            "/team/invite",
            &team.csrf(),
            &[
                ("email", "lea@demoville.test"),
                ("name", "Léa Nouvelle"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let link = r.text_of_id("invite-link").unwrap();
    // The page shows the whole address; the browser follows its path.
    let link = link
        .strip_prefix(app.base.as_str())
        .unwrap_or(&link)
        .to_owned();
    assert!(link.starts_with("/invite/"));

    let newcomer = app.browser();
    let page = newcomer.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("lea@demoville.test"));
    let weak = newcomer
        .post(
            &link,
            &page.csrf(),
            &[
                ("name", "Léa"),
                ("password", "court"),
                ("password_confirm", "court"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = newcomer
        .post(
            &link,
            &page.csrf(),
            &[
                ("name", "Léa Nouvelle"),
                ("password", "une phrase de passe"),
                ("password_confirm", "une phrase de passe"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/login?done=account-created");
    // The link works once.
    assert_eq!(newcomer.get(&link).await.status, StatusCode::GONE);
    assert_eq!(
        newcomer
            .sign_in("lea@demoville.test", "une phrase de passe")
            .await
            .location(),
        "/"
    );

    // Deactivation closes the door; reactivation opens it again.
    let team = sup.get("/team").await;
    let lea = app
        .store
        .agent_by_email("lea@demoville.test")
        .await
        .unwrap()
        .unwrap();
    let r = sup
        .post(&format!("/team/{}/deactivate", lea.id), &team.csrf(), &[])
        .await;
    assert_eq!(r.location(), "/team?done=member-deactivated");
    assert_eq!(newcomer.get("/").await.location(), "/login");
    assert_eq!(
        newcomer
            .sign_in("lea@demoville.test", "une phrase de passe")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    sup.post(&format!("/team/{}/reactivate", lea.id), &team.csrf(), &[])
        .await;
    assert_eq!(
        newcomer
            .sign_in("lea@demoville.test", "une phrase de passe")
            .await
            .location(),
        "/"
    );

    // A reset link sets a new password.
    let r = sup
        .post(&format!("/team/{}/reset", lea.id), &team.csrf(), &[])
        .await;
    let link = r.text_of_id("invite-link").unwrap();
    // The page shows the whole address; the browser follows its path.
    let link = link
        .strip_prefix(app.base.as_str())
        .unwrap_or(&link)
        .to_owned();
    assert!(link.starts_with("/reset/"));
    let page = newcomer.get(&link).await;
    let ok = newcomer
        .post(
            &link,
            &page.csrf(),
            &[
                ("password", "un autre secret long"),
                ("password_confirm", "un autre secret long"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/login?done=password-reset-done");
    assert_eq!(
        newcomer
            .sign_in("lea@demoville.test", "un autre secret long")
            .await
            .location(),
        "/"
    );

    let structure_chain = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let actions = app.journal_actions(&structure_chain).await;
    for a in [
        "team.invitation_created",
        "team.invitation_accepted",
        "team.member_deactivated",
        "team.member_reactivated",
        "team.password_reset_link_created",
        "account.password_reset",
    ] {
        assert!(actions.contains(&a.to_owned()), "{a} journaled");
    }
}

#[tokio::test]
async fn roles_are_enforced_and_other_structures_are_invisible() {
    let app = spawn_app(Options::default()).await.unwrap();
    let agent = app.browser();
    agent.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(agent.get("/team").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        agent.get("/admin/structures").await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = agent.get("/").await.csrf();
    let r = agent
        .post(
            "/team/invite",
            &csrf,
            &[
                ("email", "x@demoville.test"),
                ("name", "X"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A supervisor of another structure cannot act on Démoville's members.
    app.services
        .cli_add_structure("CCAS d'Ailleurs", "ccas-ailleurs", "ccas")
        .await
        .unwrap();
    app.services
        .cli_add_user(
            "chef@ailleurs.test",
            "Chef Ailleurs",
            "ccas-ailleurs",
            "supervisor",
            "une phrase de passe",
        )
        .await
        .unwrap();
    let other = app.browser();
    other
        .sign_in("chef@ailleurs.test", "une phrase de passe")
        .await;
    let page = other.get("/team").await;
    assert!(!page.body.contains("Camille Agent"));
    let camille = app
        .store
        .agent_by_email("agent@demoville.test")
        .await
        .unwrap()
        .unwrap();
    for action in ["deactivate", "reactivate", "reset"] {
        let r = other
            .post(&format!("/team/{}/{action}", camille.id), &page.csrf(), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{action}");
    }
    // Supervisors cannot deactivate an admin or themselves.
    let sup = app.browser();
    sup.sign_in("responsable@demoville.test", DEMO_PASSWORD)
        .await;
    let admin = app
        .store
        .agent_by_email("admin@demoville.test")
        .await
        .unwrap()
        .unwrap();
    let me = app
        .store
        .agent_by_email("responsable@demoville.test")
        .await
        .unwrap()
        .unwrap();
    let csrf = sup.get("/team").await.csrf();
    for id in [admin.id, me.id] {
        let r = sup
            .post(&format!("/team/{id}/deactivate"), &csrf, &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn an_admin_creates_structures_with_checked_input() {
    let app = spawn_app(Options::default()).await.unwrap();
    let admin = app.browser();
    admin.sign_in("admin@demoville.test", DEMO_PASSWORD).await;
    let page = admin.get("/admin/structures").await;
    assert_eq!(page.status, StatusCode::OK);
    let before = app.store.list_structures().await.unwrap().len();
    let bad = admin
        .post(
            "/admin/structures",
            &page.csrf(),
            &[
                ("name", "X"),
                ("slug", "Pas Bon"),
                ("kind", "mairie"),
                ("siret", "123"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "Trop court : ",
        "Identifiant invalide",
        "Choix invalide.",
        "SIRET invalide",
    ] {
        assert!(bad.body.contains(msg), "{msg}");
    }
    assert_eq!(app.store.list_structures().await.unwrap().len(), before);
    let ok = admin
        .post(
            "/admin/structures",
            &page.csrf(),
            &[
                ("name", "France Services de Démoville"),
                ("slug", "fs-demoville"),
                ("kind", "france_services"),
                ("siret", ""),
                ("commune", "Démoville"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/admin/structures?done=structure-created");
    let dup = admin
        .post(
            "/admin/structures",
            &page.csrf(),
            &[
                ("name", "Autre"),
                ("slug", "fs-demoville"),
                ("kind", "other"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert!(dup.body.contains("Cet identifiant est déjà utilisé."));
    assert_eq!(app.store.list_structures().await.unwrap().len(), before + 1);
}

#[tokio::test]
async fn an_agent_in_two_structures_switches_between_them() {
    let app = spawn_app(Options::default()).await.unwrap();
    let other = app
        .services
        .cli_add_structure("Association Entraide", "entraide", "association")
        .await
        .unwrap();
    app.services
        .cli_add_user(
            "agent@demoville.test",
            "Camille Agent",
            "entraide",
            "mediator",
            "peu importe ici",
        )
        .await
        .unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let home = b.get("/").await;
    assert!(home.body.contains("name=\"structure_id\""));
    let r = b
        .post(
            "/structure",
            &home.csrf(),
            &[("structure_id", &other.id.to_string())],
        )
        .await;
    assert_eq!(r.location(), "/");
    let home = b.get("/").await;
    assert!(home
        .body
        .contains("Association Entraide avec le rôle\u{a0}: Médiateur"));
    let bogus = b
        .post(
            "/structure",
            &home.csrf(),
            &[("structure_id", &uuid::Uuid::now_v7().to_string())],
        )
        .await;
    assert_eq!(bogus.status, StatusCode::NOT_FOUND);
}
