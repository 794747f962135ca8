# Le site des clients.

home-title = À l’affiche
home-now-showing = En ce moment
home-by-day = Séances par jour
home-coming-soon = Prochainement
home-nothing-found = Aucun film ne correspond à ces filtres.
filter-label = Trouver un film
filter-search = Recherche
filter-search-hint = Titre, réalisateur ou acteurs
filter-genre = Genre
filter-version = Version
filter-format = Format
filter-any = Toutes
filter-any-format = Tous
filter-max-duration = Durée maximale (minutes)
filter-date = Date
filter-submit = Voir les films
filter-bad-version = La version doit être VF, VO ou VOST.
filter-bad-format = Le format doit être 2D ou 3D.
filter-bad-duration = La durée doit être un nombre de minutes entre 1 et 600.
filter-bad-date = La date doit ressembler à 2026-12-24.
showtime-link-label = { $time }, { $version } { $format }, { $auditorium }
film-by = de { $director }
film-release = Sortie le { $date }
poster-alt = Affiche de { $title }
film-director = Réalisation
film-cast = Avec
film-duration = Durée
film-genres = Genres
film-rating = Classification
film-languages = Langues
film-subtitles = Sous-titres
film-release-date = Sortie
film-trailer = Voir la bande-annonce
film-showtimes = Séances
film-no-showtimes = Aucune séance dans les prochains jours.
sold-out = Complet
seats-left = { $count ->
    [one] { $count } place restante
   *[other] { $count } places restantes
  }
tickets-count = { $count ->
    [one] { $count } billet
   *[other] { $count } billets
  }

seats-prices = Tarifs
seats-choose = Choisissez vos places
seats-choose-hint = Jusqu’à { $max } places. Les flèches (ou Tab) passent d’une place à l’autre, Espace en choisit une.
seats-screen = ÉCRAN
seats-legend = Légende
seats-live = Le plan de salle se met à jour en direct.
seats-offline = Mises à jour en pause ; reconnexion…
seats-hold = Réserver ces places
seats-sign-in-and-hold = Se connecter et réserver ces places
seats-quantity = Nombre de billets
seats-not-on-sale = Cette séance n’est plus en vente.
seats-none-chosen = Choisissez au moins une place.
seats-too-many = Vous pouvez réserver au plus 10 places à la fois.
seats-unknown = Une des places choisies n’existe pas ; merci de choisir à nouveau.
seats-bad-quantity = Choisissez entre 1 et 10 billets.
seats-you-hold = Vous réservez { $seats } pour cette séance.
seats-go-to-checkout = Passer au paiement
seat-label = Rang { $row }, place { $number }
seat-free = libre
seat-held = réservée par quelqu’un
seat-sold = vendue
seat-blocked = indisponible
seat-just-taken = La place {"{"}seat{"}"} vient d’être prise par quelqu’un d’autre.
seat-kind-standard = place standard
seat-kind-premium = place premium
seat-kind-wheelchair = emplacement fauteuil roulant
seat-kind-companion = place accompagnateur
seat-kind-loveseat = siège duo

checkout-title = Paiement
checkout-tiers = Un tarif pour chaque billet
checkout-seat = Place { $seat }
checkout-ticket = Billet { $number }
checkout-balance = Solde de votre porte-monnaie : { $balance }
checkout-pay = Payer avec mon porte-monnaie
checkout-release = Libérer ces places
checkout-bad-tier = Choisissez un tarif connu pour chaque billet.
hold-seats = Réservé pour vous : { $seats }
hold-until = Réservé jusqu’à { $time }
hold-time-left = Encore { $time } pour payer

ticket-title = Votre billet
ticket-thanks = Merci ! Votre réservation est confirmée ; nous vous l’avons aussi envoyée par e-mail.
ticket-sold = Vendu. Imprimez le billet, ou montrez son code au client.
ticket-cancelled = Cette réservation a été annulée et remboursée sur votre porte-monnaie.
ticket-reference = Référence
ticket-qr = QR code de la référence { $reference }
ticket-lines = Billets
ticket-seat = Place
ticket-tier = Tarif
ticket-price = Montant
ticket-total = Total
ticket-bought = Acheté le { $when }
ticket-cancel = Annuler cette réservation
cancel-title = Annuler une réservation
cancel-question = Annuler cette réservation ? { $amount } seront remboursés sur votre porte-monnaie et les places libérées.
cancel-question-staff = Annuler cette réservation ? { $amount } seront remboursés au client et les places libérées.
cancel-confirm = Oui, annuler
cancel-keep = Non, la garder

