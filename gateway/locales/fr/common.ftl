# Partagé par le site et la console : la page, les erreurs, les champs, les tarifs.

skip-to-content = Aller au contenu
nav-label = Principal
nav-home = Films
nav-bookings = Mes réservations
nav-wallet = Porte-monnaie
nav-account = Compte
nav-console = Console du personnel
nav-login = Se connecter
nav-register = Créer un compte
nav-logout = Se déconnecter
switch-language = English
footer-api = Documentation de l’API
back-home = Retour aux films

not-found-title = Page introuvable
not-found-text = Il n’y a rien à cette adresse.
error-title = Une erreur est survenue
forbidden-title = Non autorisé

error-seats-unavailable = Désolé, { $seats } vient d’être pris par quelqu’un d’autre. Choisissez d’autres places.
error-sold-out = Cette séance est complète.
error-not-enough-tickets = Il ne reste pas autant de billets.
error-not-on-sale = Cette séance n’est pas en vente.
error-showtime-started = Cette séance a déjà commencé.
error-layout-in-use = Le plan ne peut pas changer tant que des séances l’utilisent. Supprimez les séances sans réservation, ou créez une nouvelle salle pour le nouveau plan.
error-showtime-running = Une séance est en cours ; réessayez après sa fin.
error-payment-in-progress = Cet achat est déjà en cours de paiement. Merci de patienter un instant.
error-showtime-cancelled = Cette séance a été annulée.
error-unknown-seats = Ces places n’existent pas : { $seats }.
error-insufficient-balance = Le solde de votre porte-monnaie est insuffisant. Vos places restent réservées jusqu’à la fin du compte à rebours.
error-hold-not-found = Votre réservation temporaire a expiré ou a été libérée. Choisissez à nouveau vos places.
error-booking-not-found = Cette réservation n’existe pas.
error-showtime-not-found = Cette séance n’existe pas.
error-not-found = Cet élément n’existe pas (ou plus).
error-cancellation-closed = Cette réservation ne peut plus être annulée : les annulations ferment peu avant la séance.
error-already-cancelled = Cette réservation est déjà annulée.
error-unknown-tier = Choisissez un tarif pour chaque billet.
error-validation-failed = { $field } : { $detail }
error-duplicate = { $field } : déjà utilisé par un autre compte.
error-invalid-credentials = Adresse e-mail ou mot de passe incorrect.
error-second-factor-required = Saisissez le code de votre application d’authentification.
error-invalid-second-factor = Ce code est faux, expiré ou déjà utilisé.
error-rate-limited = Trop de tentatives. Patientez un peu avant de réessayer.
error-email-unverified = Confirmez d’abord votre adresse e-mail : nous vous avons envoyé un lien.
error-link-invalid = Ce lien n’est pas valide.
error-link-expired = Ce lien a expiré. Demandez-en un nouveau.
error-link-used = Ce lien a déjà été utilisé.
error-already-verified = Votre adresse e-mail est déjà confirmée.
error-csrf-failed = Votre session a changé dans un autre onglet. Rechargez la page et réessayez.
error-forbidden = Vous n’avez pas le droit de faire cela.
error-unauthorized = Connectez-vous.
error-overloaded = Nous sommes très sollicités. Réessayez dans un instant.
error-storage-unavailable = L’enregistrement a échoué. Réessayez dans un instant.
error-unavailable = Le service est indisponible. Réessayez dans un instant.
error-showtime-overlap = Cette salle est déjà occupée de { $from } à { $to } (nettoyage compris) par une autre séance. Choisissez une autre heure ou une autre salle.
error-has-dependents = Suppression impossible pour l’instant : { $showtimes ->
    [0] aucune séance à venir
    [one] une séance à venir
   *[other] { $showtimes } séances à venir
  } et { $bookings ->
    [0] aucune réservation confirmée
    [one] une réservation confirmée
   *[other] { $bookings } réservations confirmées
  } en dépendent. Cochez la case ci-dessous pour les annuler (chaque réservation est remboursée) et supprimer.
