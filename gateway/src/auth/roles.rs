//! Who may do what: the one table of role × permission. Every endpoint checks a permission
//! (through an extractor or [`super::Principal::require`]), never a role directly, so this
//! table and `docs/security.md` are the whole policy.

use boxoffice_storage::Role;

/// Something an endpoint needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Create, change and delete films, auditoriums, showtimes, prices; block seats.
    ManageCatalog,
    /// Create, change and deactivate staff accounts and kiosk devices.
    ManageStaff,
    /// Read the audit log.
    ReadAudit,
    /// Cancel and refund any booking (customers cancel only their own).
    Refund,
    /// Top up and adjust customer wallets; verify a customer's email by hand.
    ManageWallets,
    /// Read any customer's account, bookings and wallet.
    ReadCustomers,
    /// Read any booking (tickets at the box office).
    ReadBookings,
    /// Sell and hold for walk-in customers at the box office.
    BoxOffice,
    /// Act as a kiosk device (WebSocket kiosk protocol).
    Kiosk,
    /// Hold and buy for oneself, manage one's own account.
    OwnAccount,
}

impl Permission {
    /// Every permission, for the table in `docs/security.md`.
    pub const ALL: [Permission; 10] = [
        Permission::ManageCatalog,
        Permission::ManageStaff,
        Permission::ReadAudit,
        Permission::Refund,
        Permission::ManageWallets,
        Permission::ReadCustomers,
        Permission::ReadBookings,
        Permission::BoxOffice,
        Permission::Kiosk,
        Permission::OwnAccount,
    ];
}

/// Whether `role` has `permission`.
#[must_use]
pub const fn allows(role: Role, permission: Permission) -> bool {
    use Permission as P;
    match role {
        Role::Admin => !matches!(permission, P::Kiosk | P::OwnAccount),
        Role::Manager => matches!(
            permission,
            P::ManageCatalog | P::Refund | P::ManageWallets | P::ReadCustomers | P::ReadBookings | P::BoxOffice
        ),
        Role::Cashier => matches!(permission, P::BoxOffice | P::ReadBookings),
        Role::Kiosk => matches!(permission, P::Kiosk),
        Role::Customer => matches!(permission, P::OwnAccount),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_matches_the_issue() {
        for p in Permission::ALL {
            assert_eq!(allows(Role::Admin, p), !matches!(p, Permission::Kiosk | Permission::OwnAccount), "{p:?}");
        }
        assert!(allows(Role::Manager, Permission::ManageCatalog) && allows(Role::Manager, Permission::Refund));
        assert!(!allows(Role::Manager, Permission::ManageStaff) && !allows(Role::Manager, Permission::ReadAudit));
        assert!(allows(Role::Cashier, Permission::BoxOffice) && !allows(Role::Cashier, Permission::Refund));
        assert!(!allows(Role::Cashier, Permission::ManageCatalog));
        assert!(allows(Role::Kiosk, Permission::Kiosk) && !allows(Role::Kiosk, Permission::BoxOffice));
        let customer: Vec<_> = Permission::ALL.into_iter().filter(|p| allows(Role::Customer, *p)).collect();
        assert_eq!(customer, [Permission::OwnAccount]);
    }
}
