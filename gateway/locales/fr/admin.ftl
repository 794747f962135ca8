# La console du personnel.

admin-brand = Console du personnel
admin-nav-dashboard = Aujourd’hui
admin-nav-box-office = Caisse
admin-nav-site = Site client
admin-staff-only = Cette partie est réservée au personnel du cinéma. Connectez-vous avec un compte du personnel.
admin-not-allowed = Votre rôle ne permet pas d’ouvrir cette page.
admin-dashboard-title = Séances du jour
admin-dashboard-empty = Aucune séance aujourd’hui.
admin-time = Heure
admin-auditorium = Salle
admin-occupancy = Remplissage
admin-occupancy-label = { $percent } % vendu ou réservé
admin-sold-held-free = Vendues / réservées / libres
admin-nav-films = Films
admin-nav-auditoriums = Salles
admin-nav-showtimes = Séances
admin-nav-customers = Clients
admin-nav-staff = Personnel
admin-nav-audit = Journal d’audit
admin-actions = Actions
admin-action = Action
admin-save = Enregistrer
admin-saved = Enregistré.
admin-deleted = Supprimé.
admin-cancelled = La séance est annulée ; toutes les réservations ont été remboursées.
admin-delete = Supprimer
admin-keep = Non, garder
admin-cascade = Annuler aussi ses séances à venir et rembourser toutes les réservations
admin-cascade-bookings = Annuler aussi ses réservations et les rembourser
admin-comma-hint = Séparez-en plusieurs par des virgules.
admin-languages-hint = Codes de deux lettres séparés par des virgules, par exemple fr, en.
admin-films-title = Films
admin-film-new = Nouveau film
admin-film-title = Titre
admin-film-original-title = Titre original
admin-film-duration = Durée (minutes)
admin-film-synopsis = Synopsis
admin-film-poster = URL de l’affiche
admin-film-trailer = URL de la bande-annonce
admin-film-delete = Supprimer un film
admin-film-delete-question = Supprimer le film « { $title } » ? C’est irréversible.
admin-bad-duration = La durée doit être un nombre entier de minutes.
admin-auditoriums-title = Salles
admin-auditorium-new = Nouvelle salle
admin-auditorium-name = Nom
admin-auditorium-delete = Supprimer une salle
admin-auditorium-delete-question = Supprimer la salle « { $name } » ? C’est irréversible.
admin-capacity = Places
admin-capacity-is = { $count ->
    [one] Une place.
   *[other] { $count } places.
}
admin-equipment = Équipement
admin-equipment-3d = 3D
admin-equipment-dolby_atmos = Dolby Atmos
admin-equipment-imax = IMAX
admin-equipment-laser = Projection laser
admin-equipment-4k = 4K
admin-equipment-hearing_loop = Boucle magnétique
admin-equipment-other = Autres équipements (séparés par des virgules)
admin-layout = Plan de salle
admin-layout-legend = Une ligne par rang, depuis l’écran : S standard, P premium, W fauteuil roulant, C accompagnateur, L siège duo (par paires LL), _ vide, | allée.
admin-layout-preview = Aperçu du plan de salle
admin-row-label = Rang
admin-row-seats = Positions
admin-row-label-n = Nom du rang { $n }
admin-row-seats-n = Positions du rang { $n }
admin-add-rows = Ajouter des rangs
admin-preview = Aperçu
admin-showtimes-title = Séances
admin-showtime-new = Nouvelle séance
admin-week-of = Semaine du
admin-show = Afficher
admin-previous-week = Semaine précédente
admin-next-week = Semaine suivante
admin-cancelled-label = annulée
admin-cancel-showtime = Annuler la séance
admin-cancel-question = Annuler { $showtime } ? Toutes les réservations sont remboursées sur le porte-monnaie des clients, prévenus par e-mail.
admin-showtime-delete = Supprimer une séance
admin-showtime-delete-question = Supprimer { $showtime } ? Elle disparaît du site et de la semaine. C’est irréversible.
admin-seating = Placement
admin-seating-reserved = Places numérotées
admin-seating-ga = Placement libre
admin-ga-capacity = Billets (placement libre)
admin-price-tiers = Tarifs
admin-tier-name = Tarif
admin-tier-price = Prix
admin-tier-name-n = Nom du tarif { $n }
admin-tier-price-n = Prix du tarif { $n }
admin-bad-time = L’heure doit ressembler à 20:30 et exister ce jour-là.
admin-bad-price = Les prix ressemblent à 12,50.
admin-bad-amount = Un montant s’écrit comme 12,50 et dépasse zéro.
admin-top-up-too-large = Au plus { $max } à la fois.
admin-bad-capacity = Indiquez le nombre de billets d’une séance en placement libre.
admin-tier-for-all = Tarif de chaque billet
admin-payment = Paiement
admin-pay-cash = Espèces
admin-pay-card = Carte (terminal)
admin-terminal-ref = Code d’autorisation du terminal
admin-sell = Vendre et imprimer
admin-customers-title = Clients
admin-customer-search = Nom, e-mail ou identifiant
admin-search = Rechercher
admin-customer-bookings = Réservations
admin-name = Nom
admin-verified = E-mail confirmé
admin-yes = oui
admin-no = non
admin-top-up = Créditer le porte-monnaie
admin-top-up-amount = Montant
admin-top-up-reason = Motif
admin-staff-title = Personnel
admin-staff-new = Nouveau membre du personnel
admin-role = Rôle
admin-role-admin = administrateur
admin-role-manager = responsable
admin-role-cashier = caissier
admin-role-kiosk = borne
admin-role-customer = client
admin-deactivate = Désactiver
admin-deactivate-question = Désactiver { $name } ? La personne est déconnectée et ne peut plus se connecter.
admin-inactive = inactif
admin-active = actif
admin-reactivate = Réactiver
admin-staff-edit-title = Membre du personnel { $name }
admin-staff-back = Retour à la liste du personnel
admin-audit-title = Journal d’audit
admin-who = Qui
admin-entity = Élément
admin-showtime-edit = Modifier une séance
admin-edit = Modifier
admin-nav-prices = Tarifs
admin-prices-title = Tarifs
admin-prices-intro = Chaque séance garde sa propre grille, les billets déjà vendus gardent donc leur prix. Les changements faits ici s’appliquent à toutes les séances à venir ({ $count ->
    [0] aucune séance
    [one] une séance
   *[other] { $count } séances
  } actuellement).