error-showtime-overlap-unknown = Cette salle est déjà occupée à cette heure par une autre séance. Choisissez une autre heure ou une autre salle.
error-has-dependents-bookings = Suppression impossible pour l’instant : { $bookings ->
    [one] une réservation confirmée en dépend. Cochez la case ci-dessous pour l’annuler et la rembourser, puis supprimer.
   *[other] { $bookings } réservations confirmées en dépendent. Cochez la case ci-dessous pour les annuler et les rembourser, puis supprimer.
  }
error-malformed-json = La demande n’a pas pu être lue. Réessayez.
error-invalid-path = Cette adresse n’est pas valide.
error-invalid-query = Cette adresse contient un paramètre non valide.
error-bad-body = La demande n’a pas pu être lue. Réessayez.
error-bad-idempotency-key = La demande n’a pas pu être lue. Réessayez.
error-totp-enrolment-required = Les comptes du personnel doivent d’abord activer la double authentification.
error-route-not-found = Il n’y a rien à cette adresse.
error-unknown-email = Aucun compte n’a cette adresse e-mail.
error-method-not-allowed = Cette action n’est pas possible ici.
error-request-timeout = La demande a mis trop de temps à arriver. Réessayez.
error-too-many-dependents = Trop d’éléments en dépendent pour tout annuler d’un coup. Annulez d’abord quelques séances.
error-idempotency-in-progress = Cette demande est encore en cours de traitement. Patientez un instant.
error-totp-already-enabled = La double authentification est déjà activée.
error-totp-not-started = Commencez d’abord l’activation de la double authentification.
error-totp-not-enabled = La double authentification est désactivée.
error-payload-too-large = Ce que vous avez envoyé est trop volumineux.
error-unsupported-media-type = La demande n’a pas pu être lue. Réessayez.
error-invalid-body = Le formulaire est incomplet ou contient une valeur du mauvais type.
error-idempotency-key-reused = Cette demande a déjà été faite avec d’autres valeurs.
error-internal-error = Une erreur s’est produite de notre côté. Réessayez.
error-timeout = Cela a pris trop de temps. Vérifiez vos réservations avant de réessayer.
error-not-owner = Réessayez dans un instant.
error-owner-unavailable = Réessayez dans un instant. Vérifiez vos réservations avant de réessayer.
error-last-admin = Le dernier administrateur ne peut pas être retiré.
error-invalid-request = Cette demande ne convient pas à cette séance (par exemple des places nommées deux fois, ou trop de places).
error-review-not-allowed = Seuls les clients qui ont vu ce film peuvent donner leur avis, après leur séance.
error-already-reviewed = Vous avez déjà donné votre avis sur ce film.

field-email = Adresse e-mail
field-username = Identifiant
field-first-name = Prénom
field-last-name = Nom
field-password = Mot de passe
field-new-password = Nouveau mot de passe
field-language = Langue
field-totp-code = Code d’authentification
field-recovery-code = Ou un code de secours
field-confirm = Confirmation
field-rating = Note
field-comment = Commentaire
field-title = Titre
field-original-title = Titre original
field-director = Réalisation
field-cast = Distribution
field-duration-minutes = Durée (minutes)
field-genres = Genres
field-age-rating = Classification
field-synopsis = Synopsis
field-poster-url = Adresse de l’affiche
field-trailer-url = Adresse de la bande-annonce
field-spoken-languages = Langues parlées
field-subtitle-languages = Langues des sous-titres
field-release-date = Date de sortie
field-name = Nom
field-layout = Plan de salle
field-equipment = Équipement
field-starts-at = Début
field-prices-tiers = Tarifs
field-prices-currency = Devise
field-prices = Prix
field-role = Rôle
field-terminal-ref = Code d’autorisation de la carte
field-reason = Motif
field-amount-minor = Montant
field-code = Code
field-seats = Sièges
field-tiers = Tarifs
field-film-id = Film
field-auditorium-id = Salle
field-version = Version
field-format = Format
field-seating = Placement
field-quantity = Nombre de billets
field-new-email = Nouvelle adresse e-mail
field-current-password = Mot de passe actuel
field-phone = Téléphone
field-birth-date = Date de naissance

