//! A small builder for filtered, paginated listings.

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params_from_iter};

use super::convert::{DbResultExt, clamp_page, to_u64};
use crate::catalog::{Page, PageRequest};
use crate::error::StorageResult;

/// `SELECT columns FROM table WHERE clauses ORDER BY order`, with positional (`?`) params
/// in clause order.
pub(crate) struct Query {
    columns: &'static str,
    table: &'static str,
    clauses: Vec<String>,
    params: Vec<Value>,
    order: &'static str,
}

impl Query {
    /// A query with no condition yet.
    pub(crate) fn new(columns: &'static str, table: &'static str, order: &'static str) -> Self {
        Self { columns, table, clauses: Vec::new(), params: Vec::new(), order }
    }

    /// Adds a condition without parameters.
    pub(crate) fn filter(&mut self, clause: &str) -> &mut Self {
        self.clauses.push(clause.to_owned());
        self
    }

    /// Adds a condition whose `?`s take `params`, in order.
    pub(crate) fn filter_with(&mut self, clause: &str, params: impl IntoIterator<Item = Value>) -> &mut Self {
        self.clauses.push(clause.to_owned());
        self.params.extend(params);
        self
    }

    fn where_sql(&self) -> String {
        if self.clauses.is_empty() { "1".to_owned() } else { self.clauses.join(" AND ") }
    }

    /// The total count and one page of rows, from one snapshot.
    pub(crate) fn page<T>(
        &self,
        conn: &Connection,
        page: PageRequest,
        decode: impl Fn(&Row<'_>) -> StorageResult<T>,
    ) -> StorageResult<Page<T>> {
        let page = clamp_page(page);
        let where_sql = self.where_sql();
        let tx = conn.unchecked_transaction().db()?;
        let count_sql = format!("SELECT COUNT(*) FROM {} WHERE {where_sql}", self.table);
        let total: i64 =
            tx.prepare_cached(&count_sql).db()?.query_row(params_from_iter(&self.params), |row| row.get(0)).db()?;
        let select_sql = format!(
            "SELECT {} FROM {} WHERE {where_sql} ORDER BY {} LIMIT ? OFFSET ?",
            self.columns, self.table, self.order
        );
        let bounds = [Value::Integer(page.limit.into()), Value::Integer(page.offset.into())];
        let mut stmt = tx.prepare_cached(&select_sql).db()?;
        let mut rows = stmt.query(params_from_iter(self.params.iter().chain(&bounds))).db()?;
        let mut items = Vec::new();
        while let Some(row) = rows.next().db()? {
            items.push(decode(row)?);
        }
        Ok(Page { items, total: to_u64("count", total)?, offset: page.offset, limit: page.limit })
    }

    /// Every matching row.
    pub(crate) fn all<T>(
        &self,
        conn: &Connection,
        decode: impl Fn(&Row<'_>) -> StorageResult<T>,
    ) -> StorageResult<Vec<T>> {
        let sql =
            format!("SELECT {} FROM {} WHERE {} ORDER BY {}", self.columns, self.table, self.where_sql(), self.order);
        let mut stmt = conn.prepare_cached(&sql).db()?;
        let mut rows = stmt.query(params_from_iter(&self.params)).db()?;
        let mut items = Vec::new();
        while let Some(row) = rows.next().db()? {
            items.push(decode(row)?);
        }
        Ok(items)
    }
}
