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
    import_as(db, "france-services", file)
}

fn import_as(db: &str, format: &str, file: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_relais"))
        .args([
            "import",
            "places",
            "--format",
            format,
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
    if !reference_data_present() {
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
    // Again: nothing changes, the same row is rejected.
    let (stdout, _) = out(&import(&db, FS_2022));
    assert!(
        stdout.ends_with("2683 rows: 0 new, 0 updated, 2682 unchanged, 1 rejected; 3 with an INSEE code missing from the official list of communes"),
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

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/data"
);
const SCHEMAS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/schemas"
);

fn reference_data_present() -> bool {
    if std::path::Path::new(DATA).exists() {
        return true;
    }
    assert!(
        std::env::var("CI").ok().as_deref() != Some("true"),
        "the reference data is missing"
    );
    eprintln!("SKIP: ../shared/reference is not beside the checkout");
    false
}

/// Imports a file twice: the first report's lines, then the second's last.
fn twice(db: &str, format: &str, file: &str) -> (String, String) {
    let path = format!("{DATA}/{file}");
    let o = import_as(db, format, &path);
    let (first, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{file}: {stderr}");
    let o = import_as(db, format, &path);
    let (second, _) = out(&o);
    let last = second.lines().last().unwrap_or_default().to_owned();
    (first, last)
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or_default()
}

async fn open_data(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    if !reference_data_present() {
        return;
    }
    let db = app._db.url.clone();
    const TAIL: &str = "with an INSEE code missing from the official list of communes";
    // (format, file, first report's last line, notes it must hold)
    let cases: [(&str, &str, String, &[&str]); 8] = [
        (
            "lmn",
            "lieux-mediation-numerique/lmn-v0_data-inclusion-export_2023-02.json",
            format!("3811 rows: 3811 new, 0 updated, 0 unchanged, 0 rejected; 6 {TAIL}"),
            &["note\t10 INSEE codes taken from the postcode"],
        ),
        (
            "lmn",
            "lieux-mediation-numerique/lmn-v0_hinaura_npm-cartographie-nationale-5.22.0.json",
            // The same Hinaura places came in the data·inclusion export:
            // they are updated, not duplicated.
            format!("687 rows: 123 new, 564 updated, 0 unchanged, 0 rejected; 0 {TAIL}"),
            &["note\t687 placeholder pivots (00000000000000) read as no SIRET"],
        ),
        (
            "lmn",
            "lieux-mediation-numerique/lmn-v0_hub-du-sud-paca_2023-05-17.json",
            format!("646 rows: 646 new, 0 updated, 0 unchanged, 0 rejected; 0 {TAIL}"),
            &["note\t99 placeholder dates (1970-01-01) read as unknown"],
        ),
        (
            "lmn",
            // The same places in the v1 vocabulary: read the same.
            "lieux-mediation-numerique/lmn-v1vocab_hub-du-sud-paca_2023-05-17_converted-2025-02-06.json",
            format!("646 rows: 0 new, 9 updated, 637 unchanged, 0 rejected; 0 {TAIL}"),
            &["note\t608 INSEE codes taken from the postcode"],
        ),
        (
            "lmn",
            "lieux-mediation-numerique/lmn-v1vocab_charente_2023-07-11_converted-2025-02-06.json",
            format!("188 rows: 188 new, 0 updated, 0 unchanged, 0 rejected; 0 {TAIL}"),
            &["note\t1 placeholder dates (1970-01-01) read as unknown"],
        ),
        (
            "lmn",
            "lieux-mediation-numerique/lmn-v1vocab_nouvelle-caledonie_2024-03-20_converted-2025-02-06.json",
            format!("90 rows: 90 new, 0 updated, 0 unchanged, 0 rejected; 0 {TAIL}"),
            &["note\t90 placeholder pivots (00000000000000) read as no SIRET"],
        ),
        (
            "data-inclusion",
            "data-inclusion/di-v0_structures_numi-extract_2023-04-06.json",
            format!("757 rows: 757 new, 0 updated, 0 unchanged, 0 rejected; 0 {TAIL}"),
            &["note\t3 placeholder coordinates (0, 0) read as unknown"],
        ),
        (
            "data-inclusion",
            "data-inclusion/di-v0_services_2022-11-29.json",
            format!("4261 rows: 4261 new, 0 updated, 0 unchanged, 0 rejected; 0 {TAIL}"),
            &["services: 4261 new, 0 updated, 0 unchanged"],
        ),
    ];
    for (format, file, expected, notes) in &cases {
        let (first, again) = twice(&db, format, file);
        assert_eq!(last_line(&first), expected, "{file}:\n{first}");
        for n in *notes {
            assert!(
                first.lines().any(|l| l == *n),
                "{file}: no {n:?} in\n{first}"
            );
        }
        assert!(
            !first.contains("unknown term"),
            "{file}: every term is known:\n{first}"
        );
        let rows = expected.split(' ').next().unwrap_or_default();
        assert_eq!(
            again,
            format!(
                "{rows} rows: 0 new, 0 updated, {rows} unchanged, 0 rejected; {}",
                {
                    let e = expected.split("; ").nth(1).unwrap_or_default();
                    e.to_owned()
                }
            ),
            "{file}: a second import changes nothing"
        );
    }
    // The v1 vocabulary became codes: a digital-help place of Martigues.
    let t = token(&app, "agent@demoville.test").await;
    let (s, v) = call(
        &app,
        &t,
        "GET",
        "/api/v1/places?near=13056&service=demarches&fee=gratuit&limit=50",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{v}");
    assert!(items.iter().all(|p| p["services"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("demarches"))
        && p["fees"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("gratuit"))));
    let (s, e) = call(
        &app,
        &t,
        "GET",
        "/api/v1/places?near=13056&service=cuisine",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "service", "{e}");
    // A data·inclusion structure with the services published apart.
    let (s, v) = call(&app, &t, "GET", "/api/v1/places?near=27229&q=CSAPA", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"][0]["source"], "data-inclusion", "{v}");

    // Bad files: a message naming what was expected; nothing written.
    let dir = std::env::temp_dir().join(format!("relais-lmn-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let example = std::fs::read_to_string(format!(
        "{SCHEMAS}/lieux-mediation-numerique/exemple-valide.csv"
    ))
    .unwrap();
    let header = example.lines().next().unwrap();
    let bad = |name: &str, bytes: &[u8], format: &str| -> String {
        let f = dir.join(name);
        std::fs::write(&f, bytes).unwrap();
        let o = import_as(&db, format, f.to_str().unwrap());
        assert_eq!(o.status.code(), Some(2), "{name}: {}", out(&o).0);
        out(&o).1
    };
    let mut latin1 = example.as_bytes().to_vec();
    latin1.extend_from_slice(b"\"x\",\"12345678901234\",\"Caf\xe9\",\"Reims\",\"51100\"\n");
    assert!(bad("latin1.csv", &latin1, "lmn").contains("Latin-1"));
    assert!(
        bad("semi.csv", header.replace(',', ";").as_bytes(), "lmn").contains("separated by ';'")
    );
    assert!(bad("cut.json", b"[{\"id\": \"1\", \"nom\": \"A\"", "lmn").contains("truncated"));
    assert!(bad("object.json", b"{\"id\": \"1\"}", "lmn").contains("expected a JSON array"));
    assert!(bad("few.csv", b"id,nom\n1,A\n", "lmn").contains("commune, code_postal"));
    assert!(bad("di.json", b"\"text\"", "data-inclusion").contains("data\u{b7}inclusion"));
    // Rows that break the schema are listed with their line and field;
    // the valid ones are imported.
    let row = example.lines().nth(1).unwrap();
    let csv = format!(
        "{header}\n{row}\n{}\n{}\n{}\n",
        row.replacen("\"structure-1\"", "\"structure-2\"", 1)
            .replacen("\"51100\"", "\"5110\"", 1),
        row.replacen("\"structure-1\"", "\"structure-3\"", 1)
            .replacen("\"2024-04-02\"", "\"hier\"", 1),
        row,
    );
    let f = dir.join("rows.csv");
    std::fs::write(&f, csv).unwrap();
    let o = import_as(&db, "lmn", f.to_str().unwrap());
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("rejected\tline 3\tcode_postal\tnot a 5-digit postcode"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rejected\tline 4\tdate_maj\tnot a date"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rejected\tline 5\tid\tthe same id as line 2"),
        "{stdout}"
    );
    assert_eq!(
        last_line(&stdout),
        format!("4 rows: 1 new, 0 updated, 0 unchanged, 3 rejected; 0 {TAIL}")
    );
    let _ = std::fs::remove_dir_all(&dir);

    // The API takes the file as its body: administrators only.
    let admin = token(&app, "admin@demoville.test").await;
    let post = |who: String, format: &str, body: Vec<u8>| {
        let url = format!("{}/api/v1/places/import?format={format}", app.base);
        let c = app.api();
        async move {
            let r = c
                .post(url)
                .bearer_auth(who)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (
                status,
                r.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let csv = format!("{header}\n{row}\n").into_bytes();
    let (s, v) = post(t.clone(), "lmn", csv.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = post(admin.clone(), "lmn", csv.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["rows"].as_u64(), v["unchanged"].as_u64()),
        (Some(1), Some(1)),
        "{v}"
    );
    let (s, v) = post(admin.clone(), "xml", csv).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["fields"][0]["field"], "format", "{v}");
    let (s, v) = post(admin, "lmn", b"id;nom\n1;A\n".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["fields"][0]["code"], "wrong_separator", "{v}");
}

#[tokio::test]
async fn open_data_files_import_with_a_report_and_again_change_nothing_on_sqlite() {
    open_data(Options::default()).await;
}

#[tokio::test]
async fn open_data_files_import_with_a_report_and_again_change_nothing_on_postgresql() {
    open_data(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

/// Checks a CSV against a Table Schema (frictionless): the columns, the
/// required fields, the patterns, the numbers, the dates, the unique keys.
fn table_schema_errors(schema: &serde_json::Value, csv: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let fields = schema["fields"].as_array().unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    if header != names {
        errors.push(format!("columns {header:?} are not {names:?}"));
    }
    let mut seen: std::collections::HashMap<String, std::collections::HashSet<String>> =
        Default::default();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        for (f, v) in fields.iter().zip(rec.iter()) {
            let name = f["name"].as_str().unwrap();
            let c = &f["constraints"];
            let at = format!("row {} {name}", i + 2);
            if v.is_empty() {
                if c["required"] == true {
                    errors.push(format!("{at}: required"));
                }
                continue;
            }
            if let Some(p) = c["pattern"].as_str() {
                let re = regex::Regex::new(&format!("^(?:{p})$")).unwrap();
                if !re.is_match(v) {
                    errors.push(format!("{at}: {v:?} does not match {p}"));
                }
            }
            if let Some(max) = c["maxLength"].as_u64() {
                if v.chars().count() as u64 > max {
                    errors.push(format!("{at}: longer than {max}"));
                }
            }
            match f["type"].as_str() {
                Some("number") if v.parse::<f64>().is_err() => {
                    errors.push(format!("{at}: {v:?} is not a number"))
                }
                Some("date") if chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_err() => {
                    errors.push(format!("{at}: {v:?} is not a date"))
                }
                _ => {}
            }
            if c["unique"] == true && !seen.entry(name.into()).or_default().insert(v.into()) {
                errors.push(format!("{at}: {v:?} is not unique"));
            }
        }
    }
    errors
}

fn json_file(path: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Hands the schema files of a folder to the validator by their name.
struct Folder(std::path::PathBuf);

impl jsonschema::Retrieve for Folder {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().trim_start_matches('/').to_owned();
        let text = std::fs::read_to_string(self.0.join(&name))?;
        Ok(serde_json::from_str(&text)?)
    }
}

/// A validator for one schema file, with the other files of its folder
/// resolvable by their relative names.
fn validator(dir: &str, file: &str) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(Folder(std::path::PathBuf::from(dir)))
        .build(&json_file(&format!("{dir}/{file}")))
        .unwrap()
}

fn schema_errors(v: &jsonschema::Validator, item: &serde_json::Value) -> Vec<String> {
    v.iter_errors(item)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

async fn own_places(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    if !reference_data_present() {
        return;
    }
    let sup = token(&app, "responsable@demoville.test").await;
    let agent = token(&app, "agent@demoville.test").await;
    // A second place of the structure, with every kind of field.
    let place = serde_json::json!({
        "name": "Permanence numérique de Vaulx",
        "siret": "21690266800013",
        "address": "2 place de la Nation",
        "postcode": "69120",
        "phone": "04 72 04 80 80",
        "email": "numerique@demoville.test",
        "website": "https://demoville.test/numerique",
        "opening_hours": "Mo,We 14:00-17:00; Sa 09:00-12:00",
        "description": "Aide aux démarches en ligne, sur rendez-vous ou sans.",
        "services": ["demarches", "acces"],
        "publics": ["seniors", "langues_autres"],
        "fees": ["gratuit"],
        "labels": ["france_services"],
        "access_modes": ["se_presenter", "telephoner"],
        "support_modes": ["individuel", "atelier"],
    });
    let (s, v) = call(&app, &agent, "POST", "/api/v1/places", Some(place.clone())).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "agents do not edit the directory: {v}"
    );
    let (s, v) = call(&app, &sup, "POST", "/api/v1/places", Some(place.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["insee_code"], "69256",
        "the commune comes from the postcode"
    );
    assert_eq!(v["own"], true);
    // Changed: the whole place again.
    let own_id = v["id"].as_str().unwrap().to_owned();
    let mut changed = place.clone();
    changed["name"] = serde_json::json!("Permanence numérique de Vaulx-en-Velin");
    let (s, v) = call(
        &app,
        &sup,
        "PUT",
        &format!("/api/v1/places/{own_id}"),
        Some(changed),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "Permanence numérique de Vaulx-en-Velin");
    let (s, _) = call(
        &app,
        &sup,
        "PUT",
        "/api/v1/places/00000000-0000-0000-0000-000000000000",
        Some(place.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, e) = call(
        &app,
        &sup,
        "POST",
        "/api/v1/places",
        Some(serde_json::json!({
            "name": "X", "address": "", "postcode": "691", "opening_hours": "lundi matin",
            "services": ["cuisine"], "website": "demoville.test"
        })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in [
        "name",
        "address",
        "postcode",
        "website",
        "opening_hours",
        "services",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }

    let download = |format: &str| {
        let url = format!("{}/api/v1/exports/places?format={format}", app.base);
        let c = app.api();
        let sup = sup.clone();
        async move {
            let r = c.get(url).bearer_auth(sup).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.text().await.unwrap()
        }
    };
    // Lieux de médiation numérique: the Table Schema holds.
    let csv = download("lmn").await;
    assert_eq!(csv.lines().count(), 3, "a header and the 2 places:\n{csv}");
    let schema = json_file(&format!("{SCHEMAS}/lieux-mediation-numerique/schema.json"));
    assert_eq!(table_schema_errors(&schema, &csv), Vec::<String>::new());
    // The validator catches what it should.
    assert!(!table_schema_errors(&schema, &csv.replace("+33", "033")).is_empty());
    assert!(
        csv.contains("Aide aux démarches administratives|Accès internet et matériel informatique")
    );
    // data·inclusion v1: every structure and service against its schema.
    let di: serde_json::Value = serde_json::from_str(&download("data-inclusion").await).unwrap();
    let dir = format!("{SCHEMAS}/data-inclusion-v1/schemas/v1");
    let structure = validator(&dir, "structure.json");
    let service = validator(&dir, "service.json");
    let structures = di["structures"].as_array().unwrap();
    let services = di["services"].as_array().unwrap();
    assert_eq!(structures.len(), 2);
    assert_eq!(services.len(), 5, "one per kind of help: 3 + 2");
    for s in structures {
        assert_eq!(schema_errors(&structure, s), Vec::<String>::new(), "{s}");
    }
    for s in services {
        assert_eq!(schema_errors(&service, s), Vec::<String>::new(), "{s}");
    }
    assert!(!schema_errors(&service, &serde_json::json!({"id": "x"})).is_empty());
    // Open Referral HSDS 3.0: every service, with its organisation and
    // location, against the service schema and those it refers to.
    let hsds: serde_json::Value = serde_json::from_str(&download("hsds").await).unwrap();
    let hsds_service = validator(&format!("{SCHEMAS}/hsds-3.0"), "service.json");
    let list = hsds.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for s in list {
        assert_eq!(schema_errors(&hsds_service, s), Vec::<String>::new(), "{s}");
    }
    assert!(!schema_errors(&hsds_service, &serde_json::json!({"id": "x", "name": "n"})).is_empty());
    let (s, e) = call(&app, &sup, "GET", "/api/v1/exports/places?format=pdf", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

    // What we export, we read back.
    let dir = std::env::temp_dir().join(format!("relais-export-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("di.json");
    std::fs::write(&f, serde_json::to_vec(&di).unwrap()).unwrap();
    let o = import_as(&app._db.url, "data-inclusion", f.to_str().unwrap());
    assert_eq!(
        last_line(&out(&o).0),
        "7 rows: 7 new, 0 updated, 0 unchanged, 0 rejected; 0 with an INSEE code missing from the official list of communes",
        "{}",
        out(&o).0
    );
    let f = dir.join("lmn.csv");
    std::fs::write(&f, &csv).unwrap();
    let o = import_as(&app._db.url, "lmn", f.to_str().unwrap());
    assert!(
        last_line(&out(&o).0).starts_with("2 rows: 2 new, 0 updated, 0 unchanged, 0 rejected"),
        "{}",
        out(&o).0
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn own_places_export_to_three_standards_that_validate_on_sqlite() {
    own_places(Options::default()).await;
}

#[tokio::test]
async fn own_places_export_to_three_standards_that_validate_on_postgresql() {
    own_places(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

async fn referrals(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let agent = token(&app, "agent@demoville.test").await;
    // A demo request of a person of Villeurbanne (postcode 69100).
    let (s, v) = call(&app, &agent, "GET", "/api/v1/help-requests?limit=100", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let request = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person_id"].is_string())
        .unwrap()
        .clone();
    let rid = request["id"].as_str().unwrap();
    let (s, v) = call(
        &app,
        &agent,
        "GET",
        "/api/v1/places?near=69266&service=demarches",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Espace numérique du CCAS de Démoville",
            "France Services de Vaulx-sur-Rhône"
        ],
        "nearest first, the library has no help with procedures"
    );
    let place = v["items"][1]["id"].as_str().unwrap().to_owned();
    let follow_up = (app.services.today() + chrono::Duration::days(14)).to_string();

    // Bad input: the fields are named, nothing is written.
    for (body, field) in [
        (
            serde_json::json!({"help_request_id": rid, "reason": "CNI"}),
            "place_id",
        ),
        (
            serde_json::json!({"help_request_id": rid, "place_id": place, "operator_id": "caf", "reason": "CNI"}),
            "operator_id",
        ),
        (
            serde_json::json!({"help_request_id": rid, "place_id": place, "reason": "x"}),
            "reason",
        ),
        (
            serde_json::json!({"help_request_id": "nope", "place_id": place, "reason": "Carte grise"}),
            "help_request_id",
        ),
        (
            serde_json::json!({"help_request_id": rid, "place_id": place, "reason": "Carte grise", "follow_up_date": "2020-01-01"}),
            "follow_up_date",
        ),
        (
            serde_json::json!({"help_request_id": rid, "operator_id": "nobody", "reason": "Carte grise"}),
            "operator_id",
        ),
    ] {
        let (s, e) = call(&app, &agent, "POST", "/api/v1/referrals", Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["fields"][0]["field"], field, "{e}");
    }
    let (s, r) = call(
        &app,
        &agent,
        "POST",
        "/api/v1/referrals",
        Some(serde_json::json!({
            "help_request_id": rid,
            "place_id": place,
            "reason": "Rendez-vous avec le conseiller CAF pour la prime d'activité",
            "follow_up_date": follow_up,
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["status"], "proposed");
    assert_eq!(r["place_name"], "France Services de Vaulx-sur-Rhône");
    assert!(r["follow_up_id"].is_string());
    let id = r["id"].as_str().unwrap().to_owned();
    // To the operator's own channel.
    let (s, r2) = call(
        &app,
        &agent,
        "POST",
        "/api/v1/referrals",
        Some(serde_json::json!({"help_request_id": rid, "operator_id": "caf", "reason": "Appeler la CAF"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r2}");
    assert_eq!(
        r2["operator_name"], "Caisse d'allocations familiales (CAF)",
        "{r2}"
    );

    let (s, list) = call(
        &app,
        &agent,
        "GET",
        &format!("/api/v1/referrals?help_request_id={rid}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    // The slip names the place, its hours, why, and what to bring.
    let r = app
        .api()
        .get(format!("{}/api/v1/referrals/{id}/slip.pdf", app.base))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = crate::mandates::pdf_text(&pdf) {
        for want in [
            "Bon d'orientation",
            "France Services de Vaulx-sur-Rhône",
            "8 avenue de la République",
            "du lundi au vendredi : 8 h 30 – 12 h 30, 13 h 30 – 17 h",
            "prime d'activité",
            "À apporter",
        ] {
            assert!(text.contains(want), "{want:?} not in the slip:\n{text}");
        }
    }

    // Status: done closes the referral and its follow-up.
    let (s, e) = call(
        &app,
        &agent,
        "PATCH",
        &format!("/api/v1/referrals/{id}"),
        Some(serde_json::json!({"status": "finished"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    for status in ["contacted", "accepted", "done"] {
        let (s, r) = call(
            &app,
            &agent,
            "PATCH",
            &format!("/api/v1/referrals/{id}"),
            Some(serde_json::json!({"status": status})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["status"], status);
    }
    let (_, r) = call(
        &app,
        &agent,
        "GET",
        &format!("/api/v1/referrals/{id}"),
        None,
    )
    .await;
    assert!(r["closed_on"].is_string(), "{r}");
    let fu = r["follow_up_id"].as_str().unwrap();
    let (s, f) = call(
        &app,
        &agent,
        "GET",
        &format!("/api/v1/follow-ups/{fu}"),
        None,
    )
    .await;
    if s == StatusCode::OK {
        assert_eq!(f["done"], true, "{f}");
    }
    let (_, r) = call(
        &app,
        &agent,
        "PATCH",
        &format!("/api/v1/referrals/{}", r2["id"].as_str().unwrap()),
        Some(serde_json::json!({"status": "failed"})),
    )
    .await;
    assert_eq!(r["status"], "failed");

    // Outcomes in the statistics.
    let sup = token(&app, "responsable@demoville.test").await;
    let today = app.services.today();
    let (s, d) = call(
        &app,
        &sup,
        "GET",
        &format!("/api/v1/dashboard?from={today}&to={today}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let table = d["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "referral")
        .unwrap()
        .clone();
    let rows: Vec<(String, i64)> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["referrals"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("done".to_owned(), 1), ("failed".to_owned(), 1)],
        "{table}"
    );

    // Another structure sees none of it.
    app.services
        .cli_add_structure("CCAS d'Ailleurs", "ailleurs", "ccas")
        .await
        .unwrap();
    app.services
        .cli_add_user(
            "x@ailleurs.test",
            "X",
            "ailleurs",
            "agent",
            "correct horse battery 2026",
        )
        .await
        .unwrap();
    let t = token(&app, "x@ailleurs.test").await;
    let (s, _) = call(&app, &t, "GET", &format!("/api/v1/referrals/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v1/referrals/{id}"),
        Some(serde_json::json!({"status": "proposed"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The person's file lists where they were sent; an erasure forgets why.
    let pid = request["person_id"].as_str().unwrap();
    let (s, sa) = call(
        &app,
        &sup,
        "GET",
        &format!("/api/v1/persons/{pid}/subject-access"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{sa}");
    let listed = sa["referrals"].as_array().unwrap();
    assert_eq!(listed.len(), 2, "{sa}");
    assert!(listed
        .iter()
        .any(|r| r["to"] == "France Services de Vaulx-sur-Rhône"
            && r["status"] == "done"
            && r["reason"]
                .as_str()
                .is_some_and(|x| x.contains("prime d'activit"))));
    let (s, e) = call(
        &app,
        &sup,
        "POST",
        &format!("/api/v1/persons/{pid}/erase"),
        None,
    )
    .await;
    if s == StatusCode::CONFLICT {
        eprintln!("this demo person has a signed mandate: erasure waits ({e})");
    } else {
        assert!(s.is_success(), "{e}");
        let (_, r) = call(
            &app,
            &agent,
            "GET",
            &format!("/api/v1/referrals/{id}"),
            None,
        )
        .await;
        assert!(r["reason"].is_null(), "{r}");
        assert_eq!(r["status"], "done", "the outcome stays for the statistics");
    }
    // Every write is journaled, and the reason stays out of the journal.
    let journal = app.store.journal_entries().await.unwrap();
    for kind in ["referral.create", "referral.update", "referral.slip"] {
        assert!(journal.iter().any(|e| e.action == kind), "{kind}");
    }
    assert!(journal
        .iter()
        .all(|e| !e.details.contains("prime d'activit")));
}

#[tokio::test]
async fn referrals_go_from_a_request_to_a_place_and_count_on_sqlite() {
    referrals(Options::default()).await;
}

#[tokio::test]
async fn referrals_go_from_a_request_to_a_place_and_count_on_postgresql() {
    referrals(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}
