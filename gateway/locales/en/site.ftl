# The customer site.

home-title = What’s on
home-now-showing = Now showing
home-by-day = Showtimes by day
home-coming-soon = Coming soon
home-nothing-found = No film matches these filters.
filter-label = Find a film
filter-search = Search
filter-search-hint = Title, director or cast
filter-genre = Genre
filter-version = Version
filter-format = Format
filter-any = Any
filter-any-format = All
filter-max-duration = Longest duration (minutes)
filter-date = Date
filter-submit = Show films
filter-bad-version = The version must be VF, VO or VOST.
filter-bad-format = The format must be 2D or 3D.
filter-bad-duration = The duration must be a number of minutes between 1 and 600.
filter-bad-date = The date must look like 2026-12-24.
showtime-link-label = { $time }, { $version } { $format }, { $auditorium }
film-by = by { $director }
film-release = Out { $date }
poster-alt = Poster of { $title }
film-director = Director
film-cast = Cast
film-duration = Duration
film-genres = Genres
film-rating = Age rating
film-languages = Languages
film-subtitles = Subtitles
film-release-date = Release
film-trailer = Watch the trailer
film-showtimes = Showtimes
film-no-showtimes = No showtimes in the coming days.
sold-out = Sold out
seats-left = { $count ->
    [one] { $count } seat left
   *[other] { $count } seats left
  }
tickets-count = { $count ->
    [one] { $count } ticket
   *[other] { $count } tickets
  }

seats-prices = Prices
seats-choose = Choose your seats
seats-choose-hint = Up to { $max } seats. Move between seats with the arrow keys (or Tab) and pick one with Space.
seats-screen = SCREEN
seats-legend = Legend
seats-live = The seat map updates live.
seats-offline = Live updates paused; reconnecting…
seats-hold = Hold these seats
seats-sign-in-and-hold = Sign in and hold these seats
seats-quantity = Number of tickets
seats-not-on-sale = This showtime is not on sale any more.
seats-none-chosen = Please choose at least one seat.
seats-too-many = You can hold at most 10 seats at once.
seats-unknown = One of the chosen seats does not exist; please choose again.
seats-bad-quantity = Please choose between 1 and 10 tickets.
seats-you-hold = You are holding { $seats } for this showtime.
seats-go-to-checkout = Go to checkout
seat-label = Row { $row }, seat { $number }
seat-free = free
seat-held = held by someone
seat-sold = sold
seat-blocked = unavailable
seat-just-taken = Seat {"{"}seat{"}"} was just taken by someone else.
seat-kind-standard = standard seat
seat-kind-premium = premium seat
seat-kind-wheelchair = wheelchair space
seat-kind-companion = companion seat
seat-kind-loveseat = loveseat

checkout-title = Checkout
checkout-tiers = A price for each ticket
checkout-seat = Seat { $seat }
checkout-ticket = Ticket { $number }
checkout-balance = Your wallet balance: { $balance }
checkout-pay = Pay from my wallet
checkout-release = Release these seats
checkout-bad-tier = Please choose a known price for every ticket.
hold-seats = Held for you: { $seats }
hold-until = Held until { $time }
hold-time-left = { $time } left to pay

ticket-title = Your ticket
ticket-thanks = Thank you! Your booking is confirmed; we sent it to you by email too.
ticket-sold = Sold. Print the ticket, or show the customer its code.
ticket-cancelled = This booking was cancelled and refunded to your wallet.
ticket-reference = Reference
ticket-qr = QR code of reference { $reference }
ticket-lines = Tickets
ticket-seat = Seat
ticket-tier = Price
ticket-price = Amount
ticket-total = Total
ticket-bought = Bought { $when }
ticket-cancel = Cancel this booking
cancel-title = Cancel a booking
cancel-question = Cancel this booking? { $amount } will be refunded to your wallet and the seats freed.
cancel-question-staff = Cancel this booking? { $amount } will be refunded to the customer and the seats freed.
cancel-confirm = Yes, cancel it
cancel-keep = No, keep it

