//! A customer's account pages over plain HTTP: the password reset from the emailed link,
//! the data export and the account deletion.
