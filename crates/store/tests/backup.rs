//! `footprint backup` and `footprint restore` underneath: round trips on each backend, a restore
//! under a store that stays open (as a running server's), and every refusal leaving the
//! database as it was.

use std::path::PathBuf;

use footprint_domain::organisation::OrganisationInput;
use footprint_store::backup::{backup, restore};
use footprint_store::testing::{self, TestDb};
use footprint_store::{AuditEntry, Store, StoreError, Who};

fn org(name: &str) -> OrganisationInput {
    OrganisationInput::parse(name, "acute-trust", false, "").unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("footprint_backup_{}_{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Some of everything the foundation holds: reference footprints, organisations, partners, a
/// plan draft and a published version, all with their audit entries.
async fn fill(store: &Store) {
    let who = Who::system("test");
    store.ensure_reference_footprints().await.unwrap();
    let f = store.footprint_by_code("E54000005").await.unwrap().unwrap();
    for name in ["Eastvale Hospitals NHS Trust", "Northshire Community Trust"] {
        let o = store.create_organisation(&who, &org(name)).await.unwrap();
        store.add_partner(&who, f.id, o.id).await.unwrap();
    }
    store.create_plan_draft(&who, f.id, "name = \"Plan\"\n").await.unwrap();
    store
        .snapshot_plan(&who, f.id, footprint_store::plans::VersionStatus::Published)
        .await
        .unwrap();
}

async fn audit(store: &Store) -> Vec<AuditEntry> {
    store.audit_entries(None, None, 100_000).await.unwrap()
}

async fn round_trip(db: TestDb, fresh: TestDb, dir: PathBuf) {
    let store = &db.store;
    fill(store).await;
    let counts = store.table_counts().await.unwrap();
    let entries = audit(store).await;
    let file = dir.join("footprint.backup");
    let summary = backup(&db.url, &file).await.unwrap();
    assert_eq!(summary.footprints, 44);
    assert_eq!(summary.audit_entries, entries.len() as i64);
    assert!(summary.bytes > 0 && summary.schema_version >= 6);
    assert!(
        std::fs::read_dir(&dir).unwrap().count() == 1,
        "only the backup itself is left in the folder"
    );

    // A second backup never overwrites the first.
    match backup(&db.url, &file).await {
        Err(StoreError::Backup(m)) => assert!(m.contains("already exists"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Changes after the backup, then the restore under the open store: they are gone, and
    // everything from before is back, row for row.
    store
        .create_organisation(&Who::system("test"), &org("Made After The Backup"))
        .await
        .unwrap();
    assert_ne!(store.table_counts().await.unwrap(), counts);
    restore(&db.url, &file).await.unwrap();
    assert_eq!(store.table_counts().await.unwrap(), counts);
    assert_eq!(audit(store).await, entries);
    assert!(
        store
            .organisations()
            .await
            .unwrap()
            .iter()
            .all(|o| o.name != "Made After The Backup")
    );
    // The restored database takes writes again, and the audit log is still append-only.
    store
        .create_organisation(&Who::system("test"), &org("Made After The Restore"))
        .await
        .unwrap();
    assert!(store.try_rewrite_audit(entries[0].id).await.is_err());

    // Into a database of its own.
    let s = restore(&fresh.url, &file).await.unwrap();
    assert_eq!(s.audit_entries, entries.len() as i64);
    assert_eq!(fresh.store.table_counts().await.unwrap(), counts);
    assert_eq!(audit(&fresh.store).await, entries);

    let _ = std::fs::remove_dir_all(&dir);
    db.finish().await;
    fresh.finish().await;
}

#[tokio::test]
async fn sqlite_round_trip() {
    round_trip(testing::sqlite().await, testing::sqlite().await, scratch("sqlite")).await;
}

#[tokio::test]
async fn postgres_round_trip() {
    let (Some(a), Some(b)) = (testing::postgres().await, testing::postgres().await) else {
        eprintln!("TEST_POSTGRES_URL is not set: the PostgreSQL run of this test is skipped");
        return;
    };
    round_trip(a, b, scratch("postgres")).await;
}

/// What a refused restore must leave: the same tables, the same rows.
async fn refused(db: &TestDb, file: &std::path::Path, expect: &str) {
    let before = db.store.table_counts().await.unwrap();
    match restore(&db.url, file).await {
        Err(StoreError::Backup(m)) => assert!(m.contains(expect), "{m:?} should say {expect:?}"),
        other => panic!("expected a refusal saying {expect:?}, got {other:?}"),
    }
    assert_eq!(db.store.table_counts().await.unwrap(), before);
}

#[tokio::test]
async fn bad_backups_are_refused_and_change_nothing() {
    let dir = scratch("refusals");
    let source = testing::sqlite().await;
    fill(&source.store).await;
    let good = dir.join("good.backup");
    backup(&source.url, &good).await.unwrap();
    let target = testing::sqlite().await;
    fill(&target.store).await;

    refused(&target, &dir.join("missing.backup"), "there is no backup file").await;
    let junk = dir.join("junk.backup");
    std::fs::write(&junk, "name,value\n").unwrap();
    refused(&target, &junk, "not a Footprint backup").await;
    let pg = dir.join("pg.backup");
    std::fs::write(&pg, b"PGDMP\x01\x0e\x00").unwrap();
    refused(&target, &pg, "is a PostgreSQL backup").await;

    // Cut short: a copy that stops halfway through.
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.join("cut.backup");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let before = target.store.table_counts().await.unwrap();
    assert!(
        restore(&target.url, &cut).await.is_err(),
        "a truncated backup is refused"
    );
    assert_eq!(target.store.table_counts().await.unwrap(), before);

    // Made by a later release (a migration this one does not know), or not Footprint's at all.
    let later = dir.join("later.backup");
    std::fs::copy(&good, &later).unwrap();
    {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", later.display()))
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'later', 1, x'00', 1)",
        )
        .execute(&mut c)
        .await
        .unwrap();
        c.close().await.unwrap();
    }
    refused(&target, &later, "later release").await;
    let foreign = dir.join("foreign.backup");
    {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", foreign.display()))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE notes (body TEXT)")
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    }
    refused(&target, &foreign, "no Footprint schema").await;

    let _ = std::fs::remove_dir_all(&dir);
    source.finish().await;
    target.finish().await;
}

#[tokio::test]
async fn a_damaged_postgres_dump_changes_nothing() {
    let (Some(source), Some(target)) = (testing::postgres().await, testing::postgres().await) else {
        eprintln!("TEST_POSTGRES_URL is not set: the PostgreSQL run of this test is skipped");
        return;
    };
    let dir = scratch("pgdamaged");
    fill(&source.store).await;
    let good = dir.join("good.dump");
    backup(&source.url, &good).await.unwrap();
    fill(&target.store).await;
    target
        .store
        .create_organisation(&Who::system("test"), &org("Only In The Target"))
        .await
        .unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.join("cut.dump");
    std::fs::write(&cut, &bytes[..bytes.len() * 3 / 4]).unwrap();
    let before = target.store.table_counts().await.unwrap();
    assert!(restore(&target.url, &cut).await.is_err(), "a truncated dump is refused");
    assert_eq!(target.store.table_counts().await.unwrap(), before);
    refused(&target, &dir.join("none.dump"), "there is no backup file").await;
    let sqlite_file = dir.join("sqlite.backup");
    std::fs::write(&sqlite_file, b"SQLite format 3\0").unwrap();
    refused(&target, &sqlite_file, "is a SQLite backup").await;
    let _ = std::fs::remove_dir_all(&dir);
    source.finish().await;
    target.finish().await;
}
