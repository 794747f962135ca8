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