tier-full = Plein tarif
tier-reduced = Tarif réduit
tier-student = Étudiant
tier-child = Enfant
tier-senior = Senior

pager-label = Pages
pager-previous = Page précédente
pager-next = Page suivante

# Why a field was refused (the `reason` of a validation failure, with its parameters).
reason-length = doit compter de { $min } à { $max } caractères
reason-too-long = doit compter au plus { $max } caractères
reason-password-too-short = doit compter au moins { $min } caractères
reason-password-too-long = doit compter au plus { $max } caractères
reason-password-too-common = est trop courant ; choisissez un mot de passe moins facile à deviner
reason-password-too-simple = utilise trop peu de caractères différents
reason-password-personal = ne doit contenir ni votre adresse e-mail, ni votre identifiant, ni votre nom
reason-range = doit être compris entre { $min } et { $max }
reason-positive = doit être supérieur à zéro
reason-non-zero-amount = ne doit pas être nul, et au plus { $max } dans un sens ou dans l’autre
reason-one-of = doit être l’une des valeurs : { $choices }
reason-too-many-entries = { $max } éléments au plus
reason-entry-count = de { $min } à { $max } éléments
reason-email = n’est pas une adresse e-mail
reason-username = de 3 à 40 lettres, chiffres, « . », « _ » ou « - », commençant par une lettre ou un chiffre
reason-phone = doit être un numéro de téléphone comme +33 1 23 45 67 89
reason-date = n’est pas une date comme 1990-12-31
reason-birth-date = doit être comprise entre le 1er janvier 1900 et aujourd’hui
reason-language = n’est pas une langue prise en charge
reason-language-code = doit être des codes de langue de deux lettres comme « fr »
reason-url = doit être une adresse web (http ou https) ou un chemin commençant par /
reason-wrong-password = n’est pas votre mot de passe actuel
reason-wrong-code = n’est pas le code actuel de votre application d’authentification
reason-confirm-required = cochez la case : cette action est définitive
reason-nothing-to-change = rien à modifier
reason-either-or = donnez l’un ou l’autre, pas les deux
reason-end-before-start = ne doit pas précéder le début
reason-unknown-reference = n’existe pas
reason-in-past = est dans le passé
reason-too-far-ahead = au plus { $years ->
    [one] un an
   *[other] { $years } ans
} à l’avance
reason-seat-label = « { $label } » n’est pas un siège
reason-currency = les prix doivent être en { $currency }
reason-tier-name = le tarif « { $tier } » doit avoir de 1 à 20 lettres minuscules ou _
reason-tier-repeated = le tarif « { $tier } » est donné deux fois
reason-control-character = ne doit pas contenir de caractères de contrôle ({ $char } trouvé)
reason-tier-price = le prix de « { $tier } » doit être compris entre { $min } et { $max } centimes
reason-terminal-ref = un paiement par carte demande le code d’autorisation du terminal (1 à 40 caractères)
reason-repeated = figure deux fois dans cette demande
reason-layout-empty = le plan n’a aucun siège
reason-layout-too-large = le plan est trop grand (au plus { $rows } rangées, { $positions } positions par rangée, { $seats } sièges)
reason-layout-row-label = le nom de rangée « { $row } » est invalide ou répété (1 à 3 lettres ou chiffres, chacun une seule fois)
reason-layout-char = rangée { $row } : caractère inconnu « { $char } » en position { $position } (utilisez S P W C L _ |)
reason-layout-duplicate-seat = le nom de siège { $label } désignerait deux sièges ; choisissez d’autres noms de rangées
reason-layout-loveseat = rangée { $row } : les sièges duo vont par paires (LL) ; siège duo seul en position { $position }
stale-form-title = Cette page n’est plus à jour
stale-form-text = Vous vous êtes connecté ou déconnecté dans un autre onglet depuis l’ouverture de cette page : elle n’a pas pu être envoyée. Revenez en arrière, rechargez la page et réessayez.
