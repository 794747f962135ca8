# The staff console.

admin-brand = Staff console
admin-nav-dashboard = Today
admin-nav-box-office = Box office
admin-nav-site = Customer site
admin-staff-only = This part is for cinema staff. Sign in with a staff account.
admin-not-allowed = Your role may not open this page.
admin-dashboard-title = Today’s showtimes
admin-dashboard-empty = No showtimes today.
admin-time = Time
admin-auditorium = Auditorium
admin-occupancy = Occupancy
admin-occupancy-label = { $percent } % sold or held
admin-sold-held-free = Sold / held / free
admin-nav-films = Films
admin-nav-auditoriums = Auditoriums
admin-nav-showtimes = Showtimes
admin-nav-customers = Customers
admin-nav-staff = Staff
admin-nav-audit = Audit log
admin-actions = Actions
admin-action = Action
admin-save = Save
admin-saved = Saved.
admin-deleted = Deleted.
admin-cancelled = The showtime is cancelled; every booking was refunded.
admin-delete = Delete
admin-keep = No, keep it
admin-cascade = Also cancel its future showtimes and refund every booking
admin-cascade-bookings = Also cancel its bookings and refund them
admin-comma-hint = Separate several with commas.
admin-languages-hint = Two-letter codes separated by commas, e.g. fr, en.
admin-films-title = Films
admin-film-new = New film
admin-film-title = Title
admin-film-original-title = Original title
admin-film-duration = Duration (minutes)
admin-film-synopsis = Synopsis
admin-film-poster = Poster URL
admin-film-trailer = Trailer URL
admin-film-delete = Delete a film
admin-film-delete-question = Delete the film “{ $title }”? This cannot be undone.
admin-bad-duration = The duration must be a whole number of minutes.
admin-auditoriums-title = Auditoriums
admin-auditorium-new = New auditorium
admin-auditorium-name = Name
admin-auditorium-delete = Delete an auditorium
admin-auditorium-delete-question = Delete the auditorium “{ $name }”? This cannot be undone.
admin-capacity = Seats
admin-capacity-is = { $count ->
    [one] One seat.
   *[other] { $count } seats.
}
admin-equipment = Equipment
admin-equipment-3d = 3D
admin-equipment-dolby_atmos = Dolby Atmos
admin-equipment-imax = IMAX
admin-equipment-laser = Laser projection
admin-equipment-4k = 4K
admin-equipment-hearing_loop = Hearing loop
admin-equipment-other = Other equipment (separated by commas)
admin-layout = Seat layout
admin-layout-legend = One line per row, from the screen backwards: S standard, P premium, W wheelchair space, C companion seat, L loveseat (in pairs LL), _ gap, | aisle.
admin-layout-preview = Preview of the seat layout
admin-row-label = Row
admin-row-seats = Positions
admin-row-label-n = Label of row { $n }
admin-row-seats-n = Positions of row { $n }
admin-add-rows = Add rows
admin-preview = Preview
admin-showtimes-title = Showtimes
admin-showtime-new = New showtime
admin-week-of = Week of
admin-show = Show
admin-previous-week = Previous week
admin-next-week = Next week
admin-cancelled-label = cancelled
admin-cancel-showtime = Cancel the showtime
admin-cancel-question = Cancel { $showtime }? Every booking is refunded to the customers’ wallets and they are told by email.
admin-showtime-delete = Delete a showtime
admin-showtime-delete-question = Delete { $showtime }? It disappears from the site and the week view. This cannot be undone.
admin-seating = Seating
admin-seating-reserved = Reserved seats
admin-seating-ga = General admission
admin-ga-capacity = Tickets (general admission)
admin-price-tiers = Price tiers
admin-tier-name = Tier
admin-tier-price = Price
admin-tier-name-n = Name of tier { $n }
admin-tier-price-n = Price of tier { $n }
admin-bad-time = The time must look like 20:30 and exist on that day.
admin-bad-price = Prices look like 12.50.
admin-bad-amount = Amounts look like 12.50 and are more than zero.
admin-top-up-too-large = At most { $max } at once.
admin-bad-capacity = Give the number of tickets of a general-admission showtime.
admin-tier-for-all = Price for every ticket
admin-payment = Payment
admin-pay-cash = Cash
admin-pay-card = Card (terminal)
admin-terminal-ref = Terminal approval code
admin-sell = Sell and print
admin-customers-title = Customers
admin-customer-search = Name, email or username
admin-search = Search
admin-customer-bookings = Bookings
admin-name = Name
admin-verified = Email confirmed
admin-yes = yes
admin-no = no
admin-top-up = Top up the wallet
admin-top-up-amount = Amount
admin-top-up-reason = Reason
admin-staff-title = Staff
admin-staff-new = New staff member
admin-role = Role
admin-role-admin = administrator
admin-role-manager = manager
admin-role-cashier = cashier
admin-role-kiosk = kiosk
admin-role-customer = customer
admin-deactivate = Deactivate
admin-deactivate-question = Deactivate { $name }? They are signed out and can no longer sign in.
admin-inactive = inactive
admin-active = active
admin-reactivate = Reactivate
admin-staff-edit-title = Staff member { $name }
admin-staff-back = Back to the staff list
admin-audit-title = Audit log
admin-who = Who
admin-entity = Record
admin-showtime-edit = Change a showtime
admin-edit = Change
admin-nav-prices = Price tiers
admin-prices-title = Price tiers
admin-prices-intro = Each showtime keeps its own price list, so tickets already sold keep their price. Changes here apply to every upcoming showtime ({ $count ->
    [one] one showtime
   *[other] { $count } showtimes
  } now).
admin-prices-none = No upcoming showtime has prices yet.
admin-prices-showtimes = Showtimes
admin-prices-set = Add a tier or set its price
admin-prices-set-hint = The tier is added to every upcoming showtime that lacks it, or its price is changed where it exists.
admin-prices-apply = Apply to every upcoming showtime
admin-prices-remove = Remove
admin-prices-remove-title = Remove a price tier
admin-prices-remove-question = Remove the tier “{ $tier }” from { $count ->
    [one] one upcoming showtime
   *[other] { $count } upcoming showtimes
  }? Tickets already sold keep their price. A showtime whose only tier it is keeps it.
admin-prices-updated = { $count ->
    [one] One showtime changed.
   *[other] { $count } showtimes changed.
  }
admin-prices-skipped = { $count ->
    [one] One showtime kept its prices (started, cancelled, its only tier, or already 10 tiers).
   *[other] { $count } showtimes kept their prices (started, cancelled, their only tier, or already 10 tiers).
  }
admin-tier-name-hint = Lower-case letters or _, e.g. student; full, reduced, student, child and senior are shown translated.
admin-bad-tier-name = A tier name is 1 to 20 lower-case letters or _, e.g. student.
