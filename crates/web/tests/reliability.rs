//! Moving a footprint between sites: `footprint export` and `footprint import` underneath, on
//! SQLite and on PostgreSQL. An imported footprint reads the same as the original, page for page.

#[macro_use]
mod common;

use common::*;
use footprint_store::{StoreError, Who};

/// A page's text with what legitimately differs between two copies taken out: links and form
/// targets (ids), CSRF tokens, the footprint's code and name.
/// (The plan document itself names the footprint it was written for, so both names go.)
fn normalise(html: &str, code: &str, name: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = [
        "href=\"",
        "action=\"",
        "value=\"",
        "id=\"",
        "for=\"",
        "aria-describedby=\"",
        "name=\"",
    ]
    .iter()
    .filter_map(|m| rest.find(m).map(|i| (i, m.len())))
    .min()
    {
        out.push_str(&rest[..at.0 + at.1]);
        rest = &rest[at.0 + at.1..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push('…');
        rest = &rest[end..];
    }
    out.push_str(rest);
    // Links named by a number (a response's reference) name a new id in the copy.
    let mut linked = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find("href=\"…\">") {
        let (head, tail) = rest.split_at(at + "href=\"…\">".len());
        linked.push_str(head);
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && tail[digits..].starts_with("</a>") {
            linked.push('#');
            rest = &tail[digits..];
        } else {
            rest = tail;
        }
    }
    linked.push_str(rest);
    linked
        .replace(code, "CODE")
        .replace(name, "NAME")
        .replace("Northshire and Eastvale (fictional)", "NAME")
        .replace("Imported copy (fictional)", "NAME")
        .replace("DEMO01", "CODE")
        .replace("DEMO02", "CODE")
}

async fn same_pages(app: &App, c: &reqwest::Client, a: (&str, &str), b: (&str, &str), paths: &[String]) {
    for path in paths {
        let (sa, ha) = app.get(c, &path.replace("{code}", a.0)).await;
        let (sb, hb) = app.get(c, &path.replace("{code}", b.0)).await;
        assert_eq!(sa, StatusCode::OK, "{path} on {}", a.0);
        assert_eq!(sb, StatusCode::OK, "{path} on {}", b.0);
        assert_same(&normalise(&ha, a.0, a.1), &normalise(&hb, b.0, b.1), path);
    }
}

fn assert_same(a: &str, b: &str, what: &str) {
    if a != b {
        let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
        panic!(
            "{what} differs at line {line}:\n  {}\n  {}",
            a.lines().nth(line).unwrap_or(""),
            b.lines().nth(line).unwrap_or("")
        );
    }
}

both!(a_footprint_moves_whole, async |app: &App| {
    // A response with answers, so that question ids inside answers are carried across.
    let public = client();
    let questions = app.store.questions(1).await.unwrap();
    let mut form: Vec<(String, String)> = vec![
        ("idempotency_key".into(), "move-1".into()),
        ("consent".into(), "yes".into()),
    ];
    for q in &questions {
        if q.kind == footprint_domain::consultation::QuestionKind::Single {
            form.push((q.field(), q.choices[1].clone()));
        }
        if q.kind == footprint_domain::consultation::QuestionKind::FreeText {
            form.push((q.field(), "Keep the minor injuries unit open at weekends".into()));
        }
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (s, _, _) = app
        .post(&public, "/footprints/DEMO01/consultations/1/respond", &fields)
        .await;
    assert_eq!(s, StatusCode::OK);

    let doc = app.store.export_footprint("demo01").await.unwrap();
    assert_eq!(doc["footprint"]["code"], "DEMO01");
    let tables = doc["tables"].as_object().unwrap();
    assert!(
        tables["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.get("password_hash").is_none()),
        "no password hashes leave the site"
    );
    assert!(!tables["consultation_responses"].as_array().unwrap().is_empty());
    let text = serde_json::to_string(&doc).unwrap();
    assert!(!text.contains("argon2"));

    // Into the same site under another code: every id is new, organisations and accounts are
    // shared, and the copy reads the same as the original.
    let mut copy = doc.clone();
    copy["footprint"]["code"] = "DEMO02".into();
    copy["footprint"]["name"] = "Imported copy (fictional)".into();
    let before = app.store.table_counts().await.unwrap();
    let done = app.store.import_footprint(&Who::system("test"), &copy).await.unwrap();
    assert_eq!(done.rows.get("organisations"), Some(&0), "organisations are reused");
    assert_eq!(done.rows.get("users"), Some(&0), "accounts are reused");
    assert!(done.reused.0 > 0 && done.reused.1 > 0);
    let after = app.store.table_counts().await.unwrap();
    for ((table, n0), (_, n1)) in before.iter().zip(&after) {
        let exported = tables.get(table).and_then(|t| t.as_array()).map_or(0, Vec::len) as i64;
        let expected = match table.as_str() {
            "footprints" => 1,
            "organisations" | "users" => 0,
            // The import's own entry besides the copied history.
            "audit_log" => exported + 1,
            t if tables.contains_key(t) => exported,
            _ => 0,
        };
        assert_eq!(n1 - n0, expected, "{table}: rows added by the import");
    }
    let lead = app.signed_in(LEAD).await;
    let demo = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap();
    let copied = app.store.footprint_by_code("DEMO02").await.unwrap().unwrap();
    let (d1, d2) = (
        app.store.decisions(demo.id).await.unwrap(),
        app.store.decisions(copied.id).await.unwrap(),
    );
    assert_eq!(d1.len(), d2.len());
    assert!(d1.iter().zip(&d2).all(|(x, y)| x.id != y.id), "new ids");
    let c1 = app.store.consultations(demo.id).await.unwrap()[0].0.id;
    let c2 = app.store.consultations(copied.id).await.unwrap()[0].0.id;
    assert_ne!(c1, c2);
    let mut paths: Vec<String> = [
        "/footprints/{code}",
        "/footprints/{code}/plan",
        "/footprints/{code}/plan/versions",
        "/footprints/{code}/plan/versions/1",
        "/footprints/{code}/plan/portfolio",
        "/footprints/{code}/engagement",
        "/footprints/{code}/consultations",
        "/footprints/{code}/decisions",
        "/footprints/{code}/board",
        "/footprints/{code}/delivery",
        "/footprints/{code}/submissions",
        "/footprints/{code}/people",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    same_pages(app, &lead, ("DEMO01", &demo.name), ("DEMO02", &copied.name), &paths).await;
    // Pages under ids: each original beside its copy.
    paths.clear();
    for (x, y) in d1.iter().zip(&d2) {
        let (a, b) = (
            app.get(&lead, &format!("/footprints/DEMO01/decisions/{}", x.id)).await,
            app.get(&lead, &format!("/footprints/DEMO02/decisions/{}", y.id)).await,
        );
        assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
        assert_same(
            &normalise(&a.1, "DEMO01", &demo.name),
            &normalise(&b.1, "DEMO02", &copied.name),
            &format!("decision {}", x.id),
        );
    }
    for page in ["", "/analysis"] {
        let a = app
            .get(&lead, &format!("/footprints/DEMO01/consultations/{c1}{page}"))
            .await;
        let b = app
            .get(&lead, &format!("/footprints/DEMO02/consultations/{c2}{page}"))
            .await;
        assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
        assert_same(
            &normalise(&a.1, "DEMO01", &demo.name),
            &normalise(&b.1, "DEMO02", &copied.name),
            &format!("consultation{page}"),
        );
        if page == "/analysis" {
            assert!(
                b.1.contains("minor injuries unit"),
                "the answers came across with their questions"
            );
        }
    }

    // Again: refused, nothing written.
    let before = app.store.table_counts().await.unwrap();
    match app.store.import_footprint(&Who::system("test"), &copy).await {
        Err(StoreError::Conflict { message, .. }) => assert!(message.contains("already holds")),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(app.store.table_counts().await.unwrap(), before);

    // Into a new site: the reference footprint with the same code is filled.
    let other = footprint_store::testing::sqlite().await;
    footprint_web::setup::first_start(&other.store).await.unwrap();
    let mut reference = doc.clone();
    reference["footprint"]["code"] = "E54000005".into();
    let done = other
        .store
        .import_footprint(&Who::system("test"), &reference)
        .await
        .unwrap();
    assert_eq!(done.rows.get("footprints"), None, "the reference footprint was used");
    assert!(done.rows["users"] > 0 && done.rows["organisations"] > 0);
    let f = other.store.footprint_by_code("E54000005").await.unwrap().unwrap();
    assert_eq!(other.store.decisions(f.id).await.unwrap().len(), d1.len());
    assert_eq!(
        other.store.partners(f.id).await.unwrap().len(),
        app.store.partners(demo.id).await.unwrap().len()
    );
    other.finish().await;
});

both!(bad_exports_are_refused_naming_where, async |app: &App| {
    let doc = app.store.export_footprint("DEMO01").await.unwrap();
    let mut moved = doc.clone();
    moved["footprint"]["code"] = "DEMO03".into();
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (serde_json::json!({"format": "something else"}), "format"),
        (
            {
                let mut d = moved.clone();
                d["version"] = 9.into();
                d
            },
            "version: this release reads version 1",
        ),
        (
            {
                let mut d = moved.clone();
                d["schema_version"] = 999.into();
                d
            },
            "later release",
        ),
        (
            {
                let mut d = moved.clone();
                d["tables"]["decisions"][0]["title"] = 5.into();
                d
            },
            "tables.decisions[0].title: expected text",
        ),
        (
            {
                let mut d = moved.clone();
                d["tables"]["body_members"][1]["body_id"] = 987_654.into();
                d
            },
            "tables.body_members[1].body_id: 987654 is not one of the bodies in this export",
        ),
        (
            {
                let mut d = moved.clone();
                d["tables"]["meetings"][0].as_object_mut().unwrap().remove("minutes");
                d
            },
            "tables.meetings[0].minutes: is missing",
        ),
        (
            {
                let mut d = moved.clone();
                d["tables"]["wishes"] = serde_json::json!([]);
                d
            },
            "tables.wishes: is not a table",
        ),
        (
            {
                let mut d = moved.clone();
                d["footprint"]["name"] = "".into();
                d
            },
            "footprint.name",
        ),
    ];
    let before = app.store.table_counts().await.unwrap();
    for (bad, expect) in cases {
        match app.store.import_footprint(&Who::system("test"), &bad).await {
            Err(StoreError::Import(m)) => assert!(m.contains(expect), "{m:?} should say {expect:?}"),
            other => panic!("expected a refusal saying {expect:?}, got {other:?}"),
        }
        assert_eq!(
            app.store.table_counts().await.unwrap(),
            before,
            "nothing written for {expect}"
        );
    }
});

/// Every column of every table is either exported or said not to be, so a new column cannot be
/// silently left behind.
#[tokio::test]
async fn the_export_covers_the_schema() {
    use footprint_store::transfer::{NOT_EXPORTED, exported_columns};
    let db = footprint_store::testing::sqlite().await;
    let exported = exported_columns();
    let skipped_user_columns = ["password_hash", "site_role", "version"];
    for (table, _) in db.store.table_counts().await.unwrap() {
        if NOT_EXPORTED.iter().any(|(t, _)| *t == table) {
            continue;
        }
        let columns = db.store.table_columns(&table).await.unwrap();
        let (_, ours) = exported
            .iter()
            .find(|(t, _)| *t == table)
            .unwrap_or_else(|| panic!("the table {table} is neither exported nor listed in NOT_EXPORTED"));
        for c in &columns {
            assert!(
                ours.contains(&c.as_str()) || (table == "users" && skipped_user_columns.contains(&c.as_str())),
                "{table}.{c} is not exported"
            );
        }
        assert_eq!(
            ours.len(),
            columns.iter().filter(|c| ours.contains(&c.as_str())).count(),
            "{table}: exported columns exist"
        );
    }
    db.finish().await;
}
