# Shared by the site and the console: the page shell, errors, form fields, price tiers.

skip-to-content = Skip to content
nav-label = Main
nav-home = Films
nav-bookings = My bookings
nav-wallet = Wallet
nav-account = Account
nav-console = Staff console
nav-login = Sign in
nav-register = Create an account
nav-logout = Sign out
switch-language = Français
footer-api = API documentation
back-home = Back to the films

not-found-title = Page not found
not-found-text = There is nothing at this address.
error-title = Something went wrong
forbidden-title = Not allowed

# API error codes (error-{code}): { $seats }, { $field }, { $detail }, { $showtimes }, { $bookings }, { $from } and { $to } come from the error.
error-seats-unavailable = Sorry, someone else just took { $seats }. Please choose other seats.
error-sold-out = This showtime is sold out.
error-not-enough-tickets = There are not that many tickets left.
error-not-on-sale = This showtime is not on sale.
error-showtime-started = This showtime has already started.
error-layout-in-use = The layout cannot change while showtimes use it. Delete the showtimes that were not sold, or create a new auditorium for the new layout.
error-showtime-running = A showtime is running now; try again after it ends.
error-payment-in-progress = This purchase is already being paid. Please wait a moment.
error-showtime-cancelled = This showtime was cancelled.
error-unknown-seats = These seats do not exist: { $seats }.
error-insufficient-balance = Your wallet balance is too low for this purchase. Your seats stay held until the countdown ends.
error-hold-not-found = Your hold has expired or was released. Please choose your seats again.
error-booking-not-found = This booking does not exist.
error-showtime-not-found = This showtime does not exist.
error-not-found = This does not exist (any more).
error-cancellation-closed = This booking can no longer be cancelled: cancellations close shortly before the showtime.
error-already-cancelled = This booking is already cancelled.
error-unknown-tier = Please choose a price for every ticket.
error-validation-failed = { $field }: { $detail }
error-duplicate = { $field } is already used by another account.
error-invalid-credentials = Wrong email or password.
error-second-factor-required = Enter the code from your authenticator app.
error-invalid-second-factor = That code is wrong, expired or already used.
error-rate-limited = Too many attempts. Please wait a little and try again.
error-email-unverified = Please confirm your email address first: we sent you a link.
error-link-invalid = This link is not valid.
error-link-expired = This link has expired. Ask for a new one.
error-link-used = This link was already used.
error-already-verified = Your email address is already confirmed.
error-csrf-failed = Your session changed in another tab. Please reload the page and try again.
error-forbidden = You are not allowed to do this.
error-unauthorized = Please sign in.
error-overloaded = We are very busy right now. Please try again in a moment.
error-storage-unavailable = We could not save this just now. Please try again in a moment.
error-unavailable = The service is unavailable. Please try again in a moment.
error-showtime-overlap = This auditorium is already taken from { $from } to { $to } (cleaning included) by another showtime. Choose another time or auditorium.
error-has-dependents = This cannot be deleted yet: { $showtimes ->
    [one] one future showtime
   *[other] { $showtimes } future showtimes
  } and { $bookings ->
    [one] one confirmed booking
   *[other] { $bookings } confirmed bookings
  } depend on it. Tick the box below to cancel them (every booking is refunded) and delete.
error-showtime-overlap-unknown = This auditorium is already taken at that time by another showtime. Choose another time or auditorium.
error-has-dependents-bookings = This cannot be deleted yet: { $bookings ->
    [one] one confirmed booking depends on it. Tick the box below to cancel and refund it, and delete.
   *[other] { $bookings } confirmed bookings depend on it. Tick the box below to cancel and refund them, and delete.
  }
error-malformed-json = The request could not be read. Please try again.
error-invalid-path = This address is not valid.
error-invalid-query = This address has a parameter that is not valid.
error-bad-body = The request could not be read. Please try again.
error-bad-idempotency-key = The request could not be read. Please try again.
error-totp-enrolment-required = Staff accounts must turn on two-factor authentication first.
error-route-not-found = There is nothing at this address.
error-unknown-email = No account has this email address.
error-method-not-allowed = This action is not possible here.
error-request-timeout = The request took too long to arrive. Please try again.
error-too-many-dependents = Too much depends on this to cancel it all at once. Cancel some showtimes first.
error-idempotency-in-progress = This request is still being processed. Please wait a moment.
error-totp-already-enabled = Two-factor authentication is already on.
error-totp-not-started = Start turning on two-factor authentication first.
error-totp-not-enabled = Two-factor authentication is off.
error-payload-too-large = What you sent is too large.
error-unsupported-media-type = The request could not be read. Please try again.
error-invalid-body = The form is incomplete or has a value of the wrong kind.
error-idempotency-key-reused = This request was already made with different values.
error-internal-error = Something went wrong on our side. Please try again.
error-timeout = This took too long. Check your bookings before trying again.
error-not-owner = Please try again in a moment.
error-owner-unavailable = Please try again in a moment. Check your bookings before trying again.
error-last-admin = The last administrator cannot be removed.
error-invalid-request = { $detail }
error-review-not-allowed = Only customers who saw this film can review it, after their showtime.
error-already-reviewed = You already reviewed this film.

