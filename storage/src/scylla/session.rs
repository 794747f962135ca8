//! [`ScyllaStorage`]: the session, its execution profile (consistency, serial consistency,
//! timeout, token-aware load balancing, the default retry policy), the schema migration at
//! start, the prepared statements, and the few helpers every query goes through.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::policies::load_balancing::DefaultPolicy;
use scylla::policies::retry::DefaultRetryPolicy;
use scylla::response::PagingState;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::prepared::PreparedStatement;
use scylla::statement::{Consistency, SerialConsistency};
use scylla::value::CqlValue;

use super::options::{Level, ScyllaOptions, SerialLevel};
use super::rows::{Cql, Row};
use super::schema;
use super::statements::{Bound, Stmt};
use crate::error::{StorageError, StorageResult};
use crate::time::Timestamp;

/// The ScyllaDB implementation of [`crate::Storage`].
pub struct ScyllaStorage {
    session: Session,
    prepared: HashMap<Stmt, PreparedStatement>,
    timeout: Duration,
    keyspace: String,
}

impl std::fmt::Debug for ScyllaStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScyllaStorage").field("keyspace", &self.keyspace).finish_non_exhaustive()
    }
}

fn unavailable(what: &str, error: impl std::fmt::Display) -> StorageError {
    StorageError::Unavailable(format!("scylla {what}: {error}"))
}

fn consistency(level: Level) -> Consistency {
    match level {
        Level::One => Consistency::One,
        Level::LocalOne => Consistency::LocalOne,
        Level::Quorum => Consistency::Quorum,
        Level::LocalQuorum => Consistency::LocalQuorum,
        Level::EachQuorum => Consistency::EachQuorum,
        Level::All => Consistency::All,
    }
}

fn serial(level: SerialLevel) -> SerialConsistency {
    match level {
        SerialLevel::Serial => SerialConsistency::Serial,
        SerialLevel::LocalSerial => SerialConsistency::LocalSerial,
    }
}

impl ScyllaStorage {
    /// Connects (within `connect_timeout_ms`), creates the keyspace and migrates the schema,
    /// then prepares every statement.
    ///
    /// # Errors
    /// `Unavailable` naming the step: the cluster cannot be reached, refuses the schema, or
    /// does not answer in time.
    pub async fn connect(options: ScyllaOptions) -> StorageResult<Self> {
        let connect_timeout = Duration::from_millis(options.connect_timeout_ms);
        let contact = options.url.to_string();
        tokio::time::timeout(connect_timeout, Self::connect_inner(options))
            .await
            .map_err(|_| unavailable("connect", format!("{contact} did not answer within {connect_timeout:?}")))?
    }

    async fn connect_inner(options: ScyllaOptions) -> StorageResult<Self> {
        let timeout = Duration::from_millis(options.request_timeout_ms);
        let mut policy = DefaultPolicy::builder().token_aware(true);
        if let Some(dc) = &options.datacenter {
            policy = policy.prefer_datacenter(dc.clone()).permit_dc_failover(false);
        }
        let profile = ExecutionProfile::builder()
            .consistency(consistency(options.consistency))
            .serial_consistency(Some(serial(options.serial_consistency)))
            .request_timeout(Some(timeout))
            .load_balancing_policy(policy.build())
            .retry_policy(Arc::new(DefaultRetryPolicy::new()))
            .build();
        let mut builder = SessionBuilder::new()
            .known_nodes(&options.url.hosts)
            .connection_timeout(Duration::from_millis(options.connect_timeout_ms))
            .default_execution_profile_handle(profile.into_handle());
        if let (Some(user), Some(password)) = (&options.username, &options.password) {
            builder = builder.user(user.clone(), password.clone());
        }
        let session = builder.build().await.map_err(|e| unavailable(&format!("connect to {}", options.url), e))?;
        let keyspace = options.url.keyspace.clone();
        let ddl = schema::create_keyspace(&keyspace, options.replication_factor, options.datacenter.as_deref())
            .ok_or_else(|| unavailable("keyspace", "invalid keyspace or datacenter name"))?;
        session.query_unpaged(ddl, ()).await.map_err(|e| unavailable("create keyspace", e))?;
        session.use_keyspace(&keyspace, false).await.map_err(|e| unavailable("use keyspace", e))?;
        migrate(&session).await?;
        let mut prepared = HashMap::new();
        for stmt in Stmt::ALL {
            let mut statement =
                session.prepare(stmt.text()).await.map_err(|e| unavailable(&format!("prepare {stmt:?}"), e))?;
            if *stmt == Stmt::LogStaticsSerial {
                statement.set_consistency(match options.serial_consistency {
                    SerialLevel::Serial => Consistency::Serial,
                    SerialLevel::LocalSerial => Consistency::LocalSerial,
                });
            }
            prepared.insert(*stmt, statement);
        }
        tracing::info!(keyspace = %keyspace, version = schema::latest_version(), "scylla storage open");
        Ok(Self { session, prepared, timeout, keyspace })
    }

