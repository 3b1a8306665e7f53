//! Places imported from the real France Services lists, and found near a
//! commune.

use crate::helpers::*;
use reqwest::StatusCode;
use std::process::{Command, Output, Stdio};

const FS_2024: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/data/france-services/liste-fs-20240801.csv"
);
const FS_2022: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/data/france-services/liste-fs-20221201.csv"
);

fn import(db: &str, file: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_relais"))
        .args([
            "import",
            "places",
            "--format",
            "france-services",
            file,
            "--database",
            db,
        ])
        .env("RELAIS_LOG", "warn")
        .env_remove("RELAIS_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn out(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        String::from_utf8_lossy(&o.stderr).trim().to_owned(),
    )
}

async fn france_services(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    if !std::path::Path::new(FS_2024).exists() {
        assert!(
            std::env::var("CI").ok().as_deref() != Some("true"),
            "the reference data is missing"
        );
        eprintln!("SKIP: ../shared/reference/data is not beside the checkout");
        return;
    }
    let db = app._db.url.clone();
    let o = import(&db, FS_2024);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stdout,
        "2845 rows: 2845 new, 0 updated, 0 unchanged, 0 rejected; 3 with an INSEE code missing from the official list of communes"
    );
    // Again: nothing changes.
    let (stdout, _) = out(&import(&db, FS_2024));
    assert!(
        stdout.starts_with("2845 rows: 0 new, 0 updated, 2845 unchanged, 0 rejected"),
        "{stdout}"
    );
    // The older list (other columns) updates the sites it knows.
    let o = import(&db, FS_2022);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("rejected\tline 1631\tinsee_com\tnot an INSEE code"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("2683 rows: 202 new, 2125 updated, 355 unchanged, 1 rejected; 3 with an INSEE code missing from the official list of communes"),
        "{stdout}"
    );

    // Near Valserhône (01033): its own site first, at 0 km.
    let t = token(&app, "agent@demoville.test").await;
    let (s, v) = call(&app, &t, "GET", "/api/v1/places?near=01033&limit=5", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let first = &v["items"][0];
    assert_eq!(first["insee_code"], "01033", "{v}");
    assert_eq!(first["distance_km"], 0.0);
    assert!(
        first["opening_hours"]
            .as_str()
            .is_some_and(|h| h.starts_with("Mo")),
        "{first}"
    );
    assert!(v["items"][1]["distance_km"].as_f64().unwrap() > 0.0);
    let id = first["id"].as_str().unwrap();
    let (s, p) = call(&app, &t, "GET", &format!("/api/v1/places/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["name"], first["name"]);
    let (s, e) = call(&app, &t, "GET", "/api/v1/places?near=99999", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "near");
    let (s, _) = call(
        &app,
        &t,
        "GET",
        "/api/v1/places/00000000-0000-0000-0000-000000000000",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Bad files: a message naming what was expected, nothing written.
    let dir = std::env::temp_dir().join(format!("relais-places-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let latin1 = dir.join("latin1.csv");
    let mut bytes = std::fs::read(FS_2024).unwrap()[..400].to_vec();
    bytes.extend_from_slice(b"\"9999\",\"01\",\"Maison de services \xe0 Bourg\"\n");
    std::fs::write(&latin1, bytes).unwrap();
    let o = import(&db, latin1.to_str().unwrap());
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).1.contains("Latin-1"), "{}", out(&o).1);
    let semicolons = dir.join("semicolons.csv");
    std::fs::write(&semicolons, "id_fs;lib_fs;adresse\n1;A;B\n").unwrap();
    let o = import(&db, semicolons.to_str().unwrap());
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).1.contains("comma-separated"), "{}", out(&o).1);
    // Rows that break the rules are listed with their line and field.
    let header = std::fs::read_to_string(FS_2024)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let rows = dir.join("rows.csv");
    std::fs::write(
        &rows,
        format!(
            "{header}\n\"90001\",\"01\",\"\",\"1 rue\",,\"01033\",\"01200\",\"X\",46.1,5.8,,,,,,,,,,,,,,\n\"90002\",\"01\",\"Site\",\"1 rue\",,\"01033\",\"1200\",\"X\",46.1,5.8,,,,,,,,,,,,,,\n\"90003\",\"01\",\"Site\",\"1 rue\",,\"01033\",\"01200\",\"X\",146.1,5.8,,,,,,,,,,,,,,\n\"90004\",\"01\",\"Bon site\",\"1 rue\",,\"01033\",\"01200\",\"Valserhône\",46.1,5.8,,,,,,,,,,,,,,\n"
        ),
    )
    .unwrap();
    let o = import(&db, rows.to_str().unwrap());
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("rejected\tline 2\tlib_fs\tempty"),
        "{stdout}"
    );
    assert!(stdout.contains("rejected\tline 3\tcode_postal"), "{stdout}");
    assert!(stdout.contains("rejected\tline 4\tlatitude"), "{stdout}");
    assert!(stdout.ends_with("4 rows: 1 new, 0 updated, 0 unchanged, 3 rejected; 0 with an INSEE code missing from the official list of communes"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn france_services_sites_import_once_and_are_found_near_a_commune_on_sqlite() {
    france_services(Options::default()).await;
}

#[tokio::test]
async fn france_services_sites_import_once_and_are_found_near_a_commune_on_postgresql() {
    france_services(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}