# Form fields (also used to name the field of an error).
field-email = Email address
field-username = Username
field-first-name = First name
field-last-name = Last name
field-password = Password
field-new-password = New password
field-language = Language
field-totp-code = Authenticator code
field-recovery-code = Or a recovery code
field-confirm = Confirmation
field-rating = Rating
field-comment = Comment
field-title = Title
field-original-title = Original title
field-director = Director
field-cast = Cast
field-duration-minutes = Duration (minutes)
field-genres = Genres
field-age-rating = Age rating
field-synopsis = Synopsis
field-poster-url = Poster URL
field-trailer-url = Trailer URL
field-spoken-languages = Spoken languages
field-subtitle-languages = Subtitle languages
field-release-date = Release date
field-name = Name
field-layout = Seat layout
field-equipment = Equipment
field-starts-at = Start
field-prices-tiers = Price tiers
field-prices-currency = Currency
field-prices = Prices
field-role = Role
field-terminal-ref = Card approval code
field-reason = Reason
field-amount-minor = Amount
field-code = Code
field-seats = Seats
field-tiers = Price tiers
field-film-id = Film
field-auditorium-id = Auditorium
field-version = Version
field-format = Format
field-seating = Seating
field-quantity = Number of tickets
field-new-email = New email address
field-current-password = Current password
field-phone = Phone
field-birth-date = Birth date

# Price tiers.
tier-full = Full price
tier-reduced = Reduced
tier-student = Student
tier-child = Child
tier-senior = Senior

pager-label = Pages
pager-previous = Previous page
pager-next = Next page

# Why a field was refused (the `reason` of a validation failure, with its parameters).
reason-length = must be { $min } to { $max } characters
reason-too-long = must be at most { $max } characters
reason-password-too-short = must be at least { $min } characters
reason-password-too-long = must be at most { $max } characters
reason-password-too-common = is too common; choose a less guessable password
reason-password-too-simple = uses too few different characters
reason-password-personal = must not contain your email address, username or name
reason-range = must be between { $min } and { $max }
reason-positive = must be more than zero
reason-non-zero-amount = must not be zero, and at most { $max } either way
reason-one-of = must be one of: { $choices }
reason-too-many-entries = at most { $max } entries
reason-entry-count = { $min } to { $max } entries
reason-email = is not an email address
reason-username = 3 to 40 letters, digits, “.”, “_” or “-”, starting with a letter or digit
reason-phone = must be a phone number such as +33 1 23 45 67 89
reason-date = is not a date like 1990-12-31
reason-birth-date = must be between 1900-01-01 and today
reason-language = is not a supported language
reason-language-code = must be two-letter language codes such as “en”
reason-url = must be a web address (http or https) or a path starting with /
reason-wrong-password = is not your current password
reason-wrong-code = is not the current code of your authenticator app
reason-confirm-required = please tick the box: this cannot be undone
reason-nothing-to-change = nothing to change
reason-either-or = give one or the other, not both
reason-end-before-start = must not be before the start
reason-unknown-reference = does not exist
reason-in-past = is in the past
reason-too-far-ahead = at most { $years ->
    [one] one year
   *[other] { $years } years
} ahead
reason-seat-label = “{ $label }” is not a seat
reason-currency = prices must be in { $currency }
reason-tier-name = price tier “{ $tier }” must be 1 to 20 lower-case letters or _
reason-tier-repeated = price tier “{ $tier }” is given twice
reason-control-character = must not contain control characters (found { $char })
reason-tier-price = the price of “{ $tier }” must be between { $min } and { $max } cents
reason-terminal-ref = a card payment needs the terminal’s approval code (1 to 40 characters)
reason-repeated = is given twice in this request
reason-layout-empty = the layout has no seats
reason-layout-too-large = the layout is too large (at most { $rows } rows, { $positions } positions in a row, { $seats } seats)
reason-layout-row-label = row label “{ $row }” is invalid or repeated (1 to 3 letters or digits, each used once)
reason-layout-char = row { $row }: unknown character “{ $char }” at position { $position } (use S P W C L _ |)
reason-layout-duplicate-seat = seat label { $label } would name two seats; choose other row labels
reason-layout-loveseat = row { $row }: loveseats come in pairs (LL); unpaired loveseat at position { $position }
stale-form-title = This page is out of date
stale-form-text = You signed in or out in another tab after this page was opened, so it could not be sent. Go back, reload the page, and try again.