admin-prices-none = Aucune séance à venir n’a encore de tarifs.
admin-prices-showtimes = Séances
admin-prices-set = Ajouter un tarif ou changer son prix
admin-prices-set-hint = Le tarif est ajouté à chaque séance à venir qui ne l’a pas, ou son prix est changé là où il existe.
admin-prices-apply = Appliquer à toutes les séances à venir
admin-prices-remove = Retirer
admin-prices-remove-title = Retirer un tarif
admin-prices-remove-question = Retirer le tarif « { $tier } » { $count ->
    [one] d’une séance à venir
   *[other] de { $count } séances à venir
  } ? Les billets déjà vendus gardent leur prix. Une séance dont c’est le seul tarif le garde.
admin-prices-updated = { $count ->
    [0] Aucune séance modifiée.
    [one] Une séance modifiée.
   *[other] { $count } séances modifiées.
  }
admin-prices-skipped = { $count ->
    [one] Une séance a gardé ses tarifs (commencée, annulée, son seul tarif, ou déjà 10 tarifs).
   *[other] { $count } séances ont gardé leurs tarifs (commencées, annulées, leur seul tarif, ou déjà 10 tarifs).
  }
admin-tier-name-hint = Lettres minuscules ou _, par ex. student ; full, reduced, student, child et senior sont affichés traduits.
admin-bad-tier-name = Un nom de tarif fait 1 à 20 lettres minuscules ou _, par ex. student.
