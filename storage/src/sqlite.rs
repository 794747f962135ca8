//! The SQLite backend (being written).