login-title = Sign in
login-submit = Sign in
login-forgot = Forgot your password?
login-register = Create an account
login-totp-needed = This account uses two-factor authentication: enter the code from your app.
login-totp-hint = Six digits from your authenticator app.
register-title = Create an account
register-submit = Create my account
register-have-account = I already have an account
register-username-hint = 3 to 40 letters, digits, dots, dashes or underscores.
register-password-hint = At least 10 characters, not a common password.
forgot-title = Forgotten password
forgot-intro = Enter your email address: if it belongs to an account, we will send a link to choose a new password.
forgot-submit = Send the link
forgot-sent = If this address belongs to an account, a link is on its way. Check your inbox.
verify-title = Confirm your email address
verify-intro = Press the button to confirm your email address.
verify-submit = Confirm
verify-done = Your email address is confirmed. Thank you!
reset-title = Choose a new password
reset-submit = Save the new password
reset-done = Your password is changed. Please sign in again.

account-title = My account
account-verify-needed = Please confirm your email address: until then you cannot buy tickets and your welcome credit waits.
account-resend = Send the link again
account-2fa = Two-factor authentication
account-2fa-on = on
account-2fa-off = off
account-profile = Profile
account-save = Save
account-data = My data
account-export = Download my data (JSON)
account-delete = Delete my account
bookings-title = My bookings
bookings-none = You have no bookings yet.
bookings-film = Film
bookings-when = When
bookings-seats = Seats
bookings-status = Status
bookings-cancelled = cancelled
bookings-confirmed = confirmed
wallet-title = My wallet
wallet-balance = Balance: { $balance }
wallet-empty = No movements yet.
wallet-date = Date
wallet-kind = Movement
wallet-memo = Details
wallet-amount = Amount
wallet-credit = credit
wallet-payment = payment
wallet-refund = refund
wallet-adjustment = adjustment
wallet-memo-start = Starting credit
wallet-memo-card = Paid by card at the box office
wallet-memo-payment = { $count ->
    [one] One ticket
   *[other] { $count } tickets
  }
wallet-memo-tickets = Tickets
wallet-memo-refund = Refund of a cancelled booking
delete-title = Delete my account
delete-explain = Your personal data is erased and you are signed out everywhere. Bookings stay, anonymised, in the cinema’s records. This cannot be undone.
delete-confirm = I understand that this cannot be undone
delete-submit = Delete my account
delete-keep = Keep my account

notice-hold-expired = Your hold has expired; the seats are free again. Please choose again.
notice-hold-released = Your seats were released.
notice-booking-cancelled = Your booking is cancelled and refunded to your wallet.
notice-registered = Welcome! We sent you a link to confirm your email address.
notice-signed-in = You are signed in.
notice-saved = Saved.
notice-verification-sent = A new confirmation link is on its way.
notice-deleted = Your account is deleted.

account-2fa-manage = manage
twofa-title = Two-factor authentication
twofa-on = Two-factor authentication is on: signing in asks for a code from your authenticator app.
twofa-off = Two-factor authentication is off. Turn it on to ask for a code from an authenticator app at every sign-in.
twofa-begin = Set it up
twofa-disable = Turn it off
twofa-scan = Scan this QR code with your authenticator app, then enter the six-digit code it shows.
twofa-qr = QR code to add the account to an authenticator app
twofa-secret = Or type this key:
twofa-confirm = Turn it on
twofa-enabled = Two-factor authentication is on.
twofa-recovery = Keep these recovery codes somewhere safe: each one signs you in once if you lose your phone. They are shown only now.

reviews-title = Reviews
reviews-none = No reviews yet.
reviews-average = Average rating { $average } out of 5 ({ $count ->
    [one] { $count } review
   *[other] { $count } reviews
  })
review-stars = { $rating } out of 5
review-write = Your review
review-submit = Publish my review
review-hide = Hide this review
review-hide-question = Hide the review by { $author }? Visitors no longer see it and it leaves the average; you can show it again.
reviews-hidden-title = Hidden reviews
review-hidden-by = { $author }, { $rating } out of 5
review-unhide = Show again
review-bad-rating = Please choose a rating from 1 to 5.