    /// Drops the whole keyspace (tests: each conformance case gets its own). Errors are
    /// logged: the data is disposable.
    pub async fn drop_keyspace(&self) {
        let ddl = format!("DROP KEYSPACE IF EXISTS {}", self.keyspace);
        if let Err(error) = self.session.query_unpaged(ddl, ()).await {
            tracing::warn!(%error, keyspace = %self.keyspace, "cannot drop the keyspace");
        }
    }

    /// The keyspace every table lives in.
    #[must_use]
    pub fn keyspace(&self) -> &str {
        &self.keyspace
    }

    fn statement(&self, stmt: Stmt) -> StorageResult<&PreparedStatement> {
        self.prepared.get(&stmt).ok_or_else(|| unavailable("statement", format!("{stmt:?} is not prepared")))
    }

    /// Runs one statement; its rows (with column names).
    pub(super) async fn run(&self, bound: Bound) -> StorageResult<Rows> {
        let statement = self.statement(bound.stmt)?;
        let values = to_driver(bound.values);
        let call = self.session.execute_unpaged(statement, values);
        let result = tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| unavailable(&format!("{:?}", bound.stmt), "timed out"))?
            .map_err(|e| unavailable(&format!("{:?}", bound.stmt), e))?;
        rows_of(result)
    }

    /// Runs a reading statement through every page (a partition may be large).
    pub(super) async fn run_all(&self, bound: Bound) -> StorageResult<Vec<Row>> {
        let statement = self.statement(bound.stmt)?;
        let values = to_driver(bound.values);
        let mut rows = Vec::new();
        let mut paging = PagingState::start();
        loop {
            let call = self.session.execute_single_page(statement, &values, paging);
            let (result, next) = tokio::time::timeout(self.timeout, call)
                .await
                .map_err(|_| unavailable(&format!("{:?}", bound.stmt), "timed out"))?
                .map_err(|e| unavailable(&format!("{:?}", bound.stmt), e))?;
            rows.extend(rows_of(result)?.rows);
            match next.into_paging_control_flow() {
                std::ops::ControlFlow::Break(()) => return Ok(rows),
                std::ops::ControlFlow::Continue(state) => paging = state,
            }
        }
    }

    /// Runs statements as one batch (unlogged: every batch here is single-partition, so
    /// it is atomic anyway); for a conditional batch, whether it applied and the current
    /// values of the columns its conditions read.
    pub(super) async fn run_batch(&self, statements: Vec<Bound>) -> StorageResult<Rows> {
        let mut batch = Batch::new(BatchType::Unlogged);
        let mut values = Vec::with_capacity(statements.len());
        for bound in statements {
            batch.append_statement(self.statement(bound.stmt)?.clone());
            values.push(to_driver(bound.values));
        }
        let call = self.session.batch(&batch, values);
        let result = tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| unavailable("batch", "timed out"))?
            .map_err(|e| unavailable("batch", e))?;
        rows_of(result)
    }

    /// Runs independent statements (index rows) one after the other.
    pub(super) async fn run_each(&self, statements: Vec<Bound>) -> StorageResult<()> {
        for bound in statements {
            self.run(bound).await?;
        }
        Ok(())
    }
}

/// The rows of a result and their column names.
#[derive(Debug, Default)]
pub(super) struct Rows {
    pub names: Vec<String>,
    pub rows: Vec<Row>,
}

impl Rows {
    /// Whether a lightweight transaction applied (`[applied]`; `true` for other results).
    pub(super) fn applied(&self) -> bool {
        match (self.names.first(), self.rows.first().and_then(|r| r.first())) {
            (Some(name), Some(Some(Cql::Bool(applied)))) if name == "[applied]" => *applied,
            _ => true,
        }
    }

