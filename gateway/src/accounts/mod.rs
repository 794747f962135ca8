//! Account rules shared by the routes: input validation, issuing and revoking sessions and
//! tokens, the signed links sent by email, the public view of an account, and the
//! `boxoffice admin create` bootstrap.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`validate`] | emails, usernames, names, phones, birth dates, languages |
//! | [`sessions`] | issuing cookies and bearer tokens, revoking them |
//! | [`links`] | verification and reset links: sending and redeeming them |
//! | [`views`] | [`views::AccountView`], what an account looks like on the wire |
//! | [`bootstrap`] | creating the first admin from the command line |
//! | [`setup`] | start-up of the security machinery |

pub mod bootstrap;
pub mod links;
pub mod sessions;
pub mod setup;
pub mod validate;
pub mod views;