login-title = Connexion
login-submit = Se connecter
login-forgot = Mot de passe oublié ?
login-register = Créer un compte
login-totp-needed = Ce compte utilise la double authentification : saisissez le code de votre application.
login-totp-hint = Six chiffres de votre application d’authentification.
register-title = Créer un compte
register-submit = Créer mon compte
register-have-account = J’ai déjà un compte
register-username-hint = 3 à 40 lettres, chiffres, points, tirets ou soulignés.
register-password-hint = Au moins 10 caractères, pas un mot de passe courant.
forgot-title = Mot de passe oublié
forgot-intro = Saisissez votre adresse e-mail : si elle correspond à un compte, nous enverrons un lien pour choisir un nouveau mot de passe.
forgot-submit = Envoyer le lien
forgot-sent = Si cette adresse correspond à un compte, un lien est en route. Consultez votre boîte de réception.
verify-title = Confirmez votre adresse e-mail
verify-intro = Appuyez sur le bouton pour confirmer votre adresse e-mail.
verify-submit = Confirmer
verify-done = Votre adresse e-mail est confirmée. Merci !
reset-title = Choisissez un nouveau mot de passe
reset-submit = Enregistrer le nouveau mot de passe
reset-done = Votre mot de passe est changé. Reconnectez-vous.

account-title = Mon compte
account-verify-needed = Confirmez votre adresse e-mail : d’ici là, vous ne pouvez pas acheter de billets et votre crédit de bienvenue attend.
account-resend = Renvoyer le lien
account-2fa = Double authentification
account-2fa-on = activée
account-2fa-off = désactivée
account-profile = Profil
account-save = Enregistrer
account-data = Mes données
account-export = Télécharger mes données (JSON)
account-delete = Supprimer mon compte
bookings-title = Mes réservations
bookings-none = Vous n’avez pas encore de réservation.
bookings-film = Film
bookings-when = Quand
bookings-seats = Places
bookings-status = État
bookings-cancelled = annulée
bookings-confirmed = confirmée
wallet-title = Mon porte-monnaie
wallet-balance = Solde : { $balance }
wallet-empty = Aucun mouvement pour l’instant.
wallet-date = Date
wallet-kind = Mouvement
wallet-memo = Détails
wallet-amount = Montant
wallet-credit = crédit
wallet-payment = paiement
wallet-refund = remboursement
wallet-adjustment = ajustement
wallet-memo-start = Crédit de bienvenue
wallet-memo-card = Payé par carte au guichet
wallet-memo-payment = { $count ->
    [one] Un billet
   *[other] { $count } billets
  }
wallet-memo-tickets = Billets
wallet-memo-refund = Remboursement d’une réservation annulée
delete-title = Supprimer mon compte
delete-explain = Vos données personnelles sont effacées et vous êtes déconnecté partout. Les réservations restent, anonymisées, dans les registres du cinéma. C’est irréversible.
delete-confirm = Je comprends que c’est irréversible
delete-submit = Supprimer mon compte
delete-keep = Garder mon compte

notice-hold-expired = Votre réservation temporaire a expiré ; les places sont de nouveau libres. Choisissez à nouveau.
notice-hold-released = Vos places ont été libérées.
notice-booking-cancelled = Votre réservation est annulée et remboursée sur votre porte-monnaie.
notice-registered = Bienvenue ! Nous vous avons envoyé un lien pour confirmer votre adresse e-mail.
notice-signed-in = Vous êtes connecté.
notice-saved = Enregistré.
notice-verification-sent = Un nouveau lien de confirmation est en route.
notice-deleted = Votre compte est supprimé.

account-2fa-manage = gérer
twofa-title = Double authentification
twofa-on = La double authentification est activée : la connexion demande un code de votre application d’authentification.
twofa-off = La double authentification est désactivée. Activez-la pour demander un code d’une application d’authentification à chaque connexion.
twofa-begin = L’activer
twofa-disable = La désactiver
twofa-scan = Scannez ce QR code avec votre application d’authentification, puis saisissez le code à six chiffres qu’elle affiche.
twofa-qr = QR code pour ajouter le compte à une application d’authentification
twofa-secret = Ou saisissez cette clé :
twofa-confirm = L’activer
twofa-enabled = La double authentification est activée.
twofa-recovery = Gardez ces codes de secours en lieu sûr : chacun permet une connexion si vous perdez votre téléphone. Ils ne sont affichés qu’une fois.

reviews-title = Avis
reviews-none = Pas encore d’avis.
reviews-average = Note moyenne { $average } sur 5 ({ $count ->
    [one] { $count } avis
   *[other] { $count } avis
  })
review-stars = { $rating } sur 5
review-write = Votre avis
review-submit = Publier mon avis
review-hide = Masquer cet avis
review-hide-question = Masquer l’avis de { $author } ? Les visiteurs ne le verront plus et il ne comptera plus dans la moyenne ; vous pourrez le réafficher.
reviews-hidden-title = Avis masqués
review-hidden-by = { $author }, { $rating } sur 5
review-unhide = Réafficher
review-bad-rating = Choisissez une note de 1 à 5.