    /// The first row as `(name, value)` pairs.
    pub(super) fn first_named(&self) -> Vec<(&str, Option<Cql>)> {
        let Some(row) = self.rows.first() else { return Vec::new() };
        self.names.iter().map(String::as_str).zip(row.iter().cloned()).collect()
    }
}

fn rows_of(result: scylla::response::query_result::QueryResult) -> StorageResult<Rows> {
    if !result.is_rows() {
        return Ok(Rows::default());
    }
    let rows_result = result.into_rows_result().map_err(|e| unavailable("result", e))?;
    let names = rows_result.column_specs().iter().map(|c| c.name().to_owned()).collect();
    let mut rows = Vec::with_capacity(rows_result.rows_num());
    for row in rows_result.rows::<scylla::value::Row>().map_err(|e| unavailable("rows", e))? {
        let row = row.map_err(|e| StorageError::Corrupt(format!("scylla row: {e}")))?;
        rows.push(row.columns.into_iter().map(|c| c.and_then(from_driver)).collect());
    }
    Ok(Rows { names, rows })
}

fn to_driver(values: Vec<Option<Cql>>) -> Vec<Option<CqlValue>> {
    values
        .into_iter()
        .map(|v| {
            v.map(|v| match v {
                Cql::Uuid(u) => CqlValue::Uuid(u),
                Cql::BigInt(n) => CqlValue::BigInt(n),
                Cql::Int(n) => CqlValue::Int(n),
                Cql::TinyInt(n) => CqlValue::TinyInt(n),
                Cql::Text(s) => CqlValue::Text(s),
                Cql::Blob(b) => CqlValue::Blob(b),
                Cql::Bool(b) => CqlValue::Boolean(b),
                Cql::Balances(map) => {
                    CqlValue::Map(map.into_iter().map(|(k, v)| (CqlValue::Text(k), CqlValue::BigInt(v))).collect())
                }
            })
        })
        .collect()
}

fn from_driver(value: CqlValue) -> Option<Cql> {
    Some(match value {
        CqlValue::Uuid(u) => Cql::Uuid(u),
        CqlValue::BigInt(n) => Cql::BigInt(n),
        CqlValue::Int(n) => Cql::Int(n),
        CqlValue::TinyInt(n) => Cql::TinyInt(n),
        CqlValue::Text(s) | CqlValue::Ascii(s) => Cql::Text(s),
        CqlValue::Blob(b) => Cql::Blob(b),
        CqlValue::Boolean(b) => Cql::Bool(b),
        CqlValue::Map(pairs) => Cql::Balances(
            pairs
                .into_iter()
                .filter_map(|(k, v)| match (k, v) {
                    (CqlValue::Text(k), CqlValue::BigInt(v)) => Some((k, v)),
                    _ => None,
                })
                .collect(),
        ),
        _ => return None,
    })
}

/// Creates the bookkeeping table, then applies every migration not recorded yet.
async fn migrate(session: &Session) -> StorageResult<()> {
    session.query_unpaged(schema::SCHEMA_MIGRATIONS, ()).await.map_err(|e| unavailable("migrations table", e))?;
    let applied = session
        .query_unpaged("SELECT version FROM schema_migrations", ())
        .await
        .map_err(|e| unavailable("read migrations", e))?;
    let applied: Vec<i32> = rows_of(applied)?
        .rows
        .iter()
        .filter_map(|r| match r.first() {
            Some(Some(Cql::Int(v))) => Some(*v),
            _ => None,
        })
        .collect();
    if let Some(newer) = applied.iter().find(|v| **v > schema::latest_version()) {
        return Err(unavailable(
            "schema",
            format!("version {newer} is newer than this build supports ({})", schema::latest_version()),
        ));
    }
    for (version, description, statements) in schema::MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        for ddl in *statements {
            session.query_unpaged(*ddl, ()).await.map_err(|e| unavailable(&format!("migration {version}"), e))?;
        }
        session.await_schema_agreement().await.map_err(|e| unavailable("schema agreement", e))?;
        let record = "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)";
        session
            .query_unpaged(record, (*version, *description, Timestamp::now().as_millis()))
            .await
            .map_err(|e| unavailable("record migration", e))?;
        tracing::info!(version, description, "scylla schema migrated");
    }
    Ok(())
}
